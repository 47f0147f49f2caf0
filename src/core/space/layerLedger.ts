import type { ImageRecord } from '../model';

/**
 * Counts, for every layer (by chain id), how many images still stand on it — the engine's layer store frees a
 * layer exactly when the last image whose chain contains it is deleted. Releasing an image returns the bytes
 * that leave the disk with it, so each layer is counted once, and only when nothing that stays needs it.
 */
export class LayerLedger {
  private readonly holders = new Map<string, number>();
  private readonly sizes = new Map<string, number>();
  private readonly chains = new Map<string, readonly string[]>();

  constructor(images: readonly ImageRecord[]) {
    for (const img of images) {
      this.chains.set(
        img.id,
        img.layers.map((l) => l.chainId),
      );
      for (const layer of img.layers) {
        this.holders.set(layer.chainId, (this.holders.get(layer.chainId) ?? 0) + 1);
        this.sizes.set(layer.chainId, layer.size);
      }
    }
  }

  /** Size of a layer by chain id (0 when unknown): what the engine adds to SpaceReclaimed when it prints `Deleted: <chain id>`. */
  layerSize(chainId: string): number {
    return this.sizes.get(chainId) ?? 0;
  }

  /** Removes an image; returns the bytes of the layers no remaining image holds. */
  release(imageId: string): number {
    const chain = this.chains.get(imageId);
    if (!chain) return 0;
    this.chains.delete(imageId);
    let freed = 0;
    for (const chainId of chain) {
      const left = (this.holders.get(chainId) ?? 0) - 1;
      this.holders.set(chainId, left);
      if (left === 0) freed += this.sizes.get(chainId) ?? 0;
    }
    return freed;
  }
}

/** Bytes freed by deleting `imageIds` (in any order) from `images`. */
export function reclaimableBytes(images: readonly ImageRecord[], imageIds: Iterable<string>): number {
  const ledger = new LayerLedger(images);
  let total = 0;
  for (const id of imageIds) total += ledger.release(id);
  return total;
}
