/**
 * What every test server (dockerd, a TLS dockerd, sshd, Podman) needs from its process: signals to its whole
 * process group, bounded waits, and one safety net that kills and cleans up whatever is still running when
 * the test process exits or is interrupted.
 */

/** Sends `signal` to the process group led by `pid`; a group already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Resolves true if `p` settles within `ms`, false otherwise. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Servers started by this process and not yet stopped, with their synchronous clean-up. */
const live = new Map<number, () => void>();
let hookInstalled = false;

/**
 * Registers a server (its process-group leader `pid`) for the exit safety net: on process exit or a fatal
 * signal every registered group gets SIGKILL, then each `cleanupSync` runs (kill leftovers, unmount, remove).
 */
export function trackServer(pid: number, cleanupSync: () => void): void {
  live.set(pid, cleanupSync);
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllSync();
      // If nobody else handles the signal, keep its default meaning: die by it.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/** The server was stopped normally: the safety net forgets it. */
export function untrackServer(pid: number): void {
  live.delete(pid);
}

function killAllSync(): void {
  for (const pid of live.keys()) signalGroup(pid, 'SIGKILL');
  for (const cleanupSync of live.values()) cleanupSync();
  live.clear();
}
