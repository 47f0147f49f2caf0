/** Small helpers shared by the environment tests. */
import { DockerEngine } from '../../../src/core/engine/dockerEngine';
import { resolveEndpoint, type EndpointSpec } from '../../../src/core/engine/endpoint';
import { closeEndpoint } from '../../../src/core/environments';
import { DockerPruneError } from '../../../src/core/errors';

/** Runs `fn` with an engine for `spec` and closes its connections afterwards. */
export async function withEngine<T>(spec: EndpointSpec, fn: (engine: DockerEngine) => Promise<T>): Promise<T> {
  const engine = new DockerEngine(resolveEndpoint(spec));
  try {
    return await fn(engine);
  } finally {
    closeEndpoint(engine.endpoint);
  }
}

/** The DockerPruneError that `fn` fails with (resolving the endpoint included); fails the test if it succeeds. */
export async function failureOf(fn: () => Promise<unknown>): Promise<DockerPruneError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DockerPruneError) return e;
    throw new Error(`expected a DockerPruneError, got: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, { cause: e });
  }
  throw new Error('expected a failure, but it worked');
}

export function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
