/**
 * Sizes, counts and ages for people to read, in a given locale (a BCP 47 tag such as `en` or `de`).
 * The CLI passes nothing and prints English; the extension passes VS Code's display language.
 */

const formats = new Map<string, Intl.NumberFormat>();

/** One cached Intl.NumberFormat per locale and options; a tag Intl does not know falls back to English. */
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, options);
    } catch {
      f = new Intl.NumberFormat('en', options);
    }
    formats.set(key, f);
  }
  return f;
}

function relativeTimeFormat(locale: string, numeric: 'always' | 'auto'): Intl.RelativeTimeFormat {
  try {
    return new Intl.RelativeTimeFormat(locale, { numeric });
  } catch {
    return new Intl.RelativeTimeFormat('en', { numeric });
  }
}

/** Bytes as people read disk sizes (and as Docker prints them): decimal units, three significant digits. */
export function formatBytes(bytes: number, locale = 'en'): string {
  if (!Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  let n = Math.abs(bytes);
  const plain = numberFormat(locale, { useGrouping: false, maximumFractionDigits: 3 });
  if (n < 1000) return `${sign}${plain.format(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let u = -1;
  while (n >= 999.5 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${sign}${plain.format(Number(n.toPrecision(3)))} ${units[u]}`;
}

/** A count as the locale writes it: 1,234 in English, 1.234 in German. */
export function formatCount(n: number, locale = 'en'): string {
  return numberFormat(locale, {}).format(n);
}

/** 80 → "80%" in English, "80 %" in German. */
export function formatPercent(percent: number, locale = 'en'): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(percent / 100);
}

type AgeUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** The largest unit that fits the time between `thenNs` and `nowNs`, and how many of it (rounded down). */
function ageParts(thenNs: bigint, nowNs: bigint): { seconds: number; count: number; unit: AgeUnit } {
  const seconds = Number((nowNs - thenNs) / 1_000_000_000n);
  const steps: Array<[number, AgeUnit]> = [
    [1, 'second'],
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [7 * 86400, 'week'],
    [30 * 86400, 'month'],
    [365 * 86400, 'year'],
  ];
  let [size, unit] = steps[0]!;
  for (const [s, name] of steps) if (seconds >= s) [size, unit] = [s, name];
  return { seconds, count: Math.floor(seconds / size), unit };
}

/** "3 days", "5 hours", "2 months" ("3 Tage" in German) — how long ago `thenNs` was, seen from `nowNs`. */
export function formatAge(thenNs: bigint, nowNs: bigint, locale = 'en'): string {
  const { seconds, count, unit } = ageParts(thenNs, nowNs);
  if (seconds <= 1) return relativeTimeFormat(locale, 'auto').format(0, 'second');
  return numberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(count);
}

/** "3 days ago" ("vor 3 Tagen" in German): the same age as formatAge, as a point in the past. */
export function formatAgo(thenNs: bigint, nowNs: bigint, locale = 'en'): string {
  const { seconds, count, unit } = ageParts(thenNs, nowNs);
  if (seconds <= 1) return relativeTimeFormat(locale, 'auto').format(0, 'second');
  return relativeTimeFormat(locale, 'always').format(-count, unit);
}

export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `5000000000`, `5GB`, `500 MiB`, `1.5tb` → bytes (decimal and binary units, case-insensitive); undefined otherwise. */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? BYTE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}
