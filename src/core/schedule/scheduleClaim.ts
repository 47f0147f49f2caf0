/**
 * One auto-prune schedule per engine, however many VS Code windows (or code-server instances) have it on: before a
 * scheduled run on an engine, a window claims it in a small file in the user's state folder
 * (`~/.local/state/docker-prune/auto-prune/<engine>.json`: when, and which window). A window that finds the engine
 * claimed by another within the interval, or while the other's run is still under way (its process alive), skips it.
 * The claim is read and written under a short lock file, so two windows whose timers fire together cannot both win.
 * A window that closes leaves its claim; an interval later another window takes over. (The engine's prune lock still keeps a manual prune and a scheduled one apart.)
 * The file goes through state/stateFile.ts (`format` 1; files from before it carried one are format 1 too): a
 * corrupt claim is set aside and claimed afresh (`problem` says so); a claim from a newer Docker Prune or another
 * user's is neither trusted nor written over: claiming throws, saying so, and the run does not happen.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stateDirectory } from '../state/userFolders';
import { acquireLockFile, type LockHolder } from '../execute/lockFile';
import { currentProcess, processState, type ProcessIdentity } from '../execute/processIdentity';
import { mayWrite, readProblem, readStateFile, stateWriteError, writeStateFile, type StateFileSpec, type StateRead } from '../state/stateFile';

export interface ScheduleClaim {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** The window (or process) that ran it. */
  readonly by: string;
  readonly pid: number;
  /** Set from the claim until `finishScheduledRun`: another window waits for it, however long the run takes. */
  readonly running?: boolean;
  readonly process?: ProcessIdentity;
}

/** A run whose process cannot be checked (another host sharing the folder) is taken as over after this long. */
const UNCHECKABLE_RUN_MS = 3_600_000;

/** `problem`: the claim file was damaged and set aside (say so in the log). */
export type ClaimResult = { readonly claimed: true; readonly problem?: string } | { readonly claimed: false; readonly holder: ScheduleClaim };

export interface ClaimRequest {
  /** The engine's identity (as the prune lock keys it). */
  readonly engineKey: string;
  /** Who asks: stable for the life of one window. */
  readonly owner: string;
  readonly intervalMs: number;
  /** Default: `auto-prune/` in the user's state folder. */
  readonly dir?: string;
  readonly now?: number;
}

function scheduleClaimDirectory(): string {
  return path.join(stateDirectory(), 'auto-prune');
}

export function scheduleClaimPath(dir: string, engineKey: string): string {
  return path.join(dir, `${createHash('sha256').update(engineKey).digest('hex').slice(0, 32)}.json`);
}

/**
 * Claims this interval's run on an engine, or says who ran it. Throws on file system errors, and when the claim file
 * is a newer Docker Prune's or another user's (the message says which and what to do).
 */
export function claimScheduledRun(request: ClaimRequest): ClaimResult {
  const dir = request.dir ?? scheduleClaimDirectory();
  const file = scheduleClaimPath(dir, request.engineKey);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw stateWriteError(SPEC.what, file, e);
  }
  const now = request.now ?? Date.now();
  const claimed = underClaimLock(file, (): ClaimResult => {
    const read = readStateFile(file, SPEC);
    if (!mayWrite(read)) throw new Error(readProblem(read));
    const current = read.status === 'ok' ? read.value : undefined;
    if (current && current.by !== request.owner && blocks(current, now, request.intervalMs)) return { claimed: false, holder: current };
    writeClaim(file, { at: now, by: request.owner, pid: process.pid, running: true, process: currentProcess() });
    const problem = readProblem(read);
    return problem ? { claimed: true, problem } : { claimed: true };
  });
  if (claimed.ran) return claimed.result;
  // Another window is claiming this very moment: it runs this interval.
  const pid = claimed.holder.record?.pid;
  return { claimed: false, holder: { at: now, by: 'another window', pid: typeof pid === 'number' ? pid : 0 } };
}

/** The run `claimScheduledRun` let `owner` start is over: the interval counts from now. */
export function finishScheduledRun(request: Pick<ClaimRequest, 'engineKey' | 'owner' | 'dir' | 'now'>): void {
  const file = scheduleClaimPath(request.dir ?? scheduleClaimDirectory(), request.engineKey);
  // When another window is claiming at this moment, it sees our running claim and decides.
  underClaimLock(file, () => {
    if (claimOf(readStateFile(file, SPEC))?.by === request.owner) writeClaim(file, { at: request.now ?? Date.now(), by: request.owner, pid: process.pid });
  });
}

/** Runs `fn` holding the claim file's short lock; says who holds it when another process does. */
function underClaimLock<T>(file: string, fn: () => T): { ran: true; result: T } | { ran: false; holder: LockHolder } {
  let attempt;
  try {
    attempt = acquireLockFile(`${file}.lock`, { purpose: 'auto-prune schedule claim' }, { staleMs: 10_000 });
  } catch (e) {
    throw stateWriteError(SPEC.what, file, e);
  }
  if (!attempt.acquired) return { ran: false, holder: attempt.holder };
  try {
    return { ran: true, result: fn() };
  } finally {
    attempt.lock.release();
  }
}

function blocks(claim: ScheduleClaim, now: number, intervalMs: number): boolean {
  if (claim.running && claim.process) {
    const state = processState(claim.process).state;
    if (state === 'alive' || (state === 'unknown' && now - claim.at < UNCHECKABLE_RUN_MS)) return true;
  }
  return claim.at <= now && now - claim.at < intervalMs;
}

const FORMAT = 1;

const SPEC: StateFileSpec<ScheduleClaim> = {
  what: 'the auto-prune schedule claim',
  formatField: 'format',
  format: FORMAT,
  parse(raw) {
    if (typeof raw.at !== 'number' || typeof raw.by !== 'string') throw new Error('no "at" time and "by" owner');
    const proc = raw.process as ProcessIdentity | undefined;
    return {
      at: raw.at,
      by: raw.by,
      pid: typeof raw.pid === 'number' ? raw.pid : 0,
      ...(raw.running === true && proc ? { running: true, process: proc } : {}),
    };
  },
};

function writeClaim(file: string, claim: ScheduleClaim): void {
  writeStateFile(file, JSON.stringify({ ...claim, format: FORMAT }), SPEC.what);
}

function claimOf(read: StateRead<ScheduleClaim>): ScheduleClaim | undefined {
  return read.status === 'ok' ? read.value : undefined;
}

/** The claim on file; undefined when there is none or it cannot be used (a damaged one is set aside). */
export function readClaim(file: string): ScheduleClaim | undefined {
  return claimOf(readStateFile(file, SPEC));
}
