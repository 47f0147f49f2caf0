/**
 * The one skeleton every kind of prune runs in (images: pruneJob.ts, build cache: buildCachePruneJob.ts, and any
 * later kind): refuse a read-only environment → take the engine's lock → the write-ahead audit pre-check → the
 * kind's own work (which writes the journal's start record before its first deletion) → release → the end record,
 * whatever happened: success, partial, cancelled, refused (read-only, busy) or failed. A process on its way out
 * interrupts through the handle `onStart` receives, which writes the end record synchronously.
 */
import { PruneJournal, type AuditLog, type AuditRecord, type PruneAuditBase, type PruneEnd, type RunningPrune } from '../audit';
import type { DockerEngine } from '../engine/dockerEngine';
import type { EngineProfile } from '../engine/engineProfile';
import { ProtectedEnvironmentError, ReadOnlyEnvironmentError } from '../environments/readOnly';
import { DockerPruneError, errorMessage } from '../errors';
import type { Trigger } from '../model';
import { acquireEngineLock } from './engineLock';

export type PruneOutcomeKind = 'success' | 'partial' | 'cancelled';

/** What every prune request carries, whatever it removes. */
export interface PruneJobRequest {
  readonly engine: DockerEngine;
  readonly trigger: Trigger;
  readonly audit?: AuditLog;
  /**
   * Called when an audit record (start, progress or end) cannot be written, with the record itself, so it is not
   * lost (the CLI prints it to stderr, the extension to its log). Default: stderr. The prune goes on, and its own
   * outcome or error stands.
   */
  readonly onAuditError?: (error: unknown, record: string) => void;
  /**
   * Called at once with a handle on this prune: a process about to exit (a second Ctrl-C, a closing VS Code
   * window) calls its `interrupt(reason)` so the prune still leaves an end record.
   */
  readonly onStart?: (prune: RunningPrune) => void;
  /**
   * The user typed the environment's name to confirm this prune (or the plan removes nothing). A protected
   * environment (Endpoint.protected) refuses every prune without it: auto-prunes there are refused.
   */
  readonly nameConfirmed?: boolean;
}

/** The end record's figures of a plan and what was done of it. */
export type PruneFigures = Pick<PruneEnd, 'plan' | 'result' | 'skippedIds' | 'doneIds'>;

/** What one kind of prune plugs into the runner. `P`: its plan, `R`: its result. */
export interface PruneKind<P, R> {
  /** What every audit record of this prune repeats. */
  readonly base: PruneAuditBase;
  /** The plan the user confirmed, if any (the end record names it even when the prune fails before starting). */
  readonly confirmed?: P;
  /** Checks of the request itself, before the lock (bad input is refused with nothing taken). */
  check?(): void;
  /**
   * The work, under the lock and after the audit pre-check: settle the plan (call `planned` with it), write the
   * journal's start record, carry the plan out.
   */
  run(ctx: { readonly journal: PruneJournal; readonly profile: EngineProfile; planned(plan: P): void }): Promise<R>;
  /** How a prune that ran to its end went. */
  outcomeOf(result: R): PruneOutcomeKind;
  /** The end record's figures (no plan: it failed before one was made; no result: before anything was done). */
  figures(plan: P | undefined, result: R | undefined): PruneFigures;
  /** What a failure leaves done (an interrupted image prune carries its partial result). */
  partial?(failure: unknown): R | undefined;
}

export interface JobOutcome<P, R> {
  readonly plan?: P;
  readonly result: R;
  readonly outcome: PruneOutcomeKind;
  readonly durationMs: number;
}

/** One prune of any kind, start to finish (see the top of this file). */
export async function runPruneJob<P, R>(req: PruneJobRequest, kind: PruneKind<P, R>): Promise<JobOutcome<P, R>> {
  const started = Date.now();
  const journal = journalFor(req, kind.base, started);
  req.onStart?.(journal);
  let plan = kind.confirmed;
  let result: R | undefined;
  let failure: unknown;
  let lock: { release(): void } | undefined;
  try {
    assertPrunable(req.engine, req.nameConfirmed === true);
    kind.check?.();
    lock = await acquireEngineLock(req.engine, req.trigger);
    // Write-ahead: an audit file this version must not append to (a newer format's, another user's, on a read-only
    // file system) refuses the prune here, before anything is deleted. A full disk does not: see pruneJournal.ts.
    await req.audit?.checkAppendable();
    const profile = await req.engine.profile();
    result = await kind.run({ journal, profile, planned: (p) => (plan = p) });
    return { plan, result, outcome: kind.outcomeOf(result), durationMs: Date.now() - started };
  } catch (e) {
    failure = e;
    result = kind.partial?.(e) ?? result;
    throw e;
  } finally {
    lock?.release();
    const durationMs = Date.now() - started;
    await journal.end({ ...kind.figures(plan, result), durationMs, ...endOutcome(failure, () => kind.outcomeOf(result!)) });
  }
}

/**
 * Refuses a prune on an environment configured read-only, and on a protected one whose name was not typed (from the
 * endpoint the engine was opened on).
 */
function assertPrunable(engine: DockerEngine, nameConfirmed: boolean): void {
  if (engine.endpoint.readOnly) throw new ReadOnlyEnvironmentError(engine.endpoint.name, engine.endpoint.label);
  if (engine.endpoint.protected && !nameConfirmed) throw new ProtectedEnvironmentError(engine.endpoint.name, engine.endpoint.label);
}

/**
 * Audits a prune that failed before it could start (its preview failed: engine down, bad input), so every prune a
 * user asked for leaves a record.
 */
export async function auditFailedJob(req: PruneJobRequest, base: PruneAuditBase, failure: unknown, durationMs: number): Promise<void> {
  await journalFor(req, base, Date.now() - durationMs).end({ plan: null, result: null, durationMs, ...endOutcome(failure, () => 'success') });
}

/** The audit fields every kind of prune fills alike: where, asked by whom, in which mode, natively or not. */
export function requestAuditBase(
  req: PruneJobRequest & { readonly policy: { readonly mode: PruneAuditBase['mode'] }; readonly native?: boolean },
): Pick<PruneAuditBase, 'environment' | 'trigger' | 'mode' | 'native'> {
  return { environment: req.engine.endpoint.label, trigger: req.trigger, mode: req.policy.mode, native: Boolean(req.native) };
}

function journalFor(req: PruneJobRequest, base: PruneAuditBase, startedAt: number): PruneJournal {
  const report =
    req.onAuditError ?? ((err: unknown, line: string) => process.stderr.write(`docker-prune: audit record not written (${errorMessage(err)}): ${line}\n`));
  return new PruneJournal({ log: req.audit, base, report, startedAt });
}

/** A failure is `refused` when nothing was tried by rule (busy, read-only), else `failed`; no failure: the run's own. */
function endOutcome(failure: unknown, ran: () => PruneOutcomeKind): { outcome: AuditRecord['outcome']; error?: string } {
  if (failure === undefined) return { outcome: ran() };
  const refused =
    failure instanceof ReadOnlyEnvironmentError ||
    failure instanceof ProtectedEnvironmentError ||
    (failure instanceof DockerPruneError && failure.kind === 'busy');
  return { outcome: refused ? 'refused' : 'failed', error: errorMessage(failure) };
}
