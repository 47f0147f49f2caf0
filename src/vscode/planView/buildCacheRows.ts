/**
 * Turns a build-cache preview (snapshot + plan) into the plan view's state: a row per record the prune removes —
 * short id, type, the step that made it, last use, shared, bytes — biggest first, the records the user left out
 * after them, and the others that stay counted by reason. Pure: no `vscode` import; the words come translated from
 * the caller (buildCacheWords.ts), so unit tests pass their own. The engine's text goes through displayText and the
 * page shows it as text only.
 */
import type { BuildCacheKeepReason, BuildCacheRecordType, PlannedRecord } from '../../core/buildCache/model';
import type { BuildCachePreview } from '../../core/execute/buildCachePruneJob';
import { displayText } from '../../core/format/displayText';
import type { BuildCachePlanState, BuildCacheRow } from '../../webview/planView/protocol';

/** Everything the build-cache plan view says, translated and formatted by the caller. */
export interface BuildCachePlanWords {
  bytes(n: number): string;
  /** `3 days ago`, from nanoseconds. */
  ago(thenNs: bigint, nowNs: bigint): string;
  /** Last use of a record never used. */
  readonly never: string;
  readonly shared: string;
  title(environment: string, all: boolean): string;
  /** Environment, engine, mode, filters, the cache as a whole. */
  header(input: BuildCachePlanInput): BuildCachePlanState['header'];
  /** `12 records, 48 MB back`. */
  totals(records: number, bytes: number): string;
  /** What the engine will report, and what the disk gets back (the rest is shared with images). */
  diskExact(reported: number, disk: number): string;
  /** The containerd store: the disk gets back between `min` and `max` (layer records may share their blobs). */
  diskRange(reported: number, min: number, max: number): string;
  /** The engine may remove other records than these (with a space limit). */
  uncertain(why: string): string;
  removeButton(records: number, bytes: number): string;
  readonly nothingToRemove: string;
  readOnly(environment: string): string;
  readonly replan: string;
  keepReason(reason: BuildCacheKeepReason): string;
  keptTitle(n: number): string;
  include(record: string): string;
  copyId(shortId: string): string;
  readonly columns: BuildCachePlanState['columns'];
  readonly busy: { readonly planning: string; readonly removing: string };
}

export interface BuildCachePlanInput {
  readonly key: string;
  readonly environmentName: string;
  readonly location: string;
  readonly preview: BuildCachePreview;
  readonly busy?: 'planning' | 'removing';
  readonly readOnly: boolean;
}

/** Kept records by reason, the user's own choice first. */
const KEEP_ORDER: readonly BuildCacheKeepReason[] = ['left-out', 'in-use', 'internal', 'shared', 'recent', 'space-limit', 'has-children'];

/** The length of a short record id (BuildKit's are 25 characters; docker buildx du shows 12 of them too). */
const SHORT_ID = 12;

interface RowFacts {
  readonly id: string;
  readonly type: BuildCacheRecordType;
  readonly description: string;
  readonly size: number;
  readonly shared: boolean;
  readonly lastUsedNs?: bigint;
}

export function buildBuildCachePlanState(input: BuildCachePlanInput, w: BuildCachePlanWords): BuildCachePlanState {
  const { plan, snapshot } = input.preview;
  const now = snapshot.daemonNowNs;
  const row = (r: RowFacts, checked: boolean): BuildCacheRow => {
    const shortId = r.id.slice(0, SHORT_ID);
    const description = displayText(r.description);
    return {
      id: r.id,
      shortId,
      type: displayText(r.type),
      description,
      lastUsed: r.lastUsedNs === undefined ? w.never : w.ago(r.lastUsedNs, now),
      shared: r.shared ? w.shared : '',
      bytes: checked ? w.bytes(r.size) : '',
      checked,
      checkboxLabel: w.include(description ? `${shortId} ${description}` : shortId),
      copyLabel: w.copyId(shortId),
    };
  };
  const planned = [...plan.items].sort(bySize).map((r: PlannedRecord) => row(r, true));
  const byId = new Map(snapshot.records.map((r) => [r.id, r]));
  const leftOut = plan.kept
    .filter((k) => k.reason === 'left-out')
    .map((k) => byId.get(k.id))
    .filter((r) => r !== undefined)
    .sort(bySize)
    .map((r) => row(r, false));

  const records = plan.items.length;
  const busy = input.busy ? w.busy[input.busy] : undefined;
  const why = input.readOnly ? w.readOnly(input.environmentName) : records === 0 ? w.nothingToRemove : undefined;
  const lessOnDisk = plan.diskBytesEstimated === true || plan.diskBytes !== plan.bytes;
  const notes = [...(records && lessOnDisk ? [diskNote(plan, w)] : []), ...(plan.uncertain ? [w.uncertain(displayText(plan.uncertain))] : [])];
  return {
    kind: 'build-cache',
    key: input.key,
    title: w.title(input.environmentName, plan.policy.mode === 'all'),
    header: w.header(input),
    totals: w.totals(records, plan.bytes),
    notes,
    columns: w.columns,
    rows: [...planned, ...leftOut],
    empty: planned.length + leftOut.length === 0 ? w.nothingToRemove : undefined,
    kept: keptGroups(plan.kept, w),
    remove: { label: records ? w.removeButton(records, plan.bytes) : w.nothingToRemove, enabled: !why && !busy, why },
    busy,
    replanLabel: w.replan,
  };
}

/** Said only where the disk gets back less than the engine reports (or may: the containerd store). */
function diskNote(plan: BuildCachePreview['plan'], w: BuildCachePlanWords): string {
  if (!plan.diskBytesEstimated) return w.diskExact(plan.bytes, plan.diskBytes);
  return w.diskRange(plan.bytes, plan.diskBytesRange?.min ?? 0, plan.diskBytesRange?.max ?? plan.bytes);
}

/** Biggest first; equal sizes by id, so the order never depends on the engine's. */
function bySize(a: { size: number; id: string }, b: { size: number; id: string }): number {
  return b.size - a.size || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function keptGroups(kept: BuildCachePreview['plan']['kept'], w: BuildCachePlanWords): BuildCachePlanState['kept'] {
  const counts = new Map<BuildCacheKeepReason, number>();
  for (const k of kept) counts.set(k.reason, (counts.get(k.reason) ?? 0) + 1);
  const groups = [...counts.entries()]
    .sort(([a], [b]) => KEEP_ORDER.indexOf(a) - KEEP_ORDER.indexOf(b))
    .map(([reason, count]) => ({ reason, text: w.keepReason(reason), count }));
  return { title: w.keptTitle(kept.length), groups };
}
