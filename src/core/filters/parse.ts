/** CLI-style filter strings (`until=24h`, `label=a=b`, `label!=a`) → PruneFilters. */
import { InvalidInputError } from '../errors';
import type { LabelFilter, PruneFilters, SourceFilter, UnusedForFilter, UntilFilter } from '../model';
import { labelFilterValue, parseLabelFilter } from './labels';
import { parseSourceFilter, sourceFilterText } from './source';
import { parseUnusedFor } from './unusedFor';
import { parseUntil, type ParseUntilOptions } from './until';

const ACCEPTED_TEXT =
  'accepted filters are until, label, label!, unused-for, source and source! (e.g. until=24h, label=key=value, label!=keep, unused-for=14d, source=pulled)';

/**
 * Parses filter arguments as Docker's CLI does (`opts.FilterOpt` / `filters.ParseFlag`): an empty
 * argument is ignored; the name is what precedes the first `=` (so `label!=x` is name `label!`,
 * value `x`), trimmed and lower-cased; the value is trimmed.
 * Duplicate label filters collapse (the engine keeps them in a set).
 * @throws InvalidInputError for a missing `=`, an unknown name (including `dangling`, which the prune
 *         mode decides), a bad value, or a second `until` or `unused-for`.
 */
export function parseFilterArgs(args: readonly string[], options: ParseUntilOptions = {}): PruneFilters {
  let until: UntilFilter | undefined;
  let unusedFor: UnusedForFilter | undefined;
  const labels: LabelFilter[] = [];
  const sources: SourceFilter[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg === '') continue;
    const eq = arg.indexOf('=');
    if (eq < 0) {
      throw new InvalidInputError(`Invalid filter "${arg}": expected name=value; ${ACCEPTED_TEXT}`);
    }
    const name = arg.slice(0, eq).trim().toLowerCase();
    const value = arg.slice(eq + 1).trim();
    switch (name) {
      case 'until': {
        const parsed = parseUntil(value, options);
        if (until !== undefined) {
          throw new InvalidInputError(`Only one until filter is allowed, got "until=${until.raw}" and "until=${parsed.raw}"`);
        }
        until = parsed;
        break;
      }
      case 'unused-for': {
        const parsed = parseUnusedFor(value);
        if (unusedFor !== undefined) {
          throw new InvalidInputError(`Only one unused-for filter is allowed, got "unused-for=${unusedFor.raw}" and "unused-for=${parsed.raw}"`);
        }
        unusedFor = parsed;
        break;
      }
      case 'label':
      case 'label!': {
        const f = parseLabelFilter(value, name === 'label!');
        const id = `${name}\u0000${labelFilterValue(f)}`;
        if (!seen.has(id)) {
          seen.add(id);
          labels.push(f);
        }
        break;
      }
      case 'source':
      case 'source!': {
        const f = parseSourceFilter(value, name === 'source!');
        const id = sourceFilterText(f);
        if (!seen.has(id)) {
          seen.add(id);
          sources.push(f);
        }
        break;
      }
      case 'dangling':
        throw new InvalidInputError(`Filter "${arg}" is not accepted here: choose dangling-only or all unused images with the prune mode; ${ACCEPTED_TEXT}`);
      default:
        throw new InvalidInputError(`Unknown filter "${name}" in "${arg}": ${ACCEPTED_TEXT}`);
    }
  }
  return { ...(until === undefined ? {} : { until }), labels, ...(unusedFor === undefined ? {} : { unusedFor }), ...(sources.length ? { sources } : {}) };
}
