/**
 * No prune goes unaudited, with real processes: the built CLI (`node dist/cli.js`) SIGKILLed in the middle of a
 * prune on a private dockerd (deletes slowed by a proxy so the kill lands part-way), a second Ctrl-C, many
 * processes appending at once while some die mid-write, and an audit file on a full disk.
 */
import * as assert from 'assert';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AuditRecord } from '../../src/core/audit';
import { apiJson, freshEngine, startEngine, type TestEngine } from '../support/dockerd';
import { generateLargePopulation, generatePopulation, loadPopulation } from '../support/population';
import { EngineProxy } from '../vscode/suites/lib/engineProxy';

/** The built CLI (DP_CLI points the tests at another build, e.g. one without these fixes). */
const CLI = process.env.DP_CLI ?? path.resolve(__dirname, '../../../dist/cli.js');
/** The compiled audit module the child appenders load (DP_AUDIT_MODULE points them at another build, e.g. an older one). */
const AUDIT_MODULE = process.env.DP_AUDIT_MODULE ?? path.resolve(__dirname, '../../src/core/audit/index.js');
const LOCK_MODULE = path.join(path.dirname(AUDIT_MODULE), 'appendLock.js');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Child {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { proc, stdout: '', stderr: '', exit: undefined as never };
  proc.stdout!.on('data', (d: Buffer) => (child.stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (child.stderr += d.toString()));
  child.exit = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

function readLines(file: string): AuditRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

async function waitUntil(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface AuditJson {
  prunes: Array<{
    pruneId: string;
    status: string;
    reason?: string;
    result: AuditRecord['result'];
    recorded: { done: number; doneIds?: string[]; checkpoints: number };
    plannedIds?: string[];
    engine?: { checked: boolean; gone?: string[]; present?: number; goneUnrecorded?: number; problem?: string };
  }>;
}

describe('audit: no prune goes unaudited (real processes)', function () {
  this.timeout(20 * 60_000);
  let testEngine: TestEngine;
  let tmp: string;
  let proxy: EngineProxy;

  const engineIds = async () => new Set((await apiJson<Array<{ Id: string }>>(testEngine.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
  const cliEnv = () => ({ HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'docker-config'), XDG_CACHE_HOME: path.join(tmp, 'cache') });
  const auditJson = (file: string): AuditJson => {
    const r = spawnSync(process.execPath, [CLI, 'audit', '--json', '--audit-file', file, '-H', testEngine.dockerHost], {
      env: { PATH: process.env.PATH, ...cliEnv() },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.strictEqual(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as AuditJson;
  };

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    testEngine = await startEngine({ name: 'audit' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-audit-'));
    fs.mkdirSync(path.join(tmp, 'docker-config'));
    proxy = new EngineProxy(path.join(tmp, 'proxy.sock'), testEngine.socketPath);
  });
  after(async () => {
    await proxy?.stop();
    await testEngine?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await proxy.stop();
    testEngine = await freshEngine(testEngine, { name: 'audit' });
    proxy = new EngineProxy(path.join(tmp, 'proxy.sock'), testEngine.socketPath);
    await proxy.start();
  });
  afterEach(() => {
    proxy.hold = undefined;
  });

  it('SIGKILL mid-prune: the audit shows it interrupted, its checkpoints name only planned images, `audit` tells what really went', async () => {
    await loadPopulation(testEngine.socketPath, generateLargePopulation(11, 300));
    const before = await engineIds();
    const file = path.join(tmp, 'killed.jsonl');
    const killAt = 120;
    let deletes = 0;
    let cli: Child | undefined;
    proxy.hold = (req) => {
      if (req.method !== 'DELETE' || !/\/images\//.test(req.url ?? '')) return undefined;
      if (++deletes === killAt) cli!.proc.kill('SIGKILL');
      return sleep(15); // a slow engine: the kill lands part-way
    };
    cli = start(['prune', '--all', '--yes', '--audit-file', file, '-H', proxy.host], cliEnv());
    const { signal } = await cli.exit;
    assert.strictEqual(signal, 'SIGKILL', `killed (stderr: ${cli.stderr})`);
    await sleep(1000); // a delete already sent still finishes on the engine
    const after = await engineIds();
    const gone = [...before].filter((id) => !after.has(id));

    const lines = readLines(file);
    const startRec = lines.find((r) => r.phase === 'start')!;
    assert.ok(startRec, 'a start record was written before the first deletion');
    const planned = new Set(startRec.steps!.map((s) => s.id));
    const plannedDeletes = new Set(startRec.steps!.filter((s) => s.action === 'delete').map((s) => s.id));
    const progress = lines.filter((r) => r.phase === 'progress');
    assert.ok(!lines.some((r) => r.phase === 'end'), 'no end record: the process was killed');
    assert.ok(progress.length >= 2, `checkpoints were written (${progress.length})`);
    const checkpointed = progress.flatMap((r) => r.doneIds ?? []);
    for (const id of [...checkpointed, ...progress.flatMap((r) => r.skippedIds ?? [])]) assert.ok(planned.has(id), `checkpoint names planned image ${id}`);
    assert.strictEqual(new Set(checkpointed).size, checkpointed.length, 'each step named once');
    for (const r of progress) assert.ok((r.doneIds?.length ?? 0) + (r.skippedIds?.length ?? 0) <= 25, 'bounded checkpoints');
    for (const id of gone) assert.ok(plannedDeletes.has(id), `every image gone from the engine was a planned deletion (${id})`);
    assert.ok(gone.length > 0 && gone.length < plannedDeletes.size, `killed part-way: ${gone.length} of ${plannedDeletes.size} gone`);
    for (const id of checkpointed.filter((x) => plannedDeletes.has(x))) assert.ok(!after.has(id), 'what the checkpoints say went is gone');

    const audit = auditJson(file);
    const entry = audit.prunes.find((p) => p.pruneId === startRec.pruneId)!;
    assert.strictEqual(entry.status, 'interrupted');
    assert.match(entry.reason ?? '', /no end record/);
    assert.strictEqual(entry.recorded.done, checkpointed.length);
    assert.ok(entry.engine?.checked, JSON.stringify(entry.engine));
    assert.deepStrictEqual([...entry.engine!.gone!].sort(), [...gone].sort(), 'what the engine shows really went');
    const text = spawnSync(process.execPath, [CLI, 'audit', '--audit-file', file, '-H', testEngine.dockerHost], {
      env: { PATH: process.env.PATH, ...cliEnv() },
      encoding: 'utf8',
    });
    assert.match(text.stdout, /INTERRUPTED/);
    assert.match(text.stdout, new RegExp(`shows ${gone.length} of ${plannedDeletes.size} planned deletions gone`));
    process.stdout.write(
      `      [figures] plan ${planned.size} steps (${plannedDeletes.size} deletions), killed at DELETE #${killAt}; ` +
        `${progress.length} checkpoints name ${checkpointed.length} steps; the engine shows ${gone.length} gone (${entry.engine!.goneUnrecorded} after the last checkpoint)\n`,
    );
  });

  it('a second Ctrl-C leaves an end record saying so, with what was done, and exits 130', async () => {
    await loadPopulation(testEngine.socketPath, generatePopulation({ seed: 7, images: 40, multiTagRatio: 0.3 }));
    const file = path.join(tmp, 'ctrl-c.jsonl');
    let deletes = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    proxy.hold = (req) => {
      if (req.method !== 'DELETE' || !/\/images\//.test(req.url ?? '')) return undefined;
      if (++deletes !== 6) return undefined;
      holding = true;
      return held;
    };
    const cli = start(['prune', '--all', '--yes', '--audit-file', file, '-H', proxy.host], cliEnv());
    try {
      await waitUntil('the sixth delete to be in flight', () => holding);
      cli.proc.kill('SIGINT');
      await waitUntil('the first Ctrl-C to be taken', () => cli.stderr.includes('Stopping after the current image'));
      cli.proc.kill('SIGINT');
      const { code } = await cli.exit;
      assert.strictEqual(code, 130, cli.stderr);
    } finally {
      release();
    }
    assert.match(cli.stderr, /interrupted by a second Ctrl-C/);
    const lines = readLines(file);
    const end = lines.find((r) => r.phase === 'end')!;
    assert.ok(end, 'an end record');
    assert.strictEqual(end.outcome, 'interrupted');
    assert.strictEqual(end.error, 'interrupted by a second Ctrl-C');
    const startRec = lines.find((r) => r.phase === 'start')!;
    const deleteSteps = new Set(startRec.steps!.filter((s) => s.action === 'delete').map((s) => s.id));
    const done = lines.flatMap((r) => r.doneIds ?? []);
    assert.ok(done.length >= 1, 'it names the steps done before');
    assert.strictEqual(end.result?.deleted, done.filter((id) => deleteSteps.has(id)).length, 'and counts them');
    const now = await engineIds();
    for (const id of done.filter((x) => deleteSteps.has(x))) assert.ok(!now.has(id), `${id} is gone, as recorded`);
    const entry = auditJson(file).prunes.find((p) => p.pruneId === startRec.pruneId)!;
    assert.strictEqual(entry.status, 'interrupted');
    assert.strictEqual(entry.reason, 'interrupted by a second Ctrl-C');
    process.stdout.write(`      [figures] ${done.length} steps recorded done before the second Ctrl-C (of ${startRec.steps!.length}); exit 130\n`);
  });

  it('many processes appending at once, some killed mid-append: every complete record is its own intact line', async () => {
    const file = path.join(tmp, 'concurrent.jsonl');
    const writers = 20;
    const perWriter = 50;
    const steps = Array.from({ length: 200 }, (_, i) => ({
      id: `sha256:${i.toString(16).padStart(64, '0')}`,
      action: 'delete',
      tags: [`repo/x:${i}`],
      bytes: i,
    }));
    const appender = `
      const { AuditLog } = require(${JSON.stringify(AUDIT_MODULE)});
      const log = new AuditLog(${JSON.stringify(file)});
      const steps = ${JSON.stringify(steps)};
      (async () => {
        for (let i = 0; i < ${perWriter}; i++) {
          await log.append({ environment: 'w' + process.argv[1], trigger: 'cli', mode: 'all', native: false, filters: [], protect: [], plan: { images: steps.length, bytes: 1 },
            result: null, durationMs: i, outcome: 'running', phase: 'start', pruneId: process.argv[1] + '-' + i, steps });
        }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    // A writer killed in the middle of its append: it holds the lock (when there is one) and leaves half a line.
    const crasher = `
      const fs = require('fs');
      let lock; try { lock = require(${JSON.stringify(LOCK_MODULE)}); } catch {}
      (async () => {
        await new Promise((r) => setTimeout(r, Number(process.argv[1])));
        if (lock) await lock.acquireAppendLock(${JSON.stringify(file)});
        const line = JSON.stringify({ crasher: true, pad: 'x'.repeat(30000) });
        fs.appendFileSync(${JSON.stringify(file)}, line.slice(0, 20000));
        process.kill(process.pid, 'SIGKILL');
      })();`;
    const run = (code: string, arg: string) =>
      new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, ['-e', code, arg], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('exit', (c, s) => resolve({ code: c, signal: s, stderr }));
      });
    const t0 = Date.now();
    const results = await Promise.all([
      ...Array.from({ length: writers }, (_, w) => run(appender, String(w))),
      ...Array.from({ length: 8 }, (_, k) => run(crasher, String(300 + k * 400))),
    ]);
    const seconds = (Date.now() - t0) / 1000;
    for (const r of results.slice(0, writers)) assert.strictEqual(r.code, 0, r.stderr);
    const text = fs.readFileSync(file, 'utf8');
    const seen = new Map<string, number>();
    let fragments = 0;
    for (const line of text.split('\n').filter(Boolean)) {
      let v: AuditRecord & { crasher?: boolean };
      try {
        v = JSON.parse(line);
      } catch {
        assert.ok(
          line.startsWith('{"crasher":true') && !line.includes('"pruneId"'),
          `a line that is not a record is only a dead writer's fragment: ${line.slice(0, 120)}…${line.slice(-200)}`,
        );
        fragments++;
        continue;
      }
      assert.strictEqual(v.steps?.length, 200, 'the whole plan is there');
      seen.set(v.pruneId!, (seen.get(v.pruneId!) ?? 0) + 1);
    }
    for (let w = 0; w < writers; w++) for (let i = 0; i < perWriter; i++) assert.strictEqual(seen.get(`${w}-${i}`), 1, `record ${w}-${i} once and intact`);
    const lineBytes = Buffer.byteLength(text.split('\n')[0]!);
    process.stdout.write(
      `      [figures] ${writers}×${perWriter} records of ${lineBytes} bytes (PIPE_BUF 4096) + ${fragments} fragments from 8 killed writers, in ${seconds.toFixed(1)} s: all ${seen.size} intact\n`,
    );
  });

  describe('on a full disk', () => {
    let mnt: string;
    beforeEach(function () {
      if (process.getuid?.() !== 0) this.skip();
      mnt = fs.mkdtempSync(path.join(tmp, 'full-'));
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
      assert.strictEqual(m.status, 0, m.stderr);
    });
    afterEach(() => {
      if (mnt) spawnSync('umount', [mnt]);
    });

    /** Fills the tmpfs, then frees `pages` pages (4 KiB each). */
    function fill(pages: number): void {
      const filler = path.join(mnt, 'filler');
      const fd = fs.openSync(filler, 'w');
      const chunk = Buffer.alloc(4096);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (e) {
        assert.strictEqual((e as NodeJS.ErrnoException).code, 'ENOSPC');
      } finally {
        fs.closeSync(fd);
      }
      if (pages > 0) fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - pages * 4096));
    }

    for (const free of [0, 2]) {
      it(`with ${free} pages free: every record is printed to stderr or whole in the file, and the prune's outcome is reported`, async () => {
        await loadPopulation(testEngine.socketPath, generatePopulation({ seed: 7, images: 40, multiTagRatio: 0.3 }));
        fill(free);
        const file = path.join(mnt, 'audit.jsonl');
        const cli = start(['prune', '--all', '--yes', '--json', '--audit-file', file, '-H', testEngine.dockerHost], cliEnv());
        const { code } = await cli.exit;
        assert.strictEqual(code, 0, cli.stderr);
        const result = JSON.parse(cli.stdout) as { ImagesDeleted: unknown[]; SpaceReclaimed: number };
        assert.ok(result.ImagesDeleted.length > 0, 'the prune ran and reported its result');
        const printed = [...cli.stderr.matchAll(/^docker-prune: audit record not written \((.*?)\): (\{.*\})$/gm)].map((m) => ({
          why: m[1]!,
          record: JSON.parse(m[2]!) as AuditRecord,
        }));
        assert.ok(printed.length > 0, cli.stderr);
        for (const p of printed) assert.match(p.why, /ENOSPC|disk is full/);
        const inFile = fs.existsSync(file) ? readLines(file) : []; // throws on a torn line
        const all = [...printed.map((p) => p.record), ...inFile];
        const startRec = all.find((r) => r.phase === 'start');
        assert.ok(startRec, 'the start record is not lost');
        assert.strictEqual(startRec!.steps!.length, (startRec!.plan as { images: number }).images, 'with the whole plan');
        const end = all.find((r) => r.phase === 'end');
        assert.ok(end && end.outcome === 'success', 'the end record is not lost');
        assert.strictEqual(end!.result!.spaceReclaimed, result.SpaceReclaimed);
        process.stdout.write(
          `      [figures] ${free} pages free: ${printed.length} records printed (${printed.map((p) => p.record.phase).join(', ')}), ${inFile.length} whole in the file, exit ${code}\n`,
        );
      });
    }
  });
});
