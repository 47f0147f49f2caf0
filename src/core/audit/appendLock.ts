/**
 * The lock that makes one append to the audit file — look at its last byte, write the line, fsync — a critical
 * section across processes (a cron-run CLI, every VS Code window): `<audit file>.lock`, next to the file.
 *
 * - It appears atomically with its owner in it: written to a private temp file, then hard-linked into place
 *   (`link` fails when the lock exists, on local disks and NFS alike).
 * - A lock whose owner is gone is broken: same host and the pid is not alive, or older than STALE_MS (an append
 *   holds it for milliseconds). Breaking renames it aside, which only one of several breakers can do, and puts it
 *   back when what was renamed turns out to be a fresh lock taken meanwhile.
 * - It is advisory and best-effort: when the lock itself cannot be created for any reason but contention (a
 *   read-only or full folder), the append goes ahead without it — a record is worth more than the lock — and
 *   fails or not on its own.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';

/** A lock older than this is broken whoever holds it. */
const STALE_MS = 30_000;
/**
 * How long `acquire` waits for a live holder (async appends). The lock is not fair: with twenty processes appending
 * on a loaded machine one of them waited over 10 s; a live holder past STALE_MS is broken anyway.
 */
const WAIT_MS = 60_000;
/** How long `acquireSync` waits (the synchronous appends of a process about to exit). */
const WAIT_SYNC_MS = 2_000;

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly since: string;
}

export type Release = () => void;

/** Locks this process holds, by lock path (appends from one process are also serialized by AuditLog). */
const heldHere = new Map<string, number>();

class AppendLockTimeout extends Error {
  constructor(
    readonly lockPath: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(`the audit file is locked by ${owner ? `process ${owner.pid} on ${owner.host} since ${owner.since}` : 'another process'} (${lockPath})`);
    this.name = 'AppendLockTimeout';
  }
}

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

/** Waits (up to WAIT_MS) for the lock; throws AppendLockTimeout when a live holder keeps it. */
export async function acquireAppendLock(file: string, waitMs = WAIT_MS): Promise<Release> {
  const lockPath = lockPathFor(file);
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const got = tryLock(lockPath);
    if (got) return got;
    if (Date.now() > deadline) throw new AppendLockTimeout(lockPath, readOwner(lockPath));
    await new Promise((r) => setTimeout(r, backoff(attempt)));
  }
}

/**
 * The same, without giving up the thread (for records written on the way out: a second Ctrl-C, a closing window).
 * When this process already holds the lock (an async append is part-way), it does not wait for itself — that
 * append cannot finish while this thread is blocked — and goes ahead: each record is still one write on an
 * O_APPEND descriptor, and that async append already looked at the last byte before taking its turn.
 */
export function acquireAppendLockSync(file: string, waitMs = WAIT_SYNC_MS): Release {
  const lockPath = lockPathFor(file);
  if ((heldHere.get(lockPath) ?? 0) > 0) return () => undefined;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const got = tryLock(lockPath);
    if (got) return got;
    if (Date.now() > deadline) throw new AppendLockTimeout(lockPath, readOwner(lockPath));
    sleepSync(backoff(attempt));
  }
}

/** The lock, or undefined when someone alive holds it. */
function tryLock(lockPath: string): Release | undefined {
  // Looking first is much cheaper than making a temp file on each try while many processes wait.
  if (fs.existsSync(lockPath)) {
    breakIfStale(lockPath);
    return undefined;
  }
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  const temp = `${lockPath}.${owner.token}`;
  try {
    fs.writeFileSync(temp, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
    fs.linkSync(temp, lockPath);
  } catch (e) {
    if (code(e) === 'EEXIST') {
      breakIfStale(lockPath);
      return undefined;
    }
    // No lock can be made here (read-only folder, full disk, no hard links): append without it.
    return () => undefined;
  } finally {
    rmQuietly(temp);
  }
  heldHere.set(lockPath, (heldHere.get(lockPath) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.set(lockPath, (heldHere.get(lockPath) ?? 1) - 1);
    // Only our own lock: if it was broken as stale and someone else holds the path now, theirs stays.
    if (readOwner(lockPath)?.token === owner.token) rmQuietly(lockPath);
  };
}

function breakIfStale(lockPath: string): void {
  let age: number;
  try {
    age = Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return; // gone already: the next attempt takes it
  }
  const owner = readOwner(lockPath);
  const dead = owner !== undefined && owner.host === os.hostname() && !isAlive(owner.pid);
  // An unreadable owner on a young lock is one being put in place right now; leave it.
  if (!dead && age < STALE_MS) return;
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return; // another breaker (or the owner's release) was first
  }
  const moved = readOwner(aside);
  if (owner && moved && moved.token !== owner.token) {
    // Between our look and the rename, the stale lock was replaced by a live one: put that back.
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // someone took the path in between; nothing more can be done without a real lock primitive
    }
  }
  rmQuietly(aside);
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string' ? (v as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === 'EPERM';
  }
}

function backoff(attempt: number): number {
  return Math.min(2 + attempt * 3, 50) + Math.floor(Math.random() * 5);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function rmQuietly(p: string): void {
  try {
    fs.unlinkSync(p);
  } catch {
    // already gone
  }
}

function code(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}
