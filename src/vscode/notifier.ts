/**
 * Everything the extension tells the user goes through here: shown once as a notification and written to
 * the "Docker Prune" output channel, so the channel is the full record. `once` keys keep background work
 * (auto-prune, settings checks) from repeating the same message.
 */
import * as vscode from 'vscode';
import { MESSAGE_MAX_CHARS, displayText } from '../core/format/displayText';

export class Notifier {
  private readonly shown = new Map<string, string>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  info<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
    message = notificationText(message);
    this.log.info(`[shown] ${message}`);
    return vscode.window.showInformationMessage(message, ...actions);
  }

  warn<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
    message = notificationText(message);
    this.log.warn(`[shown] ${message}`);
    return vscode.window.showWarningMessage(message, ...actions);
  }

  error<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
    message = notificationText(message);
    this.log.error(`[shown] ${message}`);
    return vscode.window.showErrorMessage(message, ...actions);
  }

  /**
   * Shows `message` unless the same message was last shown under `key`; returns undefined when skipped
   * (it is still logged, at debug level).
   */
  once<T extends string>(key: string, level: 'info' | 'warn' | 'error', message: string, ...actions: T[]): Thenable<T | undefined> | undefined {
    if (this.shown.get(key) === message) {
      this.log.debug(`[not repeated] ${message}`);
      return undefined;
    }
    this.shown.set(key, message);
    return this[level](message, ...actions);
  }

  /** Forget what was shown under `key` (the condition cleared: the next occurrence is news again). */
  reset(key: string): void {
    this.shown.delete(key);
  }
}

/**
 * A notification may quote engine text, and VS Code turns `[text](https://…)` or `[text](command:…)` in it into a
 * live link: none of ours has one, so `](` is taken apart. One visible line, cut like any message.
 */
function notificationText(message: string): string {
  return displayText(message, MESSAGE_MAX_CHARS).replace(/\]\(/g, '] (');
}
