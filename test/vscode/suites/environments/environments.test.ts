/**
 * Several kinds of environment side by side in a real VS Code (issue 4): the default engine (DOCKER_HOST, a
 * unix socket), a dockerd with `--tlsverify` on 127.0.0.1 reached with client certificates, a Podman service
 * (when podman is installed) and a host where nothing listens. The runner (servers.ts) starts them and writes
 * them into this workspace's `dockerPrune.environments`.
 *
 * What a prune did is checked on the engines themselves, through the core's DockerEngine (over TLS for the
 * TLS dockerd), not through the extension's own listing.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { DockerEngine } from '../../../../src/core/engine/dockerEngine';
import { resolveEndpoint, type TlsFiles } from '../../../../src/core/engine/endpoint';
import { closeEndpoint } from '../../../../src/core/environments';
import { shortImageId } from '../../../../src/core/format/units';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { EnvironmentNode, GroupNode, ImageNode, MessageNode } from '../../../../src/vscode/tree/nodes';
import { generatePopulation } from '../../../support/population';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import {
  api,
  defaultSession,
  engineImageIds,
  label,
  logLength,
  logText,
  readAudit,
  settled,
  tooltipText,
  treeChildren,
  treeItem,
  waitFor,
  runCommand,
} from '../lib/host';
import { expectedGroups } from '../lib/population';
import { DEAD_ENV, HOSTILE_ENV, PODMAN_ENV, PODMAN_POPULATION, TLS_ENV, TLS_POPULATION } from './fixture';

type Done = Extract<PruneFlowResult, { status: 'done' }>;

interface Entry {
  name: string;
  host: string;
  tls?: TlsFiles;
}

/** The entries the runner wrote into this workspace's settings. */
function configured(): Map<string, Entry> {
  const list = vscode.workspace.getConfiguration('dockerPrune').get<Entry[]>('environments') ?? [];
  return new Map(list.map((e) => [e.name, e]));
}

/** The engine behind a configured entry, opened by the test itself. */
async function engineIds(entry: Entry): Promise<Set<string>> {
  const engine = new DockerEngine(resolveEndpoint({ host: entry.host, tls: entry.tls }));
  try {
    return new Set((await engine.listImages()).map((i) => i.Id));
  } finally {
    closeEndpoint(engine.endpoint);
  }
}

const difference = <T>(a: Set<T>, b: Set<T>) => new Set([...a].filter((x) => !b.has(x)));

describe('Environments of several kinds side by side', () => {
  let tlsEntry: Entry;
  let podmanEntry: Entry | undefined;
  let deadEntry: Entry;
  const tlsPop = generatePopulation(TLS_POPULATION);
  const tlsExpected = expectedGroups(tlsPop);
  const tlsVisible = tlsExpected.inUse.size + tlsExpected.unused.size + tlsExpected.dangling.size;
  let defaultEnv: EnvironmentSession;

  async function node(name: string): Promise<EnvironmentNode> {
    return waitFor(
      `"${name}" in the tree`,
      async () => (await treeChildren()).find((n) => n.kind === 'environment' && n.session.name === name) as EnvironmentNode | undefined,
    );
  }

  before(async () => {
    const entries = configured();
    const tlsConf = entries.get(TLS_ENV);
    const deadConf = entries.get(DEAD_ENV);
    assert.ok(tlsConf?.tls, `the runner configured ${TLS_ENV} with TLS settings`);
    assert.ok(deadConf, `the runner configured ${DEAD_ENV}`);
    [tlsEntry, deadEntry, podmanEntry] = [tlsConf, deadConf, entries.get(PODMAN_ENV)];
    defaultEnv = await defaultSession();
  });
  afterEach(restoreConfirmation);

  it('the tree lists the default engine, the TLS dockerd, Podman and the dead host, each with its state', async () => {
    const roots = (await treeChildren()).filter((n): n is EnvironmentNode => n.kind === 'environment');
    const names = roots.map((n) => n.session.name);
    for (const want of [defaultEnv.name, TLS_ENV, ...(podmanEntry ? [PODMAN_ENV] : []), DEAD_ENV])
      assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);

    // The tree asks for each environment's children as it shows them: every one is looked at at once, and
    // the dead one answering with its failure does not hold up the others.
    const children = new Map(await Promise.all(roots.map(async (n) => [n.session.name, await treeChildren(n)] as const)));

    // The default engine (DOCKER_HOST, unix socket).
    await settled(defaultEnv);
    const def = await treeItem(await node(defaultEnv.name));
    assert.strictEqual(def.contextValue, 'environment.connected');
    assert.match(String(def.description), /^\d+ images? · [\d.]+ (B|kB|MB|GB) reclaimable$/);

    // The TLS dockerd: connected over tcp:// with client certificates, the population's visible images counted.
    const tls = await node(TLS_ENV);
    await settled(tls.session, tlsVisible);
    assert.strictEqual(tls.session.location, tlsEntry.host);
    assert.match(tlsEntry.host, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const tlsItem = await treeItem(tls);
    assert.strictEqual(tlsItem.contextValue, 'environment.connected');
    assert.match(String(tlsItem.description), new RegExp(`^${tlsVisible} images · [\\d.]+ (B|kB|MB|GB) reclaimable$`));
    assert.ok(tooltipText(tlsItem).includes(tlsEntry.host), tooltipText(tlsItem));

    // Podman: connected, listing images of its own population (and none of the others').
    if (podmanEntry) {
      const pm = await node(PODMAN_ENV);
      await settled(pm.session);
      const pmItem = await treeItem(pm);
      assert.strictEqual(pmItem.contextValue, 'environment.connected');
      const state = pm.session.state;
      assert.ok(state.kind === 'ready');
      const count = state.listing.images.length;
      assert.ok(count > 0, 'Podman lists images');
      assert.match(String(pmItem.description), new RegExp(`^${count} images? · `));
      const pmIds = new Set(generatePopulation(PODMAN_POPULATION).images.map((i) => i.id));
      for (const img of state.listing.images) assert.ok(pmIds.has(img.id), `${img.id} is from the Podman population`);
    }

    // The dead host: unreachable, the reason in words and a Retry action.
    const dead = await node(DEAD_ENV);
    await waitFor('the dead host to fail', () => dead.session.state.kind === 'failed');
    const deadItem = await treeItem(dead);
    assert.strictEqual(deadItem.contextValue, 'environment.unreachable');
    assert.strictEqual(deadItem.description, 'unreachable');
    const deadChildren = (children.get(DEAD_ENV) ?? (await treeChildren(dead))) as MessageNode[];
    const deadSocket = deadEntry.host.replace(/^unix:\/\//, '');
    assert.ok(label(await treeItem(deadChildren[0]!)).includes(`No Docker socket at ${deadSocket}`), label(await treeItem(deadChildren[0]!)));
    assert.strictEqual(label(await treeItem(deadChildren[1]!)), 'Retry');

    // The live ones are still connected with the dead one beside them.
    for (const n of [defaultEnv.name, TLS_ENV, ...(podmanEntry ? [PODMAN_ENV] : [])]) assert.strictEqual((await node(n)).session.state.kind, 'ready', n);
  });

  it('a hostile engine (its image list in a wrong shape) shows its error node, while the healthy ones list their images', async () => {
    const hostile = await node(HOSTILE_ENV);
    await treeChildren(hostile);
    await waitFor('the hostile engine to fail', () => hostile.session.state.kind === 'failed');
    const children = (await treeChildren(hostile)) as MessageNode[];
    const message = label(await treeItem(children[0]!));
    assert.match(
      message,
      /sent a malformed answer to "list images": \[0\]\.RepoTags should be a list, but is the string "dp\/alpha:latest"\. Nothing was done with it\./,
      message,
    );
    assert.strictEqual(label(await treeItem(children[children.length - 1]!)), 'Retry');
    const tls = await node(TLS_ENV);
    await settled(tls.session, tlsVisible);
    assert.strictEqual(tls.session.state.kind, 'ready');
    assert.strictEqual((await node(defaultEnv.name)).session.state.kind, 'ready');
  });

  it("the TLS environment's groups hold exactly its population's images", async () => {
    const tls = await node(TLS_ENV);
    await settled(tls.session, tlsVisible);
    const groups = (await treeChildren(tls)) as GroupNode[];
    const labels = await Promise.all(groups.map(async (g) => label(await treeItem(g))));
    assert.deepStrictEqual(labels, ['In use', 'Unused', 'Dangling']);
    const want = [tlsExpected.inUse, tlsExpected.unused, tlsExpected.dangling];
    for (const [i, g] of groups.entries()) {
      const images = (await treeChildren(g)) as ImageNode[];
      assert.deepStrictEqual(new Set(images.map((n) => n.image.id)), want[i], `${labels[i]} group of ${TLS_ENV}`);
    }
    assert.ok(tlsExpected.dangling.size > 0 && tlsExpected.inUse.size > 0 && tlsExpected.unused.size > 0, 'the population has every group');
  });

  it('Prune Dangling Images… on the TLS environment removes exactly what its preview listed there, leaves the default engine alone, and is audited', async () => {
    const tls = await node(TLS_ENV);
    await settled(tls.session, tlsVisible);
    const defaultBefore = await engineImageIds();
    const tlsBefore = await engineIds(tlsEntry);
    const t = await api();
    const auditFile = t.auditFile();
    const records = readAudit(auditFile).length;

    // The preview, for that environment.
    await vscode.commands.executeCommand('dockerPrune.preview', { environment: TLS_ENV, mode: 'dangling' });
    const view = t.planView.state()!;
    assert.ok(view?.key.endsWith('/dangling'), 'the plan view is open');
    const shown = { images: t.planView.preview()?.plan.items.length ?? 0 };
    assert.ok(view.title.includes(TLS_ENV), 'the plan view names the TLS environment');
    const previewIds = new Set(view.groups.flatMap((g) => g.rows.map((r) => r.id)));
    assert.deepStrictEqual(await engineIds(tlsEntry), tlsBefore, 'a preview removes nothing');

    // The prune, from the environment's tree node (as from its context menu); the confirmation through the seam.
    const calls = await answerConfirmation('prune');
    const result = (await runCommand('dockerPrune.pruneDangling', tls)) as Done;
    assert.strictEqual(result?.status, 'done', (result as { message?: string })?.message);
    assert.strictEqual(calls.length, 1, 'asked once');
    const asked = calls[0]!;
    assert.strictEqual(asked.environment, TLS_ENV);
    assert.strictEqual(asked.mode, 'dangling');
    const planned = new Set(asked.plan.items.map((i) => i.id));
    assert.strictEqual(planned.size, shown.images, 'the plan asked about is the one previewed');
    for (const id of planned) assert.ok(previewIds.has(id), `${shortImageId(id)} was in the preview`);
    for (const id of tlsExpected.dangling) assert.ok(planned.has(id), `dangling ${shortImageId(id)} planned`);
    for (const id of [...tlsExpected.inUse, ...tlsExpected.unused]) assert.ok(!planned.has(id), `${shortImageId(id)} not planned`);

    // On the engines themselves.
    const tlsAfter = await engineIds(tlsEntry);
    assert.deepStrictEqual(difference(tlsBefore, tlsAfter), planned, 'removed exactly the previewed plan on the TLS dockerd');
    assert.deepStrictEqual(await engineImageIds(), defaultBefore, 'the default engine is untouched');
    assert.strictEqual(result.outcome.summary.removed, planned.size);
    assert.ok(result.outcome.message.endsWith(`on ${TLS_ENV}.`), result.outcome.message);

    // The audit record names the TLS environment (its endpoint).
    const audit = readAudit(auditFile);
    assert.strictEqual(audit.length, records + 1);
    const rec = audit[audit.length - 1]!;
    assert.strictEqual(rec.environment, tlsEntry.host);
    assert.strictEqual(rec.trigger, 'manual');
    assert.strictEqual(rec.mode, 'dangling');
    assert.strictEqual(rec.outcome, 'success');
    assert.deepStrictEqual(rec.plan, { images: planned.size, bytes: asked.plan.spaceReclaimable });
    assert.strictEqual(rec.result?.deleted, planned.size);

    // The tree follows: no dangling images left under the TLS environment.
    await waitFor(`${TLS_ENV}'s Dangling group to empty`, async () => {
      const groups = (await treeChildren(tls)) as GroupNode[];
      const dangling = groups.find((g) => 'usage' in g.key && g.key.usage === 'dangling');
      return dangling !== undefined && dangling.images.length === 0;
    });
  });

  it('Podman: a prune from its tree node removes exactly its plan there', async function () {
    if (!podmanEntry) this.skip();
    const pm = await node(PODMAN_ENV);
    await settled(pm.session);
    const defaultBefore = await engineImageIds();
    const tlsBefore = await engineIds(tlsEntry);
    const before = await engineIds(podmanEntry!);
    const calls = await answerConfirmation('prune');
    const result = (await runCommand('dockerPrune.pruneDangling', pm)) as Done;
    assert.strictEqual(result?.status, 'done', (result as { message?: string })?.message);
    assert.strictEqual(calls.length, 1);
    assert.strictEqual(calls[0]!.environment, PODMAN_ENV);
    const planned = new Set(calls[0]!.plan.items.map((i) => i.id));
    assert.ok(planned.size > 0, 'the Podman population has dangling images');
    assert.deepStrictEqual(difference(before, await engineIds(podmanEntry!)), planned, 'removed exactly the plan on Podman');
    assert.deepStrictEqual(await engineImageIds(), defaultBefore, 'the default engine is untouched');
    assert.deepStrictEqual(await engineIds(tlsEntry), tlsBefore, 'the TLS dockerd is untouched');
  });

  it('the dead host fails alone: its prune says why and asks nothing, while the others refresh and one previews', async () => {
    const calls = await answerConfirmation('prune');
    const logFrom = await logLength();
    const live = [defaultEnv.name, TLS_ENV, ...(podmanEntry ? [PODMAN_ENV] : [])];
    const sessions = await Promise.all([...live, DEAD_ENV].map(async (n) => (await node(n)).session));
    // At the same time: the prune on the dead host, a refresh of every environment, a preview on the TLS one.
    // (One preview only: two previews racing would replace each other's editor, as they would for a user.)
    const [failed] = await Promise.all([
      runCommand('dockerPrune.pruneDangling', { environment: DEAD_ENV }) as Promise<PruneFlowResult>,
      runCommand('dockerPrune.preview', { environment: TLS_ENV, mode: 'all' }),
      ...sessions.map((s) => s.refresh('test')),
    ]);
    const planView = (await api()).planView;
    const preview = planView.state()?.title.includes(TLS_ENV) ? { images: planView.preview()?.plan.items.length ?? 0 } : undefined;
    assert.strictEqual(failed.status, 'failed');
    assert.ok(failed.status === 'failed' && failed.message.includes(`No Docker socket at ${deadEntry.host.replace(/^unix:\/\//, '')}`), JSON.stringify(failed));
    assert.strictEqual(calls.length, 0, 'nothing was asked for the dead host');
    assert.ok(preview && preview.images > 0, `${TLS_ENV} previewed; log: ${(await logText()).slice(logFrom)}`);
    for (const [i, n] of live.entries()) assert.strictEqual(sessions[i]!.state.kind, 'ready', `${n} still connected`);
    assert.strictEqual(sessions[sessions.length - 1]!.state.kind, 'failed');
  });
});
