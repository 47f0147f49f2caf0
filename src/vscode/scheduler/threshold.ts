/**
 * The auto-prune disk threshold: prune only when the engine's images take more than N bytes, or more than
 * N% of the disk that holds the Docker root directory. A percentage needs that directory on this machine
 * (a local engine); for a remote engine it cannot be measured, and the run is skipped with that reason.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { DockerEngine } from '../../core/engine/dockerEngine';
import { bytesText } from '../l10n/format';
import { SettingError } from '../settings/settingError';
import { fullName, Setting, type Threshold } from '../settings/settings';

export interface ThresholdCheck {
  readonly exceeded: boolean;
  /** Disk the engine's image layers take (`/system/df` LayersSize). */
  readonly imageBytes: number;
  readonly limitBytes: number;
  readonly description: string;
}

export async function checkThreshold(engine: DockerEngine, threshold: Threshold): Promise<ThresholdCheck> {
  const imageBytes = (await engine.systemDf()).LayersSize ?? 0;
  let limitBytes: number;
  let limitText: string;
  if (threshold.kind === 'bytes') {
    limitBytes = threshold.bytes;
    limitText = bytesText(limitBytes);
  } else {
    const disk = await dockerRootDiskBytes(engine);
    if (disk.total === undefined) {
      throw new SettingError(fullName(Setting.AutoPruneThreshold), threshold.raw, disk.why);
    }
    limitBytes = (disk.total * threshold.percent) / 100;
    limitText = vscode.l10n.t('{0} of {1} ({2})', threshold.raw, bytesText(disk.total), bytesText(limitBytes));
  }
  const exceeded = imageBytes > limitBytes;
  return {
    exceeded,
    imageBytes,
    limitBytes,
    description: vscode.l10n.t('images take {0}, threshold {1}', bytesText(imageBytes), limitText),
  };
}

/** Size of the file system holding the engine's DockerRootDir, when that directory is on this machine. */
async function dockerRootDiskBytes(engine: DockerEngine): Promise<{ total?: number; why: string }> {
  const env = engine.endpoint.label;
  if (engine.endpoint.kind !== 'unix') {
    return { why: vscode.l10n.t('a percentage needs a local engine, and {0} is remote; use a number of bytes instead', env) };
  }
  const root = (await engine.info()).DockerRootDir;
  if (!root || !fs.existsSync(root)) {
    return {
      why: vscode.l10n.t('the Docker root directory of {0} ({1}) is not on this machine (an engine in a VM?); use a number of bytes instead', env, root ?? '?'),
    };
  }
  const st = await fs.promises.statfs(root);
  return { total: Number(st.blocks) * Number(st.bsize), why: '' };
}
