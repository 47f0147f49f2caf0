import type { ApiEvent } from './apiTypes';

/** The time of an event in ns since the epoch (`timeNano` as read exactly, else `time` in seconds). */
export function eventTimeNs(e: ApiEvent): bigint | undefined {
  if (typeof e.timeNs === 'bigint' && e.timeNs > 0n) return e.timeNs;
  if (typeof e.timeNano === 'number' && e.timeNano > 0) return BigInt(e.timeNano);
  if (typeof e.time === 'number' && e.time > 0) return BigInt(e.time) * 1_000_000_000n;
  return undefined;
}
