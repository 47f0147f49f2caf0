/**
 * Plans and runs prunes for the commands and the scheduler — image prunes (the core's runPrune) and build-cache
 * prunes (runBuildCachePrune), both the core's prune runner (lock, exactly the confirmed plan, audit records) —
 * wrapped alike in VS Code progress, cancellation, window-close interrupts and the output channel.
 */
import * as vscode from 'vscode';
import type { AuditLog, RunningPrune } from '../../core/audit';
import { DockerPruneError, errorMessage } from '../../core/errors';
import { previewPrune, runPrune, type Preview, type PruneOutcome } from '../../core/execute/pruneJob';
import { runBuildCachePrune, type BuildCachePreview, type BuildCachePruneOutcome } from '../../core/execute/buildCachePruneJob';
import type { PruneJobRequest } from '../../core/execute/pruneRunner';
import { previewWatermarkPrune } from '../../core/execute/watermarkPreview';
import type { Watermarks } from '../../core/plan/watermarkMarks';
import { formatBytes } from '../../core/format/units';
import type { ContainerPolicy, Plan, PruneFilters, PruneMode, PruneProgress, PruneResult, Trigger } from '../../core/model';
import type { EnvironmentSession } from '../environments/environmentSession';
import { policyFor } from '../settings/settings';
import { filtersText, modeTitle, progressMessage, resultMessage, stepLogLine, summarize, type ResultSummary } from './describe';
import { readOnlyRefusalText } from './readOnlyText';

export const RUNNING_CONTEXT_KEY = 'dockerPrune.pruneRunning';

/** How to plan besides mode and filters (PruneService.plan). */
export interface PlanOptions {
  readonly watermarks?: Watermarks;
  readonly leaveOut?: ReadonlySet<string>;
  readonly containers?: ContainerPolicy;
}

export interface ExecuteRequest {
  readonly session: EnvironmentSession;
  /** The plan the user confirmed; unattended runs (auto-prune) pass none and a fresh plan is made. */
  readonly preview?: Preview;
  readonly mode: PruneMode;
  readonly filters: PruneFilters;
  readonly trigger: Trigger;
  /** A watermark prune: without a preview, it is planned under the engine's lock (so after any prune before it). */
  readonly watermarks?: Watermarks;
  /** Unattended runs: also the stopped containers stopped that long ago (a preview carries its own in its policy). */
  readonly containers?: ContainerPolicy;
  /** The user typed the environment's name (a protected environment refuses a prune without; auto-prunes have not). */
  readonly nameConfirmed?: boolean;
  /** Notification (cancellable, for manual prunes) or the window's status area (for background runs). */
  readonly progressLocation: vscode.ProgressLocation.Notification | vscode.ProgressLocation.Window;
}

export interface ExecuteOutcome {
  readonly summary: ResultSummary;
  readonly message: string;
  readonly outcome?: PruneOutcome;
  /** The prune stopped on an error after doing `summary` (engine gone, …). */
  readonly error?: DockerPruneError;
}

/** What closing or reloading the window leaves in the audit for a prune still running then. */
export const WINDOW_CLOSED = 'interrupted: VS Code window closed or reloaded';

/** What `track` hands a prune: the core request's common part, and the progress to report to. */
interface TrackedJob extends Omit<PruneJobRequest, 'trigger'> {
  readonly progress: vscode.Progress<{ message?: string; increment?: number }>;
  readonly audit: AuditLog;
  readonly signal: AbortSignal;
}

interface Running {
  readonly controller: AbortController;
  /** Set once runPrune has started its audit records. */
  prune?: RunningPrune;
  /** Settles when the prune is over, whatever happened. */
  done?: Promise<unknown>;
}

export class PruneService implements vscode.Disposable {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly audit: () => AuditLog,
  ) {}

  /**
   * A fresh snapshot and the plan for it under the current settings (SettingError when they are invalid). With
   * `watermarks`, the watermark plan: unused images, least recently used first, down to under the low mark.
   * `leaveOut`: images and containers the user left out (the plan view's unchecked rows). `containers`: also the
   * stopped containers stopped that long ago (the snapshot then reads their facts).
   */
  async plan(session: EnvironmentSession, mode: PruneMode, filters: PruneFilters, options: PlanOptions = {}): Promise<Preview> {
    const { watermarks, leaveOut, containers } = options;
    if (watermarks) return previewWatermarkPrune(session.reader(), session.requireEngine(), policyFor('all', filters, containers), watermarks, leaveOut);
    return previewPrune(session.reader(), policyFor(mode, filters, containers), false, leaveOut);
  }

  isRunning(session: EnvironmentSession): boolean {
    return this.running.has(session.id);
  }

  get anyRunning(): boolean {
    return this.running.size > 0;
  }

  /** Asks every running prune to stop after the image it is on. Returns how many were asked. */
  cancelAll(): number {
    for (const r of this.running.values()) r.controller.abort();
    return this.running.size;
  }

  /**
   * For `deactivate` (the window closes or reloads, the extension host stops): each running prune gets its end
   * record at once — `reason`, with what it had done — written synchronously, since the host may be gone before
   * any later turn; it is asked to stop after its current image; then this waits up to `graceMs` for them to
   * settle, so a step that finishes meanwhile is checkpointed too.
   */
  async shutdown(reason = WINDOW_CLOSED, graceMs = 1000): Promise<void> {
    const running = [...this.running.values()];
    if (running.length === 0) return;
    for (const r of running) {
      r.prune?.interrupt(reason);
      r.controller.abort();
    }
    this.log.warn(`${running.length} running prune(s) recorded as "${reason}" and asked to stop.`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(running.map((r) => r.done)), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /**
   * Runs one image prune with progress. Resolves with what happened (including cancelled and partial runs);
   * rejects only when nothing could start (busy, invalid settings, engine unreachable before the first step).
   */
  async execute(req: ExecuteRequest): Promise<ExecuteOutcome> {
    const { session } = req;
    const policy = req.preview?.plan.policy ?? policyFor(req.watermarks ? 'all' : req.mode, req.filters, req.containers);
    const title = vscode.l10n.t('Docker Prune: removing {0} from {1}', modeTitle(req.mode), session.name);
    return this.track(session, { title, location: req.progressLocation }, async ({ progress, ...job }) => {
      // The log is English, like the audit: counts and sizes here are not localized.
      const planned = req.preview?.plan;
      const plannedText = planned
        ? `${planned.containers?.length ? `${planned.containers.length} stopped container${planned.containers.length === 1 ? '' : 's'} and ` : ''}${planned.items.length} image${planned.items.length === 1 ? '' : 's'}, ${formatBytes(planned.spaceReclaimable)}`
        : 'planned at start';
      this.log.info(
        `Prune started on ${session.name} (${session.location}): trigger ${req.trigger}, mode ${req.mode}, filters ${filtersText(req.filters)}, plan ${plannedText}`,
      );
      let last: PruneProgress = { done: 0, total: planned ? planned.items.length + (planned.containers?.length ?? 0) : 0, bytes: 0 };
      progress.report({ message: req.preview ? progressMessage(last) : vscode.l10n.t('planning…') });
      try {
        const outcome = await runPrune({
          ...job,
          policy,
          trigger: req.trigger,
          nameConfirmed: req.nameConfirmed,
          confirmed: req.preview,
          reader: session.reader(),
          replan: req.watermarks ? () => this.plan(session, 'all', req.filters, { watermarks: req.watermarks, containers: req.containers }) : undefined,
          onProgress: (p) => {
            if (p.current) this.log.info(stepLogLine(p, last.bytes));
            const increment = p.total > 0 ? ((p.done - last.done) / p.total) * 100 : 0;
            last = p;
            progress.report({ increment, message: progressMessage(p) });
            if (p.done % 25 === 0 || p.done === p.total) this.log.debug(`Progress on ${session.name}: ${progressMessage(p)}`);
          },
        });
        return this.finish(session, outcome.result, outcome, undefined, outcome.plan);
      } catch (e) {
        const partial = (e as { partial?: PruneResult }).partial;
        if (partial && e instanceof DockerPruneError) return this.finish(session, partial, undefined, e, req.preview?.plan);
        throw e;
      }
    });
  }

  /**
   * Runs one confirmed build-cache prune the same way: one per environment, Cancel Running Prune and closing the
   * window reach it, the running-prune context key is set, a cancellable progress notification.
   */
  async executeBuildCache(session: EnvironmentSession, preview: BuildCachePreview, nameConfirmed = false): Promise<BuildCachePruneOutcome> {
    const title = vscode.l10n.t('Docker Prune: removing build cache from {0}', session.name);
    return this.track(session, { title, location: vscode.ProgressLocation.Notification }, ({ progress, ...job }) => {
      const { plan } = preview;
      this.log.info(
        `Build cache prune started on ${session.name} (${session.location}): mode ${plan.policy.mode}, ${plan.items.length} records, ${plan.bytes} bytes`,
      );
      let done = 0;
      return runBuildCachePrune({
        ...job,
        policy: plan.policy,
        trigger: 'manual',
        nameConfirmed,
        confirmed: preview,
        onProgress: (p) => {
          progress.report({
            increment: p.total ? ((p.done - done) / p.total) * 100 : 0,
            message: vscode.l10n.t('{0} of {1} records, {2}', p.done, p.total, formatBytes(p.bytes)),
          });
          done = p.done;
        },
      });
    });
  }

  /**
   * What every prune the extension runs goes through, whatever it removes: the read-only check (said early; the
   * core runner enforces it too), one prune per environment, the running-prune context key, engine events paused,
   * progress (cancellable in a notification), the handle `shutdown` interrupts, audit write errors to the log
   * (and shown once), and a refresh afterwards.
   */
  private async track<T>(
    session: EnvironmentSession,
    display: { title: string; location: ExecuteRequest['progressLocation'] },
    job: (ctx: TrackedJob) => Promise<T>,
  ): Promise<T> {
    const engine = session.requireEngine();
    if (session.readOnly) {
      throw new DockerPruneError('invalid-input', readOnlyRefusalText(session.name));
    }
    const audit = this.audit();
    const controller = new AbortController();
    if (this.running.has(session.id)) {
      throw new DockerPruneError(
        'busy',
        vscode.l10n.t('A prune is already running on {0}. Wait for it to finish (or cancel it), then try again.', session.name),
      );
    }
    const running: Running = { controller };
    this.running.set(session.id, running);
    let auditErrorShown = false;
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, true);
    const paused = session.pauseEvents();
    try {
      const work = vscode.window.withProgress(
        { location: display.location, title: display.title, cancellable: display.location === vscode.ProgressLocation.Notification },
        async (progress, token) => {
          const onCancel = token.onCancellationRequested(() => controller.abort());
          try {
            return await job({
              progress,
              engine,
              audit,
              signal: controller.signal,
              onStart: (prune) => (running.prune = prune),
              onAuditError: (e, record) => {
                // The record itself goes to the log, so it is not lost; the user is told once per prune.
                this.log.error(`Audit record not written to ${audit.filePath} (${errorMessage(e)}): ${record}`);
                if (auditErrorShown) return;
                auditErrorShown = true;
                void vscode.window.showErrorMessage(vscode.l10n.t('Docker Prune could not write its audit file {0}: {1}', audit.filePath, errorMessage(e)));
              },
            });
          } finally {
            onCancel.dispose();
          }
        },
      );
      running.done = Promise.resolve(work).catch(() => undefined);
      return await work;
    } catch (e) {
      this.log.error(`Prune on ${session.name} did not run: ${errorMessage(e)}`);
      throw e;
    } finally {
      this.running.delete(session.id);
      void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, this.running.size > 0);
      paused.dispose();
      void session.refresh('after prune');
    }
  }

  private finish(
    session: EnvironmentSession,
    result: PruneResult,
    outcome: PruneOutcome | undefined,
    error: DockerPruneError | undefined,
    plan: Plan | undefined,
  ): ExecuteOutcome {
    const summary = summarize(result, plan);
    for (const s of result.skipped.filter((x) => x.reason === 'cancelled').slice(0, 1)) {
      this.log.info(`Cancelled: ${result.skipped.filter((x) => x.reason === 'cancelled').length} planned images were not reached (first: ${s.id})`);
    }
    let message = resultMessage(summary, session.name);
    if (error) {
      message = vscode.l10n.t('The prune on {0} stopped: {1} Before that: {2}', session.name, error.message, message);
      this.log.error(message);
    } else {
      this.log.info(`Prune finished on ${session.name}: ${message}${outcome ? ` (${outcome.outcome}, ${(outcome.durationMs / 1000).toFixed(1)} s)` : ''}`);
    }
    return { summary, message, outcome, error };
  }

  dispose(): void {
    this.cancelAll();
  }
}
