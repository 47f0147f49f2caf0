/**
 * Where the JSONL audit goes: `dockerPrune.auditFile` when set (`~` and `${userHome}` expanded, relative
 * paths resolved against the first workspace folder), else the one audit file per user that the CLI writes to as
 * well (`$XDG_STATE_HOME/docker-prune/audit.jsonl`, `%LOCALAPPDATA%\docker-prune\audit.jsonl` on Windows), so
 * prunes from cron and from every window are in one place. Versions before that wrote `audit.jsonl` in the
 * extension's global storage; that file is left where it is, unchanged, and pointed to (`legacyFile`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AuditLog, defaultAuditFilePath } from '../../core/audit';
import { auditFileSetting } from '../settings/settings';

export class AuditLocation {
  private cached: AuditLog | undefined;

  /** `warn`: what the audit log says the user should know (its file was set aside). */
  constructor(
    private readonly globalStorage: vscode.Uri,
    private readonly warn?: (message: string) => void,
  ) {}

  get defaultPath(): string {
    return defaultAuditFilePath();
  }

  /** The audit file path now (throws SettingError for an unusable setting). */
  get filePath(): string {
    const configured = auditFileSetting();
    if (!configured) return this.defaultPath;
    let p = configured.replace(/^~(?=$|[\\/])/, os.homedir()).replace(/\$\{userHome\}/g, os.homedir());
    if (!path.isAbsolute(p)) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      p = path.resolve(folder ?? os.homedir(), p);
    }
    return p;
  }

  /** The audit file of earlier versions (in the extension's global storage), when it exists and is not the current one. */
  legacyFile(): string | undefined {
    const legacy = path.join(this.globalStorage.fsPath, 'audit.jsonl');
    try {
      return fs.statSync(legacy).size > 0 && path.resolve(legacy) !== path.resolve(this.filePath) ? legacy : undefined;
    } catch {
      return undefined;
    }
  }

  /** One AuditLog per path, so appends from this window are serialized. */
  log(): AuditLog {
    const p = this.filePath;
    if (!this.cached || this.cached.filePath !== p) this.cached = new AuditLog(p, this.warn ? { warn: this.warn } : {});
    return this.cached;
  }
}
