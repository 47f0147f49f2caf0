/**
 * A manual image prune, in the one manual-prune flow (prune/manualPruneFlow.ts): the plan view, the modal confirmation
 * that names mode, environment and bytes (with "Change Filters…" for this run's until/labels/unused-for, which plans
 * again), the run and its result.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { parseFilterArgs } from '../../core/filters';
import type { PruneFilters, PruneMode } from '../../core/model';
import type { Preview } from '../../core/execute/pruneJob';
import type { Watermarks } from '../../core/plan/watermarkMarks';
import type { EnvironmentSession } from '../environments/environmentSession';
import type { ConfirmPrune } from '../prune/confirmation';
import { countText, plural } from '../l10n/format';
import { filtersText, modeTitle, stepName, stepsCount } from '../prune/describe';
import { runManualPrune, type ManualPruneDeps, type ManualPruneResult } from '../prune/manualPruneFlow';
import { loadedSteps } from '../../core/source/imageSource';
import type { PlanViews } from '../planView/planViews';
import type { ExecuteOutcome, PlanOptions, PruneService } from '../prune/pruneService';

export interface PruneFlowDeps extends ManualPruneDeps {
  readonly service: PruneService;
  readonly planViews: PlanViews;
  readonly confirm: () => ConfirmPrune;
}

/** What an image prune came to. */
export type PruneFlowResult = ManualPruneResult<ExecuteOutcome>;

/**
 * `watermarks`: the watermark plan (the next auto-prune's, from its preview), carried out now. `onScreen`: the plan the
 * user is looking at (the plan view's Remove): confirmed and carried out as it is, not planned again — unless the
 * user changes the filters in the confirmation, which re-plans (leaving out the same images).
 */
export function pruneFlow(
  deps: PruneFlowDeps,
  session: EnvironmentSession,
  mode: PruneMode,
  initialFilters: PruneFilters,
  watermarks?: Watermarks,
  onScreen?: Preview,
): Promise<PruneFlowResult> {
  let filters = initialFilters;
  let next = onScreen;
  const state = (preview: Preview) => ({ session, mode, filters, preview, watermarks });
  return runManualPrune(deps, session, {
    logName: 'Prune',
    plan: async () => {
      const planned =
        next ??
        // A re-plan (the confirmation's Change Filters…) keeps what the plan on screen left out and its containers option.
        (await planWithProgress(deps, session, mode, filters, { watermarks, leaveOut: onScreen?.leaveOut, containers: onScreen?.plan.policy.containers }));
      next = undefined;
      return planned;
    },
    nothingToRemove: (preview) => nothingToRemove(session, mode, preview),
    show: (preview) => deps.planViews.show(state(preview), true),
    confirm: async (preview) => {
      const plan = preview.plan;
      const answer = await deps.confirm()({
        environment: session.name,
        location: session.location,
        mode,
        filters,
        plan,
        typeNameToConfirm: session.descriptor.protected === true,
        loaded: loadedSteps(plan.items, preview.snapshot.sources).map(stepName),
      });
      if (answer !== 'filters') return answer;
      const typed = await askFilters(filters);
      if (typed === undefined) return undefined;
      filters = typed;
      return 'replan';
    },
    removes: (preview) => stepsCount(preview.plan.containers?.length ?? 0, preview.plan.items.length),
    // Confirmed by the flow, a protected environment by its typed name.
    execute: (preview) =>
      deps.service.execute({ session, preview, mode, filters, trigger: 'manual', nameConfirmed: true, progressLocation: vscode.ProgressLocation.Notification }),
    afterPrune: (preview) => deps.planViews.afterPrune(state(preview)),
    report: (outcome) => ({ message: outcome.message, error: outcome.error !== undefined }),
  });
}

function nothingToRemove(session: EnvironmentSession, mode: PruneMode, preview: Preview): string | undefined {
  const plan = preview.plan;
  if (plan.items.length + (plan.containers?.length ?? 0) > 0) return undefined;
  if (preview.watermark) return vscode.l10n.t('Nothing to prune on {0}: it is below its high watermark.', session.name);
  const k = plan.kept.length;
  const kept = k
    ? plural(k, {
        one: vscode.l10n.t(' ({0} candidate kept: used, protected or filtered; see Preview Prune)', countText(k)),
        other: vscode.l10n.t(' ({0} candidates kept: used, protected or filtered; see Preview Prune)', countText(k)),
      })
    : '';
  return vscode.l10n.t('Nothing to prune on {0}: no {1} to remove{2}.', session.name, modeTitle(mode), kept);
}

async function planWithProgress(
  deps: Pick<PruneFlowDeps, 'service' | 'log'>,
  session: EnvironmentSession,
  mode: PruneMode,
  filters: PruneFilters,
  options: PlanOptions,
): Promise<Preview> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Docker Prune: planning on {0}…', session.name) },
    async () => {
      const preview = await deps.service.plan(session, mode, filters, options);
      deps.log.info(
        `Planned on ${session.name}: mode ${mode}, filters ${filtersText(filters)}: ${preview.plan.items.length} images, ${preview.plan.spaceReclaimable} bytes; ${preview.plan.kept.length} kept`,
      );
      return preview;
    },
  );
}

/** The run's filters as the user types them: `until=24h label=team=web label!=keep` (validated as typed). */
async function askFilters(current: PruneFilters): Promise<PruneFilters | undefined> {
  const value = filtersText(current) === vscode.l10n.t('none') ? '' : filtersText(current).split(', ').join(' ');
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('Filters for this prune'),
    prompt: vscode.l10n.t(
      'Space-separated: until=24h (or 7d, a date), label=key[=value], label!=key[=value], unused-for=14d (nothing used it for that long), source=pulled|built|loaded (source!= too). Empty: no filters.',
    ),
    value,
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseFilterArgs(splitFilters(v));
        return undefined;
      } catch (e) {
        return errorMessage(e);
      }
    },
  });
  return typed === undefined ? undefined : parseFilterArgs(splitFilters(typed));
}

function splitFilters(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}
