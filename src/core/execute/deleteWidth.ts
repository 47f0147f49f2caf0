import type { ImageStoreKind } from '../engine/engineProfile';

/**
 * How many plan steps run at once, per image store (bench/deleteWidth.bench.ts, WIDTH_SLICES=3, measures them).
 *
 * - containerd store: every delete waits for a full containerd garbage collection (moby SynchronousDelete), and
 *   containerd's GC scheduler hands one collection's result to every caller waiting when it starts; a caller that
 *   arrives during a collection waits for the next. So the gain grows with the width: Docker 28.5, 1,000 images,
 *   all-unused plan (load average ~25): width 1 221 ms/step, 2 230, 4 209, 8 145, 16 89; a second run 8 118, 16
 *   112, 32 107 (load ~20): past 16 little more, and twice the requests in flight should the daemon die.
 * - graphdriver: the engine's image store deletes under one lock (moby daemon/internal/image/store.go Delete), yet
 *   side by side the requests' own latency overlaps: Docker 28.5 overlay2, 1,000 images, load average ~28: width 1
 *   54 ms/step, 2 51, 4 36, 8 28. Still one removal at a time: a daemon dying mid-prune then has one removal in
 *   flight, which the fault tests hold it to (one error, at most one image gone unrecorded). The next image's checks
 *   run meanwhile (executor.ts, removalTurns.ts): on Docker 20.10 and 28.5 a dangling image's inspect costs 0.9 ms
 *   and its DELETE 1.5 ms (1,000 images, bench/deleteCost.bench.ts), so they were a third of a step.
 * - Podman: one step at a time, checks included: its steps have no order among themselves, and Podman 4.3 answers
 *   500 to an inspect of an image whose parent is being removed at that moment.
 */
export const DELETE_WIDTH: Readonly<Record<ImageStoreKind, number>> = {
  containerd: 16,
  graphdriver: 1,
  podman: 1,
};
