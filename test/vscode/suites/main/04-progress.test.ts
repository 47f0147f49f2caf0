/**
 * Progress and cancellation, through an environment whose engine connection passes a proxy the test
 * controls: the proxy holds one image delete so "cancel in the middle" happens at a known point instead of
 * racing a fast engine.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import { EngineProxy } from '../lib/engineProxy';
import {
  api,
  engineImageIds,
  logLength,
  readAudit,
  reloadPopulation,
  resetSettings,
  setSetting,
  settled,
  socket,
  waitFor,
  waitForLog,
  runCommand,
} from '../lib/host';
import { expectedGroups } from '../lib/population';

type Done = Extract<PruneFlowResult, { status: 'done' }>;

describe('Progress and cancellation', () => {
  let proxy: EngineProxy;
  let dir: string;
  let session: EnvironmentSession;
  const expected = expectedGroups();
  const visible = expected.inUse.size + expected.unused.size + expected.dangling.size;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-proxy-'));
    proxy = new EngineProxy(path.join(dir, 'engine.sock'), socket());
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await reloadPopulation();
    await setSetting('environments', [{ name: 'proxied', host: proxy.host }]);
    session = await waitFor('the proxied environment', async () => (await api()).registry.find('proxied'));
    await session.refresh('test');
    await settled(session, visible);
  });
  afterEach(async () => {
    proxy.hold = undefined;
    await restoreConfirmation();
    await resetSettings();
  });

  it('reports every image and the bytes reclaimed so far, in order, as the prune goes', async () => {
    await answerConfirmation('prune');
    const logFrom = await logLength();
    const result = (await runCommand('dockerPrune.pruneDangling', { environment: 'proxied' })) as Done;
    assert.strictEqual(result.status, 'done');
    const n = result.outcome.summary.removed;
    assert.strictEqual(n, expected.dangling.size);
    const log = await waitForLog('Prune finished on proxied', logFrom);
    let at = 0;
    for (let k = 1; k <= n; k++) {
      const i = log.indexOf(`[${k}/${n}] removed`, at);
      assert.ok(i >= at, `progress step ${k}/${n} reported after step ${k - 1}`);
      at = i;
    }
    const freed = [...log.matchAll(/\] removed .*?, ([\d.]+) (B|kB|MB) freed/g)];
    assert.strictEqual(freed.length, n, 'each step says what it freed');
  });

  it('Cancel stops after the current image: the rest stays, the result and the audit say cancelled', async () => {
    await answerConfirmation('prune');
    const before = await engineImageIds();
    let deletes = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    proxy.hold = (req) => {
      if (req.method !== 'DELETE' || !/\/images\//.test(req.url ?? '')) return undefined;
      deletes++;
      if (deletes !== 2) return undefined;
      holding = true;
      return held;
    };
    const running = runCommand('dockerPrune.pruneDangling', { environment: 'proxied' }) as Promise<Done>;
    await waitFor('the second image delete to be in flight', () => holding);
    assert.strictEqual(await runCommand('dockerPrune.cancelPrune'), 1, 'one running prune asked to stop');
    release();
    const result = await running;

    assert.strictEqual(result.status, 'done');
    const s = result.outcome.summary;
    assert.ok(s.cancelled, 'the result says cancelled');
    assert.strictEqual(s.removed, 2, 'the image in progress finished, nothing after it started');
    assert.match(result.outcome.message, /^Prune cancelled on proxied\. Removed 2 images, reclaimed .* before it stopped\.$/);
    const after = await engineImageIds();
    const removed = [...before].filter((id) => !after.has(id));
    assert.strictEqual(removed.length, 2);
    assert.strictEqual([...expected.dangling].filter((id) => after.has(id)).length, expected.dangling.size - 2, 'the other dangling images stay');
    const rec = readAudit((await api()).auditFile()).pop()!;
    assert.strictEqual(rec.outcome, 'cancelled');
    assert.strictEqual(rec.result?.cancelled, true);
    assert.strictEqual(rec.result?.deleted, 2);
  });

  it('the CLI on the same engine, through its own socket, while the extension prunes: refused by the engine lock, both audited', async () => {
    await answerConfirmation('prune');
    const audit = (await api()).auditFile();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    proxy.hold = (req) => {
      if (req.method !== 'DELETE' || holding) return undefined;
      holding = true;
      return held;
    };
    const running = runCommand('dockerPrune.pruneDangling', { environment: 'proxied' }) as Promise<Done>;
    await waitFor('an image delete to be in flight', () => holding);
    const repo = path.resolve(__dirname, '../../../../..');
    const cli = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'prune', '--all', '--yes', '-H', `unix://${socket()}`, '--audit-file', audit]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    release();
    const result = await running;
    assert.strictEqual(cli.status, 1, cli.stdout + cli.stderr);
    assert.match(cli.stderr, /Another prune is already running on this engine .*trigger manual/s, cli.stderr);
    assert.match(cli.stderr, /Lock file: \S+\.lock/);
    assert.strictEqual(result.status, 'done');
    assert.strictEqual(result.outcome.summary.removed, expected.dangling.size, 'the extension prune went on');
    const records = readAudit(audit);
    assert.ok(
      records.some((r) => r.trigger === 'cli' && r.outcome === 'refused'),
      'the CLI refusal is audited',
    );
    assert.ok(
      records.some((r) => r.trigger === 'manual' && r.outcome === 'success'),
      'the extension prune is audited',
    );
  });
});
