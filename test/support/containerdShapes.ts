/**
 * The shapes only Docker's containerd image store has, added to a loaded population (see C8D facts in
 * src/core/plan/containerdPlanner.ts): every name is a record of its own, so these change what a prune takes.
 *
 * - a retag that leaves an image with no name (a `moby-dangling@` record) while a container still names the moved
 *   tag: the engine protects the dangling record;
 * - a retag that leaves an image with another name while a container named the moved tag: the engine's all-mode
 *   prune deletes that image although the container uses it;
 * - digest references (`repo@sha256:…`, as a pull by digest makes them): one beside a tag, one as an image's only
 *   name (not dangling for the engine);
 * - a container created by a digested reference (`repo@sha256:…`): from 27.3 it protects the image;
 * - the archive loaded a second time: from 28.1 every named image also gets a `moby-dangling@` record.
 * Names made here are made after `marker`, so an `until` at the marker splits old records from new ones.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { apiJson, apiRequest, type TestEngine } from './dockerd';
import { engineBinary } from './engines';
import type { LoadedPopulation } from './population';

export interface ContainerdShapes {
  /** RFC3339Nano instant between the population's load and the names made here. */
  readonly marker: string;
  /** What was done, for failure messages. */
  readonly notes: string[];
}

export async function addContainerdShapes(engine: TestEngine, loaded: LoadedPopulation, rand: () => number): Promise<ContainerdShapes> {
  const notes: string[] = [];
  const socket = engine.socketPath;
  const used = new Set(loaded.containers.map((c) => c.image));
  const unused = loaded.population.images.filter((i) => !used.has(i.name) && i.runnable === false);
  const pick = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : list.splice(Math.floor(rand() * list.length), 1)[0]);
  const singleTagged = unused.filter((i) => i.tags.length === 1);
  const multiTagged = unused.filter((i) => i.tags.length > 1);
  const tag = async (source: string, target: string) => {
    const at = target.lastIndexOf(':');
    const res = await apiRequest(
      socket,
      'POST',
      `/images/${encodeURIComponent(source)}/tag?repo=${encodeURIComponent(target.slice(0, at))}&tag=${encodeURIComponent(target.slice(at + 1))}`,
    );
    if (res.status >= 300) throw new Error(`tag ${source} ${target}: HTTP ${res.status} ${res.body.toString()}`);
  };
  const create = async (name: string, image: string) => {
    await apiJson(socket, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, {
      Image: image,
      Cmd: ['/bin/busybox', 'true'],
      HostConfig: { NetworkMode: 'none' },
    });
  };

  // The archive once more: from 28.1 a dangling record beside every named image.
  const again = await apiRequest(socket, 'POST', '/images/load?quiet=1', {
    body: loaded.population.archive,
    contentType: 'application/x-tar',
    timeoutMs: 600_000,
  });
  if (again.status !== 200) throw new Error(`second load: HTTP ${again.status}`);
  notes.push('archive loaded twice');

  // containerd stamps each record to the nanosecond: a few ms on each side of the marker separate old from new.
  await sleep(50);
  const marker = new Date().toISOString().replace('Z', '000000Z');
  await sleep(50);

  const target = pick(singleTagged);
  const moved = pick(singleTagged);
  if (moved && target) {
    // A container names moved's tag; the tag then moves to another image: moved keeps only its dangling record.
    await create('dp-moved-alone', moved.tags[0]!);
    await tag(target.tags[0]!, moved.tags[0]!);
    notes.push(`retag: ${moved.tags[0]} moved from ${moved.name} to ${target.name} (a container names it)`);
  }
  const shared = pick(multiTagged);
  if (shared && target) {
    await create('dp-moved-shared', shared.tags[0]!);
    await tag(target.tags[0]!, shared.tags[0]!);
    notes.push(`retag: ${shared.tags[0]} moved from ${shared.name} (which keeps ${shared.tags.slice(1).join(', ')}) to ${target.name}`);
  }
  const digestBeside = pick(singleTagged);
  const digestOnly = pick(singleTagged);
  for (const [img, only] of [
    [digestBeside, false],
    [digestOnly, true],
  ] as const) {
    if (!img) continue;
    const id = loaded.imageIds.get(img.name)!;
    const repo = img.tags[0]!.slice(0, img.tags[0]!.lastIndexOf(':'));
    ctr(engine, 'images', 'tag', fullName(img.tags[0]!), `${fullName(repo)}@${id}`);
    if (only) {
      const res = await apiRequest(socket, 'DELETE', `/images/${encodeURIComponent(img.tags[0]!)}`);
      if (res.status >= 300) throw new Error(`untag ${img.tags[0]}: HTTP ${res.status} ${res.body.toString()}`);
    }
    notes.push(`digest reference ${repo}@${id.slice(0, 19)}… ${only ? 'as the only name of' : 'beside the tag of'} ${img.name}`);
  }
  const byDigest = pick(multiTagged);
  if (byDigest) {
    const id = loaded.imageIds.get(byDigest.name)!;
    const repo = byDigest.tags[0]!.slice(0, byDigest.tags[0]!.lastIndexOf(':'));
    await create('dp-by-digest', `${repo}@${id}`).catch(() => undefined);
    notes.push(`container by digested reference ${repo}@… on ${byDigest.name}`);
  }
  return { marker, notes };
}

/** `docker.io/library/…` form of a familiar name, as containerd keeps it. */
function fullName(ref: string): string {
  const first = ref.split('/')[0]!;
  if (!ref.includes('/')) return `docker.io/library/${ref}`;
  if (first.includes('.') || first.includes(':') || first === 'localhost') return ref;
  return `docker.io/${ref}`;
}

/** The engine's own containerd, through its `ctr` (what a pull by digest would make, made without a registry). */
function ctr(engine: TestEngine, ...args: string[]): void {
  const bin = path.join(engineBinary(engine.suite).path || '/usr/bin', 'ctr');
  execFileSync(bin, ['--address', path.join(engine.dataDir, 'exec', 'containerd', 'containerd.sock'), '--namespace', 'moby', ...args], { stdio: 'pipe' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
