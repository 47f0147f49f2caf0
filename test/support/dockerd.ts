/**
 * Private, throw-away Docker Engines for integration tests.
 *
 * Each engine is a `dockerd` (20.10, which starts its own containerd) with its own data root, exec root,
 * pidfile and unix socket in a fresh short temp dir, and no networking at all (no bridge, no iptables),
 * so tests never touch a system daemon and never send traffic anywhere. Several can run side by side:
 * the managed containerd's socket lives under each engine's exec root, so nothing collides.
 *
 * Measured on the project machine (2 cores shared with other jobs, load average 7–9; dockerd 20.10.24, data
 * root on tmpfs):
 *   - start (spawn → first `GET /_ping` OK): 0.14–0.3 s (up to 1 s under heavy load);
 *   - stop (kill running containers, SIGTERM, wait for "Daemon shutdown complete", unmount, rm): 0.2–0.4 s;
 *   - so a restart costs ~0.4–0.6 s, while resetEngine (force-remove containers, delete images leaves
 *     first) costs 0.2 s at 60 images, 0.33–0.49 s at 150, 0.47–0.61 s at 300, 1.1–1.25 s at 600,
 *     3.6 s at 1,000 and 20 s at 5,000. The crossover is ~200 images: freshEngine() resets below
 *     RESET_MAX_IMAGES and restarts above.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { engineBinary, type DebianSuite, type ImageStore } from './engines';
import { signalGroup, trackServer, untrackServer, within } from './processes';

export interface TestEngine {
  /** Absolute path of the engine's API socket. */
  socketPath: string;
  /** `unix://<socketPath>`, for DOCKER_HOST. */
  dockerHost: string;
  /** The engine's private temp dir (data root, exec root, log, socket all live under it). */
  dataDir: string;
  /** The dockerd pid (also its process group id). */
  pid: number;
  /** dockerd's combined stdout/stderr. */
  logPath: string;
  /** Which Debian suite's dockerd, and which image store. */
  suite: DebianSuite;
  store: ImageStore;
  /** Kills the engine and everything it started, unmounts and removes `dataDir`. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEngineOptions {
  /** Shows up in the temp dir name (`/tmp/dp-<name>-XXXXXX`); keep it short. */
  name?: string;
  /** How long to wait for `/_ping` to answer. */
  startTimeoutMs?: number;
  /**
   * Put the data root on a tmpfs (default true; env DP_ENGINE_TMPFS=0 turns it off). The engine fsyncs
   * every image config and tag write: on the shared disk that made 1,000-image loads take 4–13 s, on
   * tmpfs ~2.3 s. Engine semantics are the same; only the backing file system differs.
   */
  tmpfs?: boolean;
  /** The tmpfs's size (`mount -o size=`; default 8g): a small fixed size makes the disk's percentages real. */
  tmpfsSize?: string;
  /** Which Debian suite's dockerd (default the machine's own, bookworm's 20.10; see engines.ts). */
  suite?: DebianSuite;
  /** The image store (default graphdriver; `containerd` needs a newer engine than 20.10). */
  store?: ImageStore;
}

/**
 * Every test dockerd runs with these: no networking (no bridge, no NAT/iptables rules, no userland proxies,
 * so it sends nothing anywhere) and a short shutdown.
 */
export const DOCKERD_ISOLATION_ARGS: readonly string[] = [
  '--bridge=none',
  '--iptables=false',
  '--ip6tables=false',
  '--ip-masq=false',
  '--userland-proxy=false',
  '--shutdown-timeout=2',
];

/** Above this many images a restart beats a reset (see the figures at the top of this file). */
const RESET_MAX_IMAGES = 200;

// ---------------------------------------------------------------------------------------------------
// Minimal HTTP over the unix socket (no docker-modem needed for ping/kill/reset; keeps timeouts explicit).

export interface ApiResponse {
  status: number;
  body: Buffer;
}

/** One request to the engine API over its unix socket. Rejects on transport errors and timeouts only. */
export function apiRequest(
  socketPath: string,
  method: string,
  urlPath: string,
  opts: { body?: Buffer | string; contentType?: string; timeoutMs?: number } = {},
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { Host: 'docker' };
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(opts.body);
    }
    const req = http.request({ socketPath, method, path: urlPath, headers, timeout: opts.timeoutMs ?? 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A JSON API call that must answer 2xx (within `timeoutMs`, default a minute). */
export async function apiJson<T>(socketPath: string, method: string, urlPath: string, body?: unknown, timeoutMs?: number): Promise<T> {
  const res = await apiRequest(socketPath, method, urlPath, { ...(body === undefined ? {} : { body: JSON.stringify(body) }), timeoutMs });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`${method} ${urlPath}: HTTP ${res.status}: ${res.body.toString().trim()}`);
  }
  return (res.body.length ? JSON.parse(res.body.toString()) : undefined) as T;
}

/**
 * `GET /system/df`, waiting out Docker 20.10's `a disk usage operation is already running` (500), which it answers
 * while another client's disk usage runs — the extension under test may be asking at the same moment.
 */
export async function systemDf<T>(socketPath: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const res = await apiRequest(socketPath, 'GET', '/system/df');
    if (res.status === 500 && attempt < 20 && /disk usage operation is already running/.test(res.body.toString())) {
      await new Promise((r) => setTimeout(r, 100 * attempt));
      continue;
    }
    if (res.status !== 200) throw new Error(`GET /system/df: HTTP ${res.status}: ${res.body.toString().trim()}`);
    return JSON.parse(res.body.toString()) as T;
  }
}

/** True when the engine answers `GET /_ping` with OK. */
export async function ping(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await apiRequest(socketPath, 'GET', '/_ping', { timeoutMs });
    return res.status === 200;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Start / stop

/** Starts a private dockerd and resolves once its API answers; throws with the log tail otherwise. */
export async function startEngine(opts: StartEngineOptions = {}): Promise<TestEngine> {
  const suite = opts.suite ?? 'bookworm';
  const dockerd = engineBinary(suite).dockerd;
  if (!fs.existsSync(dockerd)) {
    throw new Error(`${dockerd} not found: run scripts/install-debian-packages.sh (as root) first`);
  }
  if (opts.store === 'containerd' && suite === 'bookworm') throw new Error('Docker 20.10 has no containerd image store');
  const tag = (opts.name ?? 'eng').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 12) || 'eng';
  // Short path on purpose: unix socket paths (ours and containerd's under exec/) must stay < 108 bytes.
  const dataDir = fs.mkdtempSync(`/tmp/dp-${tag}-`);
  const configFile = path.join(dataDir, 'daemon.json');
  // Our own config so a host /etc/docker/daemon.json cannot add hosts, registries or networks; newer engines
  // are told which image store to use rather than left to their version's default.
  // Docker 20.10 takes its engine ID from a key file, by default the machine's /etc/docker/key.json: every 20.10
  // test engine would be one engine to the prune lock (a prune on one refused while another, in a test running
  // beside it, held it — seen in CI). Each gets a key of its own, as separate hosts have; 23+ keep the ID in the
  // data root.
  const config =
    suite === 'bookworm' ? { 'deprecated-key-path': path.join(dataDir, 'key.json') } : { features: { 'containerd-snapshotter': opts.store === 'containerd' } };
  fs.writeFileSync(configFile, JSON.stringify(config) + '\n');
  if (opts.tmpfs ?? process.env.DP_ENGINE_TMPFS !== '0') {
    const root = path.join(dataDir, 'root');
    fs.mkdirSync(root);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${opts.tmpfsSize ?? '8g'},mode=0711`, 'dp-engine', root], { stdio: 'pipe' });
    } catch (err) {
      removeDir(dataDir);
      throw new Error(`cannot mount a tmpfs for the engine's data root (pass tmpfs: false): ${String(err)}`, { cause: err });
    }
  }

  return launchDaemon(dataDir, suite, opts.store ?? 'graphdriver', opts.startTimeoutMs);
}

/**
 * Runs dockerd on an engine folder (new, or one whose daemon was killed: its data root is kept, as after a crash)
 * and resolves once its API answers.
 */
async function launchDaemon(dataDir: string, suite: DebianSuite, store: ImageStore, startTimeoutMs = 30_000): Promise<TestEngine> {
  const binary = engineBinary(suite);
  const DOCKERD = binary.dockerd;
  const socketPath = path.join(dataDir, 'docker.sock');
  const logPath = path.join(dataDir, 'dockerd.log');
  const configFile = path.join(dataDir, 'daemon.json');
  const args = [
    `--config-file=${configFile}`,
    `--data-root=${path.join(dataDir, 'root')}`,
    `--exec-root=${path.join(dataDir, 'exec')}`,
    `--pidfile=${path.join(dataDir, 'dockerd.pid')}`,
    `--host=unix://${socketPath}`,
    ...DOCKERD_ISOLATION_ARGS,
  ];
  const logFd = fs.openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(DOCKERD, args, {
      detached: true, // own process group, so stop() can signal dockerd and its helpers together
      stdio: ['ignore', logFd, logFd],
      env: engineEnv(binary.path),
    });
  } finally {
    fs.closeSync(logFd);
  }
  child.unref(); // a forgotten engine must not keep the test process alive; the exit hook kills it
  const pid = child.pid;
  if (pid === undefined) {
    removeDir(dataDir);
    throw new Error(`could not spawn ${DOCKERD}`);
  }
  trackServer(pid, () => {
    killLeftovers(dataDir);
    waitGoneSync(pid, 2000);
    removeDir(dataDir);
  });

  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `dockerd exited early (code ${code}, signal ${signal})`;
  });

  let stopped = false;
  const engine: TestEngine = {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    dataDir,
    pid,
    logPath,
    suite,
    store,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopEngineProcess(pid, child, socketPath, dataDir, logPath);
    },
  };

  const deadline = Date.now() + startTimeoutMs;
  while (!(await ping(socketPath, 500))) {
    if (exited || Date.now() > deadline) {
      const tail = logTail(logPath);
      await engine.stop();
      throw new Error(`${exited ?? 'dockerd did not answer /_ping in time'}; log tail:\n${tail}`);
    }
    await sleep(50);
  }
  return engine;
}

/** dockerd's environment: no inherited DOCKER_* / proxy settings; its own containerd first on PATH. */
function engineEnv(binaryPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(DOCKER_|CONTAINERD_)|proxy$/i.test(k)) continue;
    env[k] = v;
  }
  const systemPath = process.env.PATH || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  env.PATH = binaryPath ? `${binaryPath}:${systemPath}` : systemPath;
  return env;
}

async function stopEngineProcess(pid: number, child: ChildProcess, socketPath: string, dataDir: string, logPath: string): Promise<void> {
  const exitedP = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // Running containers would each cost dockerd a 10 s stop timeout at shutdown (PID 1 ignores SIGTERM):
  // kill them first through the API.
  await killRunningContainers(socketPath).catch(() => undefined);
  signalGroup(pid, 'SIGTERM');
  // After "Daemon shutdown complete" dockerd only waits ~1 s for its containerd connection to time out:
  // nothing left worth waiting for, since the whole dir is thrown away.
  const shutDown = waitForLog(logPath, 'Daemon shutdown complete', exitedP);
  if (!(await within(Promise.race([exitedP, shutDown]), 10_000)) || !(await within(exitedP, 100))) {
    signalGroup(pid, 'SIGKILL');
    await within(exitedP, 5_000);
  }
  untrackServer(pid);
  killLeftovers(dataDir);
  removeDir(dataDir);
}

/**
 * A daemon crash: SIGKILL to dockerd and everything it started (its containerd, shims, containers), nothing shut
 * down cleanly, the data root kept. `restartEngine` then starts a new daemon on it.
 */
export async function crashEngine(engine: TestEngine): Promise<void> {
  signalGroup(engine.pid, 'SIGKILL');
  killLeftovers(engine.dataDir);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && isAlive(engine.pid)) await sleep(20);
  untrackServer(engine.pid);
}

/** A new dockerd on a crashed engine's folder (same data root, same socket path). */
export function restartEngine(engine: TestEngine): Promise<TestEngine> {
  fs.rmSync(engine.socketPath, { force: true });
  fs.rmSync(path.join(engine.dataDir, 'dockerd.pid'), { force: true });
  // The killed containerd can linger as a zombie (its parent died, and init here reaps late): its pid file would
  // make the new dockerd wait on it instead of starting its own.
  fs.rmSync(path.join(engine.dataDir, 'exec', 'containerd', 'containerd.pid'), { force: true });
  return launchDaemon(engine.dataDir, engine.suite, engine.store);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killRunningContainers(socketPath: string): Promise<void> {
  const running = await apiJson<Array<{ Id: string }>>(socketPath, 'GET', '/containers/json');
  await Promise.all(running.map((c) => apiRequest(socketPath, 'POST', `/containers/${c.Id}/kill`, { timeoutMs: 5000 }).catch(() => undefined)));
}

/**
 * Kills what can outlive dockerd: its containerd (own session), container shims (they re-parent to init)
 * and container processes. All are found through paths inside this engine's own temp dir, so nothing
 * that another engine or the host runs is touched.
 */
export function killLeftovers(dataDir: string): void {
  const pids = new Set<number>();
  const taskDir = path.join(dataDir, 'exec', 'containerd', 'daemon', 'io.containerd.runtime.v2.task');
  for (const ns of safeReaddir(taskDir)) {
    for (const id of safeReaddir(path.join(taskDir, ns))) {
      const p = readPid(path.join(taskDir, ns, id, 'init.pid'));
      if (p) pids.add(p);
    }
  }
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(dataDir + '/')) pids.add(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  pids.delete(process.pid);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Unmounts whatever is still mounted under `dir` (deepest first, lazily if busy), then removes it. */
export function removeDir(dir: string): void {
  for (const mountPoint of mountsUnder(dir)) {
    try {
      execFileSync('umount', [mountPoint], { stdio: 'ignore' });
    } catch {
      try {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      } catch {
        /* not mounted any more */
      }
    }
  }
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort: a leftover /tmp/dp-* dir is harmless */
  }
}

function mountsUnder(dir: string): string[] {
  let info: string;
  try {
    info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

// ---------------------------------------------------------------------------------------------------
// Synchronous wait, for the exit safety net (processes.ts)

function waitGoneSync(pid: number, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

// ---------------------------------------------------------------------------------------------------
// Reuse between test cases

/** Force-removes every container and every image (with its layers), leaving an empty engine. */
export async function resetEngine(socketPath: string): Promise<void> {
  const containers = await apiJson<Array<{ Id: string }>>(socketPath, 'GET', '/containers/json?all=1');
  await inParallel(containers, 4, async (c) => {
    const res = await apiRequest(socketPath, 'DELETE', `/containers/${c.Id}?force=1&v=1`);
    if (res.status >= 300 && res.status !== 404) {
      throw new Error(`remove container ${c.Id}: HTTP ${res.status}: ${res.body.toString().trim()}`);
    }
  });
  // Children first: an image with dependent children cannot be removed, even with force.
  let images = await listAllImages(socketPath);
  while (images.length > 0) {
    const parents = new Set(images.map((i) => i.ParentId).filter(Boolean));
    const leaves = images.filter((i) => !parents.has(i.Id));
    // One at a time: the notes measured concurrent deletes as no faster on this engine.
    for (const img of leaves) {
      const res = await apiRequest(socketPath, 'DELETE', `/images/${img.Id}?force=1`);
      if (res.status >= 300 && res.status !== 404) {
        throw new Error(`remove image ${img.Id}: HTTP ${res.status}: ${res.body.toString().trim()}`);
      }
    }
    const next = await listAllImages(socketPath);
    if (next.length >= images.length) {
      throw new Error(`resetEngine: ${next.length} images could not be removed`);
    }
    images = next;
  }
}

async function listAllImages(socketPath: string): Promise<Array<{ Id: string; ParentId: string }>> {
  return apiJson(socketPath, 'GET', '/images/json?all=1');
}

/**
 * An empty engine, as cheaply as possible: resets `current` when it holds few images (faster), otherwise
 * (or if the reset fails) stops it and starts a new one. With no `current`, just starts one. Always use
 * the returned engine: after a restart its socket path differs.
 */
export async function freshEngine(current?: TestEngine, opts: StartEngineOptions = {}): Promise<TestEngine> {
  if (current && (await ping(current.socketPath))) {
    try {
      if ((await listAllImages(current.socketPath)).length <= RESET_MAX_IMAGES) {
        await resetEngine(current.socketPath);
        return current;
      }
    } catch {
      /* fall through to a restart */
    }
  }
  await current?.stop();
  return startEngine(opts);
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** Runs `fn` over `items` with at most `limit` calls in flight; rejects with the first error. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once `needle` appears in the log (polled), or never if `until` settles first. */
async function waitForLog(logPath: string, needle: string, until: Promise<unknown>): Promise<void> {
  let done = false;
  void until.then(() => (done = true));
  while (!done) {
    if (logTail(logPath, 20).includes(needle)) return;
    await sleep(25);
  }
  return new Promise(() => undefined);
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of the log (reads only its last 16 KB: the log can grow large). */
function logTail(logPath: string, lines = 30): string {
  try {
    const fd = fs.openSync(logPath, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 16_384);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '(no log)';
  }
}
