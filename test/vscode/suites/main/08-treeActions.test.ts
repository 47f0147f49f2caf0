/**
 * What the tree's actions and the remaining settings do: Protect This Repository (at the level where the
 * user keeps their patterns), Group by Repository / Usage, Copy Image ID, an auto-prune threshold given as
 * a percentage of the Docker root disk, and a protected environment (the user must type its name).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { GroupNode, ImageNode } from '../../../../src/vscode/tree/nodes';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import { apiJson, systemDf } from '../../../support/dockerd';
import type { LoadedPopulation } from '../../../support/population';
import { answerConfirmation, answerEnvironmentName, restoreConfirmation } from '../lib/confirm';
import {
  api,
  engineImageIds,
  label,
  logLength,
  readAudit,
  resetSettings,
  setSetting,
  socket,
  treeChildren,
  treeItem,
  waitFor,
  waitForLog,
  freshDefaultSession,
  runCommand,
} from '../lib/host';
import { expectedGroups } from '../lib/population';

type Done = Extract<PruneFlowResult, { status: 'done' }>;

describe('Tree actions, grouping, percentage threshold, protected environment', () => {
  let session: EnvironmentSession;
  let loaded: LoadedPopulation;
  const expected = expectedGroups();
  const nameOf = (id: string) => loaded.imageNames.get(id) ?? id;

  beforeEach(async () => {
    ({ session, loaded } = await freshDefaultSession());
  });
  afterEach(async () => {
    await restoreConfirmation();
    await resetSettings();
    await waitFor('auto-prune off', async () => (await api()).scheduler.state === 'off');
  });

  async function envNode(): Promise<Node> {
    const node = (await treeChildren()).find((n) => n.kind === 'environment' && n.session === session);
    assert.ok(node, 'the test engine is a root of the tree');
    return node;
  }

  async function groups(): Promise<GroupNode[]> {
    return (await treeChildren(await envNode())) as GroupNode[];
  }

  async function unusedImage(repo: string): Promise<ImageNode> {
    const unused = (await groups()).find((g) => 'usage' in g.key && g.key.usage === 'unused');
    assert.ok(unused, 'an Unused group');
    const node = ((await treeChildren(unused)) as ImageNode[]).find((n) => n.image.tags.length > 0 && n.image.tags.every((t) => t.startsWith(`${repo}:`)));
    assert.ok(node, `an unused ${repo} image`);
    return node;
  }

  function protectInspect() {
    return vscode.workspace.getConfiguration('dockerPrune').inspect<string[]>('protect');
  }

  function autoRecords() {
    return api().then((t) => readAudit(t.auditFile()).filter((r) => r.trigger === 'auto'));
  }

  it('Protect This Repository adds to the workspace patterns when the workspace has some, and Prune All keeps that repository', async () => {
    await setSetting('protect', ['dp/not-here']);
    const node = await unusedImage('dp/alpha');
    await vscode.commands.executeCommand('dockerPrune.protectRepository', node);
    const i = protectInspect();
    assert.deepStrictEqual(i?.workspaceValue, ['dp/not-here', 'dp/alpha'], 'appended to the workspace patterns');
    assert.strictEqual(i?.globalValue, undefined, 'user settings untouched');
    await waitFor(
      'the listing marks dp/alpha protected',
      () => session.state.kind === 'ready' && session.state.listing.images.some((img) => img.tags[0]?.startsWith('dp/alpha:') && img.protected),
    );

    const calls = await answerConfirmation('prune');
    const before = await engineImageIds();
    const result = (await runCommand('dockerPrune.pruneAll')) as Done;
    assert.strictEqual(result?.status, 'done');
    const alpha = loaded.population.images.filter((img) => img.tags.some((t) => t.startsWith('dp/alpha:')));
    assert.ok(alpha.length > 0);
    const planned = new Set(calls[0]!.plan.items.map((item) => item.id));
    const after = await engineImageIds();
    for (const img of alpha) {
      assert.ok(!planned.has(img.id), `${img.name} (dp/alpha) not planned`);
      assert.ok(after.has(img.id), `${img.name} (dp/alpha) kept`);
    }
    const removedUnused = [...expected.unused].filter((id) => before.has(id) && !after.has(id));
    assert.ok(removedUnused.length > 0, 'other unused images were removed: the prune did run');
  });

  it('Protect This Repository goes to the user settings when the workspace has no patterns, without duplicates', async () => {
    const node = await unusedImage('dp/alpha');
    await vscode.commands.executeCommand('dockerPrune.protectRepository', node);
    await vscode.commands.executeCommand('dockerPrune.protectRepository', node);
    const i = protectInspect();
    assert.deepStrictEqual(i?.globalValue, ['dp/alpha']);
    assert.strictEqual(i?.workspaceValue, undefined);
  });

  it('Group by Repository / Group by Usage switch the children of an environment', async () => {
    await vscode.commands.executeCommand('dockerPrune.groupByRepository');
    const byRepo = await waitFor('repository groups', async () => {
      const list = await groups();
      return list.length > 0 && list.every((g) => 'repository' in g.key) ? list : undefined;
    });
    const repoLabels = await Promise.all(byRepo.map(async (g) => label(await treeItem(g))));
    assert.ok(repoLabels.includes('dp/alpha') && repoLabels.includes('<none>'), repoLabels.join(', '));
    assert.ok(!repoLabels.includes('In use'));

    await vscode.commands.executeCommand('dockerPrune.groupByUsage');
    const byUsage = await waitFor('usage groups', async () => {
      const list = await groups();
      return list.length > 0 && list.every((g) => 'usage' in g.key) ? list : undefined;
    });
    assert.deepStrictEqual(await Promise.all(byUsage.map(async (g) => label(await treeItem(g)))), ['In use', 'Unused', 'Dangling']);
  });

  it('Copy Image ID puts the full id on the clipboard', async function () {
    const node = await unusedImage('dp/alpha');
    await vscode.env.clipboard.writeText('dp-test-sentinel');
    if ((await vscode.env.clipboard.readText()) !== 'dp-test-sentinel') {
      // The headless browser behind code-server gives no clipboard: nothing to read back.
      this.skip();
    }
    await vscode.commands.executeCommand('dockerPrune.copyImageId', node);
    assert.strictEqual(await vscode.env.clipboard.readText(), node.image.id);
    assert.match(node.image.id, /^sha256:[0-9a-f]{64}$/);
  });

  async function percentBelowImages(): Promise<string> {
    const root = (await apiJson<{ DockerRootDir: string }>(socket(), 'GET', '/info')).DockerRootDir;
    const st = fs.statfsSync(root);
    const disk = Number(st.blocks) * Number(st.bsize);
    const layers = (await systemDf<{ LayersSize: number }>(socket())).LayersSize;
    assert.ok(layers > 0 && disk > 0, `images take ${layers} bytes of a ${disk}-byte disk`);
    // A quarter of what the images take, as a share of the disk.
    const pct = ((layers / 4 / disk) * 100).toFixed(15).replace(/0+$/, '');
    assert.ok(Number(pct) > 0 && (Number(pct) / 100) * disk < layers, pct);
    return `${pct}%`;
  }

  it('a percentage threshold below what the images take of the Docker root disk prunes, audited as "auto"', async () => {
    const threshold = await percentBelowImages();
    const before = (await autoRecords()).length;
    const logFrom = await logLength();
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.mode', 'dangling');
    await setSetting('autoPrune.threshold', threshold);
    await setSetting('autoPrune.enabled', true);
    const records = await waitFor(
      'an auto-prune audit record',
      async () => {
        const r = await autoRecords();
        return r.length > before ? r : undefined;
      },
      45_000,
    );
    const rec = records[before]!;
    assert.strictEqual(rec.mode, 'dangling');
    assert.strictEqual(rec.outcome, 'success');
    assert.strictEqual(rec.result?.deleted, expected.dangling.size);
    await waitForLog(
      new RegExp(`Auto-prune on .*: images take [\\d.]+ \\w+, threshold ${threshold.replace(/\./g, '\\.')} of [\\d.]+ \\w+ \\([\\d.]+ \\w+\\), pruning\\.`),
      logFrom,
    );
    const after = await engineImageIds();
    for (const id of expected.dangling) assert.ok(!after.has(id), `dangling ${nameOf(id)} removed`);
  });

  it('a percentage threshold of 100% of the Docker root disk skips the run: no "auto" record, nothing removed', async () => {
    const before = await engineImageIds();
    const records = (await autoRecords()).length;
    const logFrom = await logLength();
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.mode', 'dangling');
    await setSetting('autoPrune.threshold', '100%');
    await setSetting('autoPrune.enabled', true);
    const log = await waitForLog(/Auto-prune on .* skipped: images take [\d.]+ \w+, threshold 100% of [\d.]+ \w+/, logFrom, 45_000);
    assert.ok(!log.includes('Prune started on'), 'no prune started');
    assert.strictEqual((await autoRecords()).length, records, 'no auto record');
    assert.deepStrictEqual(await engineImageIds(), before);
  });

  it('a protected environment asks for its name: a wrong name removes nothing, the right one prunes', async () => {
    await setSetting('environments', [{ name: 'prod-box', host: session.location, protected: true }]);
    const prod = await waitFor('the protected environment', async () => (await api()).registry.find('prod-box'));
    assert.strictEqual(prod.descriptor.protected, true);
    const file = (await api()).auditFile();
    const audits = readAudit(file).length;
    const before = await engineImageIds();

    const confirms = await answerConfirmation('prune');
    const wrong = await answerEnvironmentName('prod');
    const declined = (await runCommand('dockerPrune.pruneDangling', { environment: 'prod-box' })) as PruneFlowResult;
    assert.strictEqual(declined?.status, 'declined');
    assert.strictEqual(confirms.length, 1);
    assert.strictEqual(confirms[0]!.typeNameToConfirm, true);
    assert.strictEqual(wrong.length, 1, 'asked for the name after the confirmation');
    assert.deepStrictEqual(await engineImageIds(), before, 'a wrong name removes nothing');
    assert.strictEqual(readAudit(file).length, audits, 'and writes no audit record');

    const right = await answerEnvironmentName('prod-box');
    const done = (await runCommand('dockerPrune.pruneDangling', { environment: 'prod-box' })) as Done;
    assert.strictEqual(done?.status, 'done');
    assert.strictEqual(right.length, 1);
    const after = await engineImageIds();
    for (const id of expected.dangling) assert.ok(!after.has(id), `dangling ${nameOf(id)} removed`);
    for (const id of [...expected.inUse, ...expected.unused]) assert.ok(after.has(id), `${nameOf(id)} kept`);
  });

  it('an environment that is not protected never asks for its name', async () => {
    await answerConfirmation('prune');
    const asked = await answerEnvironmentName(undefined);
    const result = (await runCommand('dockerPrune.pruneDangling')) as PruneFlowResult;
    assert.strictEqual(result?.status, 'done');
    assert.strictEqual(asked.length, 0);
  });
});
