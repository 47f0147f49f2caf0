/** Why an image stays or goes, in words (tree tooltips, plan view). */
import * as vscode from 'vscode';
import type { ContainerKeepReason, KeepReason } from '../../core/model';

/** Why a candidate stays, in words: one entry per KeepReason, so a new reason cannot go unworded. */
const KEEP_REASON_WORDS: Record<KeepReason, () => string> = {
  'in-use': () => vscode.l10n.t('used by a container'),
  protected: () => vscode.l10n.t('protected by a pattern'),
  'keep-latest': () => vscode.l10n.t('among the newest of its repository'),
  filtered: () => vscode.l10n.t('outside the filters'),
  'recently-used': () => vscode.l10n.t('used more recently than unused-for'),
  'minimum-age': () => vscode.l10n.t('used more recently than the minimum age'),
  'below-low-mark': () => vscode.l10n.t('not needed to get under the low mark'),
  'left-out': () => vscode.l10n.t('left out by you'),
  loaded: () => vscode.l10n.t('loaded: nothing brings it back (see autoPrune.includeLoaded)'),
  'parent-stays': () => vscode.l10n.t('its untagged parent stays, and Podman would remove that parent with it'),
};

export function keepReason(reason: KeepReason): string {
  return KEEP_REASON_WORDS[reason]();
}

/** Why a stopped container stays when the plan removes stopped containers: one entry per reason. */
const CONTAINER_KEEP_REASON_WORDS: Record<ContainerKeepReason, () => string> = {
  'restart-policy': () => vscode.l10n.t('restart policy always or unless-stopped'),
  'keep-label': () => vscode.l10n.t('labelled docker-prune.keep'),
  protected: () => vscode.l10n.t('protected by a pattern'),
  'recently-stopped': () => vscode.l10n.t('stopped more recently'),
  'left-out': () => vscode.l10n.t('left out by you'),
  dead: () => vscode.l10n.t('dead: left to you'),
};

export function containerKeepReason(reason: ContainerKeepReason): string {
  return CONTAINER_KEEP_REASON_WORDS[reason]();
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
