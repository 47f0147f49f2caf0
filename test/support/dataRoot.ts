import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestEngine } from './dockerd';

/**
 * Apparent size of every file under the engine's data root (what `du -sb` adds up, directories aside);
 * `regularFilesOnly` leaves out symlinks, sockets and the like too.
 */
export function dataRootSize(engine: TestEngine, { regularFilesOnly = false } = {}): number {
  return directorySize(path.join(engine.dataDir, 'root'), { regularFilesOnly });
}

/** Apparent size of every file under `root` (see dataRootSize). */
export function directorySize(root: string, { regularFilesOnly = false } = {}): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      try {
        if (e.isDirectory()) walk(p);
        else if (!regularFilesOnly || e.isFile()) total += fs.lstatSync(p).size;
      } catch {
        /* vanished meanwhile */
      }
    }
  };
  walk(root);
  return total;
}
