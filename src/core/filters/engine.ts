/** PruneFilters → what the engine's `POST /images/prune?filters=` takes, and engine-form strings. */
import type { PruneFilters, PruneMode } from '../model';
import { labelFilterValue } from './labels';

/**
 * The JSON object for `POST /images/prune?filters=` (the list form every engine version accepts).
 * `dangling` names what the engine may prune: `true` = dangling images only, `false` = all unused.
 */
export function toEngineFilters(mode: PruneMode, filters: PruneFilters): Record<string, string[]> {
  const out: Record<string, string[]> = { dangling: [mode === 'dangling' ? 'true' : 'false'] };
  if (filters.until !== undefined) out.until = [filters.until.engineValue];
  const label = unique(filters.labels.filter((f) => !f.negate).map(labelFilterValue));
  const notLabel = unique(filters.labels.filter((f) => f.negate).map(labelFilterValue));
  if (label.length > 0) out.label = label;
  if (notLabel.length > 0) out['label!'] = notLabel;
  return out;
}

/** `["until=168h", "label=a=b", "label!=keep"]`: engine-form filter strings (for the audit log). */
export function engineFilterStrings(filters: PruneFilters): string[] {
  const out: string[] = [];
  if (filters.until !== undefined) out.push(`until=${filters.until.engineValue}`);
  for (const f of filters.labels) out.push(`${f.negate ? 'label!' : 'label'}=${labelFilterValue(f)}`);
  return unique(out);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
