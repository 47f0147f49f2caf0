import * as fs from 'fs';
import * as path from 'path';
import type { ApiBuildCacheRecord } from '../engine/apiTypes';
import type { DockerEngine } from '../engine/dockerEngine';
import { parseEngineTime } from '../snapshot/engineTime';
import type { BuildCacheRecord, BuildCacheSnapshot } from './model';

/** Reads one engine's build cache. Podman has none to show (its builds keep no BuildKit cache): an empty list. */
export async function readBuildCache(engine: DockerEngine): Promise<BuildCacheSnapshot> {
  const profile = await engine.profile();
  const [info, raw] = await Promise.all([engine.info(), profile.product === 'podman' ? Promise.resolve([]) : engine.buildCacheRecords(profile.apiVersion)]);
  const daemonNowNs = (info.SystemTime && parseEngineTime(info.SystemTime)) || BigInt(Date.now()) * 1_000_000n;
  return {
    environment: engine.endpoint.name,
    profile,
    daemonNowNs,
    records: raw.map(toRecord),
    diskFreeBytes: engine.endpoint.kind === 'unix' ? localFreeBytes(profile.rootDir) : undefined,
  };
}

function toRecord(r: ApiBuildCacheRecord): BuildCacheRecord {
  const parents = r.Parents ?? r[' Parents'] ?? (r.Parent ? [r.Parent] : []);
  return {
    id: r.ID,
    type: r.Type || 'regular',
    description: r.Description ?? '',
    inUse: Boolean(r.InUse),
    shared: Boolean(r.Shared),
    size: Math.max(0, r.Size ?? 0),
    parents,
    createdNs: r.CreatedAt ? parseEngineTime(r.CreatedAt) : undefined,
    lastUsedNs: r.LastUsedAt ? parseEngineTime(r.LastUsedAt) : undefined,
    usageCount: r.UsageCount ?? 0,
  };
}

/** Free bytes where a local engine keeps its build cache (`<root>/buildkit`), if this process can see it. */
function localFreeBytes(rootDir: string | undefined): number | undefined {
  if (!rootDir) return undefined;
  try {
    const st = fs.statfsSync(path.join(rootDir, 'buildkit'));
    return Number(st.bavail) * Number(st.bsize);
  } catch {
    return undefined;
  }
}
