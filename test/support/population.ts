/**
 * Deterministic image populations for a real engine, made as one `docker load` archive.
 *
 * Why an archive: `docker load` of generated images that share a few layers runs at ~160 images/s here,
 * keeps the config's `created` (so `until=` can select old images) and sets parents from manifest
 * `Parent` entries; `docker build`/`import` are 15–50× slower and stamp "now".
 *
 * Load cost (measured, engine data root on tmpfs, busy 2-core machine): every distinct layer costs the
 * engine 60–80 ms (it re-execs itself to unpack each one), every image a little; so the defaults keep
 * layers few (~12–16). 60 images load in 0.7–1.5 s, 1,000 in 2.2–4.5 s (220–450/s), 5,000 in ~35 s
 * (~145/s: each tag rewrites the whole tag store). On the disk instead of tmpfs: ~80/s.
 *
 * Shape of every population (all from one seed):
 *   - six runnable "fixture" images built on a layer holding the static busybox (`/bin/busybox`), used by
 *     the containers: a tagged parent, its tagged multi-tag child, an untagged intermediate parent, a tagged
 *     child in two repos, a dangling 4th-level leaf, and a loose dangling image;
 *   - "bulk" images made of prefixes of a few shared layer families (plus, for some, one layer of their
 *     own): standalone images and parent chains 2–4 deep, tagged or not, with labels from a small
 *     key/value space, created up to years ago, a few with no `config` key at all.
 *
 * Engine rules the generator respects (moby image/tarexport/load.go):
 *   - image id = sha256 of the config JSON bytes, exactly as archived;
 *   - a `Parent` link is only accepted when the child's history is the parent's plus exactly one entry
 *     (entries equal), and only when the parent is in the same archive. History entries are therefore a
 *     function of their layer only, and each chain step adds exactly one layer.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { apiJson, apiRequest, inParallel } from './dockerd';

// ---------------------------------------------------------------------------------------------------
// Public shapes

export interface ContainerCounts {
  /** `docker create` only (state "created"). */
  created: number;
  /** Started with `/bin/busybox true`, waited for (state "exited"). */
  exited: number;
  /** Started with `/bin/busybox sleep 1000` (state "running"). */
  running: number;
}

export interface PopulationOptions {
  seed: number;
  /** Total images, including the six runnable fixture images (so at least 6). */
  images: number;
  /** Chance that a standalone image or a chain's leaf is untagged (so dangling). Default 0.2. */
  danglingRatio?: number;
  /** Chance that a tagged image gets 2–3 tags (same repo or other repos). Default 0.15. */
  multiTagRatio?: number;
  /** Share of bulk images that sit in parent chains 2–4 deep. Default 0.25. */
  chainRatio?: number;
  /** Chance that a standalone bulk image gets one layer of its own (each costs the engine ~70 ms). Default 0.05. */
  ownLayerRatio?: number;
  /** Bytes of such an own layer: log-uniform in [min, max]. Default [100, 8000]. */
  ownLayerBytes?: readonly [number, number];
  /** Share of bulk images built on the busybox family (runnable, so containers spread over them). Default 0.1. */
  runnableRatio?: number;
  /** Chance that a standalone bulk image's config JSON has no `config` key at all. Default 0.05 (at least one). */
  noConfigRatio?: number;
  /** Label keys; each image with a config carries each key with chance 0.6. Default ['dp.tier', 'dp.team']. */
  labelKeys?: string[];
  /** Label values shared by all keys. Default ['red', 'green', 'blue']. */
  labelValues?: string[];
  /** Repositories for bulk tags. Default ['dp/alpha', 'dp/beta', 'dp/gamma', 'localhost:5000/dp/delta']. */
  repos?: string[];
  /** Created times spread over this many days before `now`. Default 1000. */
  maxAgeDays?: number;
  /**
   * Reference instant for created times. Default 2025-01-01T00:00:00Z, so that a population (and every
   * image id) is a pure function of the options; pass `new Date()` to test relative `until` durations.
   */
  now?: Date;
  /** Number of shared (non-busybox) layer families, each 4 layers deep (each layer costs ~70 ms to load). Default 2. */
  layerFamilies?: number;
  /** Containers to create on runnable images. Default one of each state. */
  containers?: ContainerCounts;
}

export interface GeneratedLayer {
  /** `sha256:` of the uncompressed layer tar: the rootfs diff id. */
  diffId: string;
  /** Bytes of file content: what the engine reports as this layer's size (history `Size`). */
  size: number;
  files: Array<{ path: string; size: number }>;
  /** The history `created_by` of this layer (same in every image that has it). */
  createdBy: string;
}

export interface GeneratedImage {
  /** Stable generated name: `run-base`, `run-app`, … for fixtures, `img-0007` for bulk images. */
  name: string;
  /** `sha256:<hex>` of the config JSON: the engine's image id. */
  id: string;
  /** `repo:tag` refs in familiar form; empty: untagged (dangling unless it has children). */
  tags: string[];
  /** Generated name of the parent image (manifest `Parent`), if any. */
  parent?: string;
  /**
   * Config labels; `{}` when the config has no `Labels`; `null` when the config JSON has no `config` key
   * at all (the engine then reports `Config: null`).
   */
  labels: Record<string, string> | null;
  /** RFC3339Nano as written in the config (Go format: fraction without trailing zeros, UTC `Z`). */
  created: string;
  /** The same instant in nanoseconds since the epoch. */
  createdNs: bigint;
  /** Layer diff ids, bottom first. */
  layers: string[];
  /** Sum of the layers' sizes (`/images/json` Size). */
  size: number;
  /** Has `/bin/busybox`, so containers can run from it. */
  runnable: boolean;
}

export type GeneratedContainerState = 'created' | 'exited' | 'running';

export interface ContainerSpec {
  name: string;
  /** Generated image name. */
  image: string;
  state: GeneratedContainerState;
  cmd: string[];
  /**
   * How the container names its image: by id, or by (its first) tag. The graphdriver store makes no difference;
   * the containerd store protects only the name a container was created with (or one name, when by id).
   */
  by: 'id' | 'name';
}

export interface Population {
  options: Readonly<Required<PopulationOptions>>;
  /** In manifest order: parents before children. */
  images: GeneratedImage[];
  layers: GeneratedLayer[];
  containers: ContainerSpec[];
  /** The `docker load` archive (docker-archive format). */
  archive: Buffer;
}

export interface LoadedContainer extends ContainerSpec {
  id: string;
  /** The engine's id of the container's image. */
  imageId: string;
  /** What the container was created with (`Config.Image`): a tag or the image id. */
  ref: string;
}

export interface LoadedPopulation {
  population: Population;
  /** Generated image name → engine image id (`sha256:…`). */
  imageIds: Map<string, string>;
  /** Engine image id → generated image name. */
  imageNames: Map<string, string>;
  containers: LoadedContainer[];
  timings: { loadMs: number; containersMs: number };
}

// ---------------------------------------------------------------------------------------------------
// Queries on a population (plain data, so tests can derive expectations)

export function imageByName(pop: Population, name: string): GeneratedImage {
  const img = pop.images.find((i) => i.name === name);
  if (!img) throw new Error(`no image named ${name}`);
  return img;
}

export function childrenOf(pop: Population, name: string): GeneratedImage[] {
  return pop.images.filter((i) => i.parent === name);
}

/** Untagged and nobody's parent: what `docker image prune` (without -a) considers. */
export function isDangling(pop: Population, img: GeneratedImage): boolean {
  return img.tags.length === 0 && !pop.images.some((i) => i.parent === img.name);
}

/** Generated names of the images containers are created from. */
export function imagesInUse(pop: Population): Set<string> {
  return new Set(pop.containers.map((c) => c.image));
}

// ---------------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: tiny, fast, good enough for test data; same seed → same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number, stream: string) {
    // Independent streams per purpose: changing the image count does not change layer contents.
    let h = seed >>> 0;
    for (const ch of stream) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1) >>> 0;
    this.next = mulberry32(h);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 2 ** 32;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }
  /** Log-uniform integer in [lo, hi]: many small values, a few large ones. */
  logInt(lo: number, hi: number): number {
    return Math.round(Math.exp(Math.log(lo) + this.float() * (Math.log(hi) - Math.log(lo))));
  }
  bytes(n: number): Buffer {
    const buf = Buffer.allocUnsafe(n + 3);
    for (let i = 0; i < n; i += 4) buf.writeUInt32LE(this.next(), i);
    return buf.subarray(0, n);
  }
}

// ---------------------------------------------------------------------------------------------------
// Tar (ustar) writing: small enough to own, and byte-exact so diff ids are ours to compute.

interface TarEntry {
  name: string;
  data?: Buffer; // absent: directory
  mode?: number;
  mtime: number; // unix seconds
}

function tarHeader(name: string, size: number, mode: number, mtime: number, type: '0' | '5'): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  const octal = (value: number, offset: number, width: number) => h.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
  octal(mode, 100, 8);
  octal(0, 108, 8); // uid
  octal(0, 116, 8); // gid
  octal(size, 124, 12);
  octal(mtime, 136, 12);
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

function tar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.data === undefined) {
      parts.push(tarHeader(e.name.endsWith('/') ? e.name : e.name + '/', 0, e.mode ?? 0o755, e.mtime, '5'));
    } else {
      parts.push(tarHeader(e.name, e.data.length, e.mode ?? 0o644, e.mtime, '0'), e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

// ---------------------------------------------------------------------------------------------------
// Layers

const BUSYBOX = '/bin/busybox';
let busyboxCache: Buffer | undefined;

function busyboxBinary(): Buffer {
  if (!busyboxCache) {
    if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} missing: run scripts/install-debian-packages.sh (busybox-static)`);
    busyboxCache = fs.readFileSync(BUSYBOX);
  }
  return busyboxCache;
}

/** A layer plus what the archive needs: its tar and its (fixed) history entry. */
interface BuiltLayer extends GeneratedLayer {
  tar: Buffer;
  history: { created: string; created_by: string };
}

/** Layer times sit well before any image, and are fixed per layer so shared history entries stay equal. */
function buildLayer(key: string, files: Array<{ path: string; data: Buffer; mode?: number }>, createdNs: bigint): BuiltLayer {
  const mtime = Number(createdNs / 1_000_000_000n);
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') + '/');
  }
  const entries: TarEntry[] = [
    ...[...dirs].sort().map((name) => ({ name, mtime })),
    ...files.map((f) => ({ name: f.path, data: f.data, mode: f.mode, mtime })),
  ];
  const tarBuf = tar(entries);
  const diffId = 'sha256:' + sha256(tarBuf);
  const createdBy = `/bin/sh -c #(nop) ADD dir:${key} in /`;
  return {
    diffId,
    size: files.reduce((n, f) => n + f.data.length, 0),
    files: files.map((f) => ({ path: f.path, size: f.data.length })),
    createdBy,
    tar: tarBuf,
    history: { created: formatRfc3339Nano(createdNs), created_by: createdBy },
  };
}

/** `count` random files under opt/dp/<key>/ with log-uniform sizes in [lo, hi]. */
function randomFiles(rng: Rng, key: string, count: number, lo: number, hi: number) {
  return Array.from({ length: count }, (_, i) => ({ path: `opt/dp/${key}/f${i}.bin`, data: rng.bytes(rng.logInt(lo, hi)) }));
}

/**
 * Families of 4 layers each; images use a prefix of one family. Family 0 is the busybox family
 * (runnable); the others hold only data. The bottom layer is the big one, as base images are.
 */
function buildFamilies(seed: number, dataFamilies: number, layerEpochNs: bigint): BuiltLayer[][] {
  const rng = new Rng(seed, 'layers');
  const day = 86_400n * 1_000_000_000n;
  const families: BuiltLayer[][] = [];
  for (let f = 0; f <= dataFamilies; f++) {
    const chain: BuiltLayer[] = [];
    for (let depth = 0; depth < 4; depth++) {
      const key = `fam${f}-l${depth}`;
      const created = layerEpochNs - BigInt(dataFamilies + 1 - f) * 10n * day + BigInt(depth) * day + BigInt(rng.int(0, 999_999_999));
      let files;
      if (f === 0 && depth === 0) files = [{ path: 'bin/busybox', data: busyboxBinary(), mode: 0o755 }];
      else if (f === 0) files = randomFiles(rng, key, 1, 200, 20_000);
      else if (depth === 0) files = randomFiles(rng, key, 2, 20_000, 600_000);
      else files = randomFiles(rng, key, rng.int(1, 3), 200, 200_000);
      chain.push(buildLayer(key, files, created));
    }
    families.push(chain);
  }
  return families;
}

// ---------------------------------------------------------------------------------------------------
// Time

const NS_PER_MS = 1_000_000n;

/** Go's RFC3339Nano for a UTC instant: fraction trimmed of trailing zeros, omitted when zero. */
export function formatRfc3339Nano(ns: bigint): string {
  const ms = ns / NS_PER_MS;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac ? '.' + frac : ''}Z`;
}

// ---------------------------------------------------------------------------------------------------
// Generation

const DEFAULTS: Omit<Required<PopulationOptions>, 'seed' | 'images'> = {
  danglingRatio: 0.2,
  multiTagRatio: 0.15,
  chainRatio: 0.25,
  ownLayerRatio: 0.05,
  ownLayerBytes: [100, 8_000],
  runnableRatio: 0.1,
  noConfigRatio: 0.05,
  labelKeys: ['dp.tier', 'dp.team'],
  labelValues: ['red', 'green', 'blue'],
  repos: ['dp/alpha', 'dp/beta', 'dp/gamma', 'localhost:5000/dp/delta'],
  maxAgeDays: 1000,
  now: new Date('2025-01-01T00:00:00Z'),
  layerFamilies: 2,
  containers: { created: 1, exited: 1, running: 1 },
};

/** Runnable fixtures, in the order containers are assigned to them (see `assignContainers`). */
const FIXTURES: ReadonlyArray<{ name: string; depth: number; parent?: string; tags: string[] }> = [
  { name: 'run-base', depth: 1, tags: ['dp/run:base'] }, // tagged parent
  { name: 'run-app', depth: 2, parent: 'run-base', tags: ['dp/run:app', 'dp/run:app-latest'] }, // child of a tagged parent, 2 tags in one repo
  { name: 'run-mid', depth: 2, parent: 'run-base', tags: [] }, // untagged intermediate parent
  { name: 'run-tool', depth: 3, parent: 'run-mid', tags: ['dp/tool:1', 'dp/run:tool'] }, // tags in two repos, parent of run-leaf
  { name: 'run-leaf', depth: 4, parent: 'run-tool', tags: [] }, // dangling, 4th level of a chain
  { name: 'run-loose', depth: 2, tags: [] }, // dangling, shares layers, no parent
];
/** Container image order: the first three cover a child of a tagged parent, a parent image, a tagged parent with a child. */
const CONTAINER_IMAGE_ORDER = ['run-app', 'run-mid', 'run-tool', 'run-leaf', 'run-loose', 'run-base'];

const CMD: Record<GeneratedContainerState, string[]> = {
  created: ['/bin/busybox', 'true'],
  exited: ['/bin/busybox', 'true'],
  running: ['/bin/busybox', 'sleep', '1000'],
};

interface Draft {
  name: string;
  family: number;
  depth: number; // number of family layers used
  ownLayer: boolean;
  parent?: string;
  tags: string[];
  hasConfig: boolean;
  createdNs?: bigint;
}

/** Builds the description and the archive; a pure function of the options (and /bin/busybox). */
export function generatePopulation(options: PopulationOptions): Population {
  const opts: Required<PopulationOptions> = { ...DEFAULTS, ...options, containers: { ...DEFAULTS.containers, ...options.containers } };
  if (!Number.isInteger(opts.images) || opts.images < FIXTURES.length) {
    throw new Error(`images must be an integer ≥ ${FIXTURES.length} (the runnable fixtures)`);
  }
  const nowNs = BigInt(opts.now.getTime()) * NS_PER_MS;
  const maxAgeNs = BigInt(Math.round(opts.maxAgeDays * 86_400)) * 1_000_000_000n;
  const families = buildFamilies(opts.seed, opts.layerFamilies, nowNs - maxAgeNs);

  const drafts = [...fixtureDrafts(), ...bulkDrafts(opts)];
  assignCreatedTimes(drafts, new Rng(opts.seed, 'created'), nowNs, maxAgeNs);

  const labelRng = new Rng(opts.seed, 'labels');
  const ownRng = new Rng(opts.seed, 'own-layers');
  const layers = new Map<string, BuiltLayer>();
  const configs = new Map<string, Buffer>(); // hex → config bytes
  const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[]; Parent?: string }> = [];
  const images: GeneratedImage[] = [];
  const idByName = new Map<string, string>();
  const arch = goArch();

  for (const d of drafts) {
    const chain = families[d.family]!.slice(0, d.depth);
    if (d.ownLayer) {
      const key = `own-${d.name}`;
      const base = chain[chain.length - 1]!;
      const created = parseRfc3339Ns(base.history.created) + 1_000_000_000n;
      chain.push(buildLayer(key, randomFiles(ownRng, key, 1, opts.ownLayerBytes[0], opts.ownLayerBytes[1]), created));
    }
    for (const l of chain) layers.set(l.diffId, l);

    const labels = d.hasConfig ? randomLabels(labelRng, opts) : null;
    const created = formatRfc3339Nano(d.createdNs!);
    // Key order is fixed, so the bytes (and the id) are reproducible.
    const config: Record<string, unknown> = { architecture: arch, os: 'linux', created };
    if (d.hasConfig) {
      const c: Record<string, unknown> = { Env: ['PATH=/bin'] };
      if (d.family === 0) c.Cmd = ['/bin/busybox', 'sh'];
      if (labels && Object.keys(labels).length > 0) c.Labels = labels;
      config.config = c;
    }
    config.rootfs = { type: 'layers', diff_ids: chain.map((l) => l.diffId) };
    config.history = chain.map((l) => l.history);
    const bytes = Buffer.from(JSON.stringify(config));
    const hex = sha256(bytes);
    if (configs.has(hex)) throw new Error(`generated duplicate image config for ${d.name}`);
    configs.set(hex, bytes);
    const id = 'sha256:' + hex;
    idByName.set(d.name, id);

    const entry: (typeof manifest)[number] = {
      Config: `${hex}.json`,
      RepoTags: d.tags.length ? d.tags : null,
      Layers: chain.map((l) => `${l.diffId.slice(7)}.tar`),
    };
    if (d.parent) entry.Parent = idByName.get(d.parent)!;
    manifest.push(entry);
    images.push({
      name: d.name,
      id,
      tags: d.tags,
      parent: d.parent,
      labels,
      created,
      createdNs: d.createdNs!,
      layers: chain.map((l) => l.diffId),
      size: chain.reduce((n, l) => n + l.size, 0),
      runnable: d.family === 0,
    });
  }

  const archive = tar([
    ...[...layers.values()].map((l) => ({ name: `${l.diffId.slice(7)}.tar`, data: l.tar, mtime: 0 })),
    ...[...configs].map(([hex, data]) => ({ name: `${hex}.json`, data, mtime: 0 })),
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)), mtime: 0 },
  ]);

  return {
    options: opts,
    images,
    layers: [...layers.values()].map(({ diffId, size, files, createdBy }) => ({ diffId, size, files, createdBy })),
    containers: assignContainers(images, opts.containers),
    archive,
  };
}

/**
 * `npm start`'s sandbox: an engine as a developer's looks after a few weeks of rebuilds — a few repositories with
 * several versions each, rebuilt images left dangling with layers of their own (megabytes, so the first screen shows
 * real reclaimable space), images up to three months old, and a few containers.
 */
export function generateSandboxPopulation(now: Date): Population {
  return generatePopulation({
    seed: 2026,
    images: 60,
    now,
    maxAgeDays: 90,
    danglingRatio: 0.35,
    multiTagRatio: 0.2,
    chainRatio: 0.15,
    ownLayerRatio: 0.9,
    ownLayerBytes: [300_000, 6_000_000],
    repos: ['webapp', 'api', 'worker', 'registry.example.com/team/docs'],
    containers: { created: 1, exited: 2, running: 1 },
  });
}

/**
 * Thousands of images for benchmarks: mostly sharing a few layers (few own layers, so loading stays at
 * the fast ~160/s rate), no containers unless asked for.
 */
export function generateLargePopulation(seed: number, n: number, overrides: Partial<PopulationOptions> = {}): Population {
  return generatePopulation({
    seed,
    images: n,
    ownLayerRatio: 0.002,
    chainRatio: 0.1,
    containers: { created: 0, exited: 0, running: 0 },
    ...overrides,
  });
}

function fixtureDrafts(): Draft[] {
  return FIXTURES.map((f) => ({ name: f.name, family: 0, depth: f.depth, ownLayer: false, parent: f.parent, tags: [...f.tags], hasConfig: true }));
}

/** Bulk images: parent chains first (the first three 2, 3 and 4 deep), then standalone images. */
function bulkDrafts(opts: Required<PopulationOptions>): Draft[] {
  const rng = new Rng(opts.seed, 'structure');
  const tagger = new Tagger(rng, opts.repos, opts.multiTagRatio);
  const total = opts.images - FIXTURES.length;
  const drafts: Draft[] = [];
  const name = () => `img-${String(drafts.length).padStart(4, '0')}`;
  const family = () => (rng.chance(opts.runnableRatio) ? 0 : rng.int(1, opts.layerFamilies));

  let chainBudget = Math.round(total * opts.chainRatio);
  for (let chainIndex = 0; chainBudget >= 2; chainIndex++) {
    const depth = Math.min(chainBudget, chainIndex < 3 ? chainIndex + 2 : rng.int(2, 4));
    chainBudget -= depth;
    const fam = family();
    const start = rng.int(1, 4 - depth + 1); // family layers used by the chain's root
    let parent: string | undefined;
    for (let k = 0; k < depth; k++) {
      const leaf = k === depth - 1;
      // Chain 0: untagged parents; chain 1: tagged parents; later chains: either.
      const tagged = leaf ? !rng.chance(opts.danglingRatio) : chainIndex === 0 ? false : chainIndex === 1 ? true : rng.chance(0.5);
      const d: Draft = { name: name(), family: fam, depth: start + k, ownLayer: false, parent, tags: tagged ? tagger.tags() : [], hasConfig: true };
      drafts.push(d);
      parent = d.name;
    }
  }
  let standalone = 0;
  while (drafts.length < total) {
    // The first standalone image always lacks a config (when the ratio allows any), so the shape is present.
    const hasConfig = standalone === 0 ? opts.noConfigRatio <= 0 : !rng.chance(opts.noConfigRatio);
    drafts.push({
      name: name(),
      family: family(),
      depth: rng.int(1, 4),
      ownLayer: rng.chance(opts.ownLayerRatio),
      tags: rng.chance(opts.danglingRatio) ? [] : tagger.tags(),
      hasConfig,
    });
    standalone++;
  }
  return drafts;
}

/** Hands out unique `repo:tag` refs; some images get 2–3, in the same repo or across repos. */
class Tagger {
  private readonly counters = new Map<string, number>();
  constructor(
    private readonly rng: Rng,
    private readonly repos: readonly string[],
    private readonly multiTagRatio: number,
  ) {}
  tags(): string[] {
    const first = this.rng.pick(this.repos);
    const out = [this.next(first)];
    if (this.rng.chance(this.multiTagRatio)) {
      const extra = this.rng.int(1, 2);
      for (let i = 0; i < extra; i++) out.push(this.next(this.rng.chance(0.5) ? first : this.rng.pick(this.repos)));
    }
    return out;
  }
  private next(repo: string): string {
    const n = (this.counters.get(repo) ?? 0) + 1;
    this.counters.set(repo, n);
    return `${repo}:${n === 1 ? 'latest' : `v${n}`}`;
  }
}

/**
 * Roots get a random age (up to maxAge, random nanoseconds); children come 1 min–30 days after their
 * parent (never after `now`). All instants are distinct, which also keeps every config (so id) distinct.
 */
function assignCreatedTimes(drafts: Draft[], rng: Rng, nowNs: bigint, maxAgeNs: bigint): void {
  const byName = new Map(drafts.map((d) => [d.name, d]));
  const used = new Set<bigint>();
  const sec = 1_000_000_000n;
  for (const d of drafts) {
    let t: bigint;
    const parent = d.parent ? byName.get(d.parent) : undefined;
    if (parent) {
      t = parent.createdNs! + BigInt(rng.int(60, 30 * 86_400)) * sec + BigInt(rng.int(0, 999_999_999));
      if (t > nowNs) t = parent.createdNs! + BigInt(rng.int(1, 999_999_999));
    } else {
      t = nowNs - BigInt(Math.floor(rng.float() * Number(maxAgeNs / sec))) * sec - BigInt(rng.int(0, 999_999_999));
    }
    while (used.has(t)) t += 1n;
    used.add(t);
    d.createdNs = t;
  }
}

function randomLabels(rng: Rng, opts: Required<PopulationOptions>): Record<string, string> {
  const labels: Record<string, string> = {};
  if (rng.chance(0.15)) return labels;
  for (const key of opts.labelKeys) if (rng.chance(0.6)) labels[key] = rng.pick(opts.labelValues);
  return labels;
}

/** Containers go over CONTAINER_IMAGE_ORDER first (shape coverage), then over the bulk runnable images. */
function assignContainers(images: GeneratedImage[], counts: ContainerCounts): ContainerSpec[] {
  const order = [...CONTAINER_IMAGE_ORDER, ...images.filter((i) => i.runnable && !i.name.startsWith('run-')).map((i) => i.name)];
  const specs: ContainerSpec[] = [];
  for (const state of ['running', 'exited', 'created'] as const) {
    for (let i = 0; i < counts[state]; i++) {
      // Every third container names its image by tag (the first: run-app, which has two tags), the others by id.
      const n = specs.length;
      specs.push({ name: `dp-${state}-${i}`, image: order[n % order.length]!, state, cmd: CMD[state], by: n % 3 === 0 ? 'name' : 'id' });
    }
  }
  return specs;
}

function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
  return map[process.arch] ?? process.arch;
}

function parseRfc3339Ns(s: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(s);
  if (!m) throw new Error(`bad time ${s}`);
  return BigInt(Date.parse(m[1] + 'Z')) * NS_PER_MS + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

// ---------------------------------------------------------------------------------------------------
// Loading into an engine

/**
 * `docker load`s the archive (POST /images/load), finds every image under the id its engine gives it, then
 * creates the containers (4 at a time), all with NetworkMode none.
 *
 * Image ids depend on the store: the graphdriver store (and Podman) name an image by its config digest, which the
 * generator computed; the containerd store names it by the manifest digest its importer wrote. There each image is
 * found by its config's created time, which the generator makes unique.
 */
export async function loadPopulation(socketPath: string, population: Population): Promise<LoadedPopulation> {
  const t0 = Date.now();
  const res = await apiRequest(socketPath, 'POST', '/images/load?quiet=1', {
    body: population.archive,
    contentType: 'application/x-tar',
    timeoutMs: 600_000,
  });
  const out = res.body.toString();
  const streamError = out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return (JSON.parse(line) as { error?: string }).error;
      } catch {
        return undefined;
      }
    })
    .find(Boolean);
  if (res.status !== 200 || streamError) {
    throw new Error(`image load failed: HTTP ${res.status}: ${streamError ?? out.slice(0, 2000)}`);
  }
  const imageIds = await findLoadedImages(socketPath, population);
  const imageNames = new Map([...imageIds].map(([name, id]) => [id, name]));
  const t1 = Date.now();

  const containers: LoadedContainer[] = new Array(population.containers.length);
  await inParallel(population.containers, 4, async (spec, index) => {
    const imageId = imageIds.get(spec.image)!;
    const image = imageByName(population, spec.image);
    // By name when asked and the image has one (the containerd store protects the very name a container names).
    const ref = spec.by === 'name' && image.tags.length > 0 ? image.tags[0]! : imageId;
    const created = await apiJson<{ Id: string }>(socketPath, 'POST', `/containers/create?name=${encodeURIComponent(spec.name)}`, {
      Image: ref,
      Cmd: spec.cmd,
      Labels: { 'dp.test': 'population' },
      HostConfig: { NetworkMode: 'none' },
    });
    if (spec.state !== 'created') {
      await apiJson(socketPath, 'POST', `/containers/${created.Id}/start`);
      if (spec.state === 'exited') await apiJson(socketPath, 'POST', `/containers/${created.Id}/wait`);
    }
    containers[index] = { ...spec, id: created.Id, imageId, ref };
  });

  return { population, imageIds, imageNames, containers, timings: { loadMs: t1 - t0, containersMs: Date.now() - t1 } };
}

/** Generated image name → the id the engine lists it under; throws when one did not arrive. */
async function findLoadedImages(socketPath: string, population: Population): Promise<Map<string, string>> {
  // The bench's load of 1,000 images on Podman 5 once waited over a minute for this list (0.9 s on another run).
  const listed = (await apiJson<Array<{ Id: string }>>(socketPath, 'GET', '/images/json?all=1', undefined, 600_000)).map((i) => i.Id);
  const present = new Set(listed);
  if (population.images.every((i) => present.has(i.id))) return new Map(population.images.map((i) => [i.name, i.id]));

  const byCreated = new Map(population.images.map((i) => [i.created, i]));
  const found = new Map<string, string>();
  await inParallel(listed, 8, async (id) => {
    const inspect = await apiJson<{ Created: string }>(socketPath, 'GET', `/images/${encodeURIComponent(id)}/json`);
    const img = byCreated.get(inspect.Created);
    if (img) found.set(img.name, id);
  });
  const missing = population.images.filter((i) => !found.has(i.name));
  if (missing.length) throw new Error(`after load, ${missing.length} images are missing, e.g. ${missing[0]!.name} (created ${missing[0]!.created})`);
  return new Map(population.images.map((i) => [i.name, found.get(i.name)!]));
}

// ---------------------------------------------------------------------------------------------------
// Images of exact sizes (for disk-level tests: watermarks)

export interface SizedImageSpec {
  /** Also the image's only tag's repository: `wm/<name, lowercase>:1`. */
  readonly name: string;
  readonly createdNs: bigint;
  /** Bottom first. A key used by several images is one shared layer; each layer is one file of `bytes` bytes. */
  readonly layers: ReadonlyArray<{ readonly key: string; readonly bytes: number }>;
  /** Its tags instead of `wm/<name>:1`; empty for a dangling image. */
  readonly tags?: readonly string[];
  /** The config's labels. */
  readonly labels?: Readonly<Record<string, string>>;
}

const SIZED_LAYER_TIME_NS = 1_600_000_000_000_000_000n;

/**
 * A `docker load` archive of tagged images whose layers have exactly the sizes asked for (incompressible
 * content, so a disk holds them at their size). Returns the archive and each image's id (graphdriver store: the
 * config digest).
 */
export function sizedImagesArchive(specs: readonly SizedImageSpec[]): { archive: Buffer; ids: Map<string, string> } {
  const layers = new Map<string, BuiltLayer>();
  const configs = new Map<string, Buffer>();
  const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const ids = new Map<string, string>();
  for (const spec of specs) {
    const chain = spec.layers.map(({ key, bytes }) => {
      let layer = layers.get(key);
      if (!layer) {
        // A fixed layer time: the same key gives the same layer (diff id) in every archive.
        layer = buildLayer(key, [{ path: `opt/dp/${key}.bin`, data: new Rng(bytes, key).bytes(bytes) }], SIZED_LAYER_TIME_NS);
        layers.set(key, layer);
      }
      return layer;
    });
    const config = {
      architecture: goArch(),
      os: 'linux',
      created: formatRfc3339Nano(spec.createdNs),
      config: { Env: ['PATH=/bin'], ...(spec.labels ? { Labels: spec.labels } : {}) },
      rootfs: { type: 'layers', diff_ids: chain.map((l) => l.diffId) },
      history: chain.map((l) => l.history),
    };
    const bytes = Buffer.from(JSON.stringify(config));
    const hex = sha256(bytes);
    configs.set(hex, bytes);
    ids.set(spec.name, `sha256:${hex}`);
    manifest.push({
      Config: `${hex}.json`,
      RepoTags: spec.tags ? (spec.tags.length ? [...spec.tags] : null) : [`wm/${spec.name.toLowerCase()}:1`],
      Layers: chain.map((l) => `${l.diffId.slice(7)}.tar`),
    });
  }
  const archive = tar([
    ...[...layers.values()].map((l) => ({ name: `${l.diffId.slice(7)}.tar`, data: l.tar, mtime: 0 })),
    ...[...configs].map(([hex, data]) => ({ name: `${hex}.json`, data, mtime: 0 })),
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)), mtime: 0 },
  ]);
  return { archive, ids };
}
