/**
 * Private, throw-away Podman services for integration tests: `podman system service --time=0 unix://SOCK`
 * with its own graph root, run root, tmp dir, containers.conf and storage.conf in a fresh temp dir, so the
 * system's podman storage is never touched. Containers get no network namespace (netns none) and the
 * service sends nothing anywhere: it only answers on its unix socket.
 *
 * Measured here (podman 4.3.1, 2 shared cores): start → first `GET /_ping` OK ~0.6–1.5 s; stop ~0.3 s.
 *
 * Quirks handled here:
 * - rootful podman asks runc for RLIMIT_NOFILE/NPROC values above what this machine's process may raise
 *   ("error setting rlimit type 6/7: operation not permitted"): containers.conf pins lower default ulimits.
 * - conmon (one per container) re-parents to init and outlives the service: stop() kills every process
 *   whose command line names this service's temp dir, then unmounts what is still mounted under it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { killLeftovers, ping, removeDir } from './dockerd';
import { signalGroup, trackServer, untrackServer, within } from './processes';

export interface TestPodman {
  socketPath: string;
  /** `unix://<socketPath>` */
  dockerHost: string;
  dataDir: string;
  pid: number;
  logPath: string;
  stop(): Promise<void>;
}

const PODMAN = '/usr/bin/podman';

export function podmanAvailable(): boolean {
  return fs.existsSync(PODMAN);
}

export async function startPodman(opts: { name?: string; startTimeoutMs?: number; socketPath?: string } = {}): Promise<TestPodman> {
  if (!podmanAvailable()) throw new Error(`${PODMAN} not found: run scripts/install-debian-packages.sh (as root) first`);
  const tag = (opts.name ?? 'pm').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 12) || 'pm';
  const dataDir = fs.mkdtempSync(`/tmp/dp-${tag}-`);
  const socketPath = opts.socketPath ?? path.join(dataDir, 'podman.sock');
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  const logPath = path.join(dataDir, 'podman.log');
  for (const d of ['root', 'run', 'tmp', 'home']) fs.mkdirSync(path.join(dataDir, d));
  fs.writeFileSync(
    path.join(dataDir, 'containers.conf'),
    [
      '[containers]',
      'netns = "none"',
      'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${path.join(dataDir, 'events.log')}"`,
      'runtime = "runc"',
      '[network]',
      `network_config_dir = "${path.join(dataDir, 'net')}"`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dataDir, 'storage.conf'),
    ['[storage]', 'driver = "overlay"', `runroot = "${path.join(dataDir, 'run')}"`, `graphroot = "${path.join(dataDir, 'root')}"`, ''].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DOCKER_|CONTAINER|REGISTRY_AUTH)|proxy$/i.test(k)) env[k] = v;
  env.CONTAINERS_CONF = path.join(dataDir, 'containers.conf');
  env.CONTAINERS_STORAGE_CONF = path.join(dataDir, 'storage.conf');
  env.CONTAINERS_REGISTRIES_CONF = path.join(dataDir, 'registries.conf');
  fs.writeFileSync(env.CONTAINERS_REGISTRIES_CONF, 'unqualified-search-registries = []\n');
  env.TMPDIR = path.join(dataDir, 'tmp');
  env.XDG_CONFIG_HOME = path.join(dataDir, 'home');

  const args = [
    '--root',
    path.join(dataDir, 'root'),
    '--runroot',
    path.join(dataDir, 'run'),
    '--tmpdir',
    path.join(dataDir, 'tmp'),
    'system',
    'service',
    '--time=0',
    `unix://${socketPath}`,
  ];
  const logFd = fs.openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(PODMAN, args, { detached: true, stdio: ['ignore', logFd, logFd], env, cwd: dataDir });
  } finally {
    fs.closeSync(logFd);
  }
  child.unref();
  const pid = child.pid!;
  trackServer(pid, () => cleanup(dataDir));
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `podman exited early (code ${code}, signal ${signal})`));
  let stopped = false;
  const pm: TestPodman = {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    dataDir,
    pid,
    logPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      const gone = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
      signalGroup(pid, 'SIGTERM');
      if (!(await within(gone, 5000))) {
        signalGroup(pid, 'SIGKILL');
        await within(gone, 3000);
      }
      untrackServer(pid);
      cleanup(dataDir);
      if (opts.socketPath) fs.rmSync(opts.socketPath, { force: true });
    },
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (!(await ping(socketPath, 500))) {
    if (exited || Date.now() > deadline) {
      let tail = '';
      try {
        tail = fs.readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n');
      } catch {
        /* no log */
      }
      await pm.stop();
      throw new Error(`${exited ?? 'podman did not answer /_ping in time'}; log tail:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return pm;
}

/** Kills conmon and container processes that name `dataDir`, unmounts everything under it, removes it. */
function cleanup(dataDir: string): void {
  killLeftovers(dataDir);
  // container processes (children of conmon) do not name the dir; conmon's death leaves them to init: kill them by their pid files
  for (const pidFile of findFiles(path.join(dataDir, 'run'), (n) => n === 'pidfile' || n === 'conmon.pid')) {
    try {
      const p = Number(fs.readFileSync(pidFile, 'utf8').trim());
      if (Number.isInteger(p) && p > 1) process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  removeDir(dataDir);
}

function findFiles(dir: string, match: (name: string) => boolean, depth = 6): string[] {
  if (depth < 0) return [];
  const out: string[] = [];
  for (const e of safeReaddirents(dir)) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, match, depth - 1));
    else if (match(e.name)) out.push(p);
  }
  return out;
}

function safeReaddirents(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
