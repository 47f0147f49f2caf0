/**
 * The one way Docker Prune registers a command. A failure is shown as an error notification (with **Open
 * Settings** when a setting is at fault); the command itself returns nothing to its caller. What a handler
 * produced (a prune's result, a panel's probe) is kept only for the tests' seam, when there is one.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Notifier } from '../notifier';
import { SettingError } from '../settings/settingError';

export type RegisterCommand = (id: string, handler: (arg: unknown) => unknown) => vscode.Disposable;

/** The value each command's last finished run produced (`undefined` when it failed); only in test mode. */
export class CommandResults {
  private readonly lastById = new Map<string, unknown>();
  record(id: string, value: unknown): void {
    this.lastById.set(id, value);
  }
  last(id: string): unknown {
    return this.lastById.get(id);
  }
}

export function commandRegistrar(notifier: Notifier, results: CommandResults | undefined): RegisterCommand {
  return (id, handler) =>
    vscode.commands.registerCommand(id, async (arg: unknown): Promise<void> => {
      let value: unknown;
      try {
        value = await handler(arg);
      } catch (e) {
        showFailure(notifier, e);
      }
      results?.record(id, value);
    });
}

function showFailure(notifier: Notifier, e: unknown): void {
  const open = vscode.l10n.t('Open Settings');
  const shown = notifier.error(errorMessage(e), ...(e instanceof SettingError ? [open] : []));
  if (e instanceof SettingError) void shown.then((c) => c === open && vscode.commands.executeCommand('workbench.action.openSettings', e.setting));
}
