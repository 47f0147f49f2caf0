/**
 * Workspace-level auto-prune: every `dockerPrune.autoPrune.interval`, prune the chosen environments in
 * the chosen mode (optionally only above a disk threshold) — or, for an environment with watermarks, above its
 * high mark the least recently used unused images down to under its low mark — with no confirmation, audited
 * as trigger `auto`. It runs only in a trusted workspace (and starts when trust is granted), never overlaps a running
 * prune (the core's lock refuses; that is logged, not shown), and tells the user once what it did or failed
 * to do. Invalid settings stop it with one message naming the setting and the value.
 */
import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import { DockerPruneError, errorMessage } from '../../core/errors';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import type { Notifier } from '../notifier';
import type { PruneService } from '../prune/pruneService';
import { engineLockKey } from '../../core/execute/engineLock';
import { claimScheduledRun, finishScheduledRun } from '../../core/schedule/scheduleClaim';
import { SettingError } from '../settings/settingError';
import { affects, autoPruneEnabled, autoPruneSettings, fullName, Setting, watermarksFor, type AutoPruneSettings } from '../settings/settings';
import { watermarkSummary } from './watermarkStatus';
import { checkThreshold } from './threshold';

const LAST_RUN_KEY = 'dockerPrune.autoPrune.lastRun';
/** The first run of a session that never ran (or is overdue) waits this long after start-up at most. */
const FIRST_RUN_DELAY_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export type SchedulerState = 'off' | 'untrusted' | 'invalid' | 'scheduled' | 'running';

export class AutoPruneScheduler implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private current: SchedulerState = 'off';
  private lastLogged = '';
  /** This window, in the per-engine schedule claims. */
  private readonly windowId = randomUUID();

  constructor(
    private readonly registry: EnvironmentRegistry,
    private readonly service: PruneService,
    private readonly notifier: Notifier,
    private readonly log: vscode.LogOutputChannel,
    private readonly workspaceState: vscode.Memento,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          affects(
            e,
            Setting.AutoPruneEnabled,
            Setting.AutoPruneMode,
            Setting.AutoPruneInterval,
            Setting.AutoPruneThreshold,
            Setting.AutoPruneUntil,
            Setting.AutoPruneUnusedFor,
            Setting.AutoPruneEnvironments,
            Setting.AutoPruneHighWatermark,
            Setting.AutoPruneLowWatermark,
            Setting.AutoPruneMinimumAge,
            Setting.AutoPruneContainersExitedFor,
            Setting.Environments,
          )
        ) {
          this.evaluate();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('Workspace trusted: auto-prune settings now apply.');
        this.evaluate();
      }),
    );
  }

  get state(): SchedulerState {
    return this.current;
  }

  /** (Re)reads the settings and (re)arms the timer. Cheap: nothing touches an engine here. */
  evaluate(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!autoPruneEnabled()) return this.setState('off', 'Auto-prune is off.');
    if (!vscode.workspace.isTrusted) {
      return this.setState(
        'untrusted',
        'Auto-prune is enabled, but this workspace is not trusted: it does not run in Restricted Mode. Trust the workspace to let it run.',
      );
    }
    let settings: AutoPruneSettings;
    try {
      settings = autoPruneSettings();
    } catch (e) {
      this.reportSettings(e);
      return this.setState('invalid', `Auto-prune stopped: ${errorMessage(e)}`);
    }
    this.notifier.reset('auto-settings');
    const now = Date.now();
    const last = this.workspaceState.get<number>(LAST_RUN_KEY);
    const due = last !== undefined && last <= now ? Math.max(now, last + settings.intervalMs) : now + Math.min(settings.intervalMs, FIRST_RUN_DELAY_MS);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, due - now));
    this.timer = setTimeout(() => void this.tick(), delay);
    this.setState(
      'scheduled',
      `Auto-prune (${settings.mode}, every ${settings.intervalRaw}${settings.threshold ? `, above ${settings.threshold.raw}` : ''}) next runs at ${new Date(now + delay).toLocaleString()}.`,
    );
  }

  /** One run over the chosen environments. Exposed for the "run now" path; never overlaps itself. */
  tick(): Promise<void> {
    this.ticking ??= this.runAll().finally(() => {
      this.ticking = undefined;
      this.evaluate();
    });
    return this.ticking;
  }

  private async runAll(): Promise<void> {
    if (!vscode.workspace.isTrusted || !autoPruneEnabled()) return;
    // Every attempt counts as a run, a refused one too: an environment that does not exist is then retried an
    // interval later, not at once in a loop that holds the extension host.
    await this.workspaceState.update(LAST_RUN_KEY, Date.now());
    let settings: AutoPruneSettings;
    let sessions: EnvironmentSession[];
    try {
      settings = autoPruneSettings();
      sessions = await this.environments(settings);
    } catch (e) {
      this.reportSettings(e);
      return;
    }
    this.current = 'running';
    for (const session of sessions) await this.runOne(session, settings);
  }

  private async environments(settings: AutoPruneSettings): Promise<EnvironmentSession[]> {
    if (settings.environments.length === 0) {
      // The engine the docker CLI uses; when that context does not exist, nothing (never another engine).
      const def = await this.registry.defaultEnvironment();
      if (def) {
        this.notifier.reset('auto:default');
        return [def];
      }
      const why = this.registry.defaultProblem?.message ?? vscode.l10n.t('no Docker environment was found');
      void this.notifier.once('auto:default', 'warn', vscode.l10n.t('Auto-prune did not run: {0}', why));
      return [];
    }
    const out: EnvironmentSession[] = [];
    for (const name of settings.environments) {
      const s = await this.registry.find(name);
      if (!s) {
        const known = this.registry.known.map((k) => k.name).join(', ');
        throw new SettingError(
          fullName(Setting.AutoPruneEnvironments),
          settings.environments,
          vscode.l10n.t('there is no environment named "{0}" (known: {1})', name, known),
        );
      }
      out.push(s);
    }
    return out;
  }

  private async runOne(session: EnvironmentSession, settings: AutoPruneSettings): Promise<void> {
    const key = `auto:${session.id}`;
    if (session.descriptor.protected === true) {
      // A prune there needs its name typed, which no unattended run can do (the core refuses it too).
      const message = vscode.l10n.t('Auto-prune skips {0}: it is a protected environment, where a prune needs its name typed.', session.name);
      this.log.warn(message);
      void this.notifier.once(key, 'warn', message);
      return;
    }
    let claimedKey: string | undefined;
    try {
      const watermarks = watermarksFor(session);
      claimedKey = await this.claim(session, settings);
      if (!claimedKey) return;
      if (watermarks) {
        // A cheap look first: below the high mark nothing runs (and nothing is audited). The prune itself plans
        // again under the engine's lock, so a prune that finished meanwhile (another window, the CLI) is counted.
        const look = (await this.service.plan(session, 'all', settings.filters, { watermarks, containers: settings.containers })).watermark!.figures;
        if (!look.triggered) {
          this.log.info(`Auto-prune on ${session.name} skipped: ${watermarkSummary(watermarks, look)}.`);
          return;
        }
        this.log.info(`Auto-prune on ${session.name}: ${watermarkSummary(watermarks, look)}, pruning the least recently used images.`);
      } else if (settings.threshold) {
        const check = await checkThreshold(session.requireEngine(), settings.threshold);
        if (!check.exceeded) {
          this.log.info(`Auto-prune on ${session.name} skipped: ${check.description}.`);
          return;
        }
        this.log.info(`Auto-prune on ${session.name}: ${check.description}, pruning.`);
      }
      const result = await this.service.execute({
        session,
        mode: watermarks ? 'all' : settings.mode,
        filters: settings.filters,
        watermarks,
        containers: settings.containers,
        trigger: 'auto',
        progressLocation: vscode.ProgressLocation.Window,
      });
      if (result.error) {
        void this.notifier.once(key, 'warn', vscode.l10n.t('Auto-prune: {0}', result.message));
        return;
      }
      this.notifier.reset(key);
      const s = result.summary;
      if (s.removed > 0 || s.untagged > 0 || s.containersRemoved > 0) {
        const showAudit = vscode.l10n.t('Show Audit Log');
        void this.notifier.info(vscode.l10n.t('Auto-prune: {0}', result.message), showAudit).then((c) => {
          if (c === showAudit) void vscode.commands.executeCommand('dockerPrune.showAuditLog');
        });
      } else {
        this.log.info(`Auto-prune on ${session.name}: nothing to remove.`);
      }
    } catch (e) {
      if (e instanceof SettingError) return this.reportSettings(e);
      if (e instanceof DockerPruneError && e.kind === 'busy') {
        this.log.info(`Auto-prune on ${session.name} skipped this time: ${e.message}`);
        return;
      }
      void this.notifier.once(key, 'warn', vscode.l10n.t('Auto-prune on {0} failed: {1}', session.name, errorMessage(e)));
    } finally {
      if (claimedKey) finishScheduledRun({ engineKey: claimedKey, owner: this.windowId });
    }
  }

  /**
   * One schedule per engine across windows: each window keeps its own timer, and before a run claims the engine in
   * the user's state folder (core/schedule/scheduleClaim.ts, shared by every window and code-server instance). A
   * window finding that another one ran on that engine within the interval skips it. The engine's lock still keeps
   * two prunes from overlapping, and a watermark run measures again under it.
   */
  /** The engine's key when this window may run the schedule on it now; undefined when another window does. */
  private async claim(session: EnvironmentSession, settings: AutoPruneSettings): Promise<string | undefined> {
    const engine = session.requireEngine();
    const engineKey = engineLockKey(await engine.profile(), engine.endpoint.label);
    const claim = claimScheduledRun({ engineKey, owner: this.windowId, intervalMs: settings.intervalMs });
    if (claim.claimed) {
      if (claim.problem) this.log.warn(claim.problem);
      return engineKey;
    }
    this.log.info(
      `Auto-prune on ${session.name} skipped: another window (pid ${claim.holder.pid}) runs the schedule on this engine; ${claim.holder.running ? 'its run is under way' : `it last ran at ${new Date(claim.holder.at).toLocaleString()}`}.`,
    );
    return undefined;
  }

  private reportSettings(e: unknown): void {
    const open = vscode.l10n.t('Open Settings');
    const setting = e instanceof SettingError ? e.setting : 'dockerPrune.autoPrune';
    void this.notifier.once('auto-settings', 'error', errorMessage(e), open)?.then((c) => {
      if (c === open) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    });
  }

  private setState(state: SchedulerState, message: string): void {
    this.current = state;
    if (message !== this.lastLogged) {
      this.lastLogged = message;
      this.log.info(message);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
