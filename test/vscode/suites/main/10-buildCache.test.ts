/**
 * The build cache in the extension: a real BuildKit cache (docker-buildx on the suite's engine), shown beside the
 * images in the tree; "Preview Build Cache Prune" shows its plan in the plan view (a row per record, the step's
 * text shown as text, hostile or not), whose Remove — with a record left out — removes exactly the plan on screen
 * and audits it; "Prune Build Cache" shows the plan too and, through the modal (replaced here), removes exactly
 * what it confirmed, leaving a build-cache audit record; and the status bar figure that adds it when the setting says so.
 * A build-cache prune runs through the prune service as image prunes do: held mid-run by a proxy in front of the
 * engine, Cancel Running Prune stops it (audited `cancelled`) and deactivate (the window closing) leaves its end
 * record at once (`interrupted`).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BuildCacheConfirmRequest } from '../../../../src/vscode/buildCache/buildCacheConfirmation';
import type { BuildCacheFlowResult } from '../../../../src/vscode/buildCache/buildCacheCommands';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import { formatBytes } from '../../../../src/core/format/units';
import type { BuildCacheNode, BuildCacheTypeNode } from '../../../../src/vscode/tree/buildCacheNodes';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import { systemDf } from '../../../support/dockerd';
import { buildImage } from '../../../support/buildx';
import { answerEnvironmentName, restoreConfirmation } from '../lib/confirm';
import { EngineProxy } from '../lib/engineProxy';
import {
  api,
  deactivateExtension,
  freshDefaultSession,
  label,
  readAuditRecords,
  resetSettings,
  setSetting,
  socket,
  treeChildren,
  treeItem,
  waitFor,
  runCommand,
} from '../lib/host';

type Done = Extract<BuildCacheFlowResult, { status: 'done' }>;
interface DfRecord {
  readonly ID: string;
  readonly InUse: boolean;
  readonly Description: string;
}

/**
 * A RUN step whose command line is HTML, Markdown and a command link: the record it makes describes that command
 * line (under 200 characters: not cut). COPY steps are described as "fileop target" whatever the file is called.
 */
const HOSTILE_ARG = '<b>x</b><script>alert(1)</script><img src=x onerror=alert(2)> **bold** [a](command:workbench.action.quit)';

const dfRecords = async () => (await systemDf<{ BuildCache: DfRecord[] | null }>(socket())).BuildCache ?? [];

describe('Build cache', () => {
  let session: EnvironmentSession;
  let work: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-vsbc-'));
    ({ session } = await freshDefaultSession());
    const target = { dockerHost: `unix://${socket()}`, dataDir: work };
    await buildImage(target, 'one', [
      { file: 'one.bin', bytes: 300_000, seed: 'one' },
      { file: 'two.bin', bytes: 200_000, seed: 'two' },
    ]);
    await buildImage(target, 'two', [{ file: 'three.bin', bytes: 100_000, seed: 'three' }]);
    await buildImage(target, 'hostile', [{ hostFile: '/bin/busybox', to: '/bin/busybox' }, { run: ['/bin/busybox', 'true', HOSTILE_ARG] }]);
    await session.refresh('test');
    await waitFor('the build cache read', () => {
      const s = session.state;
      return s.kind === 'ready' && !s.reclaimPending && (s.buildCache?.records.length ?? 0) >= 4;
    });
  });
  after(async () => {
    (await api()).setBuildCacheConfirmation(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await resetSettings();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('shows the build cache beside the images: size, reclaimable, records by type and last use', async () => {
    const [env] = await treeChildren();
    // The extension runs from its bundle: tell nodes by kind, not by class.
    const cacheNode = (await treeChildren(env)).find((n: Node): n is BuildCacheNode => n.kind === 'buildCache');
    assert.ok(cacheNode, 'a build cache node under the environment');
    const item = await treeItem(cacheNode);
    assert.strictEqual(label(item), 'Build cache');
    assert.match(String(item.description), /^\d+ records · [\d.]+ (kB|MB) · [\d.]+ (kB|MB) reclaimable$/);
    assert.strictEqual(item.contextValue, 'buildCache');
    const types = (await treeChildren(cacheNode)) as BuildCacheTypeNode[];
    assert.deepStrictEqual(types.map((t) => t.type.type).sort(), ['regular', 'source.local']);
    assert.match(String((await treeItem(types[0]!)).description), /records · .* · last used/);
  });

  it('adds the reclaimable build cache to the status bar figure when dockerPrune.statusBar.includeBuildCache is on', async () => {
    const images = session.reclaimable('dangling')!;
    const cache = session.buildCacheReclaimable()!;
    assert.ok(cache > 500_000, `cache reclaimable ${cache}`);
    await waitFor('images only', async () => (await api()).statusBar.text === `$(trash) ${formatBytes(images)}`);
    await setSetting('statusBar.includeBuildCache', true);
    await waitFor('images and build cache', async () => (await api()).statusBar.text === `$(trash) ${formatBytes(images + cache)}`);
  });

  it('Preview Build Cache Prune shows the plan in the plan view: a row per record it removes, the steps as text, kept by reason', async () => {
    await vscode.commands.executeCommand('dockerPrune.previewBuildCachePrune', { all: true });
    const view = (await api()).planView.buildCache;
    const state = await waitFor('the build-cache plan view', () => view.state());
    const engine = await dfRecords();
    assert.deepStrictEqual(
      state.rows.map((r) => r.id).sort(),
      engine
        .filter((r) => !r.InUse)
        .map((r) => r.ID)
        .sort(),
      'every record no build uses, as the engine lists them',
    );
    assert.ok(state.rows.every((r) => r.checked && r.shortId === r.id.slice(0, 12) && r.bytes !== ''));
    assert.deepStrictEqual([...new Set(state.rows.map((r) => r.type))].sort(), ['regular', 'source.local']);
    assert.match(state.totals, /^\d+ records, [\d.]+ (kB|MB) back$/);
    assert.match(state.remove.label, /^Remove \d+ records \([\d.]+ (kB|MB)\)$/);
    assert.ok(state.remove.enabled, state.remove.why);
    assert.ok(state.header.some((h) => h.label === 'Mode' && h.value.includes('--all')));
    assert.ok(state.header.some((h) => h.label === 'Filters' && h.value === 'none'));
    const hostile = state.rows.find((r) => r.description.includes(HOSTILE_ARG));
    assert.ok(hostile, `the hostile step is listed: ${state.rows.map((r) => r.description).join(' | ')}`);
    const fromEngine = engine.find((r) => r.ID === hostile.id)!.Description;
    assert.strictEqual(hostile.description, fromEngine, 'the engine’s text as it is: shown as text, never as HTML or Markdown');
    assert.strictEqual(state.kind, 'build-cache');
    assert.strictEqual((await api()).planView.buildCache.isOpen(), true);
  });

  it('the plan view’s Remove, with a record left out, removes exactly the plan on screen and audits it as a build-cache prune', async () => {
    const asked: BuildCacheConfirmRequest[] = [];
    (await api()).setBuildCacheConfirmation(async (req) => (asked.push(req), true));
    const view = (await api()).planView.buildCache;
    const before = view.preview()!;
    const parents = new Set(before.snapshot.records.flatMap((r) => r.parents));
    // A record nothing is built on and built on nothing: leaving it out keeps it alone.
    const leaf = before.plan.items.find((i) => !parents.has(i.id) && before.snapshot.records.find((r) => r.id === i.id)!.parents.length === 0);
    assert.ok(leaf, 'a record on its own in the plan');
    await view.post({ type: 'toggle', ids: [leaf.id], include: false });
    const onScreen = view.preview()!;
    assert.strictEqual(onScreen.plan.items.length, before.plan.items.length - 1);
    assert.deepStrictEqual(
      view
        .state()!
        .rows.filter((r) => !r.checked)
        .map((r) => r.id),
      [leaf.id],
    );
    const file = (await api()).auditFile();
    const linesBefore = readAuditRecords(file).length;
    await view.post({ type: 'remove' });
    assert.strictEqual(asked.length, 1, 'the modal asked once');
    assert.deepStrictEqual(asked[0]!.plan.items.map((i) => i.id).sort(), onScreen.plan.items.map((i) => i.id).sort(), 'it asked about the plan on screen');
    const planned = new Set(onScreen.plan.items.map((i) => i.id));
    const left = (await dfRecords()).map((r) => r.ID).sort();
    assert.deepStrictEqual(
      left,
      before.snapshot.records
        .map((r) => r.id)
        .filter((id) => !planned.has(id))
        .sort(),
      'the engine keeps exactly what the plan left',
    );
    assert.ok(left.includes(leaf.id), 'the record left out stays');
    const mine = readAuditRecords(file).slice(linesBefore);
    const end = mine.find((r) => r.phase === 'end');
    assert.strictEqual(end?.target, 'build-cache');
    assert.strictEqual(end.trigger, 'manual');
    assert.strictEqual(end.outcome, 'success');
    assert.strictEqual(end.result?.deleted, planned.size);
    const after = await waitFor('the view re-planned', () => (view.state()?.busy === undefined ? view.state() : undefined));
    assert.deepStrictEqual(
      after.rows.map((r) => [r.id, r.checked]),
      [[leaf.id, false]],
      'what is left: the record still left out',
    );
  });

  it('a protected environment: after the modal, its name is asked as for an image prune; a wrong name removes nothing', async () => {
    await setSetting('environments', [{ name: 'prod-bc', host: session.location, protected: true }]);
    try {
      await waitFor('the protected environment', async () => (await api()).registry.find('prod-bc'));
      const confirmed: BuildCacheConfirmRequest[] = [];
      (await api()).setBuildCacheConfirmation(async (req) => (confirmed.push(req), true));
      const asked = await answerEnvironmentName('prod');
      const file = (await api()).auditFile();
      const audits = readAuditRecords(file).length;
      const before = (await dfRecords()).map((r) => r.ID).sort();
      const answer = (await runCommand('dockerPrune.pruneBuildCache', { environment: 'prod-bc', all: true })) as BuildCacheFlowResult;
      assert.strictEqual(answer?.status, 'declined');
      assert.strictEqual(confirmed.length, 1, 'the modal first');
      assert.strictEqual(asked.length, 1, 'then the name');
      assert.strictEqual(asked[0]!.environment, 'prod-bc');
      const n = confirmed[0]!.plan.items.length;
      assert.strictEqual(asked[0]!.removes, `${n} build cache ${n === 1 ? 'record' : 'records'}`);
      assert.deepStrictEqual((await dfRecords()).map((r) => r.ID).sort(), before, 'a wrong name removes nothing');
      assert.strictEqual(readAuditRecords(file).length, audits, 'and writes no audit record');
    } finally {
      (await api()).setBuildCacheConfirmation(undefined);
      await restoreConfirmation();
      await resetSettings();
    }
  });

  it('Prune Build Cache: asks with the plan, removes exactly it, reports and audits it as a build-cache prune', async () => {
    const asked: BuildCacheConfirmRequest[] = [];
    (await api()).setBuildCacheConfirmation(async (req) => (asked.push(req), true));
    const file = (await api()).auditFile();
    const answer = (await runCommand('dockerPrune.pruneBuildCache', { all: true })) as BuildCacheFlowResult;
    assert.strictEqual(answer?.status, 'done', answer?.status === 'failed' ? answer.message : answer?.status);
    const result = answer as Done;
    assert.strictEqual(asked.length, 1);
    const planned = asked[0]!.plan.items.map((i) => i.id).sort();
    assert.deepStrictEqual(
      (await api()).planView.buildCache
        .state()
        ?.rows.map((r) => r.id)
        .sort(),
      planned,
      'the plan was shown in the plan view before the modal',
    );
    assert.deepStrictEqual([...result.outcome.result.CachesDeleted].sort(), planned);
    assert.strictEqual(result.outcome.result.SpaceReclaimed, asked[0]!.plan.bytes);
    const left = (await systemDf<{ BuildCache: unknown[] | null }>(socket())).BuildCache ?? [];
    assert.deepStrictEqual(left, [], 'no build cache left');
    const end = readAuditRecords(file)
      .reverse()
      .find((r) => r.phase === 'end');
    assert.strictEqual(end?.target, 'build-cache');
    assert.strictEqual(end.trigger, 'manual');
    assert.strictEqual(end.result?.deleted, planned.length);
    await waitFor('the tree without a build cache node', async () => {
      const [env] = await treeChildren();
      return !(await treeChildren(env)).some((n) => n.kind === 'buildCache');
    });
  });

  describe('while it runs (held by a proxy)', () => {
    let proxy: EngineProxy;
    let releaseHeld: (() => void) | undefined;

    before(async () => {
      proxy = new EngineProxy(path.join(work, 'engine.sock'), socket());
      await proxy.start();
      await setSetting('environments', [{ name: 'proxied-bc', host: proxy.host }]);
      await waitFor('the proxied environment', async () => (await api()).registry.find('proxied-bc'));
    });
    after(async () => {
      releaseHeld?.();
      proxy.hold = undefined;
      await proxy.stop();
    });

    /**
     * A fresh build cache of more than one batch (PINNED_BATCH = 100 records per POST /build/prune), then Prune
     * Build Cache on the proxied environment with its first batch held: resolves once that batch is in flight.
     */
    async function pruneHeld(name: string): Promise<{ running: Thenable<BuildCacheFlowResult>; release: () => void; file: string; linesBefore: number }> {
      await buildImage(
        { dockerHost: `unix://${socket()}`, dataDir: work },
        name,
        Array.from({ length: 110 }, (_, i) => ({ file: `f${i}.bin`, bytes: 1000 + i, seed: `${name}-${i}` })),
      );
      (await api()).setBuildCacheConfirmation(async () => true);
      const file = (await api()).auditFile();
      const linesBefore = readAuditRecords(file).length;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      releaseHeld = release;
      let holding = false;
      proxy.hold = (req) => {
        if (req.method !== 'POST' || !/\/build\/prune/.test(req.url ?? '') || holding) return undefined;
        holding = true;
        return held;
      };
      const running = runCommand('dockerPrune.pruneBuildCache', { environment: 'proxied-bc', all: true }) as Promise<BuildCacheFlowResult>;
      await waitFor('the first build-cache batch to be in flight', () => holding, 60_000);
      return { running, release, file, linesBefore };
    }

    it('Cancel Running Prune reaches a build-cache prune: it stops after the batch in flight, and the audit says cancelled', async () => {
      const { running, release, file, linesBefore } = await pruneHeld('cancel-me');
      assert.strictEqual(await runCommand('dockerPrune.cancelPrune'), 1, 'the build-cache prune is a running prune');
      release();
      const answer = await running;
      assert.strictEqual(answer?.status, 'done', answer?.status === 'failed' ? answer.message : answer?.status);
      const { outcome } = answer as Done;
      assert.strictEqual(outcome.outcome, 'cancelled');
      const removed = outcome.result.CachesDeleted.length;
      assert.ok(
        removed > 0 && removed < outcome.plan!.items.length,
        `the batch in flight finished, the next was not sent (${removed} of ${outcome.plan!.items.length})`,
      );
      const mine = readAuditRecords(file).slice(linesBefore);
      const end = mine.find((r) => r.phase === 'end');
      assert.strictEqual(end?.target, 'build-cache');
      assert.strictEqual(end.outcome, 'cancelled');
      assert.strictEqual(end.result?.cancelled, true);
      assert.strictEqual(end.result?.deleted, removed);
      assert.strictEqual(mine.filter((r) => r.phase === 'end').length, 1);
      assert.strictEqual(await runCommand('dockerPrune.cancelPrune'), 0, 'nothing runs any more');
    });

    it('deactivate (the window closing) writes a running build-cache prune\'s end record at once, "interrupted"', async () => {
      const { running, release, file, linesBefore } = await pruneHeld('close-window');
      const deactivating = deactivateExtension();
      // Written synchronously: on disk before deactivate's promise has had a chance to settle.
      const mine = readAuditRecords(file).slice(linesBefore);
      const end = mine.find((r) => r.phase === 'end');
      assert.ok(end, `an end record right away (records: ${mine.map((r) => r.phase).join(', ')})`);
      assert.strictEqual(end.target, 'build-cache');
      assert.strictEqual(end.outcome, 'interrupted');
      assert.strictEqual(end.error, 'interrupted: VS Code window closed or reloaded');
      assert.strictEqual(end.pruneId, mine.find((r) => r.phase === 'start')!.pruneId);
      release();
      await deactivating;
      await running;
      assert.strictEqual(
        readAuditRecords(file)
          .slice(linesBefore)
          .filter((r) => r.phase === 'end').length,
        1,
        'one end record: the interrupted one',
      );
    });
  });
});
