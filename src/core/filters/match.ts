/** Does one image pass the filters (may it be pruned), as the engine decides. */
import type { ImageRecord, PruneFilters } from '../model';
import { matchesLabelFilters } from './labels';
import { matchesUntil } from './until';

/**
 * The engine's order: an image created after `until` is kept; then, only if the image has a config
 * (`labels !== null`), the label filters decide.
 */
export function matchesPruneFilters(filters: PruneFilters, image: Pick<ImageRecord, 'createdNs' | 'labels'>, daemonNowNs: bigint): boolean {
  return matchesUntil(filters.until, image.createdNs, daemonNowNs) && matchesLabelFilters(filters.labels, image.labels);
}
