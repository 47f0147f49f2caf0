/**
 * `unused-for=DURATION`: Docker Prune's own filter (no engine has it). An image passes when nothing has used it for
 * at least that long: its last use (see core/lastUsed) is at or before the snapshot's clock minus the duration.
 */
import { InvalidInputError } from '../errors';
import type { UnusedForFilter } from '../model';
import { parseExtendedDuration } from './duration';

const UNUSED_FOR_FORMS = 'use a duration such as 36h, 14d or 2w (more than zero)';

/** @throws InvalidInputError naming the value and the accepted forms. */
export function parseUnusedFor(input: string): UnusedForFilter {
  const raw = input.trim();
  const parsed = parseExtendedDuration(raw);
  if (!parsed || parsed.ns <= 0n) throw new InvalidInputError(`Invalid unused-for value "${raw}": ${UNUSED_FOR_FORMS}`);
  return { raw, durationNs: parsed.ns };
}

/** Whether an image last used at `lastUseNs` passes the filter (may be pruned), seen from `nowNs`. */
export function matchesUnusedFor(filter: UnusedForFilter | undefined, lastUseNs: bigint, nowNs: bigint): boolean {
  return filter === undefined || lastUseNs <= nowNs - filter.durationNs;
}
