/** The plan view's words in VS Code's display language (the page itself has no English of its own). */
import * as vscode from 'vscode';
import { describeProfile } from '../../core/engine/engineProfile';
import { formatAge, formatAgo } from '../../core/format/units';
import type { Preview } from '../../core/execute/pruneJob';
import { bytesText, countText, displayLanguage, plural } from '../l10n/format';
import { filtersText, imageCount, modeTitle, stepsCount } from '../prune/describe';
import { containerKeepReason, keepReason, removeReason } from '../prune/planWords';
import { readOnlyRefusalText } from '../prune/readOnlyText';
import { sourcesSummary, sourceWord } from '../prune/sourceWords';
import { countSources } from '../../core/source/imageSource';
import type { HeaderLine } from '../../webview/planView/protocol';
import type { ContainerWords } from './containerRows';
import type { PlanViewInput, PlanViewWords } from './planViewState';
import { displayText } from '../../core/format/displayText';

export function planViewWords(): PlanViewWords {
  return {
    bytes: bytesText,
    images: imageCount,
    age: (then, now) => formatAge(then, now, displayLanguage()),
    ago: (then, now) => formatAgo(then, now, displayLanguage()),
    source: sourceWord,
    title: (env, mode, watermark) => (watermark ? vscode.l10n.t('Watermark prune on {0}', env) : vscode.l10n.t('Prune {0} on {1}', modeTitle(mode), env)),
    header,
    totals: (images, bytes, estimated, containers) =>
      vscode.l10n.t('{0}, {1} back', stepsCount(containers, images), estimated ? vscode.l10n.t('about {0}', bytesText(bytes)) : bytesText(bytes)),
    notes: ({ mode, preview }) => [
      ...(mode === 'all' && preview.plan.items.some((i) => i.reason === 'unused')
        ? [vscode.l10n.t('Tagged images that no container uses are deleted too: you would pull or build them again.')]
        : []),
      ...(preview.plan.estimatedBytes
        ? [vscode.l10n.t("Part of the bytes is estimated: the engine sizes each image's content, not the layer blobs images share.")]
        : []),
    ],
    removeButton: (images, bytes, containers) =>
      containers > 0
        ? vscode.l10n.t('Remove {0} ({1})', stepsCount(containers, images), bytesText(bytes))
        : plural(images, {
            one: vscode.l10n.t('Remove {0} image ({1})', countText(images), bytesText(bytes)),
            other: vscode.l10n.t('Remove {0} images ({1})', countText(images), bytesText(bytes)),
          }),
    nothingToRemove: vscode.l10n.t('Nothing to remove.'),
    staleText: vscode.l10n.t('The engine changed since this plan.'),
    replan: vscode.l10n.t('Re-plan'),
    readOnly: readOnlyRefusalText,
    removeReason,
    untagOnly: vscode.l10n.t('untag only'),
    keepReason,
    leftOut: vscode.l10n.t('left out'),
    goesWithChild: vscode.l10n.t('Goes with its last child: leave the child out to keep it.'),
    untaggedGroup: vscode.l10n.t('Untagged (dangling)'),
    none: vscode.l10n.t('none'),
    keptTitle: (n) => vscode.l10n.t('Kept ({0})', countText(n)),
    groupSummary: (images, bytes) => `${imageCount(images)} · ${bytesText(bytes)}`,
    includeImage: (name) => vscode.l10n.t('Remove {0}', name),
    includeGroup: (name) => vscode.l10n.t('Remove every image of {0}', name),
    copyId: (id) => vscode.l10n.t('Copy the full id of {0}', id),
    filters: {
      label: vscode.l10n.t('Filters'),
      hint: vscode.l10n.t(
        'Space-separated: until=24h (or 7d, a date), label=key[=value], label!=key[=value], unused-for=14d (nothing used it for that long), source=pulled|built|loaded (source!= too). Empty: no filters.',
      ),
      apply: vscode.l10n.t('Apply'),
    },
    sort: { label: vscode.l10n.t('Sort by'), bytes: vscode.l10n.t('Bytes'), age: vscode.l10n.t('Age'), name: vscode.l10n.t('Name') },
    columns: {
      include: vscode.l10n.t('Remove'),
      image: vscode.l10n.t('Tags'),
      id: vscode.l10n.t('Image'),
      created: vscode.l10n.t('Age'),
      lastUsed: vscode.l10n.t('Last used'),
      source: vscode.l10n.t('Source'),
      frees: vscode.l10n.t('Frees'),
      why: vscode.l10n.t('Why'),
    },
    busy: { planning: vscode.l10n.t('Planning…'), removing: vscode.l10n.t('Removing…'), checking: vscode.l10n.t('Asking the registries…') },
    checkRegistry: {
      label: vscode.l10n.t('Check Registries'),
      title: vscode.l10n.t("Ask each pulled image's registry, through the engine and with its credentials, whether it still has the image"),
    },
    containers: containerWords(),
  };
}

function containerWords(): ContainerWords {
  return {
    option: vscode.l10n.t('Also remove stopped containers'),
    before: vscode.l10n.t('stopped at least'),
    after: vscode.l10n.t('ago'),
    hint: vscode.l10n.t(
      'A duration such as 30d, 36h or 0s. Exited containers count from when they stopped, containers never started from when they were created. Running ones, restart policy always or unless-stopped, the docker-prune.keep label and protect patterns keep a container; volumes stay.',
    ),
    apply: vscode.l10n.t('Apply'),
    title: (n, bytes) => vscode.l10n.t('Stopped containers to remove first: {0} · {1} of their own; their volumes stay', countText(n), bytesText(bytes)),
    columns: {
      include: vscode.l10n.t('Remove'),
      name: vscode.l10n.t('Container'),
      image: vscode.l10n.t('Image'),
      stopped: vscode.l10n.t('Stopped'),
      exitCode: vscode.l10n.t('Exit code'),
      project: vscode.l10n.t('Compose project'),
      frees: vscode.l10n.t('Frees'),
    },
    bytes: bytesText,
    createdNeverStarted: (ago) => vscode.l10n.t('created {0}, never started', ago),
    include: (name) => vscode.l10n.t('Remove container {0}', name),
    kept: (byReason) =>
      vscode.l10n.t(
        'Stopped containers kept: {0}',
        byReason.map(({ reason, count }) => vscode.l10n.t('{0} ({1})', containerKeepReason(reason), countText(count))).join(', '),
      ),
  };
}

function header(input: PlanViewInput): HeaderLine[] {
  const { plan } = input.preview;
  const lines: HeaderLine[] = [
    { label: vscode.l10n.t('Environment'), value: `${displayText(input.environmentName)} (${displayText(input.location)})` },
    { label: vscode.l10n.t('Engine'), value: displayText(describeProfile(input.profile)) },
    {
      label: vscode.l10n.t('Mode'),
      value: input.preview.watermark ? vscode.l10n.t('watermark: unused images, least recently used first') : modeTitle(input.mode),
    },
    { label: vscode.l10n.t('Filters'), value: filtersText(input.filters) },
    { label: vscode.l10n.t('Protected patterns'), value: plan.policy.protect.length ? plan.policy.protect.join(', ') : vscode.l10n.t('none') },
  ];
  if (plan.items.length)
    lines.push({ label: vscode.l10n.t('Getting them back'), value: sourcesSummary(countSources(plan.items, input.preview.snapshot.sources)) });
  if (plan.policy.keepLatest) lines.push({ label: vscode.l10n.t('Keep newest per repository'), value: countText(plan.policy.keepLatest) });
  if (input.preview.watermark) lines.push(...watermarkLines(input.preview.watermark));
  return lines;
}

/** The marks, usage now and after, and where the run stops. */
function watermarkLines({ marks, figures: f }: NonNullable<Preview['watermark']>): HeaderLine[] {
  const share = (n: number) => (f.totalBytes ? ` (${((n / f.totalBytes) * 100).toFixed(1)}%)` : '');
  const basis =
    f.basis === 'disk' ? vscode.l10n.t('the disk holding the Docker root ({0})', bytesText(f.totalBytes ?? 0)) : vscode.l10n.t('the bytes the images take');
  const lines: HeaderLine[] = [
    {
      label: vscode.l10n.t('Watermarks'),
      value: vscode.l10n.t(
        'high {0} ({1}), low {2} ({3}) of {4}; minimum age {5}',
        marks.high.raw,
        bytesText(f.highBytes),
        marks.low.raw,
        bytesText(f.lowBytes),
        basis,
        marks.minimumAgeRaw,
      ),
    },
    { label: vscode.l10n.t('In use now'), value: `${bytesText(f.usedBytes)}${share(f.usedBytes)}` },
  ];
  if (!f.triggered) {
    lines.push({
      label: vscode.l10n.t('Stop point'),
      value: vscode.l10n.t('Below the high mark by {0}: the next auto-prune removes nothing.', bytesText(f.highBytes - f.usedBytes)),
    });
  } else {
    lines.push({ label: vscode.l10n.t('After this prune'), value: `${bytesText(f.predictedBytes)}${share(f.predictedBytes)}` });
    lines.push({
      label: vscode.l10n.t('Stop point'),
      value: f.reachesLow
        ? vscode.l10n.t('Above the high mark: the {0} least recently used unused images bring it under the low mark; the run stops there.', f.chosen.length)
        : vscode.l10n.t('Above the high mark, and removing every unused image that may go ({0}) does not reach the low mark.', f.chosen.length),
    });
  }
  return lines;
}
