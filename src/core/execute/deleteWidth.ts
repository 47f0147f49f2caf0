import type { ImageStoreKind } from '../engine/engineProfile';

/**
 * How many plan steps run at once, per image store (bench/deleteWidth.bench.ts measures widths 1–16).
 *
 * - containerd store: every delete waits for a full containerd garbage collection (moby SynchronousDelete), and
 *   containerd's GC scheduler hands one collection's result to every caller waiting when it starts, so deletes
 *   sent together share collections. Measured on Docker 28.5: see the bench.
 * - graphdriver and Podman: one step at a time (see the bench for the measurement).
 */
export const DELETE_WIDTH: Readonly<Record<ImageStoreKind, number>> = {
  containerd: 8,
  graphdriver: 1,
  podman: 1,
};
