export { parseGoDuration, parseExtendedDuration, formatGoDurationHours, type ParsedDuration } from './duration';
export { parseEngineTimestamp, formatRfc3339Utc, type ParsedTimestamp } from './timestamp';
export { parseUntil, resolveUntil, matchesUntil, UNTIL_FORMS, type ParseUntilOptions } from './until';
export { parseLabelFilter, labelFilterValue, matchKVList, matchesLabelFilters } from './labels';
export { parseFilterArgs, ACCEPTED_FILTERS } from './parse';
export { toEngineFilters, engineFilterStrings } from './engine';
export { describeFilters } from './describe';
export { matchesPruneFilters } from './match';
export { parseUnusedFor, matchesUnusedFor, UNUSED_FOR_FORMS } from './unusedFor';
