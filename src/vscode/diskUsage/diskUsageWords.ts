/** The disk-usage page's words in VS Code's display language (the state builder itself has no `vscode` import). */
import * as vscode from 'vscode';
import { formatPercent } from '../../core/format/units';
import { bytesText, countText, displayLanguage, plural } from '../l10n/format';
import { imageCount } from '../prune/describe';
import { sourcesSummary } from '../prune/sourceWords';
import type { HistoryTrigger, SpaceKey } from '../../webview/diskUsage/protocol';
import type { DiskUsageWords } from './diskUsageState';

export function diskUsageWords(): DiskUsageWords {
  const segments: Record<SpaceKey, () => string> = {
    inUse: () => vscode.l10n.t('Images in use'),
    unused: () => vscode.l10n.t('Unused images'),
    dangling: () => vscode.l10n.t('Dangling images'),
    buildCacheInUse: () => vscode.l10n.t('Build cache in use'),
    buildCacheReclaimable: () => vscode.l10n.t('Build cache, reclaimable'),
  };
  const triggers: Record<HistoryTrigger, () => string> = {
    manual: () => vscode.l10n.t('manual'),
    auto: () => vscode.l10n.t('auto-prune'),
    cli: () => vscode.l10n.t('CLI'),
  };
  const language = displayLanguage();
  return {
    labels: {
      refresh: vscode.l10n.t('Refresh'),
      space: vscode.l10n.t('Where the space is'),
      repositories: vscode.l10n.t('Repositories that would free the most (all unused images)'),
      history: vscode.l10n.t('What prunes reclaimed'),
      repository: vscode.l10n.t('Repository'),
      frees: vscode.l10n.t('Frees'),
      images: vscode.l10n.t('Images'),
      day: vscode.l10n.t('Day'),
      prunes: vscode.l10n.t('Prunes'),
      reclaimed: vscode.l10n.t('Reclaimed'),
      tableCaption: vscode.l10n.t('The figures of the chart'),
    },
    bytes: bytesText,
    percent: (n) => formatPercent(n, language),
    images: imageCount,
    records: (n) => plural(n, { one: vscode.l10n.t('{0} record', countText(n)), other: vscode.l10n.t('{0} records', countText(n)) }),
    prunes: (n) => plural(n, { one: vscode.l10n.t('{0} prune', countText(n)), other: vscode.l10n.t('{0} prunes', countText(n)) }),
    day: (day) => {
      const [y, m, d] = day.split('-').map(Number);
      const date = new Date(y!, (m ?? 1) - 1, d ?? 1);
      try {
        return date.toLocaleDateString(language, { year: 'numeric', month: 'short', day: 'numeric' });
      } catch {
        return day;
      }
    },
    time: (ms) => {
      try {
        return new Date(ms).toLocaleTimeString(language);
      } catch {
        return new Date(ms).toISOString();
      }
    },
    heading: (environment) => vscode.l10n.t('Disk usage of {0}', environment),
    measured: (time) => vscode.l10n.t('Measured at {0}', time),
    segment: (key) => segments[key](),
    trigger: (key) => triggers[key](),
    untagged: () => vscode.l10n.t('<untagged>'),
    spaceAria: (parts) => vscode.l10n.t('Disk usage: {0}', parts),
    spacePart: (label, bytes, percent) => `${label} ${bytes} (${percent})`,
    imagesTotal: (bytes, images) => vscode.l10n.t('Images take {0} on disk ({1}; every layer counted once).', bytes, images),
    danglingFrees: (bytes) => vscode.l10n.t('A prune of dangling images frees {0}.', bytes),
    allFrees: (bytes) => vscode.l10n.t('A prune of all unused images frees {0} (protect patterns and keep-latest not applied here).', bytes),
    allSources: (counts) => vscode.l10n.t('Getting those back: {0}.', sourcesSummary(counts)),
    noBuildCache: () => vscode.l10n.t('No build cache: the engine has none, or it could not be read.'),
    repositoriesAria: (parts) => vscode.l10n.t('Bytes a prune of all unused images frees, by repository: {0}', parts),
    repositoryPart: (repository, bytes) => `${repository} ${bytes}`,
    noRepositories: () => vscode.l10n.t('No unused images: a prune would free nothing.'),
    historySummary: (prunes, bytes, byTrigger) => vscode.l10n.t('{0} reclaimed {1} ({2}).', prunes, bytes, byTrigger),
    triggerPart: (trigger, bytes) => `${trigger} ${bytes}`,
    historyAria: (parts) => vscode.l10n.t('Bytes reclaimed per day: {0}', parts),
    historyPart: (day, bytes, prunes) => vscode.l10n.t('{0}: {1} by {2}', day, bytes, prunes),
    noHistory: () => vscode.l10n.t('The audit log has no prunes of this environment yet.'),
    historyProblem: (message) => vscode.l10n.t('The audit log could not be read: {0}', message),
    list: (parts) => {
      try {
        return new Intl.ListFormat(language, { style: 'short', type: 'unit' }).format(parts);
      } catch {
        return parts.join(', ');
      }
    },
  };
}
