/**
 * Last use, as the planners read it: the snapshot's `lastUsed` value of an image (kept per engine, see
 * core/lastUsed), else its created time — the seed of an image nothing was ever seen using.
 */
import { matchesUnusedFor } from '../filters/unusedFor';
import type { ImageRecord, PrunePolicy, Snapshot } from '../model';

/** When the image was last used, in ns since the epoch: the recorded value, else when it was created. */
export function lastUseOf(image: Pick<ImageRecord, 'id' | 'createdNs'>, snapshot: Pick<Snapshot, 'lastUsed'>): bigint {
  return snapshot.lastUsed?.get(image.id)?.atNs ?? image.createdNs;
}

/**
 * The items least recently used first (ties: older created first, then by id), for policies that take the least
 * recently used images first (watermarks). Pure; the input is not changed.
 */
export function orderByLastUse<T extends { readonly id: string; readonly createdNs: bigint }>(items: readonly T[], snapshot: Pick<Snapshot, 'lastUsed'>): T[] {
  const at = new Map(items.map((i) => [i.id, lastUseOf(i, snapshot)]));
  return [...items].sort((a, b) => {
    const x = at.get(a.id)!;
    const y = at.get(b.id)!;
    if (x !== y) return x < y ? -1 : 1;
    if (a.createdNs !== b.createdNs) return a.createdNs < b.createdNs ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/**
 * The `unused-for` filter of a policy as a predicate: true when the image was used too recently to go. Without the
 * filter nothing is. A snapshot read without last-use tracking cannot answer it, so planning refuses rather than
 * judge every image by its created time.
 */
export function usedTooRecently(
  snapshot: Pick<Snapshot, 'lastUsed' | 'daemonNowNs'>,
  policy: PrunePolicy,
): (image: Pick<ImageRecord, 'id' | 'createdNs'>) => boolean {
  const filter = policy.filters.unusedFor;
  if (!filter) return () => false;
  if (!snapshot.lastUsed) throw new Error(`unused-for=${filter.raw} needs a snapshot read with last-use tracking (SnapshotReader's lastUse option)`);
  return (image) => !matchesUnusedFor(filter, lastUseOf(image, snapshot), snapshot.daemonNowNs);
}
