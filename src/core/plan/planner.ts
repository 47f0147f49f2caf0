import type { Plan, PrunePolicy, Snapshot } from '../model';
import { planContainerdPrune } from './containerdPlanner';
import { planGraphdriverPrune } from './graphdriverPlanner';
import { planPodman5Prune, podmanMajor } from './podman5Model';
import { planPodmanPrune } from './podmanModel';

export interface PlannerOptions {
  /**
   * Reproduce the engine's own prune exactly, including what Docker Prune deliberately does not do (the engine
   * strips names from images containers use, and its byte figure follows its own accounting). Used to preview a
   * native prune and to compare with the engine.
   */
  readonly engineParity?: boolean;
  /**
   * Only these images are candidates (the watermark policy's choice); every other image stays, as if a filter
   * excluded it. What the engine removes along with a candidate (an untagged parent with its last child) still goes.
   */
  readonly onlyImages?: ReadonlySet<string>;
  /**
   * Images the user left out of this prune (the plan view's unchecked rows): never candidates, kept with reason
   * `left-out`. Everything else follows from the store's own rules: a parent that would have gone with a left-out
   * child stays, because that child stays; the bytes are those of the smaller plan.
   */
  readonly leaveOut?: ReadonlySet<string>;
}

/**
 * Decides which images a prune removes and the bytes that come back, as a pure function of a snapshot and a
 * policy. Each image store has its own rules (the snapshot's profile says which store the engine uses):
 * - graphdriver: graphdriverPlanner.ts;
 * - containerd: containerdPlanner.ts;
 * - Podman: podmanModel.ts (4.x), podman5Model.ts (5.x).
 */
export function planPrune(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions = {}): Plan {
  switch (snapshot.profile.store) {
    case 'podman':
      if (!snapshot.podman) throw new Error('a Podman snapshot carries Podman facts');
      // Podman 5.0 changed its prune (filters AND-ed, `dangling=false` keeps dangling images): podman5Model.ts.
      return podmanMajor(snapshot.profile.version) >= 5 ? planPodman5Prune(snapshot, snapshot.podman, policy, options) : planPodmanPrune(snapshot, snapshot.podman, policy, options);
    case 'containerd':
      return planContainerdPrune(snapshot, policy, options);
    case 'graphdriver':
      return planGraphdriverPrune(snapshot, policy, options);
  }
}
