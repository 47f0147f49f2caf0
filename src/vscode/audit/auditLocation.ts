/**
 * Where the JSONL audit goes: `dockerPrune.auditFile` when set (`~` and `${userHome}` expanded, relative
 * paths resolved against the first workspace folder), else `audit.jsonl` in the extension's global storage,
 * which survives restarts and updates.
 */
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AuditLog } from '../../core/audit';
import { auditFileSetting } from '../settings/settings';

export class AuditLocation {
  private cached: AuditLog | undefined;

  constructor(private readonly globalStorage: vscode.Uri) {}

  get defaultPath(): string {
    return path.join(this.globalStorage.fsPath, 'audit.jsonl');
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

  /** One AuditLog per path, so appends from this window are serialized. */
  log(): AuditLog {
    const p = this.filePath;
    if (!this.cached || this.cached.filePath !== p) this.cached = new AuditLog(p);
    return this.cached;
  }
}
