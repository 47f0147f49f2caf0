/**
 * The tree's nodes: environment → group (In use / Unused / Dangling, or one per repository) → image.
 * Each node knows how to render itself; tooltips are built lazily (resolveTreeItem), so a group of
 * 1,000 images costs only labels until the user hovers.
 */
import * as vscode from 'vscode';
import { describeProfile } from '../../core/engine/engineProfile';
import { displayText, MESSAGE_MAX_CHARS } from '../../core/format/displayText';
import { formatAgo, shortImageId } from '../../core/format/units';
import { ageText, agoText, bytesText, countText, dateTimeText, displayLanguage, plural } from '../l10n/format';
import type { ContainerRecord, ImageSource, KeptImage, LastUse, PlannedImage, PruneMode } from '../../core/model';
import { describeStoppedContainer, imagesKeptOnlyByStoppedContainers } from '../../core/containers/stoppedPins';
import type { StoppedContainer } from '../../core/model';
import { planPrune } from '../../core/plan/planner';
import { markdownStoppedWords } from '../prune/stoppedWords';
import type { EnvironmentSession, Reclaim } from '../environments/environmentSession';
import type { ImageEntry, UsageGroup } from '../environments/listing';
import { containerCount, imageCount } from '../prune/describe';
import { engineMarkdown } from '../markdown/engineMarkdown';
import { markdownLiteral } from '../markdown/markdownLiteral';
import { keepReason } from '../prune/planWords';
import { sourceTooltip, sourceWord } from '../prune/sourceWords';
import { distanceText, standingText } from '../scheduler/watermarkStatus';

const GROUP_TITLES: Record<UsageGroup, () => string> = {
  inUse: () => vscode.l10n.t('In use'),
  unused: () => vscode.l10n.t('Unused'),
  dangling: () => vscode.l10n.t('Dangling'),
};

const GROUP_ICONS: Record<UsageGroup, string> = { inUse: 'play-circle', unused: 'package', dangling: 'trash' };

export class EnvironmentNode {
  readonly kind = 'environment';
  constructor(
    readonly session: EnvironmentSession,
    private readonly options: { expanded: () => boolean; mode: () => PruneMode },
  ) {}

  get id(): string {
    return `env:${this.session.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const s = this.session;
    const state = s.state;
    const item = new vscode.TreeItem(
      displayText(s.name),
      this.options.expanded() ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    switch (state.kind) {
      case 'idle':
      case 'loading':
        item.description = vscode.l10n.t('connecting…');
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        item.contextValue = 'environment.loading';
        break;
      case 'ready': {
        const bytes = s.reclaimable(this.options.mode());
        const reclaim =
          bytes !== undefined
            ? vscode.l10n.t('{0} reclaimable', bytesText(bytes))
            : state.reclaimError
              ? vscode.l10n.t('reclaimable unknown')
              : vscode.l10n.t('measuring…');
        const watermark = state.reclaim?.watermark;
        item.description = `${imageCount(state.listing.images.length)} · ${reclaim}${watermark ? ` · ${distanceText(watermark)}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(s.readOnly ? 'vm-outline' : 'vm-active');
        item.contextValue = s.readOnly ? 'environment.connected.readonly' : 'environment.connected';
        break;
      }
      case 'failed':
        item.description = isUnreachable(state.errorKind) ? vscode.l10n.t('unreachable') : vscode.l10n.t('error');
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.contextValue = 'environment.unreachable';
        break;
      case 'invalid':
        item.description = vscode.l10n.t('invalid settings');
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        item.contextValue = 'environment.invalid';
        break;
    }
    return item;
  }

  tooltip(): vscode.MarkdownString {
    const s = this.session;
    const md = engineMarkdown();
    md.appendMarkdown(`**${markdownLiteral(s.name)}** — ${markdownLiteral(s.location)}\n\n`);
    if (s.descriptor.description)
      md.appendMarkdown(
        `${markdownLiteral(s.descriptor.description, MESSAGE_MAX_CHARS)}${s.descriptor.current ? ' · ' + vscode.l10n.t('the docker CLI uses it now') : ''}\n\n`,
      );
    const state = s.state;
    if (state.kind === 'ready') {
      const l = state.listing;
      md.appendMarkdown(
        `${markdownLiteral(describeProfile(l.engine))} · ${vscode.l10n.t('{0}, {1}', imageCount(l.images.length), containerCount(l.containers))}\n\n`,
      );
      if (l.intermediates > 0) {
        const n = countText(l.intermediates);
        const text = plural(l.intermediates, {
          one: vscode.l10n.t('{0} untagged parent image is not listed (as in `docker image ls`); it goes with its last child.', n),
          other: vscode.l10n.t('{0} untagged parent images are not listed (as in `docker image ls`); they go with their last child.', n),
        });
        md.appendMarkdown(text + '\n\n');
      }
      if (state.reclaim) {
        md.appendMarkdown(
          vscode.l10n.t(
            'Reclaimable: {0} (dangling images), {1} (all unused images)',
            bytesText(state.reclaim.dangling.spaceReclaimable),
            bytesText(state.reclaim.all.spaceReclaimable),
          ) + '\n\n',
        );
      } else if (state.reclaimError) {
        md.appendMarkdown(vscode.l10n.t('Reclaimable space unknown: {0}', markdownLiteral(state.reclaimError, MESSAGE_MAX_CHARS)) + '\n\n');
      }
      if (state.reclaim?.watermark) md.appendMarkdown(markdownLiteral(standingText(state.reclaim.watermark), MESSAGE_MAX_CHARS) + '\n\n');
    } else if (state.kind === 'failed' || state.kind === 'invalid') {
      md.appendMarkdown(`$(warning) ${markdownLiteral(state.message, MESSAGE_MAX_CHARS)}\n\n`);
    }
    if (s.readOnly) md.appendMarkdown(vscode.l10n.t('Read-only: prunes are turned off.') + '\n\n');
    if (s.descriptor.protected) md.appendMarkdown(vscode.l10n.t('Protected: a prune asks you to type its name.') + '\n\n');
    return md;
  }
}

export function isUnreachable(kind: string): boolean {
  return kind === 'unreachable' || kind === 'timeout' || kind === 'permission-denied';
}

export type GroupKey = { readonly usage: UsageGroup } | { readonly repository: string };

export class GroupNode {
  readonly kind = 'group';
  constructor(
    readonly parent: EnvironmentNode,
    readonly key: GroupKey,
    readonly images: readonly ImageEntry[],
  ) {}

  get id(): string {
    return `${this.parent.id}/${'usage' in this.key ? `group:${this.key.usage}` : `repo:${this.key.repository}`}`;
  }

  toTreeItem(): vscode.TreeItem {
    const label = 'usage' in this.key ? GROUP_TITLES[this.key.usage]() : displayText(this.key.repository) || '<none>';
    const item = new vscode.TreeItem(label, this.images.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    let description = imageCount(this.images.length);
    const state = this.parent.session.state;
    if ('usage' in this.key && this.key.usage === 'dangling' && state.kind === 'ready' && state.reclaim) {
      description += ' · ' + vscode.l10n.t('{0} reclaimable', bytesText(state.reclaim.dangling.spaceReclaimable));
    }
    if ('usage' in this.key && this.key.usage === 'inUse') description += ' · ' + vscode.l10n.t('kept');
    item.description = description;
    item.iconPath = new vscode.ThemeIcon('usage' in this.key ? GROUP_ICONS[this.key.usage] : 'repo');
    item.contextValue = 'usage' in this.key ? `group.${this.key.usage}` : 'group.repository';
    return item;
  }
}

export class ImageNode {
  readonly kind = 'image';
  constructor(
    readonly parent: GroupNode,
    readonly image: ImageEntry,
  ) {}

  get id(): string {
    return `${this.parent.id}/img:${this.image.id}`;
  }

  get session(): EnvironmentSession {
    return this.parent.parent.session;
  }

  toTreeItem(): vscode.TreeItem {
    const img = this.image;
    const label = img.tags.length ? img.tags.map((t) => displayText(t)).join(', ') : '<none>';
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const used = this.lastUse();
    const source = this.source();
    // The marker says only what matters for a prune: a registry has it, or nothing brings it back.
    const marker = source?.kind === 'pulled' || source?.kind === 'loaded' ? ` · ${sourceWord(source)}` : '';
    item.description = `${shortImageId(img.id)} · ${bytesText(img.size)} · ${ageText(img.created)}${used ? ` · ${lastUsedText(used)}` : ''}${marker}`;
    item.iconPath = new vscode.ThemeIcon(img.protected ? 'lock' : img.group === 'inUse' ? 'layers-active' : img.group === 'dangling' ? 'layers-dot' : 'layers');
    item.contextValue = `image.${img.group}${img.tags.length ? '.tagged' : ''}${img.protected ? '.protected' : ''}`;
    return item;
  }

  /** `described`: the stopped containers that alone keep it, as the engine describes them (else they are named only). */
  tooltip(described?: readonly StoppedContainer[]): vscode.MarkdownString {
    const img = this.image;
    const md = engineMarkdown();
    md.appendMarkdown(`**${img.tags.length ? img.tags.map((t) => markdownLiteral(t)).join(', ') : markdownLiteral('<none>')}**\n\n`);
    md.appendMarkdown(`${markdownLiteral(img.id)}\n\n`);
    md.appendMarkdown(vscode.l10n.t('Size {0} · created {1} ({2})', bytesText(img.size), dateTimeText(img.created), agoText(img.created)) + '\n\n');
    if (img.digests.length) md.appendMarkdown(vscode.l10n.t('Digests: {0}', img.digests.map((d) => markdownLiteral(d)).join(', ')) + '\n\n');
    const labels = Object.entries(img.labels);
    if (labels.length) md.appendMarkdown(vscode.l10n.t('Labels: {0}', labels.map(([k, v]) => markdownLiteral(`${k}=${v}`)).join(', ')) + '\n\n');
    if (img.containers.length) {
      md.appendMarkdown(
        vscode.l10n.t('Used by: {0}', img.containers.map((c) => `${markdownLiteral(c.name)} (${markdownLiteral(c.state)})`).join(', ')) + '\n\n',
      );
    } else if (img.usedThroughChildren > 0) {
      md.appendMarkdown(vscode.l10n.t('In use through child images ({0}).', containerCount(img.usedThroughChildren)) + '\n\n');
    } else {
      md.appendMarkdown(vscode.l10n.t('No container uses it.') + '\n\n');
    }
    if (img.protected) md.appendMarkdown(vscode.l10n.t('Protected by a pattern in the dockerPrune.protect setting.') + '\n\n');
    const used = this.lastUse();
    if (used) md.appendMarkdown(lastUsedTooltip(used) + '\n\n');
    const state = this.session.state;
    if (state.kind === 'ready' && state.reclaim) md.appendMarkdown(markdownLiteral(sourceTooltip(this.source())) + '\n\n');
    if (state.kind === 'ready' && state.reclaim) {
      for (const mode of ['dangling', 'all'] as const) {
        const fate = planFate(state.reclaim, mode, img.id);
        const title = mode === 'all' ? vscode.l10n.t('Prune All Unused') : vscode.l10n.t('Prune Dangling');
        if (fate?.kind === 'planned') md.appendMarkdown(vscode.l10n.t('{0}: removes it, freeing {1}', title, bytesText(fate.step.bytes)) + '\n\n');
        else if (fate?.kind === 'kept') md.appendMarkdown(vscode.l10n.t('{0}: keeps it ({1})', title, keepReason(fate.kept.reason)) + '\n\n');
      }
    }
    const holders = this.stoppedHolders();
    if (holders) {
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const words = markdownStoppedWords();
      const list = described?.length
        ? described.map((c) => describeStoppedContainer(c, nowNs, words)).join('; ')
        : holders.map((c) => markdownLiteral(c.names[0] ?? c.id.slice(0, 12))).join(', ');
      md.appendMarkdown(vscode.l10n.t('Kept only by stopped containers: {0}. Without them, Prune All Unused would remove it.', list) + '\n\n');
    }
    return md;
  }

  /** The stopped containers that alone keep it from Prune All Unused (containers/stoppedPins.ts), once a snapshot has been read. */
  stoppedHolders(): readonly ContainerRecord[] | undefined {
    const state = this.session.state;
    return state.kind === 'ready' && state.reclaim ? stoppedHoldersOf(state.reclaim).get(this.image.id) : undefined;
  }

  /** Where the image came from, once a snapshot has been read. */
  source(): ImageSource | undefined {
    const state = this.session.state;
    return state.kind === 'ready' ? state.reclaim?.snapshot.sources?.get(this.image.id) : undefined;
  }

  /** When the image was last used, once a snapshot has been read. */
  lastUse(): LastUse | undefined {
    const state = this.session.state;
    return state.kind === 'ready' ? state.reclaim?.snapshot.lastUsed?.get(this.image.id) : undefined;
  }
}

/** `last used 3 weeks ago`; `last used ≤ 3 weeks ago` when it may have been used since (a lower bound). */
function lastUsedText(used: LastUse): string {
  const ago = formatAgo(used.atNs, BigInt(Date.now()) * 1_000_000n, displayLanguage());
  return used.lowerBound ? vscode.l10n.t('last used ≤ {0}', ago) : vscode.l10n.t('last used {0}', ago);
}

/** The tooltip's line: when, where the value comes from, and whether it is exact. */
function lastUsedTooltip(used: LastUse): string {
  const seconds = Number(used.atNs / 1_000_000_000n);
  const when = dateTimeText(seconds);
  const ago = agoText(seconds);
  const source = {
    event: vscode.l10n.t('an engine event (a container created, started or stopped; the image pulled, tagged, loaded or built)'),
    container: vscode.l10n.t("a container's own timestamps"),
    'last-tag-time': vscode.l10n.t("the engine's LastTagTime (when it was last tagged; never seen in use)"),
    created: vscode.l10n.t('its created time (never seen in use)'),
  }[used.source];
  return used.lowerBound
    ? vscode.l10n.t(
        'Last used: at least as recently as {0} ({1}), from {2}. Events may have been missed before then, so it may have been used since.',
        when,
        ago,
        source,
      )
    : vscode.l10n.t('Last used: {0} ({1}), from {2}.', when, ago, source);
}

export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly parent: EnvironmentNode | undefined,
    readonly key: string,
    readonly label: string,
    readonly icon: string,
    readonly command?: vscode.Command,
    readonly tooltipText?: string,
    readonly contextValue = 'message',
  ) {}

  get id(): string {
    return `${this.parent?.id ?? 'root'}/msg:${this.key}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.command = this.command;
    item.tooltip = this.tooltipText ?? this.label;
    item.contextValue = this.contextValue;
    return item;
  }
}

const stoppedHolders = new WeakMap<Reclaim, Map<string, ContainerRecord[]>>();

/** Per snapshot: the images Prune All Unused would also remove without their stopped containers. */
function stoppedHoldersOf(reclaim: Reclaim): Map<string, ContainerRecord[]> {
  let map = stoppedHolders.get(reclaim);
  if (!map) {
    map = imagesKeptOnlyByStoppedContainers(reclaim.snapshot, reclaim.all, (s) => planPrune(s, reclaim.all.policy));
    stoppedHolders.set(reclaim, map);
  }
  return map;
}

type Fate = { kind: 'planned'; step: PlannedImage } | { kind: 'kept'; kept: KeptImage } | undefined;
const fates = new WeakMap<Reclaim, Map<string, Map<string, Fate>>>();

function planFate(reclaim: Reclaim, mode: PruneMode, id: string): Fate {
  let perMode = fates.get(reclaim);
  if (!perMode) fates.set(reclaim, (perMode = new Map()));
  let map = perMode.get(mode);
  if (!map) {
    map = new Map();
    for (const k of reclaim[mode].kept) map.set(k.id, { kind: 'kept', kept: k });
    for (const step of reclaim[mode].items) map.set(step.id, { kind: 'planned', step });
    perMode.set(mode, map);
  }
  return map.get(id);
}
