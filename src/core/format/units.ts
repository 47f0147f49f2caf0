/** Bytes as people read disk sizes (and as Docker prints them): decimal units, three significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  let n = Math.abs(bytes);
  if (n < 1000) return `${sign}${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let u = -1;
  while (n >= 999.5 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${sign}${Number(n.toPrecision(3))} ${units[u]}`;
}

/** "3 days", "5 hours", "2 months" — how long ago `thenNs` was, seen from `nowNs`. */
export function formatAge(thenNs: bigint, nowNs: bigint): string {
  const seconds = Number((nowNs - thenNs) / 1_000_000_000n);
  if (seconds < 60) return seconds <= 1 ? 'just now' : `${seconds} seconds`;
  const steps: Array<[number, string]> = [
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [7 * 86400, 'week'],
    [30 * 86400, 'month'],
    [365 * 86400, 'year'],
  ];
  let label = 'minute';
  let size = 60;
  for (const [s, name] of steps) if (seconds >= s) [size, label] = [s, name];
  const count = Math.floor(seconds / size);
  return `${count} ${label}${count === 1 ? '' : 's'}`;
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
