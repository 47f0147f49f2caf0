/**
 * A build-cache prune, start to finish, through the same machinery as an image prune: the per-engine lock, the
 * write-ahead audit (records marked `target: build-cache`), progress, and a result shaped like the engine's.
 *
 * By default it removes exactly the confirmed plan: `POST /build/prune` with `all` and an anchored `id` pattern
 * naming the planned records, children before parents, in batches (one progress step each). A record created or
 * taken up by a build since the preview is therefore never removed. `native` instead sends the policy itself, as
 * `docker builder prune` does, and lets BuildKit choose (what the engine-oracle tests compare the plan with).
 */
import { PruneJournal, type AuditLog, type PruneEnd, type RunningPrune } from '../audit';
import { planBuildCachePrune } from '../buildCache/planner';
import { assertSupported, enginePruneQuery, pinnedPruneQuery, policyStrings } from '../buildCache/policy';
import { readBuildCache } from '../buildCache/reader';
import type { BuildCachePlan, BuildCachePolicy, BuildCacheProgress, BuildCachePruneResult, BuildCacheSnapshot } from '../buildCache/model';
import type { DockerEngine } from '../engine/dockerEngine';
import { DockerPruneError, errorMessage } from '../errors';
import type { Trigger } from '../model';
import { acquireEngineLock } from './engineLock';
import type { PruneOutcomeKind } from './pruneJob';

/** Records per `POST /build/prune` when removing a plan (the id pattern stays a few kB long). */
export const PINNED_BATCH = 100;

export interface BuildCachePreview {
  readonly snapshot: BuildCacheSnapshot;
  readonly plan: BuildCachePlan;
}

export async function previewBuildCachePrune(engine: DockerEngine, policy: BuildCachePolicy): Promise<BuildCachePreview> {
  const snapshot = await readBuildCache(engine);
  assertSupported(policy, snapshot.profile.apiVersion, engine.endpoint.label);
  if (snapshot.profile.product === 'podman') {
    throw new DockerPruneError('invalid-input', `${engine.endpoint.label} is Podman, which keeps no BuildKit build cache to prune.`, { endpoint: engine.endpoint.label });
  }
  if (policy.space.minFreeSpace && snapshot.diskFreeBytes === undefined) {
    throw new DockerPruneError('invalid-input', `--min-free-space needs the free space where ${engine.endpoint.label} keeps its build cache, which only a local engine shows. Use --max-used-space or --keep-storage.`, { endpoint: engine.endpoint.label });
  }
  return { snapshot, plan: planBuildCachePrune(snapshot, policy) };
}

export interface BuildCachePruneRequest {
  readonly engine: DockerEngine;
  readonly policy: BuildCachePolicy;
  readonly trigger: Trigger;
  /** Let the engine choose by the policy (`docker builder prune`) instead of removing the plan. */
  readonly native?: boolean;
  /** The preview the user confirmed; without it a fresh one is made. */
  readonly confirmed?: BuildCachePreview;
  readonly audit?: AuditLog;
  /** Stops between batches; a batch sent is not called back. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BuildCacheProgress) => void;
  readonly onAuditError?: (error: unknown, record: string) => void;
  readonly onStart?: (prune: RunningPrune) => void;
}

export interface BuildCachePruneOutcome {
  readonly plan?: BuildCachePlan;
  readonly result: BuildCachePruneResult & { readonly cancelled: boolean };
  readonly outcome: PruneOutcomeKind;
  readonly durationMs: number;
}

export async function runBuildCachePrune(req: BuildCachePruneRequest): Promise<BuildCachePruneOutcome> {
  const started = Date.now();
  const journal = buildCacheJournal(req, started);
  req.onStart?.(journal);
  let plan = req.confirmed?.plan;
  let result: (BuildCachePruneResult & { cancelled: boolean }) | undefined;
  let failure: unknown;
  let lock: { release(): void } | undefined;
  try {
    lock = await acquireEngineLock(req.engine, req.trigger);
    await req.audit?.checkAppendable(); // refused before anything is deleted, as in pruneJob.ts
    const profile = await req.engine.profile();
    plan = (req.confirmed ?? (await previewBuildCachePrune(req.engine, req.policy))).plan;
    await journal.startSteps(
      plan.items.map((r) => ({ id: r.id, action: 'delete' as const, tags: r.description ? [r.description] : [], bytes: r.size })),
      plan.bytes,
      profile.engineId,
    );
    result = req.native ? await pruneNatively(req, profile.apiVersion) : await prunePlan(req, plan);
    const outcome: PruneOutcomeKind = result.cancelled ? 'cancelled' : result.notRemoved.length > 0 ? 'partial' : 'success';
    return { plan, result, outcome, durationMs: Date.now() - started };
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    lock?.release();
    await journal.end(buildCacheAuditEnd(plan, result, failure, Date.now() - started));
  }
}

/** Audits a build-cache prune that failed before it could start (the preview failed). */
export async function auditFailedBuildCachePrune(req: Omit<BuildCachePruneRequest, 'confirmed'>, failure: unknown, durationMs: number): Promise<void> {
  await buildCacheJournal(req, Date.now() - durationMs).end(buildCacheAuditEnd(undefined, undefined, failure, durationMs));
}

async function pruneNatively(req: BuildCachePruneRequest, apiVersion: string): Promise<BuildCachePruneResult & { cancelled: boolean }> {
  const res = await busyAware(req.engine, () => req.engine.pruneBuildCache(enginePruneQuery(req.policy, apiVersion), req.signal));
  const deleted = res.CachesDeleted ?? [];
  const gone = new Set(deleted);
  const planned = req.confirmed?.plan.items ?? [];
  req.onProgress?.({ done: planned.length, total: planned.length, bytes: res.SpaceReclaimed });
  return { CachesDeleted: deleted, SpaceReclaimed: res.SpaceReclaimed, notRemoved: planned.filter((r) => !gone.has(r.id)).map((r) => r.id), cancelled: false };
}

async function prunePlan(req: BuildCachePruneRequest, plan: BuildCachePlan): Promise<BuildCachePruneResult & { cancelled: boolean }> {
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
      throw new DockerPruneError('busy', `${engine.endpoint.label} is already pruning its build cache (the engine says: a prune operation is already running). Try again when it finishes.`, e.details);
    }
    throw e;
  }
}

function buildCacheJournal(req: Omit<BuildCachePruneRequest, 'confirmed'>, startedAt: number): PruneJournal {
  const report = req.onAuditError ?? ((err: unknown, line: string) => process.stderr.write(`docker-prune: audit record not written (${errorMessage(err)}): ${line}\n`));
  return new PruneJournal({
    log: req.audit,
    report,
    startedAt,
    base: {
      environment: req.engine.endpoint.label,
      trigger: req.trigger,
      mode: req.policy.mode,
      native: Boolean(req.native),
      filters: policyStrings(req.policy),
      protect: [],
      target: 'build-cache',
    },
  });
}

function buildCacheAuditEnd(plan: BuildCachePlan | undefined, result: (BuildCachePruneResult & { cancelled: boolean }) | undefined, failure: unknown, durationMs: number): PruneEnd {
  const outcome: PruneEnd['outcome'] =
    failure !== undefined
      ? failure instanceof DockerPruneError && failure.kind === 'busy'
        ? 'refused'
        : 'failed'
      : result!.cancelled
        ? 'cancelled'
        : result!.notRemoved.length > 0
          ? 'partial'
          : 'success';
  return {
    plan: plan ? { images: plan.items.length, bytes: plan.bytes } : null,
    result: result
      ? { deleted: result.CachesDeleted.length, untagged: 0, skipped: result.notRemoved.length, spaceReclaimed: result.SpaceReclaimed, cancelled: result.cancelled }
      : null,
    durationMs,
    outcome,
    error: failure === undefined ? undefined : errorMessage(failure),
    doneIds: result?.CachesDeleted,
    skippedIds: result ? new Set(result.notRemoved) : undefined,
  };
}
