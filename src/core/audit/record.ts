/** The audit record: one JSON object per line of the audit log. */
import * as os from 'os';
import type { PruneMode, Trigger } from '../model';

export type AuditOutcome = 'success' | 'partial' | 'cancelled' | 'failed' | 'refused';

export interface AuditRecord {
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly user: string;
  readonly host: string;
  /** The environment (engine endpoint label); passwords in URLs are redacted. */
  readonly environment: string;
  readonly trigger: Trigger;
  readonly mode: PruneMode;
  /** Whether the engine's own prune endpoint was used. */
  readonly native: boolean;
  /** Engine-form filter strings, e.g. `until=168h`, `label!=keep`. */
  readonly filters: readonly string[];
  readonly protect: readonly string[];
  readonly keepLatest?: number;
  readonly plan: { readonly images: number; readonly bytes: number } | null;
  readonly result: {
    readonly deleted: number;
    readonly untagged: number;
    readonly skipped: number;
    readonly spaceReclaimed: number;
    readonly cancelled: boolean;
  } | null;
  readonly durationMs: number;
  readonly outcome: AuditOutcome;
  /** Redacted error message when the outcome is `failed` or `refused` (or a partial failure). */
  readonly error?: string;
}

/** What callers hand to `AuditLog.append`: `time`, `user` and `host` are filled in when missing. */
export type AuditRecordInput = Omit<AuditRecord, 'time' | 'user' | 'host'> &
  Partial<Pick<AuditRecord, 'time' | 'user' | 'host'>>;

/** The OS user running us: `os.userInfo().username`, else `$USER` (or `$USERNAME`), else `unknown`. */
export function currentUser(): string {
  try {
    const name = os.userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry (containers with arbitrary uids): fall back to the environment.
  }
  return process.env.USER || process.env.USERNAME || 'unknown';
}

export function currentHost(): string {
  try {
    return os.hostname();
  } catch {
    return 'unknown';
  }
}

/** Minimal shape check used when reading: anything else in the file counts as a corrupt line. */
export function isAuditRecord(v: unknown): v is AuditRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.time === 'string' &&
    typeof r.outcome === 'string' &&
    typeof r.environment === 'string' &&
    typeof r.mode === 'string' &&
    Array.isArray(r.filters)
  );
}
