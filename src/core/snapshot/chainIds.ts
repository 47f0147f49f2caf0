import { createHash } from 'crypto';

/**
 * Chain ids of a layer stack, bottom first, as the engine's layer store names layers:
 * chain(1) = diff(1); chain(n) = sha256(chain(n-1) + " " + diff(n)). These are the ids
 * the engine prints as `Deleted:` when it frees a layer.
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  let chain = '';
  for (const diff of diffIds) {
    chain = chain === '' ? diff : 'sha256:' + createHash('sha256').update(`${chain} ${diff}`).digest('hex');
    out.push(chain);
  }
  return out;
}
