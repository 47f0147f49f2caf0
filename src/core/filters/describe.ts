/** Human-readable filters for previews, messages and the audit log. */
import type { PruneFilters } from '../model';
import { labelFilterValue } from './labels';
import { sourceFilterText } from './source';

/** E.g. `until=7d, label=team=web, label!=keep, unused-for=14d`, as the user wrote them; `none` when there are none. */
export function describeFilters(filters: PruneFilters): string {
  const parts: string[] = [];
  if (filters.until !== undefined) parts.push(`until=${filters.until.raw}`);
  for (const f of filters.labels) parts.push(`${f.negate ? 'label!' : 'label'}=${labelFilterValue(f)}`);
  if (filters.unusedFor !== undefined) parts.push(`unused-for=${filters.unusedFor.raw}`);
  for (const f of filters.sources ?? []) parts.push(sourceFilterText(f));
  return parts.length === 0 ? 'none' : parts.join(', ');
}
