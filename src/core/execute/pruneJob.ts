import type { StoppedContainer } from '../model';
import type { PruneAuditBase } from '../audit';
import type { AuditWatermark } from '../audit/record';
import { engineFilterStrings, sourceFilterText } from '../filters';
import type { Plan, PrunePolicy, PruneProgress, PruneResult, Snapshot } from '../model';
import { planPrune } from '../plan/planner';
import { planWatermarkPrune, type DiskReading } from '../plan/watermarkPolicy';
import type { Watermarks } from '../plan/watermarkMarks';
import type { WatermarkFigures } from '../plan/watermarkPolicy';
import { SnapshotReader } from '../snapshot/snapshotReader';
import { executePlan, PruneInterruptedError } from './executor';
import { assertNativeCompatible, nativePrune } from './nativePrune';
import { auditFailedJob, requestAuditBase, runPruneJob, type PruneFigures, type PruneJobRequest, type PruneOutcomeKind } from './pruneRunner';

export type { PruneOutcomeKind } from './pruneRunner';

export interface Preview {
  readonly snapshot: Snapshot;
  readonly plan: Plan;
  /** Set for a watermark prune: its marks and the usage figures its plan was chosen by. */
  readonly watermark?: { readonly marks: Watermarks; readonly figures: WatermarkFigures; readonly disk?: DiskReading };
  /** Images the user left out of this prune (kept with reason `left-out`); re-plans keep leaving them out. */
  readonly leaveOut?: ReadonlySet<string>;
  /** Kept images that only stopped containers hold, with those containers (containers/stoppedPins.ts), where read. */
  readonly stoppedPins?: ReadonlyMap<string, readonly StoppedContainer[]>;
}

/**
 * Takes a snapshot and plans on it. `native` previews what the engine's own prune would do (engine parity).
 * `leaveOut`: images the user leaves out (see PlannerOptions.leaveOut).
 */
export async function previewPrune(reader: SnapshotReader, policy: PrunePolicy, native = false, leaveOut?: ReadonlySet<string>): Promise<Preview> {
  if (native) assertNativeCompatible(policy);
  const snapshot = await reader.read({ until: policy.filters.until, stoppedContainers: policy.containers !== undefined });
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

export interface PruneRequest extends PruneJobRequest {
  readonly policy: PrunePolicy;
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
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PruneProgress) => void;
}

export interface PruneOutcome {
  readonly plan?: Plan;
  readonly result: PruneResult;
  readonly outcome: PruneOutcomeKind;
  readonly durationMs: number;
}

/**
 * One image prune, start to finish, in the prune runner (pruneRunner.ts: read-only refusal, lock, audit pre-check,
 * journal, end record): the plan (or the confirmed one, on the engine it was made for), then its execution.
 */
export async function runPrune(req: PruneRequest): Promise<PruneOutcome> {
  return runPruneJob<Plan, PruneResult>(req, {
    base: auditBase(req),
    confirmed: req.confirmed?.plan,
    check: () => {
      if (req.native) assertNativeCompatible(req.policy);
    },
    run: async ({ journal, profile, planned }) => {
      // A confirmed plan was made for one engine: refuse when the address now leads to another (or it lies about itself).
      if (req.confirmed) req.engine.assertSameEngine(await req.engine.info(), profile, req.confirmed.snapshot.profile);
      if (req.native) {
        // The preview names which `Deleted:` entries are images (the engine mixes in layer ids) for the audit.
        const { plan, snapshot } = req.confirmed ?? (await previewPrune(req.reader ?? new SnapshotReader(req.engine), req.policy, true));
        planned(plan);
        await journal.start(plan, profile.engineId, undefined, snapshot.sources);
        return nativePrune(req.engine, req.policy, req.signal);
      }
      const preview = req.confirmed ?? (await (req.replan ?? (() => previewPrune(req.reader ?? new SnapshotReader(req.engine), req.policy)))());
      planned(preview.plan);
      await journal.start(preview.plan, profile.engineId, preview.watermark && auditWatermark(preview.watermark), preview.snapshot.sources);
      return executePlan(req.engine, preview.plan, preview.snapshot, {
        signal: req.signal,
        onProgress: (p) => {
          journal.progress(p);
          req.onProgress?.(p);
        },
      });
    },
    outcomeOf,
    figures: imageFigures,
    partial: (e) => (e instanceof PruneInterruptedError ? e.partial : undefined),
  });
}

/**
 * Audits a prune that failed before it could start (the preview itself failed: engine down, bad input), so
 * every prune a user asked for leaves a record.
 */
export async function auditFailedPrune(req: Omit<PruneRequest, 'confirmed'>, failure: unknown, durationMs: number): Promise<void> {
  await auditFailedJob(req, auditBase(req), failure, durationMs);
}

function auditBase(req: Omit<PruneRequest, 'confirmed'>): PruneAuditBase {
  return {
    ...requestAuditBase(req),
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

function imageFigures(plan: Plan | undefined, result: PruneResult | undefined): PruneFigures {
  return {
    plan: plan ? { images: plan.items.length, bytes: plan.spaceReclaimable, ...(plan.containers ? { containers: plan.containers.length } : {}) } : null,
    result: result
      ? {
          ...(result.ContainersDeleted ? { containersDeleted: result.ContainersDeleted.length } : {}),
          deleted: countDeletedImages(result, plan),
          untagged: result.ImagesDeleted.filter((i) => 'Untagged' in i).length,
          skipped: result.skipped.length,
          spaceReclaimed: result.SpaceReclaimed,
          cancelled: result.cancelled,
        }
      : null,
    skippedIds: result ? notCarriedOut(result) : undefined,
  };
}

function auditWatermark({ marks, figures }: NonNullable<Preview['watermark']>): AuditWatermark {
  return {
    high: marks.high.raw,
    low: marks.low.raw,
    minimumAge: marks.minimumAgeRaw,
    basis: figures.basis,
    usedBytes: figures.usedBytes,
    predictedBytes: figures.predictedBytes,
  };
}

/** How a prune that ran to its end went: cancelled part-way, some images skipped, or all done. */
function outcomeOf(result: PruneResult): PruneOutcomeKind {
  return result.cancelled ? 'cancelled' : result.skipped.length > 0 ? 'partial' : 'success';
}

/**
 * Steps the result names as skipped that were not carried out after all: a name of an image left alone (it had
 * moved on to a new build) is reported among the skipped, but when the image itself went, its delete step was done.
 */
function notCarriedOut(result: PruneResult): Set<string> {
  const deleted = new Set(result.ImagesDeleted.flatMap((i) => ('Deleted' in i ? [i.Deleted] : [])));
  return new Set(result.skipped.map((s) => s.id).filter((id) => !deleted.has(id)));
}

/** `Deleted:` entries that are images (the engine also lists the layers it freed). */
export function countDeletedImages(result: PruneResult, plan: Plan | undefined): number {
  const known = new Set(plan?.items.map((i) => i.id));
  return result.ImagesDeleted.filter((i) => 'Deleted' in i && known.has(i.Deleted)).length;
}
