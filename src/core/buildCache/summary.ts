import type { BuildCacheRecord } from './model';

export interface BuildCacheTypeSummary {
  readonly type: string;
  readonly count: number;
  readonly size: number;
  readonly reclaimable: number;
  readonly lastUsedNs?: bigint;
}

/** What the tree, the status bar and `builder plan` show of a build cache (the figures `docker system df` gives). */
export interface BuildCacheSummary {
  readonly count: number;
  /** Bytes the cache holds beyond the images' layers: records not shared with an image (`docker system df` SIZE). */
  readonly size: number;
  /** Of those, bytes no build holds (`docker system df` RECLAIMABLE; `docker builder prune --all` frees them). */
  readonly reclaimable: number;
  /** Bytes of records whose data is also an image's layer (listed by the engine, freed only with the image). */
  readonly shared: number;
  readonly lastUsedNs?: bigint;
  /** By record type, largest first. */
  readonly byType: readonly BuildCacheTypeSummary[];
}

export function summarizeBuildCache(records: readonly BuildCacheRecord[]): BuildCacheSummary {
  const types = new Map<string, { count: number; size: number; reclaimable: number; lastUsedNs?: bigint }>();
  let size = 0;
  let reclaimable = 0;
  let shared = 0;
  let lastUsedNs: bigint | undefined;
  for (const r of records) {
    const t = types.get(r.type) ?? types.set(r.type, { count: 0, size: 0, reclaimable: 0 }).get(r.type)!;
    t.count++;
    if (r.shared) shared += r.size;
    else {
      size += r.size;
      t.size += r.size;
      if (!r.inUse) {
        reclaimable += r.size;
        t.reclaimable += r.size;
      }
    }
    if (r.lastUsedNs !== undefined) {
      if (t.lastUsedNs === undefined || r.lastUsedNs > t.lastUsedNs) t.lastUsedNs = r.lastUsedNs;
      if (lastUsedNs === undefined || r.lastUsedNs > lastUsedNs) lastUsedNs = r.lastUsedNs;
    }
  }
  const byType = [...types.entries()].map(([type, t]) => ({ type, ...t })).sort((a, b) => b.size - a.size || a.type.localeCompare(b.type));
  return { count: records.length, size, reclaimable, shared, lastUsedNs, byType };
}
