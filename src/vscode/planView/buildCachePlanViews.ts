/**
 * The plan view of a build-cache prune: one webview panel per environment, on the plan view's page, revealed and
 * updated in place on re-plans. It lists the records the prune removes, lets the user leave records out (re-planned
 * through the core on the same snapshot: a plan is removed record by record, so what is left out stays, with the
 * records it is built on), copy ids, re-plan, and press Remove, which runs exactly the plan on screen through the
 * build-cache prune flow (confirmation, progress, audit). The builder's filters come from the command and are shown
 * read-only.
 */
import type * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { previewBuildCachePrune, replanBuildCacheLeavingOut, type BuildCachePreview } from '../../core/execute/buildCachePruneJob';
import type { EnvironmentSession } from '../environments/environmentSession';
import type { BuildCachePlanState } from '../../webview/planView/protocol';
import { buildBuildCachePlanState } from './buildCacheRows';
import { buildCachePlanWords } from './buildCacheWords';
import { PlanPanelBase } from './planPanel';
import { PlanPanels, type PlanViewDepsOf, type PlanViewHandleOf } from './planPanels';

/** A build-cache plan to show: where, and the preview itself (its plan carries the policy). */
export interface BuildCachePlanSource {
  readonly session: EnvironmentSession;
  readonly preview: BuildCachePreview;
}

export type BuildCachePlanViewDeps = PlanViewDepsOf<BuildCachePlanSource>;

/** The test seam: what the page would post, and what it would show. */
export type BuildCachePlanViewHandle = PlanViewHandleOf<BuildCachePlanState, BuildCachePreview>;

class BuildCachePanel extends PlanPanelBase<BuildCachePreview, BuildCachePlanSource, BuildCachePlanState> {
  /** Why the last re-plan failed (shown as a note until the next one). */
  private error: string | undefined;

  constructor(key: string, panel: vscode.WebviewPanel, source: BuildCachePlanSource, deps: BuildCachePlanViewDeps, onDispose: () => void) {
    super(key, panel, source, deps, onDispose);
    this.open();
  }

  update(source: BuildCachePlanSource): void {
    this.source = source;
    this.error = undefined;
    this.post();
  }

  state(): BuildCachePlanState {
    const { session, preview } = this.source;
    const state = buildBuildCachePlanState(
      {
        key: this.key,
        environmentName: session.name,
        location: session.location,
        preview,
        busy: this.busy,
        readOnly: session.readOnly,
      },
      buildCachePlanWords(),
    );
    this.panel.title = state.title;
    return this.error ? { ...state, notes: [...state.notes, this.error] } : state;
  }

  protected leavingOut(preview: BuildCachePreview, leaveOut: ReadonlySet<string>): BuildCachePreview {
    return replanBuildCacheLeavingOut(preview, leaveOut);
  }

  /** The image plan's filters, sort, containers option and registry check have no build-cache counterpart. */
  protected handleOwn(): void {}

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
}

/** The build-cache plans' panels, one per environment. */
export class BuildCachePlanViews extends PlanPanels<BuildCachePlanSource, BuildCachePlanState, BuildCachePanel, BuildCachePreview> {
  constructor(deps: BuildCachePlanViewDeps) {
    super(
      deps.extensionUri,
      (source) => `${source.session.id}/build-cache`,
      (key, panel, source, onDispose) => new BuildCachePanel(key, panel, source, deps, onDispose),
      (source) => source.preview,
    );
  }
}
