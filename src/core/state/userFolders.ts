/**
 * Docker Prune's per-user folders, resolved in this one place for the CLI and the extension alike:
 * - state (the audit file, last-use records, auto-prune claims): `$XDG_STATE_HOME/docker-prune`, default
 *   `~/.local/state/docker-prune`; `%LOCALAPPDATA%\docker-prune` on Windows;
 * - cache (image details, immutable per id): `$XDG_CACHE_HOME/docker-prune`, default `~/.cache/docker-prune`;
 *   `%LOCALAPPDATA%\docker-prune\cache` on Windows;
 * - config (the CLI's config.json): `$XDG_CONFIG_HOME/docker-prune`, default `~/.config/docker-prune`;
 *   `%APPDATA%\docker-prune` on Windows (settings roam with the user; state and cache stay on the machine);
 * - locks: from the uid alone, never from the environment, so that every process of a user meets every other
 *   there (see lockDirectory.ts, which creates and checks it): `<home in the user database>/.cache/docker-prune/locks`,
 *   else `/tmp/docker-prune-<uid>`; `%LOCALAPPDATA%\docker-prune\locks` on Windows.
 * Only an absolute `XDG_*_HOME` counts (XDG Base Directory spec); a relative one is ignored.
 */
import * as os from 'os';
import * as path from 'path';

/** What the folders depend on; each defaults to this process's. */
export interface UserSystem {
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly home?: string;
}

export function stateDirectory(system: UserSystem = {}): string {
  return userFolder(system, 'XDG_STATE_HOME', ['.local', 'state'], []);
}

export function cacheDirectory(system: UserSystem = {}): string {
  return userFolder(system, 'XDG_CACHE_HOME', ['.cache'], ['cache']);
}

export function configDirectory(system: UserSystem = {}): string {
  return userFolder(system, 'XDG_CONFIG_HOME', ['.config'], [], 'APPDATA', ['AppData', 'Roaming']);
}

/**
 * Where the lock folder may go, in order of preference: the first the lock code can create safely is used. On POSIX
 * systems only the uid and its home in the user database count (`home` must come from there, never from `$HOME`).
 */
export function lockDirectoryCandidates(system: {
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly home?: string;
  readonly tmpRoot?: string;
}): string[] {
  const platform = system.platform ?? process.platform;
  if (platform === 'win32') return [path.win32.join(stateDirectory(system), 'locks')];
  const fallback = path.join(system.tmpRoot ?? '/tmp', `docker-prune-${system.uid}`);
  return system.home && path.isAbsolute(system.home) ? [path.join(system.home, '.cache', 'docker-prune', 'locks'), fallback] : [fallback];
}

function userFolder(
  system: UserSystem,
  xdgVariable: string,
  posixDefault: readonly string[],
  windowsTail: readonly string[],
  windowsVariable = 'LOCALAPPDATA',
  windowsDefault: readonly string[] = ['AppData', 'Local'],
): string {
  const env = system.env ?? process.env;
  const platform = system.platform ?? process.platform;
  const home = system.home ?? os.homedir();
  if (platform === 'win32') {
    const base = env[windowsVariable] || path.win32.join(home, ...windowsDefault);
    return path.win32.join(base, 'docker-prune', ...windowsTail);
  }
  const xdg = env[xdgVariable];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, ...posixDefault);
  return path.join(base, 'docker-prune');
}
