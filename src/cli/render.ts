import { describeProfile } from '../core/engine/engineProfile';
import type { Preview } from '../core/execute/pruneJob';
import { formatAge, formatBytes, shortImageId } from '../core/format/units';
import type { KeptImage, Plan, PruneResult } from '../core/model';

/**
 * `plan --json`: every step and the bytes the disk gets back; which engine and store planned it; whether part of
 * the bytes is estimated (containerd store: shared layer blobs); and what the engine's own prune would report
 * when that differs.
 */
export function planJson(preview: Preview): string {
  const { plan, snapshot } = preview;
  return JSON.stringify({
    images: plan.items.map((i) => ({ id: i.id, tags: i.tags, action: i.action, bytes: i.bytes })),
    spaceReclaimable: plan.spaceReclaimable,
    engine: { product: snapshot.profile.product, version: snapshot.profile.version, store: snapshot.profile.store },
    ...(plan.estimatedBytes ? { estimated: true } : {}),
    ...(plan.engineReportedBytes !== undefined ? { engineReportedBytes: plan.engineReportedBytes } : {}),
  });
}

/** `prune --json`: the engine's result shape plus what was skipped. */
export function resultJson(result: PruneResult): string {
  return JSON.stringify({ ImagesDeleted: result.ImagesDeleted, SpaceReclaimed: result.SpaceReclaimed, skipped: result.skipped, cancelled: result.cancelled });
}

export function planText(preview: Preview, native: boolean): string {
  const { plan } = preview;
  const nowNs = preview.snapshot.daemonNowNs;
  const lines: string[] = [`Engine: ${describeProfile(preview.snapshot.profile)}`];
  const what = plan.policy.mode === 'all' ? 'unused' : 'dangling';
  if (plan.items.length === 0) {
    lines.push(`Nothing to prune: no ${what} images${plan.policy.filters.until || plan.policy.filters.unusedFor || plan.policy.filters.labels.length ? ' match the filters' : ''} on ${plan.environment}.`);
  } else {
    const rows = plan.items.map((i) => [
      i.action === 'delete' ? 'delete' : 'untag',
      shortImageId(i.id),
      i.tags.length ? i.tags.join(', ') : '<none>',
      formatAge(i.createdNs, nowNs),
      formatBytes(i.bytes),
    ]);
    lines.push(...table(['ACTION', 'IMAGE ID', 'TAGS', 'CREATED', 'FREES'], rows));
    const deletes = plan.items.filter((i) => i.action === 'delete').length;
    const untags = plan.items.length - deletes;
    lines.push('');
    lines.push(
      `${deletes} ${what} image${deletes === 1 ? '' : 's'} would be removed${untags ? ` and ${untags} untagged` : ''} from ${plan.environment}, reclaiming ${plan.estimatedBytes ? 'about ' : ''}${formatBytes(plan.spaceReclaimable)}${native ? ' (as the engine itself would prune)' : ''}.`,
    );
    if (plan.estimatedBytes) lines.push('Part of that is estimated: the engine sizes each image\'s content but not the layer blobs images share.');
    if (native && plan.engineReportedBytes !== undefined) lines.push(`The engine itself will report ${formatBytes(plan.engineReportedBytes)} reclaimed (it does not count all of what leaves the disk).`);
  }
  const kept = summarizeKept(plan.kept);
  if (kept) lines.push(`Kept: ${kept}.`);
  return lines.join('\n');
}

export function resultText(result: PruneResult): string {
  const lines: string[] = [];
  if (result.ImagesDeleted.length) lines.push('Deleted Images:');
  for (const item of result.ImagesDeleted) lines.push('Untagged' in item ? `untagged: ${item.Untagged}` : `deleted: ${item.Deleted}`);
  for (const s of result.skipped) lines.push(`skipped: ${shortImageId(s.id)}${s.tags.length ? ` (${s.tags.join(', ')})` : ''}: ${s.reason} — ${s.message}`);
  if (result.cancelled) lines.push('Cancelled: the images after the last one shown were left alone.');
  if (lines.length) lines.push('');
  lines.push(`Total reclaimed space: ${formatBytes(result.SpaceReclaimed)}`);
  return lines.join('\n');
}

function summarizeKept(kept: readonly KeptImage[]): string {
  const counts = new Map<string, number>();
  for (const k of kept) counts.set(k.reason, (counts.get(k.reason) ?? 0) + 1);
  const names: Record<string, string> = {
    'in-use': 'used by a container',
    protected: 'protected',
    'keep-latest': 'among the newest per repository',
    filtered: 'excluded by the filters',
    'recently-used': 'used more recently than unused-for',
  };
  return [...counts].map(([reason, n]) => `${n} ${names[reason] ?? reason}`).join(', ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('   ');
  return [fmt(header), ...rows.map(fmt)];
}
