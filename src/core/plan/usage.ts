import type { ImageStoreKind } from '../engine/engineProfile';
import type { ContainerRecord } from '../model';

/**
 * How an image is used, as the tree groups it and as Docker Prune's own prune protects it:
 * - `inUse`: a container uses it, or (graphdriver, Podman) a descendant of it — its layers are that container's
 *   file system; no prune of ours deletes or untags it;
 * - `dangling`: no tag and not in use (and, with parent chains, no children): what `docker image prune` removes;
 * - `intermediate`: an untagged parent (graphdriver, Podman): listed only with `-a`, goes with its last child;
 * - `unused`: tagged, not in use: what `docker image prune -a` adds.
 */
export type UsageGroup = 'inUse' | 'unused' | 'dangling' | 'intermediate';

export interface ImageUsage {
  readonly group: UsageGroup;
  /** A container uses it or one of its descendants (an untagged parent in use is still grouped `intermediate`). */
  readonly inUse: boolean;
  /** Containers created from this very image. */
  readonly containers: readonly ContainerRecord[];
  /** Containers of descendant images (parent chains only). */
  readonly usedThroughChildren: number;
}

/** What classifying needs of an image: cheap to have from `GET /images/json` alone. */
export interface ImageIdentity {
  readonly id: string;
  /** `''` when none; the containerd store has no parents. */
  readonly parentId: string;
  readonly repoTags: readonly string[];
}

/** The one walk that decides what is in use, per store; the planner and the tree both ask it. */
export function classifyImages(store: ImageStoreKind, images: readonly ImageIdentity[], containers: readonly ContainerRecord[]): Map<string, ImageUsage> {
  const direct = new Map<string, ContainerRecord[]>();
  for (const c of containers) {
    const list = direct.get(c.imageId);
    if (list) list.push(c);
    else direct.set(c.imageId, [c]);
  }
  const parents = store !== 'containerd';
  const byId = new Map(images.map((i) => [i.id, i]));
  const throughChildren = new Map<string, number>();
  const childCount = new Map<string, number>();
  if (parents) {
    for (const img of images) if (img.parentId && byId.has(img.parentId)) childCount.set(img.parentId, (childCount.get(img.parentId) ?? 0) + 1);
    for (const [imageId, users] of direct) {
      const seen = new Set<string>([imageId]);
      let parent = byId.get(imageId)?.parentId;
      while (parent && !seen.has(parent) && byId.has(parent)) {
        seen.add(parent);
        throughChildren.set(parent, (throughChildren.get(parent) ?? 0) + users.length);
        parent = byId.get(parent)?.parentId;
      }
    }
  }
  const out = new Map<string, ImageUsage>();
  for (const img of images) {
    const users = direct.get(img.id) ?? [];
    const viaChildren = throughChildren.get(img.id) ?? 0;
    const inUse = users.length > 0 || viaChildren > 0;
    // As `docker image ls`: an untagged parent is an intermediate, listed only with -a, whatever uses it.
    const intermediate = img.repoTags.length === 0 && (childCount.get(img.id) ?? 0) > 0;
    const group: UsageGroup = intermediate ? 'intermediate' : inUse ? 'inUse' : img.repoTags.length > 0 ? 'unused' : 'dangling';
    out.set(img.id, { group, inUse, containers: users, usedThroughChildren: viaChildren });
  }
  return out;
}

/** The ids of images no prune of ours may touch (see `inUse`). */
export function imagesInUse(usage: ReadonlyMap<string, ImageUsage>): Set<string> {
  const out = new Set<string>();
  for (const [id, u] of usage) if (u.inUse) out.add(id);
  return out;
}
