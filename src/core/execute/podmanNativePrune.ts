/**
 * Podman 4's own prune, as close to Docker's `POST /images/prune` as Podman allows.
 *
 * Observed on podman 4.3.1 (Debian 12), see also src/core/plan/podman4Planner.ts:
 * - `POST /images/prune` (compat) always prunes dangling images only: it adds `dangling=true` itself, so Docker's
 *   all-unused form `{"dangling":["false"]}` fails with HTTP 500 ("specifying "dangling" filter more than once
 *   with different values is not supported") and leaving `dangling` out still prunes dangling images only. All
 *   unused images can only go through Podman's own `POST /v4.0.0/libpod/images/prune?all=true`, which keeps only
 *   the FIRST value of each filter key.
 * - `label` and `label!` values are OR-ed (Docker AND-s them): a native prune with more than one label filter
 *   is refused rather than run with a meaning nobody asked for.
 * - Prune answers list `Deleted` ids without the `sha256:` prefix and no `Untagged`; SpaceReclaimed sums whole
 *   image sizes. Parent ids (`ParentId`, inspect `Parent`) come without the prefix too.
 */
import type { DockerEngine } from '../engine/dockerEngine';
import { DockerPruneError, InvalidInputError } from '../errors';
import { toEngineFilters } from '../filters';
import type { ImageDeleteItem, PrunePolicy, PruneResult } from '../model';
import { normalizeImageId } from '../snapshot/records';

/** Libpod's prune answer: one entry per image. */
interface LibpodPruneReport {
  Id: string;
  Size?: number;
  Err?: string | null;
}

/**
 * Podman's own prune, as close to Docker's `POST /images/prune` as Podman allows: dangling mode through the
 * compatible endpoint, all mode through `/libpod/images/prune?all=true` (Podman 5's compatible `dangling=false`
 * would keep the images that were dangling from the start). Refuses (InvalidInputError) filters that Podman
 * would read otherwise than they were meant: on Podman 4 several label filters (it OR-s them); on Podman 5's
 * all mode a second `label=` or `label!=` (libpod keeps only the first value of each key).
 * Answers: `Deleted` ids without `sha256:`; SpaceReclaimed adds whole image sizes (not the disk freed).
 */
export async function podmanNativePrune(engine: DockerEngine, policy: PrunePolicy, major: number, signal?: AbortSignal): Promise<PruneResult> {
  if (major >= 5) assertPodman5NativeCompatible(policy);
  else assertPodmanNativeCompatible(policy);
  const filters = toEngineFilters(policy.mode, policy.filters);
  delete filters.dangling;
  try {
    if (policy.mode === 'dangling') {
      const res = await engine.pruneImages(filters, signal);
      const items: ImageDeleteItem[] = [];
      for (const i of res.ImagesDeleted ?? []) {
        if (i.Untagged) items.push({ Untagged: i.Untagged });
        if (i.Deleted) items.push({ Deleted: normalizeImageId(i.Deleted) });
      }
      return { ImagesDeleted: items, SpaceReclaimed: res.SpaceReclaimed, skipped: [], cancelled: false };
    }
    const reports =
      (await engine.libpod<LibpodPruneReport[] | null>(
        'prune all unused images',
        'POST',
        '/images/prune',
        { all: true, filters: JSON.stringify(filters) },
        engine.timeouts.pruneMs,
        signal,
      )) ?? [];
    const errors = reports.filter((r) => r.Err).map((r) => r.Err);
    if (errors.length > 0)
      throw new DockerPruneError('api', `Podman at ${engine.endpoint.label} could not prune: ${errors.join('; ')}`, { endpoint: engine.endpoint.label });
    return {
      ImagesDeleted: reports.map((r) => ({ Deleted: normalizeImageId(r.Id) })),
      SpaceReclaimed: reports.reduce((s, r) => s + (r.Size ?? 0), 0),
      skipped: [],
      cancelled: false,
    };
  } catch (e) {
    if (e instanceof DockerPruneError && e.details.status === 409) {
      throw new DockerPruneError('busy', `${engine.endpoint.label} is already running a prune. Try again when it finishes.`, e.details);
    }
    throw e;
  }
}

function assertPodmanNativeCompatible(policy: PrunePolicy): void {
  if (policy.filters.labels.length > 1) {
    throw new InvalidInputError(
      "Podman's own prune combines several label filters with OR (any one matching is enough), not AND as Docker does. Use Docker Prune's own prune (drop native mode), or give one label filter.",
    );
  }
}

function assertPodman5NativeCompatible(policy: PrunePolicy): void {
  if (policy.mode !== 'all') return;
  const positive = policy.filters.labels.filter((f) => !f.negate).length;
  const negative = policy.filters.labels.length - positive;
  if (positive > 1 || negative > 1) {
    throw new InvalidInputError(
      "Podman 5's own prune of all unused images reads only the first label= and the first label!= filter. Use Docker Prune's own prune (drop native mode), or give at most one of each.",
    );
  }
}
