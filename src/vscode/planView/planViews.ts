/**
 * The plan view: one webview panel per environment and mode (or watermark plan), revealed and updated in place on
 * re-plans. It shows a preview, lets the user leave images out (re-planned through the core on the same snapshot),
 * edit the filters (re-planned on a fresh one), sort, copy ids, and press Remove, which runs exactly the plan on
 * screen through the prune flow (confirmation, progress, audit). When the engine changes under an open plan, the
 * view says so and Remove stays disabled until it is re-planned.
 */
import type * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { describeFilters, parseFilterArgs } from '../../core/filters';
import { replanLeavingOut, type Preview } from '../../core/execute/pruneJob';
import { checkRegistries } from '../../core/source/registryCheck';
import { parseExitedFor } from '../../core/filters/containersOption';
import type { ContainerPolicy, PruneFilters, PruneMode, Snapshot } from '../../core/model';
import type { Watermarks } from '../../core/plan/watermarkMarks';
import type { EnvironmentSession } from '../environments/environmentSession';
import type { PruneService } from '../prune/pruneService';
import { PlanPanelBase } from './planPanel';
import { PlanPanels, type PlanViewDepsOf, type PlanViewHandleOf } from './planPanels';
import type { HostMessage, PageMessage, PlanViewState, SortKey } from '../../webview/planView/protocol';
import { buildPlanViewState } from './planViewState';
import { planViewWords } from './viewWords';

/** The plan view's panels, image plans and build-cache plans alike (buildCachePlanViews.ts): one page, planView. */
/** What the containers option's field holds until the user types another duration. */
const DEFAULT_EXITED_FOR = '30d';

/** A plan to show: where, how, and the preview itself. */
export interface PlanSource {
  readonly session: EnvironmentSession;
  readonly mode: PruneMode;
  readonly filters: PruneFilters;
  readonly preview: Preview;
  /** A watermark plan (the next auto-prune's), re-planned with these marks. */
  readonly watermarks?: Watermarks;
}

export interface PlanViewDeps extends PlanViewDepsOf<PlanSource> {
  readonly service: PruneService;
}

/** The test seam: what the page would post, and what it would show (a watermark plan's figures in its preview). */
export type PlanViewHandle = PlanViewHandleOf<PlanViewState, Preview>;

function planViewKey(environmentId: string, mode: PruneMode, watermark: boolean): string {
  return `${environmentId}/${watermark ? 'watermark' : mode}`;
}

class PlanPanel extends PlanPanelBase<Preview, PlanSource, PlanViewState, 'checking'> {
  sort: SortKey = 'bytes';
  stale = false;
  filtersText: string;
  filterError: string | undefined;
  /** The containers option's duration as typed; why it cannot be used (the plan stays as it was). */
  containersText: string;
  containersError: string | undefined;
  /** On the session shown (the registry makes a new one when the environment's settings change). */
  private sessionSubscriptions: vscode.Disposable[] = [];
  private seenSnapshot: Snapshot | undefined;
  private readonly service: PruneService;

  constructor(key: string, panel: vscode.WebviewPanel, source: PlanSource, deps: PlanViewDeps, onDispose: () => void) {
    super(key, panel, source, deps, onDispose);
    this.service = deps.service;
    this.filtersText = typedFilters(source.filters);
    this.containersText = source.preview.plan.policy.containers?.exitedForRaw ?? DEFAULT_EXITED_FOR;
    this.watch(source.session);
    this.open();
  }

  update(source: PlanSource): void {
    if (source.session !== this.source.session) this.watch(source.session);
    this.source = source;
    this.filtersText = typedFilters(source.filters);
    this.filterError = undefined;
    this.containersText = source.preview.plan.policy.containers?.exitedForRaw ?? this.containersText;
    this.containersError = undefined;
    this.stale = false;
    this.seenSnapshot = currentSnapshot(source.session);
    this.post();
  }

  protected override follow(session: EnvironmentSession): void {
    this.watch(session);
    super.follow(session);
  }

  /** Watches the engine under the plan: the session's refreshes (its event stream runs while observed). */
  private watch(session: EnvironmentSession): void {
    for (const d of this.sessionSubscriptions.splice(0)) d.dispose();
    this.sessionSubscriptions = [session.observe(), session.onDidChange((s) => this.checkEngine(s))];
    this.seenSnapshot = currentSnapshot(session);
  }

  state(): PlanViewState {
    const { source } = this;
    const state = buildPlanViewState(
      {
        key: this.key,
        environmentName: source.session.name,
        location: source.session.location,
        profile: source.preview.snapshot.profile,
        mode: source.mode,
        filters: source.filters,
        filtersText: this.filtersText,
        filterError: this.filterError,
        preview: source.preview,
        sort: this.sort,
        stale: this.stale,
        busy: this.busy,
        readOnly: source.session.readOnly,
        containersText: this.containersText,
        containersError: this.containersError,
      },
      planViewWords(),
    );
    this.panel.title = state.title;
    return state;
  }

  protected leavingOut(preview: Preview, leaveOut: ReadonlySet<string>): Preview {
    return replanLeavingOut(preview, leaveOut);
  }

  protected override handleAnytime(m: PageMessage): boolean {
    switch (m.type) {
      case 'sort':
        this.sort = m.by;
        this.post();
        return true;
      case 'checkFilters':
        void this.panel.webview.postMessage({ type: 'filterCheck', text: m.text, error: filterError(m.text) } satisfies HostMessage);
        return true;
      default:
        return false;
    }
  }

  protected async handleOwn(m: PageMessage): Promise<void> {
    switch (m.type) {
      case 'applyFilters': {
        this.filtersText = m.text;
        this.filterError = filterError(m.text);
        if (this.filterError) return this.post();
        return this.replan(parseFilterArgs(splitFilters(m.text)));
      }
      case 'containers': {
        this.containersText = m.exitedFor;
        this.containersError = undefined;
        if (!m.include) return this.replan(this.source.filters, { containers: undefined });
        let containers: ContainerPolicy;
        try {
          containers = parseExitedFor(m.exitedFor);
        } catch (e) {
          this.containersError = errorMessage(e);
          return this.post();
        }
        return this.replan(this.source.filters, { containers });
      }
      case 'checkRegistry':
        return this.checkRegistry();
    }
  }

  /** Asks the registries about the plan's pulled images (on request only) and shows what they said. */
  private async checkRegistry(): Promise<void> {
    const { preview, session } = this.source;
    if (!preview.snapshot.sources) return;
    this.busy = 'checking';
    this.post();
    try {
      const sources = await checkRegistries(
        session.requireEngine(),
        preview.plan.items.map((i) => i.id),
        preview.snapshot.sources,
      );
      this.source = { ...this.source, preview: { ...preview, snapshot: { ...preview.snapshot, sources } } };
      const gone = [...sources.values()].filter((s) => s.upstream === 'gone').length;
      this.deps.log.info(`Plan view ${this.key}: registry check, ${gone} pulled image(s) gone upstream.`);
    } catch (e) {
      this.filterError = errorMessage(e);
    } finally {
      this.busy = undefined;
    }
    this.post();
  }

  /**
   * A fresh snapshot and plan with these filters, leaving out the same images and containers; with the stopped
   * containers option as it is, unless `option` turns it on (a duration) or off (undefined).
   */
  async replan(filters = this.source.filters, option?: { readonly containers: ContainerPolicy | undefined }): Promise<void> {
    const { session, mode, watermarks } = this.source;
    const containers = option ? option.containers : this.source.preview.plan.policy.containers;
    this.busy = 'planning';
    this.post();
    try {
      const preview = await this.service.plan(session, mode, filters, { watermarks, leaveOut: this.source.preview.leaveOut, containers });
      this.source = { ...this.source, filters, preview };
      this.filtersText = typedFilters(filters);
      this.filterError = undefined;
      this.stale = false;
    } catch (e) {
      this.filterError = errorMessage(e);
    } finally {
      this.busy = undefined;
    }
    this.post();
  }

  /** The session read the engine again: when its images or containers differ from the plan's, the plan is stale. */
  private checkEngine(session: EnvironmentSession): void {
    const s = session.state;
    if (s.kind !== 'ready' || !s.reclaim || s.reclaimPending || s.reclaim.snapshot === this.seenSnapshot) return;
    this.seenSnapshot = s.reclaim.snapshot;
    if (this.stale || signature(s.reclaim.snapshot) === signature(this.source.preview.snapshot)) return;
    this.deps.log.info(`Plan view ${this.key}: the engine changed since the plan; Remove waits for a re-plan.`);
    this.stale = true;
    this.post();
  }

  override dispose(): void {
    for (const d of this.sessionSubscriptions.splice(0)) d.dispose();
    super.dispose();
  }
}

/** The snapshot the session last read (so only a newer one is compared with the plan). */
function currentSnapshot(session: EnvironmentSession): Snapshot | undefined {
  const s = session.state;
  return s.kind === 'ready' ? s.reclaim?.snapshot : undefined;
}

/** What a plan depends on: which images exist with which names, and which containers use which image. */
function signature(snapshot: Snapshot): string {
  const images = snapshot.images.map((i) => `${i.id}=${[...i.repoTags].sort().join(',')}`).sort();
  const containers = snapshot.containers.map((c) => `${c.id}>${c.imageId}`).sort();
  return `${images.join(';')}|${containers.join(';')}`;
}

function splitFilters(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

function filterError(text: string): string | undefined {
  try {
    parseFilterArgs(splitFilters(text));
    return undefined;
  } catch (e) {
    return errorMessage(e);
  }
}

/** The filters as a user types them: `until=24h label=team=web`. */
function typedFilters(filters: PruneFilters): string {
  const d = describeFilters(filters);
  return d === 'none' ? '' : d.split(', ').join(' ');
}

/** The image plans' panels, one per environment and mode (or watermark plan). */
export class PlanViews extends PlanPanels<PlanSource, PlanViewState, PlanPanel, Preview> {
  constructor(deps: PlanViewDeps) {
    super(
      deps.extensionUri,
      (source) => planViewKey(source.session.id, source.mode, source.watermarks !== undefined),
      (key, panel, source, onDispose) => new PlanPanel(key, panel, source, deps, onDispose),
      (source) => source.preview,
    );
  }
}
