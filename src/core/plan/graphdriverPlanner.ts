import { matchesLabelFilters, resolveUntil } from '../filters';
import type { ImageRecord, KeptImage, Plan, PlannedImage, PrunePolicy, Snapshot } from '../model';
import { DiskLedger } from '../space/diskLedger';
import { GraphdriverDeleteRules } from './graphdriverDeleteRules';
import { keepRules } from './keepRules';
import type { PlannerOptions } from './plannerOptions';
import { sortRefs } from './references';

/**
 * Decides which images a prune removes, as a pure function of a snapshot and a policy.
 *
 * The candidates are chosen as `POST /images/prune` chooses them (moby daemon/images/image_prune.go): in
 * `dangling` mode the images without children, in `all` mode every image; minus untagged images that have
 * children (intermediates, which only go with their last child), minus images created after `until`, minus
 * images whose labels fail the `label`/`label!` filters. Each candidate is then removed through a model of
 * the engine's delete rules (see GraphdriverDeleteRules), so parent chains, containers and shared references behave as
 * the engine makes them behave.
 *
 * On top of that, and unlike the engine, Docker Prune's own keep rules (keepRules.ts): in-use images keep all their
 * tags (the engine would delete none of those, only strip their tags), and recently used, protected, newest-N and
 * left-out images stay.
 */
export function planGraphdriverPrune(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions = {}): Plan {
  const model = new GraphdriverDeleteRules(snapshot.images, snapshot.containers);
  const danglingOnly = policy.mode === 'dangling';
  const until = policy.filters.until ? resolveUntil(policy.filters.until, snapshot.daemonNowNs) : undefined;
  const rules = keepRules(snapshot, policy, options);

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
    else {
      const reason = rules.reasonToKeep(img);
      if (reason) keep(reason);
      else candidates.push(img);
    }
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

function orderSteps(snapshot: Snapshot, model: GraphdriverDeleteRules, topIds: ReadonlySet<string>): PlannedImage[] {
  const ledger = new DiskLedger(snapshot.images);
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

function sortedById(images: readonly ImageRecord[]): ImageRecord[] {
  return [...images].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
