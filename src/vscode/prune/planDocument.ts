/**
 * Read-only preview documents (`docker-prune-plan:` URIs, Markdown) that list a plan: every image that
 * goes, with the bytes it frees, and every candidate kept and why. The editor title of such a document
 * offers "Prune These Images…", which re-plans with the same environment, mode and filters and confirms.
 */
import * as vscode from 'vscode';
import { describeProfile } from '../../core/engine/engineProfile';
import { formatAge, shortImageId } from '../../core/format/units';
import { bytesText, countText, displayLanguage } from '../l10n/format';
import type { Plan, PruneFilters, PruneMode } from '../../core/model';
import type { Preview } from '../../core/execute/pruneJob';
import { filtersText, imageCount, modeTitle } from './describe';
import type { Watermarks } from '../../core/plan/watermarkMarks';
import { lastUseOf } from '../../core/plan/lastUseOrder';

export const PLAN_SCHEME = 'docker-prune-plan';

export interface PlanDocumentSource {
  readonly environmentId: string;
  readonly environmentName: string;
  readonly location: string;
  readonly mode: PruneMode;
  readonly filters: PruneFilters;
  readonly preview: Preview;
  /** A watermark plan (the next auto-prune's): re-planned with these marks. */
  readonly watermarks?: Watermarks;
}

export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly sources = new Map<string, PlanDocumentSource>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, this);
  }

  /** The URI for an environment and mode (or its watermark plan); one document per pair, updated in place on re-plans. */
  uriFor(environmentId: string, mode: PruneMode, watermark = false): vscode.Uri {
    const name = watermark ? 'watermark' : mode === 'all' ? 'all-unused' : 'dangling';
    return vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${encodeURIComponent(environmentId)}/${name}.md` });
  }

  sourceOf(uri: vscode.Uri): PlanDocumentSource | undefined {
    return this.sources.get(uri.toString());
  }

  /** Stores the plan and shows its document without taking focus from whatever asks next. */
  async show(source: PlanDocumentSource): Promise<vscode.TextEditor> {
    const uri = this.uriFor(source.environmentId, source.mode, source.watermarks !== undefined);
    this.sources.set(uri.toString(), source);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true, preserveFocus: true });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const source = this.sources.get(uri.toString());
    if (!source) return vscode.l10n.t('This preview is no longer available: run "Docker Prune: Preview Prune…" again.');
    return renderPlan(source);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

/** Why a candidate stays, in words. */
export function keepReason(reason: string): string {
  switch (reason) {
    case 'in-use':
      return vscode.l10n.t('used by a container');
    case 'protected':
      return vscode.l10n.t('protected by a pattern');
    case 'keep-latest':
      return vscode.l10n.t('among the newest of its repository');
    case 'filtered':
      return vscode.l10n.t('outside the filters');
    case 'recently-used':
      return vscode.l10n.t('used more recently than unused-for');
    case 'tagged':
      return vscode.l10n.t('tagged');
    case 'has-children':
      return vscode.l10n.t('has child images');
    case 'minimum-age':
      return vscode.l10n.t('used more recently than the minimum age');
    case 'below-low-mark':
      return vscode.l10n.t('not needed to get under the low mark');
    default:
      return reason;
  }
}

/** Why a planned image goes, in words. */
export function removeReason(reason: string): string {
  switch (reason) {
    case 'dangling':
      return vscode.l10n.t('dangling');
    case 'unused':
      return vscode.l10n.t('unused');
    case 'parent':
      return vscode.l10n.t('parent, goes with its last child');
    default:
      return reason;
  }
}

export function renderPlan(source: PlanDocumentSource): string {
  const { plan, snapshot } = source.preview;
  const now = snapshot.daemonNowNs;
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));
  const lines: string[] = [];
  const watermark = source.preview.watermark;
  lines.push(`# ${watermark ? vscode.l10n.t('Watermark prune on {0}: the next auto-prune', source.environmentName) : vscode.l10n.t('Prune {0} on {1}', modeTitle(source.mode), source.environmentName)}`, '');
  lines.push(`- ${vscode.l10n.t('Engine')}: ${describeProfile(snapshot.profile)}, \`${source.location}\``);
  lines.push(`- ${vscode.l10n.t('Filters')}: ${filtersText(source.filters)}`);
  lines.push(`- ${vscode.l10n.t('Protected patterns')}: ${plan.policy.protect.length ? plan.policy.protect.map((p) => `\`${p}\``).join(', ') : vscode.l10n.t('none')}`);
  if (plan.policy.keepLatest) lines.push(`- ${vscode.l10n.t('Keep newest per repository')}: ${plan.policy.keepLatest}`);
  lines.push(`- ${vscode.l10n.t('Planned at')}: ${new Date().toLocaleString(displayLanguage())}`, '');
  if (watermark) lines.push(...watermarkLines(watermark), '');
  lines.push(`**${summaryLine(plan)}**`, '');
  if (plan.estimatedBytes) lines.push(`> ${vscode.l10n.t("Part of the bytes is estimated: the engine sizes each image's content, not the layer blobs images share.")}`, '');

  if (source.mode === 'all' && plan.items.some((i) => i.reason === 'unused')) {
    lines.push(`> ${vscode.l10n.t('Tagged images that no container uses are deleted too: you would pull or build them again.')}`, '');
  }
  if (plan.items.length > 0) {
    // Columns that say nothing for this plan (no tags at all; every image simply dangling) are left out, so the
    // rows fit an editor beside the side bar without wrapping.
    const showTags = plan.items.some((i) => i.tags.some((t) => !t.includes('@')));
    const showWhy = plan.items.some((i) => i.action !== 'delete' || i.reason !== 'dangling');
    const header = [vscode.l10n.t('Image'), ...(showTags ? [vscode.l10n.t('Tags')] : []), vscode.l10n.t('Frees'), vscode.l10n.t('Age'), ...(watermark ? [vscode.l10n.t('Last used')] : []), ...(showWhy ? [vscode.l10n.t('Why')] : [])];
    const rule = ['---', ...(showTags ? ['---'] : []), '---:', '---', ...(watermark ? ['---'] : []), ...(showWhy ? ['---'] : [])];
    lines.push(`| ${header.join(' | ')} |`, `|${rule.join('|')}|`);
    for (const item of plan.items) {
      const tags = item.tags.filter((t) => !t.includes('@'));
      const why = item.action === 'untag' ? vscode.l10n.t('untag only') : removeReason(item.reason);
      const img = byId.get(item.id);
      const cells = [
        `\`${shortImageId(item.id)}\``,
        ...(showTags ? [tags.length ? tags.map((t) => `\`${t}\``).join(' ') : '`<none>`'] : []),
        bytesText(item.bytes),
        img ? formatAge(img.createdNs, now, displayLanguage()) : '',
        ...(watermark ? [img ? formatAge(lastUseOf(img, snapshot), now, displayLanguage()) : ''] : []),
        ...(showWhy ? [why] : []),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  if (plan.kept.length > 0) {
    lines.push(`## ${vscode.l10n.t('Kept ({0})', countText(plan.kept.length))}`, '');
    for (const k of plan.kept) {
      const tags = k.tags.length ? k.tags.map((t) => `\`${t}\``).join(' ') : '`<none>`';
      lines.push(`- \`${shortImageId(k.id)}\` ${tags}: ${keepReason(k.reason)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The marks, usage now and after, and where the run stops. */
function watermarkLines({ marks, figures: f }: NonNullable<Preview['watermark']>): string[] {
  const share = (n: number) => (f.totalBytes ? ` (${((n / f.totalBytes) * 100).toFixed(1)}%)` : '');
  const basis = f.basis === 'disk' ? vscode.l10n.t('the disk holding the Docker root ({0})', bytesText(f.totalBytes ?? 0)) : vscode.l10n.t('the bytes the images take');
  const lines = [
    `- ${vscode.l10n.t('Watermarks')}: ${vscode.l10n.t('high {0} ({1}), low {2} ({3}) of {4}; minimum age {5}', marks.high.raw, bytesText(f.highBytes), marks.low.raw, bytesText(f.lowBytes), basis, marks.minimumAgeRaw)}`,
    `- ${vscode.l10n.t('In use now')}: ${bytesText(f.usedBytes)}${share(f.usedBytes)}`,
  ];
  if (!f.triggered) {
    lines.push(`- ${vscode.l10n.t('Below the high mark by {0}: the next auto-prune removes nothing.', bytesText(f.highBytes - f.usedBytes))}`);
  } else {
    lines.push(`- ${vscode.l10n.t('After this prune')}: ${bytesText(f.predictedBytes)}${share(f.predictedBytes)}`);
    lines.push(
      `- ${
        f.reachesLow
          ? vscode.l10n.t('Above the high mark: the {0} least recently used unused images bring it under the low mark; the run stops there.', f.chosen.length)
          : vscode.l10n.t('Above the high mark, and removing every unused image that may go ({0}) does not reach the low mark.', f.chosen.length)
      }`,
    );
  }
  return lines;
}

export function summaryLine(plan: Plan): string {
  if (plan.items.length === 0) return vscode.l10n.t('Nothing to remove.');
  const bytes = plan.estimatedBytes ? vscode.l10n.t('about {0}', bytesText(plan.spaceReclaimable)) : bytesText(plan.spaceReclaimable);
  return vscode.l10n.t('{0} to remove, {1} reclaimable', imageCount(plan.items.length), bytes);
}
