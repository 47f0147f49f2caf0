import type { ContainerRecord, ImageRecord } from '../model';

/**
 * Counts, for every piece of disk an image stands on, how many images still hold it: the engine frees a piece
 * exactly when the last image holding it goes. Releasing an image returns the bytes that leave the disk with it,
 * so each piece is counted once, and only when nothing that stays still needs it.
 *
 * The pieces are an image's layers (graphdriver layers and Podman layers by chain id; containerd snapshots by
 * chain id) and, in the containerd store, its content blobs (manifest, config, compressed layers).
 *
 * Containers, when given, hold the layers of their image as well: the containerd store can delete an image a
 * container still runs from (its blobs go), but that container's snapshots keep the image's layer chain.
 */
export class DiskLedger {
  private readonly holders = new Map<string, number>();
  private readonly sizes = new Map<string, number>();
  private readonly pieces = new Map<string, readonly string[]>();

  constructor(images: readonly ImageRecord[], containers: readonly ContainerRecord[] = []) {
    const byId = new Map(images.map((i) => [i.id, i]));
    for (const c of containers) {
      for (const layer of byId.get(c.imageId)?.layers ?? []) {
        const key = layerKey(layer.chainId);
        this.holders.set(key, (this.holders.get(key) ?? 0) + 1);
      }
    }
    for (const img of images) {
      const keys: string[] = [];
      const hold = (key: string, size: number) => {
        keys.push(key);
        this.holders.set(key, (this.holders.get(key) ?? 0) + 1);
        this.sizes.set(key, size);
      };
      for (const layer of img.layers) hold(layerKey(layer.chainId), layer.size);
      for (const blob of img.blobs ?? []) hold(`blob:${blob.key}`, blob.size);
      this.pieces.set(img.id, keys);
    }
  }

  /** Bytes of every piece an image holds, each counted once: what the image store takes on disk, as this ledger counts it. */
  totalBytes(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Size of a layer by chain id (0 when unknown): what the graphdriver adds to SpaceReclaimed when it prints `Deleted: <chain id>`. */
  layerSize(chainId: string): number {
    return this.sizes.get(layerKey(chainId)) ?? 0;
  }

  /** Removes an image; returns the bytes of the pieces no remaining image holds. */
  release(imageId: string): number {
    const { layers, blobs } = this.releaseParts(imageId);
    return layers + blobs;
  }

  /** Removes an image; returns the bytes freed, layers (snapshots) and content blobs apart. */
  releaseParts(imageId: string): { layers: number; blobs: number } {
    const freed = { layers: 0, blobs: 0 };
    const keys = this.pieces.get(imageId);
    if (!keys) return freed;
    this.pieces.delete(imageId);
    for (const key of keys) {
      const left = (this.holders.get(key) ?? 0) - 1;
      this.holders.set(key, left);
      if (left === 0) freed[key.startsWith('blob:') ? 'blobs' : 'layers'] += this.sizes.get(key) ?? 0;
    }
    return freed;
  }
}

function layerKey(chainId: string): string {
  return `layer:${chainId}`;
}
