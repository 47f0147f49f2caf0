/**
 * An exclusive lock file that names its holder, for processes of one user on one machine (or sharing a folder).
 *
 * - Taking it: the holder's record is written to a private temp file, then hard-linked to the lock's name. The link
 *   either creates the name with the whole record in it or fails (EEXIST), so no reader ever sees half a record.
 * - Holding it: the holder keeps the file open and touches its mtime every `refreshMs`, so a holder nobody can check
 *   (another host, another pid namespace, a platform without process start times) shows it is still there.
 * - Stale: its holder is gone (no such pid, or the pid was reused: another start time or another user), or it cannot
 *   be checked and the file was not refreshed for `staleMs`.
 * - Taking over a stale lock, without a race: deleting it and linking a new one is not enough (two processes can both
 *   see it stale; the slower one would then delete the faster one's fresh lock). So the stale lock is first *claimed*:
 *   `<lock>.takeover-<its nonce>-<n>` is created exclusively (link again). Only the claimant may delete the lock, and
 *   only after re-reading it and finding the very same record (its random nonce) still there; then it competes for the
 *   lock like anyone else. A claimant that dies is passed over by the next claim number once it is seen gone.
 *   While the stale record is in place nobody else can change the lock's name (links fail, its holder is gone), so at
 *   most one process deletes it, and never a lock taken after it.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { currentProcess, processState, type ProcessIdentity } from './processIdentity';

export interface LockFileOptions {
  /** A lock whose holder cannot be checked is stale once it was not refreshed for this long. Default 60 s. */
  readonly staleMs?: number;
  /** How often a holder refreshes its lock's mtime. Default 10 s. */
  readonly refreshMs?: number;
}

/** What a lock file holds: who holds it (pid, host, start time) and anything the caller adds. */
export interface LockRecord extends ProcessIdentity {
  /** Random, unique to this taking of the lock. */
  readonly nonce: string;
  readonly [detail: string]: unknown;
}

/** A lock that was found in place. */
export interface LockHolder {
  readonly file: string;
  /** Undefined when the file could not be read as a record. */
  readonly record: LockRecord | undefined;
  /** Since its last refresh. */
  readonly ageMs: number;
  readonly stale: boolean;
  /** Why it is (or is not) stale, in words. */
  readonly why: string;
}

export interface HeldLockFile {
  readonly file: string;
  readonly record: LockRecord;
  /** The stale lock this one replaced, if any. */
  readonly tookOver?: LockHolder;
  /** True once the lock file is no longer ours (removed or taken over as stale by another host). */
  readonly lost: boolean;
  release(): void;
}

export type LockAttempt = { readonly acquired: true; readonly lock: HeldLockFile } | { readonly acquired: false; readonly holder: LockHolder };

const DEFAULT_STALE_MS = 60_000;
const DEFAULT_REFRESH_MS = 10_000;
/** Rounds of "link, else look at the holder" before giving up on a lock that keeps changing hands. */
const MAX_ROUNDS = 200;
const MAX_CLAIMS = 64;

/** Takes `file` with `details` in its record, or says who holds it. Throws only on file system errors. */
export function acquireLockFile(file: string, details: Record<string, unknown>, options: LockFileOptions = {}): LockAttempt {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const record: LockRecord = { ...details, ...currentProcess(), nonce: randomBytes(16).toString('hex') };
  const tmp = `${file}.${record.nonce}.tmp`;
  const fd = writeNew(tmp, record);
  let tookOver: LockHolder | undefined;
  let keepFd = false;
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (tryLink(tmp, file)) {
        keepFd = true;
        cleanUpAfterTaking(file);
        return { acquired: true, lock: heldLock(file, record, fd, tookOver, options.refreshMs ?? DEFAULT_REFRESH_MS) };
      }
      const current = readLock(file);
      if (!current) continue; // released in between: link again
      const holder = judge(file, current, staleMs);
      if (!holder.stale) return { acquired: false, holder };
      const claim = claimStale(file, current.identity, staleMs);
      if (claim === 'removed') tookOver = holder;
      // 'contended': another live process is taking it over right now; it will hold it in a moment.
      if (claim === 'contended') sleep(5 + Math.random() * 10);
    }
    const last = readLock(file);
    if (last) return { acquired: false, holder: judge(file, last, staleMs) };
    throw new Error(`the lock ${file} kept changing hands; try again`);
  } finally {
    fs.rmSync(tmp, { force: true });
    if (!keepFd) fs.closeSync(fd);
  }
}

/** Reads a lock file as a holder (for messages and tests); undefined when there is none. */
export function readLockHolder(file: string, options: LockFileOptions = {}): LockHolder | undefined {
  const current = readLock(file);
  return current && judge(file, current, options.staleMs ?? DEFAULT_STALE_MS);
}

interface LockOnDisk {
  readonly record: LockRecord | undefined;
  /** The record's nonce, or a digest of an unreadable file's bytes: names this exact taking of the lock. */
  readonly identity: string;
  readonly mtimeMs: number;
}

function readLock(file: string): LockOnDisk | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let raw: Buffer;
  let mtimeMs: number;
  try {
    // One open file for both: the bytes and the mtime are of the same taking of the lock.
    mtimeMs = fs.fstatSync(fd).mtimeMs;
    raw = fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  let record: LockRecord | undefined;
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as LockRecord;
    if (parsed && typeof parsed === 'object' && typeof parsed.nonce === 'string' && /^[0-9a-f]{32}$/.test(parsed.nonce) && typeof parsed.pid === 'number')
      record = parsed;
  } catch {
    /* not a record: judged by its age alone */
  }
  const identity = record?.nonce ?? 'x' + createHash('sha256').update(raw).digest('hex').slice(0, 32);
  return { record, identity, mtimeMs };
}

function judge(file: string, current: LockOnDisk, staleMs: number): LockHolder {
  const ageMs = Math.max(0, Date.now() - current.mtimeMs);
  const age = `${Math.round(ageMs / 1000)} s`;
  if (!current.record) {
    const stale = ageMs > staleMs;
    return { file, record: undefined, ageMs, stale, why: `the lock file holds no readable record and was last changed ${age} ago` };
  }
  const p = processState(current.record);
  if (p.state === 'alive') return { file, record: current.record, ageMs, stale: false, why: p.why };
  if (p.state === 'gone') return { file, record: current.record, ageMs, stale: true, why: p.why };
  const stale = ageMs > staleMs;
  return {
    file,
    record: current.record,
    ageMs,
    stale,
    why: `${p.why}; its lock was last refreshed ${age} ago${stale ? ` (more than ${Math.round(staleMs / 1000)} s: gone)` : ''}`,
  };
}

/**
 * Claims the stale lock whose identity is `identity` and deletes it if it is still that one. 'removed': this process
 * deleted it; 'gone': it was already replaced or removed; 'contended': another live process holds the claim.
 */
function claimStale(file: string, identity: string, staleMs: number): 'removed' | 'gone' | 'contended' {
  const claimRecord: LockRecord = { ...currentProcess(), nonce: randomBytes(16).toString('hex'), claims: identity };
  const tmp = `${file}.${claimRecord.nonce}.tmp`;
  fs.closeSync(writeNew(tmp, claimRecord));
  try {
    for (let n = 1; n <= MAX_CLAIMS; n++) {
      const claim = `${file}.takeover-${identity}-${n}`;
      if (!tryLink(tmp, claim)) {
        const other = readLock(claim);
        if (other && !judge(claim, other, staleMs).stale) return 'contended';
        continue; // its claimant is gone (or it was just cleaned up): the next number
      }
      try {
        // The claim is ours: re-read the lock *after* taking it. Whoever claimed this identity before us finished
        // (deleted the record) before letting go of its claim, so the record can only still be here if nobody did.
        const now = readLock(file);
        if (now?.identity !== identity) return 'gone';
        fs.rmSync(file, { force: true });
        return 'removed';
      } finally {
        fs.rmSync(claim, { force: true });
      }
    }
    return 'contended';
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** After taking the lock: claims on earlier records and temp files of processes killed mid-way are litter. */
function cleanUpAfterTaking(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file) + '.';
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const full = path.join(dir, name);
    try {
      if (name.startsWith(base + 'takeover-')) fs.rmSync(full, { force: true });
      else if (name.endsWith('.tmp') && now - fs.statSync(full).mtimeMs > 10 * 60_000) fs.rmSync(full, { force: true });
    } catch {
      /* someone else's clean-up got there first */
    }
  }
}

function heldLock(file: string, record: LockRecord, fd: number, tookOver: LockHolder | undefined, refreshMs: number): HeldLockFile {
  let released = false;
  let lost = false;
  const refresh = () => {
    try {
      if (fs.fstatSync(fd).nlink === 0) {
        lost = true;
        clearInterval(timer);
        return;
      }
      const now = new Date();
      fs.futimesSync(fd, now, now);
    } catch {
      /* try again next time */
    }
  };
  const timer = setInterval(refresh, refreshMs);
  timer.unref();
  return {
    file,
    record,
    tookOver,
    get lost() {
      if (!released && !lost) refresh();
      return lost;
    },
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        if (readLock(file)?.identity === record.nonce) fs.rmSync(file, { force: true });
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** Creates `file` (it must not exist) holding `record`, readable and writable by this user only; returns its fd. */
function writeNew(file: string, record: object): number {
  const fd = fs.openSync(file, 'wx+', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(record));
    return fd;
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw e;
  }
}

/** `link(from, to)`: true if `to` was created, false if it already existed. */
function tryLink(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
