/** The build-cache plan view's words in VS Code's display language (the page itself has no English of its own). */
import * as vscode from 'vscode';
import type { BuildCacheKeepReason, BuildCachePolicy } from '../../core/buildCache/model';
import { summarizeBuildCache } from '../../core/buildCache/summary';
import { describeProfile } from '../../core/engine/engineProfile';
import { displayText } from '../../core/format/displayText';
import { formatAgo } from '../../core/format/units';
import { bytesText, countText, displayLanguage, plural } from '../l10n/format';
import { readOnlyRefusalText } from '../prune/readOnlyText';
import type { HeaderLine } from '../../webview/planView/protocol';
import type { BuildCachePlanInput, BuildCachePlanWords } from './buildCacheRows';

export function buildCachePlanWords(): BuildCachePlanWords {
  return {
    bytes: bytesText,
    ago: (then, now) => formatAgo(then, now, displayLanguage()),
    never: vscode.l10n.t('never'),
    shared: vscode.l10n.t('shared with an image'),
    title: (env, all) => (all ? vscode.l10n.t('Prune all unused build cache on {0}', env) : vscode.l10n.t('Prune dangling build cache on {0}', env)),
    header,
    totals: (records, bytes) => vscode.l10n.t('{0}, {1} back', recordCount(records), bytesText(bytes)),
    diskExact: (reported, disk) =>
      vscode.l10n.t('The engine will report {0}; the disk gets back {1} (the rest is shared with images).', bytesText(reported), bytesText(disk)),
    diskRange: (reported, min, max) =>
      vscode.l10n.t(
        'The engine will report {0}; on the containerd store the disk gets back between {1} and {2}: layer records may share their blobs with images.',
        bytesText(reported),
        bytesText(min),
        bytesText(max),
      ),
    uncertain: (why) => vscode.l10n.t('The engine may choose differently: {0}.', why),
    removeButton: (records, bytes) =>
      plural(records, {
        one: vscode.l10n.t('Remove {0} record ({1})', countText(records), bytesText(bytes)),
        other: vscode.l10n.t('Remove {0} records ({1})', countText(records), bytesText(bytes)),
      }),
    nothingToRemove: vscode.l10n.t('Nothing to remove.'),
    readOnly: readOnlyRefusalText,
    replan: vscode.l10n.t('Re-plan'),
    keepReason,
    keptTitle: (n) => vscode.l10n.t('Kept ({0})', countText(n)),
    include: (record) => vscode.l10n.t('Remove {0}', record),
    copyId: (id) => vscode.l10n.t('Copy the full id of {0}', id),
    columns: {
      include: vscode.l10n.t('Remove'),
      record: vscode.l10n.t('Record'),
      type: vscode.l10n.t('Type'),
      description: vscode.l10n.t('Step'),
      lastUsed: vscode.l10n.t('Last used'),
      shared: vscode.l10n.t('Shared'),
      frees: vscode.l10n.t('Frees'),
    },
    busy: { planning: vscode.l10n.t('Planning…'), removing: vscode.l10n.t('Removing…') },
  };
}

function recordCount(n: number): string {
  return plural(n, { one: vscode.l10n.t('{0} record', countText(n)), other: vscode.l10n.t('{0} records', countText(n)) });
}

function header(input: BuildCachePlanInput): HeaderLine[] {
  const { plan, snapshot } = input.preview;
  const cache = summarizeBuildCache(snapshot.records);
  return [
    { label: vscode.l10n.t('Environment'), value: `${displayText(input.environmentName)} (${displayText(input.location)})` },
    { label: vscode.l10n.t('Engine'), value: displayText(describeProfile(snapshot.profile)) },
    {
      label: vscode.l10n.t('Mode'),
      value:
        plan.policy.mode === 'all'
          ? vscode.l10n.t('all unused build cache (docker builder prune --all)')
          : vscode.l10n.t('dangling build cache (docker builder prune)'),
    },
    { label: vscode.l10n.t('Filters'), value: filtersText(plan.policy) },
    {
      label: vscode.l10n.t('Build cache'),
      value: vscode.l10n.t('{0}, {1} ({2} reclaimable)', recordCount(cache.count), bytesText(cache.size), bytesText(cache.reclaimable)),
    },
  ];
}

/** The builder's filters as given (read-only here: the command's arguments chose them). */
function filtersText(policy: BuildCachePolicy): string {
  const { until, space } = policy;
  const parts = [
    ...(until ? [`until=${until.raw}`] : []),
    ...(space.reservedSpace ? [`keep-storage=${bytesText(space.reservedSpace)}`] : []),
    ...(space.maxUsedSpace ? [`max-used-space=${bytesText(space.maxUsedSpace)}`] : []),
    ...(space.minFreeSpace ? [`min-free-space=${bytesText(space.minFreeSpace)}`] : []),
  ];
  return parts.length ? displayText(parts.join(', ')) : vscode.l10n.t('none');
}

function keepReason(reason: BuildCacheKeepReason): string {
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
