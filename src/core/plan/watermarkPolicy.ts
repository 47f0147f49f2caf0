/**
 * The watermark prune, as kubelet's image garbage collector does it: when usage is above the high mark, remove
 * unused images, least recently used first, until the usage predicted after the prune is under the low mark.
 *
 * The prediction is the planner's own: the images the normal all-unused prune would take (protect patterns,
 * keep-latest and in-use images still hold) are ordered by last use, images used less than the minimum age ago
 * are left out, and the stopping point is the shortest prefix of that order whose plan — made by the store's
 * planner, with its exact per-step bytes — brings the usage under the low mark. The bytes a prefix frees are not
 * the sum of image sizes: a layer shared with an image that stays frees nothing, and frees everything once the
 * last image holding it goes. Taking more images never frees less, so the shortest prefix is found by bisection.
 *
 * What an image costs to get back decides first (issue 17): images a registry has go first, then those built here,
 * then those of unknown source, each least recently used first; a loaded image (nothing brings it back) goes only
 * when the marks say so (`includeLoaded`), last.
 */
import { InvalidInputError } from '../errors';
import type { ImageRecord, KeptImage, Plan, PrunePolicy, Snapshot } from '../model';
import { DiskLedger } from '../space/diskLedger';
import { planPrune } from './planner';
import { podman5DiskBytes, podmanMajor } from './podman5Planner';
import type { Mark, Watermarks } from './watermarkMarks';
import { lastUseOf, orderByLastUse } from './lastUseOrder';
import type { SourceKind } from '../model';

/** The order sources are taken in: cheapest to get back first. */
const SOURCE_RANK: Readonly<Record<SourceKind, number>> = { pulled: 0, built: 1, unknown: 2, loaded: 3 };

/** The file system holding the Docker root directory, as statfs saw it; or why it could not be read. */
export type DiskReading =
  | { readonly kind: 'disk'; readonly path: string; readonly totalBytes: number; readonly availableBytes: number }
  | { readonly kind: 'unavailable'; readonly why: string };

/** The marks in bytes, and the usage they compare with. */
export interface WatermarkLevels {
  /**
   * `disk`: percentages of the disk holding the Docker root, compared with what is used on it (size minus what
   * is available, as kubelet counts it); `images`: sizes, compared with the bytes the image store holds.
   */
  readonly basis: 'disk' | 'images';
  readonly usedBytes: number;
  readonly highBytes: number;
  readonly lowBytes: number;
  /** basis `disk`: the size of that disk. */
  readonly totalBytes?: number;
}

export interface WatermarkFigures extends WatermarkLevels {
  /** Usage is above the high mark: a run prunes. */
  readonly triggered: boolean;
  /** Usage the plan leaves: used minus the bytes the plan frees. */
  readonly predictedBytes: number;
  /** The plan brings usage under the low mark (false when even every eligible image is not enough, or not triggered). */
  readonly reachesLow: boolean;
  /** Images the normal prune would take, least recently used first (the order the marks consume). */
  readonly candidates: number;
  /** Of those, left out for being used less than the minimum age ago. */
  readonly tooYoung: number;
  /** The images chosen, in the order they were taken (least recently used first). */
  readonly chosen: readonly string[];
}

export interface WatermarkPlan {
  readonly plan: Plan;
  readonly figures: WatermarkFigures;
}

/**
 * The bytes the image store holds, counted as the planner counts what a prune frees (each layer/blob once). On
 * Podman 5 that is what `/system/df` LayersSize counts (each layer once, plus each image's metadata), as its plans
 * count it; a generic ledger there missed the metadata and ran ~1.4% under the engine's figure.
 */
export function storeBytes(snapshot: Snapshot): number {
  if (snapshot.profile.product === 'podman' && snapshot.podman && podmanMajor(snapshot.profile.version) >= 5) {
    return podman5DiskBytes(
      snapshot,
      snapshot.podman,
      snapshot.images.map((i) => i.id),
    );
  }
  return new DiskLedger(snapshot.images, snapshot.containers).totalBytes();
}

/**
 * Turns the marks into bytes. A percentage needs the disk; where it could not be read (a remote engine, a root
 * directory not on this machine, no permission) that is an error naming why, and only sizes work there.
 */
export function watermarkLevels(marks: Pick<Watermarks, 'high' | 'low'>, disk: DiskReading, imageStoreBytes: number): WatermarkLevels {
  if (marks.high.kind === 'bytes') {
    return { basis: 'images', usedBytes: imageStoreBytes, highBytes: marks.high.bytes, lowBytes: bytesOf(marks.low, 0) };
  }
  if (disk.kind !== 'disk') {
    throw new InvalidInputError(
      `A percentage watermark (${marks.high.raw}) needs the disk holding the Docker root, and ${disk.why}. Use sizes instead (such as 40GB:30GB): they are compared with the bytes the images take.`,
    );
  }
  const total = disk.totalBytes;
  return {
    basis: 'disk',
    usedBytes: total - disk.availableBytes,
    highBytes: bytesOf(marks.high, total),
    lowBytes: bytesOf(marks.low, total),
    totalBytes: total,
  };
}

function bytesOf(mark: Mark, total: number): number {
  return mark.kind === 'bytes' ? mark.bytes : Math.floor((total * mark.percent) / 100);
}

/**
 * Plans a watermark prune. `policy` is the normal policy (its mode is taken as all-unused; filters, protect
 * patterns and keep-latest apply); the result is a normal Plan, so preview, confirmation, execution and audit are
 * those of any prune.
 */
/** `leaveOut`: images the user left out (never chosen; the run takes the next least recently used instead). */
export function planWatermarkPrune(
  snapshot: Snapshot,
  policy: PrunePolicy,
  marks: Watermarks,
  disk: DiskReading,
  leaveOut?: ReadonlySet<string>,
): WatermarkPlan {
  const allUnused: PrunePolicy = { ...policy, mode: 'all' };
  const levels = watermarkLevels(marks, disk, storeBytes(snapshot));
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));

  // What the normal prune would take on its own; a parent that only goes with its last child is not a choice.
  const full = planPrune(snapshot, allUnused);
  const rank = (img: ImageRecord) => SOURCE_RANK[snapshot.sources?.get(img.id)?.kind ?? 'unknown'];
  const byLastUse = orderByLastUse(
    full.items.filter((i) => i.reason !== 'parent').map((i) => byId.get(i.id)!),
    snapshot,
  );
  const ordered = byLastUse
    .map((img, i) => ({ img, i }))
    .sort((a, b) => rank(a.img) - rank(b.img) || a.i - b.i)
    .map((x) => x.img);
  const youngerThan = snapshot.daemonNowNs - marks.minimumAgeNs;
  const young = new Set(ordered.filter((img) => lastUseOf(img, snapshot) > youngerThan).map((i) => i.id));
  const loaded = new Set(marks.includeLoaded ? [] : ordered.filter((img) => rank(img) === SOURCE_RANK.loaded).map((i) => i.id));
  const eligible: ImageRecord[] = ordered.filter((img) => !young.has(img.id) && !loaded.has(img.id) && !leaveOut?.has(img.id));

  const underLow = (plan: Plan) => levels.usedBytes - plan.spaceReclaimable < levels.lowBytes;
  const triggered = levels.usedBytes > levels.highBytes;
  // Stopped containers (policy.containers) go only with a prune the high mark set off, like the images.
  const withContainers: PrunePolicy = triggered ? allUnused : { ...allUnused, containers: undefined };
  const planFor = (count: number) => planPrune(snapshot, withContainers, { onlyImages: new Set(eligible.slice(0, count).map((i) => i.id)), leaveOut });

  let count = 0;
  let plan = planFor(0);
  // The stopped containers alone (PrunePolicy.containers) may get it under the low mark: then no image goes.
  if (triggered && !underLow(plan)) {
    const all = planFor(eligible.length);
    count = eligible.length;
    plan = all;
    if (underLow(all)) {
      // The shortest prefix that gets under the low mark. Invariant: prefix `lo` does not (prefix 0 — no image, only
      // any stopped containers — does not: checked above); prefix `count` does, and its plan is `plan`.
      let lo = 0;
      while (count - lo > 1) {
        const mid = (lo + count) >> 1;
        const candidate = planFor(mid);
        if (underLow(candidate)) [count, plan] = [mid, candidate];
        else lo = mid;
      }
    }
  }

  const chosen = eligible.slice(0, count).map((i) => i.id);
  const leftOut = new Set(eligible.slice(count).map((i) => i.id));
  const kept: KeptImage[] = plan.kept.map((k) =>
    young.has(k.id)
      ? { ...k, reason: 'minimum-age' }
      : loaded.has(k.id)
        ? { ...k, reason: 'loaded' }
        : leftOut.has(k.id)
          ? { ...k, reason: 'below-low-mark' }
          : k,
  );
  return {
    plan: { ...plan, kept },
    figures: {
      ...levels,
      triggered,
      predictedBytes: levels.usedBytes - plan.spaceReclaimable,
      reachesLow: triggered && underLow(plan),
      candidates: ordered.length,
      tooYoung: young.size,
      chosen,
    },
  };
}
