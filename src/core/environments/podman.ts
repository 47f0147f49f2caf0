/**
 * Podman behind its Docker-compatible API: the facts its prune depends on, and its native prune.
 *
 * Observed on podman 4.3.1 (Debian 12), see also src/core/plan/podmanModel.ts:
 * - `POST /images/prune` (compat) always prunes dangling images only: it adds `dangling=true` itself, so Docker's
 *   all-unused form `{"dangling":["false"]}` fails with HTTP 500 ("specifying "dangling" filter more than once
 *   with different values is not supported") and leaving `dangling` out still prunes dangling images only. All
 *   unused images can only go through Podman's own `POST /v4.0.0/libpod/images/prune?all=true`, which keeps only
 *   the FIRST value of each filter key.
 * - `label` and `label!` values are OR-ed (Docker AND-s them): a native prune with more than one label filter
 *   is refused rather than run with a meaning nobody asked for.
 * - Prune answers list `Deleted` ids without the `sha256:` prefix and no `Untagged`; SpaceReclaimed sums whole
 *   image sizes. Parent ids (`ParentId`, inspect `Parent`) come without the prefix too.
 */
import { createHash } from 'crypto';
import { forEachConcurrently } from '../concurrency';
import type { DockerEngine } from '../engine/dockerEngine';
import { DockerPruneError, InvalidInputError } from '../errors';
import { toEngineFilters } from '../filters';
import type { ImageDeleteItem, PrunePolicy, PruneResult } from '../model';
import { podmanMajor } from '../plan/podman5Model';
import type { PodmanFacts, PodmanImageFacts } from '../plan/podmanModel';
import { parseEngineTime } from '../snapshot/engineTime';
import { EMPTY_LAYER_DIFF_ID } from '../snapshot/layerSizes';

/** `abc…` (64 hex) → `sha256:abc…`; anything else unchanged. */
export function normalizeImageId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id;
}

interface LibpodHistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

interface LibpodInspect {
  Id?: string;
  Parent?: string;
  History?: LibpodHistoryEntry[] | null;
  RootFS?: { Layers?: string[] | null } | null;
}



const factsCache = new WeakMap<DockerEngine, Map<string, PodmanImageFacts>>();

/**
 * History keys and parents of `imageIds` from Podman's own inspect (one request per image not seen before on
 * this engine object; image ids never change, so the answers are kept). Images that vanished meanwhile are left out.
 */
export async function readPodmanFacts(engine: DockerEngine, imageIds: readonly string[], concurrency = 8): Promise<PodmanFacts> {
  let cache = factsCache.get(engine);
  if (!cache) factsCache.set(engine, (cache = new Map()));
  const version = (await engine.profile()).version;
  // Podman 5's model needs exact layer bytes (podman5Model.ts): one history request more per new image.
  const withLayerSizes = podmanMajor(version) >= 5;
  const missing = imageIds.filter((id) => !cache!.has(id) || (withLayerSizes && cache!.get(id)!.layerSizes === undefined && !noLayerSizes.has(id)));
  await forEachConcurrently(missing, concurrency, async (id) => {
    try {
      const [info, history] = await Promise.all([
        engine.libpod<LibpodInspect>(`inspect image ${id.slice(7, 19)}`, 'GET', `/images/${encodeURIComponent(id)}/json`),
        withLayerSizes ? engine.imageHistory(id) : undefined,
      ]);
      const facts = factsOf(info);
      const layerSizes = history ? exactLayerSizes(info.RootFS?.Layers ?? [], history.map((h) => h.Size)) : undefined;
      if (withLayerSizes && !layerSizes) noLayerSizes.add(id);
      cache!.set(id, layerSizes ? { ...facts, layerSizes } : facts);
    } catch (e) {
      if ((e as DockerPruneError).details?.status !== 404) throw e;
    }
  });
  const live = new Set(imageIds);
  for (const id of cache.keys()) if (!live.has(id)) cache.delete(id);
  const images = new Map<string, PodmanImageFacts>();
  for (const id of imageIds) {
    const f = cache.get(id);
    if (f) images.set(id, f);
  }
  return { images };
}

/** Images whose history could not be matched to their layers (asked once). */
const noLayerSizes = new Set<string>();

/**
 * Per-layer bytes from a compat history (newest entry first): the entries with a size are the layers that hold
 * bytes, one to one, in order. Undefined when they do not line up.
 */
export function exactLayerSizes(diffIds: readonly string[], historySizesNewestFirst: readonly (number | undefined)[]): number[] | undefined {
  const positive = [...historySizesNewestFirst].reverse().filter((s): s is number => typeof s === 'number' && s > 0);
  const holding = diffIds.map((d) => d !== EMPTY_LAYER_DIFF_ID);
  if (positive.length !== holding.filter(Boolean).length) return undefined;
  let next = 0;
  return holding.map((h) => (h ? positive[next++]! : 0));
}

export function factsOf(info: LibpodInspect): PodmanImageFacts {
  const entries = (info.History ?? []).map((h) => [
    h.created ? (parseEngineTime(h.created)?.toString() ?? h.created) : null,
    h.created_by ?? '',
    h.author ?? '',
    h.comment ?? '',
    h.empty_layer === true,
  ]);
  const key = (list: unknown[]) => createHash('sha256').update(JSON.stringify(list)).digest('hex');
  return {
    historyKey: key(entries),
    parentHistoryKey: entries.length > 0 ? key(entries.slice(0, -1)) : undefined,
    parentId: info.Parent ? normalizeImageId(info.Parent) : '',
  };
}

/** Libpod's prune answer: one entry per image. */
interface LibpodPruneReport {
  Id: string;
  Size?: number;
  Err?: string | null;
}

/**
 * Podman's own prune, as close to Docker's `POST /images/prune` as Podman allows: dangling mode through the
 * compatible endpoint, all mode through `/libpod/images/prune?all=true`. Refuses (InvalidInputError) filters
 * Podman would read differently from Docker: several label filters (Podman OR-s them).
 */
export async function podmanNativePrune(engine: DockerEngine, policy: PrunePolicy, signal?: AbortSignal): Promise<PruneResult> {
  assertPodmanNativeCompatible(policy);
  const filters = toEngineFilters(policy.mode, policy.filters);
  delete filters.dangling;
  try {
    if (policy.mode === 'dangling') {
      const res = await engine.pruneImages(filters, signal);
      const items: ImageDeleteItem[] = [];
      for (const i of res.ImagesDeleted ?? []) {
        if (i.Untagged) items.push({ Untagged: i.Untagged });
        if (i.Deleted) items.push({ Deleted: normalizeImageId(i.Deleted) });
      }
      return { ImagesDeleted: items, SpaceReclaimed: res.SpaceReclaimed, skipped: [], cancelled: false };
    }
    const reports =
      (await engine.libpod<LibpodPruneReport[] | null>('prune all unused images', 'POST', '/images/prune', { all: true, filters: JSON.stringify(filters) }, engine.timeouts.pruneMs, signal)) ??
      [];
    const errors = reports.filter((r) => r.Err).map((r) => r.Err);
    if (errors.length > 0) throw new DockerPruneError('api', `Podman at ${engine.endpoint.label} could not prune: ${errors.join('; ')}`, { endpoint: engine.endpoint.label });
    return {
      ImagesDeleted: reports.map((r) => ({ Deleted: normalizeImageId(r.Id) })),
      SpaceReclaimed: reports.reduce((s, r) => s + (r.Size ?? 0), 0),
      skipped: [],
      cancelled: false,
    };
  } catch (e) {
    if (e instanceof DockerPruneError && e.details.status === 409) {
      throw new DockerPruneError('busy', `${engine.endpoint.label} is already running a prune. Try again when it finishes.`, e.details);
    }
    throw e;
  }
}

export function assertPodmanNativeCompatible(policy: PrunePolicy): void {
  if (policy.filters.labels.length > 1) {
    throw new InvalidInputError(
      "Podman's own prune combines several label filters with OR (any one matching is enough), not AND as Docker does. Use Docker Prune's own prune (drop native mode), or give one label filter.",
    );
  }
}
