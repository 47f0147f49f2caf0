/**
 * The build cache in the tree, beside an environment's image groups: one node with the cache's size and what a
 * prune could reclaim, and a child per record type with its records, size and last use.
 */
import * as vscode from 'vscode';
import type { BuildCacheSnapshot } from '../../core/buildCache/model';
import { summarizeBuildCache, type BuildCacheSummary, type BuildCacheTypeSummary } from '../../core/buildCache/summary';
import { displayText } from '../../core/format/displayText';
import { formatAgo } from '../../core/format/units';
import { bytesText, countText, displayLanguage } from '../l10n/format';
import { engineMarkdown } from '../markdown/engineMarkdown';
import type { EnvironmentNode } from './nodes';

export class BuildCacheNode {
  readonly kind = 'buildCache';
  readonly summary: BuildCacheSummary;
  constructor(
    readonly parent: EnvironmentNode,
    readonly snapshot: BuildCacheSnapshot,
  ) {
    this.summary = summarizeBuildCache(snapshot.records);
  }

  get id(): string {
    return `${this.parent.id}/buildCache`;
  }

  get session() {
    return this.parent.session;
  }

  toTreeItem(): vscode.TreeItem {
    const s = this.summary;
    const item = new vscode.TreeItem(vscode.l10n.t('Build cache'), s.count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = vscode.l10n.t('{0} records · {1} · {2} reclaimable', countText(s.count), bytesText(s.size), bytesText(s.reclaimable));
    item.iconPath = new vscode.ThemeIcon('tools');
    item.contextValue = this.session.readOnly ? 'buildCache.readonly' : 'buildCache';
    return item;
  }

  tooltip(): vscode.MarkdownString {
    const s = this.summary;
    const md = engineMarkdown();
    md.appendMarkdown(`**${vscode.l10n.t('Build cache')}** — ${vscode.l10n.t('{0} records', s.count)}\n\n`);
    md.appendMarkdown(vscode.l10n.t('Size {0}, of which {1} no build uses (reclaimable).', bytesText(s.size), bytesText(s.reclaimable)) + '\n\n');
    if (s.shared) md.appendMarkdown(vscode.l10n.t('Another {0} is shared with images: the disk keeps it while they stay.', bytesText(s.shared)) + '\n\n');
    if (s.lastUsedNs !== undefined)
      md.appendMarkdown(vscode.l10n.t('Last used {0}.', formatAgo(s.lastUsedNs, this.snapshot.daemonNowNs, displayLanguage())) + '\n\n');
    return md;
  }
}

export class BuildCacheTypeNode {
  readonly kind = 'buildCacheType';
  constructor(
    readonly parent: BuildCacheNode,
    readonly type: BuildCacheTypeSummary,
  ) {}

  get id(): string {
    return `${this.parent.id}/type:${this.type.type}`;
  }

  toTreeItem(): vscode.TreeItem {
    const t = this.type;
    const item = new vscode.TreeItem(displayText(t.type), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const lastUsed =
      t.lastUsedNs === undefined
        ? vscode.l10n.t('never used')
        : vscode.l10n.t('last used {0}', formatAgo(t.lastUsedNs, this.parent.snapshot.daemonNowNs, displayLanguage()));
    item.description = vscode.l10n.t('{0} records · {1} · {2}', countText(t.count), bytesText(t.size), lastUsed);
    item.tooltip = vscode.l10n.t(
      '{0}: {1} records, {2} ({3} reclaimable), {4}',
      displayText(t.type),
      countText(t.count),
      bytesText(t.size),
      bytesText(t.reclaimable),
      lastUsed,
    );
    item.iconPath = new vscode.ThemeIcon('archive');
    item.contextValue = 'buildCache.type';
    return item;
  }
}
