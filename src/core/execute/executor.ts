import type { DockerEngine } from '../engine/dockerEngine';
import type { ApiDeleteItem, ApiImageInspect } from '../engine/apiTypes';
import { normalizeImageId } from '../snapshot/records';
import { shortId } from '../engine/dockerEngine';
import { DockerPruneError, isNotFound } from '../errors';
import type { ImageDeleteItem, Plan, PlannedContainer, PlannedImage, PruneProgress, PruneResult, SkippedImage, Snapshot } from '../model';
import { isDigestRef, isSingleReference } from '../plan/references';
import { DiskLedger } from '../space/diskLedger';
import { forEachInDependencyOrder } from '../concurrency';
import { DELETE_WIDTH } from './deleteWidth';
import { RemovalTurns } from './removalTurns';
import { removePlannedContainer } from './containerStep';

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PruneProgress) => void;
  /**
   * Removals in flight at once (default DELETE_WIDTH for the snapshot's image store). With 1, the next image's checks
   * run while the current image is removed (RemovalTurns), its removals after.
   */
  readonly width?: number;
}

/** Thrown when the engine became unusable part-way; `partial` holds what was done before. */
export class PruneInterruptedError extends DockerPruneError {
  constructor(
    override readonly cause: DockerPruneError,
    readonly partial: PruneResult,
  ) {
    super(cause.kind, cause.message, cause.details);
    this.name = 'PruneInterruptedError';
  }
}

/**
 * Carries out exactly the confirmed plan, up to `width` removals at once (DELETE_WIDTH): its stopped containers first
 * (containerStep.ts: each only while it is still the one previewed), then its images, a parent only after every
 * child of it in the plan has finished. With one removal at a time on the graphdriver, the next image's checks run
 * while the current one is removed, and its removals wait for their turn (removalTurns.ts). Nothing outside the plan
 * goes:
 * - every name is removed only after the engine says it still names the planned image (a tag that moved to a new
 *   build is left alone and reported), and an image goes by id only when it has gained no name since the
 *   preview. The engine offers no conditional delete: the window between that check and the removal is one
 *   request long, plus, with turns, the removal of the step before (docs/engines.md: what remains);
 * - never `force`, and with `noprune` so the engine removes no parent the plan did not name;
 * - the delete by id is checked atomically by the engine: it refuses (409) an image a container uses or that has
 *   a child, so such an image is skipped with the reason;
 * - an image with several references loses the extra ones only after a check that no container uses it;
 * - cancellation is honoured before each step starts; when the engine stops answering (socket gone, connection
 *   refused or reset, time limit) nothing more starts: the steps in flight end with that error, the rest is
 *   reported as not attempted (PruneInterruptedError).
 * SpaceReclaimed counts the layers the graphdriver reports as freed (`Deleted: <chain id>`), as the engine does;
 * on the containerd store the pieces no image left holds once an image is gone (a blob shared by several images
 * counts when the last of them goes, whatever order they finish in); on Podman the bytes of each step done.
 */
export async function executePlan(engine: DockerEngine, plan: Plan, snapshot: Snapshot, options: ExecuteOptions = {}): Promise<PruneResult> {
  const store = snapshot.profile.store;
  const containers = plan.containers ?? [];
  // Made once the containers are done: the pieces of an image a removed container held are free with the image.
  let ledger: DiskLedger | undefined;
  // Images (with their ancestors) a planned container still holds because it was not removed: they stay too.
  let heldByStayed = new Map<string, string>();
  const containersDeleted: string[] = [];
  const deleted: ImageDeleteItem[] = [];
  const skipped: SkippedImage[] = [];
  let bytes = 0;
  let cancelled = false;
  let finished = 0;
  let fatal: { error: DockerPruneError; step: PlannedImage | PlannedContainer } | undefined;
  /** The engine stopped answering first to a step still checking (nothing sent to remove): where its error goes. */
  let checkFailure: { entry: SkippedImage; message: string } | undefined;
  const total = containers.length + plan.items.length;
  const width = options.width ?? DELETE_WIDTH[store];
  // One removal at a time: two image steps run at once, the second checking while the first removes. Not on Podman:
  // its steps have no order among themselves, and Podman 4.3 answers 500 to an inspect of an image whose parent is
  // being removed at that moment ("image not known"), where the graphdriver's parent waits for its children.
  const turns = width === 1 && store !== 'podman' ? new RemovalTurns() : undefined;
  const imageSteps = turns ? 2 : width;

  const result = (): PruneResult => ({
    ...(plan.containers ? { ContainersDeleted: containersDeleted } : {}),
    ImagesDeleted: deleted,
    SpaceReclaimed: bytes,
    skipped,
    cancelled,
  });
  const stop = () => {
    if (fatal) return true;
    if (options.signal?.aborted) cancelled = true;
    return cancelled;
  };
  /**
   * A failed step: skipped with its reason, or — the engine is gone or hung — nothing more starts (never one failed
   * request per image). A step in flight beside the first one to fail was sent, so it may have been carried out: its
   * error says so. Returns false when the step is to be reported as finished.
   */
  const failed = (e: unknown, step: PlannedImage | PlannedContainer, skipThis: (entry: SkippedImage) => void, removedNothing = false): boolean => {
    const err = e instanceof DockerPruneError ? e : new DockerPruneError('api', String(e));
    const status = err.details.status;
    const engineGone = status !== 404 && status !== 409 && !(err.kind === 'api' && status !== undefined);
    if (e instanceof NotSent || (removedNothing && engineGone)) {
      // Waiting for its turn, or still checking: this step sent no removal, so it stands with the steps not started.
      const entry =
        fatal || !(e instanceof NotSent)
          ? skip(step, 'not-attempted', 'Not attempted: the engine stopped answering.')
          : skip(step, 'cancelled', cancelledMessage(step));
      if (!(e instanceof NotSent) && !fatal) {
        fatal = { error: err, step };
        // The one error of the run, unless a step removing at that moment reports it (see the end).
        checkFailure = { entry, message: err.message };
      }
      skipped.push(entry);
      return true;
    }
    if (status === 404) skipThis(skip(step, 'not-found', 'Already gone from the engine.'));
    else if (status === 409)
      skipThis(skip(step, /container/i.test(err.message) && !err.details.changed ? 'in-use' : err.details.changed ? 'changed' : 'conflict', err.message));
    else if (!engineGone) skipThis(skip(step, 'error', err.message));
    else {
      // Neither advances the progress; the end record lists them as skipped.
      skipped.push(skip(step, 'error', fatal ? `${err.message} (sent before the engine stopped answering: it may be gone)` : err.message));
      fatal ??= { error: err, step };
      return true;
    }
    return false;
  };

  const removeContainer = async (index: number): Promise<void> => {
    const step = containers[index]!;
    let ownSkip: SkippedImage | undefined;
    try {
      await removePlannedContainer(engine, step);
      containersDeleted.push(step.id);
      bytes += step.bytes;
    } catch (e) {
      if (failed(e, step, (entry) => skipped.push((ownSkip = entry)))) return;
    }
    options.onProgress?.({ done: ++finished, total, bytes, current: step, skipped: ownSkip });
  };

  const runOne = async (index: number): Promise<void> => {
    const step = plan.items[index]!;
    // This step's own last skip entry: the others in flight add theirs to `skipped` meanwhile.
    let ownSkip: SkippedImage | undefined;
    const skipThis = (entry: SkippedImage) => {
      skipped.push(entry);
      ownSkip = entry;
    };
    const stayed = heldByStayed.get(step.id);
    if (stayed !== undefined) {
      // Planned as if that container were gone; it is not, so neither the image nor any of its names may go.
      skipThis(skip(step, 'in-use', `the stopped container ${stayed} was not removed, so the image it uses stays`));
      options.onProgress?.({ done: ++finished, total, bytes, current: step, skipped: ownSkip });
      return;
    }
    // With turns: this step's first removal waits until the steps started before it have ended (removalTurns.ts).
    const turn = turns?.take();
    let inTurn = !turn;
    const remove = async (ref: string): Promise<readonly ApiDeleteItem[]> => {
      if (!inTurn) {
        await turn!.ready;
        inTurn = true;
        if (stop()) throw new NotSent();
      }
      return engine.removeImage(ref, { noprune: true });
    };
    // A delete step whose image is gone was carried out, even when one of its names had moved on and was left alone.
    let carriedOut = false;
    const leftAlone = (name: string, message: string) => skipThis({ id: step.id, tags: [name], reason: 'changed', message });
    const mine: ImageDeleteItem[] = [];
    const record = (items: readonly ApiDeleteItem[]) => {
      for (const item of items) {
        if (item.Untagged) mine.push({ Untagged: item.Untagged });
        if (item.Deleted) {
          mine.push({ Deleted: normalizeImageId(item.Deleted) });
          if (store === 'graphdriver') bytes += ledger!.layerSize(item.Deleted);
        }
      }
    };
    try {
      if (store === 'containerd') await runContainerdStep(engine, step, { remove, record, leftAlone });
      else await runStep(engine, step, { remove, record, leftAlone });
      const gone = mine.some((x) => 'Deleted' in x && x.Deleted === step.id);
      // The containerd store names no freed piece: the ledger says what left the disk with this image.
      if (store === 'containerd' && step.action === 'delete' && gone) bytes += ledger!.release(step.id);
      if (store === 'podman' && step.action === 'delete') {
        if (!gone) mine.push({ Deleted: step.id }); // Podman answers without naming an image that had structural children
        bytes += step.bytes;
      }
      carriedOut = step.action === 'delete' && (gone || store === 'podman');
    } catch (e) {
      if (failed(e, step, skipThis, !inTurn)) return;
    } finally {
      deleted.push(...mine);
      turn?.end();
    }
    // One step finished: a one-step advance, which the audit journal records as done or skipped.
    options.onProgress?.({ done: ++finished, total, bytes, current: step, skipped: carriedOut ? undefined : ownSkip });
  };

  // The containers first (an image goes only once the containers on it are gone), then the images.
  const containersNotStarted = await forEachInDependencyOrder(containers.length, () => [], width, removeContainer, stop);
  const removed = new Set(containersDeleted);
  heldByStayed = imagesHeldBy(
    containers.filter((c) => !removed.has(c.id)),
    snapshot,
  );
  ledger = new DiskLedger(snapshot.images, store === 'containerd' ? snapshot.containers.filter((c) => !removed.has(c.id)) : []);
  const imagesNotStarted =
    fatal || cancelled
      ? plan.items.map((_, i) => i)
      : await forEachInDependencyOrder(plan.items.length, stepDependencies(plan, snapshot), imageSteps, runOne, stop);
  const notStarted = [...containersNotStarted.map((i) => containers[i]!), ...imagesNotStarted.map((i) => plan.items[i]!)];
  if (fatal) {
    // No step was removing when the engine stopped answering: the check that met it carries the run's one error.
    if (checkFailure && !skipped.some((s) => s.reason === 'error')) {
      skipped[skipped.indexOf(checkFailure.entry)] = { ...checkFailure.entry, reason: 'error', message: checkFailure.message };
    }
    for (const step of notStarted) skipped.push(skip(step, 'not-attempted', 'Not attempted: the engine stopped answering.'));
    options.onProgress?.({ done: total, total, bytes, current: fatal.step });
    throw new PruneInterruptedError(fatal.error, result());
  }
  for (const step of notStarted) skipped.push(skip(step, 'cancelled', cancelledMessage(step)));
  return result();
}

/** A step that waited for its turn while the run was cancelled or the engine stopped answering: it sent nothing. */
class NotSent extends Error {}

function cancelledMessage(step: PlannedImage | PlannedContainer): string {
  return `Cancelled before this ${'kind' in step ? 'container' : 'image'} was reached.`;
}

/** What a step does to the engine and records of it. */
interface StepOps {
  /** `DELETE /images/{ref}?noprune=1`, in this step's turn. */
  remove(ref: string): Promise<readonly ApiDeleteItem[]>;
  record(items: readonly ApiDeleteItem[]): void;
  leftAlone(name: string, message: string): void;
}

/** Image id → the name of a container (of these) that holds it: its own image and every ancestor of that image. */
function imagesHeldBy(containers: readonly PlannedContainer[], snapshot: Snapshot): Map<string, string> {
  const held = new Map<string, string>();
  if (containers.length === 0) return held;
  const parentOf = new Map(snapshot.images.map((img) => [img.id, img.parentId]));
  for (const c of containers) {
    for (let id: string | undefined = c.imageId; id && !held.has(id); id = parentOf.get(id)) held.set(id, c.name);
  }
  return held;
}

/**
 * For each step, the steps it waits for: on Docker an image's children in the plan go before it (the engine refuses
 * a parent with children). Podman runs the plan in its own order: it removes an image whose children stay (their
 * layers stay with them), and it ignores `noprune`, so a child removed first would take its now-dangling parent
 * along and the parent's own step would find it gone (the planner's order is the one libimage removes in).
 */
function stepDependencies(plan: Plan, snapshot: Snapshot): (index: number) => readonly number[] {
  if (snapshot.profile.store === 'podman') return () => [];
  const index = new Map(plan.items.map((step, i) => [step.id, i]));
  const parentOf = new Map(snapshot.images.map((img) => [img.id, img.parentId]));
  const children: number[][] = plan.items.map(() => []);
  plan.items.forEach((step, i) => {
    const parent = index.get(parentOf.get(step.id) ?? '');
    if (parent !== undefined && parent !== i) children[parent]!.push(i);
  });
  return (i) => children[i]!;
}

/**
 * One image of the graphdriver store or of Podman. Untag steps remove names the image keeps living without; delete
 * steps remove the extra names, then the image by id — which the engine refuses while a container uses it or a
 * child appeared.
 */
async function runStep(engine: DockerEngine, step: PlannedImage, { remove, record, leftAlone }: StepOps): Promise<void> {
  const stillOurs = async (ref: string) => {
    const now = await inspectOrNothing(engine, ref);
    if (now && sameImage(now.Id, step.id)) return true;
    // Gone already (removing a repository's last tag takes its digest references with it): nothing to do.
    if (now) leftAlone(ref, `${ref} now names image ${shortId(now.Id)}, not the planned ${shortId(step.id)}: left alone`);
    return false;
  };
  if (step.action === 'untag') {
    for (const ref of step.tags) if (await stillOurs(ref)) record(await remove(ref));
    return;
  }
  if (!isSingleReference(step.tags) && step.tags.length > 1) {
    const users = await engine.listContainers({ ancestor: [step.id] });
    const direct = users.find((c) => sameImage(c.ImageID, step.id));
    if (direct) {
      throw new DockerPruneError('api', `image is being used by container ${direct.Id.slice(0, 12)} (created after the preview)`, { status: 409 });
    }
    // Keep one tag (with its repository's digests) so the final delete by id is the engine's atomic, checked one.
    const tags = step.tags.filter((r) => !isDigestRef(r));
    for (const ref of tags.slice(0, -1)) {
      if (!(await stillOurs(ref))) continue;
      const items = await remove(ref);
      record(items);
      if (items.some((i) => i.Deleted && sameImage(i.Deleted, step.id))) return;
    }
  }
  await assertNoNewNames(engine, step);
  record(await remove(step.id));
}

/** An image deleted by id loses every name it has: only those the plan named may go. */
async function assertNoNewNames(engine: DockerEngine, step: PlannedImage): Promise<void> {
  const now = await inspectOrNothing(engine, step.id);
  if (!now) throw new DockerPruneError('api', 'Already gone from the engine.', { status: 404 });
  const planned = new Set(step.tags);
  const added = (now.RepoTags ?? []).filter((t) => t !== '<none>:<none>' && !planned.has(t));
  if (added.length > 0) {
    throw new DockerPruneError('api', `image gained the name${added.length > 1 ? 's' : ''} ${added.join(', ')} since the preview: left alone`, {
      status: 409,
      changed: true,
    });
  }
}

/** Podman leaves `sha256:` out of some ids. */
function sameImage(a: string, b: string): boolean {
  return normalizeImageId(a) === normalizeImageId(b);
}

/**
 * One image of the containerd store, where every name is a record of its own. Each name goes only while it still
 * names the planned image (a name moved to a new build is left alone and reported); the image itself goes by id
 * only while no name has come to it since the preview; the engine refuses (409) to remove the last record of an
 * image a container uses.
 */
async function runContainerdStep(engine: DockerEngine, step: PlannedImage, { remove, record, leftAlone }: StepOps): Promise<void> {
  if (step.tags.length > 1 || (step.tags.length > 0 && step.danglingRecord)) {
    const users = await engine.listContainers({ ancestor: [step.id] });
    const direct = users.find((c) => c.ImageID === step.id);
    if (direct) throw new DockerPruneError('api', `image is being used by container ${direct.Id.slice(0, 12)} (created after the preview)`, { status: 409 });
  }
  for (const name of step.tags) {
    const now = await inspectOrNothing(engine, name);
    if (now?.Id !== step.id) {
      // Gone already (removing a tag takes the repository's digest reference with it): nothing to do.
      if (now) leftAlone(name, `${name} now names image ${shortId(now.Id)}, not the planned ${shortId(step.id)}: left alone`);
      continue;
    }
    record(await remove(name));
  }
  const removeById = step.action === 'delete' ? step.tags.length === 0 || step.danglingRecord === true : step.danglingRecord === true;
  if (!removeById) return;
  if (step.action === 'untag') {
    record(await remove(`moby-dangling@${step.id}`));
    return;
  }
  // The last name may have taken the image's dangling record with it: then the image is gone, as planned.
  if (step.tags.length > 0 && !(await inspectOrNothing(engine, step.id))) return;
  await assertNoNewNames(engine, { ...step, tags: [] });
  record(await remove(step.id));
}

async function inspectOrNothing(engine: DockerEngine, ref: string): Promise<ApiImageInspect | undefined> {
  try {
    return await engine.inspectImage(ref);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function skip(step: PlannedImage | PlannedContainer, reason: SkippedImage['reason'], message: string): SkippedImage {
  if ('kind' in step) return { kind: 'container', id: step.id, tags: [step.name], reason, message };
  return { id: step.id, tags: step.tags, reason, message };
}
