/**
 * One stopped container of a plan (PrunePolicy.containers), removed only while it is still the one previewed: the
 * same id (a container recreated under its name has another), still stopped in the same state, with the same
 * `FinishedAt` (one that ran again since has another), and no restart policy that brings it back. Then
 * `DELETE /containers/{id}` without `force` — the engine itself refuses (409) a container that started in the one
 * request between that check and the removal — and without `v`: its volumes stay.
 */
import type { DockerEngine } from '../engine/dockerEngine';
import { DockerPruneError } from '../errors';
import type { PlannedContainer } from '../model';
import { comesBack } from '../containers/stoppedContainers';

/** @throws DockerPruneError with status 404 (gone), 409 (changed: `details.changed`, or running), or the engine's. */
export async function removePlannedContainer(engine: DockerEngine, c: PlannedContainer): Promise<void> {
  const now = await engine.inspectContainer(c.id);
  const state = now.State?.Status ?? '';
  const changed = (why: string) => new DockerPruneError('api', `container ${c.name} ${why} since the preview: left alone`, { status: 409, changed: true });
  if (state !== c.state) throw changed(state === 'running' || state === 'restarting' ? 'is running again' : `is now ${state || 'in an unknown state'}`);
  if ((now.State?.FinishedAt ?? '') !== c.finishedAt) throw changed('ran again');
  const restart = now.HostConfig?.RestartPolicy?.Name;
  if (comesBack(restart)) throw changed(`got the restart policy ${restart}`);
  await engine.removeContainer(c.id);
}
