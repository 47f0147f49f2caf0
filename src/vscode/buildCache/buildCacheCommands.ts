/**
 * "Preview Build Cache Prune" and "Prune Build Cache": the BuildKit build cache in the one manual-prune flow
 * (prune/manualPruneFlow.ts) — the plan view, its modal confirmation, the run through PruneService as image prunes
 * go, the result. Only the confirmed plan's records are removed (core/execute/buildCachePruneJob.ts), through the
 * engine lock and the write-ahead audit.
 */
import * as vscode from 'vscode';
import type { BuildCachePolicy } from '../../core/buildCache/model';
import { parseBuildCachePolicy } from '../../core/buildCache/policy';
import { previewBuildCachePrune, type BuildCachePreview, type BuildCachePruneOutcome } from '../../core/execute/buildCachePruneJob';
import { formatBytes } from '../../core/format/units';
import type { RegisterCommand } from '../commands/commandRegistrar';
import { optionsOf, pickEnvironment, sessionOf } from '../commands/target';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import { countText, plural } from '../l10n/format';
import type { BuildCachePlanViews } from '../planView/buildCachePlanViews';
import { BuildCacheNode } from '../tree/buildCacheNodes';
import type { PruneService } from '../prune/pruneService';
import { runManualPrune, type ManualPruneDeps, type ManualPruneResult } from '../prune/manualPruneFlow';
import type { ConfirmBuildCachePrune } from './buildCacheConfirmation';

export interface BuildCacheCommandDeps extends ManualPruneDeps {
  readonly registry: EnvironmentRegistry;
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

/** What a build-cache prune came to. */
export type BuildCacheFlowResult = ManualPruneResult<BuildCachePruneOutcome>;

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
export function pruneBuildCacheFlow(
  deps: BuildCacheCommandDeps,
  session: EnvironmentSession,
  policy: BuildCachePolicy,
  onScreen?: BuildCachePreview,
): Promise<BuildCacheFlowResult> {
  return runManualPrune(deps, session, {
    logName: 'Build cache prune',
    plan: async () => onScreen ?? (await planWithProgress(session, policy)),
    nothingToRemove: ({ plan }) => (plan.items.length === 0 ? vscode.l10n.t('Nothing to prune in the build cache of {0}.', session.name) : undefined),
    show: (preview) => deps.planViews.show({ session, preview }, true),
    confirm: async ({ plan }) => ((await deps.confirm()({ environment: session.name, location: session.location, plan })) ? 'prune' : undefined),
    removes: ({ plan }) => buildCacheRecordCount(plan.items.length),
    // Confirmed by the flow, a protected environment by its typed name.
    execute: async (preview) => {
      const outcome = await deps.service.executeBuildCache(session, preview, true);
      deps.log.info(
        `Build cache prune finished on ${session.name}: ${resultText(session, outcome)} (${outcome.outcome}, ${(outcome.durationMs / 1000).toFixed(1)} s)`,
      );
      return outcome;
    },
    afterPrune: (preview) => deps.planViews.afterPrune({ session, preview }),
    report: (outcome) => ({ message: resultText(session, outcome), error: false }),
  });
}

function resultText(session: EnvironmentSession, { result: r }: BuildCachePruneOutcome): string {
  let message = vscode.l10n.t('Removed {0} build cache records from {1}, reclaimed {2}.', r.CachesDeleted.length, session.name, formatBytes(r.SpaceReclaimed));
  if (r.notRemoved.length) message += ' ' + vscode.l10n.t('{0} planned records stayed (a build uses them now).', r.notRemoved.length);
  if (r.cancelled) message += ' ' + vscode.l10n.t('Cancelled before the end.');
  return message;
}

function buildCacheRecordCount(n: number): string {
  return plural(n, { one: vscode.l10n.t('{0} build cache record', countText(n)), other: vscode.l10n.t('{0} build cache records', countText(n)) });
}
