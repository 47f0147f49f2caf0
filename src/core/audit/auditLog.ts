/**
 * A durable JSONL audit log: one record per line, appended with a single write on an fd opened for
 * appending, then fsynced. Appends from one process are serialized so lines never interleave; a line
 * left truncated by a crash is skipped (and counted) by `read`, and the next append starts on a fresh
 * line so its own record stays intact.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { DockerPruneError, type ErrorKind } from '../errors';
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
    const line = JSON.stringify(finalize(input)) + '\n';
    const run = this.tail.then(() => this.write(line));
    this.tail = run.catch(() => undefined);
    return run;
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
    try {
      await fs.mkdir(dir, { recursive: true });
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
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
      await fh.sync();
      if (size === 0) await syncDir(dir);
    } catch (e) {
      throw this.fail('write', e);
    } finally {
      await fh?.close().catch(() => undefined);
    }
  }

  private fail(op: 'read' | 'write', e: unknown): AuditLogError {
    const code = errnoCode(e);
    const why = e instanceof Error ? e.message : String(e);
    const kind: ErrorKind = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission-denied' : 'invalid-input';
    return new AuditLogError(
      kind,
      `Cannot ${op} the audit log ${this.filePath}: ${why}. ` +
        `Check that its folder exists or can be created and is writable, or choose another audit log path.`,
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
