/**
 * A manual prune, start to finish, for every kind of prune (images, the build cache): refuse a read-only
 * environment → plan → say so when there is nothing to remove → show the plan (the plan view) → the modal
 * confirmation → for a protected environment, its name typed → the run through PruneService (cancellable progress,
 * Cancel Running Prune, window close) → the result, with a way to the audit log. Only the confirmed plan is carried
 * out. What differs between kinds of prune is in their `ManualPrune`.
 */
import * as vscode from 'vscode';
import { DockerPruneError, errorMessage } from '../../core/errors';
import type { EnvironmentSession } from '../environments/environmentSession';
import type { Notifier } from '../notifier';
import { SettingError } from '../settings/settingError';
import type { AskEnvironmentName } from './confirmation';
import { readOnlyRefusalText } from './readOnlyText';

/** One kind of manual prune, as the flow drives it. `P`: its preview (the plan and what it was made from); `O`: its outcome. */
export interface ManualPrune<P, O> {
  /** How the log names a run: `Prune`, `Build cache prune`. */
  readonly logName: string;
  /** The plan to confirm (throws what the user should read). Called again after the confirmation answers `replan`. */
  plan(): Promise<P>;
  /** What to tell the user when the plan removes nothing; undefined when it removes something. */
  nothingToRemove(preview: P): string | undefined;
  /** Shows the plan in the plan view. */
  show(preview: P): void;
  /** `prune`: go ahead. `replan`: plan again and ask again (the image prune's Change Filters…). undefined: declined. */
  confirm(preview: P): Promise<'prune' | 'replan' | undefined>;
  /** What the plan removes, for a protected environment's name prompt: `3 images`. */
  removes(preview: P): string;
  /** Runs the confirmed plan through PruneService (the name, where protected, is confirmed). */
  execute(preview: P): Promise<O>;
  /** After the run: the plan view says what happened to the plan on screen. */
  afterPrune(preview: P): void;
  /** The result as the user reads it. */
  report(outcome: O): { readonly message: string; readonly error: boolean };
}

/** What a manual prune came to (the tests' seam keeps it; the commands return nothing). */
export type ManualPruneResult<O> =
  | { readonly status: 'done'; readonly outcome: O }
  | { readonly status: 'nothing' }
  | { readonly status: 'declined' }
  | { readonly status: 'failed'; readonly message: string };

export interface ManualPruneDeps {
  readonly notifier: Notifier;
  readonly log: vscode.LogOutputChannel;
  /** For a protected environment: the name the user types after confirming (compared here). */
  readonly askEnvironmentName: () => AskEnvironmentName;
}

export async function runManualPrune<P, O>(deps: ManualPruneDeps, session: EnvironmentSession, prune: ManualPrune<P, O>): Promise<ManualPruneResult<O>> {
  const { notifier, log } = deps;
  if (session.readOnly) {
    const message = readOnlyRefusalText(session.name);
    void notifier.warn(message);
    return { status: 'failed', message };
  }
  let preview: P;
  for (;;) {
    try {
      preview = await prune.plan();
    } catch (e) {
      return reportFailure(deps, session, e);
    }
    const nothing = prune.nothingToRemove(preview);
    if (nothing !== undefined) {
      void notifier.info(nothing);
      return { status: 'nothing' };
    }
    prune.show(preview);
    const answer = await prune.confirm(preview);
    if (answer === 'replan') continue;
    if (answer !== 'prune') return declined(log, session, prune.logName);
    break;
  }
  if (session.descriptor.protected === true) {
    const typed = await deps.askEnvironmentName()({ environment: session.name, removes: prune.removes(preview) });
    if (typed !== session.name) return declined(log, session, prune.logName);
  }
  let outcome: O;
  try {
    outcome = await prune.execute(preview);
  } catch (e) {
    return reportFailure(deps, session, e);
  }
  prune.afterPrune(preview);
  const { message, error } = prune.report(outcome);
  const showAudit = vscode.l10n.t('Show Audit Log');
  void (error ? notifier.error(message, showAudit) : notifier.info(message, showAudit)).then((choice) => {
    if (choice === showAudit) void vscode.commands.executeCommand('dockerPrune.showAuditLog');
  });
  return { status: 'done', outcome };
}

function declined(log: vscode.LogOutputChannel, session: EnvironmentSession, logName: string): ManualPruneResult<never> {
  log.info(`${logName} on ${session.name} not confirmed: nothing was removed.`);
  return { status: 'declined' };
}

/** A setting at fault offers Open Settings; another prune holding the engine is a warning; the rest an error. */
function reportFailure(deps: ManualPruneDeps, session: EnvironmentSession, e: unknown): ManualPruneResult<never> {
  const message = errorMessage(e); // a run that failed is in the log already (PruneService)
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
