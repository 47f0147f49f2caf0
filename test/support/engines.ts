/**
 * The Docker Engines the tests run, and how to start each: the machine's own Debian 12 docker.io, and the newer
 * ones scripts/install-engines.sh unpacks into the tool cache (Debian 13's and sid's docker.io), each with either
 * image store. The engine and store are the oracle's subject: every prediction is checked against each of them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type DebianSuite = 'bookworm' | 'trixie' | 'sid';
export type ImageStore = 'graphdriver' | 'containerd';

/** One engine to test on: a Debian suite's dockerd with one image store. */
export interface EngineFlavourUnderTest {
  /** Short id for test names and temp dirs, e.g. `28-c8d`. */
  readonly id: string;
  readonly suite: DebianSuite;
  readonly store: ImageStore;
  /** What users call it, e.g. `Docker 28.5, containerd store` (the version as packaged when written). */
  readonly label: string;
}

/** Every engine and store the core is proved on (the full matrix). */
export const ENGINE_MATRIX: readonly EngineFlavourUnderTest[] = [
  { id: '20-gd', suite: 'bookworm', store: 'graphdriver', label: 'Docker 20.10, overlay2' },
  { id: '26-c8d', suite: 'trixie', store: 'containerd', label: 'Docker 26.1, containerd store' },
  { id: '28-gd', suite: 'sid', store: 'graphdriver', label: 'Docker 28.5, overlay2' },
  { id: '28-c8d', suite: 'sid', store: 'containerd', label: 'Docker 28.5, containerd store' },
];

export function engineUnderTest(id: string): EngineFlavourUnderTest {
  const e = ENGINE_MATRIX.find((x) => x.id === id);
  if (!e) throw new Error(`no engine ${id} (there are: ${ENGINE_MATRIX.map((x) => x.id).join(', ')})`);
  return e;
}

/** Engines chosen by DP_ENGINES (comma-separated ids, or `all`); default: all of them. */
export function enginesFromEnv(env: NodeJS.ProcessEnv = process.env): EngineFlavourUnderTest[] {
  const wanted = env.DP_ENGINES?.trim();
  if (!wanted || wanted === 'all') return [...ENGINE_MATRIX];
  return wanted.split(',').map((id) => engineUnderTest(id.trim()));
}

export interface EngineBinary {
  readonly dockerd: string;
  /** Prepended to PATH, so dockerd starts the containerd it was packaged with. */
  readonly path: string;
}

export function toolCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_PRUNE_CACHE || path.join(os.homedir(), '.cache', 'docker-prune');
}

/** Where a suite's dockerd lives; the newer ones need scripts/install-engines.sh first. */
export function engineBinary(suite: DebianSuite): EngineBinary {
  if (suite === 'bookworm') return { dockerd: '/usr/sbin/dockerd', path: '' };
  const file = path.join(toolCache(), 'engines', 'engines.json');
  let known: Record<string, EngineBinary>;
  try {
    known = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, EngineBinary>;
  } catch {
    throw new Error(`${file} is missing: run scripts/install-engines.sh first (it unpacks Debian ${suite}'s docker.io into the tool cache)`);
  }
  const found = known[suite];
  if (!found || !fs.existsSync(found.dockerd)) throw new Error(`Debian ${suite}'s dockerd is not in ${file}: run scripts/install-engines.sh`);
  return found;
}
