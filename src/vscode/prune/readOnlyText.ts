import * as vscode from 'vscode';

/**
 * The core's one read-only refusal (core/environments/readOnly.ts readOnlyRefusal), localised: the same English
 * text, for the front end's early checks (test/unit/readOnly.test.ts keeps the two equal).
 */
export function readOnlyRefusalText(name: string): string {
  return vscode.l10n.t('{0} is read-only ("readOnly": true in its settings): nothing is pruned there.', name);
}
