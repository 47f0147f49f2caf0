/**
 * The audit record: one JSON object per line of the audit log.
 *
 * A prune leaves up to three kinds of record, told apart by `phase` and tied together by `pruneId`:
 * - `start`, before the first deletion: the whole plan (`steps`), the engine's identity, the process;
 * - `progress`, while it runs (checkpoints): the steps finished since the previous record of this prune;
 * - `end`, when it is over: the result, as the single record of earlier versions had it.
 * Every record carries the fields of earlier versions (environment, trigger, mode, …, `outcome`), so a reader
 * of those keeps working; one that wants one line per prune takes the `end` records and those without a phase.
 * A `start` with no `end` is a prune that was killed: see pruneHistory.ts.
 */
import type { SourceKind } from '../model';
import * as os from 'os';
import type { PlannedAction, PruneMode, Trigger } from '../model';

/**
 * How a prune went. `running`: the prune had not ended when this (start or progress) record was written.
 * `interrupted`: it was stopped before it could finish on its own (a second Ctrl-C, a closed VS Code window).
 */
export type AuditOutcome = 'success' | 'partial' | 'cancelled' | 'failed' | 'refused' | 'interrupted' | 'running';

export type AuditPhase = 'start' | 'progress' | 'end';

/** One step of the plan, as the start record keeps it. */
export interface AuditStep {
  readonly id: string;
  readonly action: PlannedAction;
  /** The references this step removes. */
  readonly tags: readonly string[];
  readonly bytes: number;
  /** Where the image came from (core/source/imageSource.ts): what getting it back would take. Image prunes only. */
  readonly source?: SourceKind;
  /**
   * `container`: a stopped container removed before the images (`--containers exited-for=…`); its `tags` hold its
   * name, `image` the image it was created from. Absent: an image (or a build-cache record).
   */
  readonly kind?: 'container';
  readonly image?: string;
}

export interface AuditWatermark {
  readonly high: string;
  readonly low: string;
  readonly minimumAge: string;
  readonly basis: 'disk' | 'images';
  readonly usedBytes: number;
  readonly predictedBytes: number;
}

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
  /**
   * What was pruned: absent for images (every record before build-cache prunes existed); `build-cache` for the
   * BuildKit build cache, whose `mode` is `all` or `dangling` as `docker builder prune` names them and whose
   * `plan.images`, `result.deleted` and step ids count and name cache records.
   */
  readonly target?: 'build-cache';
  /** Engine-form filter strings, e.g. `until=168h`, `label!=keep`. */
  readonly filters: readonly string[];
  readonly protect: readonly string[];
  readonly keepLatest?: number;
  /** A watermark prune: its marks, and the usage it found and predicted (bytes; `basis` says of what). */
  readonly watermark?: AuditWatermark;
  /** `images`: the plan's image steps; `containers`: its stopped containers, when it removes some. */
  readonly plan: { readonly images: number; readonly bytes: number; readonly containers?: number } | null;
  readonly result: {
    /** Stopped containers removed, when the plan had some. */
    readonly containersDeleted?: number;
    readonly deleted: number;
    readonly untagged: number;
    readonly skipped: number;
    readonly spaceReclaimed: number;
    readonly cancelled: boolean;
  } | null;
  readonly durationMs: number;
  readonly outcome: AuditOutcome;
  /** Redacted error message when the outcome is `failed` or `refused` (or a partial failure), or why it was `interrupted`. */
  readonly error?: string;
  /** Absent in records written before phases existed: those are one record per prune, like an `end`. */
  readonly phase?: AuditPhase;
  /** The same on every record of one prune. */
  readonly pruneId?: string;
  /** The engine's identity (`/info` ID; empty when it has none), on every record from the start record on. */
  readonly engineId?: string;
  /** Start: the process that runs the prune (to tell a prune still running from one that was killed). */
  readonly pid?: number;
  /** Start: the whole plan, in execution order. */
  readonly steps?: readonly AuditStep[];
  /** Progress: 1, 2, … within the prune. */
  readonly seq?: number;
  /** Progress: plan steps finished so far (done or skipped). */
  readonly stepsDone?: number;
  /** Progress: bytes reclaimed so far. */
  readonly bytesSoFar?: number;
  /**
   * Progress and end: ids of the plan steps carried out (deleted or untagged, as the step says) since the previous
   * record of this prune. Over all its records each step appears at most once, so their size is bounded by the plan.
   */
  readonly doneIds?: readonly string[];
  /** Progress and end: ids of the plan steps skipped since the previous record of this prune. */
  readonly skippedIds?: readonly string[];
  /** The record format (auditFormat.ts), always the last key; absent in format-1 records from before it existed. */
  readonly format?: number;
}

/** What callers hand to `AuditLog.append`: `time`, `user` and `host` are filled in when missing. */
export type AuditRecordInput = Omit<AuditRecord, 'time' | 'user' | 'host'> & Partial<Pick<AuditRecord, 'time' | 'user' | 'host'>>;

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
    typeof r.time === 'string' && typeof r.outcome === 'string' && typeof r.environment === 'string' && typeof r.mode === 'string' && Array.isArray(r.filters)
  );
}
