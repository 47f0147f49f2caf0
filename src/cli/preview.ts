import type { DockerEngine } from '../core/engine/dockerEngine';
import { previewPrune, type Preview } from '../core/execute/pruneJob';
import { previewWatermarkPrune } from '../core/execute/watermarkPreview';
import type { SnapshotReader } from '../core/snapshot/snapshotReader';
import type { CliOptions } from './args';
import { checkRegistries } from '../core/source/registryCheck';
import { readStoppedPins } from '../core/containers/stoppedPins';
import type { Snapshot } from '../core/model';
import { planPrune } from '../core/plan/planner';

/**
 * The plan the options ask for: a watermark plan with `--watermark`, else the normal (or native) one; with the
 * stopped containers that alone keep images (`plan`), and with `--check-registry` what the registries say.
 */
export async function previewFor(
  reader: SnapshotReader,
  engine: DockerEngine,
  opts: Pick<CliOptions, 'command' | 'policy' | 'native' | 'watermark' | 'checkRegistry'>,
): Promise<Preview> {
  const planned = await (opts.watermark ? previewWatermarkPrune(reader, engine, opts.policy, opts.watermark) : previewPrune(reader, opts.policy, opts.native));
  // `plan`: which kept images only stopped containers hold, and what those containers are (one inspect each, with
  // the writable layer's size, which the engine computes: not worth it before a prune, which does not show them).
  // A watermark plan is chosen by bytes against its marks, so it names none.
  const replan = (snapshot: Snapshot) => planPrune(snapshot, opts.policy, { engineParity: opts.native });
  const wanted = opts.command === 'plan' && !opts.watermark;
  const preview = wanted ? { ...planned, stoppedPins: await readStoppedPins(engine, planned.snapshot, planned.plan, replan) } : planned;
  if (!opts.checkRegistry || !preview.snapshot.sources) return preview;
  // Only the images the plan removes: whether the others could be pulled again does not matter to this prune.
  const sources = await checkRegistries(
    engine,
    preview.plan.items.map((i) => i.id),
    preview.snapshot.sources,
  );
  return { ...preview, snapshot: { ...preview.snapshot, sources } };
}
