/**
 * Absolute `until` values, parsed as the engine's `timetypes.GetTimestamp` + `ParseTimestamps`
 * (moby 20.10 `pkg/timetypes`, later `api/types/time`) do once `time.ParseDuration` has failed.
 *
 * The layout is chosen from the text, not tried in turn:
 * - "local" unless the value contains `z`, `Z` or `+`, or has exactly three `-`;
 * - contains `.`  → `2006-01-02T15:04:05.999999999` (local) / RFC3339Nano;
 * - contains `T`  → by the number of `:` in it (less one for a `±hh:mm` zone):
 *                   `2006-01-02T15`, `2006-01-02T15:04`, `2006-01-02T15:04:05` (local), the same
 *                   followed by `Z07:00` (zoned; 2 colons = RFC3339);
 * - otherwise     → `2006-01-02` (local) / `2006-01-02Z07:00`.
 * If that layout does not parse: a value with a `-` is an error, anything else must be unix seconds
 * with an optional fraction (`strconv.ParseInt` on both halves).
 *
 * Local time: the engine parses in `time.FixedZone(reference.Zone())`, i.e. the daemon's UTC offset
 * *at the moment of the prune*, not the zone's rules on the parsed date (in winter a July date is read
 * with the winter offset). We run on the client and use the process' local zone (the TZ environment
 * variable as Node honours it) with that same rule: the offset in force at `referenceMs`.
 *
 * Where Go's behaviour differs between the Go versions engines were built with, or lets out-of-range
 * input through, we refuse rather than guess (refusing is harmless, a wrong instant is not):
 * more than 9 fraction digits, zone offsets beyond ±23:59, comma fractions, signs in the fraction of
 * unix seconds, and instants after year 9999 (Go's `time.Unix` misbehaves for huge seconds).
 */

const NS_PER_S = 1_000_000_000n;
/** 9999-12-31T23:59:59Z */
const MAX_UNIX_SECONDS = 253_402_300_799n;

export interface ParsedTimestamp {
  /** The instant, nanoseconds since the epoch. */
  readonly instantNs: bigint;
  /** Whether it was read in the local zone (the engine would read it in the daemon's zone instead). */
  readonly local: boolean;
}

const DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;
/** Go's `15` (stdHour) takes one or two digits. */
const HOUR = String.raw`(\d{1,2})`;
const MIN = String.raw`(\d{2})`;
const SEC = String.raw`(\d{2})`;
const FRAC = String.raw`(?:\.(\d{1,9}))?`;
const ZONE = String.raw`(Z|[+-]\d{2}:\d{2})`;

/** Groups: year, month, day, hour?, minute?, second?, fraction?, zone? (absent ones are undefined). */
function layout(parts: { t?: 0 | 1 | 2; frac?: boolean; zone: boolean }): RegExp {
  let re = DATE;
  const none = '()';
  if (parts.t === undefined) re += none + none + none;
  else if (parts.t === 0) re += `T${HOUR}` + none + none;
  else if (parts.t === 1) re += `T${HOUR}:${MIN}` + none;
  else re += `T${HOUR}:${MIN}:${SEC}`;
  re += parts.frac ? FRAC : none;
  re += parts.zone ? ZONE : none;
  return new RegExp(`^${re}$`);
}

const LAYOUTS = {
  nanoLocal: layout({ t: 2, frac: true, zone: false }),
  nano: layout({ t: 2, frac: true, zone: true }),
  hourLocal: layout({ t: 0, zone: false }),
  minuteLocal: layout({ t: 1, zone: false }),
  secondLocal: layout({ t: 2, zone: false }),
  hourZone: layout({ t: 0, zone: true }),
  minuteZone: layout({ t: 1, zone: true }),
  secondZone: layout({ t: 2, zone: true }),
  dateLocal: layout({ zone: false }),
  dateZone: layout({ zone: true }),
} as const;

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}

/**
 * The engine's reading of an absolute `until` value, or undefined where the engine (or our stricter
 * subset, see above) refuses it. Call only after the value failed as a Go duration, or is `0`.
 * `referenceMs` picks the local UTC offset (the engine's "now").
 */
export function parseEngineTimestamp(value: string, referenceMs: number): ParsedTimestamp | undefined {
  const parseInLocation = !/[zZ+]/.test(value) && count(value, '-') !== 3;

  let re: RegExp;
  if (value.includes('.')) {
    re = parseInLocation ? LAYOUTS.nanoLocal : LAYOUTS.nano;
  } else if (value.includes('T')) {
    let tcolons = count(value, ':');
    if (!parseInLocation && !/[zZ]/.test(value) && tcolons > 0) tcolons--;
    if (parseInLocation) {
      re = tcolons === 0 ? LAYOUTS.hourLocal : tcolons === 1 ? LAYOUTS.minuteLocal : LAYOUTS.secondLocal;
    } else {
      re = tcolons === 0 ? LAYOUTS.hourZone : tcolons === 1 ? LAYOUTS.minuteZone : LAYOUTS.secondZone;
    }
  } else {
    re = parseInLocation ? LAYOUTS.dateLocal : LAYOUTS.dateZone;
  }

  const m = re.exec(value);
  if (m) {
    const offsetSeconds = parseInLocation ? localOffsetSeconds(referenceMs) : zoneOffsetSeconds(m[8]);
    if (offsetSeconds === undefined) return undefined;
    const instantNs = civilToNs(m, offsetSeconds);
    return instantNs === undefined ? undefined : { instantNs, local: parseInLocation };
  }
  // "if there is a `-` then it's an RFC3339 like timestamp" and the engine gives up.
  if (value.includes('-')) return undefined;
  const unix = parseUnixSeconds(value);
  return unix === undefined ? undefined : { instantNs: unix, local: false };
}

/** `strconv.ParseInt` on both sides of the first `.`; seconds may carry a `+`, as ParseInt allows. */
function parseUnixSeconds(value: string): bigint | undefined {
  const m = /^\+?(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!m) return undefined;
  const seconds = BigInt(m[1]);
  if (seconds > MAX_UNIX_SECONDS) return undefined;
  // ParseTimestamps scales a short fraction up: `.5` is 500000000ns (exact for ≤ 9 digits).
  const nanos = m[2] === undefined ? 0n : BigInt(m[2]) * 10n ** BigInt(9 - m[2].length);
  return seconds * NS_PER_S + nanos;
}

/** UTC offset (seconds east) of the process' local zone at the given instant. */
function localOffsetSeconds(atMs: number): number {
  return -new Date(atMs).getTimezoneOffset() * 60;
}

function zoneOffsetSeconds(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const hh = Number(zone.slice(1, 3));
  const mm = Number(zone.slice(4, 6));
  if (hh > 23 || mm > 59) return undefined;
  const off = (hh * 60 + mm) * 60;
  return zone[0] === '-' ? -off : off;
}

function civilToNs(m: RegExpExecArray, offsetSeconds: number): bigint | undefined {
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] ? Number(m[4]) : 0;
  const minute = m[5] ? Number(m[5]) : 0;
  const second = m[6] ? Number(m[6]) : 0;
  // Go's range checks: month, day within the month, hour < 24, minute and second < 60.
  if (month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const frac = m[7] ? BigInt(m[7]) * 10n ** BigInt(9 - m[7].length) : 0n;
  const wallSeconds = daysFromCivil(year, month, day) * 86_400n + BigInt(hour * 3600 + minute * 60 + second);
  return (wallSeconds - BigInt(offsetSeconds)) * NS_PER_S + frac;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): bigint {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return BigInt(era * 146_097 + doe - 719_468);
}

/**
 * RFC3339 in UTC (`2024-01-31T05:00:00Z`, `…​.5Z`): how we hand the engine an instant we computed in
 * the client's zone, so a daemon in another zone (a remote host, Docker Desktop's VM) reads the same
 * instant. Undefined when the instant is outside years 0000–9999 (Go's layout cannot express it).
 */
export function formatRfc3339Utc(instantNs: bigint): string | undefined {
  const seconds = floorDiv(instantNs, NS_PER_S);
  const nanos = instantNs - seconds * NS_PER_S;
  const days = floorDiv(seconds, 86_400n);
  const secOfDay = Number(seconds - days * 86_400n);
  const { y, m, d } = civilFromDays(Number(days));
  if (y < 0 || y > 9999) return undefined;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const hh = Math.floor(secOfDay / 3600);
  const mi = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  let out = `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}T${p2(hh)}:${p2(mi)}:${p2(ss)}`;
  if (nanos > 0n) out += '.' + nanos.toString().padStart(9, '0').replace(/0+$/, '');
  return out + 'Z';
}

function civilFromDays(z0: number): { y: number; m: number; d: number } {
  const z = z0 + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Floor division for bigints (BigInt `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
