/**
 * The disk-usage webview of one environment: where its space is (images in use, unused, dangling, the build cache),
 * the repositories a prune of all unused images would free the most from, and what prunes reclaimed over time (the
 * audit log). One panel per environment; it follows the environment while open (the engine's event stream, so a
 * prune or a pull redraws it) and re-reads on the page's Refresh button.
 */
import * as vscode from 'vscode';
import { pruneHistory, ranOn, type PruneEntry } from '../../core/audit';
import { summarizeBuildCache } from '../../core/buildCache/summary';
import { errorMessage } from '../../core/errors';
import type { Plan, PruneMode, Snapshot } from '../../core/model';
import { planPrune } from '../../core/plan/planner';
import type { DiskUsageRequest, DiskUsageUpdate, DiskUsageViewState } from '../../webview/diskUsage/protocol';
import type { AuditLocation } from '../audit/auditLocation';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import { webviewHtml, webviewOptions } from '../webview/webviewHtml';
import { buildDiskUsageState } from './diskUsageState';
import { diskUsageWords } from './diskUsageWords';

const DISK_USAGE_VIEW_TYPE = 'dockerPrune.diskUsage';

/** What the tests can see of a panel: the last state sent to the page and what the page said it drew. */
export interface DiskUsageProbe {
  readonly environmentId: string;
  readonly posted?: DiskUsageViewState;
  readonly rendered?: { readonly kind: DiskUsageViewState['kind']; readonly figures: readonly string[] };
  readonly visible: boolean;
}

export class DiskUsagePanels implements vscode.Disposable {
  private readonly panels = new Map<string, DiskUsagePanel>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly audit: AuditLocation,
    private readonly registry: EnvironmentRegistry,
  ) {
    // An environment that went away (or whose settings changed: a new session) closes its panel.
    this.subscription = registry.onDidChangeEnvironments(() => {
      for (const p of [...this.panels.values()]) if (!registry.known.includes(p.session)) p.dispose();
    });
  }

  /** Opens (or brings forward) the panel of `session`. */
  show(session: EnvironmentSession): DiskUsagePanel {
    let panel = this.panels.get(session.id);
    if (panel) {
      panel.reveal();
      return panel;
    }
    panel = new DiskUsagePanel(session, this.extensionUri, this.audit, () => this.panels.delete(session.id));
    this.panels.set(session.id, panel);
    return panel;
  }

  /** For the tests: the panel of an environment (by id), or the most recently opened one. */
  probe(environmentId?: string): DiskUsageProbe | undefined {
    const panel = environmentId ? this.panels.get(environmentId) : [...this.panels.values()].pop();
    return panel?.probe();
  }

  dispose(): void {
    this.subscription.dispose();
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

export class DiskUsagePanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private posted: DiskUsageViewState | undefined;
  private rendered: DiskUsageProbe['rendered'];
  /** The session state last drawn, so its several change events per refresh cost one rebuild. */
  private drawnFrom: unknown;
  private building: Promise<void> | undefined;
  private again = false;
  private disposed = false;

  constructor(
    readonly session: EnvironmentSession,
    extensionUri: vscode.Uri,
    private readonly audit: AuditLocation,
    private readonly onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(
      DISK_USAGE_VIEW_TYPE,
      vscode.l10n.t('Disk Usage: {0}', session.name),
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri),
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'docker-prune.svg');
    const first = this.waitingState(vscode.l10n.t('Measuring {0}…', session.name));
    this.posted = first;
    this.panel.webview.html = webviewHtml({ webview: this.panel.webview, extensionUri, title: first.heading, script: 'diskUsage', initialState: first });
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((m: DiskUsageRequest) => this.onMessage(m)),
      session.onDidChange(() => this.update()),
      session.observe(),
    );
    this.update();
  }

  reveal(): void {
    this.panel.reveal();
    this.update(true);
  }

  probe(): DiskUsageProbe {
    return { environmentId: this.session.id, posted: this.posted, rendered: this.rendered, visible: this.panel.visible };
  }

  private onMessage(m: DiskUsageRequest): void {
    switch (m.type) {
      case 'ready':
        if (this.posted) void this.post(this.posted);
        break;
      case 'refresh':
        void this.session.refresh('disk usage view');
        this.update(true);
        break;
      case 'rendered':
        this.rendered = { kind: m.kind, figures: m.figures };
        break;
    }
  }

  /** Rebuilds the state when the environment shows something new (or `force`: the audit log may have grown). */
  private update(force = false): void {
    if (this.disposed) return;
    if (this.building) {
      this.again ||= force || this.drawnFrom !== this.source();
      return;
    }
    if (!force && this.drawnFrom === this.source()) return;
    this.building = this.build()
      .catch((e) => this.post(this.failedState(errorMessage(e))))
      .finally(() => {
        this.building = undefined;
        if (this.again) {
          this.again = false;
          this.update(true);
        }
      });
  }

  /** What the picture is drawn from: the snapshot and the build cache (new objects with each refresh). */
  private source(): unknown {
    const s = this.session.state;
    if (s.kind !== 'ready') return s;
    return s.reclaimPending && !s.reclaim ? s : (s.reclaim ?? s.reclaimError);
  }

  private async build(): Promise<void> {
    const s = this.session.state;
    const from = this.source();
    if (s.kind === 'failed' || s.kind === 'invalid') {
      this.drawnFrom = from;
      return this.post(this.failedState(s.message));
    }
    if (s.kind !== 'ready' || !s.reclaim) {
      this.drawnFrom = from;
      if (s.kind === 'ready' && s.reclaimError) return this.post(this.failedState(s.reclaimError));
      return this.post(this.waitingState(vscode.l10n.t('Measuring {0}…', this.session.name)));
    }
    const snapshot = s.reclaim.snapshot;
    const { history, problem } = await this.readHistory(s.listing.engine.engineId);
    const state = buildDiskUsageState(
      {
        environment: this.session.name,
        location: this.session.location,
        snapshot,
        dangling: plainPlan(snapshot, 'dangling'),
        all: plainPlan(snapshot, 'all'),
        buildCache: s.buildCache ? summarizeBuildCache(s.buildCache.records) : undefined,
        history,
        historyProblem: problem,
        measuredAt: s.reclaim.at,
      },
      diskUsageWords(),
    );
    this.drawnFrom = from;
    return this.post(state);
  }

  private async readHistory(engineId: string): Promise<{ history: PruneEntry[]; problem?: string }> {
    try {
      const { records } = await this.audit.log().read();
      const engine = { engineId, label: this.session.location };
      return { history: pruneHistory(records).filter((e) => ranOn(e, engine)) };
    } catch (e) {
      return { history: [], problem: errorMessage(e) };
    }
  }

  private async post(state: DiskUsageViewState): Promise<void> {
    if (this.disposed) return;
    this.posted = state;
    const update: DiskUsageUpdate = { type: 'state', state };
    await this.panel.webview.postMessage(update);
  }

  private waitingState(message: string): DiskUsageViewState {
    const words = diskUsageWords();
    return {
      kind: 'waiting',
      environment: this.session.name,
      location: this.session.location,
      heading: words.heading(this.session.name),
      message,
      labels: words.labels,
    };
  }

  private failedState(message: string): DiskUsageViewState {
    const words = diskUsageWords();
    return {
      kind: 'failed',
      environment: this.session.name,
      location: this.session.location,
      heading: words.heading(this.session.name),
      message,
      labels: words.labels,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDispose();
  }
}

/**
 * The core planner's plan for `mode` without protect patterns, keep-latest or filters: the picture shows where the
 * space is, not what the user's rules let a prune take (the plan preview shows that).
 */
function plainPlan(snapshot: Snapshot, mode: PruneMode): Plan {
  return planPrune(snapshot, { mode, filters: { labels: [] }, protect: [] });
}
