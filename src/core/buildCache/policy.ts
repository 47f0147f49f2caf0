/**
 * A build-cache prune's options: parsed from what a user typed (CLI flags, settings), checked against what the
 * engine's API version accepts, and turned into the query of `POST /build/prune`.
 */
import { InvalidInputError } from '../errors';
import { parseUntil } from '../filters';
import type { PruneMode, UntilFilter } from '../model';
import type { BuildCachePolicy, BuildCacheSpaceLimits } from './model';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * A size as the Docker CLI reads `--keep-storage` (go-units RAMInBytes): a number and an optional binary unit,
 * `512MB`, `10g`, `1.5GiB`, `2048`. @throws InvalidInputError naming the flag.
 */
export function parseByteSize(flag: string, input: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(input.trim());
  if (!m || (m[2] === '' && m[3] && m[3].toLowerCase() !== 'b')) {
    throw new InvalidInputError(`Invalid ${flag} "${input}": use a size such as 512MB, 10GB or 2048 (bytes; units are powers of 1024, as in the docker CLI).`);
  }
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new InvalidInputError(`Invalid ${flag} "${input}": too large.`);
  return bytes;
}

export interface BuildCacheOptionsInput {
  readonly all?: boolean;
  /** `until=…` or `unused-for=…` (the same filter to the engine), at most one. */
  readonly filters?: readonly string[];
  readonly keepStorage?: string;
  readonly reservedSpace?: string;
  readonly maxUsedSpace?: string;
  readonly minFreeSpace?: string;
}

const BUILD_CACHE_FILTERS = 'until=DURATION|TIMESTAMP, unused-for=DURATION';

export function parseBuildCachePolicy(input: BuildCacheOptionsInput): BuildCachePolicy {
  let until: UntilFilter | undefined;
  for (const f of input.filters ?? []) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f.trim() : f.slice(0, eq).trim();
    if (key !== 'until' && key !== 'unused-for') {
      throw new InvalidInputError(`Invalid build cache filter "${f}": the build cache takes ${BUILD_CACHE_FILTERS}.`);
    }
    if (until) throw new InvalidInputError('Give one until (or unused-for) filter: the engine takes one.');
    until = parseUntil(f.slice(eq + 1));
  }
  if (input.keepStorage !== undefined && input.reservedSpace !== undefined) {
    throw new InvalidInputError('--keep-storage and --reserved-space are the same limit (the engine renamed it in API 1.48): give one.');
  }
  const size = (flag: string, v: string | undefined) => (v === undefined ? undefined : parseByteSize(flag, v));
  const space: BuildCacheSpaceLimits = {
    reservedSpace: size('--keep-storage', input.keepStorage) ?? size('--reserved-space', input.reservedSpace),
    maxUsedSpace: size('--max-used-space', input.maxUsedSpace),
    minFreeSpace: size('--min-free-space', input.minFreeSpace),
  };
  const mode: PruneMode = input.all ? 'all' : 'dangling';
  return { mode, until, space: dropUnset(space) };
}

function dropUnset(space: BuildCacheSpaceLimits): BuildCacheSpaceLimits {
  return Object.fromEntries(Object.entries(space).filter(([, v]) => v !== undefined && v !== 0)) as BuildCacheSpaceLimits;
}

/**
 * The instant `until` cuts at, as the engine computes it (moby builder-next `toBuildkitPruneInfo`: a duration is
 * taken back from now to the nanosecond, then BuildKit keeps records last used after `now − that`).
 */
export function resolveBuildCacheUntil(filter: UntilFilter, daemonNowNs: bigint): bigint {
  if (filter.kind === 'duration') return daemonNowNs - (filter.durationNs ?? 0n);
  return filter.instantNs ?? 0n;
}

/** API 1.48 (Docker 28) brought `reserved-space`, `max-used-space` and `min-free-space`; before it only `keep-storage`. */
function hasSpaceLimitsApi(apiVersion: string): boolean {
  const [major, minor] = apiVersion.split('.').map(Number);
  return (major ?? 0) > 1 || ((major ?? 0) === 1 && (minor ?? 0) >= 48);
}

/** @throws InvalidInputError when the engine's API cannot take the policy's limits. */
export function assertSupported(policy: BuildCachePolicy, apiVersion: string, environment: string): void {
  if (hasSpaceLimitsApi(apiVersion)) return;
  if (policy.space.maxUsedSpace || policy.space.minFreeSpace) {
    throw new InvalidInputError(
      `${environment} speaks Engine API ${apiVersion}: --max-used-space and --min-free-space need API 1.48 (Docker 28). Use --keep-storage.`,
    );
  }
}

/** The query of the engine's own `POST /build/prune` for this policy (what `docker builder prune` sends). */
export function enginePruneQuery(policy: BuildCachePolicy, apiVersion: string): Record<string, string> {
  const q: Record<string, string> = {};
  if (policy.mode === 'all') q.all = '1';
  if (policy.until) q.filters = JSON.stringify({ until: [policy.until.engineValue] });
  const { reservedSpace, maxUsedSpace, minFreeSpace } = policy.space;
  const modern = hasSpaceLimitsApi(apiVersion);
  if (reservedSpace) q[modern ? 'reserved-space' : 'keep-storage'] = String(reservedSpace);
  if (modern && maxUsedSpace) q['max-used-space'] = String(maxUsedSpace);
  if (modern && minFreeSpace) q['min-free-space'] = String(minFreeSpace);
  return q;
}

/**
 * The query that removes exactly these records and nothing else: `all` (so the rules were applied by the plan)
 * and an anchored `id` pattern. BuildKit still leaves a record that a build took up since the preview.
 */
export function pinnedPruneQuery(ids: readonly string[]): Record<string, string> {
  for (const id of ids) if (!/^[A-Za-z0-9]+$/.test(id)) throw new InvalidInputError(`Unexpected build cache record id "${id}".`);
  return { all: '1', filters: JSON.stringify({ id: [`^(${ids.join('|')})$`] }) };
}

/** `all`, `until=…`, `keep-storage=…`: the options as the audit log and the CLI name them. */
export function policyStrings(policy: BuildCachePolicy): string[] {
  const out: string[] = [];
  if (policy.until) out.push(`until=${policy.until.engineValue}`);
  const { reservedSpace, maxUsedSpace, minFreeSpace } = policy.space;
  if (reservedSpace) out.push(`reserved-space=${reservedSpace}`);
  if (maxUsedSpace) out.push(`max-used-space=${maxUsedSpace}`);
  if (minFreeSpace) out.push(`min-free-space=${minFreeSpace}`);
  return out;
}
