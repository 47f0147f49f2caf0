/**
 * Reads the audit log as prunes rather than lines: the start, progress and end records of one prune (same
 * `pruneId`) become one entry. A prune whose end record never came — its process was killed, or crashed — is
 * `interrupted`, with what its checkpoints say was done; `checkAgainstEngine` adds what the engine shows (its
 * planned deletions no longer among the engine's images). Records written before phases existed are one entry each.
 */
import { isAlive } from './appendLock';
import { currentHost, type AuditOutcome, type AuditRecord, type AuditStep } from './record';

export type PruneStatus = Exclude<AuditOutcome, 'running'> | 'running';

export interface PruneEntry {
  readonly pruneId?: string;
  readonly status: PruneStatus;
  /** `interrupted`: what stopped it — the end record's reason, or that there is no end record. */
  readonly reason?: string;
  /** The end record's error (failed, refused, partial, interrupted). */
  readonly error?: string;
  /** Its first record's time (ISO 8601). */
  readonly started: string;
  /** Its end record's time. */
  readonly ended?: string;
  readonly durationMs?: number;
  readonly environment: string;
  readonly engineId?: string;
  readonly trigger: AuditRecord['trigger'];
  readonly mode: AuditRecord['mode'];
  /** `build-cache` for a build-cache prune (its steps are cache records); absent for images. */
  readonly target?: AuditRecord['target'];
  readonly native: boolean;
  readonly user: string;
  readonly host: string;
  readonly pid?: number;
  readonly plan: AuditRecord['plan'];
  /** The whole plan, from the start record (absent for records written before phases existed). */
  readonly steps?: readonly AuditStep[];
  /** The end record's result (null without one). */
  readonly result: AuditRecord['result'];
  /** What its progress and end records name as finished. */
  readonly recorded: {
    /** Plan steps carried out (deleted or untagged, as each step says), in order. */
    readonly done: readonly string[];
    readonly skipped: readonly string[];
    /** Bytes reclaimed, as far as the records go. */
    readonly bytes: number;
    readonly checkpoints: number;
  };
}

export interface HistoryOptions {
  /** Whether the process that wrote this start record still runs it. Default: same host and the pid is alive. */
  readonly isRunning?: (start: AuditRecord) => boolean;
}

export const NO_END_RECORD = 'no end record: its process was killed or crashed before the prune finished';

/** One entry per prune, oldest first (by first record). */
export function pruneHistory(records: readonly AuditRecord[], options: HistoryOptions = {}): PruneEntry[] {
  const isRunning = options.isRunning ?? runningHere;
  const groups = new Map<string, AuditRecord[]>();
  const order: AuditRecord[][] = [];
  for (const r of records) {
    if (r.phase === undefined || r.pruneId === undefined) {
      order.push([r]);
      continue;
    }
    let g = groups.get(r.pruneId);
    if (!g) {
      g = [];
      groups.set(r.pruneId, g);
      order.push(g);
    }
    g.push(r);
  }
  return order.map((g) => entryOf(g, isRunning));
}

export interface EngineCheck {
  /** Planned deletions no longer among the engine's images (`GET /images/json?all=1`). */
  readonly gone: readonly string[];
  /** Planned deletions still there. */
  readonly present: readonly string[];
  /** Gone, though no record of the prune says so (done after its last checkpoint). */
  readonly goneUnrecorded: readonly string[];
}

/**
 * What the engine shows of a prune's planned deletions, given the ids of the images it has now. Undefined when the
 * entry has no plan to compare (records from before phases, or a build-cache prune, whose steps are cache records,
 * not images). An image can also have gone since by other hands.
 */
export function checkAgainstEngine(entry: PruneEntry, engineImageIds: ReadonlySet<string>): EngineCheck | undefined {
  if (!entry.steps || entry.target === 'build-cache') return undefined;
  // Image deletions only: a stopped container's step (`kind: container`) is not in the engine's image list.
  const deletions = entry.steps.filter((s) => s.action === 'delete' && s.kind !== 'container').map((s) => s.id);
  const recorded = new Set(entry.recorded.done);
  const gone = deletions.filter((id) => !engineImageIds.has(id));
  return {
    gone,
    present: deletions.filter((id) => engineImageIds.has(id)),
    goneUnrecorded: gone.filter((id) => !recorded.has(id)),
  };
}

/** Whether the prune ran on this engine: the same identity, or — for an engine without one — the same endpoint. */
export function ranOn(entry: PruneEntry, engine: { readonly engineId: string; readonly label: string }): boolean {
  if (entry.engineId) return entry.engineId === engine.engineId;
  return entry.environment === engine.label;
}

function entryOf(group: readonly AuditRecord[], isRunning: (start: AuditRecord) => boolean): PruneEntry {
  const first = group[0]!;
  const start = group.find((r) => r.phase === 'start');
  // The last end record counts (an interrupted one may be followed by none, a duplicate is the same prune).
  const end = [...group].reverse().find((r) => r.phase === 'end' || r.phase === undefined);
  const done: string[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let checkpoints = 0;
  for (const r of group) {
    if (r.phase === 'progress') {
      checkpoints++;
      bytes = Math.max(bytes, r.bytesSoFar ?? 0);
    }
    for (const id of r.doneIds ?? []) {
      if (!seen.has(id)) {
        seen.add(id);
        done.push(id);
      }
    }
    for (const id of r.skippedIds ?? []) {
      if (!seen.has(id)) {
        seen.add(id);
        skipped.push(id);
      }
    }
  }
  if (end?.result) bytes = Math.max(bytes, end.result.spaceReclaimed);
  let status: PruneStatus;
  let reason: string | undefined;
  if (end) {
    status = end.outcome === 'running' ? 'interrupted' : end.outcome;
    if (status === 'interrupted') reason = end.error ?? NO_END_RECORD;
  } else if (start && isRunning(start)) {
    status = 'running';
  } else {
    status = 'interrupted';
    reason = NO_END_RECORD;
  }
  const head = start ?? first;
  return {
    pruneId: first.pruneId,
    status,
    reason,
    error: end?.error,
    started: first.time,
    ended: end?.time,
    durationMs: end?.durationMs,
    environment: head.environment,
    engineId: head.engineId ?? end?.engineId,
    trigger: head.trigger,
    mode: head.mode,
    ...(head.target ? { target: head.target } : {}),
    native: head.native,
    user: head.user,
    host: head.host,
    pid: start?.pid,
    plan: end?.plan ?? head.plan,
    steps: start?.steps,
    result: end?.result ?? null,
    recorded: { done, skipped, bytes, checkpoints },
  };
}

function runningHere(start: AuditRecord): boolean {
  return start.pid !== undefined && start.host === currentHost() && isAlive(start.pid);
}
