import type { DockerEngine } from '../engine/dockerEngine';
import { podmanNativePrune } from './podmanNativePrune';
import { podmanMajor } from '../plan/podman5Planner';
import { DockerPruneError, InvalidInputError } from '../errors';
import { sourceFilterText, toEngineFilters } from '../filters';
import type { ImageDeleteItem, PrunePolicy, PruneResult } from '../model';

/**
 * The engine's own `POST /images/prune`, called exactly as the Dockhand endpoint calls it
 * (`filters={"dangling":["true"|"false"]}` plus until/label filters). One call, no per-image progress, no
 * cancellation once sent; the engine decides what goes. It cannot honour protect patterns, keep-latest or unused-for.
 */
export async function nativePrune(engine: DockerEngine, policy: PrunePolicy, signal?: AbortSignal): Promise<PruneResult> {
  assertNativeCompatible(policy);
  // Podman's compatible endpoint cannot prune all unused images, and reads some filters differently.
  const profile = await engine.profile();
  if (profile.store === 'podman') return podmanNativePrune(engine, policy, podmanMajor(profile.version), signal);
  try {
    const res = await engine.pruneImages(toEngineFilters(policy.mode, policy.filters), signal);
    const items: ImageDeleteItem[] = [];
    for (const i of res.ImagesDeleted ?? []) {
      if (i.Untagged) items.push({ Untagged: i.Untagged });
      if (i.Deleted) items.push({ Deleted: i.Deleted });
    }
    return { ImagesDeleted: items, SpaceReclaimed: res.SpaceReclaimed, skipped: [], cancelled: false };
  } catch (e) {
    if (e instanceof DockerPruneError && e.details.status === 409) {
      throw new DockerPruneError(
        'busy',
        `${engine.endpoint.label} is already running a prune (the engine says: a prune operation is already running). Try again when it finishes.`,
        e.details,
      );
    }
    throw e;
  }
}

export function assertNativeCompatible(policy: PrunePolicy): void {
  if (policy.filters.unusedFor) {
    throw new InvalidInputError(
      `The engine's own prune (native mode) has no unused-for filter: no engine knows when an image was last used. Drop native mode to prune by last use, or drop unused-for=${policy.filters.unusedFor.raw}.`,
    );
  }
  if (policy.filters.sources?.length) {
    throw new InvalidInputError(
      `The engine's own prune (native mode) has no source filter: no engine tells which images were pulled, built or loaded. Drop native mode to prune by source, or drop ${policy.filters.sources.map(sourceFilterText).join(', ')}.`,
    );
  }
  if (policy.containers) {
    throw new InvalidInputError(
      `The engine's own image prune (native mode) removes no containers. Drop native mode to remove stopped containers exited for ${policy.containers.exitedForRaw} in the same previewed plan, or drop the containers option (and run "docker container prune" yourself).`,
    );
  }
  if (policy.protect.length > 0 || (policy.keepLatest ?? 0) > 0) {
    throw new InvalidInputError("The engine's own prune (native mode) cannot honour protect patterns or keep-latest. Drop native mode, or drop those options.");
  }
}
