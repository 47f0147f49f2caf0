import * as vscode from 'vscode';
import { InvalidInputError } from '../../core/errors';

/**
 * A setting whose value cannot be used. The message names the setting and the value, says what is
 * accepted, and nothing that depends on the setting is carried out.
 */
export class SettingError extends InvalidInputError {
  constructor(
    readonly setting: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(vscode.l10n.t('The setting "{0}" has an invalid value {1}: {2} Nothing was pruned.', setting, showValue(value), stripPeriod(reason) + '.'));
    this.name = 'SettingError';
  }
}

function showValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function stripPeriod(s: string): string {
  return s.replace(/\.\s*$/, '');
}
