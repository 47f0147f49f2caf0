import type { ContainerRecord, ImageRecord } from '../model';
import { isDigestRef, isSingleReference, repositoryOf, sortRefs } from './references';

/**
 * A model of the engine's image and reference stores that replays moby's `ImageDelete` /
 * `imageDeleteHelper` rules (daemon/images/image_delete.go, v20.10) without touching an engine:
 * - removing a reference fails when it is the image's single reference and a container uses the image;
 * - removing a tag also removes the digest references of that repository when no tag of it is left;
 * - an image is deleted only when it has no children, no references left and no container (any state);
 * - after a delete the parent goes too when it is now childless, unreferenced and unused (quietly: a parent
 *   that cannot go simply stays).
 * It records what the engine would print (`Untagged` refs, `Deleted` image ids) in the order it would.
 */
export class GraphdriverDeleteRules {
  private readonly refs = new Map<string, string[]>();
  private readonly children = new Map<string, Set<string>>();
  private readonly usedBy = new Set<string>();
  readonly images: ReadonlyMap<string, ImageRecord>;
  /** Image ids deleted, children before parents. */
  readonly deleted: string[] = [];
  private readonly deletedSet = new Set<string>();
  /** References removed per image id, in engine order. */
  readonly untagged = new Map<string, string[]>();
  /** Order in which images were first untagged, for images that keep living untagged. */
  readonly touchOrder: string[] = [];

  constructor(images: readonly ImageRecord[], containers: readonly ContainerRecord[]) {
    const byId = new Map<string, ImageRecord>();
    for (const img of images) {
      byId.set(img.id, img);
      this.refs.set(img.id, sortRefs([...img.repoTags, ...img.repoDigests]));
      this.children.set(img.id, new Set());
    }
    for (const img of images) if (img.parentId && byId.has(img.parentId)) this.children.get(img.parentId)!.add(img.id);
    for (const c of containers) this.usedBy.add(c.imageId);
    this.images = byId;
  }

  refsOf(id: string): readonly string[] {
    return this.refs.get(id) ?? [];
  }

  childCount(id: string): number {
    return this.children.get(id)?.size ?? 0;
  }

  isUsed(id: string): boolean {
    return this.usedBy.has(id);
  }

  isDeleted(id: string): boolean {
    return this.deletedSet.has(id);
  }

  /** `DELETE /images/{ref}` (no force, prune). False when the engine would answer 409. */
  deleteByRef(id: string, ref: string): boolean {
    const refs = this.refs.get(id)!;
    if (!refs.includes(ref)) return false;
    if (isSingleReference(refs) && this.usedBy.has(id)) return false;
    this.removeRef(id, ref);
    if (!isDigestRef(ref)) {
      const repo = repositoryOf(ref);
      const tagLeft = refs.some((r) => !isDigestRef(r) && repositoryOf(r) === repo);
      if (!tagLeft) for (const r of refs.filter((r) => isDigestRef(r) && repositoryOf(r) === repo)) this.removeRef(id, r);
    }
    if (refs.length > 0) return true;
    this.deleteHelper(id);
    return true;
  }

  /** `DELETE /images/{id}` of an unreferenced image (no force, prune). False on conflict. */
  deleteById(id: string): boolean {
    return this.deleteHelper(id);
  }

  private removeRef(id: string, ref: string): void {
    const refs = this.refs.get(id)!;
    refs.splice(refs.indexOf(ref), 1);
    let list = this.untagged.get(id);
    if (!list) {
      list = [];
      this.untagged.set(id, list);
      this.touchOrder.push(id);
    }
    list.push(ref);
  }

  private deleteHelper(id: string): boolean {
    if (this.deletedSet.has(id)) return false;
    if (this.childCount(id) > 0 || this.usedBy.has(id) || this.refsOf(id).length > 0) return false;
    this.deleted.push(id);
    this.deletedSet.add(id);
    const parent = this.images.get(id)?.parentId;
    if (parent && this.children.has(parent)) {
      this.children.get(parent)!.delete(id);
      this.deleteHelper(parent);
    }
    return true;
  }
}
