/**
 * Last use in the real extension host: a container created from an unused image and removed again shows in the
 * tree as "last used … ago" with the tooltip naming an engine event as its source; other images say where their
 * value comes from. A second environment on the same engine — a new session, reader and tracker with nothing in
 * memory, as after an extension restart — reads the same value from the per-engine file the first one wrote.
 * Auto-prune reads `dockerPrune.autoPrune.unusedFor` as the unused-for filter, and names it when it is invalid.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { GroupNode, ImageNode } from '../../../../src/vscode/tree/nodes';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import { apiJson, apiRequest } from '../../../support/dockerd';
import type { LoadedPopulation } from '../../../support/population';
import { autoPruneSettings } from '../../../../src/vscode/settings/settings';
import { SettingError } from '../../../../src/vscode/settings/settingError';
import { api, freshDefaultSession, label, resetSettings, setSetting, settled, socket, tooltipText, treeChildren, treeItem, waitFor } from '../lib/host';
import { expectedGroups } from '../lib/population';

describe('Last used, in the tree and across sessions', () => {
  let session: EnvironmentSession;
  let loaded: LoadedPopulation;
  let dir: string;
  const expected = expectedGroups();

  before(async () => {
    ({ session, loaded } = await freshDefaultSession());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lastused-'));
  });
  after(async () => {
    await resetSettings();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function imageItem(s: EnvironmentSession, id: string) {
    const env = (await treeChildren()).find((n): n is Node => n.kind === 'environment' && n.session === s);
    assert.ok(env, `${s.name} is a root of the tree`);
    const groups = (await treeChildren(env)) as GroupNode[];
    for (const g of groups) {
      const node = ((await treeChildren(g)) as ImageNode[]).find((n) => n.image.id === id);
      if (node) return treeItem(node);
    }
    assert.fail(`image ${id} in the tree of ${s.name}`);
  }

  it('shows "last used … ago" and its source; a removed container still counts', async () => {
    const id = [...expected.unused].find((i) => loaded.population.images.some((g) => loaded.imageIds.get(g.name) === i && g.tags.length > 0))!;
    const tag = loaded.population.images.find((g) => loaded.imageIds.get(g.name) === id)!.tags[0]!;
    const before = BigInt(Date.parse((await apiJson<{ SystemTime: string }>(socket(), 'GET', '/info')).SystemTime)) * 1_000_000n;
    const created = await apiJson<{ Id: string }>(socket(), 'POST', '/containers/create', { Image: tag, Cmd: ['/bin/true'], NetworkDisabled: true });
    assert.strictEqual((await apiRequest(socket(), 'DELETE', `/containers/${created.Id}`)).status, 204);
    await session.refresh('test');
    await settled(session);
    const used = await waitFor('the use recorded', () => {
      const s = session.state;
      const u = s.kind === 'ready' ? s.reclaim?.snapshot.lastUsed?.get(id) : undefined;
      return u && u.source === 'event' && u.atNs >= before ? u : undefined;
    });
    assert.strictEqual(used.lowerBound, false, 'followed without a gap since the first snapshot');

    const item = await imageItem(session, id);
    // The population was docker-loaded moments before the first snapshot: its load events say so (issue 17 §1).
    assert.match(String(item.description), / · last used (now|\d+ seconds? ago|1 minute ago) · loaded$/);
    assert.match(tooltipText(item), /Last used: .* from an engine event \(a container created, started or stopped/);
    assert.match(tooltipText(item), /Source: loaded \(docker load or import\): no registry has it, nothing brings it back \(load event\)\./);

    // An image nobody touched since the population was loaded: its value and source are named too.
    const other = [...expected.unused].find((i) => i !== id)!;
    const tip = tooltipText(await imageItem(session, other));
    assert.match(
      tip,
      /Last used: (at least as recently as )?.* from (an engine event|the engine's LastTagTime|its created time|a container's own timestamps)/,
      tip,
    );
    assert.ok(label(item).includes(tag));
  });

  it('a new session on the same engine (nothing in memory, as after a restart) reads the same value from disk', async () => {
    const first = session.state.kind === 'ready' ? session.state.reclaim?.snapshot.lastUsed : undefined;
    assert.ok(first);
    const link = path.join(dir, 'same-engine.sock');
    fs.symlinkSync(socket(), link);
    await setSetting('environments', [{ name: 'same engine', host: `unix://${link}` }]);
    const again = await waitFor('the second environment', async () => (await api()).registry.find('same engine'));
    assert.notStrictEqual(again, session);
    await again.refresh('test');
    await settled(again);
    const second = again.state.kind === 'ready' ? again.state.reclaim?.snapshot.lastUsed : undefined;
    assert.ok(second);
    const eventSourced = [...first].filter(([, u]) => u.source === 'event' && !u.lowerBound);
    assert.ok(eventSourced.length > 0);
    for (const [id, u] of eventSourced) assert.deepStrictEqual(second.get(id), u, `image ${id}`);
    const file = fs.readdirSync(path.join(process.env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state'), 'docker-prune', 'last-used'));
    assert.strictEqual(file.length, 1, 'one file for the one engine, whichever endpoint reaches it');
  });

  it('auto-prune takes unused-for from dockerPrune.autoPrune.unusedFor, and names the setting when it is invalid', async () => {
    await setSetting('autoPrune.unusedFor', '14d');
    assert.deepStrictEqual(autoPruneSettings().filters.unusedFor, { raw: '14d', durationNs: 14n * 86_400_000_000_000n });
    await setSetting('autoPrune.unusedFor', 'soon');
    assert.throws(
      () => autoPruneSettings(),
      (e: unknown) => e instanceof SettingError && e.setting === 'dockerPrune.autoPrune.unusedFor' && /unused-for value "soon"/.test(e.message),
    );
    await setSetting('autoPrune.unusedFor', undefined);
  });
});
