/** The words the extension uses for plans, progress and results (one place, all localizable). */
import * as vscode from 'vscode';
import { describeFilters } from '../../core/filters';
import { formatBytes, shortImageId } from '../../core/format/units';
import { bytesText, countText, plural } from '../l10n/format';
import type { PruneFilters, PruneMode, PruneProgress, PruneResult, Plan } from '../../core/model';
import { countDeletedImages } from '../../core/execute/pruneJob';
import { displayText } from '../../core/format/displayText';

export function modeTitle(mode: PruneMode): string {
  return mode === 'all' ? vscode.l10n.t('all unused images') : vscode.l10n.t('dangling images');
}

export function imageCount(n: number): string {
  const c = countText(n);
  return plural(n, { one: vscode.l10n.t('{0} image', c), other: vscode.l10n.t('{0} images', c) });
}

export function containerCount(n: number): string {
  const c = countText(n);
  return plural(n, { one: vscode.l10n.t('{0} container', c), other: vscode.l10n.t('{0} containers', c) });
}

function stoppedContainerCount(n: number): string {
  const c = countText(n);
  return plural(n, { one: vscode.l10n.t('{0} stopped container', c), other: vscode.l10n.t('{0} stopped containers', c) });
}

/** `5 images`; with stopped containers `2 stopped containers and 5 images`, or `2 stopped containers` alone. */
export function stepsCount(containers: number, images: number): string {
  if (containers === 0) return imageCount(images);
  if (images === 0) return stoppedContainerCount(containers);
  return vscode.l10n.t('{0} and {1}', stoppedContainerCount(containers), imageCount(images));
}

export function filtersText(filters: PruneFilters): string {
  const d = describeFilters(filters);
  return d === 'none' ? vscode.l10n.t('none') : d;
}

/** `dp/app:1, dp/app:2 (3f2a1b0c9d8e)` or `<none> (3f2a1b0c9d8e)`. */
export function stepName(step: { id: string; tags: readonly string[] }): string {
  const refs = step.tags.filter((t) => !t.includes('@'));
  return refs.length ? `${refs.join(', ')} (${shortImageId(step.id)})` : `<none> (${shortImageId(step.id)})`;
}

export function progressMessage(p: PruneProgress): string {
  const done = countText(p.done);
  const total = countText(p.total);
  const bytes = bytesText(p.bytes);
  if (p.current && 'kind' in p.current) {
    const name = displayText(p.current.name);
    return p.skipped
      ? vscode.l10n.t('Skipped container {0} · {1} of {2} steps · {3} reclaimed', name, done, total, bytes)
      : vscode.l10n.t('Removed container {0} · {1} of {2} steps · {3} reclaimed', name, done, total, bytes);
  }
  return plural(p.total, {
    one: vscode.l10n.t('{0} of {1} image · {2} reclaimed', done, total, bytes),
    other: vscode.l10n.t('{0} of {1} images · {2} reclaimed', done, total, bytes),
  });
}

/** One log line per finished step (the log is English, like the audit). */
export function stepLogLine(p: PruneProgress, previousBytes: number): string {
  const n = `[${p.done}/${p.total}]`;
  const step = p.current;
  if (step && 'kind' in step) {
    const name = `container ${displayText(step.name)} (${shortImageId(step.id)})`;
    if (p.skipped) return `${n} skipped ${name}: ${p.skipped.message}`;
    return `${n} removed ${name}, ${formatBytes(p.bytes - previousBytes)} freed`;
  }
  if (!step) return `${n}`;
  if (p.skipped) return `${n} skipped ${stepName(step)}: ${p.skipped.message}`;
  if (step.action === 'untag') return `${n} untagged ${step.tags.join(', ')} (${shortImageId(step.id)})`;
  return `${n} removed ${stepName(step)}, ${formatBytes(p.bytes - previousBytes)} freed`;
}

export interface ResultSummary {
  readonly removed: number;
  /** Stopped containers removed (a plan with containers only). */
  readonly containersRemoved: number;
  readonly untagged: number;
  /** Images skipped. */
  readonly skipped: number;
  readonly containersSkipped: number;
  readonly bytes: number;
  readonly cancelled: boolean;
}

export function summarize(result: PruneResult, plan: Plan | undefined): ResultSummary {
  return {
    removed: countDeletedImages(result, plan),
    containersRemoved: result.ContainersDeleted?.length ?? 0,
    untagged: plan ? plan.items.filter((i) => i.action === 'untag' && !result.skipped.some((s) => s.id === i.id)).length : 0,
    skipped: result.skipped.filter((s) => s.reason !== 'cancelled' && s.kind !== 'container').length,
    containersSkipped: result.skipped.filter((s) => s.reason !== 'cancelled' && s.kind === 'container').length,
    bytes: result.SpaceReclaimed,
    cancelled: result.cancelled,
  };
}

/** "Removed 12 images, reclaimed 1.4 GB" or "Removed 2 stopped containers and 12 images, …" (+ what was skipped or cancelled). */
export function resultMessage(s: ResultSummary, environment: string): string {
  const n = countText(s.removed);
  const removed =
    s.containersRemoved > 0
      ? vscode.l10n.t('Removed {0}', stepsCount(s.containersRemoved, s.removed))
      : plural(s.removed, { one: vscode.l10n.t('Removed {0} image', n), other: vscode.l10n.t('Removed {0} images', n) });
  let text = vscode.l10n.t('{0}, reclaimed {1}', removed, bytesText(s.bytes));
  if (s.untagged > 0) text += vscode.l10n.t('; untagged {0}', imageCount(s.untagged));
  if (s.skipped > 0 || s.containersSkipped > 0)
    text += vscode.l10n.t('; skipped {0} (see the Docker Prune output)', stepsCount(s.containersSkipped, s.skipped));
  if (s.cancelled) text = vscode.l10n.t('Prune cancelled on {0}. {1} before it stopped.', environment, text);
  else text = vscode.l10n.t('{0} on {1}.', text, environment);
  return text;
}
