/**
 * Docker Prune's own keep rules: the one rulebook every store's planner calls, in one order. The engine's own
 * choice (which images its prune visits, its filters, its parent and container rules) stays with each store's
 * model; these rules come on top of it, and are what makes Docker Prune's prune stricter than the engine's:
 * 1. `recently-used`: used more recently than the policy's `unused-for`;
 * 2. `in-use`: a container uses it or one of its descendants (skipped for engine parity: the engine's own rules
 *    about containers are the store model's);
 * 3. `protected`: a protect pattern matches one of its names (or its id);
 * 4. `keep-latest`: among the newest N of one of its repositories;
 * 5. `left-out`: the user unchecked it in the plan view;
 * 6. `filtered`: a `source=`/`source!=` filter excludes it (where it came from: snapshot.sources), or a policy
 *    chose its images (watermarks' `onlyImages`) and this is not one of them.
 * The first rule that holds is the reason the preview gives.
 */
import type { ImageRecord, KeepReason, PrunePolicy, Snapshot } from '../model';
import { keptByKeepLatest } from './keepLatest';
import { usedTooRecently } from './lastUseOrder';
import type { PlannerOptions } from './plannerOptions';
import { matchesSourceFilters } from '../filters/source';
import { compileImageProtection } from './protectPatterns';
import { classifyImages, imagesInUse } from './usage';

export interface KeepRules {
  /** Why a candidate of the engine's choosing stays, or undefined when it may go. */
  reasonToKeep(img: ImageRecord): KeepReason | undefined;
  /**
   * Why an untagged parent that the engine would remove with its last child stays (rules 1–4: a parent cannot be
   * left out or chosen on its own; it goes with its last child).
   */
  reasonToKeepParent(img: ImageRecord): KeepReason | undefined;
}

export function keepRules(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions = {}): KeepRules {
  const tooRecent = usedTooRecently(snapshot, policy);
  const inUse = options.engineParity ? new Set<string>() : imagesInUse(classifyImages(snapshot.profile.store, snapshot.images, snapshot.containers));
  const isProtected = compileImageProtection(policy.protect);
  const keepLatest = keptByKeepLatest(snapshot.images, policy.keepLatest ?? 0);
  const reasonToKeepParent = (img: ImageRecord): KeepReason | undefined => {
    if (tooRecent(img)) return 'recently-used';
    if (inUse.has(img.id)) return 'in-use';
    if (isProtected(img)) return 'protected';
    if (keepLatest.has(img.id)) return 'keep-latest';
    return undefined;
  };
  return {
    reasonToKeepParent,
    reasonToKeep(img) {
      const reason = reasonToKeepParent(img);
      if (reason) return reason;
      if (options.leaveOut?.has(img.id)) return 'left-out';
      if (!matchesSourceFilters(policy.filters.sources, snapshot.sources?.get(img.id))) return 'filtered';
      if (options.onlyImages && !options.onlyImages.has(img.id)) return 'filtered';
      return undefined;
    },
  };
}
