/**
 * The `until` filter: parse what the user wrote, and compute the cut-off instant exactly as the engine
 * does (`daemon/images/image_prune.go` getUntilFromPruneFilters → `timetypes.GetTimestamp` →
 * `ParseTimestamps` → `time.Unix`).
 */
import { InvalidInputError } from '../errors';
import type { UntilFilter } from '../model';
import { formatGoDurationHours, parseExtendedDuration, parseGoDuration } from './duration';
import { floorDiv, formatRfc3339Utc, parseEngineTimestamp } from './timestamp';

const NS_PER_S = 1_000_000_000n;
const INT64_MIN = -(1n << 63n);

const UNTIL_FORMS =
  'use a duration (10m, 1h30m, 240h, 7d, 2w), unix seconds (1700000000[.nanos]), ' +
  'or a date/time (2024-01-31, 2024-01-31T15:04:05, RFC3339 such as 2024-01-31T15:04:05Z)';

export interface ParseUntilOptions {
  /**
   * The "now" whose local UTC offset reads zone-less dates (the engine uses the daemon's offset at the
   * moment of the prune). Default: `Date.now()`.
   */
  readonly referenceMs?: number;
}

/**
 * Parses an `until` value. Surrounding whitespace is ignored (as the Docker CLI trims filter values).
 * @throws InvalidInputError naming the value and the accepted forms.
 */
export function parseUntil(input: string, options: ParseUntilOptions = {}): UntilFilter {
  const raw = input.trim();
  // 1. A Go duration, as the engine tries first; but never the bare `0` (the engine reads it as unix 0).
  if (raw !== '0') {
    const ns = parseGoDuration(raw);
    if (ns !== undefined) return { raw, engineValue: raw, kind: 'duration', durationNs: ns };
    // 2. Our days/weeks extension, translated to hours for the engine.
    const ext = parseExtendedDuration(raw);
    if (ext !== undefined) {
      const engineValue = formatGoDurationHours(ext.ns);
      // Self-check: the engine must read back exactly the same duration.
      if (parseGoDuration(engineValue) !== ext.ns) throw invalid(raw);
      return { raw, engineValue, kind: 'duration', durationNs: ext.ns };
    }
  }
  // 3. An absolute instant: a date/time or unix seconds.
  const ts = parseEngineTimestamp(raw, options.referenceMs ?? Date.now());
  if (ts === undefined) throw invalid(raw);
  if (!ts.local) return { raw, engineValue: raw, kind: 'timestamp', instantNs: ts.instantNs };
  // A zone-less value was read in *our* zone; the daemon would read the raw text in *its* zone (a remote
  // host, Docker Desktop's VM in UTC), so hand it the instant instead.
  const engineValue = formatRfc3339Utc(ts.instantNs);
  if (engineValue === undefined) {
    throw new InvalidInputError(`Invalid until value "${raw}": the date is out of range (years 0000-9999)`);
  }
  return { raw, engineValue, kind: 'timestamp', instantNs: ts.instantNs };
}

function invalid(raw: string): InvalidInputError {
  return new InvalidInputError(`Invalid until value "${raw}": ${UNTIL_FORMS}`);
}

/**
 * The cut-off instant (ns since epoch) the engine computes for this filter given its clock.
 * Durations: `reference.Add(-d).Unix()`, i.e. now − d floored to whole seconds (Go negates the int64
 * duration, so the minimum duration wraps onto itself). Timestamps: the instant itself.
 */
export function resolveUntil(filter: UntilFilter, daemonNowNs: bigint): bigint {
  if (filter.kind === 'duration') {
    if (filter.durationNs === undefined) throw new TypeError(`until "${filter.raw}": duration without durationNs`);
    const negated = filter.durationNs === INT64_MIN ? INT64_MIN : -filter.durationNs;
    return floorDiv(daemonNowNs + negated, NS_PER_S) * NS_PER_S;
  }
  if (filter.instantNs === undefined) throw new TypeError(`until "${filter.raw}": timestamp without instantNs`);
  return filter.instantNs;
}

/**
 * Whether an image created at `createdNs` passes `until` (may be pruned). The engine skips an image
 * when `img.Created.After(until)`, so an image created exactly at the cut-off passes.
 */
export function matchesUntil(filter: UntilFilter | undefined, createdNs: bigint, daemonNowNs: bigint): boolean {
  if (filter === undefined) return true;
  return createdNs <= resolveUntil(filter, daemonNowNs);
}
