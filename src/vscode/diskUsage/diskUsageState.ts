/**
 * The disk-usage view's state, as a pure function of what the extension already knows about one environment: its
 * snapshot, the core planner's exact plans for a dangling and an all-unused prune, its build cache summary and the
 * prunes the audit log records for it. No `vscode` import: the words come in through DiskUsageWords (translated by
 * the host, plain English in the unit tests), so the result is serialisable and ready to draw.
 *
 * The figures:
 * - images take what the disk ledger counts (every layer once: `/system/df` LayersSize on the graphdriver);
 * - dangling: what a dangling prune frees; unused: what an all-unused prune frees beyond that; in use: the rest,
 *   which no image prune frees;
 * - build cache: `docker system df`'s size and reclaimable;
 * - repositories: the all-unused plan's items grouped by repository, each with the bytes the planner gives it (a
 *   layer shared by several images counts where it really leaves the disk), never a sum of image sizes;
 * - history: the audit log's prunes of this environment, one bar per day, bytes by trigger.
 */
import type { PruneEntry } from '../../core/audit/pruneHistory';
import type { BuildCacheSummary } from '../../core/buildCache/summary';
import type { Plan, PlannedImage, Snapshot } from '../../core/model';
import { repositoryOf } from '../../core/plan/references';
import { DiskLedger } from '../../core/space/diskLedger';
import { displayText } from '../../core/format/displayText';
import { countSources, type SourceCounts } from '../../core/source/imageSource';
import type {
  DiskUsageLabels,
  DiskUsageViewState,
  HistoryBar,
  HistoryChart,
  HistoryTrigger,
  RepositoryChart,
  RepositoryRow,
  SpaceKey,
  SpacePicture,
  SpaceSegment,
} from '../../webview/diskUsage/protocol';

/** How many repositories the bar chart shows. */
const TOP_REPOSITORIES = 10;
/** How many days (with at least one prune) the history shows. */
const HISTORY_DAYS = 30;

export interface DiskUsageInput {
  readonly environment: string;
  readonly location: string;
  readonly snapshot: Snapshot;
  /** The planner's plan for a dangling prune of this snapshot. */
  readonly dangling: Plan;
  /** The planner's plan for an all-unused prune of this snapshot. */
  readonly all: Plan;
  /** Undefined: the engine has no build cache (Podman) or it could not be read. */
  readonly buildCache?: BuildCacheSummary;
  /** This environment's prunes from the audit log (core pruneHistory, filtered with ranOn), any order. */
  readonly history: readonly PruneEntry[];
  /** Why the audit log could not be read. */
  readonly historyProblem?: string;
  /** When the snapshot was read (ms since the epoch). */
  readonly measuredAt: number;
}

/** The words of the page, in the display language. Figures come already formatted where it matters. */
export interface DiskUsageWords {
  readonly labels: DiskUsageLabels;
  bytes(n: number): string;
  percent(n: number): string;
  images(n: number): string;
  records(n: number): string;
  prunes(n: number): string;
  /** A `YYYY-MM-DD` local day as the language writes dates. */
  day(day: string): string;
  time(ms: number): string;
  heading(environment: string): string;
  measured(time: string): string;
  segment(key: SpaceKey): string;
  trigger(key: HistoryTrigger): string;
  untagged(): string;
  /** "In use 1.2 GB (40 %), unused …" */
  spaceAria(parts: string): string;
  spacePart(label: string, bytes: string, percent: string): string;
  imagesTotal(bytes: string, images: string): string;
  danglingFrees(bytes: string): string;
  allFrees(bytes: string): string;
  /** What getting the images of an all-unused prune back would take (`2 can be pulled again (1 GB), …`). */
  allSources(counts: SourceCounts): string;
  noBuildCache(): string;
  repositoriesAria(parts: string): string;
  repositoryPart(repository: string, bytes: string): string;
  noRepositories(): string;
  historySummary(prunes: string, bytes: string, byTrigger: string): string;
  triggerPart(trigger: string, bytes: string): string;
  historyAria(parts: string): string;
  historyPart(day: string, bytes: string, prunes: string): string;
  noHistory(): string;
  historyProblem(message: string): string;
  list(parts: readonly string[]): string;
}

export function buildDiskUsageState(input: DiskUsageInput, words: DiskUsageWords): DiskUsageViewState {
  return {
    kind: 'ready',
    environment: input.environment,
    location: input.location,
    heading: words.heading(input.environment),
    measured: words.measured(words.time(input.measuredAt)),
    labels: words.labels,
    space: spacePicture(input, words),
    repositories: repositoryChart(input.all, input.snapshot, words),
    history: historyChart(input.history, input.historyProblem, words),
  };
}

/** The bytes and counts behind the space picture (exported for the tests). */
function spaceFigures(input: Pick<DiskUsageInput, 'snapshot' | 'dangling' | 'all' | 'buildCache'>) {
  const imageBytes = new DiskLedger(input.snapshot.images, input.snapshot.containers).totalBytes();
  const danglingBytes = input.dangling.spaceReclaimable;
  const allBytes = input.all.spaceReclaimable;
  // Counted as `docker image ls` (and the tree) lists images: untagged parents go with their last child, unlisted.
  const hidden = hiddenParents(input.snapshot);
  const listed = (plan: Plan) => plan.items.filter((i) => i.action === 'delete' && !hidden.has(i.id)).length;
  const images = input.snapshot.images.length - hidden.size;
  return {
    imageBytes,
    images,
    inUse: { bytes: Math.max(0, imageBytes - allBytes), count: images - listed(input.all) },
    unused: { bytes: Math.max(0, allBytes - danglingBytes), count: listed(input.all) - listed(input.dangling) },
    dangling: { bytes: danglingBytes, count: listed(input.dangling) },
    buildCache: input.buildCache && {
      size: input.buildCache.size,
      reclaimable: input.buildCache.reclaimable,
      inUse: input.buildCache.size - input.buildCache.reclaimable,
      records: input.buildCache.count,
    },
  };
}

/** Untagged images that are another image's parent (`docker image ls -a` only). */
function hiddenParents(snapshot: Snapshot): Set<string> {
  const parents = new Set(snapshot.images.map((i) => i.parentId).filter(Boolean));
  return new Set(snapshot.images.filter((i) => i.repoTags.length === 0 && parents.has(i.id)).map((i) => i.id));
}

function spacePicture(input: DiskUsageInput, words: DiskUsageWords): SpacePicture {
  const f = spaceFigures(input);
  const parts: Array<{ key: SpaceKey; bytes: number; detail: string }> = [
    { key: 'inUse', bytes: f.inUse.bytes, detail: words.images(f.inUse.count) },
    { key: 'unused', bytes: f.unused.bytes, detail: words.images(f.unused.count) },
    { key: 'dangling', bytes: f.dangling.bytes, detail: words.images(f.dangling.count) },
  ];
  if (f.buildCache) {
    parts.push({ key: 'buildCacheInUse', bytes: f.buildCache.inUse, detail: words.records(f.buildCache.records) });
    parts.push({ key: 'buildCacheReclaimable', bytes: f.buildCache.reclaimable, detail: '' });
  }
  const totalBytes = parts.reduce((sum, p) => sum + p.bytes, 0);
  const segments: SpaceSegment[] = parts.map((p) => {
    const percent = totalBytes > 0 ? (p.bytes / totalBytes) * 100 : 0;
    return { ...p, label: words.segment(p.key), bytesText: words.bytes(p.bytes), percent, percentText: words.percent(Math.round(percent * 10) / 10) };
  });
  const notes = [
    words.imagesTotal(words.bytes(f.imageBytes), words.images(f.images)),
    words.danglingFrees(words.bytes(f.dangling.bytes)),
    words.allFrees(words.bytes(f.dangling.bytes + f.unused.bytes)),
  ];
  if (input.all.items.length) notes.push(words.allSources(countSources(input.all.items, input.snapshot.sources)));
  if (!f.buildCache) notes.push(words.noBuildCache());
  return {
    segments,
    totalBytes,
    totalText: words.bytes(totalBytes),
    ariaLabel: words.spaceAria(words.list(segments.map((s) => words.spacePart(s.label, s.bytesText, s.percentText)))),
    notes,
  };
}

/** The repository a plan step frees bytes for: its first name's, else its digest's, else none (`''`). */
export function repositoryOfStep(step: Pick<PlannedImage, 'tags'>): string {
  const named = step.tags
    .filter((t) => !t.includes('@'))
    .map(repositoryOf)
    .sort();
  if (named.length) return named[0]!;
  const digested = step.tags.map(repositoryOf).sort();
  return digested[0] ?? '';
}

/**
 * Repositories by the bytes the plan frees for them, most first (ties by name), at most TOP_REPOSITORIES. An untagged
 * parent that goes with its last child counts for that child's repository, and not as an image of its own.
 */
function topRepositories(plan: Plan, snapshot: Snapshot, limit = TOP_REPOSITORIES): Array<{ repository: string; bytes: number; images: number }> {
  const parentOf = new Map(snapshot.images.map((i) => [i.id, i.parentId]));
  const repoOfImage = new Map<string, string>();
  const byRepo = new Map<string, { bytes: number; images: number }>();
  for (const item of plan.items) {
    let repo = repositoryOfStep(item);
    const carriedAway = item.reason === 'parent' && repo === '';
    if (carriedAway) {
      // The plan puts a child before its parent: the child already has its repository.
      const child = plan.items.find((c) => parentOf.get(c.id) === item.id && repoOfImage.has(c.id));
      repo = child ? repoOfImage.get(child.id)! : '';
    }
    repoOfImage.set(item.id, repo);
    const entry = byRepo.get(repo) ?? { bytes: 0, images: 0 };
    entry.bytes += item.bytes;
    if (item.action === 'delete' && !carriedAway) entry.images++;
    byRepo.set(repo, entry);
  }
  return [...byRepo]
    .map(([repository, e]) => ({ repository, ...e }))
    .filter((r) => r.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0))
    .slice(0, limit);
}

function repositoryChart(plan: Plan, snapshot: Snapshot, words: DiskUsageWords): RepositoryChart {
  const rows: RepositoryRow[] = topRepositories(plan, snapshot).map((r) => ({
    repository: r.repository,
    label: displayText(r.repository) || words.untagged(),
    bytes: r.bytes,
    bytesText: words.bytes(r.bytes),
    images: r.images,
    imagesText: words.images(r.images),
  }));
  return {
    rows,
    ariaLabel: words.repositoriesAria(words.list(rows.map((r) => words.repositoryPart(r.label, r.bytesText)))),
    ...(rows.length ? {} : { empty: words.noRepositories() }),
  };
}

/** The local day of an ISO time, `YYYY-MM-DD`. */
export function localDay(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Bytes each day's prunes reclaimed, by trigger; oldest first, the last `days` days that had a prune. */
export function historyBuckets(
  entries: readonly PruneEntry[],
  days = HISTORY_DAYS,
): Array<{ day: string; bytes: number; prunes: number; byTrigger: Record<HistoryTrigger, number> }> {
  const byDay = new Map<string, { bytes: number; prunes: number; byTrigger: Record<HistoryTrigger, number> }>();
  for (const e of entries) {
    if (e.status === 'running') continue;
    const day = localDay(e.started);
    const bucket = byDay.get(day) ?? { bytes: 0, prunes: 0, byTrigger: { manual: 0, auto: 0, cli: 0 } };
    bucket.bytes += e.recorded.bytes;
    bucket.prunes++;
    bucket.byTrigger[e.trigger] += e.recorded.bytes;
    byDay.set(day, bucket);
  }
  return [...byDay]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(-days)
    .map(([day, b]) => ({ day, ...b }));
}

function historyChart(entries: readonly PruneEntry[], problem: string | undefined, words: DiskUsageWords): HistoryChart {
  const buckets = historyBuckets(entries);
  const bars: HistoryBar[] = buckets.map((b) => ({
    day: b.day,
    dayText: words.day(b.day),
    bytes: b.bytes,
    bytesText: words.bytes(b.bytes),
    prunes: b.prunes,
    prunesText: words.prunes(b.prunes),
    byTrigger: b.byTrigger,
  }));
  const totals: Record<HistoryTrigger, number> = { manual: 0, auto: 0, cli: 0 };
  for (const b of buckets) for (const k of Object.keys(totals) as HistoryTrigger[]) totals[k] += b.byTrigger[k];
  const totalBytes = bars.reduce((s, b) => s + b.bytes, 0);
  const prunes = bars.reduce((s, b) => s + b.prunes, 0);
  const triggers = (Object.keys(totals) as HistoryTrigger[])
    .filter((k) => k !== 'cli' || totals.cli > 0 || bars.some((b) => b.byTrigger.cli > 0))
    .map((key) => ({ key, label: words.trigger(key), bytes: totals[key], bytesText: words.bytes(totals[key]) }));
  const summary = words.historySummary(words.prunes(prunes), words.bytes(totalBytes), words.list(triggers.map((t) => words.triggerPart(t.label, t.bytesText))));
  return {
    bars,
    totalBytes,
    totalText: words.bytes(totalBytes),
    prunes,
    summary,
    triggers,
    ariaLabel: words.historyAria(words.list(bars.map((b) => words.historyPart(b.dayText, b.bytesText, b.prunesText)))),
    ...(bars.length ? {} : { empty: words.noHistory() }),
    ...(problem ? { problem: words.historyProblem(problem) } : {}),
  };
}
