/** The build-cache prune preview as a read-only Markdown document: every record it removes, and what stays. */
import * as vscode from 'vscode';
import type { BuildCacheKeepReason } from '../../core/buildCache/model';
import { summarizeBuildCache } from '../../core/buildCache/summary';
import { describeProfile } from '../../core/engine/engineProfile';
import type { BuildCachePreview } from '../../core/execute/buildCachePruneJob';
import { MESSAGE_MAX_CHARS } from '../../core/format/displayText';
import { formatAge, formatBytes } from '../../core/format/units';
import { markdownLiteral } from '../markdown/markdownLiteral';

export function buildCachePreviewMarkdown(environment: string, preview: BuildCachePreview): string {
  const { plan, snapshot } = preview;
  const s = summarizeBuildCache(snapshot.records);
  const mode = plan.policy.mode === 'all' ? vscode.l10n.t('all unused build cache') : vscode.l10n.t('dangling build cache');
  const lines = [
    `# ${vscode.l10n.t('Build cache prune preview — {0}', markdownLiteral(environment))}`,
    '',
    `${markdownLiteral(describeProfile(snapshot.profile))} · ${vscode.l10n.t('mode: {0}', mode)}${plan.policy.until ? ` · ${markdownLiteral(`until=${plan.policy.until.raw}`)}` : ''}`,
    '',
    vscode.l10n.t('Build cache: {0} records, {1} ({2} reclaimable)', s.count, formatBytes(s.size), formatBytes(s.reclaimable)),
    '',
    `**${vscode.l10n.t('{0} records, {1}', plan.items.length, formatBytes(plan.bytes))}**` +
      (plan.diskBytesEstimated
        ? ` — ${vscode.l10n.t('the disk gets back between {0} and {1}', formatBytes(plan.diskBytesRange?.min ?? 0), formatBytes(plan.diskBytesRange?.max ?? plan.bytes))}`
        : ` — ${vscode.l10n.t('the disk gets back {0}', formatBytes(plan.diskBytes))}`),
    '',
  ];
  if (plan.uncertain) lines.push(`> ${vscode.l10n.t('The engine may choose differently: {0}.', markdownLiteral(plan.uncertain, MESSAGE_MAX_CHARS))}`, '');
  if (plan.items.length) {
    lines.push(
      `| ${vscode.l10n.t('Record')} | ${vscode.l10n.t('Type')} | ${vscode.l10n.t('Size')} | ${vscode.l10n.t('Last used')} | ${vscode.l10n.t('Step')} |`,
      '|---|---|---:|---|---|',
    );
    for (const r of plan.items) {
      const used = r.lastUsedNs === undefined ? vscode.l10n.t('never') : vscode.l10n.t('{0} ago', formatAge(r.lastUsedNs, snapshot.daemonNowNs));
      lines.push(
        `| ${markdownLiteral(r.id.slice(0, 12))} | ${markdownLiteral(r.type)} | ${formatBytes(r.size)}${r.shared ? ' ' + vscode.l10n.t('(shared)') : ''} | ${used} | ${markdownLiteral(r.description)} |`,
      );
    }
    lines.push('');
  }
  const kept = new Map<BuildCacheKeepReason, number>();
  for (const k of plan.kept) kept.set(k.reason, (kept.get(k.reason) ?? 0) + 1);
  if (kept.size) lines.push(`${vscode.l10n.t('Kept')}: ${[...kept].map(([reason, n]) => `${n} ${keepReasonText(reason)}`).join(', ')}`, '');
  return lines.join('\n');
}

function keepReasonText(reason: BuildCacheKeepReason): string {
  switch (reason) {
    case 'left-out':
      return vscode.l10n.t('left out');
    case 'in-use':
      return vscode.l10n.t('in use by a build');
    case 'internal':
      return vscode.l10n.t('internal or frontend');
    case 'shared':
      return vscode.l10n.t('shared with images');
    case 'recent':
      return vscode.l10n.t('used more recently than the filter');
    case 'has-children':
      return vscode.l10n.t('under a record that stays');
    case 'space-limit':
      return vscode.l10n.t('within the space limit');
  }
}
