import type { DockerEngine } from '../core/engine/dockerEngine';
import { previewPrune, type Preview } from '../core/execute/pruneJob';
import { previewWatermarkPrune } from '../core/execute/watermarkPreview';
import type { SnapshotReader } from '../core/snapshot/snapshotReader';
import type { CliOptions } from './args';
import { checkRegistries } from '../core/source/registryCheck';

/** The plan the options ask for: a watermark plan with `--watermark`, else the normal (or native) one. */
export async function previewFor(
  reader: SnapshotReader,
  engine: DockerEngine,
  opts: Pick<CliOptions, 'policy' | 'native' | 'watermark' | 'checkRegistry'>,
): Promise<Preview> {
  const preview = await (opts.watermark ? previewWatermarkPrune(reader, engine, opts.policy, opts.watermark) : previewPrune(reader, opts.policy, opts.native));
  if (!opts.checkRegistry || !preview.snapshot.sources) return preview;
  // Only the images the plan removes: whether the others could be pulled again does not matter to this prune.
  const sources = await checkRegistries(
    engine,
    preview.plan.items.map((i) => i.id),
    preview.snapshot.sources,
  );
  return { ...preview, snapshot: { ...preview.snapshot, sources } };
}
