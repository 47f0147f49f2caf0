/** Every `dockerPrune.*` command, wired to the flows. Each catches its own errors and says what failed. */
import * as fs from 'fs';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { parseFilterArgs } from '../../core/filters';
import type { PruneFilters, PruneMode } from '../../core/model';
import { repositoryOf } from '../../core/plan/references';
import type { AuditLocation } from '../audit/auditLocation';
import { logPruneHistory } from '../audit/pruneHistoryLog';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import { countText, plural } from '../l10n/format';
import { modeTitle } from '../prune/describe';
import { planViewKey } from '../planView/planViews';
import { SettingError } from '../settings/settingError';
import { autoPruneSettings, defaultMode, fullName, SECTION, Setting, watermarksFor } from '../settings/settings';
import type { EnvironmentsTree } from '../tree/environmentsTree';
import { ImageNode } from '../tree/nodes';
import { pruneFlow, type PruneFlowDeps, type PruneFlowResult } from './pruneFlow';
import { optionsOf, pickEnvironment, sessionOf } from './target';

export interface CommandDeps extends PruneFlowDeps {
  readonly registry: EnvironmentRegistry;
  readonly tree: EnvironmentsTree;
  readonly audit: AuditLocation;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { registry, notifier, log } = deps;
  const register = (id: string, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        const open = vscode.l10n.t('Open Settings');
        const shown = notifier.error(errorMessage(e), ...(e instanceof SettingError ? [open] : []));
        if (e instanceof SettingError) void shown.then((c) => c === open && vscode.commands.executeCommand('workbench.action.openSettings', e.setting));
        return undefined;
      }
    });

  /** The environment for a prune-ish command: from the node/options, else the user's pick. */
  const target = async (arg: unknown, mode: PruneMode, title: string): Promise<EnvironmentSession | undefined> =>
    (await sessionOf(arg, registry)) ?? (await pickEnvironment(registry, mode, title));

  const filtersOf = (arg: unknown): PruneFilters => parseFilterArgs(optionsOf(arg).filters ?? []);

  const prune = async (mode: PruneMode, arg: unknown): Promise<PruneFlowResult | undefined> => {
    const filters = filtersOf(arg);
    const session = await target(arg, mode, vscode.l10n.t('Prune {0}', modeTitle(mode)));
    if (!session) return undefined;
    return pruneFlow(deps, session, mode, filters);
  };

  return [
    register('dockerPrune.pruneDangling', (arg) => prune('dangling', arg)),
    register('dockerPrune.pruneAll', (arg) => prune('all', arg)),

    register('dockerPrune.preview', async (arg) => {
      const options = optionsOf(arg);
      const filters = filtersOf(arg);
      const mode = options.mode ?? (await pickMode());
      if (!mode) return undefined;
      const session = await target(arg, mode, vscode.l10n.t('Preview Prune'));
      if (!session) return undefined;
      const preview = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Docker Prune: planning on {0}…', session.name) },
        () => deps.service.plan(session, mode, filters),
      );
      deps.planViews.show({ session, mode, filters, preview });
      // `view` names the plan view's panel (one per environment and mode).
      return { view: planViewKey(session.id, mode, false), images: preview.plan.items.length, bytes: preview.plan.spaceReclaimable };
    }),

    register('dockerPrune.previewWatermark', async (arg) => {
      const session = await target(arg, 'all', vscode.l10n.t('Preview Watermark Auto-Prune'));
      if (!session) return undefined;
      const watermarks = watermarksFor(session);
      if (!watermarks) {
        throw new SettingError(
          fullName(Setting.AutoPruneHighWatermark),
          '',
          vscode.l10n.t('no watermarks are set for {0}: set the high and the low watermark', session.name),
        );
      }
      // Exactly what the next auto-prune plans: the watermarks, auto-prune's until, protect and keep-latest.
      const filters = autoPruneSettings().filters;
      const preview = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Docker Prune: planning on {0}…', session.name) },
        () => deps.service.plan(session, 'all', filters, watermarks),
      );
      deps.planViews.show({ session, mode: 'all', filters, preview, watermarks });
      const f = preview.watermark!.figures;
      return {
        view: planViewKey(session.id, 'all', true),
        images: preview.plan.items.length,
        bytes: preview.plan.spaceReclaimable,
        deletes: preview.plan.items.filter((i) => i.action === 'delete').map((i) => i.id),
        chosen: f.chosen,
        triggered: f.triggered,
        usedBytes: f.usedBytes,
        highBytes: f.highBytes,
        lowBytes: f.lowBytes,
        predictedBytes: f.predictedBytes,
      };
    }),

    register('dockerPrune.refresh', async (arg) => {
      const session = await sessionOf(arg, registry);
      if (session) return session.refresh('refresh command');
      await registry.rediscover();
      await Promise.all(registry.known.map((s) => s.refresh('refresh command')));
      deps.tree.refresh();
    }),

    register('dockerPrune.retry', async (arg) => {
      const session = await sessionOf(arg, registry);
      if (session) return session.retry();
      await Promise.all(registry.known.map((s) => s.retry()));
    }),

    register('dockerPrune.showAuditLog', async () => {
      log.show(true);
      return logPruneHistory(deps.audit, registry, log);
    }),

    register('dockerPrune.openAuditFile', async () => {
      const file = deps.audit.filePath;
      const legacy = deps.audit.legacyFile();
      if (fs.existsSync(file)) {
        await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
        const { interrupted } = await logPruneHistory(deps.audit, registry, log);
        if (interrupted > 0) {
          const show = vscode.l10n.t('Show Audit Log');
          void notifier
            .warn(
              plural(interrupted, {
                one: vscode.l10n.t(
                  '{0} of the recent prunes stopped before its end (interrupted). "Show Audit Log" tells what it removed.',
                  countText(interrupted),
                ),
                other: vscode.l10n.t(
                  '{0} of the recent prunes stopped before their end (interrupted). "Show Audit Log" tells what each removed.',
                  countText(interrupted),
                ),
              }),
              show,
            )
            .then((c) => {
              if (c === show) void vscode.commands.executeCommand('dockerPrune.showAuditLog');
            });
        }
      } else {
        void notifier.info(vscode.l10n.t('No prune has been recorded yet. The audit file will be {0}.', file));
      }
      if (legacy) {
        const open = vscode.l10n.t('Open Earlier Audit File');
        void notifier
          .info(vscode.l10n.t('Prunes recorded before the audit file was shared with the CLI are in {0}. It was left there, unchanged.', legacy), open)
          .then((c) => {
            if (c === open) void vscode.window.showTextDocument(vscode.Uri.file(legacy), { preview: true });
          });
      }
      return file;
    }),

    register('dockerPrune.cancelPrune', () => {
      const n = deps.service.cancelAll();
      log.info(n ? `Cancel requested for ${n} running prune(s): they stop after the current image.` : 'Cancel requested, but no prune is running.');
      return n;
    }),

    register('dockerPrune.copyImageId', async (arg) => {
      if (!(arg instanceof ImageNode)) return;
      await vscode.env.clipboard.writeText(arg.image.id);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', arg.image.id), 3000);
    }),

    register('dockerPrune.protectRepository', async (arg) => {
      if (!(arg instanceof ImageNode) || arg.image.tags.length === 0) return;
      const repos = [...new Set(arg.image.tags.map(repositoryOf))];
      const repo = repos.length === 1 ? repos[0] : await vscode.window.showQuickPick(repos, { title: vscode.l10n.t('Protect which repository?') });
      if (!repo) return;
      return protectRepository(repo, notifier);
    }),

    register('dockerPrune.groupByRepository', () =>
      vscode.workspace.getConfiguration(SECTION).update(Setting.GroupBy, 'repository', vscode.ConfigurationTarget.Global),
    ),
    register('dockerPrune.groupByUsage', () => vscode.workspace.getConfiguration(SECTION).update(Setting.GroupBy, 'usage', vscode.ConfigurationTarget.Global)),
  ];
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
