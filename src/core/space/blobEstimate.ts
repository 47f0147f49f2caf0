/**
 * The content blobs of images in Docker's containerd store, sized from what the Engine API tells.
 *
 * Per image the API gives the exact total of its blobs (manifest + config + layer blobs: inspect `Size`), the
 * manifest's size (API 1.48+) and each layer's unpacked snapshot size, but never the size of one layer blob. That
 * matters only for layer blobs several images share: they leave the disk with the last image holding them, so a
 * prune that takes some of their holders must not count them, and one that takes all must count them once.
 *
 * So each image holds:
 * - one blob of its own: its total minus its shared layer blobs — exact when it shares no layer;
 * - each shared layer blob, sized by least squares over every image's total: minimise
 *   Σ_i (total_i − manifest_i − config_i − Σ_{l∈i} b_l)² + λ² Σ_l (b_l − prior_l)², where config_i is rebuilt from
 *   inspect and history and prior_l spreads each image's layer bytes in proportion to unpacked sizes. Measured on
 *   gzip-layered populations: content within 2–3 % of the truth, content + snapshots within about 1 % (the
 *   snapshots are exact).
 * Where every blob size is known (see containerdExport.ts), the estimate is not needed.
 */
import type { StoredBlob } from '../model';

export interface ContentFacts {
  readonly id: string;
  /** Exact total of the image's blobs. */
  readonly total: number;
  /** The manifest's size, when known. */
  readonly manifest?: number;
  readonly configEstimate: number;
  readonly diffIds: readonly string[];
  /** Unpacked size of each layer, aligned with diffIds. */
  readonly unpacked: readonly number[];
}

/** Ridge weight of the prior: small, so the images' exact totals decide wherever they can. */
const LAMBDA = 0.05;

export function estimateBlobs(images: readonly ContentFacts[]): Map<string, StoredBlob[]> {
  const holders = new Map<string, number>();
  for (const img of images) for (const l of new Set(img.diffIds)) holders.set(l, (holders.get(l) ?? 0) + 1);
  const shared = new Set([...holders].filter(([, n]) => n > 1).map(([l]) => l));
  const layerSize = shared.size > 0 ? solveLayerBlobs(images) : new Map<string, number>();

  const out = new Map<string, StoredBlob[]>();
  for (const img of images) {
    const sharedHere = [...new Set(img.diffIds)].filter((l) => shared.has(l));
    let sharedBytes = sharedHere.reduce((s, l) => s + (layerSize.get(l) ?? 0), 0);
    // The shared blobs cannot weigh more than the image's own total: scale them down when the estimate says so.
    const scale = sharedBytes > img.total ? img.total / sharedBytes : 1;
    const blobs: StoredBlob[] = sharedHere.map((l) => ({ key: `layer-blob:${l}`, size: Math.round((layerSize.get(l) ?? 0) * scale), estimated: true }));
    sharedBytes = blobs.reduce((s, b) => s + b.size, 0);
    blobs.unshift({ key: `image-content:${img.id}`, size: img.total - sharedBytes, estimated: sharedHere.length > 0 });
    out.set(img.id, blobs);
  }
  return out;
}

/**
 * A compact Docker v2 manifest for `layers` layers, when the API does not say (before API 1.48): its config
 * descriptor and one ~157-byte descriptor per layer (measured on Docker 28.5: 579, 736 and 892 bytes for 2, 3 and
 * 4 layers).
 */
export function manifestSizeGuess(layers: number): number {
  return 266 + 157 * layers;
}

/** Least-squares layer blob sizes (by diff id), solved by conjugate gradients on the normal equations. */
function solveLayerBlobs(images: readonly ContentFacts[]): Map<string, number> {
  const index = new Map<string, number>();
  const rows: number[][] = [];
  const y: number[] = [];
  for (const img of images) {
    const cols: number[] = [];
    for (const l of new Set(img.diffIds)) {
      if (!index.has(l)) index.set(l, index.size);
      cols.push(index.get(l)!);
    }
    rows.push(cols);
    y.push(img.total - (img.manifest ?? manifestSizeGuess(img.diffIds.length)) - img.configEstimate);
  }
  const n = index.size;
  // prior_l: each image's layer bytes spread in proportion to unpacked sizes, averaged over the images holding l.
  const priorSum = new Float64Array(n);
  const priorCount = new Float64Array(n);
  images.forEach((img, i) => {
    const unpackedTotal = img.unpacked.reduce((a, b) => a + b, 0);
    const ratio = Math.max(0, y[i]!) / Math.max(1, unpackedTotal);
    img.diffIds.forEach((l, k) => {
      const c = index.get(l)!;
      priorSum[c] += ratio * (img.unpacked[k] ?? 0);
      priorCount[c] += 1;
    });
  });
  const prior = Float64Array.from(priorSum, (s, c) => s / Math.max(1, priorCount[c]!));
  const lambda2 = LAMBDA * LAMBDA;

  // (AᵀA + λ²I) x = Aᵀy + λ² prior
  const apply = (v: Float64Array): Float64Array => {
    const out = Float64Array.from(v, (x) => lambda2 * x);
    for (const cols of rows) {
      let dot = 0;
      for (const c of cols) dot += v[c]!;
      for (const c of cols) out[c] += dot;
    }
    return out;
  };
  const rhs = Float64Array.from(prior, (p) => lambda2 * p);
  rows.forEach((cols, i) => {
    for (const c of cols) rhs[c] += y[i]!;
  });
  const x = Float64Array.from(prior);
  const ax = apply(x);
  const r = Float64Array.from(rhs, (b, c) => b - ax[c]!);
  const p = Float64Array.from(r);
  let rr = dotOf(r, r);
  const tolerance = 1e-10 * Math.max(1, dotOf(rhs, rhs));
  for (let iter = 0; iter < 4 * n + 50 && rr > tolerance; iter++) {
    const ap = apply(p);
    const alpha = rr / Math.max(Number.MIN_VALUE, dotOf(p, ap));
    for (let c = 0; c < n; c++) {
      x[c] += alpha * p[c]!;
      r[c] -= alpha * ap[c]!;
    }
    const next = dotOf(r, r);
    const beta = next / rr;
    rr = next;
    for (let c = 0; c < n; c++) p[c] = r[c]! + beta * p[c]!;
  }
  const out = new Map<string, number>();
  for (const [l, c] of index) out.set(l, Math.max(0, x[c]!));
  return out;
}

function dotOf(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
