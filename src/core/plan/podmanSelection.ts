/**
 * Which images a Podman prune may take: Podman's own filters (no container, `until`, `label` — label semantics
 * differ between 4 and 5, so the caller passes its matcher), then Docker Prune's own keep rules (keepRules.ts).
 * Every image that fails one is kept, with its reason, for the preview.
 */
import { resolveUntil } from '../filters';
import type { ImageRecord, LabelFilter, PrunePolicy, Snapshot } from '../model';
import { keepRules, type KeepRules } from './keepRules';
import { KeptImages } from './keptImages';
import type { PlannerOptions } from './plannerOptions';

export type PodmanLabelsMatch = (filters: readonly LabelFilter[], labels: Readonly<Record<string, string>> | null) => boolean;

export interface PodmanSelection {
  /** Images a container (any state) uses: Podman never removes them. */
  readonly used: ReadonlySet<string>;
  readonly rules: KeepRules;
  readonly kept: KeptImages;
  /** Whether `img` may go; when not, it is kept with the first reason that holds. */
  passes(img: ImageRecord): boolean;
  /**
   * Whether an untagged parent Podman would remove with its last child must stay: a container uses it (the engine's
   * call would fail), or Docker Prune's keep rules keep it.
   */
  keepsParent(parent: ImageRecord): boolean;
}

/**
 * Our own prune: Podman removes an image's untagged parent with it whatever `noprune` says (podman-rmi(1)), and
 * that parent's in turn. Whether removing `img` would so take along an image that must stay (keepsParent),
 * anywhere up that chain: then `img` stays too. `parentOf` is the store's parent look-up; `children.has(p, img)`
 * whether `p` has a child besides `img`.
 */
export function takesKeptParent(
  img: ImageRecord,
  parentOf: (img: ImageRecord) => ImageRecord | undefined,
  children: { has(parent: ImageRecord, except?: ImageRecord): boolean },
  keepsParent: (parent: ImageRecord) => boolean,
): boolean {
  const parent = parentOf(img);
  if (!parent || parent.repoTags.length > 0 || children.has(parent, img)) return false;
  return keepsParent(parent) || takesKeptParent(parent, parentOf, children, keepsParent);
}

export function podmanSelection(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions, labelsMatch: PodmanLabelsMatch): PodmanSelection {
  const until = policy.filters.until ? resolveUntil(policy.filters.until, snapshot.daemonNowNs) : undefined;
  const used = new Set(snapshot.containers.map((c) => c.imageId));
  const rules = keepRules(snapshot, policy, options);
  const kept = new KeptImages();
  return {
    used,
    rules,
    kept,
    passes(img) {
      const reason = used.has(img.id)
        ? 'in-use'
        : (until !== undefined && !(img.createdNs < until)) || !labelsMatch(policy.filters.labels, img.labels)
          ? 'filtered'
          : rules.reasonToKeep(img);
      if (reason) kept.keep(img, reason);
      return reason === undefined;
    },
    keepsParent: (parent) => used.has(parent.id) || rules.reasonToKeepParent(parent) !== undefined,
  };
}
