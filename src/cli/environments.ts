/**
 * Which environments a CLI run works on (`--host`, `--context`, `--env`, `--all-envs`, or the one the docker CLI
 * would use, chosen by the docker CLI's own rule), with the engine time limits the options set. Running over several
 * of them is severalEnvironments.ts.
 */
import { DEFAULT_TIMEOUTS, type EngineTimeouts } from '../core/engine/dockerEngine';
import { redactHost } from '../core/engine/endpoint';
import {
  DEFAULT_CONTEXT,
  defaultEngine,
  discoverEnvironments,
  findEnvironment,
  loadCliConfig,
  missingContextMessage,
  readDockerContexts,
  resolveCurrentContext,
  type DiscoveryProblem,
  type EnvironmentDescriptor,
} from '../core/environments';
import { InvalidInputError } from '../core/errors';
import type { CliOptions } from './args';

export interface EnvironmentChoice {
  readonly environments: EnvironmentDescriptor[];
  /** More than one environment was asked for (or --all-envs): report per environment. */
  readonly multiple: boolean;
  readonly problems: DiscoveryProblem[];
}

/** What the CLI runs on, for tests: which platform's local engine is the default one, and the home folder. */
export interface CliSystem {
  readonly platform?: NodeJS.Platform;
  readonly home?: string;
}

/**
 * Resolves the CLI's environment flags. Without --env / --all-envs, the engine is chosen as the docker CLI chooses
 * it (docker/cli cli/command/cli.go resolveContextName; see core/environments/currentContext.ts): `--context`,
 * else `-H/--host`, else DOCKER_HOST, else DOCKER_CONTEXT, else config.json's currentContext, else the platform's
 * local engine. Throws InvalidInputError (exit 2) for --host with --context, and for a context or environment that
 * does not exist — DOCKER_CONTEXT's or config.json's included, where the docker CLI fails too.
 */
export async function chooseEnvironments(opts: CliOptions, env: NodeJS.ProcessEnv = process.env, system: CliSystem = {}): Promise<EnvironmentChoice> {
  if (opts.host !== undefined) {
    // Step 2: -H is the `default` context with that host (TLS still from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH).
    resolveCurrentContext({ hostFlag: opts.host, contextFlag: opts.contexts[0], env });
    return { environments: [defaultEngine(env, { ...system, host: opts.host })], multiple: false, problems: [] };
  }
  const config = loadCliConfig(opts.config, env);
  const discovery = await discoverEnvironments({ configured: config.environments, env, ...system });
  const { environments: all, problems } = discovery;
  problems.unshift(...config.problems);
  // A configured entry with the same host stands in for a found environment (its name, readOnly, protected apply).
  const byId = (id: string) => all.find((e) => e.id === id || e.replaces === id);

  if (opts.contexts.length > 0) {
    // Step 1: --context NAME (repeatable here); `default` is DOCKER_HOST, else the local engine.
    const ctx = readDockerContexts(env, system.home);
    const chosen = opts.contexts.map((name) => {
      const found = name === DEFAULT_CONTEXT ? (byId('docker-host') ?? byId('local')) : byId(`context:${name}`);
      if (!found) {
        const unusable = problems.find((p) => p.source === `context:${name}`);
        throw new InvalidInputError(
          unusable?.message ??
            missingContextMessage(
              { name, reason: '--context' },
              ctx.configDir,
              ctx.contexts.map((c) => c.name),
            ),
        );
      }
      return found;
    });
    return {
      environments: unique(chosen),
      multiple: chosen.length > 1,
      problems: problems.filter((p) => p.source.startsWith('context:') && opts.contexts.includes(p.source.slice(8))),
    };
  }
  if (opts.envs.length > 0) {
    const chosen = opts.envs.map((name) => {
      const found = findEnvironment(all, name) ?? findEnvironment(all, `setting:${name}`);
      if (!found) {
        const bad = problems.find((p) => p.source === `setting:${name}` || p.source === `context:${name}`);
        if (bad) throw new InvalidInputError(bad.message);
        throw new InvalidInputError(
          `No environment named "${name}" (there are: ${all.map((e) => e.name).join(', ')}). Configured environments come from ${config.file ?? 'the config file (--config FILE or $DOCKER_PRUNE_CONFIG)'}.`,
        );
      }
      return found;
    });
    return { environments: unique(chosen), multiple: chosen.length > 1, problems: [] };
  }
  if (opts.allEnvs) return { environments: all, multiple: true, problems };
  // Steps 3–6, as discovery marked them: DOCKER_HOST, else DOCKER_CONTEXT, else config.json's currentContext, else
  // the local engine. A context named there that does not exist fails, as in the docker CLI — never another engine.
  const current = all.find((e) => e.current);
  if (!current) throw new InvalidInputError(discovery.currentProblem?.message ?? 'The docker CLI\'s current context cannot be used (see "docker context ls").');
  // Warnings about this run's engine only: its context's, and DOCKER_HOST overriding a DOCKER_CONTEXT.
  return {
    environments: [current],
    multiple: false,
    problems: problems.filter((p) => p.source === 'DOCKER_CONTEXT' || (current.source === 'context' && p.source === current.id)),
  };
}

/** The endpoint name a single-environment run prints: the host itself for the default engine (as before environments existed). */
export function displayName(e: EnvironmentDescriptor): string {
  return e.source === 'local' || e.source === 'docker-host'
    ? redactHost(e.endpoint.host.startsWith('/') ? `unix://${e.endpoint.host}` : e.endpoint.host)
    : e.name;
}

function unique(list: EnvironmentDescriptor[]): EnvironmentDescriptor[] {
  return list.filter((e, i) => list.findIndex((x) => x.id === e.id) === i);
}

/** The engine's per-request time limits, with `--request-timeout` for reads and deletes when given. */
export function engineTimeouts(opts: Pick<CliOptions, 'requestTimeoutMs'>): EngineTimeouts {
  const t = opts.requestTimeoutMs;
  return t === undefined ? DEFAULT_TIMEOUTS : { readMs: t, diskUsageMs: t, deleteMs: t, pruneMs: Math.max(t, DEFAULT_TIMEOUTS.pruneMs) };
}
