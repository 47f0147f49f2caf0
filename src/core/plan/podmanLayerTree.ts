/**
 * Podman's layer tree (containers/common libimage): parenthood is structural — P is a parent of X when P's layers
 * are a prefix of X's and X's config history is P's plus one entry — and found through indexes by chain id, so a
 * look-up costs only the images that could qualify. Shared by the Podman 4 and Podman 5 planners.
 */
import type { ImageRecord, PodmanFacts } from '../model';

/** Whether `parent` is a parent of `child` for Podman (libimage areParentAndChild). */
export function podmanParentAndChild(parent: ImageRecord, child: ImageRecord, facts: PodmanFacts): boolean {
  if (parent.id === child.id) return false;
  const pf = facts.images.get(parent.id);
  const cf = facts.images.get(child.id);
  if (!pf || !cf || cf.parentHistoryKey === undefined || cf.parentHistoryKey !== pf.historyKey) return false;
  const p = parent.layers;
  const c = child.layers;
  if (p.length > c.length) return false;
  return p.length === 0 || c[p.length - 1]!.chainId === p[p.length - 1]!.chainId;
}

/**
 * Structural parents and children among `live` images (libimage layerTree): a child's top layer is the parent's
 * top layer or one layer above it, and its history is the parent's plus one entry. Indexed by (length, layer) so
 * a look-up costs only the images that could qualify; each index keeps store order (Sets keep insertion order).
 */
export function childFinder(live: ReadonlyMap<string, ImageRecord>, facts: PodmanFacts, rules: { readonly emptyImagesParentLayeredOnes: boolean }) {
  const key = (depth: number, chainId: string | undefined) => `${depth}|${chainId ?? ''}`;
  const sameTop = new Map<string, Set<ImageRecord>>();
  const oneUp = new Map<string, Set<ImageRecord>>();
  const add = (m: Map<string, Set<ImageRecord>>, k: string, img: ImageRecord) => {
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(img);
  };
  for (const img of live.values()) {
    const n = img.layers.length;
    add(sameTop, key(n, img.layers[n - 1]?.chainId), img);
    if (n >= 1) add(oneUp, key(n - 1, img.layers[n - 2]?.chainId), img);
  }
  return {
    /** Whether `p` has a child among the live images (other than `except`, when given). */
    has(p: ImageRecord, except?: ImageRecord): boolean {
      const n = p.layers.length;
      const k = key(n, p.layers[n - 1]?.chainId);
      // Podman 5: an empty image's children are empty images; Podman 4 also takes one-layer images.
      const pools = n === 0 && !rules.emptyImagesParentLayeredOnes ? [sameTop.get(k)] : [oneUp.get(k), sameTop.get(k)];
      for (const pool of pools) for (const x of pool ?? []) if (x !== except && live.has(x.id) && podmanParentAndChild(p, x, facts)) return true;
      return false;
    },
    /**
     * libimage layerTree.parent: the first image, in store order (the order of `/images/json`), with the child's
     * top layer, then with the layer below it, that is its parent; an empty image's parent is an empty image.
     */
    parentOf(c: ImageRecord): ImageRecord | undefined {
      const n = c.layers.length;
      const pools = [sameTop.get(key(n, c.layers[n - 1]?.chainId))];
      if (n >= 1) pools.push(sameTop.get(key(n - 1, c.layers[n - 2]?.chainId)));
      for (const pool of pools) for (const p of pool ?? []) if (p.id !== c.id && live.has(p.id) && podmanParentAndChild(p, c, facts)) return p;
      return undefined;
    },
    forget(img: ImageRecord): void {
      const n = img.layers.length;
      sameTop.get(key(n, img.layers[n - 1]?.chainId))?.delete(img);
      if (n >= 1) oneUp.get(key(n - 1, img.layers[n - 2]?.chainId))?.delete(img);
    },
  };
}
