import { PruneJournal, type AuditLog, type AuditRecord, type PruneAuditBase, type PruneEnd, type RunningPrune } from '../audit';
import type { AuditWatermark } from '../audit/record';
import type { DockerEngine } from '../engine/dockerEngine';
import { DockerPruneError, errorMessage } from '../errors';
import { engineFilterStrings, sourceFilterText } from '../filters';
import type { Plan, PrunePolicy, PruneProgress, PruneResult, Snapshot, Trigger } from '../model';
import { planPrune } from '../plan/planner';
import { planWatermarkPrune, type DiskReading } from '../plan/watermarkPolicy';
import type { Watermarks } from '../plan/watermarkMarks';
import type { WatermarkFigures } from '../plan/watermarkPolicy';
import { SnapshotReader } from '../snapshot/snapshotReader';
import { acquireEngineLock } from './engineLock';
import { executePlan, PruneInterruptedError } from './executor';
import { assertNativeCompatible, nativePrune } from './nativePrune';

export interface Preview {
  readonly snapshot: Snapshot;
  readonly plan: Plan;
  /** Set for a watermark prune: its marks and the usage figures its plan was chosen by. */
  readonly watermark?: { readonly marks: Watermarks; readonly figures: WatermarkFigures; readonly disk?: DiskReading };
  /** Images the user left out of this prune (kept with reason `left-out`); re-plans keep leaving them out. */
  readonly leaveOut?: ReadonlySet<string>;
}

/**
 * Takes a snapshot and plans on it. `native` previews what the engine's own prune would do (engine parity).
 * `leaveOut`: images the user leaves out (see PlannerOptions.leaveOut).
 */
export async function previewPrune(reader: SnapshotReader, policy: PrunePolicy, native = false, leaveOut?: ReadonlySet<string>): Promise<Preview> {
  if (native) assertNativeCompatible(policy);
  const snapshot = await reader.read({ until: policy.filters.until });
  return { snapshot, plan: planPrune(snapshot, policy, { engineParity: native, leaveOut }), leaveOut };
}

/**
 * The same preview re-planned on the same snapshot with another set of left-out images: instant, and exactly what
 * the planner decides (a left-out child keeps its parent; the bytes are those of the new plan). A watermark preview
 * is re-planned with its marks and disk reading (it then picks other images to reach the low mark).
 */
export function replanLeavingOut(preview: Preview, leaveOut: ReadonlySet<string>): Preview {
  const { snapshot, plan, watermark } = preview;
  if (watermark) {
    if (!watermark.disk) throw new Error('a watermark preview carries its disk reading to be re-planned');
    const next = planWatermarkPrune(snapshot, plan.policy, watermark.marks, watermark.disk, leaveOut);
    return { snapshot, plan: next.plan, watermark: { ...watermark, figures: next.figures }, leaveOut };
  }
  return { snapshot, plan: planPrune(snapshot, plan.policy, { leaveOut }), leaveOut };
}

export interface PruneRequest {
  readonly engine: DockerEngine;
  readonly policy: PrunePolicy;
  readonly trigger: Trigger;
  /** Use the engine's own prune endpoint instead of executing a plan. */
  readonly native?: boolean;
  /** The preview the user confirmed; only its plan is carried out. Without it a fresh plan is made (unattended runs). */
  readonly confirmed?: Preview;
  /** A reader to plan with when nothing was confirmed (keeps its image cache warm across runs). */
  readonly reader?: SnapshotReader;
  /**
   * How to plan when nothing was confirmed, called under the engine's lock (default: previewPrune of the policy).
   * A watermark prune passes its own, so it measures the disk and plans after any prune before it has finished.
   */
  readonly replan?: () => Promise<Preview>;
  readonly audit?: AuditLog;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PruneProgress) => void;
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
}

export type PruneOutcomeKind = 'success' | 'partial' | 'cancelled';

export interface PruneOutcome {
  readonly plan?: Plan;
  readonly result: PruneResult;
  readonly outcome: PruneOutcomeKind;
  readonly durationMs: number;
}

/**
 * One prune, start to finish: the per-environment lock, the plan (or the confirmed one), execution, and its audit
 * records whatever happens — a start record with the whole plan before the first deletion, progress checkpoints,
 * and an end record: success, partial, cancelled, refused (busy) or failed (see audit/pruneJournal.ts).
 */
export async function runPrune(req: PruneRequest): Promise<PruneOutcome> {
  const started = Date.now();
  const journal = journalFor(req, started);
  req.onStart?.(journal);
  let plan = req.confirmed?.plan;
  let result: PruneResult | undefined;
  let failure: unknown;
  let lock: { release(): void } | undefined;
  try {
    if (req.native) assertNativeCompatible(req.policy);
    lock = await acquireEngineLock(req.engine, req.trigger);
    const engineId = (await req.engine.profile()).engineId;
    if (req.native) {
      // The preview names which `Deleted:` entries are images (the engine mixes in layer ids) for the audit.
      plan = (req.confirmed ?? (await previewPrune(req.reader ?? new SnapshotReader(req.engine), req.policy, true))).plan;
      await journal.start(plan, engineId);
      result = await nativePrune(req.engine, req.policy, req.signal);
    } else {
      const preview = req.confirmed ?? (await (req.replan ?? (() => previewPrune(req.reader ?? new SnapshotReader(req.engine), req.policy)))());
      plan = preview.plan;
      await journal.start(plan, engineId, preview.watermark && auditWatermark(preview.watermark));
      result = await executePlan(req.engine, preview.plan, preview.snapshot, {
        signal: req.signal,
        onProgress: (p) => {
          journal.progress(p);
          req.onProgress?.(p);
        },
      });
    }
    return { plan, result, outcome: outcomeOf(result), durationMs: Date.now() - started };
  } catch (e) {
    failure = e;
    if (e instanceof PruneInterruptedError) result = e.partial;
    throw e;
  } finally {
    lock?.release();
    await journal.end(auditEnd(plan, result, failure, Date.now() - started));
  }
}

/**
 * Audits a prune that failed before it could start (the preview itself failed: engine down, bad input), so
 * every prune a user asked for leaves a record.
 */
export async function auditFailedPrune(req: Omit<PruneRequest, 'confirmed'>, failure: unknown, durationMs: number): Promise<void> {
  await journalFor(req, Date.now() - durationMs).end(auditEnd(undefined, undefined, failure, durationMs));
}

function journalFor(req: Omit<PruneRequest, 'confirmed'>, startedAt: number): PruneJournal {
  const report = req.onAuditError ?? ((err: unknown, line: string) => process.stderr.write(`docker-prune: audit record not written (${errorMessage(err)}): ${line}\n`));
  return new PruneJournal({ log: req.audit, base: auditBase(req), report, startedAt });
}

function auditBase(req: Omit<PruneRequest, 'confirmed'>): PruneAuditBase {
  return {
    environment: req.engine.endpoint.label,
    trigger: req.trigger,
    mode: req.policy.mode,
    native: Boolean(req.native),
    // What the engine was (or would be) asked, plus Docker Prune's own unused-for and source filters.
    filters: [
      ...engineFilterStrings(req.policy.filters),
      ...(req.policy.filters.unusedFor ? [`unused-for=${req.policy.filters.unusedFor.raw}`] : []),
      ...(req.policy.filters.sources ?? []).map(sourceFilterText),
    ],
    protect: [...req.policy.protect],
    keepLatest: req.policy.keepLatest,
  };
}

function auditEnd(plan: Plan | undefined, result: PruneResult | undefined, failure: unknown, durationMs: number): PruneEnd {
  const outcome: AuditRecord['outcome'] =
    failure === undefined ? outcomeOf(result!) : failure instanceof DockerPruneError && failure.kind === 'busy' ? 'refused' : 'failed';
  return {
    plan: plan ? { images: plan.items.length, bytes: plan.spaceReclaimable } : null,
    result: result
      ? {
          deleted: countDeletedImages(result, plan),
          untagged: result.ImagesDeleted.filter((i) => 'Untagged' in i).length,
          skipped: result.skipped.length,
          spaceReclaimed: result.SpaceReclaimed,
          cancelled: result.cancelled,
        }
      : null,
    durationMs,
    outcome,
    error: failure === undefined ? undefined : errorMessage(failure),
    skippedIds: result ? new Set(result.skipped.map((s) => s.id)) : undefined,
  };
}

function auditWatermark({ marks, figures }: NonNullable<Preview['watermark']>): AuditWatermark {
  return { high: marks.high.raw, low: marks.low.raw, minimumAge: marks.minimumAgeRaw, basis: figures.basis, usedBytes: figures.usedBytes, predictedBytes: figures.predictedBytes };
}

/** How a prune that ran to its end went: cancelled part-way, some images skipped, or all done. */
function outcomeOf(result: PruneResult): PruneOutcomeKind {
  return result.cancelled ? 'cancelled' : result.skipped.length > 0 ? 'partial' : 'success';
}

/** `Deleted:` entries that are images (the engine also lists the layers it freed). */
export function countDeletedImages(result: PruneResult, plan: Plan | undefined): number {
  const known = new Set(plan?.items.map((i) => i.id));
  return result.ImagesDeleted.filter((i) => 'Deleted' in i && known.has(i.Deleted)).length;
}
