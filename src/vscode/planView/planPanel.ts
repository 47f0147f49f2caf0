/**
 * What every plan view panel does, whatever it plans (images, build-cache records): its page's HTML, posting the
 * state, the messages every plan answers (ready, copy, leave out or take back, Remove), following the environment's
 * live session, and closing. A kind of plan adds its state, its re-plan and its own messages.
 */
import * as vscode from 'vscode';
import type { BuildCachePlanState, HostMessage, PageMessage, PlanViewState } from '../../webview/planView/protocol';
import type { EnvironmentSession } from '../environments/environmentSession';
import { webviewHtml } from '../webview/webviewHtml';
import type { PlanPanel, PlanViewDepsOf } from './planPanels';

/** What a panel shows: where, and a preview the user can leave things out of. */
export interface PlanPanelSource<P extends { readonly leaveOut?: ReadonlySet<string> }> {
  readonly session: EnvironmentSession;
  readonly preview: P;
}

/** `Busy`: what else a kind of panel can be busy with besides planning and removing (the image plan: `checking`). */
export abstract class PlanPanelBase<
  P extends { readonly leaveOut?: ReadonlySet<string> },
  S extends PlanPanelSource<P>,
  State extends PlanViewState | BuildCachePlanState,
  Busy extends string = never,
> implements PlanPanel<S, State> {
  source: S;
  busy: 'planning' | 'removing' | Busy | undefined;
  protected readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly key: string,
    readonly panel: vscode.WebviewPanel,
    source: S,
    protected readonly deps: PlanViewDepsOf<S>,
    private readonly onDispose: () => void,
  ) {
    this.source = source;
  }

  /** The panel's state, as its page shows it (the panel's title too). */
  abstract state(): State;
  /** Shows another plan in this panel. */
  abstract update(source: S): void;
  /** A fresh snapshot and plan with the same settings, leaving out the same things. */
  abstract replan(): Promise<void>;
  /** The plan again on the same snapshot, leaving out `leaveOut`. */
  protected abstract leavingOut(preview: P, leaveOut: ReadonlySet<string>): P;
  /** The kind's own messages, when no re-plan or removal runs, on the environment's live session. */
  protected abstract handleOwn(m: PageMessage): Promise<void> | void;
  /** The kind's messages answered even while a re-plan or a removal runs; true when `m` was one. */
  protected handleAnytime(_m: PageMessage): boolean {
    return false;
  }

  /** Call last in the kind's constructor, once its fields are set: the page's HTML and its messages. */
  protected open(): void {
    this.subscriptions.push(
      this.panel.webview.onDidReceiveMessage((m: PageMessage) => void this.handle(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
    const first = this.state(); // names the panel: the page's <title> is the same
    const { webview } = this.panel;
    webview.html = webviewHtml({ webview, extensionUri: this.deps.extensionUri, title: first.title, script: 'planView', initialState: first });
  }

  /** The registry made a new session for the environment (its settings changed): the panel follows it. */
  protected follow(session: EnvironmentSession): void {
    this.source = { ...this.source, session };
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
    if (this.handleAnytime(m) || this.busy) return;
    const live = await this.deps.findSession(this.source.session.id);
    if (live && live !== this.source.session) this.follow(live);
    if (this.busy) return;
    switch (m.type) {
      case 'toggle': {
        const leaveOut = new Set(this.source.preview.leaveOut);
        for (const id of m.ids) {
          if (m.include) leaveOut.delete(id);
          else leaveOut.add(id);
        }
        this.source = { ...this.source, preview: this.leavingOut(this.source.preview, leaveOut) };
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
        // Show what is left now (what was left out stays out).
        return this.replan();
      }
      default:
        return this.handleOwn(m);
    }
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.onDispose();
  }
}
