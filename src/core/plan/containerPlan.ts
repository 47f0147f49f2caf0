/**
 * Stopped containers in a plan (PrunePolicy.containers, `--containers exited-for=30d`): Docker Prune's own, off by
 * default. Which stopped containers go, and why the others stay. A container qualifies when it is `exited` (stopped
 * at least `exited-for` ago by its `FinishedAt`) or `created` and never started (created at least that long ago), and
 * none of these keeps it:
 * 1. `dead`: the engine failed to remove it before; it is left to the user;
 * 2. `restart-policy`: `always` or `unless-stopped` would bring it back with the daemon;
 * 3. `keep-label`: it carries `docker-prune.keep` (containers/stoppedContainers.ts);
 * 4. `protected`: a protect pattern matches its name or one of its image's names;
 * 5. `recently-stopped`: it stopped (or was created) less than `exited-for` ago;
 * 6. `left-out`: the user unchecked it in the plan view (PlannerOptions.leaveOut holds container ids too).
 * Running, paused and restarting containers are never candidates. A stopped container whose inspect is missing (it
 * went between the list and the inspect) is not planned. The images are then planned on the snapshot without the
 * chosen containers, so the images they alone held go by the store's own rules; their bytes are the images' plus
 * each container's own writable bytes.
 */
import type { ContainerKeepReason, ImageRecord, KeptContainer, Plan, PlannedContainer, PrunePolicy, Snapshot, StoppedContainer } from '../model';
import { comesBack, STOPPED_STATES } from '../containers/stoppedContainers';
import type { PlannerOptions } from './plannerOptions';
import { compileImageProtection, compileProtectPatterns } from './protectPatterns';

/** The plan of `planImages` with the policy's stopped containers removed first (see the top of this file). */
export function planWithContainers(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions, planImages: (snapshot: Snapshot) => Plan): Plan {
  if (!policy.containers) return planImages(snapshot);
  const { chosen, kept } = chooseContainers(snapshot, policy, options);
  const gone = new Set(chosen.map((c) => c.id));
  const plan = planImages({ ...snapshot, containers: snapshot.containers.filter((c) => !gone.has(c.id)) });
  const containerBytes = chosen.reduce((sum, c) => sum + c.bytes, 0);
  return {
    ...plan,
    spaceReclaimable: plan.spaceReclaimable + containerBytes,
    ...(plan.engineReportedBytes !== undefined ? { engineReportedBytes: plan.engineReportedBytes + containerBytes } : {}),
    containers: chosen,
    keptContainers: kept,
  };
}

/** The stopped containers the policy removes, oldest stop first, and those that stay with their reason. */
function chooseContainers(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions = {}): { chosen: PlannedContainer[]; kept: KeptContainer[] } {
  const rule = policy.containers;
  const chosen: PlannedContainer[] = [];
  const kept: KeptContainer[] = [];
  if (!rule) return { chosen, kept };
  const nameProtected = compileProtectPatterns(policy.protect);
  const imageProtected = compileImageProtection(policy.protect);
  const images = new Map<string, ImageRecord>(snapshot.images.map((i) => [i.id, i]));
  const cutoff = snapshot.daemonNowNs - rule.exitedForNs;
  for (const record of snapshot.containers) {
    if (!STOPPED_STATES.has(record.state)) continue;
    const c = snapshot.stopped?.get(record.id);
    if (!c || !STOPPED_STATES.has(c.state)) continue;
    const image = images.get(record.imageId);
    const reason = reasonToKeep(c, {
      cutoff,
      // Its name, the name its image had when it was created (a tag may have moved on since), or its image's names now.
      protectedName: nameProtected(c.name) || nameProtected(record.imageRef) || (image !== undefined && imageProtected(image)),
      leftOut: options.leaveOut?.has(c.id) === true,
    });
    if (reason) kept.push({ id: c.id, name: c.name, reason });
    else chosen.push(plannedContainer(c));
  }
  chosen.sort((a, b) => compareNs(stoppedAt(a), stoppedAt(b)) || a.name.localeCompare(b.name));
  return { chosen, kept };
}

function reasonToKeep(c: StoppedContainer, ctx: { cutoff: bigint; protectedName: boolean; leftOut: boolean }): ContainerKeepReason | undefined {
  if (c.state === 'dead') return 'dead';
  if (comesBack(c.restartPolicy)) return 'restart-policy';
  if (c.keepLabel) return 'keep-label';
  if (ctx.protectedName) return 'protected';
  const at = stoppedAt(c);
  if (at === undefined || at > ctx.cutoff) return 'recently-stopped';
  if (ctx.leftOut) return 'left-out';
  return undefined;
}

/** When it stopped: `FinishedAt`, or for one never started, when it was created. */
function stoppedAt(c: Pick<StoppedContainer, 'state' | 'finishedNs' | 'createdNs'>): bigint | undefined {
  return c.state === 'created' ? c.createdNs : (c.finishedNs ?? c.createdNs);
}

function compareNs(a: bigint | undefined, b: bigint | undefined): number {
  return a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1;
}

function plannedContainer(c: StoppedContainer): PlannedContainer {
  return {
    kind: 'container',
    id: c.id,
    name: c.name,
    imageId: c.imageId,
    state: c.state,
    finishedAt: c.finishedAt,
    finishedNs: c.finishedNs,
    createdNs: c.createdNs,
    exitCode: c.exitCode,
    bytes: c.ownBytes ?? 0,
    composeProject: c.composeProject,
  };
}
