/**
 * The "Docker Prune" output channel, with every line made visible text: a message quoting engine text (an error,
 * a name) cannot forge a second log line with a newline, colour the channel, or reorder it with bidi controls.
 * Nothing is cut: a line may carry an audit record that could not be written, and it must stay whole.
 */
import type * as vscode from 'vscode';
import { displayText } from '../../core/format/displayText';

type LineMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'appendLine' | 'append';
const LINE_METHODS: ReadonlySet<string> = new Set<LineMethod>(['trace', 'debug', 'info', 'warn', 'error', 'appendLine', 'append']);

export function escapedLog(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== 'string' || !LINE_METHODS.has(key) || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (message: string | Error, ...args: unknown[]) =>
        (value as (...a: unknown[]) => void).call(target, typeof message === 'string' ? displayText(message, Infinity) : message, ...args);
    },
  });
}
