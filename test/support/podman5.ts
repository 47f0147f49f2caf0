/**
 * Private, throw-away Podman 5 services for integration tests.
 *
 * Podman 5 needs glibc 2.38, so it runs in the Debian 13 root that scripts/install-podman5.sh builds (once,
 * cached) with debootstrap. Each service gets its own mount AND pid namespace (util-linux `unshare --mount
 * --pid --fork --kill-child`), in which a small `sh` (pid 1 there) prepares the root and runs
 *
 *     chroot ROOT podman system service --time=0 unix:///sock/podman.sock
 *
 * Inside the namespace: ROOT is bind-mounted onto itself (else every image load fails with "remount /,
 * flags: 0x44000: invalid argument"), fresh proc, sysfs and a pure cgroup2 mount (crun refuses this machine's
 * hybrid cgroup v1 layout: "cgroups in hybrid mode not supported"), the host's /dev, tmpfs on /run, /tmp and
 * /var/tmp, this service's own folder `dataDir/sock` on ROOT/sock (socket, containers.conf, storage.conf,
 * events log) and its own storage on ROOT/var/lib/containers: a tmpfs (default; the storage then lives only
 * in the namespace, see `storagePath`) or `dataDir/lib`. So several services share one ROOT without seeing
 * each other's images, and none of their mounts is ever visible on the host.
 *
 * Stopping: SIGTERM to the process group (the trap in pid 1 passes it to podman); when pid 1 exits the kernel
 * kills everything left in the pid namespace (conmon, containers), and the mount namespace goes with its
 * last process, so nothing is left to unmount. A crash of the test process (processes.ts safety net) SIGKILLs
 * the group; `--kill-child` then SIGKILLs pid 1 and the same happens.
 *
 * Containers: no network (netns none), no cgroups (cgroups = "disabled"), the rlimit lesson of podman.ts
 * (rootful podman asks for RLIMIT_NOFILE/NPROC this machine's processes may not raise).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { apiJson, ping, removeDir } from './dockerd';
import { signalGroup, trackServer, untrackServer, within } from './processes';

export interface TestPodman5 {
  socketPath: string;
  /** `unix://<socketPath>` */
  dockerHost: string;
  dataDir: string;
  /** Process group leader (the `unshare` process in the host's pid namespace). */
  pid: number;
  logPath: string;
  /** `Podman Engine` version from GET /version, e.g. `5.4.2`. */
  version: string;
  /** The graph root as this process can read it (`/proc/<pid1>/root/ROOT/var/lib/containers/storage`: pid 1 is not chrooted), for `du`. */
  storagePath: string;
  /** The pid namespace of the service (`pid:[…]`): every process in it belongs to this service. */
  pidNamespace: string;
  stop(): Promise<void>;
}

export interface StartPodman5Options {
  name?: string;
  startTimeoutMs?: number;
  /** Storage driver; default overlay (vfs works too, and is slower). */
  driver?: 'overlay' | 'vfs';
  /** Graph root and run root on a tmpfs inside the namespace (default true), or in `dataDir/lib` on disk. */
  tmpfs?: boolean;
}

export function podman5Root(): string {
  const cache = process.env.DOCKER_PRUNE_CACHE || path.join(os.homedir(), '.cache', 'docker-prune');
  return path.join(cache, 'engines', 'podman5-root');
}

export function podman5Available(): boolean {
  const root = podman5Root();
  return fs.existsSync(path.join(root, '.docker-prune-podman5')) && fs.existsSync(path.join(root, 'usr', 'bin', 'podman'));
}

/** Runs as pid 1 of the new pid namespace, in the new mount namespace: $1 = ROOT, $2 = dataDir, $3 = tmpfs|disk. */
const LAUNCH = `
set -e
R=$1; D=$2
mkdir -p "$R/sock" "$R/var/lib/containers"
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=755 tmpfs "$R/run"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
mount -t tmpfs -o mode=1777 tmpfs "$R/var/tmp"
mount --bind "$D/sock" "$R/sock"
if [ "$3" = tmpfs ]; then mount -t tmpfs -o mode=700 tmpfs "$R/var/lib/containers"; else mount --bind "$D/lib" "$R/var/lib/containers"; fi
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/var/tmp \\
  CONTAINERS_CONF=/sock/containers.conf CONTAINERS_STORAGE_CONF=/sock/storage.conf CONTAINERS_REGISTRIES_CONF=/sock/registries.conf \\
  chroot "$R" /usr/bin/podman system service --time=0 unix:///sock/podman.sock &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM INT
wait $child || true
wait $child 2>/dev/null || true
`;

export async function startPodman5(opts: StartPodman5Options = {}): Promise<TestPodman5> {
  if (!podman5Available()) throw new Error(`no Podman 5 root at ${podman5Root()}: run scripts/install-podman5.sh (as root) first`);
  const root = podman5Root();
  const tag = (opts.name ?? 'pm5').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 12) || 'pm5';
  const dataDir = fs.mkdtempSync(`/tmp/dp-${tag}-`);
  const sockDir = path.join(dataDir, 'sock');
  const socketPath = path.join(sockDir, 'podman.sock');
  const logPath = path.join(dataDir, 'podman.log');
  const tmpfs = opts.tmpfs ?? true;
  fs.mkdirSync(sockDir);
  if (!tmpfs) fs.mkdirSync(path.join(dataDir, 'lib'));
  fs.writeFileSync(
    path.join(sockDir, 'containers.conf'),
    [
      '[containers]',
      'netns = "none"',
      'cgroups = "disabled"',
      'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
      'pids_limit = 0',
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      'events_logfile_path = "/sock/events.log"',
      'runtime = "crun"',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(sockDir, 'storage.conf'),
    ['[storage]', `driver = "${opts.driver ?? 'overlay'}"`, 'runroot = "/run/containers/storage"', 'graphroot = "/var/lib/containers/storage"', ''].join('\n'),
  );
  fs.writeFileSync(path.join(sockDir, 'registries.conf'), 'unqualified-search-registries = []\n');

  const logFd = fs.openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      'unshare',
      ['--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', 'sh', '-c', LAUNCH, 'podman5', root, dataDir, tmpfs ? 'tmpfs' : 'disk'],
      { detached: true, stdio: ['ignore', logFd, logFd], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, cwd: dataDir },
    );
  } finally {
    fs.closeSync(logFd);
  }
  child.unref();
  const pid = child.pid!;
  let pidNamespace = '';
  trackServer(pid, () => cleanupSync(pid, pidNamespace, dataDir));
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `podman 5 exited early (code ${code}, signal ${signal})`));
  let stopped = false;
  const pm: TestPodman5 = {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    dataDir,
    pid,
    logPath,
    version: '',
    storagePath: '',
    pidNamespace: '',
    async stop() {
      if (stopped) return;
      stopped = true;
      const gone = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
      signalGroup(pid, 'SIGTERM');
      if (!(await within(gone, 8000))) {
        signalGroup(pid, 'SIGKILL');
        await within(gone, 3000);
      }
      await waitNamespaceEmpty(pidNamespace, 5000);
      untrackServer(pid);
      removeDir(dataDir);
    },
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (!(await ping(socketPath, 500))) {
    if (exited || Date.now() > deadline) {
      let tail = '';
      try {
        tail = fs.readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n');
      } catch {
        /* no log */
      }
      await pm.stop();
      throw new Error(`${exited ?? 'podman 5 did not answer /_ping in time'}; log tail:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const init = namespaceInit(pid);
  if (init) {
    pidNamespace = pm.pidNamespace = fs.readlinkSync(`/proc/${init}/ns/pid`);
    pm.storagePath = `/proc/${init}/root${root}/var/lib/containers/storage`;
  }
  const v = await apiJson<{ Components?: Array<{ Name: string; Version: string }>; Version?: string }>(socketPath, 'GET', '/version');
  pm.version = v.Components?.find((c) => c.Name === 'Podman Engine')?.Version ?? v.Version ?? '';
  return pm;
}

/** The forked child of `unshare` (pid 1 of the new pid namespace), seen from here. */
function namespaceInit(unsharePid: number): number | undefined {
  try {
    const children = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Pids of every process whose pid namespace is `ns`. */
export function processesInNamespace(ns: string): number[] {
  if (!ns) return [];
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/pid`) === ns) out.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

async function waitNamespaceEmpty(ns: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processesInNamespace(ns).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of processesInNamespace(ns)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Exit safety net: the group was SIGKILLed (so pid 1 of the namespace too); wait for the namespace to empty, remove the folder. */
function cleanupSync(pid: number, ns: string, dataDir: string): void {
  const deadline = Date.now() + 5000;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while ((alive() || processesInNamespace(ns).length > 0) && Date.now() < deadline) {
    for (const p of processesInNamespace(ns)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  removeDir(dataDir);
}
