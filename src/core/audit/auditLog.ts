/**
 * A durable JSONL audit log: one record per line, appended with a single write on an fd opened for appending,
 * then fsynced. Appends from one process are serialized, and appends from several processes (the CLI, every VS
 * Code window) take a lock file next to the log while they append (appendLock.ts; released before the fsync), so lines never interleave
 * whatever their size (PIPE_BUF does not limit anything here). A line left truncated by a crash is skipped (and
 * counted) by `read`, and the next append — under the lock, so no other process can be writing then — starts on a
 * fresh line so its own record stays intact. An append that fails part-way (a full disk) takes its partial line
 * back out when nothing was appended after it.
 */
import * as fsSync from 'fs';
import { promises as fs } from 'fs';
import * as path from 'path';
import { DockerPruneError, type ErrorKind } from '../errors';
import { acquireAppendLock, acquireAppendLockSync } from './appendLock';
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
}

export class AuditLog {
  /** Tail of the serialization chain; never rejects. */
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly filePath: string) {}

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
    try {
      text = await fs.readFile(this.filePath, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return { records: [], corruptLines: 0 };
      throw this.fail('read', e);
    }
    const records: AuditRecord[] = [];
    let corruptLines = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const v: unknown = JSON.parse(line);
        if (isAuditRecord(v)) records.push(v);
        else corruptLines++;
      } catch {
        corruptLines++;
      }
    }
    return { records, corruptLines };
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

  private fail(op: 'read' | 'write', e: unknown): AuditLogError {
    const code = errnoCode(e);
    const why = e instanceof Error ? e.message : String(e);
    const kind: ErrorKind = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission-denied' : 'invalid-input';
    return new AuditLogError(
      kind,
      `Cannot ${op} the audit log ${this.filePath}: ${why}. ` +
        (code === 'ENOSPC' || code === 'EDQUOT'
          ? 'Its disk is full (or over quota): free some space, or choose another audit log path.'
          : 'Check that its folder exists or can be created and is writable, or choose another audit log path.'),
      this.filePath,
      code,
      e,
    );
  }
}

function finalize(input: AuditRecordInput): AuditRecord {
  const { time, user, host, ...rest } = input;
  return {
    time: time ?? new Date().toISOString(),
    user: user ?? currentUser(),
    host: host ?? currentHost(),
    ...rest,
    environment: redact(rest.environment),
    error: rest.error === undefined ? undefined : redact(rest.error),
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
