/**
 * The lock file under real processes: many of them racing to take over one stale lock (exactly one may win), a
 * holder killed with SIGKILL whose pid the kernel then gives to another process (the lock must not stay held), the
 * fallback for holders whose liveness cannot be checked (mtime heartbeat), and what release and clean-up touch.
 */
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLockFile, readLockHolder, type HeldLockFile } from '../../src/core/execute/lockFile';
import { currentProcess, processStart } from '../../src/core/execute/processIdentity';

const LOCK_MODULE = path.resolve(__dirname, '../../src/core/execute/lockFile.js');

/** A node child that takes `file` at `startAt` and holds it until killed: prints `GOT <pid>` or `NO <why>`. */
function contender(file: string, startAt: number, staleMs = 60_000): ChildProcess {
  const script = `
    const { acquireLockFile } = require(${JSON.stringify(LOCK_MODULE)});
    const wait = Math.max(0, ${startAt} - Date.now() - 3);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    while (Date.now() < ${startAt}) {}
    const r = acquireLockFile(${JSON.stringify(file)}, { contender: process.pid }, { staleMs: ${staleMs} });
    process.stdout.write(r.acquired ? 'GOT ' + process.pid + '\\n' : 'NO ' + r.holder.why + '\\n');
    if (r.acquired) setInterval(() => {}, 1000); else process.exit(0);`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Resolves with the first stdout line of `child`. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', () => reject(new Error(`exited before a line: ${out}`)));
  });
}

/** A child that takes `file` and holds it until killed; resolves once it holds it. */
async function holderProcess(file: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const r = require(${JSON.stringify(LOCK_MODULE)}).acquireLockFile(${JSON.stringify(file)}, { role: 'holder' }); console.log(r.acquired ? 'HELD' : 'NO'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  assert.strictEqual(await firstLine(child), 'HELD');
  return child;
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

function writeRecord(file: string, record: Record<string, unknown>, ageMs = 0): void {
  fs.writeFileSync(file, JSON.stringify({ nonce: randomBytes(16).toString('hex'), ...record }));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(file, t, t);
}

describe('lock file', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;
  const held: HeldLockFile[] = [];
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lockfile-'));
    file = path.join(dir, 'engine.lock');
  });
  afterEach(async () => {
    for (const l of held.splice(0)) l.release();
    for (const c of children.splice(0)) await killAndWait(c);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const take = (details: Record<string, unknown> = {}, options = {}) => {
    const r = acquireLockFile(file, details, options);
    if (r.acquired) held.push(r.lock);
    return r;
  };

  it('is exclusive, names its holder, and release frees it (and only it)', () => {
    const a = take({ who: 'a' });
    assert.ok(a.acquired);
    assert.strictEqual((fs.statSync(file).mode & 0o777).toString(8), '600');
    const b = take({ who: 'b' });
    assert.ok(!b.acquired);
    assert.strictEqual(b.holder.record?.who, 'a');
    assert.strictEqual(b.holder.record?.pid, process.pid);
    assert.strictEqual(b.holder.stale, false);
    a.lock.release();
    assert.ok(!fs.existsSync(file));
    const c = take({ who: 'c' });
    assert.ok(c.acquired);
    // a lock file that is not ours any more (removed, taken again) is left alone by a late release
    fs.rmSync(file);
    const d = take({ who: 'd' });
    assert.ok(d.acquired);
    assert.strictEqual(c.lock.lost, true);
    c.lock.release();
    assert.strictEqual(readLockHolder(file)?.record?.who, 'd');
    assert.deepStrictEqual(fs.readdirSync(dir), ['engine.lock'], 'no temp files or claims left behind');
  });

  it('many processes taking over one stale lock at once: exactly one gets it, every round', async function () {
    const rounds = 6;
    const perRound = 12;
    for (let round = 0; round < rounds; round++) {
      fs.rmSync(file, { force: true });
      if (round % 2 === 0) {
        // a holder killed with SIGKILL: its pid is gone
        const holder = await holderProcess(file);
        await killAndWait(holder);
      } else {
        // a holder on another host that stopped refreshing its lock 2 minutes ago
        writeRecord(file, { pid: 4242, host: 'another-host', since: 'long ago' }, 120_000);
      }
      assert.ok(readLockHolder(file)?.stale, `round ${round}: the lock is stale`);
      const startAt = Date.now() + 2500;
      const kids = Array.from({ length: perRound }, () => contender(file, startAt));
      children.push(...kids);
      // Everyone answers (winners keep holding: nobody can win after a release), then all go.
      const results = await Promise.all(
        kids.map((k) =>
          firstLine(k).then(
            (out) => ({ out }),
            (e: Error) => ({ out: e.message }),
          ),
        ),
      );
      for (const k of kids) await killAndWait(k);
      const winners = results.filter((r) => r.out.startsWith('GOT'));
      assert.strictEqual(winners.length, 1, `round ${round}: exactly one winner, got:\n${results.map((r) => r.out).join('\n')}`);
      for (const r of results.filter((x) => !x.out.startsWith('GOT'))) assert.match(r.out, /^NO process \d+ is running/, `round ${round}`);
    }
  });

  it('a holder killed with SIGKILL whose pid is given to another process: the lock is still taken over', async function () {
    // Real pid reuse: after the kill, ask the kernel for that pid again (ns_last_pid, root in this pid namespace).
    const holder = await holderProcess(file);
    const pid = holder.pid!;
    const recorded = readLockHolder(file)!.record!;
    assert.strictEqual(recorded.pid, pid);
    assert.ok(recorded.processStart, 'the record carries the process start time');
    await killAndWait(holder);
    let reused: ChildProcess | undefined;
    for (let attempt = 0; attempt < 200 && !reused; attempt++) {
      try {
        fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      } catch (e) {
        this.skip(); // not root / no CAP_SYS_ADMIN: the deterministic case below still covers the rule
      }
      const c = spawn('sleep', ['60'], { stdio: 'ignore' });
      children.push(c);
      if (c.pid === pid) reused = c;
      else await killAndWait(c);
    }
    assert.ok(reused, `pid ${pid} was handed out again`);
    process.kill(pid, 0); // alive: the pid alone would say the holder still runs
    assert.notStrictEqual(processStart(pid), recorded.processStart);
    const r = take({ who: 'next' });
    assert.ok(r.acquired, !r.acquired ? r.holder.why : '');
    assert.match(r.lock.tookOver!.why, new RegExp(`pid ${pid} now belongs to another process .*reused`));
  });

  it('a record naming a live pid with another start time is stale (pid reuse, deterministic)', () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    const me = currentProcess();
    writeRecord(file, { pid: sleeper.pid, host: me.host, pidNamespace: me.pidNamespace, processStart: 'another-boot/12345' });
    const r = take();
    assert.ok(r.acquired);
    assert.match(r.lock.tookOver!.why, /reused/);
  });

  it('where start times are unknown (not Linux, old record): a live pid holds it while the lock is refreshed, not after', () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    writeRecord(file, { pid: sleeper.pid, host: os.hostname() });
    const fresh = take({}, { staleMs: 60_000 });
    assert.ok(!fresh.acquired);
    assert.match(fresh.holder.why, /does not say when it started; its lock was last refreshed 0 s ago/);
    const t = new Date(Date.now() - 61_000);
    fs.utimesSync(file, t, t);
    const old = take({}, { staleMs: 60_000 });
    assert.ok(old.acquired);
    assert.match(old.lock.tookOver!.why, /last refreshed 61 s ago \(more than 60 s: gone\)/);
  });

  it('the holder refreshes its lock (mtime heartbeat), so a live holder on another host is not taken over', async () => {
    const r = take({}, { refreshMs: 50 });
    assert.ok(r.acquired);
    const t = new Date(Date.now() - 120_000);
    fs.utimesSync(file, t, t);
    await new Promise((res) => setTimeout(res, 200));
    assert.ok(Date.now() - fs.statSync(file).mtimeMs < 5_000, 'refreshed');
  });

  it('an unreadable lock file holds while fresh and is taken over when old; claims of dead claimants do not block', () => {
    fs.writeFileSync(file, 'not a record');
    const fresh = take();
    assert.ok(!fresh.acquired);
    assert.match(fresh.holder.why, /no readable record/);
    const t = new Date(Date.now() - 120_000);
    fs.utimesSync(file, t, t);
    // a process that died mid-takeover left its claim behind
    const identity = 'x' + require('crypto').createHash('sha256').update('not a record').digest('hex').slice(0, 32);
    writeRecord(`${file}.takeover-${identity}-1`, { pid: 999_999, host: os.hostname() });
    const old = take();
    assert.ok(old.acquired, !old.acquired ? old.holder.why : '');
    assert.deepStrictEqual(fs.readdirSync(dir), ['engine.lock'], 'the dead claim was cleaned up');
  });
});
