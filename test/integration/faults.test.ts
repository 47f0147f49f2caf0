/**
 * Faults, proved on real engines and real processes: nothing outside the confirmed plan goes, and a dying, hung
 * or forbidding engine gives a clear error, not a storm of them.
 * - the retag race: while `docker-prune prune --all` waits at its prompt on a terminal, a rebuild moves `app:latest`
 *   to a new image; the answer `y` must not remove the new image (graphdriver and containerd store);
 * - the engine killed mid-prune, then restarted on the same data root: one error, the rest not attempted, every
 *   image that went was in the plan, and planning works again;
 * - a hung engine (SIGSTOP): the per-request time limit fires, nothing is forced, and after SIGCONT the next
 *   prune works;
 * - the socket refusing the user (a user outside the docker group): the error says what to do.
 */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pruneHistory } from '../../src/core/audit';
import type { AuditRecord } from '../../src/core/audit/record';
import { apiJson, apiRequest, crashEngine, restartEngine, startEngine, type TestEngine } from '../support/dockerd';
import { engineUnderTest } from '../support/engines';
import { signalGroup } from '../support/processes';
import { generatePopulation, loadPopulation, type LoadedPopulation } from '../support/population';
import { EngineProxy } from '../vscode/suites/lib/engineProxy';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

async function imageIds(socket: string): Promise<Set<string>> {
  return new Set((await apiJson<Array<{ Id: string }>>(socket, 'GET', '/images/json?all=1')).map((i) => i.Id));
}

async function tag(socket: string, image: string, ref: string): Promise<void> {
  const at = ref.lastIndexOf(':');
  const res = await apiRequest(
    socket,
    'POST',
    `/images/${encodeURIComponent(image)}/tag?repo=${encodeURIComponent(ref.slice(0, at))}&tag=${encodeURIComponent(ref.slice(at + 1))}`,
  );
  assert.ok(res.status < 300, `tag ${ref}: ${res.status} ${res.body.toString()}`);
}

/** Runs the CLI to the end with arguments and an environment of its own (own cache and audit file). */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}, uid?: number, cli = CLI): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], uid, gid: uid });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

for (const id of ['20-gd', '28-c8d']) {
  const under = engineUnderTest(id);
  describe(`faults: the retag race on a terminal — ${under.label}`, function () {
    this.timeout(10 * 60_000);
    let te: TestEngine;
    let home: string;
    before(async () => {
      te = await startEngine({ name: `race${id}`, suite: under.suite, store: under.store });
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-race-'));
    });
    after(async () => {
      await te?.stop();
      fs.rmSync(home, { recursive: true, force: true });
    });

    it('a tag moved to a new build while the prompt waits: the new build stays, only the planned image goes', async () => {
      const loaded = await loadPopulation(te.socketPath, generatePopulation({ seed: 77, images: 12, containers: { created: 0, exited: 0, running: 0 } }));
      const [planned, rebuild] = loaded.population.images
        .filter((i) => i.tags.length > 0 && !i.name.startsWith('run-'))
        .map((i) => loaded.imageIds.get(i.name)!);
      assert.ok(planned && rebuild, 'two tagged images');
      await tag(te.socketPath, planned, 'app:latest');
      await tag(te.socketPath, planned, 'app:v1');

      // A real terminal: `script` gives the CLI a pty, so it asks and waits for the answer.
      const command = `${process.execPath} ${CLI} prune --all -H ${te.dockerHost}`;
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        env: { ...process.env, HOME: home, DOCKER_PRUNE_AUDIT_FILE: path.join(home, 'audit.jsonl') },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        const deadline = Date.now() + 120_000;
        while (!/Continue\? \[y\/N\]/.test(out)) {
          assert.ok(Date.now() < deadline, `no prompt; output so far:\n${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.match(out, /app:latest/, 'the plan names app:latest');
        await tag(te.socketPath, rebuild, 'app:latest'); // the rebuild: app:latest now names another image
        child.stdin.write('y\r');
        assert.strictEqual(await exited, 0, out);
      } finally {
        signalGroup(child.pid!, 'SIGKILL');
      }
      const after = await imageIds(te.socketPath);
      assert.ok(!after.has(planned), 'the planned image went');
      assert.ok(after.has(rebuild), 'the new build stayed');
      const now = await apiJson<{ Id: string; RepoTags: string[] }>(te.socketPath, 'GET', '/images/app:latest/json');
      assert.strictEqual(now.Id, rebuild, 'app:latest still names the new build');
      assert.match(out, /app:latest.*(now names|left alone)/s, 'the result says app:latest was left alone');
      // The audit says the planned image's step was done (its moved name was left alone, the image itself went).
      const records = fs
        .readFileSync(path.join(home, 'audit.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditRecord);
      assert.ok(
        records.flatMap((r) => r.doneIds ?? []).includes(planned),
        `the planned image's step is listed as done: ${JSON.stringify(records.filter((r) => r.phase !== 'start'))}`,
      );
      assert.ok(!records.flatMap((r) => r.skippedIds ?? []).includes(planned), 'and not as skipped');
    });
  });
}

describe('faults: the engine dies, hangs or refuses the user', function () {
  this.timeout(15 * 60_000);
  let te: TestEngine;
  let home: string;
  let loaded: LoadedPopulation;
  const env = () => ({ HOME: home, DOCKER_PRUNE_AUDIT_FILE: path.join(home, 'audit.jsonl') });

  beforeEach(async () => {
    te = await startEngine({ name: 'faults' });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-faults-'));
    loaded = await loadPopulation(
      te.socketPath,
      generatePopulation({ seed: 91, images: 400, danglingRatio: 0.3, containers: { created: 1, exited: 1, running: 0 } }),
    );
  });
  afterEach(async () => {
    await te?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('killed mid-prune and restarted on the same data root: one error, the rest not attempted, only planned images gone', async () => {
    const planRun = await runCli(['plan', '--all', '--json', '-H', te.dockerHost], env());
    assert.strictEqual(planRun.status, 0, planRun.stderr);
    const plan = JSON.parse(planRun.stdout) as { images: Array<{ id: string; action: string }> };
    const planned = new Set(plan.images.map((i) => i.id));
    const before = await imageIds(te.socketPath);

    // Slow deletes through a proxy, so the crash lands in the middle of the prune.
    const proxy = new EngineProxy(path.join(home, 'proxy.sock'), te.socketPath);
    proxy.hold = (req) => (req.method === 'DELETE' ? new Promise((r) => setTimeout(r, 15)) : undefined);
    await proxy.start();
    try {
      const running = runCli(['prune', '--all', '--yes', '--json', '-H', proxy.host], env());
      while (proxy.seen.filter((s) => s.startsWith('DELETE')).length < 40) await new Promise((r) => setTimeout(r, 20));
      await crashEngine(te);
      const run = await running;
      assert.strictEqual(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /docker-prune: .*(Nothing answers|did not answer|No Docker socket|connection|socket hang up)/i, run.stderr);
      const result = JSON.parse(run.stdout) as { skipped: Array<{ reason: string }> };
      assert.strictEqual(result.skipped.filter((s) => s.reason === 'error').length, 1, 'one error, not one per image');
      assert.ok(result.skipped.filter((s) => s.reason === 'not-attempted').length > 0, 'the rest is reported as not attempted');
    } finally {
      await proxy.stop();
    }

    te = await restartEngine(te);
    const after = await imageIds(te.socketPath);
    const gone = [...before].filter((id) => !after.has(id));
    assert.ok(gone.length > 0, 'the prune had begun');
    for (const id of gone) assert.ok(planned.has(id), `${id} went but was not in the plan`);
    const again = await runCli(['plan', '--all', '--json', '-H', te.dockerHost], env());
    assert.strictEqual(again.status, 0, `planning works again: ${again.stderr}`);

    // The audit says what really went: its records name exactly the planned images the engine no longer has.
    const records = fs
      .readFileSync(path.join(home, 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);
    const [entry] = pruneHistory(records).filter((e) => e.trigger === 'cli');
    assert.ok(entry, 'the prune is in the audit');
    assert.strictEqual(entry.status, 'failed', `${entry.status}: ${entry.error}`);
    const deletions = new Set(entry.steps!.filter((st) => st.action === 'delete').map((st) => st.id));
    const recordedGone = entry.recorded.done.filter((id) => deletions.has(id));
    for (const id of recordedGone) assert.ok(gone.includes(id), `the audit says ${id} went, but the engine still has it`);
    // The one request in flight when the daemon died may have been carried out without an answer: the audit
    // lists that step as the error, and the engine tells.
    const unrecorded = gone.filter((id) => !recordedGone.includes(id));
    assert.ok(unrecorded.every((id) => entry.recorded.skipped.includes(id)) && unrecorded.length <= 1, `gone but not recorded: ${unrecorded.join(', ')}`);
  });

  it('hung (SIGSTOP): the request time limit fires, nothing is forced, and after SIGCONT the next prune works', async () => {
    const proxy = new EngineProxy(path.join(home, 'proxy.sock'), te.socketPath);
    proxy.hold = (req) => (req.method === 'DELETE' ? new Promise((r) => setTimeout(r, 15)) : undefined);
    await proxy.start();
    const before = await imageIds(te.socketPath);
    try {
      const running = runCli(['prune', '--all', '--yes', '--json', '--request-timeout', '5', '-H', proxy.host], env());
      while (proxy.seen.filter((s) => s.startsWith('DELETE')).length < 20) await new Promise((r) => setTimeout(r, 20));
      process.kill(te.pid, 'SIGSTOP');
      const run = await running;
      process.kill(te.pid, 'SIGCONT');
      assert.strictEqual(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /did not answer .* within 5 s/, run.stderr);
      assert.ok(!proxy.seen.some((s) => /force=(1|true)/.test(s)), 'nothing forced');
    } finally {
      process.kill(te.pid, 'SIGCONT');
      await proxy.stop();
    }
    const middle = await imageIds(te.socketPath);
    assert.ok(middle.size < before.size && middle.size > 0, 'it stopped part-way');
    const next = await runCli(['prune', '--all', '--yes', '--json', '-H', te.dockerHost], env());
    assert.strictEqual(next.status, 0, next.stderr);
    const left = await imageIds(te.socketPath);
    for (const c of loaded.containers) assert.ok(left.has(c.imageId), `the image of ${c.name} stays`);
  });

  it('a user outside the docker group: permission denied, with what to do', async () => {
    fs.chmodSync(te.dataDir, 0o711);
    const nobody = 65534;
    fs.chownSync(home, nobody, nobody);
    // Their own copy of the CLI: the checkout may sit in a folder only its owner can enter (a clone under /root).
    const theirCli = path.join(home, 'cli.js');
    fs.copyFileSync(CLI, theirCli);
    fs.chmodSync(theirCli, 0o644);
    const run = await runCli(['plan', '-H', te.dockerHost], { ...env() }, nobody, theirCli);
    assert.strictEqual(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /Permission denied on .*docker\.sock\. Add your user to the "docker" group/, run.stderr);
    assert.ok(spawnSync('id', ['-nG', 'nobody']).stdout.toString().indexOf('docker') < 0);
  });
});
