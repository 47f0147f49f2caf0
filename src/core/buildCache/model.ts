import type { EngineProfile } from '../engine/engineProfile';
import type { PruneMode, UntilFilter } from '../model';

/**
 * The BuildKit build cache of one engine, as `/system/df` `BuildCache` lists it. Nothing here talks to an engine
 * or to VS Code.
 */

/** BuildKit's record types (`client.UsageRecordType…`); the engine may add others. */
export type BuildCacheRecordType = 'regular' | 'internal' | 'frontend' | 'source.local' | 'source.git.checkout' | 'exec.cachemount' | string;

export interface BuildCacheRecord {
  /** BuildKit's record id (25 characters of `[a-z0-9]`). */
  readonly id: string;
  readonly type: BuildCacheRecordType;
  /** e.g. `[2/3] COPY app /app`, `local source for context`. */
  readonly description: string;
  /** Held by a running build, or by a record that is (a record whose only users are other records is not in use). */
  readonly inUse: boolean;
  /** Its data is also an image's layer: removing the record gives no disk space back while the image stays. */
  readonly shared: boolean;
  /** Bytes, as BuildKit last measured them (a reused mutable source keeps its earlier size). */
  readonly size: number;
  /** The records this one is built on (a layer's parent, a merge's inputs). */
  readonly parents: readonly string[];
  readonly createdNs?: bigint;
  /** Undefined when never used (BuildKit prunes such records whatever `until` says). */
  readonly lastUsedNs?: bigint;
  readonly usageCount: number;
}

export interface BuildCacheSnapshot {
  readonly environment: string;
  readonly profile: EngineProfile;
  /** Daemon clock when read, ns since the epoch; durations in `until` count back from it. */
  readonly daemonNowNs: bigint;
  readonly records: readonly BuildCacheRecord[];
  /**
   * Free bytes on the file system holding the build cache, when this process can see it (a local engine):
   * only `min-free-space` needs it.
   */
  readonly diskFreeBytes?: number;
}

/**
 * Space limits of a build-cache prune (bytes; 0 or undefined = no limit). `reservedSpace` is what API versions
 * before 1.48 call `keep-storage`; the other two exist from API 1.48 (Docker 28).
 */
export interface BuildCacheSpaceLimits {
  /** Never take the cache below this. */
  readonly reservedSpace?: number;
  /** Prune until the cache is under this. */
  readonly maxUsedSpace?: number;
  /** Prune until the disk has this much free. */
  readonly minFreeSpace?: number;
}

export interface BuildCachePolicy {
  /** `all`: every record nobody uses (`docker builder prune --all`); `dangling`: internal, frontend and records shared with images stay. */
  readonly mode: PruneMode;
  /** Records last used after this stay (`until` / `unused-for`: the same filter on the engine). */
  readonly until?: UntilFilter;
  readonly space: BuildCacheSpaceLimits;
}

/** `left-out`: the user took it out of the plan (the plan view); the prune's own rules would remove it. */
export type BuildCacheKeepReason = 'in-use' | 'internal' | 'shared' | 'recent' | 'has-children' | 'space-limit' | 'left-out';

export interface PlannedRecord {
  readonly id: string;
  readonly type: BuildCacheRecordType;
  readonly description: string;
  /** Bytes the engine reports for this record when it goes. */
  readonly size: number;
  /** The disk keeps these bytes while an image holds the same layer. */
  readonly shared: boolean;
  readonly lastUsedNs?: bigint;
}

export interface BuildCachePlan {
  readonly environment: string;
  readonly policy: BuildCachePolicy;
  /** Execution order: a record always comes before its parents. */
  readonly items: readonly PlannedRecord[];
  /** What the engine will report as `SpaceReclaimed` (every record's size). */
  readonly bytes: number;
  /** What the disk gets back: the records not shared with an image. */
  readonly diskBytes: number;
  /**
   * The containerd store: `diskBytes` is not what the disk gets back. A record's size there is its snapshot plus
   * its layer blob; one shared with an image keeps a snapshot of its own (freed with it) but shares the blob, and
   * the API does not tell the two apart.
   */
  readonly diskBytesEstimated?: boolean;
  /**
   * Where `diskBytesEstimated`: what the disk gets back lies in this range (measured against real engines by
   * test/integration/buildCache.test.ts). At least the records that have no layer blob (every type but `regular`:
   * build contexts, cache mounts, …), whose size is all snapshot; at most what the engine reports.
   */
  readonly diskBytesRange?: { readonly min: number; readonly max: number };
  readonly kept: ReadonlyArray<{ readonly id: string; readonly reason: BuildCacheKeepReason }>;
  /**
   * Set when the engine's own choice may differ: with a space limit BuildKit removes one record at a time in an
   * order it ranks, and records that rank equally are taken in no fixed order.
   */
  readonly uncertain?: string;
}

/** Shaped like the engine's `POST /build/prune` answer. */
export interface BuildCachePruneResult {
  readonly CachesDeleted: string[];
  readonly SpaceReclaimed: number;
  /** Planned records the engine did not remove (a build started using them, or they are gone already). */
  readonly notRemoved: string[];
}

export interface BuildCacheProgress {
  /** Planned records handled so far. */
  readonly done: number;
  readonly total: number;
  readonly bytes: number;
}
