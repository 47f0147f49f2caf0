/**
 * The window closes or reloads while a prune runs: VS Code calls the extension's `deactivate`, and the extension
 * host may be gone right after. The prune must still leave an end record that says what happened. The prune is
 * held part-way by a proxy in front of the engine; the extension's own module (the one this host loaded) is then
 * deactivated, as a reload would. Runs last: the extension is not usable as before afterwards.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import { EngineProxy } from '../lib/engineProxy';
import {
  api,
  deactivateExtension,
  engineImageIds,
  readAuditRecords,
  reloadPopulation,
  resetSettings,
  setSetting,
  settled,
  socket,
  waitFor,
  runCommand,
} from '../lib/host';
import { report } from '../lib/report';

type Done = Extract<PruneFlowResult, { status: 'done' }>;

describe('Deactivate (window closed or reloaded) during a prune', () => {
  let proxy: EngineProxy;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-deact-'));
    proxy = new EngineProxy(path.join(dir, 'engine.sock'), socket());
    await proxy.start();
    await reloadPopulation();
    await setSetting('environments', [{ name: 'proxied', host: proxy.host }]);
    const session = await waitFor('the proxied environment', async () => (await api()).registry.find('proxied'));
    await session.refresh('test');
    // Settled on whatever it lists: this test needs dangling images to prune, not the exact tree.
    await settled(session, undefined, 60_000);
  });
  after(async () => {
    proxy.hold = undefined;
    await restoreConfirmation();
    await resetSettings();
    await proxy.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('deactivate writes the running prune\'s end record at once — "interrupted: VS Code window closed or reloaded", what it did — and returns within two seconds', async () => {
    await answerConfirmation('prune');
    const file = (await api()).auditFile();
    const linesBefore = readAuditRecords(file).length;
    let deletes = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    proxy.hold = (req) => {
      if (req.method !== 'DELETE' || !/\/images\//.test(req.url ?? '')) return undefined;
      if (++deletes !== 3) return undefined;
      holding = true;
      return held;
    };
    const running = runCommand('dockerPrune.pruneDangling', { environment: 'proxied' }) as Promise<Done>;
    await waitFor('the third image delete to be in flight', () => holding);

    const t0 = Date.now();
    const deactivating = deactivateExtension();
    // Written synchronously: on disk before deactivate's promise has had a chance to settle.
    const mine = readAuditRecords(file).slice(linesBefore);
    const end = mine.find((r) => r.phase === 'end');
    assert.ok(end, `an end record right away (records: ${mine.map((r) => r.phase).join(', ')})`);
    assert.strictEqual(end.outcome, 'interrupted');
    assert.strictEqual(end.error, 'interrupted: VS Code window closed or reloaded');
    const start = mine.find((r) => r.phase === 'start')!;
    assert.strictEqual(end.pruneId, start.pruneId);
    const planned = new Set(start.steps!.map((s) => s.id));
    const done = [...new Set(mine.flatMap((r) => r.doneIds ?? []))];
    assert.deepStrictEqual(done.length, 2, 'the two images removed before the held one');
    for (const id of done) assert.ok(planned.has(id));
    assert.strictEqual(end.result?.deleted, 2);
    assert.strictEqual(end.result?.cancelled, true);

    await deactivating;
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `deactivate returned in ${ms} ms`);
    const gone = await engineImageIds();
    for (const id of done) assert.ok(!gone.has(id), 'what the record says went is gone');

    release();
    const result = await running;
    assert.ok(result.outcome.summary.cancelled, 'the prune stopped after the image it was on');
    const after = readAuditRecords(file).filter((r) => r.pruneId === start.pruneId);
    assert.strictEqual(after.filter((r) => r.phase === 'end').length, 1, 'one end record: the interrupted one');

    const summary = (await runCommand('dockerPrune.showAuditLog')) as {
      interrupted: number;
      shown: Array<{ pruneId?: string; status: string; reason?: string }>;
    };
    const entry = summary.shown.find((e) => e.pruneId === start.pruneId)!;
    assert.strictEqual(entry.status, 'interrupted');
    assert.strictEqual(entry.reason, 'interrupted: VS Code window closed or reloaded');
    report(`      deactivate returned in ${ms} ms; ${done.length} of ${planned.size} steps recorded done`);
  });
});
