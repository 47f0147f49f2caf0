import type { DockerEngine } from '../core/engine/dockerEngine';
import { previewPrune, type Preview } from '../core/execute/pruneJob';
import { previewWatermarkPrune } from '../core/execute/watermarkPreview';
import type { SnapshotReader } from '../core/snapshot/snapshotReader';
import type { CliOptions } from './args';

/** The plan the options ask for: a watermark plan with `--watermark`, else the normal (or native) one. */
export function previewFor(reader: SnapshotReader, engine: DockerEngine, opts: Pick<CliOptions, 'policy' | 'native' | 'watermark'>): Promise<Preview> {
  return opts.watermark ? previewWatermarkPrune(reader, engine, opts.policy, opts.watermark) : previewPrune(reader, opts.policy, opts.native);
}
