export type { PlannerOptions } from './plannerOptions';
import type { Plan, PrunePolicy, Snapshot } from '../model';
import { planContainerdPrune } from './containerdPlanner';
import { planGraphdriverPrune } from './graphdriverPlanner';
import type { PlannerOptions } from './plannerOptions';
import { planWithContainers } from './containerPlan';
import { planPodman5Prune, podmanMajor } from './podman5Planner';
import { planPodman4Prune } from './podman4Planner';

/**
 * Decides which images a prune removes and the bytes that come back, as a pure function of a snapshot and a
 * policy. Each image store has its own rules (the snapshot's profile says which store the engine uses):
 * - graphdriver: graphdriverPlanner.ts;
 * - containerd: containerdPlanner.ts;
 * - Podman: podman4Planner.ts (4.x), podman5Planner.ts (5.x).
 * Docker Prune's own keep rules, the same on every store, are keepRules.ts. A policy that removes stopped
 * containers chooses them first (containerPlan.ts), and the images are planned as if those containers were gone.
 */
export function planPrune(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions = {}): Plan {
  return planWithContainers(snapshot, policy, options, (s) => planImages(s, policy, options));
}

function planImages(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions): Plan {
  switch (snapshot.profile.store) {
    case 'podman':
      if (!snapshot.podman) throw new Error('a Podman snapshot carries Podman facts');
      // Podman 5.0 changed its prune (filters AND-ed, `dangling=false` keeps dangling images): podman5Planner.ts.
      return podmanMajor(snapshot.profile.version) >= 5
        ? planPodman5Prune(snapshot, snapshot.podman, policy, options)
        : planPodman4Prune(snapshot, snapshot.podman, policy, options);
    case 'containerd':
      return planContainerdPrune(snapshot, policy, options);
    case 'graphdriver':
      return planGraphdriverPrune(snapshot, policy, options);
  }
}
