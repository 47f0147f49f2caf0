/**
 * Watermarks in the real extension host: the environment's tree item and the status bar tooltip say how far it is
 * from its high mark (per environment), and "Preview Watermark Auto-Prune" shows exactly the images the core's
 * watermark policy takes on the same snapshot.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { formatBytes } from '../../../../src/core/format/units';
import { parseWatermarks } from '../../../../src/core/plan/watermarkMarks';
import { planWatermarkPrune, storeBytes } from '../../../../src/core/plan/watermarkPolicy';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import {
  api,
  markdownText,
  engineImageIds,
  freshDefaultSession,
  readAudit,
  resetSettings,
  setSetting,
  tooltipText,
  treeChildren,
  treeItem,
  waitFor,
} from '../lib/host';

describe('Watermarks', () => {
  let session: EnvironmentSession;

  beforeEach(async () => {
    ({ session } = await freshDefaultSession());
  });
  afterEach(async () => {
    await resetSettings();
    await waitFor('auto-prune off', async () => (await api()).scheduler.state === 'off');
  });

  async function envItem(): Promise<vscode.TreeItem> {
    const node = (await treeChildren()).find((n: Node) => n.kind === 'environment' && n.session === session);
    assert.ok(node, 'the test engine is a root of the tree');
    return treeItem(node);
  }
  async function statusTooltip(): Promise<string> {
    return markdownText((await api()).statusBar.tooltip);
  }
  function snapshot() {
    const s = session.state;
    assert.ok(s.kind === 'ready' && s.reclaim, 'the environment is measured');
    return s.reclaim.snapshot;
  }

  it('the tree and the status bar tooltip say how far each environment is from its high mark; the preview lists what the next run takes', async () => {
    const store = storeBytes(snapshot());
    // 1 kB over the high mark, by size (the image store's bytes); the low mark 2 kB under it.
    await setSetting('autoPrune.highWatermark', `${store - 1000}`);
    await setSetting('autoPrune.lowWatermark', `${store - 2000}`);
    // The population was loaded (a use) moments ago: no minimum age, or it would keep every image. And it was
    // loaded (docker load): a watermark run leaves loaded images unless told to take them.
    await setSetting('autoPrune.minimumAge', '0');
    await setSetting('autoPrune.includeLoaded', true);
    await waitFor('the tree item to say it is over', async () => String((await envItem()).description).endsWith(`· ${formatBytes(1000)} over the high mark`));
    const tip = tooltipText(await envItem());
    assert.ok(tip.includes(`images take ${formatBytes(store)}`) && tip.includes('above the high mark'), tip);
    await waitFor(
      'the status bar tooltip',
      async () => (await statusTooltip()).includes(`${session.name}: `) && (await statusTooltip()).includes(`${formatBytes(1000)} above the high mark`),
    );

    await vscode.commands.executeCommand('dockerPrune.previewWatermark', { environment: session.id });
    const preview = (await api()).planView.preview()!.watermark!.figures;
    assert.ok(preview.triggered && preview.chosen.length > 0, JSON.stringify(preview));
    assert.ok(preview.predictedBytes < preview.lowBytes);
    const expected = planWatermarkPrune(
      snapshot(),
      { mode: 'all', filters: { labels: [] }, protect: [] },
      { ...parseWatermarks(`${store - 1000}`, `${store - 2000}`, '0'), includeLoaded: true },
      { kind: 'unavailable', why: 'sizes' },
    );
    assert.deepStrictEqual(preview.chosen, expected.figures.chosen, 'the preview takes what the core policy takes');
    const view = (await api()).planView.state();
    assert.strictEqual(view?.key, `${session.id}/watermark`);
    assert.ok(view.columns.lastUsed === 'Last used' && view.header.some((h) => h.value.includes('the run stops there')), JSON.stringify(view.header));

    // Per environment: an object by name; "*" for the others.
    await setSetting('autoPrune.highWatermark', { [session.name]: `${store + 5_000_000}`, '*': '1GB' });
    await setSetting('autoPrune.lowWatermark', { '*': '1' });
    await waitFor('the tree item to say it is under', async () =>
      String((await envItem()).description).endsWith(`· ${formatBytes(5_000_000)} to the high mark`),
    );
    await waitFor('the status bar tooltip', async () => (await statusTooltip()).includes(`${formatBytes(5_000_000)} below the high mark`));
  });

  it('auto-prune above the high mark removes exactly what the preview named, audited as trigger "auto" with its figures', async () => {
    const store = storeBytes(snapshot());
    await setSetting('autoPrune.highWatermark', `${store - 1000}`);
    await setSetting('autoPrune.lowWatermark', `${store - 2000}`);
    await setSetting('autoPrune.minimumAge', '0');
    await setSetting('autoPrune.includeLoaded', true);
    await vscode.commands.executeCommand('dockerPrune.previewWatermark', { environment: session.id });
    const shown = (await api()).planView.preview()!;
    const preview = {
      deletes: shown.plan.items.filter((i) => i.action === 'delete').map((i) => i.id),
      predictedBytes: shown.watermark!.figures.predictedBytes,
    };
    assert.ok(preview.deletes.length > 0);
    const before = await engineImageIds();
    const audit = (await api()).auditFile();
    const earlier = readAudit(audit).length;
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.enabled', true);
    const rec = await waitFor(
      'the auto-prune end record',
      async () =>
        readAudit(audit)
          .slice(earlier)
          .find((r) => r.trigger === 'auto'),
      45_000,
    );
    assert.deepStrictEqual(
      [rec.mode, rec.outcome, rec.watermark?.high, rec.watermark?.low, rec.watermark?.basis, rec.watermark?.predictedBytes],
      ['all', 'success', `${store - 1000}`, `${store - 2000}`, 'images', preview.predictedBytes],
    );
    const after = await engineImageIds();
    assert.deepStrictEqual([...before].filter((id) => !after.has(id)).sort(), [...preview.deletes].sort(), 'exactly the previewed images went');
  });
});
