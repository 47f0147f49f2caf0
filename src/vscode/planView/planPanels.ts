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
  update(source: S): void;
  state(): State;
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

export class PlanPanels<S, State, P extends PlanPanel<S, State>> implements vscode.Disposable {
  private readonly panels = new Map<string, P>();
  private last: P | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    /** Makes the panel for a new webview panel; it calls `onDispose` when it is closed. */
    private readonly create: (key: string, panel: vscode.WebviewPanel, source: S, onDispose: () => void) => P,
  ) {}

  show(key: string, source: S, preserveFocus: boolean): void {
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

  get(key: string): P | undefined {
    return this.panels.get(key);
  }

  /** The test seam on the panel shown last; `previewOf` names the core's preview behind what a panel shows. */
  testHandle<Preview>(previewOf: (source: S) => Preview): PlanViewHandleOf<State, Preview> {
    return {
      state: () => this.last?.state(),
      preview: () => (this.last ? previewOf(this.last.source) : undefined),
      post: async (message) => {
        if (!this.last) throw new Error('no such plan view is open');
        await this.last.handle(message);
      },
      isOpen: () => this.last !== undefined,
    };
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }
}
