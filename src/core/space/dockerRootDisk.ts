/**
 * The file system holding an engine's Docker root directory (`/info` DockerRootDir), read with statfs where that
 * directory is on this machine. For a remote engine (TCP, SSH), an engine in a VM (Docker Desktop: the directory
 * is inside the VM), or a directory this user may not reach, the reading says why it could not be made.
 */
import * as fs from 'fs';
import type { DockerEngine } from '../engine/dockerEngine';
import { errorMessage } from '../errors';
import type { DiskReading } from '../plan/watermarkPolicy';

export async function readDockerRootDisk(engine: DockerEngine): Promise<DiskReading> {
  const where = engine.endpoint.label;
  if (engine.endpoint.kind !== 'unix' && engine.endpoint.kind !== 'npipe') {
    return { kind: 'unavailable', why: `${where} is a remote engine, whose disk cannot be measured from here` };
  }
  const root = (await engine.info()).DockerRootDir;
  if (!root) return { kind: 'unavailable', why: `${where} does not say where its root directory is (/info DockerRootDir)` };
  return statDisk(root, where);
}

/** statfs of `dir`: its file system's size and what is available to unprivileged users (as `df` shows them). */
export async function statDisk(dir: string, where: string): Promise<DiskReading> {
  try {
    const st = await fs.promises.statfs(dir);
    return { kind: 'disk', path: dir, totalBytes: Number(st.blocks) * Number(st.bsize), availableBytes: Number(st.bavail) * Number(st.bsize) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'unavailable', why: `the root directory of ${where} (${dir}) is not on this machine (an engine in a VM?)` };
    if (code === 'EACCES' || code === 'EPERM')
      return { kind: 'unavailable', why: `this user may not read the file system of ${where}'s root directory (${dir})` };
    return { kind: 'unavailable', why: `the file system of ${where}'s root directory (${dir}) could not be read: ${errorMessage(e)}` };
  }
}
