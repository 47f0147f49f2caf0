/**
 * "Preview Build Cache Prune" and "Prune Build Cache": the image prune's flow for the BuildKit build cache —
 * plan → the plan view → modal confirmation → the run, through PruneService as image prunes go (cancellable
 * progress, Cancel Running Prune, window close) → result with a way to the audit log. Only the confirmed plan's
 * records are removed (core/execute/buildCachePruneJob.ts), through the engine lock and the write-ahead audit.
 */
import * as vscode from 'vscode';
import type { BuildCachePolicy } from '../../core/buildCache/model';
import { parseBuildCachePolicy } from '../../core/buildCache/policy';
import { errorMessage } from '../../core/errors';
import { previewBuildCachePrune, type BuildCachePreview, type BuildCachePruneOutcome } from '../../core/execute/buildCachePruneJob';
import { formatBytes } from '../../core/format/units';
import type { RegisterCommand } from '../commands/commandRegistrar';
import { optionsOf, pickEnvironment, sessionOf } from '../commands/target';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import type { Notifier } from '../notifier';
import type { BuildCachePlanViews } from '../planView/buildCachePlanViews';
import { BuildCacheNode } from '../tree/buildCacheNodes';
import type { PruneService } from '../prune/pruneService';
import { readOnlyRefusalText } from '../prune/readOnlyText';
import type { ConfirmBuildCachePrune } from './buildCacheConfirmation';

export interface BuildCacheCommandDeps {
  readonly registry: EnvironmentRegistry;
  readonly notifier: Notifier;
  readonly log: vscode.LogOutputChannel;
  /** Runs the confirmed prune as it runs image prunes (cancel, window close, context key, progress). */
  readonly service: PruneService;
  readonly confirm: () => ConfirmBuildCachePrune;
  /** Where the plan is shown (and its Remove button runs pruneBuildCacheFlow on the plan on screen). */
  readonly planViews: BuildCachePlanViews;
}

/** Options a command takes instead of a tree node (keybindings, tests): as `docker-prune builder`'s flags. */
interface BuildCacheOptions {
  readonly environment?: string;
  readonly all?: boolean;
  readonly filters?: readonly string[];
  readonly keepStorage?: string;
}

export type BuildCacheFlowResult =
  | { readonly status: 'done'; readonly outcome: BuildCachePruneOutcome }
  | { readonly status: 'nothing' }
  | { readonly status: 'declined' }
  | { readonly status: 'failed'; readonly message: string };

export function registerBuildCacheCommands(register: RegisterCommand, deps: BuildCacheCommandDeps): vscode.Disposable[] {
  return [
    register('dockerPrune.previewBuildCachePrune', async (arg) => {
      const chosen = await choose(deps, arg, vscode.l10n.t('Preview Build Cache Prune'));
      if (!chosen) return undefined;
      const preview = await planWithProgress(chosen.session, chosen.policy);
      deps.planViews.show({ session: chosen.session, preview });
      return undefined;
    }),
    register('dockerPrune.pruneBuildCache', async (arg) => {
      const chosen = await choose(deps, arg, vscode.l10n.t('Prune Build Cache'));
      return chosen ? pruneBuildCacheFlow(deps, chosen.session, chosen.policy) : undefined;
    }),
  ];
}

async function choose(
  deps: BuildCacheCommandDeps,
  arg: unknown,
  title: string,
): Promise<{ session: EnvironmentSession; policy: BuildCachePolicy } | undefined> {
  const options: BuildCacheOptions = arg instanceof BuildCacheNode ? {} : (optionsOf(arg) as BuildCacheOptions);
  const session = arg instanceof BuildCacheNode ? arg.session : ((await sessionOf(arg, deps.registry)) ?? (await pickEnvironment(deps.registry, 'all', title)));
  if (!session) return undefined;
  const all = options.all ?? (await pickAll());
  if (all === undefined) return undefined;
  return { session, policy: parseBuildCachePolicy({ all, filters: options.filters, keepStorage: options.keepStorage }) };
}

async function pickAll(): Promise<boolean | undefined> {
  const items: Array<vscode.QuickPickItem & { all: boolean }> = [
    { all: false, label: vscode.l10n.t('Dangling build cache'), detail: vscode.l10n.t('Records no image shares, internal ones kept (docker builder prune)') },
    { all: true, label: vscode.l10n.t('All unused build cache'), detail: vscode.l10n.t('Every record no build uses (docker builder prune --all)') },
  ];
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Which build cache?') }))?.all;
}

function planWithProgress(session: EnvironmentSession, policy: BuildCachePolicy): Thenable<BuildCachePreview> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Docker Prune: reading the build cache of {0}…', session.name) },
    () => previewBuildCachePrune(session.requireEngine(), policy),
  );
}

/**
 * `onScreen`: the plan the user is looking at (the plan view's Remove), confirmed and carried out as it is, not
 * planned again.
 */
export async function pruneBuildCacheFlow(
  deps: BuildCacheCommandDeps,
  session: EnvironmentSession,
  policy: BuildCachePolicy,
  onScreen?: BuildCachePreview,
): Promise<BuildCacheFlowResult> {
  const { notifier, log } = deps;
  if (session.readOnly) {
    const message = readOnlyRefusalText(session.name);
    void notifier.warn(message);
    return { status: 'failed', message };
  }
  let preview: BuildCachePreview;
  try {
    preview = onScreen ?? (await planWithProgress(session, policy));
  } catch (e) {
    const message = errorMessage(e);
    void notifier.error(vscode.l10n.t('Docker Prune on {0}: {1}', session.name, message));
    return { status: 'failed', message };
  }
  const plan = preview.plan;
  if (plan.items.length === 0) {
    void notifier.info(vscode.l10n.t('Nothing to prune in the build cache of {0}.', session.name));
    return { status: 'nothing' };
  }
  deps.planViews.show({ session, preview }, true);
  if (!(await deps.confirm()({ environment: session.name, location: session.location, plan }))) return declined(log, session);
  if (session.descriptor.protected === true) {
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t('{0} is a protected environment', session.name),
      prompt: vscode.l10n.t('Type "{0}" to prune its build cache.', session.name),
      ignoreFocusOut: true,
    });
    if (typed !== session.name) return declined(log, session);
  }
  let outcome: BuildCachePruneOutcome;
  try {
    outcome = await deps.service.executeBuildCache(session, preview, true); // confirmed above (a protected one by name)
  } catch (e) {
    const message = errorMessage(e);
    log.error(`Build cache prune on ${session.name} failed: ${message}`);
    void notifier.error(vscode.l10n.t('Docker Prune on {0}: {1}', session.name, message));
    return { status: 'failed', message };
  }
  deps.planViews.afterPrune(session);
  const r = outcome.result;
  let message = vscode.l10n.t('Removed {0} build cache records from {1}, reclaimed {2}.', r.CachesDeleted.length, session.name, formatBytes(r.SpaceReclaimed));
  if (r.notRemoved.length) message += ' ' + vscode.l10n.t('{0} planned records stayed (a build uses them now).', r.notRemoved.length);
  if (r.cancelled) message += ' ' + vscode.l10n.t('Cancelled before the end.');
  log.info(`Build cache prune finished on ${session.name}: ${message} (${outcome.outcome}, ${(outcome.durationMs / 1000).toFixed(1)} s)`);
  const showAudit = vscode.l10n.t('Show Audit Log');
  void notifier.info(message, showAudit).then((choice) => {
    if (choice === showAudit) void vscode.commands.executeCommand('dockerPrune.showAuditLog');
  });
  return { status: 'done', outcome };
}

function declined(log: vscode.LogOutputChannel, session: EnvironmentSession): BuildCacheFlowResult {
  log.info(`Build cache prune on ${session.name} not confirmed: nothing was removed.`);
  return { status: 'declined' };
}
