/** The image items' actions and the tree's grouping. */
import * as vscode from 'vscode';
import { repositoryOf } from '../../../core/plan/references';
import { fullName, SECTION, Setting } from '../../settings/settings';
import { ImageNode } from '../../tree/nodes';
import type { CommandDeps } from '../commandDeps';

export async function copyImageId(arg: unknown): Promise<void> {
  if (!(arg instanceof ImageNode)) return;
  await vscode.env.clipboard.writeText(arg.image.id);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', arg.image.id), 3000);
}

export async function protectImageRepository(deps: CommandDeps, arg: unknown): Promise<void> {
  if (!(arg instanceof ImageNode) || arg.image.tags.length === 0) return;
  const repos = [...new Set(arg.image.tags.map(repositoryOf))];
  const repo = repos.length === 1 ? repos[0] : await vscode.window.showQuickPick(repos, { title: vscode.l10n.t('Protect which repository?') });
  if (repo) await protectRepository(repo, deps.notifier);
}

export async function groupBy(by: 'repository' | 'usage'): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(Setting.GroupBy, by, vscode.ConfigurationTarget.Global);
}

/**
 * Adds `repo` (every tag of it) to dockerPrune.protect, at the level where the user keeps their patterns:
 * the workspace when it defines some, else the user settings.
 */
async function protectRepository(repo: string, notifier: { info(m: string): Thenable<unknown> }): Promise<string[]> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const info = config.inspect<string[]>(Setting.Protect);
  const inWorkspace = Array.isArray(info?.workspaceValue);
  const current = (inWorkspace ? info?.workspaceValue : info?.globalValue) ?? [];
  if (current.includes(repo)) {
    void notifier.info(vscode.l10n.t('{0} is already protected.', repo));
    return current;
  }
  const next = [...current, repo];
  await config.update(Setting.Protect, next, inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  void notifier.info(vscode.l10n.t('Protected {0}: no prune removes its images (setting {1}).', repo, fullName(Setting.Protect)));
  return next;
}
