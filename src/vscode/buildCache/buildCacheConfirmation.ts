/**
 * The modal confirmation before a build-cache prune; like the image prune's, the one piece the extension-host
 * tests replace (a modal dialog cannot be answered from inside the extension host).
 */
import * as vscode from 'vscode';
import type { BuildCachePlan } from '../../core/buildCache/model';
import { formatBytes } from '../../core/format/units';

export interface BuildCacheConfirmRequest {
  readonly environment: string;
  readonly location: string;
  readonly plan: BuildCachePlan;
}

/** true: go ahead; false or undefined: nothing is removed. */
export type ConfirmBuildCachePrune = (request: BuildCacheConfirmRequest) => Promise<boolean | undefined>;

export const modalBuildCacheConfirmation: ConfirmBuildCachePrune = async ({ environment, location, plan }) => {
  const bytes = formatBytes(plan.bytes);
  const message =
    plan.policy.mode === 'all'
      ? vscode.l10n.t('Remove {0} unused build cache records from {1} and reclaim {2}?', plan.items.length, environment, bytes)
      : vscode.l10n.t('Remove {0} dangling build cache records from {1} and reclaim {2}?', plan.items.length, environment, bytes);
  const detail = [
    environment.includes(location) ? vscode.l10n.t('Environment: {0}', environment) : vscode.l10n.t('Environment: {0} ({1})', environment, location),
    plan.diskBytesEstimated
      ? vscode.l10n.t(
          'The engine will report {0}; on the containerd store the disk gets back between {1} and {2}: layer records may share their blobs with images.',
          bytes,
          formatBytes(plan.diskBytesRange?.min ?? 0),
          formatBytes(plan.diskBytesRange?.max ?? plan.bytes),
        )
      : vscode.l10n.t('The engine will report {0}; the disk gets back {1} (the rest is shared with images).', bytes, formatBytes(plan.diskBytes)),
    vscode.l10n.t('Only the records in the preview are removed; the next builds that need them run those steps again.'),
  ].join('\n');
  const remove = vscode.l10n.t('Remove {0} records', plan.items.length);
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, remove)) === remove;
};
