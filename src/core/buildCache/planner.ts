/**
 * Which build-cache records `POST /build/prune` removes, modelled on BuildKit's cache manager as Docker vendors it
 * (moby v26.1.5 and v28.5.2, vendor/github.com/moby/buildkit/cache/manager.go `prune`/`pruneOnce`):
 * - a record in use stays; so does a record while any record built on it stays (it is freed when they go, and
 *   the engine loops until nothing more goes);
 * - without `all`, `internal` and `frontend` records and records shared with an image stay;
 * - `until`: a record last used after the cut-off stays; one never used goes;
 * - a space limit turns it into a collector: one record at a time, ranked by last use and use count, until the
 *   cache (records not shared with an image) is below what the limit keeps.
 */
import { resolveBuildCacheUntil } from './policy';
import type { BuildCacheKeepReason, BuildCachePlan, BuildCachePolicy, BuildCacheRecord, BuildCacheSnapshot, PlannedRecord } from './model';
import { versionAtLeast } from '../engine/engineProfile';

/**
 * `leaveOut`: records the user took out of the plan. They stay, and so do the records they are built on; the plan
 * removes the rest (a plan is carried out record by record, buildCachePruneJob.ts, so leaving one out is possible).
 */
export function planBuildCachePrune(snapshot: BuildCacheSnapshot, policy: BuildCachePolicy, leaveOut: ReadonlySet<string> = new Set()): BuildCachePlan {
  const cutoffNs = policy.until ? resolveBuildCacheUntil(policy.until, snapshot.daemonNowNs) : undefined;
  const children = new Map<string, Set<string>>();
  for (const r of snapshot.records) for (const p of r.parents) (children.get(p) ?? children.set(p, new Set()).get(p)!).add(r.id);

  const why = new Map<string, BuildCacheKeepReason>();
  for (const r of snapshot.records) {
    const reason = ruleKeeps(r, policy, cutoffNs) ?? (leaveOut.has(r.id) ? 'left-out' : undefined);
    if (reason) why.set(r.id, reason);
  }
  const removed = new Set<string>();
  const free = (r: BuildCacheRecord) => !removed.has(r.id) && !why.has(r.id) && [...(children.get(r.id) ?? [])].every((c) => removed.has(c));
  const order: BuildCacheRecord[] = [];
  const keepBytes = keptBytes(snapshot, policy.space);
  let uncertain: string | undefined;

  if (keepBytes === 0) {
    for (let round = snapshot.records.filter(free); round.length > 0; round = snapshot.records.filter(free)) {
      for (const r of round) removed.add(r.id);
      order.push(...round);
    }
  } else {
    let total = snapshot.records.reduce((sum, r) => sum + (r.shared ? 0 : r.size), 0);
    const oldRanking = !versionAtLeast(snapshot.profile, '28.0.0');
    while (total >= keepBytes) {
      const candidates = snapshot.records.filter(free);
      if (candidates.length === 0) break;
      const ranked = rankForCollection(candidates, oldRanking);
      const next = ranked[0]!;
      if (ranked.length > 1 && ranked[1]!.score === next.score) {
        uncertain ??= `records ${ranked
          .filter((x) => x.score === next.score)
          .map((x) => x.record.id.slice(0, 12))
          .join(', ')} rank equally: the engine may take either first`;
      }
      removed.add(next.record.id);
      order.push(next.record);
      total -= next.record.size;
    }
  }

  const items: PlannedRecord[] = order.map((r) => ({
    id: r.id,
    type: r.type,
    description: r.description,
    size: r.size,
    shared: r.shared,
    lastUsedNs: r.lastUsedNs,
  }));
  const kept = snapshot.records
    .filter((r) => !removed.has(r.id))
    .map((r) => ({
      id: r.id,
      reason: why.get(r.id) ?? (keepBytes > 0 && [...(children.get(r.id) ?? [])].every((c) => removed.has(c)) ? 'space-limit' : 'has-children'),
    }));
  return {
    environment: snapshot.environment,
    policy,
    items,
    bytes: items.reduce((s, i) => s + i.size, 0),
    diskBytes: items.reduce((s, i) => s + (i.shared ? 0 : i.size), 0),
    kept,
    ...(snapshot.profile.store === 'containerd' ? { diskBytesEstimated: true, diskBytesRange: containerdDiskRange(items) } : {}),
    ...(uncertain ? { uncertain } : {}),
  };
}

/** On the containerd store: a `regular` record may share its blob with an image or another record; the others have none. */
function containerdDiskRange(items: readonly PlannedRecord[]): { min: number; max: number } {
  const bytes = items.reduce((s, i) => s + i.size, 0);
  return { min: items.reduce((s, i) => s + (i.type !== 'regular' && !i.shared ? i.size : 0), 0), max: bytes };
}

/** Why the prune's rules keep this record whatever happens to the others; undefined when they let it go. */
function ruleKeeps(r: BuildCacheRecord, policy: BuildCachePolicy, cutoffNs: bigint | undefined): BuildCacheKeepReason | undefined {
  if (r.inUse) return 'in-use';
  if (policy.mode !== 'all') {
    if (r.type === 'internal' || r.type === 'frontend') return 'internal';
    if (r.shared) return 'shared';
  }
  if (cutoffNs !== undefined && r.lastUsedNs !== undefined && r.lastUsedNs > cutoffNs) return 'recent';
  return undefined;
}

/**
 * The bytes a space limit keeps (BuildKit `calculateKeepBytes`); 0 = no limit, prune everything the rules allow.
 * Before API 1.48 only `keep-storage` exists, which BuildKit then used as this figure directly.
 */
export function keptBytes(snapshot: Pick<BuildCacheSnapshot, 'records' | 'diskFreeBytes'>, space: BuildCachePolicy['space']): number {
  const reserved = space.reservedSpace ?? 0;
  const maxUsed = space.maxUsedSpace ?? 0;
  const minFree = space.minFreeSpace ?? 0;
  if (maxUsed === 0 && reserved === 0 && minFree === 0) return 0;
  const total = snapshot.records.reduce((sum, r) => sum + (r.shared ? 0 : r.size), 0);
  let keep = maxUsed;
  if (minFree !== 0) {
    const excess = minFree - (snapshot.diskFreeBytes ?? 0);
    if (excess > 0) keep = keep === 0 ? total - excess : Math.min(keep, total - excess);
    else if (keep === 0) keep = total;
  }
  return Math.max(keep, reserved);
}

interface Ranked {
  readonly record: BuildCacheRecord;
  readonly score: number;
}

/**
 * BuildKit's `sortDeleteRecords`: a record's rank in last use plus its rank in use count, each over its maximum;
 * lowest first. Docker 28's BuildKit counts ranks from 1, earlier ones from 0.
 */
export function rankForCollection(records: readonly BuildCacheRecord[], fromZero = false): Ranked[] {
  const byLastUse = [...records].sort((a, b) =>
    a.lastUsedNs === undefined ? -1 : b.lastUsedNs === undefined ? 1 : a.lastUsedNs < b.lastUsedNs ? -1 : a.lastUsedNs > b.lastUsedNs ? 1 : 0,
  );
  const lastUseIndex = new Map<string, number>();
  let maxLast = fromZero ? 0 : 1;
  let latest: bigint | undefined;
  for (const r of byLastUse) {
    if (r.lastUsedNs !== undefined && (latest === undefined || r.lastUsedNs > latest)) {
      latest = r.lastUsedNs;
      maxLast++;
    }
    lastUseIndex.set(r.id, maxLast);
  }
  const byCount = [...records].sort((a, b) => a.usageCount - b.usageCount);
  const countIndex = new Map<string, number>();
  let maxCount = fromZero ? 0 : 1;
  let count = 0;
  for (const r of byCount) {
    if (r.usageCount !== count) {
      count = r.usageCount;
      maxCount++;
    }
    countIndex.set(r.id, maxCount);
  }
  return records
    .map((record) => ({ record, score: lastUseIndex.get(record.id)! / maxLast + countIndex.get(record.id)! / maxCount }))
    .sort((a, b) => a.score - b.score);
}
