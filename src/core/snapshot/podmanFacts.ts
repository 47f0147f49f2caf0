/**
 * What Podman's prune depends on that its Docker-compatible API does not say: each image's config history (its
 * parenthood is structural) and, on Podman 5, exact per-layer bytes. Read from Podman's own API (libpod).
 * Observed on podman 4.3.1 and 5.4.2; see plan/podman4Planner.ts and plan/podman5Planner.ts.
 */
import { isNotFound } from '../errors';
import { createHash } from 'crypto';
import { forEachConcurrently } from '../concurrency';
import type { DockerEngine } from '../engine/dockerEngine';
import { podmanMajor } from '../plan/podman5Planner';
import type { PodmanFacts, PodmanImageFacts } from '../model';
import { parseEngineTime } from './engineTime';
import { EMPTY_LAYER_DIFF_ID } from './layerSizes';
import { normalizeImageId } from './records';

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
  // Podman 5's model needs exact layer bytes (podman5Planner.ts): one history request more per new image.
  const withLayerSizes = podmanMajor(version) >= 5;
  const missing = imageIds.filter((id) => !cache!.has(id) || (withLayerSizes && cache!.get(id)!.layerSizes === undefined && !noLayerSizes.has(id)));
  await forEachConcurrently(missing, concurrency, async (id) => {
    try {
      const [info, history] = await Promise.all([
        engine.libpod<LibpodInspect>(`inspect image ${id.slice(7, 19)}`, 'GET', `/images/${encodeURIComponent(id)}/json`),
        withLayerSizes ? engine.imageHistory(id) : undefined,
      ]);
      const facts = factsOf(info);
      const layerSizes = history
        ? exactLayerSizes(
            info.RootFS?.Layers ?? [],
            history.map((h) => h.Size),
          )
        : undefined;
      if (withLayerSizes && !layerSizes) noLayerSizes.add(id);
      cache!.set(id, layerSizes ? { ...facts, layerSizes } : facts);
    } catch (e) {
      if (!isNotFound(e)) throw e;
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
