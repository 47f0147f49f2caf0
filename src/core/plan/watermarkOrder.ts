import type { ImageRecord, Snapshot } from '../model';

/** When an image was last used, as far as the snapshot knows: its recorded last use, else its created time. */
export function lastUseNs(snapshot: Snapshot, image: ImageRecord): bigint {
  return snapshot.lastUsed?.get(image.id)?.atNs ?? image.createdNs;
}

/** The images least recently used first (ties by id, so the order is the same on every run). */
export function byLeastRecentUse(snapshot: Snapshot, images: readonly ImageRecord[]): ImageRecord[] {
  const at = new Map(images.map((i) => [i.id, lastUseNs(snapshot, i)]));
  return [...images].sort((a, b) => {
    const x = at.get(a.id)!;
    const y = at.get(b.id)!;
    return x !== y ? (x < y ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
