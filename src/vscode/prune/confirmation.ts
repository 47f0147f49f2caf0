/**
 * The modal confirmation before a prune. It is the one piece the extension-host tests replace (through
 * the API `activate()` returns in test mode): a modal dialog cannot be answered from inside the extension
 * host. Everything it decides on is in the request; it returns what the user chose.
 */
import * as vscode from 'vscode';
import { bytesText, countText, plural } from '../l10n/format';
import type { Plan, PruneFilters, PruneMode } from '../../core/model';
import { displayText } from '../../core/format/displayText';
import { filtersText, stepsCount } from './describe';
import { loadedWarningText } from './sourceWords';

export interface ConfirmRequest {
  readonly environment: string;
  readonly location: string;
  readonly mode: PruneMode;
  readonly filters: PruneFilters;
  readonly plan: Plan;
  /** The environment is marked protected: the user must type its name. */
  readonly typeNameToConfirm: boolean;
  /** Names of the loaded images the plan deletes (nothing brings them back): the dialog names them. */
  readonly loaded?: readonly string[];
}

/** `prune`: go ahead. `filters`: change the run's filters and ask again. undefined: cancelled. */
export type ConfirmAnswer = 'prune' | 'filters' | undefined;

export type ConfirmPrune = (request: ConfirmRequest) => Promise<ConfirmAnswer>;

export const modalConfirmation: ConfirmPrune = async (req) => {
  const { plan } = req;
  const containers = plan.containers ?? [];
  const count = stepsCount(containers.length, plan.items.length);
  const bytes = bytesText(plan.spaceReclaimable);
  const message = containers.length
    ? vscode.l10n.t('Remove {0} from {1} and reclaim {2}?', count, req.environment, bytes)
    : req.mode === 'all'
      ? plural(plan.items.length, {
          one: vscode.l10n.t('Remove {0} unused image from {1}, tagged ones included, and reclaim {2}?', countText(plan.items.length), req.environment, bytes),
          other: vscode.l10n.t(
            'Remove {0} unused images from {1}, tagged ones included, and reclaim {2}?',
            countText(plan.items.length),
            req.environment,
            bytes,
          ),
        })
      : plural(plan.items.length, {
          one: vscode.l10n.t('Remove {0} dangling image from {1} and reclaim {2}?', countText(plan.items.length), req.environment, bytes),
          other: vscode.l10n.t('Remove {0} dangling images from {1} and reclaim {2}?', countText(plan.items.length), req.environment, bytes),
        });
  const detail = [
    vscode.l10n.t('Mode: {0}', req.mode === 'all' ? vscode.l10n.t('all unused images') : vscode.l10n.t('dangling images')),
    req.environment.includes(req.location)
      ? vscode.l10n.t('Environment: {0}', req.environment)
      : vscode.l10n.t('Environment: {0} ({1})', req.environment, req.location),
    vscode.l10n.t('Filters: {0}', filtersText(req.filters)),
    vscode.l10n.t('{0}, {1} reclaimable. The preview lists every image.', count, bytes),
    ...(containers.length ? [containersLine(containers.map((c) => displayText(c.name)))] : []),
    req.mode === 'all'
      ? vscode.l10n.t('Tagged images that no container uses are deleted: you would have to pull or build them again.')
      : vscode.l10n.t('Images used by containers, protected or outside the filters are kept.'),
    ...(req.loaded?.length ? [loadedWarningText(req.loaded)] : []),
  ].join('\n');
  const prune = vscode.l10n.t('Remove {0}', count);
  const filters = vscode.l10n.t('Change Filters…');
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, prune, filters);
  if (choice === filters) return 'filters';
  if (choice !== prune) return undefined;
  return 'prune';
};

/** The stopped containers that go first, by name (the first few). */
function containersLine(names: readonly string[]): string {
  const shown = names.slice(0, CONTAINERS_NAMED).join(', ');
  const text = names.length > CONTAINERS_NAMED ? vscode.l10n.t('{0} and {1} more', shown, countText(names.length - CONTAINERS_NAMED)) : shown;
  return plural(names.length, {
    one: vscode.l10n.t('The stopped container goes first, its volumes stay: {0}', text),
    other: vscode.l10n.t('The stopped containers go first, their volumes stay: {0}', text),
  });
}

const CONTAINERS_NAMED = 5;

/**
 * For a protected environment, after the modal: what the user types as its name (undefined: cancelled).
 * The flow compares it with the name; the extension-host tests replace only this input box.
 */
export type AskEnvironmentName = (request: EnvironmentNameRequest) => Promise<string | undefined>;

export interface EnvironmentNameRequest {
  readonly environment: string;
  /** What the prune removes: `3 images`, `12 build cache records`. */
  readonly removes: string;
}

export const environmentNameInput: AskEnvironmentName = (req) =>
  Promise.resolve(
    vscode.window.showInputBox({
      title: vscode.l10n.t('{0} is a protected environment', req.environment),
      prompt: vscode.l10n.t('Type "{0}" to remove {1} from it.', req.environment, req.removes),
      ignoreFocusOut: true,
      validateInput: (v) => (v === req.environment || v === '' ? undefined : vscode.l10n.t('Type the environment name exactly.')),
    }),
  );
