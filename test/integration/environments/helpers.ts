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
