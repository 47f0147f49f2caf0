/**
 * A build-cache prune, start to finish, through the same machinery as an image prune: the per-engine lock, the
 * write-ahead audit (records marked `target: build-cache`), progress, and a result shaped like the engine's.
 *
 * By default it removes exactly the confirmed plan: `POST /build/prune` with `all` and an anchored `id` pattern
 * naming the planned records, children before parents, in batches (one progress step each). A record created or
 * taken up by a build since the preview is therefore never removed. `native` instead sends the policy itself, as
 * `docker builder prune` does, and lets BuildKit choose (what the engine-oracle tests compare the plan with).
 */
import type { PruneAuditBase } from '../audit';
import { planBuildCachePrune } from '../buildCache/planner';
import { assertSupported, enginePruneQuery, pinnedPruneQuery, policyStrings } from '../buildCache/policy';
import { readBuildCache } from '../buildCache/reader';
import type { BuildCachePlan, BuildCachePolicy, BuildCacheProgress, BuildCachePruneResult, BuildCacheSnapshot } from '../buildCache/model';
import type { DockerEngine } from '../engine/dockerEngine';
import { DockerPruneError } from '../errors';
import { auditFailedJob, requestAuditBase, runPruneJob, type JobOutcome, type PruneFigures, type PruneJobRequest } from './pruneRunner';

/** Records per `POST /build/prune` when removing a plan (the id pattern stays a few kB long). */
const PINNED_BATCH = 100;

export interface BuildCachePreview {
  readonly snapshot: BuildCacheSnapshot;
  readonly plan: BuildCachePlan;
  /** The records the user left out (the plan view); they stay, with the records they are built on. */
  readonly leaveOut?: ReadonlySet<string>;
}

export async function previewBuildCachePrune(engine: DockerEngine, policy: BuildCachePolicy, leaveOut?: ReadonlySet<string>): Promise<BuildCachePreview> {
  const snapshot = await readBuildCache(engine);
  assertSupported(policy, snapshot.profile.apiVersion, engine.endpoint.label);
  if (snapshot.profile.product === 'podman') {
    throw new DockerPruneError('invalid-input', `${engine.endpoint.label} is Podman, which keeps no BuildKit build cache to prune.`, {
      endpoint: engine.endpoint.label,
    });
  }
  if (policy.space.minFreeSpace && snapshot.diskFreeBytes === undefined) {
    throw new DockerPruneError(
      'invalid-input',
      `--min-free-space needs the free space where ${engine.endpoint.label} keeps its build cache, which only a local engine shows. Use --max-used-space or --keep-storage.`,
      { endpoint: engine.endpoint.label },
    );
  }
  return { snapshot, plan: planBuildCachePrune(snapshot, policy, leaveOut), ...(leaveOut ? { leaveOut } : {}) };
}

/** The same snapshot planned again, leaving these records out (the plan view's checkboxes). */
export function replanBuildCacheLeavingOut(preview: BuildCachePreview, leaveOut: ReadonlySet<string>): BuildCachePreview {
  return { snapshot: preview.snapshot, plan: planBuildCachePrune(preview.snapshot, preview.plan.policy, leaveOut), leaveOut };
}

export interface BuildCachePruneRequest extends PruneJobRequest {
  readonly policy: BuildCachePolicy;
  /** Let the engine choose by the policy (`docker builder prune`) instead of removing the plan. */
  readonly native?: boolean;
  /** The preview the user confirmed; without it a fresh one is made. */
  readonly confirmed?: BuildCachePreview;
  /** Stops between batches; a batch sent is not called back. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BuildCacheProgress) => void;
}

type BuildCacheResult = BuildCachePruneResult & { readonly cancelled: boolean };

export type BuildCachePruneOutcome = JobOutcome<BuildCachePlan, BuildCacheResult>;

/** One build-cache prune in the prune runner (pruneRunner.ts): the plan (or the confirmed one), then its removal. */
export async function runBuildCachePrune(req: BuildCachePruneRequest): Promise<BuildCachePruneOutcome> {
  return runPruneJob<BuildCachePlan, BuildCacheResult>(req, {
    base: auditBase(req),
    confirmed: req.confirmed?.plan,
    run: async ({ journal, profile, planned }) => {
      const plan = (req.confirmed ?? (await previewBuildCachePrune(req.engine, req.policy))).plan;
      planned(plan);
      await journal.startSteps(
        plan.items.map((r) => ({ id: r.id, action: 'delete' as const, tags: r.description ? [r.description] : [], bytes: r.size })),
        plan.bytes,
        profile.engineId,
      );
      return req.native ? pruneNatively(req, profile.apiVersion) : prunePlan(req, plan);
    },
    outcomeOf: (result) => (result.cancelled ? 'cancelled' : result.notRemoved.length > 0 ? 'partial' : 'success'),
    figures: buildCacheFigures,
  });
}

/** Audits a build-cache prune that failed before it could start (the preview failed). */
export async function auditFailedBuildCachePrune(req: Omit<BuildCachePruneRequest, 'confirmed'>, failure: unknown, durationMs: number): Promise<void> {
  await auditFailedJob(req, auditBase(req), failure, durationMs);
}

async function pruneNatively(req: BuildCachePruneRequest, apiVersion: string): Promise<BuildCacheResult> {
  const res = await busyAware(req.engine, () => req.engine.pruneBuildCache(enginePruneQuery(req.policy, apiVersion), req.signal));
  const deleted = res.CachesDeleted ?? [];
  const gone = new Set(deleted);
  const planned = req.confirmed?.plan.items ?? [];
  req.onProgress?.({ done: planned.length, total: planned.length, bytes: res.SpaceReclaimed });
  return { CachesDeleted: deleted, SpaceReclaimed: res.SpaceReclaimed, notRemoved: planned.filter((r) => !gone.has(r.id)).map((r) => r.id), cancelled: false };
}

async function prunePlan(req: BuildCachePruneRequest, plan: BuildCachePlan): Promise<BuildCacheResult> {
  const deleted: string[] = [];
  let bytes = 0;
  let done = 0;
  const total = plan.items.length;
  req.onProgress?.({ done, total, bytes });
  for (let i = 0; i < total; i += PINNED_BATCH) {
    if (req.signal?.aborted) {
      const gone = new Set(deleted);
      return { CachesDeleted: deleted, SpaceReclaimed: bytes, notRemoved: plan.items.filter((r) => !gone.has(r.id)).map((r) => r.id), cancelled: true };
    }
    const batch = plan.items.slice(i, i + PINNED_BATCH);
    const res = await busyAware(req.engine, () => req.engine.pruneBuildCache(pinnedPruneQuery(batch.map((r) => r.id))));
    deleted.push(...(res.CachesDeleted ?? []));
    bytes += res.SpaceReclaimed;
    done += batch.length;
    req.onProgress?.({ done, total, bytes });
  }
  const gone = new Set(deleted);
  return { CachesDeleted: deleted, SpaceReclaimed: bytes, notRemoved: plan.items.filter((r) => !gone.has(r.id)).map((r) => r.id), cancelled: false };
}

async function busyAware<T>(engine: DockerEngine, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof DockerPruneError && e.details.status === 409) {
      throw new DockerPruneError(
        'busy',
        `${engine.endpoint.label} is already pruning its build cache (the engine says: a prune operation is already running). Try again when it finishes.`,
        e.details,
      );
    }
    throw e;
  }
}

function auditBase(req: Omit<BuildCachePruneRequest, 'confirmed'>): PruneAuditBase {
  return {
    ...requestAuditBase(req),
    filters: policyStrings(req.policy),
    protect: [],
    target: 'build-cache',
  };
}

function buildCacheFigures(plan: BuildCachePlan | undefined, result: BuildCacheResult | undefined): PruneFigures {
  return {
    plan: plan ? { images: plan.items.length, bytes: plan.bytes } : null,
    result: result
      ? {
          deleted: result.CachesDeleted.length,
          untagged: 0,
          skipped: result.notRemoved.length,
          spaceReclaimed: result.SpaceReclaimed,
          cancelled: result.cancelled,
        }
      : null,
    doneIds: result?.CachesDeleted,
    skippedIds: result ? new Set(result.notRemoved) : undefined,
  };
}
