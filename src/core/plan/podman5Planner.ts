/**
 * What Podman 5's own prune removes (podman 5.4.2 with containers/common libimage v0.62, Debian 13), as a pure
 * function of a snapshot plus Podman's facts (PodmanFacts). Measured against the real Podman 5.4.2
 * (test/integration/environments/podman5.test.ts). Read from podman v5.4.2 `pkg/api/handlers/compat/images_prune.go`,
 * `pkg/api/handlers/libpod/images.go` PruneImages, `pkg/domain/infra/abi/images.go` Prune and common v0.62.2
 * `libimage/runtime.go` RemoveImages, `image.go` removeRecursive, `filters.go`, `layer_tree.go`, `disk_usage.go`.
 *
 * What stays as in 4.3 (podman4Planner.ts):
 * - parenthood is structural (podmanLayerTree.ts); "dangling" = no tag and no child;
 * - a prune repeats its selection until nothing more goes; removing an image also removes its parent when that
 *   parent is now dangling, without looking at filters;
 * - `all` through libpod (`/libpod/images/prune?all=true`) removes every image no container uses, whatever its
 *   tags and children (records of in-use images' bases go; their layers stay);
 * - `until` compares the image's created time (the config's, for a loaded archive); `Deleted` ids are bare hex;
 *   SpaceReclaimed adds up each removed image's whole Size (`/images/json` Size) taken just before it goes.
 *
 * What changed in 5.x:
 * - Every filter must hold (AND), also several values of one key: `label=a` and `label=b` both, and each
 *   `label!=x` on its own excludes the images matching x. (4.x OR-ed the values of one key; Docker excludes on
 *   `label!` only when ALL `label!` filters match at once.) A label filter `key` or `key=` matches any value.
 * - The compatible endpoint accepts `dangling=false` (4.3 answered 500) but then selects images that are NOT
 *   dangling (tagged, or untagged with children) and no container uses: images that were dangling from the
 *   start stay, untagged parents go only with their last child. That is what `docker image prune -a` does
 *   against Podman 5 (option `allVia: 'compat'`). Docker Prune's native all-mode uses libpod's `all=true`,
 *   which removes dangling images too (the default, `allVia: 'libpod'`).
 *
 * Bytes. `engineParity`: Podman's SpaceReclaimed (whole image sizes, shared layers counted again for every
 * image; 40-300× the disk it really frees on generated populations). Otherwise: what `/system/df` LayersSize
 * loses, which is exactly the disk Podman frees: each layer's bytes when its last image goes, plus each removed
 * image's own metadata (config, manifest: its Size minus its layers' bytes), which LayersSize also counts.
 */
import type { ImageRecord, LabelFilter, Plan, PlannedImage, PodmanFacts, PrunePolicy, Snapshot } from '../model';
import { DiskLedger } from '../space/diskLedger';
import type { PlannerOptions } from './plannerOptions';
import { podmanSelection, takesKeptParent } from './podmanSelection';
import { childFinder } from './podmanLayerTree';

export interface Podman5PlanOptions extends PlannerOptions {
  /**
   * Which of Podman's prunes `all` mode predicts under engineParity: `libpod` (default; Docker Prune's native
   * prune, `/libpod/images/prune?all=true`) or `compat` (`POST /images/prune` with `dangling=false`, as the
   * Docker CLI's `prune -a` sends it; keeps images that were dangling from the start).
   */
  readonly allVia?: 'libpod' | 'compat';
}

/** Major version of a Podman version string (`5.4.2` → 5); 0 when unknown. */
export function podmanMajor(version: string | undefined): number {
  const m = /^v?(\d+)\./.exec(version ?? '');
  return m ? Number(m[1]) : 0;
}

export function planPodman5Prune(snapshot: Snapshot, facts: PodmanFacts, policy: PrunePolicy, options: Podman5PlanOptions = {}): Plan {
  const parity = options.engineParity === true;
  const all = policy.mode === 'all';
  const compatAll = all && parity && options.allVia === 'compat';
  // In store order (the order of `/images/json`): Podman picks the first parent it finds (see childFinder).
  const live = new Map(snapshot.images.map((i) => [i.id, i]));

  const children = childFinder(live, facts, { emptyImagesParentLayeredOnes: false });
  const isDangling = (img: ImageRecord) => img.repoTags.length === 0 && !children.has(img);

  const { kept, passes, keepsParent } = podmanSelection(snapshot, policy, options, podman5LabelsMatch);

  const removed: Array<{ img: ImageRecord; reason: PlannedImage['reason'] }> = [];
  const removedIds = new Set<string>();
  const remove = (img: ImageRecord, reason: PlannedImage['reason']) => {
    // The parent is looked up before the removal (libimage removeRecursive), among the images still there: when
    // the parent Podman reported at snapshot time is gone, another image with the same layers and history is.
    const parent = children.parentOf(img);
    live.delete(img.id);
    children.forget(img);
    removed.push({ img, reason });
    removedIds.add(img.id);
    if (!parent || !isDangling(parent)) return;
    // Podman removes the now-dangling parent without looking at filters; a container on it makes the engine's
    // call fail (we leave it, as our own prune would). Docker Prune's keep rules still hold.
    if (keepsParent(parent)) return;
    remove(parent, 'parent');
  };

  // Our own prune keeps an image whose removal would take along a parent that must stay (see takesKeptParent).
  const held = new Set<string>();

  const selects = (img: ImageRecord): boolean => (compatAll ? !isDangling(img) : all || isDangling(img));
  for (let round = 0; round < 10_000; round++) {
    // One RemoveImages call: the selection is made on the store as it is, then removed in order.
    const candidates = [...live.values()].filter((img) => !held.has(img.id) && selects(img) && passes(img));
    if (candidates.length === 0) break;
    for (const img of candidates) {
      if (!live.has(img.id)) continue;
      if (!parity && takesKeptParent(img, children.parentOf, children, keepsParent)) {
        held.add(img.id);
        kept.keep(img, 'parent-stays');
        continue;
      }
      remove(img, img.repoTags.length > 0 ? 'unused' : 'dangling');
    }
  }
  const finalKept = kept.except(removedIds);

  const bytesOf = parity ? (img: ImageRecord) => img.size : diskBytes(snapshot, facts);
  const items: PlannedImage[] = removed.map(({ img, reason }) => ({
    id: img.id,
    action: 'delete',
    tags: [...img.repoTags, ...img.repoDigests],
    bytes: bytesOf(img),
    reason,
    createdNs: img.createdNs,
  }));
  return { environment: snapshot.environment, policy, items, spaceReclaimable: items.reduce((s, i) => s + i.bytes, 0), kept: finalKept };
}

/**
 * Podman 5's label filters (common v0.62 filters.go + pkg/filters MatchLabelFilters): every filter must hold;
 * `label=k[=v]` holds when some label has key k and (no v, or an empty v, or value v); `label!=…` is its
 * negation, each on its own. An image without a config has no labels.
 */
export function podman5LabelsMatch(filters: readonly LabelFilter[], labels: Readonly<Record<string, string>> | null): boolean {
  return filters.every((f) => podman5LabelMatches(f, labels ?? {}) !== f.negate);
}

function podman5LabelMatches(f: LabelFilter, labels: Readonly<Record<string, string>>): boolean {
  const keyMatches = hasGlob(f.key) ? globMatcher(f.key) : (k: string) => k === f.key;
  return Object.entries(labels).some(([k, v]) => (f.value === undefined || f.value === '' || v === f.value) && keyMatches(k));
}

function hasGlob(s: string): boolean {
  return /[*?[\\]/.test(s);
}

/** Go's path.Match-like glob (`*`, `?`, `[…]`) over the whole key, as MatchLabelFilters' matchPattern. */
function globMatcher(pattern: string): (s: string) => boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return () => false;
      re +=
        '[' +
        pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\') +
        ']';
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else re += escapeRe(c);
  }
  const rx = new RegExp(`^${re}$`, 's');
  return (s) => rx.test(s);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Bytes /system/df LayersSize loses when `imageIds` go from the snapshot (in any order); see diskBytes. */
export function podman5DiskBytes(snapshot: Snapshot, facts: PodmanFacts, imageIds: Iterable<string>): number {
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));
  const bytesOf = diskBytes(snapshot, facts);
  let total = 0;
  for (const id of imageIds) {
    const img = byId.get(id);
    if (img) total += bytesOf(img);
  }
  return total;
}

/**
 * Bytes /system/df LayersSize loses when an image goes (common disk_usage.go: every layer once, plus each image's
 * Size minus its layers): its own metadata now, each layer when its last image goes. Uses the exact layer bytes
 * Podman 5's history gives (PodmanImageFacts.layerSizes); an image without them counts its snapshot layers (whose
 * top one then carries the metadata).
 */
function diskBytes(snapshot: Snapshot, facts: PodmanFacts): (img: ImageRecord) => number {
  const exact = new Map<string, number>();
  for (const img of snapshot.images) {
    const sizes = facts.images.get(img.id)?.layerSizes;
    if (sizes && sizes.length === img.layers.length) img.layers.forEach((l, i) => exact.set(l.chainId, sizes[i]!));
  }
  const records = snapshot.images.map((img) => ({ ...img, layers: img.layers.map((l) => ({ chainId: l.chainId, size: exact.get(l.chainId) ?? l.size })) }));
  const ledger = new DiskLedger(records);
  const own = new Map(records.map((r) => [r.id, Math.max(0, r.size - r.layers.reduce((s, l) => s + l.size, 0))]));
  return (img) => ledger.release(img.id) + (own.get(img.id) ?? 0);
}
