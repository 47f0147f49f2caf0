/**
 * The disk-usage view shows the right figures for a known population: opened through its command, its state (the
 * one posted to the page, which the page reports it drew) matches the engine's own `/system/df` and the core
 * planner's totals, its history matches the audit file's prunes of this engine, and it follows the engine when an
 * image goes.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { pruneHistory, ranOn } from '../../../../src/core/audit';
import { formatBytes } from '../../../../src/core/format/units';
import type { PruneMode, Snapshot } from '../../../../src/core/model';
import { planPrune } from '../../../../src/core/plan/planner';
import { repositoryOf } from '../../../../src/core/plan/references';
import type { DiskUsageProbe } from '../../../../src/vscode/diskUsage/diskUsagePanel';
import type { DiskUsageViewState } from '../../../../src/webview/diskUsage/protocol';
import { apiJson, systemDf } from '../../../support/dockerd';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import { api, freshDefaultSession, readAuditRecords, removeImageExternally, resetSettings, settled, socket, waitFor, runCommand } from '../lib/host';
import { expectedGroups } from '../lib/population';

type Ready = Extract<DiskUsageViewState, { kind: 'ready' }>;

interface SystemDf {
  LayersSize: number;
  BuildCache: Array<{ Size: number; InUse: boolean; Shared: boolean }> | null;
}

const plan = (snapshot: Snapshot, mode: PruneMode) => planPrune(snapshot, { mode, filters: { labels: [] }, protect: [] });
const bytesOf = (state: Ready, key: string) => state.space.segments.find((s) => s.key === key)?.bytes;

describe('Disk usage view', () => {
  after(async () => {
    await restoreConfirmation();
    await resetSettings();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the right figures for a known population', async () => {
    // One prune of this engine in the audit log first, so the history has a bar; then the population again.
    await freshDefaultSession();
    await answerConfirmation('prune');
    const pruned = (await runCommand('dockerPrune.pruneDangling')) as { status: string };
    assert.strictEqual(pruned?.status, 'done');
    await restoreConfirmation();
    const { session } = await freshDefaultSession();

    const opened = (await runCommand('dockerPrune.showDiskUsage', { environment: session.id })) as DiskUsageProbe | undefined;
    assert.strictEqual(opened?.environmentId, session.id, 'the command opened the panel of the environment asked for');

    const t = await api();
    const snapshotNow = () => {
      const s = session.state;
      return s.kind === 'ready' && s.reclaim ? s.reclaim.snapshot : undefined;
    };
    // The state drawn from the session's current snapshot, and the page's report that it drew it.
    const probe = await waitFor(
      'the disk-usage page to draw the measured state',
      () => {
        const p = t.diskUsage(session.id);
        return p?.posted?.kind === 'ready' && p.rendered?.kind === 'ready' ? p : undefined;
      },
      60_000,
    );
    const state = probe.posted as Ready;
    const snapshot = snapshotNow()!;
    assert.strictEqual(state.environment, session.name);

    // Images: in use + unused + dangling is the image store's size; the engine's /system/df says the same.
    const df = await systemDf<SystemDf>(socket());
    const images = bytesOf(state, 'inUse')! + bytesOf(state, 'unused')! + bytesOf(state, 'dangling')!;
    if (snapshot.profile.store === 'graphdriver') assert.strictEqual(images, df.LayersSize, 'image bytes vs /system/df LayersSize');
    assert.ok(images > 0);

    // The planner's totals: dangling is what a dangling prune frees, unused what an all-unused prune frees beyond it.
    const dangling = plan(snapshot, 'dangling');
    const all = plan(snapshot, 'all');
    assert.ok(dangling.spaceReclaimable > 0, 'the population has dangling bytes to show');
    assert.strictEqual(bytesOf(state, 'dangling'), dangling.spaceReclaimable);
    assert.strictEqual(bytesOf(state, 'unused'), all.spaceReclaimable - dangling.spaceReclaimable);
    const expected = expectedGroups();
    // Image counts as the tree lists them (untagged parents not counted), from the population's own description.
    const detail = (key: string) => state.space.segments.find((s) => s.key === key)?.detail;
    assert.deepStrictEqual(
      [detail('inUse'), detail('unused'), detail('dangling')],
      [`${expected.inUse.size} images`, `${expected.unused.size} images`, `${expected.dangling.size} images`],
    );

    // The build cache as `docker system df` counts it (none on this engine unless a build left some).
    const cache = (df.BuildCache ?? []).filter((r) => !r.Shared);
    const cacheSize = cache.reduce((s, r) => s + r.Size, 0);
    const cacheReclaimable = cache.filter((r) => !r.InUse).reduce((s, r) => s + r.Size, 0);
    if (state.space.segments.some((s) => s.key === 'buildCacheReclaimable')) {
      assert.strictEqual(bytesOf(state, 'buildCacheReclaimable'), cacheReclaimable);
      assert.strictEqual(bytesOf(state, 'buildCacheInUse'), cacheSize - cacheReclaimable);
    }
    assert.strictEqual(state.space.totalBytes, images + (state.space.segments.some((s) => s.key === 'buildCacheReclaimable') ? cacheSize : 0));

    // Repositories: the all-unused plan's bytes grouped by repository, largest first (computed here on its own).
    // An untagged parent that goes with its last child counts for the child's repository.
    const byRepo = new Map<string, number>();
    const repoOf = new Map<string, string>();
    const parentOf = new Map(snapshot.images.map((i) => [i.id, i.parentId]));
    for (const item of all.items) {
      const names = item.tags
        .filter((r) => !r.includes('@'))
        .map(repositoryOf)
        .sort();
      let repo = names[0] ?? item.tags.map(repositoryOf).sort()[0] ?? '';
      if (repo === '' && item.reason === 'parent') repo = repoOf.get([...repoOf.keys()].find((id) => parentOf.get(id) === item.id) ?? '') ?? '';
      repoOf.set(item.id, repo);
      byRepo.set(repo, (byRepo.get(repo) ?? 0) + item.bytes);
    }
    const top = [...byRepo]
      .filter(([, b]) => b > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10);
    assert.deepStrictEqual(
      state.repositories.rows.map((r) => [r.repository, r.bytes]),
      top,
    );
    assert.ok(state.repositories.rows.length > 1, 'several repositories would free bytes');

    // History: this engine's prunes in the audit file, and their bytes.
    const info = await apiJson<{ ID: string }>(socket(), 'GET', '/info');
    const entries = pruneHistory(readAuditRecords(t.auditFile())).filter(
      (e) => e.status !== 'running' && ranOn(e, { engineId: info.ID, label: session.location }),
    );
    assert.ok(entries.length >= 1);
    assert.strictEqual(state.history.prunes, entries.length);
    assert.strictEqual(
      state.history.totalBytes,
      entries.reduce((s, e) => s + e.recorded.bytes, 0),
    );
    assert.ok(state.history.totalBytes > 0);

    // The page drew these figures (as text, beside the drawing).
    const figures = probe.rendered!.figures;
    assert.ok(figures.includes(`dangling=${formatBytes(dangling.spaceReclaimable)}`), figures.join(' | '));
    assert.ok(figures.includes(`history=${formatBytes(state.history.totalBytes)}`), figures.join(' | '));
    assert.ok(figures.includes(`repo:${state.repositories.rows[0]!.label}=${state.repositories.rows[0]!.bytesText}`), figures.join(' | '));
  });

  it('follows the engine: an image removed elsewhere redraws the figures', async () => {
    const t = await api();
    const session = (await t.registry.defaultEnvironment())!;
    const before = t.diskUsage(session.id)?.posted as Ready;
    assert.strictEqual(before?.kind, 'ready');
    const s = session.state;
    assert.ok(s.kind === 'ready' && s.reclaim);
    const victim = plan(s.reclaim.snapshot, 'dangling').items.find((i) => i.bytes > 0 && i.action === 'delete' && i.reason === 'dangling');
    assert.ok(victim, 'a dangling image with bytes of its own');
    await removeImageExternally(victim.id);
    await settled(session);
    const after = await waitFor(
      'the redrawn dangling figure',
      () => {
        const p = t.diskUsage(session.id);
        const posted = p?.posted as Ready | undefined;
        return posted?.kind === 'ready' && bytesOf(posted, 'dangling') !== bytesOf(before, 'dangling') ? posted : undefined;
      },
      60_000,
    );
    const now = session.state;
    assert.ok(now.kind === 'ready' && now.reclaim);
    assert.strictEqual(bytesOf(after, 'dangling'), plan(now.reclaim.snapshot, 'dangling').spaceReclaimable);
    assert.ok(bytesOf(after, 'dangling')! < bytesOf(before, 'dangling')!);
  });
});
