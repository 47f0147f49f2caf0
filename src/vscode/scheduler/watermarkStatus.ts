/**
 * How far an environment is from its auto-prune high mark, for the tree, the status bar tooltip and the log.
 * Measured with each refresh of the environment: the store's bytes from its snapshot, the disk (percentage marks)
 * with statfs of the Docker root directory.
 */
import * as vscode from 'vscode';
import type { DockerEngine } from '../../core/engine/dockerEngine';
import { errorMessage } from '../../core/errors';
import { readDiskFor } from '../../core/execute/watermarkPreview';
import { formatBytes } from '../../core/format/units';
import { bytesText } from '../l10n/format';
import type { Snapshot } from '../../core/model';
import type { Watermarks } from '../../core/plan/watermarkMarks';
import { storeBytes, watermarkLevels, type WatermarkLevels } from '../../core/plan/watermarkPolicy';
import { watermarksFor, type EnvironmentKey } from '../settings/settings';

/** The marks and where usage stands, or why that is unknown (an invalid setting, a disk that cannot be read). */
export type WatermarkStanding = { readonly marks: Watermarks; readonly levels: WatermarkLevels } | { readonly error: string };

export async function watermarkStanding(env: EnvironmentKey, engine: DockerEngine, snapshot: Snapshot): Promise<WatermarkStanding | undefined> {
  try {
    const marks = watermarksFor(env);
    if (!marks) return undefined;
    return { marks, levels: watermarkLevels(marks, await readDiskFor(marks, engine), storeBytes(snapshot)) };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

/** Short, for the tree item's description: "1.2 GB to the high mark" / "300 MB over the high mark". */
export function distanceText(standing: WatermarkStanding): string {
  if ('error' in standing) return vscode.l10n.t('watermarks unknown');
  const left = standing.levels.highBytes - standing.levels.usedBytes;
  return left >= 0 ? vscode.l10n.t('{0} to the high mark', bytesText(left)) : vscode.l10n.t('{0} over the high mark', bytesText(-left));
}

/** A sentence for tooltips: usage, both marks, the distance to the high one, and what auto-prune then does. */
export function standingText(standing: WatermarkStanding): string {
  if ('error' in standing) return vscode.l10n.t('Auto-prune watermarks: {0}', standing.error);
  const { marks, levels: l } = standing;
  const share = (n: number) => (l.totalBytes ? ` (${((n / l.totalBytes) * 100).toFixed(1)}%)` : '');
  const used =
    l.basis === 'disk'
      ? vscode.l10n.t('the disk holding the Docker root has {0}{1} of {2} in use', bytesText(l.usedBytes), share(l.usedBytes), bytesText(l.totalBytes ?? 0))
      : vscode.l10n.t('images take {0}', bytesText(l.usedBytes));
  const left = l.highBytes - l.usedBytes;
  const distance =
    left >= 0
      ? vscode.l10n.t('{0} below the high mark {1} ({2})', bytesText(left), marks.high.raw, bytesText(l.highBytes))
      : vscode.l10n.t(
          '{0} above the high mark {1} ({2}): the next auto-prune removes the least recently used images down to under {3}',
          bytesText(-left),
          marks.high.raw,
          bytesText(l.highBytes),
          marks.low.raw,
        );
  return vscode.l10n.t('Watermarks: {0}, {1}.', used, distance);
}

/** For the log (English, as the log is): usage and marks in bytes. */
export function watermarkSummary(marks: Watermarks, l: WatermarkLevels): string {
  const of = l.basis === 'disk' ? `of ${formatBytes(l.totalBytes ?? 0)} disk` : 'in images';
  return `${formatBytes(l.usedBytes)} used ${of}, high mark ${marks.high.raw} = ${formatBytes(l.highBytes)}, low mark ${marks.low.raw} = ${formatBytes(l.lowBytes)}`;
}
