/**
 * `label=` / `label!=` filters, matched exactly as the engine does (`daemon/images/image_prune.go`
 * matchLabels over `api/types/filters` Args.MatchKVList).
 */
import { InvalidInputError } from '../errors';
import type { LabelFilter } from '../model';

/**
 * Parses the value of a `label` (negate=false) or `label!` (negate=true) filter: `key` or `key=value`,
 * split at the first `=` like MatchKVList does (`a=b=c` is key `a`, value `b=c`; `a=` is key `a` with
 * the empty value). Nothing inside is trimmed: the engine compares keys and values verbatim.
 * @throws InvalidInputError when the key is empty.
 */
export function parseLabelFilter(value: string, negate: boolean): LabelFilter {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  const name = negate ? 'label!' : 'label';
  if (key === '') {
    throw new InvalidInputError(`Invalid ${name} filter "${name}=${value}": the label key is empty; ` + `use ${name}=key or ${name}=key=value`);
  }
  return eq < 0 ? { negate, key } : { negate, key, value: value.slice(eq + 1) };
}

/** `key` or `key=value`, the engine's form of a label filter value. */
export function labelFilterValue(f: LabelFilter): string {
  return f.value === undefined ? f.key : `${f.key}=${f.value}`;
}

/**
 * Port of `Args.MatchKVList`: true when there are no filters; false when the image has no labels;
 * otherwise every filter's key must be present and, when it names a value, hold exactly that value.
 */
function matchKVList(filters: readonly LabelFilter[], labels: Readonly<Record<string, string>>): boolean {
  if (filters.length === 0) return true;
  if (Object.keys(labels).length === 0) return false;
  return filters.every((f) => Object.hasOwn(labels, f.key) && (f.value === undefined || labels[f.key] === f.value));
}

/**
 * Whether an image passes the label filters (may be pruned), exactly as the engine decides:
 * - `labels === null` (the image has no config): the engine skips label filters entirely → true.
 * - Positive `label=` filters: all must match (MatchKVList), so an image without labels fails them.
 * - Negative `label!=` filters: the engine calls MatchKVList on the whole `label!` set and excludes the
 *   image only when it returns true, i.e. when the image matches ALL the `label!` filters at once.
 *   With `label!=a --filter label!=b`, an image labelled only `a` is still pruned. An image without
 *   labels is never excluded by `label!` (MatchKVList returns false on empty labels).
 *   This is the engine's real behaviour, not the "none of them" one might expect; we reproduce it so
 *   previews match native prunes.
 */
export function matchesLabelFilters(filters: readonly LabelFilter[], labels: Readonly<Record<string, string>> | null): boolean {
  if (labels === null) return true;
  const positive = filters.filter((f) => !f.negate);
  const negative = filters.filter((f) => f.negate);
  if (!matchKVList(positive, labels)) return false;
  if (negative.length > 0 && matchKVList(negative, labels)) return false;
  return true;
}
