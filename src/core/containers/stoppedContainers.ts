/**
 * Stopped containers as the engine describes them: which states count as stopped, the label that keeps a container
 * from every prune, and one `inspect` (with size) per container. Nothing here removes anything.
 */
import { isNotFound } from '../errors';
import { forEachConcurrently } from '../concurrency';
import type { DockerEngine } from '../engine/dockerEngine';
import type { ContainerRecord, StoppedContainer } from '../model';
import { parseEngineTime } from '../snapshot/engineTime';

/** States in which a container holds its image without running (`docker container prune` removes these). */
export const STOPPED_STATES: ReadonlySet<string> = new Set(['exited', 'created', 'dead']);

/**
 * The label that keeps a container from every prune Docker Prune makes (`docker run --label docker-prune.keep=true`);
 * any value but `false` or `0` counts.
 */
export const KEEP_CONTAINER_LABEL = 'docker-prune.keep';

/** Whether a restart policy starts a stopped container again with the daemon (`always`, `unless-stopped`): such a container is not garbage. */
export function comesBack(restartPolicy: string | undefined): boolean {
  return restartPolicy === 'always' || restartPolicy === 'unless-stopped';
}

/** The label Compose puts on every container of a project. */
const COMPOSE_PROJECT = 'com.docker.compose.project';

/** The containers as the engine describes them now (one `inspect` with size each); one removed meanwhile is left out. */
export async function describeStoppedContainers(engine: DockerEngine, containers: readonly ContainerRecord[], concurrency = 8): Promise<StoppedContainer[]> {
  const described = new Map<string, StoppedContainer>();
  await forEachConcurrently(containers, concurrency, async (c) => {
    try {
      const inspect = await engine.inspectContainer(c.id, { size: true });
      const labels = inspect.Config?.Labels ?? {};
      const keep = labels[KEEP_CONTAINER_LABEL];
      described.set(c.id, {
        id: c.id,
        name: (inspect.Name ?? c.names[0] ?? c.id.slice(0, 12)).replace(/^\//, ''),
        state: inspect.State?.Status ?? c.state,
        imageId: c.imageId,
        finishedAt: inspect.State?.FinishedAt ?? '',
        finishedNs: time(inspect.State?.FinishedAt),
        createdNs: time(inspect.Created),
        exitCode: inspect.State?.Status === 'created' ? undefined : inspect.State?.ExitCode,
        ownBytes: inspect.SizeRw !== undefined && inspect.SizeRw >= 0 ? inspect.SizeRw : undefined,
        composeProject: labels[COMPOSE_PROJECT] || undefined,
        restartPolicy: inspect.HostConfig?.RestartPolicy?.Name || undefined,
        keepLabel: keep !== undefined && !/^(false|0)$/i.test(keep.trim()),
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  });
  return containers.flatMap((c) => described.get(c.id) ?? []);
}

/** Every stopped container of the list, described (for a policy that removes stopped containers). */
export async function readStoppedContainers(
  engine: DockerEngine,
  containers: readonly ContainerRecord[],
  concurrency = 8,
): Promise<ReadonlyMap<string, StoppedContainer>> {
  const stopped = containers.filter((c) => STOPPED_STATES.has(c.state));
  return new Map((await describeStoppedContainers(engine, stopped, concurrency)).map((c) => [c.id, c]));
}

/** An engine time, or undefined for none (the engine's `0001-01-01T00:00:00Z` for "never"). */
function time(value: string | undefined): bigint | undefined {
  const ns = value ? parseEngineTime(value) : undefined;
  return ns !== undefined && ns > 0n ? ns : undefined;
}
