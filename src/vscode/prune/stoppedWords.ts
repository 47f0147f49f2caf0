/** A stopped container in the words of the user's language, for Markdown tooltips (see core/containers/stoppedPins.ts). */
import * as vscode from 'vscode';
import type { StoppedContainerWords } from '../../core/containers/stoppedPins';
import { formatAgo } from '../../core/format/units';
import { bytesText, displayLanguage } from '../l10n/format';
import { markdownLiteral } from '../markdown/markdownLiteral';

export function markdownStoppedWords(): StoppedContainerWords {
  return {
    name: (s) => markdownLiteral(s),
    ago: (t, n) => formatAgo(t, n, displayLanguage()),
    bytes: bytesText,
    exited: (ago) => vscode.l10n.t('exited {0}', ago),
    createdNeverStarted: (ago) => vscode.l10n.t('created {0}, never started', ago),
    neverStarted: vscode.l10n.t('never started'),
    exitCode: (code) => vscode.l10n.t('exit code {0}', code),
    ownBytes: (bytes) => vscode.l10n.t('{0} of its own', bytes),
    composeProject: (project) => vscode.l10n.t('Compose project {0}', project),
    restartPolicy: (policy) => vscode.l10n.t('restart policy {0}', policy),
  };
}
