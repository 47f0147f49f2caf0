/**
 * One prune at a time per engine: whichever way it is reached (its unix socket, a docker context, a TCP or SSH
 * endpoint), by whichever process (the extension's tree, palette and scheduler, a cron-run CLI). The lock is keyed
 * by the engine's identity (see EngineProfile.engineId) and lives in the user's private lock folder (lockDirectory);
 * its record says who holds it, so a refused prune can say whom it waits for and what to do.
 */
import { createHash } from 'crypto';
import * as os from 'os';
import * as path from 'path';
import type { DockerEngine } from '../engine/dockerEngine';
import type { EngineProfile } from '../engine/engineProfile';
import { DockerPruneError, errorMessage } from '../errors';
import type { Trigger } from '../model';
import { lockDirectory } from './lockDirectory';
import { acquireLockFile, type LockFileOptions, type LockHolder } from './lockFile';

export interface EngineLock {
  readonly file: string;
  /** `engine:<id>`, or `endpoint:<label>` for an engine without an identity. */
  readonly key: string;
  /** The stale lock (holder gone) this one replaced. */
  readonly tookOver?: LockHolder;
  release(): void;
}

export interface EngineLockOptions extends LockFileOptions {
  /** The lock folder; default lockDirectory(). */
  readonly dir?: string;
}

/** What a prune lock's record says, besides the holder's pid, host and start time (see lockFile). */
export interface PruneLockDetails {
  readonly lock: 'docker-prune engine lock';
  readonly key: string;
  /** How the lock is keyed: the engine's identity, or (when it has none) the endpoint it was reached through. */
  readonly keyedBy: 'engine-id' | 'endpoint-label';
  readonly engineId?: string;
  readonly product: string;
  readonly user: string;
  readonly uid?: number;
  readonly trigger: Trigger;
  readonly since: string;
  /** The environment the prune came through: its name and endpoint. */
  readonly environment: string;
  readonly endpoint: string;
  readonly note?: string;
}

/** Which engine a lock (or a schedule claim) is about: its `/info` ID, else the endpoint reaching it. */
export function engineLockKey(profile: Pick<EngineProfile, 'engineId'>, endpointLabel: string): string {
  return profile.engineId ? `engine:${profile.engineId}` : `endpoint:${endpointLabel}`;
}

/**
 * Takes the prune lock of `engine`'s engine, or throws a `busy` DockerPruneError naming the lock file, its holder and
 * what to do. Asks the engine who it is (`/info`, cached in its profile) first.
 */
export async function acquireEngineLock(
  engine: Pick<DockerEngine, 'endpoint' | 'profile'>,
  trigger: Trigger,
  options: EngineLockOptions = {},
): Promise<EngineLock> {
  const profile = await engine.profile();
  const byId = profile.engineId !== '';
  const key = engineLockKey(profile, engine.endpoint.label);
  const details: PruneLockDetails = {
    lock: 'docker-prune engine lock',
    key,
    keyedBy: byId ? 'engine-id' : 'endpoint-label',
    engineId: byId ? profile.engineId : undefined,
    product: profile.product,
    user: userName(),
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    trigger,
    since: new Date().toISOString(),
    environment: engine.endpoint.name,
    endpoint: engine.endpoint.label,
    note: byId
      ? undefined
      : `The engine reports no ID: this lock is keyed by the endpoint ${engine.endpoint.label}, so the same engine reached through another endpoint is not covered by it.`,
  };
  const dir = options.dir ?? lockDirectory();
  const file = path.join(dir, `${byId ? 'engine' : 'endpoint'}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
  let attempt;
  try {
    attempt = acquireLockFile(file, { ...details }, options);
  } catch (e) {
    throw new DockerPruneError('permission-denied', `Cannot take the prune lock ${file}: ${errorMessage(e)}. Nothing was pruned.`, {
      endpoint: engine.endpoint.label,
      cause: e,
    });
  }
  if (!attempt.acquired) throw busyError(attempt.holder, engine.endpoint.label);
  const held = attempt.lock;
  return { file, key, tookOver: held.tookOver, release: () => held.release() };
}

/** The refusal: which engine, who holds it (pid, user, host, trigger, since, through which environment), where, and what to do. */
function busyError(holder: LockHolder, endpoint: string): DockerPruneError {
  const r = holder.record as (Partial<PruneLockDetails> & { pid: number; host: string }) | undefined;
  if (!r) {
    return new DockerPruneError(
      'busy',
      `Another prune holds the lock on this engine, but its lock file ${holder.file} has no readable record (${holder.why}). ` +
        `If no prune is running, delete that file and try again.`,
      { endpoint },
    );
  }
  const engine =
    r.keyedBy === 'endpoint-label'
      ? `no engine ID, locked by its endpoint ${r.endpoint}`
      : `${r.product === 'podman' ? 'Podman' : 'Docker'} engine ${r.engineId}`;
  const since = r.since ? `since ${r.since} (${ago(r.since)})` : 'since an unknown time';
  const who = `process ${r.pid} of user ${r.user ?? 'unknown'} on host ${r.host}`;
  const through = r.environment ? `, through environment "${r.environment}"${r.endpoint && r.endpoint !== r.environment ? ` (${r.endpoint})` : ''}` : '';
  const self = r.pid === process.pid && r.host === os.hostname() ? ' (this same window or process)' : '';
  return new DockerPruneError(
    'busy',
    `Another prune is already running on this engine (${engine}): ${who}${self}, trigger ${r.trigger ?? 'unknown'} (${triggerText(r.trigger)}), ${since}${through}. ` +
      `Lock file: ${holder.file} (${holder.why}). ` +
      `Wait for that prune to finish (or cancel it where it runs), then try again. If process ${r.pid} is stuck, stop it: a lock whose process is gone is taken over by the next prune.`,
    { endpoint },
  );
}

function triggerText(trigger: Trigger | undefined): string {
  switch (trigger) {
    case 'manual':
      return 'started by hand in VS Code';
    case 'auto':
      return "VS Code's auto-prune";
    case 'cli':
      return 'the docker-prune CLI';
    default:
      return 'not recorded';
  }
}

function ago(iso: string): string {
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return 'unknown';
  if (s < 120) return `${Math.max(0, s)} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || process.env.USERNAME || 'unknown';
  }
}
