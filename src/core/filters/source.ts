/**
 * `source=pulled|built|loaded|unknown` and `source!=…`: Docker Prune's own filter (no engine knows where an image
 * came from; see source/imageSource.ts). An image passes when its source is the one named (or, negated, is not).
 */
import { InvalidInputError } from '../errors';
import type { ImageSource, SourceFilter, SourceKind } from '../model';

const SOURCE_KINDS: readonly SourceKind[] = ['pulled', 'built', 'loaded', 'unknown'];

/** @throws InvalidInputError naming the value and the accepted ones. */
export function parseSourceFilter(input: string, negate: boolean): SourceFilter {
  const kind = input.trim().toLowerCase();
  if (!(SOURCE_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidInputError(
      `Invalid ${negate ? 'source!' : 'source'} value "${input.trim()}": use pulled, built, loaded or unknown (e.g. source=pulled, source!=loaded)`,
    );
  }
  return { negate, kind: kind as SourceKind };
}

export function sourceFilterText(f: SourceFilter): string {
  return `${f.negate ? 'source!' : 'source'}=${f.kind}`;
}

/**
 * Whether an image of this source passes every source filter. Several `source=` filters mean any of them (as
 * Docker's filters of one name do); every `source!=` must hold.
 */
export function matchesSourceFilters(filters: readonly SourceFilter[] | undefined, source: ImageSource | undefined): boolean {
  if (!filters || filters.length === 0) return true;
  const kind = source?.kind ?? 'unknown';
  const wanted = filters.filter((f) => !f.negate);
  if (wanted.length > 0 && !wanted.some((f) => f.kind === kind)) return false;
  return filters.every((f) => !f.negate || f.kind !== kind);
}
