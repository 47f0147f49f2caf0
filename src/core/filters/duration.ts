/**
 * Go durations, parsed exactly as Go's `time.ParseDuration` does (the engine runs every `until`
 * value through it first), plus the friendlier `d` (day) and `w` (week) units the engine does not
 * know, which we translate to hours before anything reaches the engine.
 */

const NS = 1n;
const US = 1_000n;
const MS = 1_000_000n;
const S = 1_000_000_000n;
const M = 60n * S;
const H = 60n * M;
const D = 24n * H;
const W = 7n * D;

/** The units `time.ParseDuration` accepts (µ is U+00B5 MICRO SIGN, μ is U+03BC GREEK SMALL LETTER MU). */
const GO_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NS],
  ['us', US],
  ['\u00b5s', US],
  ['\u03bcs', US],
  ['ms', MS],
  ['s', S],
  ['m', M],
  ['h', H],
]);

const EXTENDED_UNITS: ReadonlyMap<string, bigint> = new Map([...GO_UNITS, ['d', D], ['w', W]]);

const TWO_63 = 1n << 63n;
const MAX_FRACTION_DIGITS = 18;

export interface ParsedDuration {
  /** Nanoseconds, within Go's int64 range. */
  readonly ns: bigint;
  /** Whether a `d` or `w` unit was used (the value then needs translating for the engine). */
  readonly extended: boolean;
}

/**
 * Port of Go's `time.ParseDuration`, with an optional extended unit table. Returns undefined where Go
 * returns an error, and also at the two edges where Go versions disagree (see below), so that whatever
 * we accept, every engine reads the same. Fractions are computed with float64 arithmetic, as Go
 * does (`uint64(float64(f) * (float64(unit) / scale))`), so `1.1h` and the like give Go's nanoseconds.
 */
function parseDurationWith(orig: string, units: ReadonlyMap<string, bigint>): ParsedDuration | undefined {
  let s = orig;
  let neg = false;
  let extended = false;
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  // Special case: if all that is left is "0", this is zero.
  if (s === '0') return { ns: 0n, extended: false };
  if (s === '') return undefined;

  let d = 0n;
  while (s !== '') {
    // The next character must be [0-9.]
    if (!(s[0] === '.' || isDigit(s[0]))) return undefined;

    // Consume [0-9]*
    let i = 0;
    let v = 0n;
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > TWO_63 / 10n) return undefined; // overflow
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) return undefined; // overflow
    }
    const pre = i > 0;
    s = s.slice(i);

    // Consume (\.[0-9]*)?
    let post = false;
    let f = 0n;
    let scale = 1; // float64, as in Go
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > TWO_63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      // Older Go (≤ 1.11) read the fraction with leadingInt and failed past 18 digits; refuse those.
      if (j > MAX_FRACTION_DIGITS) return undefined;
      s = s.slice(j);
    }
    if (!pre && !post) return undefined; // no digits (e.g. ".s" or "-.s")

    // Consume unit: everything up to the next '.' or digit.
    let k = 0;
    for (; k < s.length; k++) {
      if (s[k] === '.' || isDigit(s[k])) break;
    }
    if (k === 0) return undefined; // missing unit
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = units.get(u);
    if (unit === undefined) return undefined; // unknown unit
    if (u === 'd' || u === 'w') extended = true;

    if (v > TWO_63 / unit) return undefined; // overflow
    v *= unit;
    if (f > 0n) {
      // float64 is needed to be nanosecond accurate for fractions of hours (Go's comment).
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) return undefined;
    }
    d += v;
    if (d > TWO_63) return undefined;
  }
  // Go ≥ 1.15 accepts exactly −2^63 for a negative duration, older Go (which some 20.10 engines were
  // built with) refuses it: we refuse it too, so |d| ≤ 2^63 − 1 whatever the engine.
  if (d > TWO_63 - 1n) return undefined;
  if (neg) return { ns: -d, extended };
  return { ns: d, extended };
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Exactly Go's `time.ParseDuration`: nanoseconds, or undefined where Go fails. */
export function parseGoDuration(value: string): bigint | undefined {
  return parseDurationWith(value, GO_UNITS)?.ns;
}

/** Go's grammar with the `d` (24h) and `w` (168h) units added, e.g. `7d`, `2w`, `1d12h`, `1.5d`. */
export function parseExtendedDuration(value: string): ParsedDuration | undefined {
  return parseDurationWith(value, EXTENDED_UNITS);
}

/**
 * A Go duration string in hours (e.g. `168h`, `36h`, `24h30m`, `1h0m1.5s`) that `time.ParseDuration`
 * turns back into exactly `ns`. Never returns the bare `0`, which the engine would read as a timestamp.
 */
export function formatGoDurationHours(ns: bigint): string {
  const neg = ns < 0n;
  let rest = neg ? -ns : ns;
  const h = rest / H;
  rest -= h * H;
  const m = rest / M;
  rest -= m * M;
  const sec = rest / S;
  const frac = rest - sec * S;
  let out = `${h}h`;
  if (m > 0n || sec > 0n || frac > 0n) out += `${m}m`;
  if (sec > 0n || frac > 0n) {
    out += `${sec}`;
    if (frac > 0n) out += '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
    out += 's';
  }
  return (neg && ns !== 0n ? '-' : '') + out;
}
