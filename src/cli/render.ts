import { describeProfile } from '../core/engine/engineProfile';
import type { CliOptions } from './args';
import type { Preview } from '../core/execute/pruneJob';
import { formatAge, formatBytes, shortImageId } from '../core/format/units';
import { describeStoppedContainer } from '../core/containers/stoppedPins';
import { formatRfc3339Utc } from '../core/filters/timestamp';
import type { ContainerKeepReason, KeepReason, KeptContainer, KeptImage, Plan, PlannedContainer, PruneResult } from '../core/model';
import { KEEP_CONTAINER_LABEL } from '../core/containers/stoppedContainers';
import { lastUseOf } from '../core/plan/lastUseOrder';
import type { WatermarkFigures } from '../core/plan/watermarkPolicy';
import { displayText, MESSAGE_MAX_CHARS } from '../core/format/displayText';
import { countSources, loadedSteps, sourceLabel } from '../core/source/imageSource';

/**
 * `plan --json`: every step and the bytes the disk gets back; which engine and store planned it; whether part of
 * the bytes is estimated (containerd store: shared layer blobs); and what the engine's own prune would report
 * when that differs.
 */
export function planJson(preview: Preview): string {
  const { plan, snapshot } = preview;
  return JSON.stringify({
    images: plan.items.map((i) => ({
      id: i.id,
      tags: i.tags,
      action: i.action,
      bytes: i.bytes,
      source: snapshot.sources?.get(i.id) ?? { kind: 'unknown', evidence: 'not read' },
    })),
    spaceReclaimable: plan.spaceReclaimable,
    engine: { product: snapshot.profile.product, version: snapshot.profile.version, store: snapshot.profile.store },
    ...(plan.estimatedBytes ? { estimated: true } : {}),
    ...(plan.engineReportedBytes !== undefined ? { engineReportedBytes: plan.engineReportedBytes } : {}),
    ...(preview.watermark ? { watermark: watermarkJson(preview.watermark.figures) } : {}),
    ...(plan.containers ? { containers: plan.containers.map(containerJson), keptContainers: plan.keptContainers ?? [] } : {}),
    ...(preview.stoppedPins ? { keptByStoppedContainers: stoppedPinsJson(preview.stoppedPins) } : {}),
  });
}

/** A JSON time: RFC 3339, UTC; none for none. */
function rfc3339(ns: bigint | undefined): string | undefined {
  return ns === undefined ? undefined : formatRfc3339Utc(ns);
}

/** `plan --json`: a stopped container the plan removes (times RFC 3339, UTC). */
function containerJson(c: PlannedContainer): object {
  return {
    id: c.id,
    name: c.name,
    image: c.imageId,
    state: c.state,
    finishedAt: rfc3339(c.finishedNs),
    createdAt: rfc3339(c.createdNs),
    exitCode: c.exitCode,
    bytes: c.bytes,
    composeProject: c.composeProject,
  };
}

/** `plan --json`: per kept image that only stopped containers hold, those containers (times RFC 3339, UTC). */
function stoppedPinsJson(pins: NonNullable<Preview['stoppedPins']>): object[] {
  return [...pins].map(([image, containers]) => ({
    image,
    containers: containers.map((c) => ({
      id: c.id,
      name: c.name,
      state: c.state,
      finishedAt: rfc3339(c.finishedNs),
      createdAt: rfc3339(c.createdNs),
      exitCode: c.exitCode,
      ownBytes: c.ownBytes,
      composeProject: c.composeProject,
      restartPolicy: c.restartPolicy,
    })),
  }));
}

/** `plan --json` with `--watermark`: the figures in bytes, and the images taken in the order they were chosen. */
function watermarkJson(f: WatermarkFigures): object {
  return {
    basis: f.basis,
    usedBytes: f.usedBytes,
    highBytes: f.highBytes,
    lowBytes: f.lowBytes,
    predictedBytes: f.predictedBytes,
    ...(f.totalBytes !== undefined ? { diskBytes: f.totalBytes } : {}),
    triggered: f.triggered,
    reachesLow: f.reachesLow,
    chosen: f.chosen,
  };
}

/** What the marks say, in a sentence or two. */
function watermarkText(w: NonNullable<Preview['watermark']>): string {
  const { marks, figures: f } = w;
  const of = f.basis === 'disk' ? `of the disk holding the Docker root (${formatBytes(f.totalBytes ?? 0)})` : 'of image store bytes';
  const pct = (n: number) => (f.totalBytes ? ` (${((n / f.totalBytes) * 100).toFixed(1)}%)` : '');
  const lines = [
    `Watermarks: high ${marks.high.raw} = ${formatBytes(f.highBytes)}, low ${marks.low.raw} = ${formatBytes(f.lowBytes)} ${of}; minimum age ${marks.minimumAgeRaw}.`,
    `Used: ${formatBytes(f.usedBytes)}${pct(f.usedBytes)}${f.triggered ? ', above the high mark.' : `, ${formatBytes(f.highBytes - f.usedBytes)} under the high mark: nothing to do.`}`,
  ];
  if (f.triggered) {
    const taken = `${f.chosen.length} least recently used image${f.chosen.length === 1 ? '' : 's'}`;
    lines.push(
      f.reachesLow
        ? `Removing the ${taken} brings it to ${formatBytes(f.predictedBytes)}${pct(f.predictedBytes)}, under the low mark.`
        : `Removing every one that may go (${taken}; ${f.tooYoung} used within ${marks.minimumAgeRaw} stay) brings it only to ${formatBytes(f.predictedBytes)}${pct(f.predictedBytes)}: the low mark cannot be reached by removing unused images.`,
    );
  }
  return lines.join('\n');
}

/** `prune --json`: the engine's result shape plus what was skipped. */
export function resultJson(result: PruneResult): string {
  return JSON.stringify({
    ...(result.ContainersDeleted ? { ContainersDeleted: result.ContainersDeleted } : {}),
    ImagesDeleted: result.ImagesDeleted,
    SpaceReclaimed: result.SpaceReclaimed,
    skipped: result.skipped,
    cancelled: result.cancelled,
  });
}

export function planText(preview: Preview, native: boolean): string {
  const { plan } = preview;
  const nowNs = preview.snapshot.daemonNowNs;
  const lines: string[] = [`Engine: ${displayText(describeProfile(preview.snapshot.profile))}`];
  if (preview.watermark) lines.push(watermarkText(preview.watermark));
  const what = plan.policy.mode === 'all' ? 'unused' : 'dangling';
  lines.push(...containersText(plan, nowNs));
  if (plan.items.length === 0 && plan.containers?.length) {
    lines.push(
      `${plan.containers.length} stopped container${plan.containers.length === 1 ? '' : 's'} would be removed from ${displayText(plan.environment)}, reclaiming ${formatBytes(plan.spaceReclaimable)}; no ${what} image goes with ${plan.containers.length === 1 ? 'it' : 'them'}.`,
    );
  } else if (plan.items.length === 0 && preview.watermark) {
    lines.push(`Nothing to prune on ${displayText(plan.environment)}.`);
  } else if (plan.items.length === 0) {
    lines.push(
      `Nothing to prune: no ${what} images${plan.policy.filters.until || plan.policy.filters.unusedFor || plan.policy.filters.labels.length ? ' match the filters' : ''} on ${displayText(plan.environment)}.`,
    );
  } else {
    // A watermark plan also says when each image was last used: the order it was chosen in.
    const byId = new Map(preview.snapshot.images.map((i) => [i.id, i]));
    const lastUsed = (id: string) => {
      const img = byId.get(id);
      return img ? formatAge(lastUseOf(img, preview.snapshot), nowNs) : '';
    };
    const rows = plan.items.map((i) => [
      i.action === 'delete' ? 'delete' : 'untag',
      shortImageId(i.id),
      i.tags.length ? i.tags.map((t) => displayText(t)).join(', ') : '<none>',
      formatAge(i.createdNs, nowNs),
      ...(preview.watermark ? [lastUsed(i.id)] : []),
      sourceLabel(preview.snapshot.sources?.get(i.id)),
      formatBytes(i.bytes),
    ]);
    lines.push(...table(['ACTION', 'IMAGE ID', 'TAGS', 'CREATED', ...(preview.watermark ? ['LAST USED'] : []), 'SOURCE', 'FREES'], rows));
    const deletes = plan.items.filter((i) => i.action === 'delete').length;
    const untags = plan.items.length - deletes;
    lines.push('');
    const containers = plan.containers?.length ? `${plan.containers.length} stopped container${plan.containers.length === 1 ? '' : 's'} and ` : '';
    lines.push(
      `${containers}${deletes} ${what} image${deletes === 1 ? '' : 's'} would be removed${untags ? ` and ${untags} untagged` : ''} from ${displayText(plan.environment)}, reclaiming ${plan.estimatedBytes ? 'about ' : ''}${formatBytes(plan.spaceReclaimable)}${native ? ' (as the engine itself would prune)' : ''}.`,
    );
    lines.push(sourcesLine(plan, preview.snapshot.sources));
    if (plan.estimatedBytes) lines.push("Part of that is estimated: the engine sizes each image's content but not the layer blobs images share.");
    if (native && plan.engineReportedBytes !== undefined)
      lines.push(`The engine itself will report ${formatBytes(plan.engineReportedBytes)} reclaimed (it does not count all of what leaves the disk).`);
  }
  const kept = summarizeKept(plan.kept);
  if (kept) lines.push(`Kept: ${kept}.`);
  const keptContainers = summarizeKeptContainers(plan.keptContainers ?? []);
  if (keptContainers) lines.push(`Stopped containers kept: ${keptContainers}.`);
  lines.push(...stoppedPinsText(preview));
  return lines.join('\n');
}

/** The stopped containers a plan removes first, as a table, with what each is and frees. */
function containersText(plan: Plan, nowNs: bigint): string[] {
  const list = plan.containers;
  if (!list?.length) return [];
  const bytes = list.reduce((n, c) => n + c.bytes, 0);
  const stopped = (c: PlannedContainer) =>
    c.state === 'created'
      ? `created ${c.createdNs === undefined ? '' : formatAge(c.createdNs, nowNs)}, never started`
      : c.finishedNs === undefined
        ? c.state
        : formatAge(c.finishedNs, nowNs);
  const rows = list.map((c) => [
    c.id.slice(0, 12),
    displayText(c.name),
    shortImageId(c.imageId),
    stopped(c),
    c.exitCode === undefined ? '' : String(c.exitCode),
    c.composeProject ? displayText(c.composeProject) : '',
    formatBytes(c.bytes),
  ]);
  return [
    `Stopped containers to remove first (${list.length}, ${formatBytes(bytes)} of their own; their volumes stay):`,
    ...table(['CONTAINER ID', 'NAME', 'IMAGE', 'STOPPED', 'EXIT', 'PROJECT', 'FREES'], rows),
    '',
  ];
}

function summarizeKeptContainers(kept: readonly KeptContainer[]): string {
  const counts = new Map<ContainerKeepReason, number>();
  for (const k of kept) counts.set(k.reason, (counts.get(k.reason) ?? 0) + 1);
  const names: Record<ContainerKeepReason, string> = {
    'restart-policy': 'restart policy always or unless-stopped',
    'keep-label': `label ${KEEP_CONTAINER_LABEL}`,
    protected: 'protected',
    'recently-stopped': 'stopped more recently than exited-for',
    'left-out': 'left out',
    dead: 'dead (remove by hand)',
  };
  return [...counts].map(([reason, n]) => `${n} ${names[reason]}`).join(', ');
}

/** The kept images only stopped containers hold: `  dp/app:1 (3f2a9c1b0d4e), kept by api-test (exited 94 days ago, …)`. */
function stoppedPinsText(preview: Preview): string[] {
  const pins = preview.stoppedPins;
  if (!pins?.size) return [];
  const nowNs = preview.snapshot.daemonNowNs;
  const tags = new Map(preview.snapshot.images.map((i) => [i.id, i.repoTags]));
  const lines = [`Kept only by stopped containers (${pins.size} image${pins.size === 1 ? '' : 's'}; removing the containers would let them go):`];
  for (const [id, containers] of pins) {
    const names = tags.get(id)?.length
      ? `${tags
          .get(id)!
          .map((t) => displayText(t))
          .join(', ')} (${shortImageId(id)})`
      : shortImageId(id);
    lines.push(`  ${names}, kept by ${containers.map((c) => describeStoppedContainer(c, nowNs)).join('; ')}`);
  }
  return lines;
}

/** `18 can be pulled again (1.1 GB), 3 were built here, 1 was loaded and cannot come back, 2 of unknown source.` */
export function sourcesLine(plan: Pick<Plan, 'items'>, sources: Preview['snapshot']['sources']): string {
  const c = countSources(plan.items, sources);
  const parts = [
    c.pulled.count && `${c.pulled.count} can be pulled again (${formatBytes(c.pulled.bytes)})`,
    c.built.count && `${c.built.count} ${c.built.count === 1 ? 'was' : 'were'} built here`,
    c.loaded.count && `${c.loaded.count} ${c.loaded.count === 1 ? 'was' : 'were'} loaded and cannot come back`,
    c.unknown.count && `${c.unknown.count} of unknown source`,
    c.gone.count &&
      `${c.gone.count} ${c.gone.count === 1 ? 'was' : 'were'} pulled but ${c.gone.count === 1 ? 'is' : 'are'} gone from ${c.gone.count === 1 ? 'its registry' : 'their registries'}: no longer pullable as ${c.gone.count === 1 ? 'it is' : 'they are'}`,
  ].filter(Boolean);
  return `${parts.join(', ')}.`;
}

/** The loaded images a plan removes, by name: nothing brings them back, so the confirmation names them. */
export function loadedWarning(plan: Pick<Plan, 'items'>, sources: Preview['snapshot']['sources']): string | undefined {
  const loaded = loadedSteps(plan.items, sources);
  if (loaded.length === 0) return undefined;
  const names = loaded.map((i) => i.tags.find((t) => !t.includes('@')) ?? shortImageId(i.id));
  return `${names.join(', ')} ${loaded.length === 1 ? 'was' : 'were'} loaded from an archive (docker load or import): no registry has ${loaded.length === 1 ? 'it' : 'them'}, and nothing brings ${loaded.length === 1 ? 'it' : 'them'} back once removed.`;
}

/** After --check-registry: the pulled images a plan removes whose manifest is gone upstream, by name, and why. */
export function goneWarning(plan: Pick<Plan, 'items'>, sources: Preview['snapshot']['sources']): string | undefined {
  const gone = plan.items.filter((i) => i.action === 'delete' && sources?.get(i.id)?.upstream === 'gone');
  if (gone.length === 0) return undefined;
  const names = gone.map((i) => `${i.tags.find((t) => !t.includes('@')) ?? shortImageId(i.id)} (${sources!.get(i.id)!.reference})`);
  return `${names.join(', ')}: no longer on ${gone.length === 1 ? 'its registry' : 'their registries'} (the manifest was deleted or replaced upstream), so ${gone.length === 1 ? 'it' : 'they'} cannot be pulled again as ${gone.length === 1 ? 'it is' : 'they are'}.`;
}

export function resultText(result: PruneResult): string {
  const lines: string[] = [];
  if (result.ContainersDeleted?.length) lines.push('Deleted Containers:', ...result.ContainersDeleted, '');
  if (result.ImagesDeleted.length) lines.push('Deleted Images:');
  for (const item of result.ImagesDeleted) lines.push('Untagged' in item ? `untagged: ${displayText(item.Untagged)}` : `deleted: ${displayText(item.Deleted)}`);
  for (const s of result.skipped)
    lines.push(
      `skipped: ${s.kind === 'container' ? `container ${s.id.slice(0, 12)}` : shortImageId(s.id)}${s.tags.length ? ` (${s.tags.map((t) => displayText(t)).join(', ')})` : ''}: ${s.reason} — ${displayText(s.message, MESSAGE_MAX_CHARS)}`,
    );
  if (result.cancelled) lines.push('Cancelled: the images after the last one shown were left alone.');
  if (lines.length) lines.push('');
  lines.push(`Total reclaimed space: ${formatBytes(result.SpaceReclaimed)}`);
  return lines.join('\n');
}

function summarizeKept(kept: readonly KeptImage[]): string {
  const counts = new Map<KeepReason, number>();
  for (const k of kept) counts.set(k.reason, (counts.get(k.reason) ?? 0) + 1);
  const names: Record<KeepReason, string> = {
    'in-use': 'used by a container',
    protected: 'protected',
    'keep-latest': 'among the newest per repository',
    filtered: 'excluded by the filters',
    'recently-used': 'used more recently than unused-for',
    'minimum-age': 'used more recently than the minimum age',
    'below-low-mark': 'not needed to get under the low mark',
    'left-out': 'left out',
    loaded: 'loaded and cannot come back (add --include-loaded)',
    'parent-stays': 'would take a kept untagged parent along (Podman removes it with its child)',
  };
  return [...counts].map(([reason, n]) => `${n} ${names[reason]}`).join(', ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('   ');
  return [fmt(header), ...rows.map(fmt)];
}

/** The question before an image prune: what goes, from where, how many bytes; and a loaded-image warning. */
export function imagePruneQuestion(opts: Pick<CliOptions, 'watermark' | 'policy'>, where: string, bytes: number, loaded?: string, containers = 0): string {
  const images = opts.watermark ? 'the least recently used images' : opts.policy.mode === 'all' ? 'all unused images, tagged ones too' : 'dangling images';
  const what = containers > 0 ? `${containers} stopped container${containers === 1 ? '' : 's'} and ${images}` : images;
  return `WARNING! This will remove ${what} listed above from ${where} (${formatBytes(bytes)}).${loaded ? ` ${loaded}` : ''} Continue? [y/N] `;
}
