import * as assert from 'assert';
import { shortImageId } from '../../../../src/core/format/units';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { GroupNode, ImageNode } from '../../../../src/vscode/tree/nodes';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import type { LoadedPopulation } from '../../../support/population';
import { api, label, resetSettings, setSetting, tooltipText, treeChildren, treeItem, waitFor, freshDefaultSession } from '../lib/host';
import { expectedGroups } from '../lib/population';

describe('Environments tree', () => {
  let session: EnvironmentSession;
  let loaded: LoadedPopulation;
  const expected = expectedGroups();
  const visible = expected.inUse.size + expected.unused.size + expected.dangling.size;

  before(async () => {
    ({ session, loaded } = await freshDefaultSession());
  });
  afterEach(resetSettings);

  async function envNode(): Promise<Node> {
    const roots = await treeChildren();
    const node = roots.find((n) => n.kind === 'environment' && n.session === session);
    assert.ok(node, 'the test engine is a root of the tree');
    return node;
  }

  async function groups(): Promise<GroupNode[]> {
    return (await treeChildren(await envNode())) as GroupNode[];
  }

  it('shows the test engine as a connected environment with its image count and reclaimable bytes', async () => {
    const item = await treeItem(await envNode());
    assert.strictEqual(item.contextValue, 'environment.connected');
    assert.strictEqual(label(item), session.name);
    assert.match(String(item.description), new RegExp(`^${visible} images · [\\d.]+ (B|kB|MB|GB) reclaimable$`));
    const tip = tooltipText(item);
    assert.ok(tip.includes(session.location), tip);
    assert.match(tip, /Reclaimable: .* \(dangling images\), .* \(all unused images\)/);
    assert.ok(tip.includes(`${expected.hidden.size} untagged parent images are not listed`), tip);
  });

  it('groups the images into In use / Unused / Dangling exactly as the population says', async () => {
    const gs = await groups();
    const labels = await Promise.all(gs.map(async (g) => label(await treeItem(g))));
    assert.deepStrictEqual(labels, ['In use', 'Unused', 'Dangling']);
    const want = [expected.inUse, expected.unused, expected.dangling];
    for (const [i, g] of gs.entries()) {
      const images = (await treeChildren(g)) as ImageNode[];
      assert.deepStrictEqual(new Set(images.map((n) => n.image.id)), want[i], `${labels[i]} group`);
      const item = await treeItem(g);
      assert.ok(String(item.description).startsWith(`${want[i]!.size} images`), String(item.description));
      assert.strictEqual(item.contextValue, ['group.inUse', 'group.unused', 'group.dangling'][i]);
    }
    for (const hidden of expected.hidden) {
      for (const g of gs) assert.ok(!g.images.some((img) => img.id === hidden), 'untagged parents are not listed');
    }
  });

  it('shows each image with tags, short id, size and age, and a tooltip with the full id, labels and its containers', async () => {
    const [inUse, , dangling] = await groups();
    const runApp = loaded.imageIds.get('run-app')!;
    const node = ((await treeChildren(inUse)) as ImageNode[]).find((n) => n.image.id === runApp);
    assert.ok(node, 'run-app is in use');
    const item = await treeItem(node);
    assert.strictEqual(label(item), 'dp/run:app, dp/run:app-latest');
    // once the snapshot is read, the description ends with when it was last used (see 08b-lastUsed)
    assert.match(String(item.description), new RegExp(`^${shortImageId(runApp)} · [\\d.]+ (B|kB|MB) · \\d+ \\w+( · last used .+)?$`));
    assert.strictEqual(item.contextValue, 'image.inUse.tagged');
    const tip = tooltipText(item);
    assert.ok(tip.includes(runApp), 'full id in the tooltip');
    const users = loaded.containers.filter((c) => c.imageId === runApp).map((c) => c.name);
    assert.ok(users.length > 0);
    for (const name of users) assert.ok(tip.includes(name), `container ${name} named in: ${tip}`);
    const withLabels = loaded.population.images.find((i) => expected.dangling.has(i.id) && i.labels && Object.keys(i.labels).length > 0);
    if (withLabels) {
      const dn = ((await treeChildren(dangling)) as ImageNode[]).find((n) => n.image.id === withLabels.id)!;
      const dItem = await treeItem(dn);
      assert.strictEqual(label(dItem), '<none>');
      assert.strictEqual(dItem.contextValue, 'image.dangling');
      const [k, v] = Object.entries(withLabels.labels!)[0]!;
      assert.ok(tooltipText(dItem).includes(`${k}=${v}`), tooltipText(dItem));
      assert.match(tooltipText(dItem), /Prune Dangling: removes it/);
    }
  });

  it('groups by repository when dockerPrune.groupBy is "repository"', async () => {
    await setSetting('groupBy', 'repository');
    const gs = await waitFor('repository groups', async () => {
      const list = await groups();
      return list.length > 0 && 'repository' in list[0]!.key ? list : undefined;
    });
    const byRepo = new Map(await Promise.all(gs.map(async (g) => [label(await treeItem(g)), g] as const)));
    assert.ok(byRepo.has('<none>'), 'untagged images under <none>');
    assert.deepStrictEqual(
      new Set(byRepo.get('<none>')!.images.map((i) => i.id)),
      new Set([...expected.dangling].filter((id) => !loaded.population.images.find((i) => i.id === id)!.tags.length)),
    );
    // run-tool is tagged in two repositories and appears under both.
    const runTool = loaded.imageIds.get('run-tool')!;
    assert.ok(byRepo.get('dp/tool')?.images.some((i) => i.id === runTool));
    assert.ok(byRepo.get('dp/run')?.images.some((i) => i.id === runTool));
    const repos = [...byRepo.keys()];
    assert.deepStrictEqual(repos.slice(0, -1), [...repos.slice(0, -1)].sort(), 'repositories sorted, <none> last');
    assert.ok((await api()).tree);
  });
});
