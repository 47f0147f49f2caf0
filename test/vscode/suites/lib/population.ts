/**
 * The known population the extension suites run against, and what the tree must show for it, derived from
 * the generated description alone (an oracle independent of the extension's own listing code).
 */
import { generatePopulation, type Population } from '../../../support/population';

/** ~40 images: fixtures (parent chains, multi-tag, intermediates, containers of every state) plus bulk
 * images, a third of them with a layer of their own so pruning them frees real bytes. */
const TEST_POPULATION = {
  seed: 20251122,
  images: 40,
  danglingRatio: 0.3,
  ownLayerRatio: 0.35,
  containers: { created: 1, exited: 1, running: 1 },
} as const;

let cached: Population | undefined;
export function testPopulation(): Population {
  cached ??= generatePopulation({ ...TEST_POPULATION, containers: { ...TEST_POPULATION.containers } });
  return cached;
}

export interface ExpectedGroups {
  inUse: Set<string>;
  unused: Set<string>;
  dangling: Set<string>;
  /** Untagged parents: not listed (as `docker image ls`). */
  hidden: Set<string>;
}

/** Image ids per tree group, from the population's structure. */
export function expectedGroups(pop: Population = testPopulation()): ExpectedGroups {
  const byName = new Map(pop.images.map((i) => [i.name, i]));
  const inUseNames = new Set<string>();
  for (const c of pop.containers) {
    for (let n: string | undefined = c.image; n && !inUseNames.has(n); n = byName.get(n)?.parent) inUseNames.add(n);
  }
  const hasChildren = new Set(pop.images.map((i) => i.parent).filter((p): p is string => Boolean(p)));
  const out: ExpectedGroups = { inUse: new Set(), unused: new Set(), dangling: new Set(), hidden: new Set() };
  for (const img of pop.images) {
    if (img.tags.length === 0 && hasChildren.has(img.name)) out.hidden.add(img.id);
    else if (inUseNames.has(img.name)) out.inUse.add(img.id);
    else if (img.tags.length > 0) out.unused.add(img.id);
    else out.dangling.add(img.id);
  }
  return out;
}

/** Dangling images whose top layer no other image has: removing one frees that layer's bytes. */
export function danglingWithOwnLayer(pop: Population = testPopulation()): Array<{ id: string; bytes: number }> {
  const uses = new Map<string, number>();
  for (const img of pop.images) for (const l of img.layers) uses.set(l, (uses.get(l) ?? 0) + 1);
  const sizes = new Map(pop.layers.map((l) => [l.diffId, l.size]));
  const dangling = expectedGroups(pop).dangling;
  return pop.images
    .filter((i) => dangling.has(i.id) && uses.get(i.layers[i.layers.length - 1]!) === 1)
    .map((i) => ({ id: i.id, bytes: sizes.get(i.layers[i.layers.length - 1]!) ?? 0 }));
}
