/**
 * Parses the engine's RFC3339Nano timestamps (`2024-01-02T03:04:05.123456789Z`, offsets allowed) into
 * nanoseconds since the epoch, keeping the nanoseconds that `Date` would drop. Undefined when unparseable.
 */
export function parseEngineTime(value: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  return BigInt(ms) * 1_000_000n + frac;
}
