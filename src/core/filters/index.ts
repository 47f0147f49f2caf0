export { parseGoDuration, parseExtendedDuration, formatGoDurationHours } from './duration';
export { formatRfc3339Utc } from './timestamp';
export { parseUntil, resolveUntil, matchesUntil } from './until';
export { matchesLabelFilters } from './labels';
export { parseFilterArgs } from './parse';
export { toEngineFilters, engineFilterStrings } from './engine';
export { describeFilters } from './describe';
export { matchesPruneFilters } from './match';
export { parseUnusedFor } from './unusedFor';
