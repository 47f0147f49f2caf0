/**
 * Working on several environments at once: each gets its own engine, its own time limit and its own outcome, so
 * one slow or dead host never blocks or fails the others.
 */
import { forEachConcurrently } from '../concurrency';
import { DockerEngine, type EngineTimeouts } from '../engine/dockerEngine';
import { resolveEndpoint, type Endpoint } from '../engine/endpoint';
import { DockerPruneError, errorMessage } from '../errors';
import type { EnvironmentDescriptor } from './environment';

export type EnvironmentOutcome<T> =
  | { readonly environment: EnvironmentDescriptor; readonly ok: true; readonly value: T; readonly durationMs: number }
  | { readonly environment: EnvironmentDescriptor; readonly ok: false; readonly error: DockerPruneError; readonly durationMs: number };

export interface ForEachEnvironmentOptions {
  /** Environments worked on at the same time. Default 4. */
  readonly concurrency?: number;
  /**
   * Time limit per environment in ms (0 = none). Default 60 s. When it passes, that environment's outcome is a
   * `timeout` error at once and its `signal` is aborted; the others go on.
   */
  readonly timeoutMs?: number;
  /** Cancels everything not finished yet (outcomes: `cancelled`). */
  readonly signal?: AbortSignal;
  /** Called as each environment finishes, in finishing order (for live output). */
  readonly onSettled?: (outcome: EnvironmentOutcome<unknown>) => void;
}

export interface EnvironmentTask {
  readonly environment: EnvironmentDescriptor;
  /**
   * Aborted when this environment's time limit passes or everything is cancelled. Close the engine's endpoint
   * then (closeEndpoint), so requests still waiting on a hung engine end too.
   */
  readonly signal: AbortSignal;
}

/**
 * Runs `fn` for every environment, at most `concurrency` at once, each within `timeoutMs`. Never rejects:
 * every environment gets an outcome, in the order given.
 */
export async function forEachEnvironment<T>(
  environments: readonly EnvironmentDescriptor[],
  fn: (task: EnvironmentTask) => Promise<T>,
  options: ForEachEnvironmentOptions = {},
): Promise<Array<EnvironmentOutcome<T>>> {
  const limit = Math.max(1, options.concurrency ?? 4);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const outcomes: Array<EnvironmentOutcome<T>> = new Array(environments.length);

  const runOne = async (environment: EnvironmentDescriptor): Promise<EnvironmentOutcome<T>> => {
    const started = Date.now();
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      if (options.signal?.aborted) throw new DockerPruneError('cancelled', `Cancelled before ${environment.name} was reached.`);
      const limits: Array<Promise<never>> = [];
      if (timeoutMs > 0) {
        limits.push(
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              controller.abort();
              reject(
                new DockerPruneError(
                  'timeout',
                  `${environment.name} did not finish within ${formatSeconds(timeoutMs)}: the engine is slow or unreachable. The other environments were not held up.`,
                  { endpoint: environment.name },
                ),
              );
            }, timeoutMs);
          }),
        );
      }
      if (options.signal) {
        limits.push(
          new Promise<never>((_, reject) => {
            const cancel = () => reject(new DockerPruneError('cancelled', `Cancelled: ${environment.name}.`));
            if (options.signal!.aborted) cancel();
            else options.signal!.addEventListener('abort', cancel, { once: true });
          }),
        );
      }
      const work = fn({ environment, signal: controller.signal });
      work.catch(() => undefined); // settled later than a limit: nobody listens any more
      const value = await Promise.race([work, ...limits]);
      return { environment, ok: true, value, durationMs: Date.now() - started };
    } catch (e) {
      return { environment, ok: false, error: asEnvironmentError(e), durationMs: Date.now() - started };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
  };

  await forEachConcurrently(environments, limit, async (environment, i) => {
    const outcome = await runOne(environment);
    outcomes[i] = outcome;
    options.onSettled?.(outcome as EnvironmentOutcome<unknown>);
  });
  return outcomes;
}

function asEnvironmentError(e: unknown): DockerPruneError {
  if (e instanceof DockerPruneError) return e;
  return new DockerPruneError('api', errorMessage(e), { cause: e });
}

/**
 * The engine of an environment. Throws InvalidInputError when its configuration is wrong (unknown scheme,
 * missing TLS file…): call it inside the per-environment work so the error stays that environment's.
 */
export function openEnvironment(environment: EnvironmentDescriptor, timeouts?: EngineTimeouts): DockerEngine {
  const endpoint = resolveEndpoint({
    ...environment.endpoint,
    name: environment.name,
    readOnly: environment.readOnly === true,
    protected: environment.protected === true,
  });
  return timeouts ? new DockerEngine(endpoint, timeouts) : new DockerEngine(endpoint);
}

/** Closes what an endpoint holds open (an SSH connection, kept-alive TLS sockets). The engine can still be used: it reconnects. */
export function closeEndpoint(endpoint: Endpoint): void {
  endpoint.modemOptions.agent?.destroy();
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
