/**
 * One prune per engine, with real processes and a real engine (a private dockerd holding a few hundred images):
 * - two `docker-prune prune` processes on one endpoint: one prunes, the other is refused naming the lock file and
 *   its holder, and both are audited;
 * - the same engine reached through other endpoints (its own socket, a symlink to it, a docker context on a TCP
 *   proxy on 127.0.0.1): refused too;
 * - one process, two endpoints of one engine (the extension's tree and scheduler): the second runPrune is refused;
 * - a holder killed with SIGKILL (its pid then handed to another process when the kernel lets us): the next prune
 *   takes the lock over;
 * - two processes that share nothing but the uid (a cron job without XDG_RUNTIME_DIR and a window): one lock folder;
 * - locks another local user plants (the old /tmp path, a TMPDIR fallback, a runtime folder of theirs) never block
 *   a prune, wherever the environment points (the lock folder follows from the uid alone).
 * The first prune is held at its first image delete by a proxy in front of the engine's socket, so the second
 * always arrives while the first holds the lock (no timing guesses).
 */
import * as assert from 'assert';
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { AuditLog } from '../../src/core/audit';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { closeEndpoint, contextDirName } from '../../src/core/environments';
import { DockerPruneError } from '../../src/core/errors';
import { acquireEngineLock } from '../../src/core/execute/engineLock';
import { lockDirectory } from '../../src/core/execute/lockDirectory';
import { runPrune } from '../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy } from '../../src/core/model';
import { apiJson, freshEngine, startEngine, type TestEngine } from '../support/dockerd';
import { podmanAvailable, startPodman, type TestPodman } from '../support/podman';
import { generatePopulation, loadPopulation } from '../support/population';
import { EngineProxy } from '../vscode/suites/lib/engineProxy';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const IMAGES = 250;
const NOBODY = 65534;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A closed door the proxy holds image deletes at, until it is opened. */
class Gate {
  private openIt!: () => void;
  readonly opened = new Promise<void>((r) => (this.openIt = r));
  open(): void {
    this.openIt();
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('one prune per engine (built CLI, real engine)', function () {
  this.timeout(20 * 60_000);
  let testEngine: TestEngine;
  let tmp: string;
  let home: string;
  let proxy: EngineProxy;
  let gate: Gate;
  let auditFile: string;
  let engineId: string;
  const children: ChildProcess[] = [];

  const cliEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home, ...extra });
  const startCli = (args: string[], env: NodeJS.ProcessEnv = cliEnv()): { child: ChildProcess; done: Promise<Run> } => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<Run>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
    return { child, done };
  };
  const prune = (host: string, env?: NodeJS.ProcessEnv) => startCli(['prune', '--all', '--yes', '-H', host, '--audit-file', auditFile], env);
  const unusedImages = async () => {
    const r = await startCli(['plan', '--all', '--json', '-H', `unix://${testEngine.socketPath}`]).done;
    assert.strictEqual(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { images: unknown[] }).images.length;
  };
  const firstDelete = async () => {
    for (let i = 0; i < 1200; i++) {
      if (proxy.seen.some((s) => /^DELETE .*\/images\//.test(s))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the first prune never reached an image delete; the proxy saw: ${proxy.seen.slice(-5).join(', ')}`);
  };
  const lockFile = () => path.join(lockDirectory(), `engine-${createHash('sha256').update(`engine:${engineId}`).digest('hex').slice(0, 32)}.lock`);
  // One line per prune: its end record (a prune also writes start and progress records ahead of what it does).
  const allRecords = () =>
    fs
      .readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { outcome: string; environment: string; error?: string; trigger: string; phase?: string; pruneId?: string });
  const auditRecords = () => allRecords().filter((r) => r.phase === undefined || r.phase === 'end');
  /** The refusal every second prune must give while `holder` holds the engine. */
  const refusal = (holder: ChildProcess, through: string) =>
    new RegExp(
      `^docker-prune: Another prune is already running on this engine \\(Docker engine ${escape(engineId)}\\): process ${holder.pid} of user root on host ${escape(os.hostname())}, ` +
        `trigger cli \\(the docker-prune CLI\\), since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(\\d+ s ago\\), through environment "${escape(through)}"\\. ` +
        `Lock file: ${escape(lockFile())} \\(process ${holder.pid} is running\\)\\. Wait for that prune to finish \\(or cancel it where it runs\\), then try again\\. ` +
        `If process ${holder.pid} is stuck, stop it: a lock whose process is gone is taken over by the next prune\\.$`,
      'm',
    );

  before(async function () {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-locks-'));
    fs.chmodSync(tmp, 0o755);
    home = path.join(tmp, 'home');
    fs.mkdirSync(home, { mode: 0o700 });
    testEngine = await startEngine({ name: 'locks' });
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await testEngine?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    testEngine = await freshEngine(testEngine, { name: 'locks' });
    const started = Date.now();
    await loadPopulation(testEngine.socketPath, generatePopulation({ seed: 23, images: IMAGES, multiTagRatio: 0.2 }));
    engineId = (await apiJson<{ ID: string }>(testEngine.socketPath, 'GET', '/info')).ID;
    assert.ok(engineId, 'the engine has an ID');
    auditFile = path.join(tmp, `audit-${Date.now()}.jsonl`);
    gate = new Gate();
    const thisGate = gate;
    proxy = new EngineProxy(path.join(tmp, 'slow.sock'), testEngine.socketPath);
    proxy.hold = (req) => (req.method === 'DELETE' ? thisGate.opened : undefined);
    await proxy.start();
    console.log(`      (${IMAGES} images loaded in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  });
  afterEach(async () => {
    await proxy.stop();
  });

  it('two CLI processes on one endpoint: one prunes, the other is refused naming the lock and its holder; both audited', async () => {
    const before = await unusedImages();
    assert.ok(before > 100, `a few hundred images to prune (${before})`);
    const first = prune(proxy.host);
    await firstDelete();
    assert.ok(fs.existsSync(lockFile()), `the lock is ${lockFile()}`);
    const second = await prune(proxy.host).done;
    console.log(`      refusal: ${second.stderr.trim()}`);
    assert.strictEqual(second.status, 1, second.stderr);
    assert.match(second.stderr, refusal(first.child, proxy.host));
    gate.open();
    const done = await first.done;
    assert.strictEqual(done.status, 0, done.stderr);
    assert.match(done.stdout, /Total reclaimed space/);
    assert.strictEqual(await unusedImages(), 0);
    assert.ok(!fs.existsSync(lockFile()), 'released');
    const records = auditRecords();
    assert.deepStrictEqual(records.map((r) => r.outcome).sort(), ['refused', 'success']);
    assert.match(records.find((r) => r.outcome === 'refused')!.error!, new RegExp(`Lock file: ${escape(lockFile())}`));
  });

  it('two processes that share nothing but the uid (HOME, XDG_RUNTIME_DIR, XDG_CACHE_HOME, TMPDIR, working folder): the second is refused', async () => {
    const other = path.join(tmp, 'other');
    for (const d of ['home', 'run', 'cache', 'tmp']) fs.mkdirSync(path.join(other, d), { recursive: true, mode: 0o700 });
    const first = startCli(['prune', '--all', '--yes', '-H', proxy.host, '--audit-file', auditFile], { PATH: process.env.PATH, HOME: home });
    await firstDelete();
    const separate: NodeJS.ProcessEnv = {
      PATH: '/usr/bin:/bin',
      HOME: path.join(other, 'home'),
      XDG_RUNTIME_DIR: path.join(other, 'run'),
      XDG_CACHE_HOME: path.join(other, 'cache'),
      XDG_STATE_HOME: path.join(other, 'state'),
      TMPDIR: path.join(other, 'tmp'),
    };
    const child = spawn(process.execPath, [CLI, 'prune', '--all', '--yes', '-H', proxy.host, '--audit-file', auditFile], {
      env: separate,
      cwd: other,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((r) => child.on('close', r));
    console.log(`      refusal: ${stderr.trim()}`);
    assert.strictEqual(status, 1, stderr);
    assert.match(stderr, refusal(first.child, proxy.host));
    assert.ok(
      !fs.existsSync(path.join(other, 'run', 'docker-prune')) && !fs.existsSync(path.join(other, 'cache', 'docker-prune', 'locks')),
      'no lock folder where the environment pointed',
    );
    gate.open();
    assert.strictEqual((await first.done).status, 0);
    assert.deepStrictEqual(
      auditRecords()
        .map((r) => r.outcome)
        .sort(),
      ['refused', 'success'],
    );
  });

  it('the same engine through its own socket, a symlink to it and a docker context on a TCP proxy: all refused while one prunes', async () => {
    const alias = path.join(tmp, 'alias.sock');
    fs.rmSync(alias, { force: true });
    fs.symlinkSync(testEngine.socketPath, alias);
    const tcp = net.createServer((c) => {
      const u = net.connect(testEngine.socketPath);
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const port = (tcp.address() as net.AddressInfo).port;
    const meta = path.join(home, '.docker', 'contexts', 'meta', contextDirName('same-engine'));
    fs.mkdirSync(meta, { recursive: true });
    fs.writeFileSync(
      path.join(meta, 'meta.json'),
      JSON.stringify({ Name: 'same-engine', Metadata: {}, Endpoints: { docker: { Host: `tcp://127.0.0.1:${port}`, SkipTLSVerify: false } } }),
    );
    try {
      const first = prune(proxy.host);
      await firstDelete();
      const others = [
        ['-H', `unix://${testEngine.socketPath}`],
        ['-H', `unix://${alias}`],
        ['--context', 'same-engine'],
      ];
      for (const endpoint of others) {
        const r = await startCli(['prune', '--all', '--yes', ...endpoint, '--audit-file', auditFile]).done;
        console.log(`      ${endpoint.join(' ')}: ${r.stderr.trim()}`);
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stderr, refusal(first.child, proxy.host), endpoint.join(' '));
      }
      gate.open();
      assert.strictEqual((await first.done).status, 0);
      assert.strictEqual(await unusedImages(), 0);
      const records = auditRecords();
      assert.deepStrictEqual(records.map((r) => r.outcome).sort(), ['refused', 'refused', 'refused', 'success']);
      assert.deepStrictEqual(
        records
          .filter((r) => r.outcome === 'refused')
          .map((r) => r.environment)
          .sort(),
        [`tcp://127.0.0.1:${port}`, `unix://${alias}`, `unix://${testEngine.socketPath}`].sort(),
      );
    } finally {
      await new Promise((r) => tcp.close(r));
    }
  });

  it('one process, two endpoints of one engine (the tree and the scheduler): the second runPrune is refused the same way', async () => {
    const policy: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: [] };
    const viaProxy = new DockerEngine(resolveEndpoint({ name: 'local', host: proxy.host }));
    const direct = new DockerEngine(resolveEndpoint({ name: 'desktop-context', host: `unix://${testEngine.socketPath}` }));
    const audit = new AuditLog(auditFile);
    try {
      const first = runPrune({ engine: viaProxy, policy, trigger: 'manual', audit });
      await firstDelete();
      await assert.rejects(runPrune({ engine: direct, policy, trigger: 'auto', audit }), (e: unknown) => {
        assert.ok(e instanceof DockerPruneError && e.kind === 'busy', String(e));
        console.log(`      refusal: ${e.message}`);
        assert.match(
          e.message,
          new RegExp(
            `process ${process.pid} of user root on host .* \\(this same window or process\\), trigger manual \\(started by hand in VS Code\\), .*through environment "local" \\(${escape(proxy.host)}\\)\\. Lock file: ${escape(lockFile())}`,
          ),
        );
        return true;
      });
      gate.open();
      const outcome = await first;
      assert.strictEqual(outcome.outcome, 'success');
      const { records } = await audit.read();
      const ends = records.filter((r) => r.phase === undefined || r.phase === 'end');
      assert.deepStrictEqual(ends.map((r) => `${r.trigger}:${r.outcome}`).sort(), ['auto:refused', 'manual:success']);
    } finally {
      closeEndpoint(viaProxy.endpoint);
      closeEndpoint(direct.endpoint);
    }
  });

  it('a holder killed with SIGKILL (its pid then reused): the next prune takes the lock over', async () => {
    const first = prune(proxy.host); // its deletes stay held: it dies holding the lock
    await firstDelete();
    const record = JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as { pid: number; trigger: string };
    assert.strictEqual(record.pid, first.child.pid);
    first.child.kill('SIGKILL');
    assert.strictEqual((await first.done).signal, 'SIGKILL');
    assert.ok(fs.existsSync(lockFile()), 'the killed prune left its lock behind');
    // Hand the dead holder's pid to another process, as the kernel eventually does (ns_last_pid: root only).
    let reused: ChildProcess | undefined;
    const got: Array<number | string> = [];
    for (let i = 0; i < 200 && !reused; i++) {
      try {
        fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(record.pid - 1));
      } catch (e) {
        got.push(String(e));
        break;
      }
      const c = spawn('sleep', ['120'], { stdio: 'ignore' });
      children.push(c);
      got.push(c.pid ?? 'none');
      if (c.pid === record.pid) reused = c;
      else c.kill('SIGKILL');
    }
    let taken = Boolean(reused);
    try {
      process.kill(record.pid, 0);
      taken = true; // ours, or another process on the machine got there first: reused either way
    } catch {
      /* free */
    }
    console.log(
      `      pid ${record.pid} ${reused ? 'now belongs to a sleep process' : taken ? 'was taken by another process on the machine' : `could not be reused here (not root?): plain SIGKILL case (${got.slice(0, 5).join(', ')})`}`,
    );
    if (process.getuid?.() === 0) assert.ok(taken, `pid ${record.pid} is in use again`);
    const next = await prune(`unix://${testEngine.socketPath}`).done;
    assert.strictEqual(next.status, 0, next.stderr);
    assert.strictEqual(await unusedImages(), 0);
    assert.deepStrictEqual(
      auditRecords().map((r) => r.outcome),
      ['success'],
      'the next prune succeeded',
    );
    const killed = allRecords().filter((r) => r.phase === 'start' && !allRecords().some((x) => x.pruneId === r.pruneId && x.phase === 'end'));
    assert.strictEqual(killed.length, 1, 'the killed prune left its start record and no end: it reads as interrupted');
    reused?.kill('SIGKILL');
  });

  it('locks another user planted (old /tmp path, a TMPDIR fallback, their runtime folder) never block a prune, wherever the environment points', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const shared = path.join(tmp, 'shared-tmp'); // a /tmp of our own, handed to the CLI as TMPDIR
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const theirRun = path.join(shared, 'their-run');
    const sleeper = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'sleep', '300'], { stdio: 'ignore' });
    children.push(sleeper);
    await new Promise((r) => setTimeout(r, 200));
    const label = `unix://${testEngine.socketPath}`;
    const oldName = createHash('sha256').update(label).digest('hex').slice(0, 24) + '.lock';
    const newName = path.basename(lockFile());
    const planted = JSON.stringify({
      pid: sleeper.pid,
      host: os.hostname(),
      environment: label,
      since: new Date().toISOString(),
      nonce: '0'.repeat(32),
      trigger: 'cli',
      user: 'root',
    });
    execFileSync(
      'setpriv',
      [
        '--reuid',
        String(NOBODY),
        '--regid',
        String(NOBODY),
        '--clear-groups',
        'sh',
        '-c',
        'set -e; umask 022; for d in "$OLD" "$FALLBACK" "$RUN/docker-prune/locks"; do mkdir -p "$d"; done; chmod 700 "$FALLBACK" "$RUN"; ' +
          'printf %s "$REC" > "$OLD/$OLDNAME"; printf %s "$REC" > "$FALLBACK/$NEWNAME"; printf %s "$REC" > "$RUN/docker-prune/locks/$NEWNAME"',
      ],
      {
        env: {
          PATH: process.env.PATH,
          OLD: path.join(shared, 'docker-prune-locks-0'),
          FALLBACK: path.join(shared, 'docker-prune-0'),
          RUN: theirRun,
          OLDNAME: oldName,
          NEWNAME: newName,
          REC: planted,
        },
      },
    );
    process.kill(sleeper.pid!, 0); // the planted pid is alive
    assert.ok((await unusedImages()) > 0, 'the population has unused images for the prune to remove');

    // Their planted locks are not where ours live, though TMPDIR and XDG_RUNTIME_DIR point at them: the prune runs.
    const r = await prune(label, { PATH: process.env.PATH, HOME: home, TMPDIR: shared, XDG_RUNTIME_DIR: theirRun }).done;
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(await unusedImages(), 0);
    assert.ok(!fs.existsSync(path.join(home, '.cache', 'docker-prune', 'locks')), 'HOME did not move the lock folder');
    sleeper.kill('SIGKILL');
  });
});

describe('one prune per engine: Podman (real service)', function () {
  this.timeout(5 * 60_000);
  let podman: TestPodman | undefined;
  let dir: string;
  before(async function () {
    if (!podmanAvailable()) this.skip();
    podman = await startPodman({ name: 'plock' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-plock-'));
  });
  after(async () => {
    await podman?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("its socket and a symlink to it share one lock, though Podman's /info ID is new on every call", async () => {
    const alias = path.join(dir, 'alias.sock');
    fs.symlinkSync(podman!.socketPath, alias);
    const a = new DockerEngine(resolveEndpoint({ name: 'podman', host: `unix://${podman!.socketPath}` }));
    const b = new DockerEngine(resolveEndpoint({ name: 'podman-alias', host: `unix://${alias}` }));
    try {
      const [i1, i2] = [await a.info(), await a.info()];
      assert.notStrictEqual(i1.ID, i2.ID, 'Podman gives a new /info ID on every call');
      const lock = await acquireEngineLock(a, 'cli', { dir });
      try {
        assert.match(lock.key, /^engine:podman:/);
        await assert.rejects(acquireEngineLock(b, 'auto', { dir }), (e: unknown) => {
          assert.ok(e instanceof DockerPruneError && e.kind === 'busy', String(e));
          console.log(`      refusal: ${e.message}`);
          assert.match(
            e.message,
            /^Another prune is already running on this engine \(Podman engine podman:[^)]+\): process \d+ .* through environment "podman"/,
          );
          return true;
        });
      } finally {
        lock.release();
      }
    } finally {
      closeEndpoint(a.endpoint);
      closeEndpoint(b.endpoint);
    }
  });
});
