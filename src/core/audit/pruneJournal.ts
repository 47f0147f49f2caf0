/**
 * The audit records of one prune (see record.ts for their format):
 * - `start`, written — and waited for — before the first deletion, with the whole plan;
 * - `progress` checkpoints while it runs, every CHECKPOINT_STEPS finished steps or CHECKPOINT_MS after a step
 *   finished, whichever comes first, one write at a time; each names only the steps finished since the previous
 *   record, so over a whole prune they add up to at most the plan;
 * - one `end`, with the result; or, from `interruptSync`, at once and synchronously for a process on its way out,
 *   with what was done so far.
 * A record that cannot be written is handed to `report` in full (the CLI prints it to stderr, the extension to its
 * log), so it is not lost, and the prune goes on: the usual reason is a full disk, and a prune is how disk space
 * comes back. That holds for the start record too. What would make every record fail for good — an audit file of
 * a newer format, another user's, a read-only file system — refuses the prune before it starts instead
 * (`AuditLog.checkAppendable`, called by pruneJob.ts and buildCachePruneJob.ts under the engine's lock).
 */
import { randomUUID } from 'crypto';
import type { ImageSource, Plan, PruneProgress } from '../model';
import { AuditLog } from './auditLog';
import type { AuditOutcome, AuditRecord, AuditRecordInput, AuditStep, AuditWatermark } from './record';

const CHECKPOINT_STEPS = 25;
const CHECKPOINT_MS = 2_000;

/** What every record of a prune repeats (the fields earlier readers rely on). */
export type PruneAuditBase = Pick<AuditRecordInput, 'environment' | 'trigger' | 'mode' | 'native' | 'filters' | 'protect' | 'keepLatest' | 'target'>;

export interface PruneJournalOptions {
  /** No log: nothing is recorded. */
  readonly log?: AuditLog;
  readonly base: PruneAuditBase;
  /** A record that could not be written, with the error and the record's line. */
  readonly report: (error: unknown, record: string) => void;
  /** When the prune was asked for (durations count from it). Default: now. */
  readonly startedAt?: number;
  readonly checkpointSteps?: number;
  readonly checkpointMs?: number;
}

export interface PruneEnd {
  readonly plan: AuditRecord['plan'];
  readonly result: AuditRecord['result'];
  readonly durationMs: number;
  readonly outcome: AuditOutcome;
  readonly error?: string;
  /** Ids the result names as skipped: a step reported finished that the result says was not carried out is moved there. */
  readonly skippedIds?: ReadonlySet<string>;
  /** Steps carried out that no progress record named (a prune whose steps the engine does in one call). */
  readonly doneIds?: readonly string[];
}

/** What a caller may do with a prune while it runs. */
export interface RunningPrune {
  readonly pruneId: string;
  /**
   * Writes its end record now, synchronously (outcome `interrupted`, `reason` as its error, what was done so far),
   * for a process about to exit. The prune's own end record is then not written.
   */
  interrupt(reason: string): void;
}

interface Batch {
  done: string[];
  skipped: string[];
}

export class PruneJournal implements RunningPrune {
  readonly pruneId = randomUUID();
  private readonly startedAt: number;
  private readonly everySteps: number;
  private readonly everyMs: number;
  private engineId: string | undefined;
  private watermark: AuditWatermark | undefined;
  private plan: AuditRecord['plan'] = null;
  private startRecord: AuditRecordInput | undefined;
  private startOnDisk = false;
  private ended = false;
  /** The end record `end` is writing, until that write settles. */
  private endUnderWay: AuditRecordInput | undefined;
  private seq = 0;
  /** Finished steps not yet handed to a write. */
  private pending: Batch = { done: [], skipped: [] };
  /** Handed to the checkpoint write under way. */
  private inFlight: Batch | undefined;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastDone = 0;
  private readonly tally = { steps: 0, bytes: 0, deleted: 0, tags: 0, skipped: 0, containers: 0 };

  constructor(private readonly options: PruneJournalOptions) {
    this.startedAt = options.startedAt ?? Date.now();
    this.everySteps = options.checkpointSteps ?? CHECKPOINT_STEPS;
    this.everyMs = options.checkpointMs ?? CHECKPOINT_MS;
  }

  /**
   * The start record: resolves once it is on disk (or reported). Call before the first deletion. `watermark`: a
   * watermark prune's marks and figures, repeated on this prune's every record from here on. `sources`: where each
   * image came from, recorded with its step.
   */
  async start(plan: Plan, engineId: string, watermark?: AuditWatermark, sources?: ReadonlyMap<string, ImageSource>): Promise<void> {
    const containers: AuditStep[] = (plan.containers ?? []).map((c) => ({
      id: c.id,
      action: 'delete',
      tags: [c.name],
      bytes: c.bytes,
      kind: 'container',
      image: c.imageId,
    }));
    const images = plan.items.map((s) => {
      const source = sources?.get(s.id)?.kind;
      return { id: s.id, action: s.action, tags: [...s.tags], bytes: s.bytes, ...(source ? { source } : {}) };
    });
    this.watermark = watermark;
    await this.startSteps([...containers, ...images], plan.spaceReclaimable, engineId);
  }

  /** The start record of a plan given as its steps (a build-cache prune: one step per record). */
  async startSteps(steps: readonly AuditStep[], bytes: number, engineId: string): Promise<void> {
    this.engineId = engineId;
    const containers = steps.filter((s) => s.kind === 'container').length;
    this.plan = { images: steps.length - containers, bytes, ...(containers > 0 ? { containers } : {}) };
    this.startRecord = { ...this.common('start', 'running'), result: null, pid: process.pid, steps: [...steps] };
    this.startOnDisk = await this.write(this.startRecord);
  }

  /** One executor progress report (the executor's onProgress). */
  progress(p: PruneProgress): void {
    const step = p.current;
    // Only a one-step advance is a finished step; a jump is the executor reporting that it stopped.
    const advanced = p.done === this.lastDone + 1;
    this.lastDone = p.done;
    this.tally.bytes = p.bytes;
    if (!step || !advanced) return;
    this.tally.steps = p.done;
    if (p.skipped?.id === step.id) {
      this.pending.skipped.push(step.id);
      this.tally.skipped++;
    } else {
      this.pending.done.push(step.id);
      if ('kind' in step) this.tally.containers++;
      else {
        if (step.action === 'delete') this.tally.deleted++;
        this.tally.tags += step.tags.length;
      }
    }
    if (this.pending.done.length + this.pending.skipped.length >= this.everySteps) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.everyMs).unref();
  }

  /** The end record, once (not after `interrupt`). Steps not yet checkpointed go in it. */
  async end(end: PruneEnd): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.stopTimer();
    const tail = this.takePending();
    if (end.doneIds) tail.done.push(...end.doneIds);
    if (end.skippedIds) {
      const wrong = tail.done.filter((id) => end.skippedIds!.has(id));
      tail.done = tail.done.filter((id) => !end.skippedIds!.has(id));
      tail.skipped.push(...wrong);
    }
    const record: AuditRecordInput = {
      ...this.common('end', end.outcome),
      plan: end.plan ?? this.plan,
      result: end.result,
      durationMs: end.durationMs,
      error: end.error,
      ...ids(tail),
    };
    this.endUnderWay = record;
    await this.write(record);
    this.endUnderWay = undefined;
  }

  interrupt(reason: string): void {
    const log = this.options.log;
    if (this.ended) {
      // It ended on its own, but its end record may not be on disk yet: write it now (a duplicate reads the same).
      if (log && this.endUnderWay) this.writeSync(log, this.endUnderWay);
      this.endUnderWay = undefined;
      return;
    }
    this.ended = true;
    this.stopTimer();
    if (!log) return;
    if (this.startRecord && !this.startOnDisk) this.writeSync(log, this.startRecord);
    const tail = this.takePending();
    if (this.inFlight) {
      // That checkpoint may not reach the disk before the process exits: name its steps again (readers merge).
      tail.done.unshift(...this.inFlight.done);
      tail.skipped.unshift(...this.inFlight.skipped);
    }
    this.writeSync(log, {
      ...this.common('end', 'interrupted'),
      result: this.plan
        ? {
            ...(this.plan.containers ? { containersDeleted: this.tally.containers } : {}),
            deleted: this.tally.deleted,
            untagged: this.tally.tags,
            skipped: this.tally.skipped,
            spaceReclaimed: this.tally.bytes,
            cancelled: true,
          }
        : null,
      error: reason,
      ...ids(tail),
    });
  }

  private flush(): void {
    this.stopTimer();
    if (this.writing) return; // the write under way flushes again when it is done
    const batch = this.takePending(this.everySteps);
    if (batch.done.length + batch.skipped.length === 0) return;
    this.inFlight = batch;
    const record: AuditRecordInput = {
      ...this.common('progress', 'running'),
      result: null,
      seq: ++this.seq,
      stepsDone: this.tally.steps,
      bytesSoFar: this.tally.bytes,
      ...ids(batch),
    };
    this.writing = this.write(record).then(() => {
      this.inFlight = undefined;
      this.writing = undefined;
      const left = this.pending.done.length + this.pending.skipped.length;
      if (left >= this.everySteps) this.flush();
      else if (left > 0) this.timer ??= setTimeout(() => this.flush(), this.everyMs).unref();
    });
  }

  /** Up to `max` pending steps, removed from pending (done ones first, as they finished). */
  private takePending(max = Infinity): Batch {
    const done = this.pending.done.splice(0, max);
    const skipped = this.pending.skipped.splice(0, Math.max(0, max - done.length));
    return { done, skipped };
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private common(phase: 'start' | 'progress' | 'end', outcome: AuditOutcome): AuditRecordInput {
    return {
      time: new Date().toISOString(),
      ...this.options.base,
      plan: this.plan,
      result: null,
      durationMs: Date.now() - this.startedAt,
      outcome,
      phase,
      pruneId: this.pruneId,
      engineId: this.engineId,
      ...(this.watermark ? { watermark: this.watermark } : {}),
    };
  }

  /** True when it is on disk; a failure is reported, never thrown. */
  private async write(record: AuditRecordInput): Promise<boolean> {
    const log = this.options.log;
    if (!log) return false;
    try {
      await log.append(record);
      return true;
    } catch (e) {
      this.options.report(e, AuditLog.line(record).trimEnd());
      return false;
    }
  }

  private writeSync(log: AuditLog, record: AuditRecordInput): void {
    try {
      log.appendSync(record);
    } catch (e) {
      this.options.report(e, AuditLog.line(record).trimEnd());
    }
  }
}

function ids(batch: Batch): Pick<AuditRecordInput, 'doneIds' | 'skippedIds'> {
  return {
    ...(batch.done.length > 0 ? { doneIds: batch.done } : {}),
    ...(batch.skipped.length > 0 ? { skippedIds: batch.skipped } : {}),
  };
}
