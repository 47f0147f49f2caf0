/**
 * The "Environments" view: a TreeDataProvider over the registry's sessions. While the view is visible it
 * observes every environment (so their event streams run and the tree follows the engines); hidden, it
 * lets them go. An unreachable engine is a node with the reason and a Retry action, never a notification.
 */
import { describeStoppedContainers } from '../../core/containers/stoppedContainers';
import type { StoppedContainer } from '../../core/model';
import * as vscode from 'vscode';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import { byGroup, byRepository, type UsageGroup } from '../environments/listing';
import { affects, groupBy, modeOr, Setting } from '../settings/settings';
import { BuildCacheNode, BuildCacheTypeNode } from './buildCacheNodes';
import { EnvironmentNode, GroupNode, ImageNode, MessageNode, isUnreachable } from './nodes';
import type { Node } from './treeNode';

const VIEW_ID = 'dockerPrune.environments';

const USAGE_ORDER: UsageGroup[] = ['inUse', 'unused', 'dangling'];

export class EnvironmentsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly envNodes = new Map<EnvironmentSession, EnvironmentNode>();
  private readonly groupCache = new WeakMap<EnvironmentNode, { state: unknown; mode: string; groups: GroupNode[] }>();
  private readonly disposables: vscode.Disposable[] = [];
  private observations = new Map<EnvironmentSession, vscode.Disposable>();
  private visible = false;
  readonly view: vscode.TreeView<Node>;

  constructor(private readonly registry: EnvironmentRegistry) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.view.onDidChangeVisibility((e) => this.setVisible(e.visible)),
      registry.onDidChangeEnvironments(() => {
        for (const s of [...this.envNodes.keys()]) if (!registry.known.includes(s)) this.envNodes.delete(s);
        this.syncObservations();
        this.changed.fire(undefined);
      }),
      registry.onDidChangeSession((s) => {
        const node = this.envNodes.get(s);
        if (node) this.changed.fire(node);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.GroupBy, Setting.DefaultMode)) this.changed.fire(undefined);
      }),
    );
    this.setVisible(this.view.visible);
  }

  private setVisible(visible: boolean): void {
    this.visible = visible;
    this.syncObservations();
  }

  private syncObservations(): void {
    const want = this.visible ? new Set(this.registry.known) : new Set<EnvironmentSession>();
    for (const [s, d] of this.observations) {
      if (!want.has(s)) {
        d.dispose();
        this.observations.delete(s);
      }
    }
    for (const s of want) if (!this.observations.has(s)) this.observations.set(s, s.observe());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  nodeFor(session: EnvironmentSession): EnvironmentNode {
    let node = this.envNodes.get(session);
    if (!node) {
      node = new EnvironmentNode(session, { expanded: () => this.registry.known.length <= 2, mode: () => modeOr(Setting.DefaultMode) });
      this.envNodes.set(session, node);
    }
    return node;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node.toTreeItem();
  }

  async resolveTreeItem(item: vscode.TreeItem, node: Node): Promise<vscode.TreeItem> {
    if (node instanceof ImageNode) item.tooltip = node.tooltip(await this.describeStoppedHolders(node));
    else if (node instanceof EnvironmentNode || node instanceof BuildCacheNode) item.tooltip = node.tooltip();
    return item;
  }

  /** On hover only: the stopped containers that alone keep an image, as the engine describes them (one inspect each). */
  private async describeStoppedHolders(node: ImageNode): Promise<StoppedContainer[] | undefined> {
    const holders = node.stoppedHolders();
    const engine = holders && node.session.engine();
    if (!holders || !engine) return undefined;
    try {
      return await describeStoppedContainers(engine, holders);
    } catch {
      return undefined; // the tooltip then names them only; the engine's trouble shows on the environment
    }
  }

  getParent(node: Node): Node | undefined {
    if (node instanceof EnvironmentNode) return undefined;
    return node.parent;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.roots();
    if (node instanceof EnvironmentNode) return this.environmentChildren(node);
    if (node instanceof GroupNode) return node.images.map((img) => new ImageNode(node, img));
    if (node instanceof BuildCacheNode) return node.summary.byType.map((t) => new BuildCacheTypeNode(node, t));
    return [];
  }

  private async roots(): Promise<Node[]> {
    const sessions = await this.registry.list();
    this.syncObservations();
    const nodes: Node[] = sessions.map((s) => this.nodeFor(s));
    for (const [i, p] of this.registry.problems.entries()) {
      nodes.push(
        new MessageNode(
          undefined,
          `problem-${i}`,
          p.message,
          'warning',
          { command: 'workbench.action.openSettings', title: '', arguments: ['dockerPrune.environments'] },
          `${p.source}: ${p.message}`,
        ),
      );
    }
    return nodes;
  }

  private async environmentChildren(node: EnvironmentNode): Promise<Node[]> {
    const session = node.session;
    await session.whenLoaded();
    const state = session.state;
    switch (state.kind) {
      case 'ready': {
        const mode = groupBy();
        const cached = this.groupCache.get(node);
        const cache = state.buildCache?.records.length ? [new BuildCacheNode(node, state.buildCache)] : [];
        if (cached && cached.state === state.listing && cached.mode === mode) return [...cached.groups, ...cache];
        const groups =
          mode === 'repository'
            ? [...byRepository(state.listing)].map(([repository, images]) => new GroupNode(node, { repository }, images))
            : USAGE_ORDER.map((usage) => new GroupNode(node, { usage }, byGroup(state.listing, usage)));
        this.groupCache.set(node, { state: state.listing, mode, groups });
        return [...groups, ...cache];
      }
      case 'failed':
        return [
          new MessageNode(
            node,
            'reason',
            state.message,
            isUnreachable(state.errorKind) ? 'debug-disconnect' : 'error',
            undefined,
            state.message,
            'message.reason',
          ),
          new MessageNode(
            node,
            'retry',
            vscode.l10n.t('Retry'),
            'refresh',
            { command: 'dockerPrune.retry', title: vscode.l10n.t('Retry'), arguments: [node] },
            undefined,
            'message.retry',
          ),
        ];
      case 'invalid':
        return [
          new MessageNode(
            node,
            'reason',
            state.message,
            'error',
            { command: 'workbench.action.openSettings', title: '', arguments: ['dockerPrune.environments'] },
            state.message,
            'message.reason',
          ),
        ];
      default:
        return [];
    }
  }

  /** The environment nodes currently known (for commands that act on "the" environment). */
  environmentNodes(): EnvironmentNode[] {
    return this.registry.known.map((s) => this.nodeFor(s));
  }

  dispose(): void {
    for (const d of this.observations.values()) d.dispose();
    this.observations.clear();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
