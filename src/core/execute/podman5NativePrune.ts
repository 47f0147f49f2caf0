/**
 * Podman 5's native prune (see src/core/plan/podman5Model.ts for the rules, measured on 5.4.2):
 * - dangling mode: the compatible `POST /images/prune` with the label/until filters. Podman 5 AND-s every filter
 *   value (4.x OR-ed several values of one key), so several label filters are passed as given.
 * - all mode: `POST /libpod/images/prune?all=true`, which removes every image no container uses, dangling ones
 *   included. The compatible endpoint's `dangling=false` would keep the images that were dangling from the start.
 *   Libpod keeps only the FIRST value of each filter key (`label`, `label!`, `until`), so all mode refuses a
 *   second `label=` or a second `label!=` rather than run with a meaning nobody asked for.
 * Answers: `Deleted` ids without `sha256:`; SpaceReclaimed adds whole image sizes (not the disk freed).
 */
import type { DockerEngine } from '../engine/dockerEngine';
import { DockerPruneError, InvalidInputError } from '../errors';
import { toEngineFilters } from '../filters';
import type { ImageDeleteItem, PrunePolicy, PruneResult } from '../model';
import { normalizeImageId } from '../snapshot/records';

interface LibpodPruneReport {
  Id: string;
  Size?: number;
  Err?: string | null;
}

export async function podman5NativePrune(engine: DockerEngine, policy: PrunePolicy, signal?: AbortSignal): Promise<PruneResult> {
  assertPodman5NativeCompatible(policy);
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
      (await engine.libpod<LibpodPruneReport[] | null>('prune all unused images', 'POST', '/images/prune', { all: true, filters: JSON.stringify(filters) }, engine.timeouts.pruneMs, signal)) ??
      [];
    const errors = reports.filter((r) => r.Err).map((r) => r.Err);
    if (errors.length > 0) throw new DockerPruneError('api', `Podman at ${engine.endpoint.label} could not prune: ${errors.join('; ')}`, { endpoint: engine.endpoint.label });
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

export function assertPodman5NativeCompatible(policy: PrunePolicy): void {
  if (policy.mode !== 'all') return;
  const positive = policy.filters.labels.filter((f) => !f.negate).length;
  const negative = policy.filters.labels.length - positive;
  if (positive > 1 || negative > 1) {
    throw new InvalidInputError(
      "Podman 5's own prune of all unused images reads only the first label= and the first label!= filter. Use Docker Prune's own prune (drop native mode), or give at most one of each.",
    );
  }
}
