/**
 * A manual prune, start to finish: plan → show the plan (the plan view) → modal confirmation that
 * names mode, environment and bytes (with "Change Filters…" for this run's until/labels/unused-for) → cancellable
 * progress notification → result message with a button to the audit. Only the confirmed plan is carried out.
 */
import * as vscode from 'vscode';
import { DockerPruneError, errorMessage } from '../../core/errors';
import { parseFilterArgs } from '../../core/filters';
import type { PruneFilters, PruneMode } from '../../core/model';
import type { Preview } from '../../core/execute/pruneJob';
import type { Watermarks } from '../../core/plan/watermarkMarks';
import type { EnvironmentSession } from '../environments/environmentSession';
import type { AskEnvironmentName, ConfirmPrune } from '../prune/confirmation';
import { countText, plural } from '../l10n/format';
import { filtersText, modeTitle, stepName } from '../prune/describe';
import { readOnlyRefusalText } from '../prune/readOnlyText';
import { loadedSteps } from '../../core/source/imageSource';
import type { PlanViews } from '../planView/planViews';
import type { ExecuteOutcome, PlanOptions, PruneService } from '../prune/pruneService';
import type { Notifier } from '../notifier';
import { SettingError } from '../settings/settingError';

export interface PruneFlowDeps {
  readonly service: PruneService;
  readonly planViews: PlanViews;
  readonly notifier: Notifier;
  readonly log: vscode.LogOutputChannel;
  readonly confirm: () => ConfirmPrune;
  /** For a protected environment: the name the user types after confirming (compared here). */
  readonly askEnvironmentName: () => AskEnvironmentName;
}

/** What a prune command resolves to (handy for keybindings chaining and for the tests). */
export type PruneFlowResult =
  | { readonly status: 'done'; readonly outcome: ExecuteOutcome }
  | { readonly status: 'nothing' }
  | { readonly status: 'declined' }
  | { readonly status: 'failed'; readonly message: string };

/**
 * `watermarks`: the watermark plan (the next auto-prune's, from its preview), carried out now. `onScreen`: the plan the
 * user is looking at (the plan view's Remove): confirmed and carried out as it is, not planned again — unless the
 * user changes the filters in the confirmation, which re-plans (leaving out the same images).
 */
export async function pruneFlow(
  deps: PruneFlowDeps,
  session: EnvironmentSession,
  mode: PruneMode,
  initialFilters: PruneFilters,
  watermarks?: Watermarks,
  onScreen?: Preview,
): Promise<PruneFlowResult> {
  const { notifier, log } = deps;
  if (session.readOnly) {
    const message = readOnlyRefusalText(session.name);
    void notifier.warn(message);
    return { status: 'failed', message };
  }
  let filters = initialFilters;
  let preview: Preview;
  let next = onScreen;
  for (;;) {
    try {
      // A re-plan (the confirmation's Change Filters…) keeps what the plan on screen left out and its containers option.
      preview =
        next ??
        (await planWithProgress(deps, session, mode, filters, { watermarks, leaveOut: onScreen?.leaveOut, containers: onScreen?.plan.policy.containers }));
    } catch (e) {
      return reportFailure(deps, session, e);
    }
    next = undefined;
    const plan = preview.plan;
    const steps = plan.items.length + (plan.containers?.length ?? 0);
    if (steps === 0 && preview.watermark) {
      void notifier.info(vscode.l10n.t('Nothing to prune on {0}: it is below its high watermark.', session.name));
      return { status: 'nothing' };
    }
    if (steps === 0) {
      const k = plan.kept.length;
      const kept = k
        ? plural(k, {
            one: vscode.l10n.t(' ({0} candidate kept: used, protected or filtered; see Preview Prune)', countText(k)),
            other: vscode.l10n.t(' ({0} candidates kept: used, protected or filtered; see Preview Prune)', countText(k)),
          })
        : '';
      void notifier.info(vscode.l10n.t('Nothing to prune on {0}: no {1} to remove{2}.', session.name, modeTitle(mode), kept));
      return { status: 'nothing' };
    }
    deps.planViews.show({ session, mode, filters, preview, watermarks }, true);
    const request = {
      environment: session.name,
      location: session.location,
      mode,
      filters,
      plan,
      typeNameToConfirm: session.descriptor.protected === true,
      loaded: loadedSteps(plan.items, preview.snapshot.sources).map(stepName),
    };
    const answer = await deps.confirm()(request);
    if (answer === 'filters') {
      const next = await askFilters(filters);
      if (next === undefined) return declined(log, session);
      filters = next;
      continue;
    }
    if (answer !== 'prune') return declined(log, session);
    if (request.typeNameToConfirm && (await deps.askEnvironmentName()(request)) !== session.name) return declined(log, session);
    break;
  }
  let outcome: ExecuteOutcome;
  try {
    // Confirmed above, a protected environment by its typed name.
    outcome = await deps.service.execute({
      session,
      preview,
      mode,
      filters,
      trigger: 'manual',
      nameConfirmed: true,
      progressLocation: vscode.ProgressLocation.Notification,
    });
  } catch (e) {
    return reportFailure(deps, session, e);
  }
  deps.planViews.afterPrune({ session, mode, filters, preview, watermarks });
  const showAudit = vscode.l10n.t('Show Audit Log');
  const shown = outcome.error ? notifier.error(outcome.message, showAudit) : notifier.info(outcome.message, showAudit);
  void shown.then((choice) => {
    if (choice === showAudit) void vscode.commands.executeCommand('dockerPrune.showAuditLog');
  });
  return { status: 'done', outcome };
}

function declined(log: vscode.LogOutputChannel, session: EnvironmentSession): PruneFlowResult {
  log.info(`Prune on ${session.name} not confirmed: nothing was removed.`);
  return { status: 'declined' };
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

function reportFailure(deps: PruneFlowDeps, session: EnvironmentSession, e: unknown): PruneFlowResult {
  const message = errorMessage(e);
  if (e instanceof SettingError) {
    const open = vscode.l10n.t('Open Settings');
    void deps.notifier.error(message, open).then((c) => {
      if (c === open) void vscode.commands.executeCommand('workbench.action.openSettings', e.setting);
    });
  } else if (e instanceof DockerPruneError && e.kind === 'busy') {
    void deps.notifier.warn(message);
  } else {
    void deps.notifier.error(vscode.l10n.t('Docker Prune on {0}: {1}', session.name, message));
  }
  return { status: 'failed', message };
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
