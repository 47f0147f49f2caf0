import type { BuildCachePruneOutcome, BuildCachePreview } from '../core/execute/buildCachePruneJob';
import { summarizeBuildCache } from '../core/buildCache/summary';
import { describeProfile } from '../core/engine/engineProfile';
import { formatAge, formatBytes } from '../core/format/units';
import { displayText, MESSAGE_MAX_CHARS } from '../core/format/displayText';

/** `builder plan --json`: the records a prune removes, the bytes the engine will report and the disk gets back. */
export function builderPlanJson(preview: BuildCachePreview): string {
  const { plan, snapshot } = preview;
  const summary = summarizeBuildCache(snapshot.records);
  return JSON.stringify({
    records: plan.items.map((r) => ({
      id: r.id,
      type: r.type,
      description: r.description,
      bytes: r.size,
      shared: r.shared,
      lastUsed: r.lastUsedNs === undefined ? null : new Date(Number(r.lastUsedNs / 1_000_000n)).toISOString(),
    })),
    spaceReclaimed: plan.bytes,
    diskBytes: plan.diskBytes,
    ...(plan.diskBytesEstimated ? { diskBytesEstimated: true } : {}),
    ...(plan.diskBytesRange ? { diskBytesRange: plan.diskBytesRange } : {}),
    ...(plan.uncertain ? { uncertain: plan.uncertain } : {}),
    cache: { records: summary.count, size: summary.size, reclaimable: summary.reclaimable, shared: summary.shared },
    engine: { product: snapshot.profile.product, version: snapshot.profile.version, store: snapshot.profile.store },
  });
}

export function builderPlanText(preview: BuildCachePreview): string {
  const { plan, snapshot } = preview;
  const s = summarizeBuildCache(snapshot.records);
  const lines = [
    `Engine: ${displayText(describeProfile(snapshot.profile))}`,
    `Build cache: ${s.count} records, ${formatBytes(s.size)} (${formatBytes(s.reclaimable)} reclaimable)${s.shared ? `, and ${formatBytes(s.shared)} shared with images` : ''}`,
  ];
  if (plan.items.length === 0) {
    lines.push(
      `Nothing to prune: no ${plan.policy.mode === 'all' ? 'unused' : 'dangling'} build cache${plan.policy.until || Object.keys(plan.policy.space).length ? ' matches' : ''} on ${plan.environment}.`,
    );
    return lines.join('\n');
  }
  const rows = plan.items.map((r) => [
    r.id.slice(0, 12),
    displayText(r.type),
    r.lastUsedNs === undefined ? 'never used' : formatAge(r.lastUsedNs, snapshot.daemonNowNs),
    formatBytes(r.size) + (r.shared ? ' (shared)' : ''),
    displayText(r.description),
  ]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows)
    lines.push(
      row
        .map((cell, c) => (c < 4 ? cell.padEnd(widths[c]!) : cell))
        .join('  ')
        .trimEnd(),
    );
  lines.push(
    `Total: ${plan.items.length} record${plan.items.length === 1 ? '' : 's'}, ${formatBytes(plan.bytes)}` +
      (plan.diskBytesEstimated
        ? ` (containerd store: the disk gets between ${formatBytes(plan.diskBytesRange?.min ?? 0)} and ${formatBytes(plan.diskBytesRange?.max ?? plan.bytes)} back; layer records may share their blobs with images, and the engine does not say how much)`
        : plan.diskBytes !== plan.bytes
          ? ` (the disk gets ${formatBytes(plan.diskBytes)} back: the rest is shared with images)`
          : ''),
  );
  if (plan.uncertain) lines.push(`Note: ${displayText(plan.uncertain, MESSAGE_MAX_CHARS)}.`);
  return lines.join('\n');
}

export function builderResultJson(outcome: BuildCachePruneOutcome): string {
  const r = outcome.result;
  return JSON.stringify({ CachesDeleted: r.CachesDeleted, SpaceReclaimed: r.SpaceReclaimed, notRemoved: r.notRemoved, cancelled: r.cancelled });
}

export function builderResultText(outcome: BuildCachePruneOutcome): string {
  const r = outcome.result;
  const lines = [`Deleted ${r.CachesDeleted.length} build cache record${r.CachesDeleted.length === 1 ? '' : 's'}, reclaimed ${formatBytes(r.SpaceReclaimed)}.`];
  if (r.notRemoved.length)
    lines.push(
      `${r.notRemoved.length} planned record(s) stayed (a build uses them now, or they were gone): ${r.notRemoved.map((id) => id.slice(0, 12)).join(', ')}`,
    );
  if (r.cancelled) lines.push('Cancelled before the end.');
  return lines.join('\n');
}
