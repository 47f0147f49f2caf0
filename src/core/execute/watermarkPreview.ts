import type { DockerEngine } from '../engine/dockerEngine';
import type { PrunePolicy } from '../model';
import type { Watermarks } from '../plan/watermarkMarks';
import { planWatermarkPrune, type DiskReading } from '../plan/watermarkPolicy';
import type { SnapshotReader } from '../snapshot/snapshotReader';
import { readDockerRootDisk } from '../space/dockerRootDisk';
import type { Preview } from './pruneJob';

/** The disk reading the marks need: the disk holding the Docker root for percentages; none for sizes. */
export function readDiskFor(marks: Watermarks, engine: DockerEngine): Promise<DiskReading> {
  return marks.high.kind === 'percent' ? readDockerRootDisk(engine) : Promise.resolve({ kind: 'unavailable', why: 'size marks do not measure the disk' });
}

/**
 * A snapshot, the disk holding the Docker root (for percentage marks), and the watermark plan on both. The disk is
 * read right after the snapshot, so the two describe the same moment as closely as the API allows.
 */
export async function previewWatermarkPrune(
  reader: SnapshotReader,
  engine: DockerEngine,
  policy: PrunePolicy,
  marks: Watermarks,
  leaveOut?: ReadonlySet<string>,
): Promise<Preview> {
  const snapshot = await reader.read({ until: policy.filters.until, stoppedContainers: policy.containers !== undefined });
  const disk = await readDiskFor(marks, engine);
  const { plan, figures } = planWatermarkPrune(snapshot, policy, marks, disk, leaveOut);
  return { snapshot, plan, watermark: { marks, figures, disk }, leaveOut };
}
