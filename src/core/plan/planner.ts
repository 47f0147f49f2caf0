import { matchesLabelFilters, resolveUntil } from '../filters';
import type { ImageRecord, KeptImage, Plan, PlannedImage, PrunePolicy, Snapshot } from '../model';
import { LayerLedger } from '../space/layerLedger';
import { EngineModel } from './engineModel';
import { keptByKeepLatest } from './keepLatest';
import { planPodman5Prune, usesPodman5Rules } from './podman5Model';
import { planPodmanPrune } from './podmanModel';
import { compileProtectPatterns } from './protectPatterns';
import { sortRefs } from './references';

export interface PlannerOptions {
  /**
   * Reproduce the engine's own prune exactly, including what Docker Prune deliberately does not do: on
   * `all`, the engine strips every tag but one from an image a container uses, and untags a tagged parent
   * whose descendants are in use. Used to preview a native prune and to compare with the engine.
   */
  readonly engineParity?: boolean;
}

/**
 * Decides which images a prune removes, as a pure function of a snapshot and a policy.
 *
 * The candidates are chosen as `POST /images/prune` chooses them (moby daemon/images/image_prune.go): in
 * `dangling` mode the images without children, in `all` mode every image; minus untagged images that have
 * children (intermediates, which only go with their last child), minus images created after `until`, minus
 * images whose labels fail the `label`/`label!` filters. Each candidate is then removed through a model of
 * the engine's delete rules (see EngineModel), so parent chains, containers and shared references behave as
 * the engine makes them behave.
 *
 * On top of that, and unlike the engine: protected images and the newest N per repository are never
 * candidates; and (unless engineParity) neither is an image that a container uses or that is an ancestor of
 * one, so in-use images keep all their tags. None of these changes which images the engine would delete,
 * only which tags it would strip.
 */
export function planPrune(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions = {}): Plan {
  // Podman decides differently (structural parents, all-mode, label logic): see podmanModel.ts, podman5Model.ts.
  if (snapshot.podman) {
    return usesPodman5Rules(snapshot.podman) ? planPodman5Prune(snapshot, snapshot.podman, policy, options) : planPodmanPrune(snapshot, snapshot.podman, policy, options);
  }
  const model = new EngineModel(snapshot.images, snapshot.containers);
  const danglingOnly = policy.mode === 'dangling';
  const until = policy.filters.until ? resolveUntil(policy.filters.until, snapshot.daemonNowNs) : undefined;
  const isProtectedRef = compileProtectPatterns(policy.protect);
  const keepLatest = keptByKeepLatest(snapshot.images, policy.keepLatest ?? 0);
  const inUse = options.engineParity ? new Set<string>() : inUseWithAncestors(snapshot);

  const kept: KeptImage[] = [];
  const candidates: ImageRecord[] = [];
  for (const img of sortedById(snapshot.images)) {
    const refs = model.refsOf(img.id);
    const hasChildren = model.childCount(img.id) > 0;
    if (danglingOnly && hasChildren) continue;
    if (refs.length === 0 && hasChildren) continue;
    if (danglingOnly && img.repoTags.length > 0) continue; // the engine visits it but keeps a tagged image
    const keep = (reason: KeptImage['reason']) => kept.push({ id: img.id, tags: img.repoTags, reason });
    if (until !== undefined && img.createdNs > until) keep('filtered');
    else if (!matchesLabelFilters(policy.filters.labels, img.labels)) keep('filtered');
    else if (inUse.has(img.id)) keep('in-use');
    else if (img.repoTags.some(isProtectedRef)) keep('protected');
    else if (keepLatest.has(img.id)) keep('keep-latest');
    else candidates.push(img);
  }

  const topIds = new Set<string>();
  for (const img of candidates) {
    topIds.add(img.id);
    const refs = [...model.refsOf(img.id)];
    if (refs.length > 0) {
      for (const ref of refs) model.deleteByRef(img.id, ref);
    } else {
      model.deleteById(img.id);
    }
  }

  const items = orderSteps(snapshot, model, topIds);
  const spaceReclaimable = items.reduce((s, i) => s + i.bytes, 0);
  return { environment: snapshot.environment, policy, items, spaceReclaimable, kept };
}

function orderSteps(snapshot: Snapshot, model: EngineModel, topIds: ReadonlySet<string>): PlannedImage[] {
  const ledger = new LayerLedger(snapshot.images);
  const steps: PlannedImage[] = [];
  for (const id of model.touchOrder) {
    if (model.isDeleted(id)) continue;
    const img = model.images.get(id)!;
    steps.push({ id, action: 'untag', tags: model.untagged.get(id) ?? [], bytes: 0, reason: 'unused', createdNs: img.createdNs });
  }
  for (const id of model.deleted) {
    const img = model.images.get(id)!;
    const tags = model.untagged.get(id) ?? sortRefs([...img.repoTags, ...img.repoDigests]);
    const reason = !topIds.has(id) ? 'parent' : img.repoTags.length > 0 ? 'unused' : 'dangling';
    steps.push({ id, action: 'delete', tags, bytes: ledger.release(id), reason, createdNs: img.createdNs });
  }
  return steps;
}

/** Images a container uses, and every ancestor of those (their layers are the container's filesystem). */
function inUseWithAncestors(snapshot: Snapshot): Set<string> {
  const parentOf = new Map(snapshot.images.map((i) => [i.id, i.parentId]));
  const out = new Set<string>();
  for (const c of snapshot.containers) {
    let id: string | undefined = c.imageId;
    while (id && !out.has(id)) {
      out.add(id);
      id = parentOf.get(id);
    }
  }
  return out;
}

function sortedById(images: readonly ImageRecord[]): ImageRecord[] {
  return [...images].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
