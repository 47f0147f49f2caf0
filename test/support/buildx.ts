/**
 * Real BuildKit build cache for the tests: Debian sid's docker-buildx (unpacked into the tool cache by
 * scripts/install-engines.sh) driving a test dockerd's built-in BuildKit. Builds are `FROM scratch` with COPY
 * steps, and RUN steps in exec form (after a COPY of the static busybox, say), so they need no base image and
 * no network.
 */
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { toolCache } from './engines';

const run = promisify(execFile);

function buildxPlugin(): string {
  const file = path.join(toolCache(), 'engines', 'buildx', 'root', 'usr', 'libexec', 'docker', 'cli-plugins', 'docker-buildx');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/install-engines.sh (it unpacks Debian sid's docker-buildx)`);
  return file;
}

/** Where to build: the engine's `unix://` host, and a folder of the test's for the CLI config and the contexts. */
export interface BuildTarget {
  readonly dockerHost: string;
  readonly dataDir: string;
}

/** A docker CLI config folder (under the target's folder) holding only the buildx plugin. */
function buildxConfig(engine: BuildTarget): string {
  const dir = path.join(engine.dataDir, 'docker-config');
  fs.mkdirSync(path.join(dir, 'cli-plugins'), { recursive: true });
  const link = path.join(dir, 'cli-plugins', 'docker-buildx');
  if (!fs.existsSync(link)) fs.symlinkSync(buildxPlugin(), link);
  return dir;
}

export interface CopyStep {
  /** File name in the context (and in the image at /NAME). */
  readonly file: string;
  readonly bytes: number;
  /** Same seed, same content: steps with equal seeds share their cache records. */
  readonly seed: string;
}

/** A host file copied into the image at `to` (the static busybox, for RUN steps). */
export interface HostFileStep {
  readonly hostFile: string;
  readonly to: string;
}

/** `RUN ["arg0", …]`: exec form, no shell needed; BuildKit's record for it describes the command line. */
export interface RunStep {
  readonly run: readonly string[];
}

export type BuildStep = CopyStep | HostFileStep | RunStep;

/**
 * Builds `FROM scratch` + one COPY per step from a context of its own (a new folder each time, so no build reuses
 * and resizes another's context record). `tag` undefined: nothing is kept but the cache (`--output type=cacheonly`).
 */
export async function buildImage(engine: BuildTarget, name: string, steps: readonly BuildStep[], tag?: string): Promise<void> {
  const ctx = path.join(engine.dataDir, 'contexts', name);
  fs.mkdirSync(ctx, { recursive: true });
  const lines = steps.map((s, i) => {
    if ('run' in s) return `RUN ${JSON.stringify(s.run)}`;
    if ('hostFile' in s) {
      fs.copyFileSync(s.hostFile, path.join(ctx, `host-file-${i}`));
      return `COPY host-file-${i} ${s.to}`;
    }
    fs.writeFileSync(path.join(ctx, s.file), seededBytes(s.seed, s.bytes));
    return `COPY ${s.file} /${s.file}`;
  });
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), ['FROM scratch', ...lines, ''].join('\n'));
  // RUN steps without a network: the test engines have no bridge (and the tests no network at all).
  const network = steps.some((s) => 'run' in s) ? ['--network=none'] : [];
  const args = ['buildx', 'build', '--progress=quiet', ...network, ...(tag ? ['-t', tag] : ['--output', 'type=cacheonly']), ctx];
  try {
    await run('docker', args, {
      env: { ...process.env, DOCKER_CONFIG: buildxConfig(engine), DOCKER_HOST: engine.dockerHost, BUILDX_NO_DEFAULT_ATTESTATIONS: '1' },
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`docker buildx build ${name}: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

/** Incompressible bytes that depend only on the seed. */
function seededBytes(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  let block = crypto.createHash('sha256').update(seed).digest();
  for (let off = 0; off < n; off += block.length) {
    block.copy(out, off, 0, Math.min(block.length, n - off));
    block = crypto.createHash('sha256').update(block).digest();
  }
  return out;
}
