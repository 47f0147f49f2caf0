/**
 * Which docker context the docker CLI uses — its own rule, docker/cli v29.7.2 cli/command/cli.go
 * `resolveContextName` (checked against docker 28.2.2 on the command line):
 *
 *   1. the `--context` flag;
 *   2. `default` when the `-H/--host` flag is given;
 *   3. `default` when DOCKER_HOST is set (not empty) — so DOCKER_HOST beats DOCKER_CONTEXT;
 *   4. DOCKER_CONTEXT;
 *   5. config.json's `currentContext` (not checked here: a context that does not exist fails when used);
 *   6. `default`.
 *
 * `--context` and `--host` together are refused ("conflicting options: cannot specify both --host and --context",
 * DockerCli.Initialize). The `default` context is the -H host, else DOCKER_HOST, else the platform's local engine
 * (engine/endpoint.ts defaultEndpointSpec) — so `--context default` or DOCKER_CONTEXT=default with DOCKER_HOST set
 * is DOCKER_HOST. A context stored under the name `default` is never used (the name is reserved).
 */
import * as path from 'path';
import { InvalidInputError } from '../errors';

export const DEFAULT_CONTEXT = 'default';

/** Which step of the rule chose the context. */
export type CurrentContextReason = '--context' | '--host' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'currentContext' | 'none';

export interface CurrentContext {
  readonly name: string;
  readonly reason: CurrentContextReason;
  /** DOCKER_CONTEXT or config.json's context, when an earlier step (a flag, DOCKER_HOST) took precedence over it. */
  readonly overridden?: { readonly name: string; readonly reason: 'DOCKER_CONTEXT' | 'currentContext' };
}

export interface CurrentContextInputs {
  /** The CLI's `--context NAME`. */
  readonly contextFlag?: string;
  /** The CLI's `-H/--host HOST`. */
  readonly hostFlag?: string;
  /** DOCKER_HOST and DOCKER_CONTEXT are read from here. */
  readonly env: NodeJS.ProcessEnv;
  /** config.json's `currentContext`. */
  readonly configured?: string;
}

/** The docker CLI's choice of context. Throws InvalidInputError for `--context` with `--host`, as the docker CLI does. */
export function resolveCurrentContext({ contextFlag, hostFlag, env, configured }: CurrentContextInputs): CurrentContext {
  const flagContext = contextFlag?.trim();
  const flagHost = hostFlag?.trim();
  if (flagContext && flagHost) throw new InvalidInputError('conflicting options: cannot specify both --host and --context (as in the docker CLI).');
  const envContext = env.DOCKER_CONTEXT?.trim();
  const fileContext = configured?.trim();
  const below = envContext
    ? { name: envContext, reason: 'DOCKER_CONTEXT' as const }
    : fileContext
      ? { name: fileContext, reason: 'currentContext' as const }
      : undefined;
  const over = (name: string, reason: CurrentContextReason): CurrentContext =>
    below && below.name !== name ? { name, reason, overridden: below } : { name, reason };
  if (flagContext) return over(flagContext, '--context');
  if (flagHost) return over(DEFAULT_CONTEXT, '--host');
  // The docker CLI tests `os.Getenv("DOCKER_HOST") != ""`: a DOCKER_HOST of spaces still selects `default`
  // (whose host is then the platform's default).
  if (env.DOCKER_HOST) return over(DEFAULT_CONTEXT, 'DOCKER_HOST');
  if (below) return below;
  return { name: DEFAULT_CONTEXT, reason: 'none' };
}

/** Where the choice came from, in words: `DOCKER_CONTEXT`, `currentContext in /home/me/.docker/config.json`, … */
function describeReason(reason: CurrentContextReason, configDir: string): string {
  switch (reason) {
    case 'currentContext':
      return `currentContext in ${path.join(configDir, 'config.json')}`;
    case 'none':
      return 'nothing set';
    default:
      return reason;
  }
}

/**
 * The chosen context is not in the store. The docker CLI fails then ("context "x": context not found"); so do
 * we, saying which setting named it and what exists.
 */
export function missingContextMessage(choice: CurrentContext, configDir: string, known: readonly string[]): string {
  const where = path.join(configDir, 'contexts');
  const there = `(there are: ${[DEFAULT_CONTEXT, ...known.filter((k) => k !== DEFAULT_CONTEXT)].join(', ')})`;
  switch (choice.reason) {
    case 'DOCKER_CONTEXT':
      return `DOCKER_CONTEXT names the docker context "${choice.name}", which does not exist in ${where} ${there}. The docker CLI fails the same way: unset DOCKER_CONTEXT or set it to one of those (see "docker context ls").`;
    case 'currentContext':
      return `The current docker context "${choice.name}" (${describeReason(choice.reason, configDir)}) does not exist in ${where} ${there}. The docker CLI fails the same way: run "docker context use default" or pick one from "docker context ls".`;
    default:
      return `No docker context named "${choice.name}" in ${configDir} ${there}. See "docker context ls".`;
  }
}

/**
 * DOCKER_HOST took precedence over a DOCKER_CONTEXT naming another context: worth saying, since the user set both
 * (the docker CLI says it in `docker context ls` / `docker context use`). A config.json context under DOCKER_HOST
 * is the usual case and not repeated on every run; a flag beating the environment is what flags are for.
 */
export function overriddenContextNotice(choice: CurrentContext): string | undefined {
  const o = choice.overridden;
  if (choice.reason !== 'DOCKER_HOST' || !o || o.reason !== 'DOCKER_CONTEXT' || o.name === DEFAULT_CONTEXT) return undefined;
  return `DOCKER_CONTEXT="${o.name}" is not used: DOCKER_HOST is set, and the docker CLI then uses DOCKER_HOST (the "default" context). Unset DOCKER_HOST to use "${o.name}".`;
}
