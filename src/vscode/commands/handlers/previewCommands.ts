/** Preview Prune… and Preview Watermark Auto-Prune…: the plan in the plan view, nothing removed. */
import * as vscode from 'vscode';
import type { PruneFilters, PruneMode } from '../../../core/model';
import { SettingError } from '../../settings/settingError';
import { autoPruneSettings, defaultMode, fullName, Setting, watermarksFor } from '../../settings/settings';
import type { CommandDeps } from '../commandDeps';
import type { EnvironmentSession } from '../../environments/environmentSession';
import { optionsOf, targetSession } from '../target';

export async function previewPrune(deps: CommandDeps, arg: unknown, filters: PruneFilters): Promise<void> {
  const options = optionsOf(arg);
  const mode = options.mode ?? (await pickMode());
  if (!mode) return;
  const session = await targetSession(arg, deps.registry, mode, vscode.l10n.t('Preview Prune'));
  if (!session) return;
  const preview = await planning(session, () => deps.service.plan(session, mode, filters));
  deps.planViews.show({ session, mode, filters, preview });
}

export async function previewWatermarkPrune(deps: CommandDeps, arg: unknown): Promise<void> {
  const session = await targetSession(arg, deps.registry, 'all', vscode.l10n.t('Preview Watermark Auto-Prune'));
  if (!session) return;
  const watermarks = watermarksFor(session);
  if (!watermarks) {
    throw new SettingError(
      fullName(Setting.AutoPruneHighWatermark),
      '',
      vscode.l10n.t('no watermarks are set for {0}: set the high and the low watermark', session.name),
    );
  }
  // Exactly what the next auto-prune plans: the watermarks, auto-prune's until, protect, keep-latest and stopped containers.
  const { filters, containers } = autoPruneSettings();
  const preview = await planning(session, () => deps.service.plan(session, 'all', filters, { watermarks, containers }));
  deps.planViews.show({ session, mode: 'all', filters, preview, watermarks });
}

async function pickMode(): Promise<PruneMode | undefined> {
  const first = defaultMode();
  const items: Array<vscode.QuickPickItem & { mode: PruneMode }> = [
    { mode: 'dangling', label: vscode.l10n.t('Dangling images'), detail: vscode.l10n.t('Untagged images nothing uses (docker image prune)') },
    { mode: 'all', label: vscode.l10n.t('All unused images'), detail: vscode.l10n.t('Also tagged images no container uses (docker image prune -a)') },
  ];
  items.sort((a) => (a.mode === first ? -1 : 1));
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Preview which prune?'), ignoreFocusOut: true }))?.mode;
}

/** Plans with a progress notification naming the environment. */
function planning<T>(session: EnvironmentSession, plan: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Docker Prune: planning on {0}…', session.name) },
    plan,
  );
}
