/**
 * What a command acts on. From the tree, VS Code passes the node; from keybindings, other extensions or
 * tests, an options object; from the palette, nothing (then the user picks).
 */
import * as vscode from 'vscode';
import { bytesText } from '../l10n/format';
import type { PruneMode } from '../../core/model';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import { EnvironmentNode, GroupNode, ImageNode, MessageNode } from '../tree/nodes';
import { imageCount } from '../prune/describe';
import { MESSAGE_MAX_CHARS } from '../../core/format/displayText';
import { iconLiteral } from '../markdown/markdownLiteral';

/** Arguments a command accepts instead of a tree node. */
export interface CommandOptions {
  /** Environment id (`local`, `docker-host`, `setting:NAME`, …) or name. */
  readonly environment?: string;
  readonly mode?: PruneMode;
  /** Filters for this run in Docker's form: `until=24h`, `label=team=web`, `label!=keep`. */
  readonly filters?: readonly string[];
}

export function optionsOf(arg: unknown): CommandOptions {
  if (
    arg &&
    typeof arg === 'object' &&
    !(arg instanceof EnvironmentNode) &&
    !(arg instanceof GroupNode) &&
    !(arg instanceof ImageNode) &&
    !(arg instanceof MessageNode)
  ) {
    return arg as CommandOptions;
  }
  return {};
}

/** The session a tree node belongs to, or the one named in the options. */
export async function sessionOf(arg: unknown, registry: EnvironmentRegistry): Promise<EnvironmentSession | undefined> {
  if (arg instanceof EnvironmentNode) return arg.session;
  if (arg instanceof GroupNode) return arg.parent.session;
  if (arg instanceof ImageNode) return arg.session;
  if (arg instanceof MessageNode && arg.parent) return arg.parent.session;
  const name = optionsOf(arg).environment;
  if (name) {
    const found = await registry.find(name);
    if (!found) throw new Error(vscode.l10n.t('There is no Docker environment named "{0}".', name));
    return found;
  }
  return undefined;
}

interface EnvironmentPick extends vscode.QuickPickItem {
  readonly session: EnvironmentSession;
}

/**
 * The environment to act on: the given one, the only one, or the user's choice in a quick pick that shows
 * each environment's reclaimable bytes (filled in as environments answer).
 */
export async function pickEnvironment(registry: EnvironmentRegistry, mode: PruneMode, title: string): Promise<EnvironmentSession | undefined> {
  const sessions = await registry.list();
  if (sessions.length <= 1) return sessions[0];
  const qp = vscode.window.createQuickPick<EnvironmentPick>();
  qp.title = title;
  qp.placeholder = vscode.l10n.t('Choose the Docker environment');
  // Often the second step of a command (after the mode): a webview or editor taking the focus back as the first
  // step closes must not cancel it. Escape still does.
  qp.ignoreFocusOut = true;
  // Items are rebuilt as environments answer; keep the one the user moved to active across rebuilds.
  let active: EnvironmentSession | undefined;
  qp.onDidChangeActive((items) => (active = items[0]?.session ?? active));
  let shown = '';
  const render = () => {
    const items = sessions.map((session) => describe(session, mode));
    const key = JSON.stringify(items.map((i) => [i.label, i.description, i.detail]));
    if (key !== shown) {
      // Only when something visible changed: replacing the items resets the list's focus in the UI.
      shown = key;
      qp.items = items;
      if (active) qp.activeItems = qp.items.filter((i) => i.session === active);
    }
    qp.busy = sessions.some((s) => s.state.kind === 'idle' || s.state.kind === 'loading' || (s.state.kind === 'ready' && s.state.reclaimPending));
  };
  const observations = sessions.map((s) => s.observe());
  const sub = registry.onDidChangeSession(render);
  render();
  try {
    return await new Promise<EnvironmentSession | undefined>((resolve) => {
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]?.session);
        qp.hide();
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
  } finally {
    sub.dispose();
    for (const o of observations) o.dispose();
    qp.dispose();
  }
}

function describe(session: EnvironmentSession, mode: PruneMode): EnvironmentPick {
  const s = session.state;
  let detail: string;
  let icon = 'vm-active';
  if (s.kind === 'ready') {
    const plan = s.reclaim?.[mode];
    detail = plan
      ? vscode.l10n.t('{0} to remove · {1} reclaimable', imageCount(plan.items.length), bytesText(plan.spaceReclaimable))
      : vscode.l10n.t('{0} · measuring…', imageCount(s.listing.images.length));
  } else if (s.kind === 'failed' || s.kind === 'invalid') {
    detail = iconLiteral(s.message, MESSAGE_MAX_CHARS);
    icon = 'debug-disconnect';
  } else {
    detail = vscode.l10n.t('connecting…');
    icon = 'loading~spin';
  }
  return { label: `$(${icon}) ${iconLiteral(session.name)}`, description: iconLiteral(session.location), detail, session };
}

/** The environment a prune-ish command works on: the node's or the options' one, else the one the user picks. */
export async function targetSession(arg: unknown, registry: EnvironmentRegistry, mode: PruneMode, title: string): Promise<EnvironmentSession | undefined> {
  return (await sessionOf(arg, registry)) ?? (await pickEnvironment(registry, mode, title));
}
