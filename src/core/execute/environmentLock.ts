import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerPruneError } from '../errors';

const held = new Set<string>();

export interface EnvironmentLock {
  release(): void;
}

/**
 * One prune at a time per environment: within this process (the extension's tree, palette and scheduler) and
 * across processes on this machine (the extension and a cron-run CLI), through an exclusive lock file that
 * names its owner. A lock left by a process that no longer exists is taken over.
 */
export function acquireEnvironmentLock(environmentKey: string, lockDir = defaultLockDir()): EnvironmentLock {
  if (held.has(environmentKey)) {
    throw new DockerPruneError('busy', `A prune is already running on ${environmentKey}. Wait for it to finish (or cancel it), then try again.`);
  }
  fs.mkdirSync(lockDir, { recursive: true });
  const file = path.join(lockDir, createHash('sha256').update(environmentKey).digest('hex').slice(0, 24) + '.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), environment: environmentKey, since: new Date().toISOString() }));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(e, environmentKey, file);
      const owner = readOwner(file);
      if (owner && owner.host === os.hostname() && isAlive(owner.pid)) {
        throw new DockerPruneError(
          'busy',
          `A prune is already running on ${environmentKey} (process ${owner.pid}, since ${owner.since}). Wait for it to finish, then try again.`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  held.add(environmentKey);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      held.delete(environmentKey);
      fs.rmSync(file, { force: true });
    },
  };
}

function defaultLockDir(): string {
  return path.join(os.tmpdir(), `docker-prune-locks-${os.userInfo().uid}`);
}

function readOwner(file: string): { pid: number; host: string; since: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockError(e: unknown, environmentKey: string, file: string): DockerPruneError {
  if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
    return new DockerPruneError('busy', `A prune is already running on ${environmentKey}. Wait for it to finish, then try again.`);
  }
  return new DockerPruneError('permission-denied', `Cannot create the prune lock ${file}: ${(e as Error).message}`);
}
