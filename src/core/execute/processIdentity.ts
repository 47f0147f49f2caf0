/**
 * Who a process is, in a form another process can check later: its pid, and on Linux when it started (boot id and
 * start time from /proc/<pid>/stat) and which pid namespace it lives in. A pid alone is not enough: once its
 * process is gone the kernel hands the number to another one, and a lock naming it would look held for ever.
 */
import * as fs from 'fs';
import * as os from 'os';

export interface ProcessIdentity {
  readonly pid: number;
  readonly host: string;
  /** `<boot id>/<start time in clock ticks>` on Linux; absent where /proc is not available. */
  readonly processStart?: string;
  /** `pid:[4026531836]` on Linux: pids are only comparable inside one pid namespace. */
  readonly pidNamespace?: string;
}

/** This process. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: os.hostname(), processStart: processStart(process.pid), pidNamespace: ownPidNamespace() };
}

/**
 * When the process `pid` started, as `<boot id>/<start ticks>`, or undefined when it cannot be told (no /proc,
 * no such process). Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses,
 * so fields are counted from the last `)`.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    if (!ticks || !/^\d+$/.test(ticks)) return undefined;
    return `${bootId() ?? 'boot'}/${ticks}`;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | null | undefined;
function bootId(): string | undefined {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId ?? undefined;
}

function ownPidNamespace(): string | undefined {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/**
 * Whether the process a record names still runs, as far as this machine can tell:
 * - `alive`: it runs (same pid and, where recorded, the same start time);
 * - `gone`: no such pid, or the pid now belongs to a process that started at another time (reused), or to another
 *   user (locks are private to their user, so that is a reused pid too);
 * - `unknown`: the record comes from another host or pid namespace, or this platform cannot tell a reused pid
 *   (no start time): the caller decides from how fresh the lock is.
 * `why` says it in words, for messages.
 */
export function processState(holder: ProcessIdentity): { state: 'alive' | 'gone' | 'unknown'; why: string } {
  const me = currentProcess();
  if (holder.host !== me.host) return { state: 'unknown', why: `process ${holder.pid} runs on another host (${holder.host})` };
  if (holder.pidNamespace && me.pidNamespace && holder.pidNamespace !== me.pidNamespace) {
    return { state: 'unknown', why: `process ${holder.pid} runs in another pid namespace (${holder.pidNamespace}, a container?)` };
  }
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return { state: 'gone', why: `the lock names no valid process (${holder.pid})` };
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return { state: 'gone', why: `process ${holder.pid} no longer exists` };
    if (code === 'EPERM') return { state: 'gone', why: `pid ${holder.pid} now belongs to another user's process (the pid was reused)` };
    return { state: 'unknown', why: `process ${holder.pid} cannot be checked (${code})` };
  }
  if (!holder.processStart) return { state: 'unknown', why: `process ${holder.pid} exists, but the lock does not say when it started` };
  const now = processStart(holder.pid);
  if (now === undefined) return { state: 'unknown', why: `process ${holder.pid} exists, but its start time cannot be read` };
  if (now !== holder.processStart)
    return { state: 'gone', why: `pid ${holder.pid} now belongs to another process (started ${now}, the holder ${holder.processStart}): the pid was reused` };
  return { state: 'alive', why: `process ${holder.pid} is running` };
}
