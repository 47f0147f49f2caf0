/** A plan in words: why an image stays or goes, and the one-line summary (tree tooltips, plan view). */
import * as vscode from 'vscode';
import type { Plan } from '../../core/model';
import { bytesText } from '../l10n/format';
import { imageCount } from './describe';

/** Why a candidate stays, in words. */
export function keepReason(reason: string): string {
  switch (reason) {
    case 'in-use':
      return vscode.l10n.t('used by a container');
    case 'protected':
      return vscode.l10n.t('protected by a pattern');
    case 'keep-latest':
      return vscode.l10n.t('among the newest of its repository');
    case 'filtered':
      return vscode.l10n.t('outside the filters');
    case 'recently-used':
      return vscode.l10n.t('used more recently than unused-for');
    case 'tagged':
      return vscode.l10n.t('tagged');
    case 'has-children':
      return vscode.l10n.t('has child images');
    case 'minimum-age':
      return vscode.l10n.t('used more recently than the minimum age');
    case 'below-low-mark':
      return vscode.l10n.t('not needed to get under the low mark');
    case 'left-out':
      return vscode.l10n.t('left out by you');
    default:
      return reason;
  }
}

/** Why a planned image goes, in words. */
export function removeReason(reason: string): string {
  switch (reason) {
    case 'dangling':
      return vscode.l10n.t('dangling');
    case 'unused':
      return vscode.l10n.t('unused');
    case 'parent':
      return vscode.l10n.t('parent, goes with its last child');
    default:
      return reason;
  }
}

export function summaryLine(plan: Plan): string {
  if (plan.items.length === 0) return vscode.l10n.t('Nothing to remove.');
  const bytes = plan.estimatedBytes ? vscode.l10n.t('about {0}', bytesText(plan.spaceReclaimable)) : bytesText(plan.spaceReclaimable);
  return vscode.l10n.t('{0} to remove, {1} reclaimable', imageCount(plan.items.length), bytes);
}
