/** Show Audit Log and Open Audit File. */
import * as fs from 'fs';
import * as vscode from 'vscode';
import { logPruneHistory, type HistorySummary } from '../../audit/pruneHistoryLog';
import { countText, plural } from '../../l10n/format';
import type { CommandDeps } from '../commandDeps';

/** Shows the output channel with the recent prunes; returns what it listed. */
export async function showAuditLog(deps: CommandDeps): Promise<HistorySummary> {
  deps.log.show(true);
  return logPruneHistory(deps.audit, deps.registry, deps.log);
}

/** Opens the audit file (or says where it will be), and says when recent prunes were interrupted. */
export async function openAuditFile(deps: CommandDeps): Promise<void> {
  const { registry, notifier, log } = deps;
  const file = deps.audit.filePath;
  const legacy = deps.audit.legacyFile();
  if (fs.existsSync(file)) {
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    const { interrupted } = await logPruneHistory(deps.audit, registry, log);
    if (interrupted > 0) {
      const show = vscode.l10n.t('Show Audit Log');
      void notifier
        .warn(
          plural(interrupted, {
            one: vscode.l10n.t(
              '{0} of the recent prunes stopped before its end (interrupted). "Show Audit Log" tells what it removed.',
              countText(interrupted),
            ),
            other: vscode.l10n.t(
              '{0} of the recent prunes stopped before their end (interrupted). "Show Audit Log" tells what each removed.',
              countText(interrupted),
            ),
          }),
          show,
        )
        .then((c) => {
          if (c === show) void vscode.commands.executeCommand('dockerPrune.showAuditLog');
        });
    }
  } else {
    void notifier.info(vscode.l10n.t('No prune has been recorded yet. The audit file will be {0}.', file));
  }
  if (legacy) {
    const open = vscode.l10n.t('Open Earlier Audit File');
    void notifier
      .info(vscode.l10n.t('Prunes recorded before the audit file was shared with the CLI are in {0}. It was left there, unchanged.', legacy), open)
      .then((c) => {
        if (c === open) void vscode.window.showTextDocument(vscode.Uri.file(legacy), { preview: true });
      });
  }
}
