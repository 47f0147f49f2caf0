import type { ApiContainerSummary } from '../engine/apiTypes';
import type { ContainerRecord } from '../model';

/** A container as the core sees it, from one entry of `GET /containers/json?all=1`. */
export function containerRecordOf(c: ApiContainerSummary): ContainerRecord {
  return {
    id: c.Id,
    names: (c.Names ?? []).map((n) => n.replace(/^\//, '')),
    imageId: c.ImageID,
    imageRef: c.Image,
    state: c.State,
  };
}

/** Podman leaves `sha256:` out of ids: `abc…` (64 hex) → `sha256:abc…`; anything else unchanged. */
export function normalizeImageId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id;
}
