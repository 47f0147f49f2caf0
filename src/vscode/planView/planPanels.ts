/**
 * The open panels of one kind of plan view (image plans, build-cache plans), one per key: `show` creates a panel on
 * the plan view's page or updates the open one in place and reveals it; the panel shown last is the one the tests
 * drive through testApi.
 */
import * as vscode from 'vscode';
import type { PageMessage } from '../../webview/planView/protocol';
import type { EnvironmentSession } from '../environments/environmentSession';
import { webviewOptions } from '../webview/webviewHtml';

const PLAN_VIEW_TYPE = 'dockerPrune.planView';

/** What the set needs of a panel. */
export interface PlanPanel<S, State> extends vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  readonly source: S;
  /** A re-plan or a removal runs. */
  readonly busy: string | undefined;
  update(source: S): void;
  state(): State;
  /** A fresh snapshot and plan with the same settings. */
  replan(): Promise<void>;
  /** Handles a message as if its page had posted it; resolves when it is handled. */
  handle(message: PageMessage): Promise<void>;
}

/** What every kind of plan view needs from the extension. `S`: what one panel shows. */
export interface PlanViewDepsOf<S> {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The environment's session now (the registry replaces a session when its settings change). */
  findSession(id: string): Promise<EnvironmentSession | undefined>;
  /** Confirms and carries out exactly the plan on screen (the kind's prune flow); resolves when it is over. */
  remove(source: S): Promise<unknown>;
}

/** The test seam (testApi) on the panel shown last: what its page would show, and what it would post. */
export interface PlanViewHandleOf<State, Preview> {
  /** The state of the panel shown last (undefined: none open). */
  state(): State | undefined;
  /** The core's preview behind that panel. */
  preview(): Preview | undefined;
  /** Handles `message` as if that panel's page had posted it; resolves when it is handled. */
  post(message: PageMessage): Promise<void>;
  /** Whether that panel's webview exists (not closed). */
  isOpen(): boolean;
}

/**
 * `keyOf`: which panel shows a plan (one per environment and kind of plan); `create` makes the panel for a new webview
 * panel (it calls `onDispose` when closed); `previewOf` names the core's preview behind what a panel shows.
 */
export class PlanPanels<S, State, P extends PlanPanel<S, State>, Preview> implements vscode.Disposable {
  private readonly panels = new Map<string, P>();
  private last: P | undefined;
  /** For the tests (testApi): the panel shown last, driven as its page would drive it. */
  readonly handle: PlanViewHandleOf<State, Preview>;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly keyOf: (source: S) => string,
    private readonly create: (key: string, panel: vscode.WebviewPanel, source: S, onDispose: () => void) => P,
    previewOf: (source: S) => Preview,
  ) {
    this.handle = {
      state: () => this.last?.state(),
      preview: () => (this.last ? previewOf(this.last.source) : undefined),
      post: async (message) => {
        if (!this.last) throw new Error('no such plan view is open');
        await this.last.handle(message);
      },
      isOpen: () => this.last !== undefined,
    };
  }

  /** Shows the plan in its panel (created, or updated in place and revealed). */
  show(source: S, preserveFocus = false): void {
    const key = this.keyOf(source);
    let view = this.panels.get(key);
    if (view) {
      view.update(source);
      view.panel.reveal(undefined, preserveFocus);
    } else {
      const panel = vscode.window.createWebviewPanel(
        PLAN_VIEW_TYPE,
        '',
        { viewColumn: vscode.ViewColumn.Active, preserveFocus },
        webviewOptions(this.extensionUri),
      );
      view = this.create(key, panel, source, () => {
        this.panels.delete(key);
        if (this.last === view) this.last = undefined;
      });
      this.panels.set(key, view);
    }
    this.last = view;
  }

  /** After a prune the view did not start (a command's): the plan's panel, if open and idle, shows what is left. */
  afterPrune(source: S): void {
    const view = this.panels.get(this.keyOf(source));
    if (view && !view.busy) void view.replan();
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }
}
