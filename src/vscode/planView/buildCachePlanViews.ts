/**
 * The plan view of a build-cache prune: one webview panel per environment, on the plan view's page, revealed and
 * updated in place on re-plans. It lists the records the prune removes, lets the user leave records out (re-planned
 * through the core on the same snapshot: a plan is removed record by record, so what is left out stays, with the
 * records it is built on), copy ids, re-plan, and press Remove, which runs exactly the plan on screen through the
 * build-cache prune flow (confirmation, progress, audit). The builder's filters come from the command and are shown
 * read-only.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { previewBuildCachePrune, replanBuildCacheLeavingOut, type BuildCachePreview } from '../../core/execute/buildCachePruneJob';
import type { EnvironmentSession } from '../environments/environmentSession';
import { webviewHtml } from '../webview/webviewHtml';
import type { BuildCachePlanState, HostMessage, PageMessage } from '../../webview/planView/protocol';
import { buildBuildCachePlanState } from './buildCacheRows';
import { buildCachePlanWords } from './buildCacheWords';
import { PlanPanels, type PlanPanel, type PlanViewDepsOf, type PlanViewHandleOf } from './planPanels';

/** A build-cache plan to show: where, and the preview itself (its plan carries the policy). */
export interface BuildCachePlanSource {
  readonly session: EnvironmentSession;
  readonly preview: BuildCachePreview;
}

export type BuildCachePlanViewDeps = PlanViewDepsOf<BuildCachePlanSource>;

/** The test seam: what the page would post, and what it would show. */
export type BuildCachePlanViewHandle = PlanViewHandleOf<BuildCachePlanState, BuildCachePreview>;

class BuildCachePanel implements PlanPanel<BuildCachePlanSource, BuildCachePlanState> {
  source: BuildCachePlanSource;
  busy: 'planning' | 'removing' | undefined;
  /** Why the last re-plan failed (shown as a note until the next one). */
  private error: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly key: string,
    readonly panel: vscode.WebviewPanel,
    source: BuildCachePlanSource,
    private readonly deps: BuildCachePlanViewDeps,
    private readonly onDispose: () => void,
  ) {
    this.source = source;
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: PageMessage) => void this.handle(m)),
      panel.onDidDispose(() => this.dispose()),
    );
    const first = this.state(); // names the panel: the page's <title> is the same
    panel.webview.html = webviewHtml({ webview: panel.webview, extensionUri: deps.extensionUri, title: first.title, script: 'planView', initialState: first });
  }

  update(source: BuildCachePlanSource): void {
    this.source = source;
    this.error = undefined;
    this.post();
  }

  state(): BuildCachePlanState {
    const { session, preview } = this.source;
    const state = buildBuildCachePlanState(
      { key: this.key, environmentName: session.name, location: session.location, preview, busy: this.busy, readOnly: session.readOnly },
      buildCachePlanWords(),
    );
    this.panel.title = state.title;
    return this.error ? { ...state, notes: [...state.notes, this.error] } : state;
  }

  post(): void {
    void this.panel.webview.postMessage({ type: 'state', state: this.state() } satisfies HostMessage);
  }

  async handle(m: PageMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.post();
      case 'copy':
        await vscode.env.clipboard.writeText(m.id);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', m.id), 3000);
        return;
    }
    if (this.busy) return;
    const live = await this.deps.findSession(this.source.session.id);
    if (live && live !== this.source.session) this.source = { ...this.source, session: live };
    if (this.busy) return;
    switch (m.type) {
      case 'toggle': {
        const leaveOut = new Set(this.source.preview.leaveOut);
        for (const id of m.ids) {
          if (m.include) leaveOut.delete(id);
          else leaveOut.add(id);
        }
        this.source = { ...this.source, preview: replanBuildCacheLeavingOut(this.source.preview, leaveOut) };
        return this.post();
      }
      case 'replan':
        return this.replan();
      case 'remove': {
        if (!this.state().remove.enabled) return;
        this.busy = 'removing';
        this.post();
        try {
          await this.deps.remove(this.source);
        } finally {
          this.busy = undefined;
        }
        // Show what is left now (the same records stay left out).
        return this.replan();
      }
      // The image plan's filters, sort, containers option and registry check have no build-cache counterpart.
    }
  }

  /** A fresh snapshot and plan with the same policy, leaving out the same records. */
  async replan(): Promise<void> {
    const { session, preview } = this.source;
    this.busy = 'planning';
    this.post();
    try {
      const next = await previewBuildCachePrune(session.requireEngine(), preview.plan.policy, preview.leaveOut);
      this.source = { ...this.source, preview: next };
      this.error = undefined;
    } catch (e) {
      this.error = errorMessage(e);
      this.deps.log.warn(`Build-cache plan view ${this.key}: re-plan failed: ${this.error}`);
    } finally {
      this.busy = undefined;
    }
    this.post();
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.onDispose();
  }
}

export class BuildCachePlanViews implements vscode.Disposable {
  private readonly panels: PlanPanels<BuildCachePlanSource, BuildCachePlanState, BuildCachePanel>;
  /** For the tests (testApi): the build-cache panel shown last, driven as its page would drive it. */
  readonly handle: BuildCachePlanViewHandle;

  constructor(deps: BuildCachePlanViewDeps) {
    this.panels = new PlanPanels(deps.extensionUri, (key, panel, source, onDispose) => new BuildCachePanel(key, panel, source, deps, onDispose));
    this.handle = this.panels.testHandle((source) => source.preview);
  }

  /** Shows the plan in its environment's panel (created, or updated in place and revealed). */
  show(source: BuildCachePlanSource, preserveFocus = false): void {
    this.panels.show(`${source.session.id}/build-cache`, source, preserveFocus);
  }

  /** After a prune the view did not start (a command's): its panel, if open and idle, shows what is left. */
  afterPrune(session: EnvironmentSession): void {
    const view = this.panels.get(`${session.id}/build-cache`);
    if (view && !view.busy) void view.replan();
  }

  dispose(): void {
    this.panels.dispose();
  }
}
