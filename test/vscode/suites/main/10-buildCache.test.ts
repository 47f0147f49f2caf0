/**
 * The build cache in the extension: a real BuildKit cache (docker-buildx on the suite's engine), shown beside the
 * images in the tree, pruned by "Prune Build Cache" through the modal (replaced here), removing exactly what it
 * confirmed and leaving a build-cache audit record; and the status bar figure that adds it when the setting says so.
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
import { apiJson } from '../../../support/dockerd';
import { buildImage } from '../../../support/buildx';
import { api, freshDefaultSession, label, readAuditRecords, resetSettings, setSetting, socket, treeChildren, treeItem, waitFor } from '../lib/host';

type Done = Extract<BuildCacheFlowResult, { status: 'done' }>;

describe('Build cache', () => {
  let session: EnvironmentSession;
  let work: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-vsbc-'));
    ({ session } = await freshDefaultSession());
    const target = { dockerHost: `unix://${socket()}`, dataDir: work };
    await buildImage(target, 'one', [{ file: 'one.bin', bytes: 300_000, seed: 'one' }, { file: 'two.bin', bytes: 200_000, seed: 'two' }]);
    await buildImage(target, 'two', [{ file: 'three.bin', bytes: 100_000, seed: 'three' }]);
    await session.refresh('test');
    await waitFor('the build cache read', () => {
      const s = session.state;
      return s.kind === 'ready' && !s.reclaimPending && (s.buildCache?.records.length ?? 0) >= 4;
    });
  });
  after(async () => {
    (await api()).setBuildCacheConfirmation(undefined);
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

  it('Prune Build Cache: asks with the plan, removes exactly it, reports and audits it as a build-cache prune', async () => {
    const asked: BuildCacheConfirmRequest[] = [];
    (await api()).setBuildCacheConfirmation(async (req) => (asked.push(req), true));
    const file = (await api()).auditFile();
    const answer = (await vscode.commands.executeCommand('dockerPrune.pruneBuildCache', { all: true })) as BuildCacheFlowResult;
    assert.strictEqual(answer?.status, 'done', answer?.status === 'failed' ? answer.message : answer?.status);
    const result = answer as Done;
    assert.strictEqual(asked.length, 1);
    const planned = asked[0]!.plan.items.map((i) => i.id).sort();
    assert.deepStrictEqual([...result.outcome.result.CachesDeleted].sort(), planned);
    assert.strictEqual(result.outcome.result.SpaceReclaimed, asked[0]!.plan.bytes);
    const left = (await apiJson<{ BuildCache: unknown[] | null }>(socket(), 'GET', '/system/df')).BuildCache ?? [];
    assert.deepStrictEqual(left, [], 'no build cache left');
    const end = readAuditRecords(file).reverse().find((r) => r.phase === 'end');
    assert.strictEqual(end?.target, 'build-cache');
    assert.strictEqual(end.trigger, 'manual');
    assert.strictEqual(end.result?.deleted, planned.length);
    await waitFor('the tree without a build cache node', async () => {
      const [env] = await treeChildren();
      return !(await treeChildren(env)).some((n) => n.kind === 'buildCache');
    });
  });
});
