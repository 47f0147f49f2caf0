/**
 * The one audit file per user that the CLI and the extension share, so prunes from a cron job and from any VS Code
 * window land in the same place: `$XDG_STATE_HOME/docker-prune/audit.jsonl` (default `~/.local/state/…`) on Linux
 * and macOS, `%LOCALAPPDATA%\docker-prune\audit.jsonl` on Windows. The CLI's `--audit-file` /
 * `$DOCKER_PRUNE_AUDIT_FILE` and the extension's `dockerPrune.auditFile` choose another file.
 */
import * as path from 'path';
import { stateDirectory, type UserSystem } from '../state/userFolders';

export function defaultAuditFilePath(system: UserSystem = {}): string {
  const platform = system.platform ?? process.platform;
  return (platform === 'win32' ? path.win32 : path).join(stateDirectory(system), 'audit.jsonl');
}
