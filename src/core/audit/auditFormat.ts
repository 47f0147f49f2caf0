/**
 * The audit file's format version, and what an append checks of the file first (auditLog.ts, under its lock).
 *
 * Every record names its format in a `format` field written as its LAST key (`…,"format":1}`), so the end of the
 * file says which format was last appended without reading whole lines (a start record holds a whole plan). Records
 * without one are format 1: every record from before the field existed is a format-1 record. A later version that
 * changes the records raises the number and keeps the field last. An older version must not append its records
 * after a newer one's: it refuses (and a prune is refused before anything is deleted).
 *
 * A file whose first line does not begin as a record does (`{"time":"`) and is not a JSON audit record either is
 * not an audit file at all (a wrong path, a file overwritten by something else): it is set aside, never deleted, and
 * a new audit file is started. A bad line inside an audit file only makes that line unreadable (`read` reports it by
 * line number and skips it); a torn last line from a crash is ended by the next append, which starts a fresh line.
 */
import * as fs from 'fs';
import { isAuditRecord } from './record';

export const AUDIT_FORMAT = 1;

const CHUNK = 65_536;
const FORMAT_AT_END = /"format":(\d+)\}\s*$/;

export interface AuditFileLook {
  /** The format of the last complete record (1 when it names none, or there is none). */
  readonly lastFormat: number;
  /** Whether the file is something other than an audit file. */
  readonly notAudit: boolean;
}

/** Looks at an open audit file of `size` bytes (> 0): its first line, and the end of its last complete one. */
export function lookAtAuditFile(fd: number, size: number): AuditFileLook {
  return { notAudit: !startsAsAudit(fd, size), lastFormat: lastRecordFormat(fd, size) };
}

/** The format a record's line names (without its newline); 1 when it names none. */
export function lineFormat(line: string): number {
  const m = FORMAT_AT_END.exec(line);
  return m ? Number(m[1]) : 1;
}

function startsAsAudit(fd: number, size: number): boolean {
  const head = read(fd, 0, Math.min(size, CHUNK)).toString('utf8');
  if (head.startsWith('{"time":"')) return true;
  const nl = head.indexOf('\n');
  // A first line longer than what was read cannot be parsed here: an object is given the benefit of the doubt.
  if (nl < 0 && size > CHUNK) return head.startsWith('{');
  try {
    return isAuditRecord(JSON.parse(nl < 0 ? head : head.slice(0, nl)));
  } catch {
    return false;
  }
}

function lastRecordFormat(fd: number, size: number): number {
  // The last complete line ends at the last newline; anything after it is a torn line.
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const buf = read(fd, start, end - start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      const before = start + nl;
      return lineFormat(read(fd, Math.max(0, before - 256), Math.min(before, 256)).toString('utf8'));
    }
    end = start;
  }
  return 1;
}

function read(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let off = 0;
  while (off < length) {
    const n = fs.readSync(fd, buf, off, length - off, position + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}
