/**
 * The one way Docker Prune reads and writes its small JSON state files (last-use records, the image details cache,
 * schedule claims; the CLI's config file is read through `readStateFile` too), so that one version's file is safe
 * in the next:
 * - every file names its format in a top-level number field (`version` or `format`, as each file has always
 *   called it); a file without one is format 1 (what those files were before they carried one);
 * - an older format is handed to the file's own `parse` with its number, to read or migrate;
 * - a newer format is left untouched and not written over: the message says to update Docker Prune or move it aside;
 * - a corrupt file (not JSON, not an object, or refused by `parse`) is renamed to `<name>.corrupt-<timestamp>`
 *   (never deleted) and the caller starts afresh;
 * - a file another user owns is neither trusted nor written over (POSIX; Windows has no uids to compare);
 * - writes go to a temporary file (mode 0600, folder 0700) renamed over the old one, so no reader sees half a
 *   file; a read-only file system or a missing permission is an error saying which file and what to do.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface StateFileSpec<T> {
  /** Names the file in messages: "the last-use file". */
  readonly what: string;
  /** The field holding the format number. */
  readonly formatField: 'version' | 'format';
  /** The newest format this version reads (and the one it writes). */
  readonly format: number;
  /** Reads (or migrates) a file of `format` ≤ spec.format; throws an Error saying what is wrong when it is corrupt. */
  parse(json: Record<string, unknown>, format: number): T;
}

export type StateRead<T> =
  | { readonly status: 'missing' }
  | { readonly status: 'ok'; readonly value: T; readonly format: number }
  /** Written by a newer Docker Prune: left as it is, and not to be written over. */
  | { readonly status: 'newer'; readonly format: number; readonly message: string }
  /** Corrupt: renamed aside (`movedTo`, unless that failed too); start afresh. */
  | { readonly status: 'set-aside'; readonly movedTo?: string; readonly message: string }
  /** Owned by another user: not trusted, and not to be written over. */
  | { readonly status: 'foreign'; readonly message: string }
  /** Could not be read (permissions): not to be written over either. */
  | { readonly status: 'unreadable'; readonly message: string };

/** Whether the caller may (re)write the file after this read: not over a newer, foreign or unreadable one. */
export function mayWrite(read: StateRead<unknown>): boolean {
  return read.status === 'missing' || read.status === 'ok' || read.status === 'set-aside';
}

/** The read's message, when it has one to show the user. */
export function readProblem(read: StateRead<unknown>): string | undefined {
  return 'message' in read ? read.message : undefined;
}

export function readStateFile<T>(file: string, spec: StateFileSpec<T>): StateRead<T> {
  let text: string;
  try {
    const foreign = foreignOwner(file, spec.what);
    if (foreign) return { status: 'foreign', message: foreign };
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { status: 'missing' };
    return { status: 'unreadable', message: `Cannot read ${spec.what} ${file}: ${message(e)}. Check its permissions, or move it aside.` };
  }
  let problem: string;
  try {
    const json: unknown = JSON.parse(text);
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('not a JSON object');
    const o = json as Record<string, unknown>;
    const format = formatOf(o, spec.formatField);
    if (format > spec.format) return { status: 'newer', format, message: newerFormatMessage(spec.what, file, format, spec.format) };
    return { status: 'ok', value: spec.parse(o, format), format };
  } catch (e) {
    problem = message(e);
  }
  const movedTo = setAside(file);
  return {
    status: 'set-aside',
    ...(movedTo ? { movedTo } : {}),
    message: movedTo
      ? `${capitalize(spec.what)} ${file} is damaged (${problem}): it was moved to ${movedTo} and a new one is started.`
      : `${capitalize(spec.what)} ${file} is damaged (${problem}) and could not be moved aside; it is not used.`,
  };
}

/** The format a file names; 1 when it names none (files from before they carried one). */
export function formatOf(o: Record<string, unknown>, field: string): number {
  const v = o[field];
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`its ${field} ${JSON.stringify(v)} is not a format number`);
  return v;
}

export function newerFormatMessage(what: string, file: string, format: number, supported: number): string {
  return (
    `${capitalize(what)} ${file} was written by a newer Docker Prune (format ${format}; this version reads up to ${supported}): ` +
    'update Docker Prune, or move the file aside.'
  );
}

/**
 * Undefined when `file` is ours (or there are no uids: Windows); else why it is not trusted. Throws ENOENT when
 * there is no file.
 */
export function foreignOwner(file: string, what: string, stat: fs.Stats = fs.statSync(file)): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || stat.uid === uid) return undefined;
  return (
    `${capitalize(what)} ${file} belongs to another user (uid ${stat.uid}; Docker Prune runs as uid ${uid}): it is not trusted ` +
    'or written to. Remove it, or give it to this user (chown), or choose another file.'
  );
}

/**
 * Renames `file` to `<file>.corrupt-<timestamp>`: the new path (a pattern when another process moved it first);
 * undefined when it could not be moved.
 */
export function setAside(file: string, now = new Date()): string | undefined {
  const target = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  try {
    fs.renameSync(file, target);
    return target;
  } catch (e) {
    return errnoCode(e) === 'ENOENT' ? `${file}.corrupt-* (by another Docker Prune process)` : undefined;
  }
}

/** Writes `text` to `file` atomically (temporary file + rename), mode 0600, creating its folder (0700). */
export function writeStateFile(file: string, text: string, what: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw stateWriteError(what, file, e);
  }
}

/** The error for `e` (an errno error) met while writing `file`: what failed, why, and what to do. */
export function stateWriteError(what: string, file: string, e: unknown): StateWriteError {
  return new StateWriteError(file, writeErrorMessage(what, file, e), errnoCode(e), e);
}

export class StateWriteError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'StateWriteError';
  }
}

/** "Cannot write X: why. What to do." for an errno error. */
export function writeErrorMessage(what: string, file: string, e: unknown): string {
  const code = errnoCode(e);
  const todo =
    code === 'EROFS'
      ? 'Its file system is read-only: make it writable, or choose a folder on a writable one.'
      : code === 'EACCES' || code === 'EPERM'
        ? 'Check that you may write its folder, or choose another one.'
        : code === 'ENOSPC' || code === 'EDQUOT'
          ? 'Its disk is full (or over quota): free some space.'
          : 'Check that its folder exists or can be created and is writable.';
  return `Cannot write ${what} ${file}: ${message(e)}. ${todo}`;
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
