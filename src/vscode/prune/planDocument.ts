/**
 * Read-only preview documents (`docker-prune-plan:` URIs, Markdown) that list a plan: every image that
 * goes, with the bytes it frees, and every candidate kept and why. The editor title of such a document
 * offers "Prune These Images…", which re-plans with the same environment, mode and filters and confirms.
 */
import * as vscode from 'vscode';
import { formatAge, formatBytes, shortImageId } from '../../core/format/units';
import type { Plan, PruneFilters, PruneMode } from '../../core/model';
import type { Preview } from '../../core/execute/pruneJob';
import { filtersText, imageCount, modeTitle } from './describe';

export const PLAN_SCHEME = 'docker-prune-plan';

export interface PlanDocumentSource {
  readonly environmentId: string;
  readonly environmentName: string;
  readonly location: string;
  readonly mode: PruneMode;
  readonly filters: PruneFilters;
  readonly preview: Preview;
}

export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly sources = new Map<string, PlanDocumentSource>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, this);
  }

  /** The URI for an environment and mode; one document per pair, updated in place on re-plans. */
  uriFor(environmentId: string, mode: PruneMode): vscode.Uri {
    return vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${encodeURIComponent(environmentId)}/${mode === 'all' ? 'all-unused' : 'dangling'}.md` });
  }

  sourceOf(uri: vscode.Uri): PlanDocumentSource | undefined {
    return this.sources.get(uri.toString());
  }

  /** Stores the plan and shows its document without taking focus from whatever asks next. */
  async show(source: PlanDocumentSource): Promise<vscode.TextEditor> {
    const uri = this.uriFor(source.environmentId, source.mode);
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

const KEEP_REASONS: Record<string, string> = {
  'in-use': 'used by a container',
  protected: 'protected by a pattern',
  'keep-latest': 'among the newest of its repository',
  filtered: 'outside the filters',
  tagged: 'tagged',
  'has-children': 'has child images',
};

export function renderPlan(source: PlanDocumentSource): string {
  const { plan, snapshot } = source.preview;
  const now = snapshot.daemonNowNs;
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));
  const lines: string[] = [];
  lines.push(`# ${vscode.l10n.t('Prune {0} on {1}', modeTitle(source.mode), source.environmentName)}`, '');
  lines.push(`- ${vscode.l10n.t('Engine')}: \`${source.location}\``);
  lines.push(`- ${vscode.l10n.t('Filters')}: ${filtersText(source.filters)}`);
  lines.push(`- ${vscode.l10n.t('Protected patterns')}: ${plan.policy.protect.length ? plan.policy.protect.map((p) => `\`${p}\``).join(', ') : vscode.l10n.t('none')}`);
  if (plan.policy.keepLatest) lines.push(`- ${vscode.l10n.t('Keep newest per repository')}: ${plan.policy.keepLatest}`);
  lines.push(`- ${vscode.l10n.t('Planned at')}: ${new Date().toLocaleString()}`, '');
  lines.push(`**${summaryLine(plan)}**`, '');
  if (source.mode === 'all' && plan.items.some((i) => i.reason === 'unused')) {
    lines.push(`> ${vscode.l10n.t('Tagged images that no container uses are deleted too: you would pull or build them again.')}`, '');
  }
  if (plan.items.length > 0) {
    const rows = plan.items.map((item) => {
      const tags = item.tags.filter((t) => !t.includes('@'));
      const why = item.action === 'untag' ? vscode.l10n.t('untag only') : item.reason === 'parent' ? vscode.l10n.t('parent, goes with its last child') : item.reason;
      const img = byId.get(item.id);
      return [`\`${shortImageId(item.id)}\``, tags.length ? tags.map((t) => `\`${t}\``).join(' ') : '`<none>`', formatBytes(item.bytes), img ? formatAge(img.createdNs, now) : '', why];
    });
    lines.push(...table([vscode.l10n.t('Image'), vscode.l10n.t('Tags'), vscode.l10n.t('Frees'), vscode.l10n.t('Age'), vscode.l10n.t('Why')], rows, [false, false, true, false, false]), '');
  }
  if (plan.kept.length > 0) {
    lines.push(`## ${vscode.l10n.t('Kept ({0})', plan.kept.length)}`, '');
    for (const k of plan.kept) {
      const tags = k.tags.length ? k.tags.map((t) => `\`${t}\``).join(' ') : '`<none>`';
      lines.push(`- \`${shortImageId(k.id)}\` ${tags}: ${KEEP_REASONS[k.reason] ?? k.reason}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** A Markdown table whose columns line up in the plain-text editor too. */
function table(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, 3, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (rightAligned[c] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)];
}

export function summaryLine(plan: Plan): string {
  if (plan.items.length === 0) return vscode.l10n.t('Nothing to remove.');
  return vscode.l10n.t('{0} to remove, {1} reclaimable', imageCount(plan.items.length), formatBytes(plan.spaceReclaimable));
}
