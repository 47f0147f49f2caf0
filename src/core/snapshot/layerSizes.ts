import type { ApiHistoryItem } from '../engine/apiTypes';

/** The diff id of an empty layer tar (1,024 zero bytes); such a layer holds no bytes. */
export const EMPTY_LAYER_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export interface LayerSizing {
  /** Bytes per layer, bottom first, aligned with the image's diff ids. */
  readonly sizes: number[];
  /** False when history could not be matched to the layers one to one and the sizes are a best guess. */
  readonly exact: boolean;
}

/**
 * Per-layer sizes of one image from `GET /images/{id}/history`.
 *
 * The API gives one history entry per build step, newest first, each with the size of the layer the step made
 * (0 for steps that made none), but no flag saying which entries made a layer. Entries with a size > 0 made a
 * layer; zero-sized ones may or may not have. So:
 * - as many entries as layers: one to one;
 * - as many positive entries as layers that may hold bytes: one to one over those;
 * - otherwise the positive sizes are laid on the topmost layers (the remainder of the total on the top one), and
 *   the result is marked inexact.
 */
export function layerSizesFromHistory(diffIds: readonly string[], history: readonly ApiHistoryItem[], imageSize: number): LayerSizing {
  const n = diffIds.length;
  const oldestFirst = [...history].reverse().map((h) => Math.max(0, h.Size || 0));
  if (oldestFirst.length === n && sum(oldestFirst) === imageSize) return { sizes: oldestFirst, exact: true };

  const positive = oldestFirst.filter((s) => s > 0);
  const mayHoldBytes = diffIds.map((d) => d !== EMPTY_LAYER_DIFF_ID);
  const candidates = mayHoldBytes.filter(Boolean).length;
  if (positive.length === candidates && sum(positive) === imageSize) {
    const sizes = new Array<number>(n).fill(0);
    let next = 0;
    for (let i = 0; i < n; i++) if (mayHoldBytes[i]) sizes[i] = positive[next++];
    return { sizes, exact: true };
  }

  const sizes = new Array<number>(n).fill(0);
  const take = positive.slice(-n);
  for (let i = 0; i < take.length; i++) sizes[n - take.length + i] = take[i];
  const gap = imageSize - sum(sizes);
  if (n > 0 && gap !== 0) sizes[n - 1] = Math.max(0, sizes[n - 1] + gap);
  return { sizes, exact: false };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
