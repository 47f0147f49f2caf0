/** Small helpers shared by the environment tests. */
import * as assert from 'assert';
import { DockerEngine } from '../../../src/core/engine/dockerEngine';
import { resolveEndpoint, type EndpointSpec } from '../../../src/core/engine/endpoint';
import { closeEndpoint } from '../../../src/core/environments';
import { DockerPruneError } from '../../../src/core/errors';
import { previewPrune, runPrune } from '../../../src/core/execute/pruneJob';
import type { PrunePolicy } from '../../../src/core/model';
import { SnapshotReader } from '../../../src/core/snapshot/snapshotReader';
import { normalizeImageId } from '../../../src/core/snapshot/records';
import { apiJson } from '../../support/dockerd';
import type { ApiImageInspect, ApiLibpodImageInspect } from '../../../src/core/engine/apiTypes';
import { parseEngineTime } from '../../../src/core/snapshot/engineTime';

/** Runs `fn` with an engine for `spec` and closes its connections afterwards. */
export async function withEngine<T>(spec: EndpointSpec, fn: (engine: DockerEngine) => Promise<T>): Promise<T> {
  const engine = new DockerEngine(resolveEndpoint(spec));
  try {
    return await fn(engine);
  } finally {
    closeEndpoint(engine.endpoint);
  }
}

/** The DockerPruneError that `fn` fails with (resolving the endpoint included); fails the test if it succeeds. */
export async function failureOf(fn: () => Promise<unknown>): Promise<DockerPruneError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DockerPruneError) return e;
    throw new Error(`expected a DockerPruneError, got: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, { cause: e });
  }
  throw new Error('expected a failure, but it worked');
}

export function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

/**
 * Podman removes an image's untagged parent with it, whatever `noprune` says: Docker Prune's own prune must then keep
 * a child whose parent its rules keep. A chain is made by committing containers — a tagged image, an untagged
 * parent P committed from it, an untagged child C committed from P — and a container (never started) is created on
 * P, so our rules keep P. Our own dangling prune then keeps C ("parent-stays"), runs cleanly, and both are still there.
 */
export async function checkKeepsChildOfKeptParent(socketPath: string, engine: DockerEngine, policy: PrunePolicy): Promise<void> {
  const commitFrom = async (image: string): Promise<string> => {
    const ctr = await apiJson<{ Id: string }>(socketPath, 'POST', '/containers/create', { Image: image, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
    const { Id } = await apiJson<{ Id: string }>(socketPath, 'POST', `/commit?container=${ctr.Id}`, {});
    await apiJson(socketPath, 'DELETE', `/containers/${ctr.Id}`);
    return normalizeImageId(Id);
  };
  const used = new Set((await engine.listContainers()).map((c) => normalizeImageId(c.ImageID)));
  const base = (await engine.listImages()).find((i) => (i.RepoTags ?? []).length > 0 && !used.has(normalizeImageId(i.Id)));
  assert.ok(base, 'the population has a tagged image no container uses');
  const parent = await commitFrom(base.Id);
  const child = await commitFrom(parent);
  await apiJson(socketPath, 'POST', '/containers/create?name=dp-holds-parent', { Image: parent, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });

  const reader = new SnapshotReader(engine);
  const preview = await previewPrune(reader, policy);
  const kept = new Map(preview.plan.kept.map((k) => [k.id, k.reason]));
  assert.strictEqual(kept.get(child), 'parent-stays', 'the child stays: removing it would take its kept parent along');
  assert.ok(!preview.plan.items.some((step) => step.id === child || step.id === parent));
  const outcome = await runPrune({ engine, policy, trigger: 'cli', confirmed: preview, reader });
  assert.strictEqual(outcome.outcome, 'success', JSON.stringify(outcome.result.skipped));
  const left = new Set((await engine.listImages()).map((i) => normalizeImageId(i.Id)));
  assert.ok(left.has(child) && left.has(parent), 'the child and its parent are still there');
  for (const step of preview.plan.items) assert.ok(!left.has(step.id), `${step.id} removed`);
}

/**
 * The snapshot reader asks Podman for its own inspect instead of the compatible one (snapshotReader.ts): on every
 * image of the engine, the fields it reads must be the compatible inspect's, and the compatible inspect must have no
 * tag time to give. Returns how many images were compared.
 */
export async function checkPodmanInspectsAgree(socketPath: string): Promise<number> {
  const list = await apiJson<Array<{ Id: string }>>(socketPath, 'GET', '/images/json?all=1');
  // (Every image here has a creation time in its config; without one, Podman's own says null and the reader takes the list's.)
  const read = (i: ApiImageInspect | ApiLibpodImageInspect) => ({
    created: String(i.Created ? parseEngineTime(i.Created) : null),
    parent: normalizeImageId(i.Parent ?? ''),
    comment: i.Comment ?? '',
    labels: i.Config?.Labels ?? null,
    config: i.Config === null || i.Config === undefined,
    layers: i.RootFS?.Layers ?? [],
    size: i.Size,
  });
  for (const { Id } of list) {
    const compat = await apiJson<ApiImageInspect>(socketPath, 'GET', `/images/${Id}/json`);
    const own = await apiJson<ApiLibpodImageInspect>(socketPath, 'GET', `/v4.0.0/libpod/images/${Id}/json`);
    assert.deepStrictEqual(read(own), read(compat), Id);
    const tagged = compat.Metadata?.LastTagTime;
    assert.ok(!tagged || (parseEngineTime(tagged) ?? 0n) <= 0n, `${Id}: a tag time ${tagged}`);
  }
  return list.length;
}

/** Counts the per-image requests `engine` makes (inspects of either kind, histories), from now on. */
export function countPerImageRequests(engine: DockerEngine): { readonly compatInspects: number; readonly total: number } {
  const counts = { compatInspects: 0, total: 0 };
  const inspect = engine.inspectImage.bind(engine);
  const own = engine.inspectImageLibpod.bind(engine);
  const history = engine.imageHistory.bind(engine);
  const libpod = engine.libpod.bind(engine);
  engine.inspectImage = (id) => (counts.compatInspects++, counts.total++, inspect(id));
  engine.inspectImageLibpod = (id) => (counts.total++, own(id));
  engine.imageHistory = (id) => (counts.total++, history(id));
  engine.libpod = ((label: string, method: string, apiPath: string, ...rest: never[]) => {
    if (apiPath.startsWith('/images/')) counts.total++;
    return libpod(label, method as never, apiPath, ...rest);
  }) as typeof engine.libpod;
  return counts;
}
