/**
 * What Podman's prune depends on that its Docker-compatible API does not say: each image's config history (its
 * parenthood is structural) and, on Podman 5, exact per-layer bytes. Read from Podman's own API (libpod) once per
 * image id and kept with the rest of the image's details (snapshot/detailsCache.ts), on disk between runs.
 * Observed on podman 4.3.1 and 5.4.2; see plan/podman4Planner.ts and plan/podman5Planner.ts.
 */
import { createHash } from 'crypto';
import type { ApiHistoryItem, ApiLibpodHistoryEntry } from '../engine/apiTypes';
import type { ImageRecord, PodmanFacts, PodmanImageFacts } from '../model';
import { parseEngineTime } from './engineTime';
import { EMPTY_LAYER_DIFF_ID } from './layerSizes';
import { normalizeImageId } from './records';

/** What of libpod's inspect (ApiLibpodImageInspect) the facts come from. */
export interface LibpodInspect {
  Parent?: string;
  History?: readonly ApiLibpodHistoryEntry[] | null;
  RootFS?: { Layers?: readonly string[] | null } | null;
}

/**
 * The part of an image's Podman facts that never changes for its id, as the details cache keeps it. Not the
 * parent: Podman works that out from the other images present (it is not in the image), so it comes from each
 * new image list instead.
 */
export interface PodmanDetails {
  readonly historyKey: string;
  readonly parentHistoryKey?: string;
  /** Podman 5: the exact layer bytes, or null when the history does not line up with the layers; absent on Podman 4. */
  readonly layerSizes?: readonly number[] | null;
}

/**
 * One image's Podman details from libpod's inspect and, when `history` is given (Podman 5: the compat history the
 * snapshot reader reads anyway), the bytes of each layer.
 */
export function podmanDetailsOf(info: LibpodInspect, history: readonly ApiHistoryItem[] | undefined): PodmanDetails {
  const { historyKey, parentHistoryKey } = factsOf(info);
  const keys = parentHistoryKey === undefined ? { historyKey } : { historyKey, parentHistoryKey };
  if (!history) return keys;
  const layerSizes = exactLayerSizes(
    info.RootFS?.Layers ?? [],
    history.map((h) => h.Size),
  );
  return { ...keys, layerSizes: layerSizes ?? null };
}

/** Whether cached details are all that an engine of this Podman major needs (Podman 5 also needs the layer sizes). */
export function podmanDetailsComplete(details: PodmanDetails | undefined, major: number): boolean {
  return details !== undefined && (major < 5 || details.layerSizes !== undefined);
}

/** The planners' view: each image's cached details with the parent this image list reports. */
export function podmanFactsOf(images: readonly ImageRecord[], details: (id: string) => PodmanDetails | undefined): PodmanFacts {
  const facts = new Map<string, PodmanImageFacts>();
  for (const img of images) {
    const d = details(img.id);
    if (!d) continue;
    const { layerSizes, ...keys } = d;
    facts.set(img.id, { ...keys, parentId: img.parentId, ...(layerSizes ? { layerSizes } : {}) });
  }
  return { images: facts };
}

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
