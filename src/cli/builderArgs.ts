import type { ParseArgsConfig } from 'util';
import { parseFlags } from './parseFlags';
import { parseBuildCachePolicy } from '../core/buildCache/policy';
import type { BuildCachePolicy } from '../core/buildCache/model';
import { InvalidInputError } from '../core/errors';
import { DEFAULT_ENV_TIMEOUT_MS, type CliOptions } from './args';

export interface BuilderCliOptions {
  readonly command: 'plan' | 'prune';
  readonly policy: BuildCachePolicy;
  /** Let the engine choose by the policy, as `docker builder prune` does, instead of removing the plan. */
  readonly native: boolean;
  /** What the environment choice and the shared helpers read (host, contexts, envs, config, confirm, timeouts…). */
  readonly shared: CliOptions;
}

/** Every flag of `builder plan|prune`, declared once (see CLI_FLAGS). */
export const BUILDER_FLAGS = {
  all: { type: 'boolean', short: 'a' },
  filter: { type: 'string', multiple: true, short: 'f' },
  'keep-storage': { type: 'string' },
  'reserved-space': { type: 'string' },
  'max-used-space': { type: 'string' },
  'min-free-space': { type: 'string' },
  native: { type: 'boolean' },
  host: { type: 'string', short: 'H' },
  context: { type: 'string' },
  env: { type: 'string' },
  config: { type: 'string' },
  confirm: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'audit-file': { type: 'string' },
  'request-timeout': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Parses `docker-prune builder plan|prune …` (argv after `builder`). Throws InvalidInputError (exit code 2). */
export function parseBuilderArgs(argv: readonly string[]): BuilderCliOptions {
  const { values, positionals } = parseFlags(argv, BUILDER_FLAGS);
  const [command, ...extra] = positionals;
  if (command !== 'plan' && command !== 'prune')
    throw new InvalidInputError(`Use "docker-prune builder plan" or "docker-prune builder prune" (see --help)${command ? `, not "${command}"` : ''}.`);
  if (extra.length > 0) throw new InvalidInputError(`Unexpected argument "${extra[0]}" (see --help).`);
  if (command !== 'prune' && values.yes) throw new InvalidInputError('--yes only applies to "builder prune".');
  const chosen = [values.host !== undefined && '--host', values.context !== undefined && '--context', values.env !== undefined && '--env'].filter(Boolean);
  if (chosen.length > 1) throw new InvalidInputError(`Use only one of ${chosen.join(', ')}.`);
  for (const [flag, v] of [
    ['--host', values.host],
    ['--context', values.context],
    ['--env', values.env],
  ] as const) {
    if (v !== undefined && !v.trim()) throw new InvalidInputError(`Empty ${flag}.`);
  }
  const policy = parseBuildCachePolicy({
    all: values.all,
    filters: values.filter,
    keepStorage: values['keep-storage'],
    reservedSpace: values['reserved-space'],
    maxUsedSpace: values['max-used-space'],
    minFreeSpace: values['min-free-space'],
  });
  let requestTimeoutMs: number | undefined;
  if (values['request-timeout'] !== undefined) {
    const t = values['request-timeout'].trim();
    if (!/^\d+(\.\d+)?$/.test(t) || Number(t) <= 0 || Number(t) > 86400)
      throw new InvalidInputError(`Invalid --request-timeout "${t}": use a number of seconds, such as 5.`);
    requestTimeoutMs = Math.round(Number(t) * 1000);
  }
  const shared: CliOptions = {
    command,
    policy: { mode: policy.mode, filters: { labels: [] }, protect: [] },
    native: Boolean(values.native),
    host: values.host?.trim(),
    contexts: values.context !== undefined ? [values.context.trim()] : [],
    envs: values.env !== undefined ? [values.env.trim()] : [],
    allEnvs: false,
    config: values.config?.trim(),
    confirm: (values.confirm ?? []).map((c) => c.trim()),
    envTimeoutMs: DEFAULT_ENV_TIMEOUT_MS,
    requestTimeoutMs,
    json: Boolean(values.json),
    yes: Boolean(values.yes),
    auditFile: values['audit-file'],
  };
  return { command, policy, native: Boolean(values.native), shared };
}
