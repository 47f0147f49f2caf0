/**
 * What Podman's own prune removes (podman 4.3, containers/common libimage v0.50), as a pure function of a
 * snapshot plus two facts only Podman's API gives (see PodmanFacts). Measured against the real
 * `POST /images/prune` (test/integration/environments/podman.test.ts). How it differs from Docker:
 *
 * - Parenthood is structural, not recorded: P is a parent of X when P's layers are a prefix of X's and X's
 *   config history is P's plus exactly one entry (`areParentAndChild`). So an untagged image that shares its
 *   layers and history with a tagged one's base counts as that image's parent: it is not "dangling" and
 *   `podman image prune` keeps it, where Docker would prune it.
 * - dangling mode: repeatedly removes images with no tag, no child and no container (and matching the
 *   filters); each removal also takes its recorded parent when that is now dangling — without re-checking the
 *   filters (and failing the whole call, HTTP 500, if a container uses it).
 * - all mode (only through Podman's own `/libpod/images/prune?all=true`; the Docker-compatible endpoint cannot
 *   do it): removes EVERY image no container uses, whatever its tags and children — including the bases of
 *   in-use images (their records go; their layers stay under the containers' images).
 * - Several `label` / `label!` filters are OR-ed (any one matching is enough); Docker AND-s them.
 * - An in-use image is never untagged (Docker 20.10 strips all but one tag of an in-use image on `prune -a`).
 * - SpaceReclaimed is the sum of each removed image's whole size (all its layers plus config and manifest,
 *   `/images/json` Size) taken just before it goes — not the bytes that leave the disk.
 *
 * The plan's `bytes` are the engine's accounting under `engineParity` (so the preview of a native prune shows
 * what Podman will report), otherwise the bytes that really leave the disk (layers nobody else holds).
 */
import { matchesLabelFilters } from '../filters';
import type { ImageRecord, LabelFilter, Plan, PlannedImage, PodmanFacts, PrunePolicy, Snapshot } from '../model';
import { DiskLedger } from '../space/diskLedger';
import type { PlannerOptions } from './plannerOptions';
import { podmanSelection, takesKeptParent } from './podmanSelection';
import { childFinder } from './podmanLayerTree';

export function planPodman4Prune(snapshot: Snapshot, facts: PodmanFacts, policy: PrunePolicy, options: PlannerOptions = {}): Plan {
  const parity = options.engineParity === true;
  const all = policy.mode === 'all';
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));

  const live = new Map(byId);
  const children = childFinder(live, facts, { emptyImagesParentLayeredOnes: true });

  const { kept, passes, keepsParent } = podmanSelection(snapshot, policy, options, podmanLabelsMatch);
  // Podman 4 takes the parent it recorded, among the images still there.
  const parentOf = (img: ImageRecord) => live.get(facts.images.get(img.id)?.parentId || '');

  const removed: Array<{ img: ImageRecord; reason: PlannedImage['reason']; engineBytes: number }> = [];
  const removedIds = new Set<string>();
  const remove = (img: ImageRecord, reason: PlannedImage['reason']) => {
    // The parent is looked up before the removal (libimage removeRecursive).
    const parent = parentOf(img);
    live.delete(img.id);
    children.forget(img);
    removed.push({ img, reason, engineBytes: img.size });
    removedIds.add(img.id);
    if (!parent || parent.repoTags.length > 0 || children.has(parent)) return;
    // Podman removes the now-dangling parent without looking at filters; a container on it makes the
    // engine fail (we leave it, as our own prune would). Docker Prune's keep rules still hold.
    if (keepsParent(parent)) return;
    remove(parent, 'parent');
  };

  // Our own prune keeps an image whose removal would take along a parent that must stay (see takesKeptParent).
  const held = new Set<string>();

  for (let round = 0; round < 10_000; round++) {
    const candidates = [...live.values()].filter((img) => !held.has(img.id) && (all || (img.repoTags.length === 0 && !children.has(img))) && passes(img));
    if (candidates.length === 0) break;
    for (const img of candidates) {
      if (!live.has(img.id)) continue;
      if (!parity && takesKeptParent(img, parentOf, children, keepsParent)) {
        held.add(img.id);
        kept.keep(img, 'parent-stays');
        continue;
      }
      remove(img, img.repoTags.length > 0 ? 'unused' : 'dangling');
    }
  }
  // Images kept in an early round may have gone in a later one.
  const finalKept = kept.except(removedIds);

  const ledger = new DiskLedger(snapshot.images);
  const items: PlannedImage[] = removed.map(({ img, reason, engineBytes }) => {
    const freed = ledger.release(img.id);
    return { id: img.id, action: 'delete', tags: [...img.repoTags, ...img.repoDigests], bytes: parity ? engineBytes : freed, reason, createdNs: img.createdNs };
  });
  return { environment: snapshot.environment, policy, items, spaceReclaimable: items.reduce((s, i) => s + i.bytes, 0), kept: finalKept };
}

/** Podman puts `label` and `label!` under one filter key, and values of one key are OR-ed. */
export function podmanLabelsMatch(filters: readonly LabelFilter[], labels: Readonly<Record<string, string>> | null): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => matchesLabelFilters([f], labels ?? {}));
}
