/**
 * The one audit file per user that the CLI and the extension share, so prunes from a cron job and from any VS Code
 * window land in the same place: `$XDG_STATE_HOME/docker-prune/audit.jsonl` (default `~/.local/state/…`) on Linux
 * and macOS, `%LOCALAPPDATA%\docker-prune\audit.jsonl` on Windows. The CLI's `--audit-file` /
 * `$DOCKER_PRUNE_AUDIT_FILE` and the extension's `dockerPrune.auditFile` choose another file.
 */
import * as os from 'os';
import * as path from 'path';

export interface AuditPathSystem {
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly home?: string;
}

export function defaultAuditFilePath(system: AuditPathSystem = {}): string {
  const platform = system.platform ?? process.platform;
  return (platform === 'win32' ? path.win32 : path).join(stateDirectory(system), 'audit.jsonl');
}

/**
 * Docker Prune's per-user state folder, shared by the CLI and the extension: `$XDG_STATE_HOME/docker-prune` (default
 * `~/.local/state/docker-prune`), `%LOCALAPPDATA%\docker-prune` on Windows. The audit file and the last-use records
 * live there.
 */
export function stateDirectory(system: AuditPathSystem = {}): string {
  const env = system.env ?? process.env;
  const platform = system.platform ?? process.platform;
  const home = system.home ?? os.homedir();
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(local, 'docker-prune');
  }
  // Only an absolute XDG_STATE_HOME counts (XDG Base Directory spec); a relative one is ignored.
  const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(home, '.local', 'state');
  return path.join(state, 'docker-prune');
}
