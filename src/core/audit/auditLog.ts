/**
 * A durable JSONL audit log: one record per line, appended with a single write on an fd opened for appending,
 * then fsynced. Appends from one process are serialized, and appends from several processes (the CLI, every VS
 * Code window) take a lock file next to the log while they append (appendLock.ts; released before the fsync), so lines never interleave
 * whatever their size (PIPE_BUF does not limit anything here). A line left truncated by a crash is skipped (and
 * counted) by `read`, and the next append — under the lock, so no other process can be writing then — starts on a
 * fresh line so its own record stays intact. An append that fails part-way (a full disk) takes its partial line
 * back out when nothing was appended after it.
 *
 * Before each append (and in `checkAppendable`, which a prune calls before its first deletion) the file is looked at
 * under the lock (auditFormat.ts): one another user owns, or whose last record is of a newer format, is refused —
 * nothing is appended to it; one that is not an audit file at all is set aside (`<name>.corrupt-<time>`, never
 * deleted) with a warning, and a new one started. `read` skips lines that are not records and reports their numbers.
 */
import * as fsSync from 'fs';
import { promises as fs } from 'fs';
import * as path from 'path';
import { DockerPruneError, type ErrorKind } from '../errors';
import { foreignOwner, newerFormatMessage, setAside, writeErrorMessage } from '../state/stateFile';
import { acquireAppendLock, acquireAppendLockSync } from './appendLock';
import { AUDIT_FORMAT, lineFormat, lookAtAuditFile } from './auditFormat';
import { currentHost, currentUser, isAuditRecord, type AuditRecord, type AuditRecordInput } from './record';
import { redact } from './redact';

/** The audit log could not be written or read. `path` names the file. */
export class AuditLogError extends DockerPruneError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly path: string,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(kind, message, { cause });
    this.name = 'AuditLogError';
  }
}

export interface AuditReadResult {
  readonly records: AuditRecord[];
  /** Lines that are not a JSON audit record (e.g. truncated by a crash mid-write); they are skipped. */
  readonly corruptLines: number;
  /** Their line numbers (1-based), in file order. */
  readonly corruptLineNumbers: readonly number[];
  /** The newest record format found when it is newer than this version writes: what it shows may be incomplete. */
  readonly newerFormat?: number;
  /** Set when another user owns the file: what it says is theirs, not this user's (see stateFile.foreignOwner). */
  readonly foreignOwner?: string;
}

export interface AuditLogOptions {
  /** Something the user should know that does not stop the append (the file was set aside). Default: stderr. */
  readonly warn?: (message: string) => void;
}

export class AuditLog {
  /** Tail of the serialization chain; never rejects. */
  private tail: Promise<void> = Promise.resolve();

  private readonly warn: (message: string) => void;

  constructor(
    readonly filePath: string,
    options: AuditLogOptions = {},
  ) {
    this.warn = options.warn ?? ((m) => process.stderr.write(`docker-prune: warning: ${m}\n`));
  }

  /**
   * Throws the error an append would (a newer format's file, another user's, a read-only file system, a folder
   * that cannot be written), without appending: a prune calls it before its first deletion. Sets aside a file that
   * is not an audit file, as an append would. Not a full disk: see pruneJournal.ts.
   */
  async checkAppendable(): Promise<void> {
    await this.tail;
    let fh: fs.FileHandle | undefined;
    let release: (() => void) | undefined;
    try {
      await fs.mkdir(path.dirname(this.filePath), { recursive: true });
      release = await acquireAppendLock(this.filePath);
      fh = await fs.open(this.filePath, 'a+', 0o600);
      if (this.lookBeforeAppend(fh.fd) === 'set-aside') await fs.writeFile(this.filePath, '', { flag: 'a', mode: 0o600 });
    } catch (e) {
      // A full disk does not refuse a prune (a prune is how space comes back): its records are reported instead.
      const code = errnoCode(e);
      if (code === 'ENOSPC' || code === 'EDQUOT') return;
      throw this.fail('write', e);
    } finally {
      await fh?.close().catch(() => undefined);
      release?.();
    }
  }

  /**
   * Appends one record (filling `time`, `user`, `host` when missing; redacting `environment` and `error`)
   * and resolves once it is on disk.
   * @throws AuditLogError naming the file when it cannot be written.
   */
  append(input: AuditRecordInput): Promise<void> {
    const line = AuditLog.line(input);
    const run = this.tail.then(() => this.write(line));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * The same, synchronously: for the record a process writes on its way out (a second Ctrl-C, a closing window),
   * when there is no later turn of the event loop to wait for.
   * @throws AuditLogError naming the file when it cannot be written.
   */
  appendSync(input: AuditRecordInput): void {
    this.writeSync(AuditLog.line(input));
  }

  /** The line `append` writes for `input` (what callers print when it cannot be written). */
  static line(input: AuditRecordInput): string {
    return JSON.stringify(finalize(input)) + '\n';
  }

  /** All records, in file order; waits for appends already started in this process. */
  async read(): Promise<AuditReadResult> {
    await this.tail;
    let text: string;
    let foreign: string | undefined;
    try {
      foreign = foreignOwner(this.filePath, 'the audit log', await fs.stat(this.filePath));
      text = await fs.readFile(this.filePath, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return { records: [], corruptLines: 0, corruptLineNumbers: [] };
      throw this.fail('read', e);
    }
    const records: AuditRecord[] = [];
    const corruptLineNumbers: number[] = [];
    let newest = AUDIT_FORMAT;
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const v: unknown = JSON.parse(line);
        if (!isAuditRecord(v)) return corruptLineNumbers.push(i + 1);
        records.push(v);
        newest = Math.max(newest, lineFormat(line));
      } catch {
        corruptLineNumbers.push(i + 1);
      }
    });
    return {
      records,
      corruptLines: corruptLineNumbers.length,
      corruptLineNumbers,
      ...(newest > AUDIT_FORMAT ? { newerFormat: newest } : {}),
      ...(foreign ? { foreignOwner: foreign } : {}),
    };
  }

  private async write(line: string): Promise<void> {
    const dir = path.dirname(this.filePath);
    let fh: fs.FileHandle | undefined;
    let release: (() => void) | undefined;
    try {
      await fs.mkdir(dir, { recursive: true });
      release = await acquireAppendLock(this.filePath);
      // 'a+': O_APPEND (every write lands at the end) and readable, to look at the last byte.
      fh = await fs.open(this.filePath, 'a+', 0o600);
      if (this.lookBeforeAppend(fh.fd) === 'set-aside') {
        await fh.close();
        fh = await fs.open(this.filePath, 'a+', 0o600);
      }
      const { size } = await fh.stat();
      let data = line;
      if (size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, size - 1);
        // A previous write was cut short: end that line so ours starts on a fresh one.
        if (last[0] !== 0x0a) data = '\n' + line;
      }
      const buf = Buffer.from(data, 'utf8');
      let off = 0;
      try {
        while (off < buf.length) {
          const { bytesWritten } = await fh.write(buf, off, buf.length - off);
          off += bytesWritten;
        }
      } catch (e) {
        if (off > 0 && (await fh.stat()).size === size + off) await fh.truncate(size).catch(() => undefined);
        throw e;
      }
      // The line is whole in the file now: others may append while ours is made durable.
      release();
      release = undefined;
      await fh.sync();
      if (size === 0) await syncDir(dir);
    } catch (e) {
      throw this.fail('write', e);
    } finally {
      await fh?.close().catch(() => undefined);
      release?.();
    }
  }

  private writeSync(line: string): void {
    const dir = path.dirname(this.filePath);
    let fd: number | undefined;
    let release: (() => void) | undefined;
    try {
      fsSync.mkdirSync(dir, { recursive: true });
      release = acquireAppendLockSync(this.filePath);
      fd = fsSync.openSync(this.filePath, 'a+', 0o600);
      if (this.lookBeforeAppend(fd) === 'set-aside') {
        fsSync.closeSync(fd);
        fd = fsSync.openSync(this.filePath, 'a+', 0o600);
      }
      const { size } = fsSync.fstatSync(fd);
      let data = line;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fsSync.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) data = '\n' + line;
      }
      const buf = Buffer.from(data, 'utf8');
      let off = 0;
      try {
        while (off < buf.length) off += fsSync.writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        if (off > 0 && fsSync.fstatSync(fd).size === size + off) {
          try {
            fsSync.ftruncateSync(fd, size);
          } catch {
            // the partial line stays; readers skip it and the next append starts a fresh line
          }
        }
        throw e;
      }
      release();
      release = undefined;
      fsSync.fsyncSync(fd);
    } catch (e) {
      throw this.fail('write', e);
    } finally {
      if (fd !== undefined) {
        try {
          fsSync.closeSync(fd);
        } catch {
          // what was written is written (and fsynced, unless that failed and was reported)
        }
      }
      release?.();
    }
  }

  /**
   * Under the append lock, with the file open: throws when it must not be appended to; sets it aside (and says
   * so) when it is not an audit file, for the caller to open a new one.
   */
  private lookBeforeAppend(fd: number): 'ok' | 'set-aside' {
    const stat = fsSync.fstatSync(fd);
    const foreign = foreignOwner(this.filePath, 'the audit log', stat);
    if (foreign) throw new AuditRefusal(foreign);
    if (stat.size === 0) return 'ok';
    const look = lookAtAuditFile(fd, stat.size);
    if (look.notAudit) {
      const movedTo = setAside(this.filePath);
      if (!movedTo)
        throw new AuditRefusal(
          `The audit log ${this.filePath} is not an audit file, and it could not be moved aside: move it aside, or choose another audit log path.`,
        );
      this.warn(`The audit log ${this.filePath} was not an audit file: it was moved to ${movedTo} and a new audit log is started.`);
      return 'set-aside';
    }
    if (look.lastFormat > AUDIT_FORMAT) throw new AuditRefusal(newerFormatMessage('the audit log', this.filePath, look.lastFormat, AUDIT_FORMAT));
    return 'ok';
  }

  private fail(op: 'read' | 'write', e: unknown): AuditLogError {
    if (e instanceof AuditRefusal) return new AuditLogError('invalid-input', `${e.message} Nothing was appended to it.`, this.filePath, undefined, e);
    const code = errnoCode(e);
    const why = e instanceof Error ? e.message : String(e);
    const kind: ErrorKind = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission-denied' : 'invalid-input';
    const message =
      op === 'write'
        ? `${writeErrorMessage('the audit log', this.filePath, e)} Or choose another audit log path.`
        : `Cannot read the audit log ${this.filePath}: ${why}. Check its permissions, or choose another audit log path.`;
    return new AuditLogError(kind, message, this.filePath, code, e);
  }
}

/** Why a file is not appended to (not an I/O error). */
class AuditRefusal extends Error {}

function finalize(input: AuditRecordInput): AuditRecord {
  const { time, user, host, ...rest } = input;
  return {
    time: time ?? new Date().toISOString(),
    user: user ?? currentUser(),
    host: host ?? currentHost(),
    ...rest,
    environment: redact(rest.environment),
    error: rest.error === undefined ? undefined : redact(rest.error),
    // Last, so the end of the file tells an append which format was last written (auditFormat.ts).
    format: AUDIT_FORMAT,
  };
}

/** Makes a newly created file's directory entry durable (POSIX; a no-op where directories can't be opened). */
async function syncDir(dir: string): Promise<void> {
  let dh: fs.FileHandle | undefined;
  try {
    dh = await fs.open(dir, 'r');
    await dh.sync();
  } catch {
    // Windows and some file systems refuse; the file's own fsync already happened.
  } finally {
    await dh?.close().catch(() => undefined);
  }
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
