import type { ParseArgsConfig } from 'util';
import { parseFlags } from './parseFlags';
import { InvalidInputError } from '../core/errors';
import { parseFilterArgs } from '../core/filters';
import { parseContainersOption } from '../core/filters/containersOption';
import type { PrunePolicy } from '../core/model';
import { parseWatermarkOption, type Watermarks } from '../core/plan/watermarkMarks';

export type Command = 'plan' | 'prune' | 'audit' | 'help' | 'version';

export interface CliOptions {
  readonly command: Command;
  readonly policy: PrunePolicy;
  readonly native: boolean;
  readonly host?: string;
  readonly json: boolean;
  readonly yes: boolean;
  readonly auditFile?: string;
  /** Docker contexts by name (`--context`, repeatable). */
  readonly contexts: readonly string[];
  /** Environments by name from the config file or discovery (`--env`, repeatable). */
  readonly envs: readonly string[];
  /** Every environment at once (`--all-envs`). */
  readonly allEnvs: boolean;
  /** The config file with the `environments` list (`--config`). */
  readonly config?: string;
  /** Names typed in advance to confirm pruning protected environments (`--confirm NAME`, repeatable). */
  readonly confirm: readonly string[];
  /** Time limit per environment for reading and planning, in ms (`--env-timeout SECONDS`). */
  readonly envTimeoutMs: number;
  /** Time limit of one engine request, in ms (`--request-timeout SECONDS`); undefined: the engine's defaults. */
  readonly requestTimeoutMs?: number;
  /** `audit`: how many of the most recent prunes to list (`--limit N`). */
  readonly limit?: number;
  /** A watermark prune (`--watermark HIGH:LOW`, `--minimum-age`): unused images, least recently used first. */
  readonly watermark?: Watermarks;
  /** Ask each pulled image's registry, through the engine, whether its manifest is still there (`--check-registry`). */
  readonly checkRegistry?: boolean;
}

/** How many prunes `docker-prune audit` lists by default. */
export const DEFAULT_AUDIT_LIMIT = 20;

/** Time limit per environment for reading its images and planning (a dead host must not hold the others up). */
export const DEFAULT_ENV_TIMEOUT_MS = 120_000;

/**
 * Every flag of `plan`, `prune` and `audit`, declared once: parseArgs reads it, and a unit test holds the usage
 * text (usage.ts) and the option table of docs/cli.md to it.
 */
export const CLI_FLAGS = {
  all: { type: 'boolean', short: 'a' },
  filter: { type: 'string', multiple: true, short: 'f' },
  protect: { type: 'string', multiple: true },
  'keep-latest': { type: 'string' },
  containers: { type: 'string' },
  native: { type: 'boolean' },
  host: { type: 'string', short: 'H', multiple: true },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'audit-file': { type: 'string' },
  context: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  'all-envs': { type: 'boolean' },
  config: { type: 'string' },
  confirm: { type: 'string', multiple: true },
  'env-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  limit: { type: 'string' },
  watermark: { type: 'string' },
  'minimum-age': { type: 'string' },
  'include-loaded': { type: 'boolean' },
  'check-registry': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Parses argv (without node and script). Throws InvalidInputError (exit code 2) on anything it does not accept. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseFlags(argv, CLI_FLAGS);
  const empty: PrunePolicy = { mode: 'dangling', filters: { labels: [] }, protect: [] };
  const none = { native: false, json: false, yes: false, contexts: [], envs: [], allEnvs: false, confirm: [], envTimeoutMs: DEFAULT_ENV_TIMEOUT_MS };
  if (values.help) return { command: 'help', policy: empty, ...none };
  if (values.version) return { command: 'version', policy: empty, ...none };
  if (positionals.length === 0)
    throw new InvalidInputError('Missing command: use "docker-prune plan", "docker-prune prune" or "docker-prune audit" (see --help).');
  const [command, ...extra] = positionals;
  if (command !== 'plan' && command !== 'prune' && command !== 'audit')
    throw new InvalidInputError(`Unknown command "${command}": use "plan", "prune" or "audit" (see --help).`);
  if (extra.length > 0) throw new InvalidInputError(`Unexpected argument "${extra[0]}" (see --help).`);
  if (command !== 'prune' && values.yes) throw new InvalidInputError('--yes only applies to "prune".');
  if (command !== 'audit' && values.limit !== undefined) throw new InvalidInputError('--limit only applies to "audit".');
  let limit: number | undefined;
  if (values.limit !== undefined) {
    const t = values.limit.trim();
    if (!/^\d+$/.test(t) || Number(t) < 1) throw new InvalidInputError(`Invalid --limit "${values.limit}": use a whole number of prunes to list, 1 or more.`);
    limit = Number(t);
  }

  const keepLatestRaw = values['keep-latest'];
  let keepLatest: number | undefined;
  if (keepLatestRaw !== undefined) {
    if (!/^\d+$/.test(keepLatestRaw.trim()) || Number(keepLatestRaw) < 1 || Number(keepLatestRaw) > 100000) {
      throw new InvalidInputError(`Invalid --keep-latest "${keepLatestRaw}": use a whole number of images to keep per repository, 1 or more.`);
    }
    keepLatest = Number(keepLatestRaw);
  }
  const protect = (values.protect ?? []).map((p) => {
    if (!p.trim() || /\s/.test(p)) throw new InvalidInputError(`Invalid --protect "${p}": use a glob on repo:tag such as "postgres:*" or "myteam/**".`);
    return p.trim();
  });
  if (command === 'audit' && (values.watermark !== undefined || values['minimum-age'] !== undefined))
    throw new InvalidInputError('--watermark and --minimum-age apply to "plan" and "prune".');
  if (values['minimum-age'] !== undefined && values.watermark === undefined)
    throw new InvalidInputError('--minimum-age only applies with --watermark HIGH:LOW.');
  if (values.watermark !== undefined && values.native)
    throw new InvalidInputError("--watermark chooses images one by one by last use; the engine's own prune (--native) cannot: use one or the other.");
  if (command === 'audit' && values['check-registry']) throw new InvalidInputError('--check-registry applies to "plan" and "prune".');
  if (values['include-loaded'] && values.watermark === undefined)
    throw new InvalidInputError(
      '--include-loaded only applies with --watermark HIGH:LOW (other prunes take loaded images as their filters say; add --filter source!=loaded to leave them).',
    );
  if (command === 'audit' && values.containers !== undefined) throw new InvalidInputError('--containers applies to "plan" and "prune".');
  const containers = values.containers === undefined ? undefined : parseContainersOption(values.containers);
  const marks = values.watermark === undefined ? undefined : parseWatermarkOption(values.watermark, values['minimum-age']);
  const watermark = marks && values['include-loaded'] ? { ...marks, includeLoaded: true } : marks;
  const policy: PrunePolicy = {
    // A watermark prune takes unused images, tagged ones too (least recently used first).
    mode: values.all || watermark ? 'all' : 'dangling',
    filters: parseFilterArgs(values.filter ?? []),
    protect,
    keepLatest,
    ...(containers ? { containers } : {}),
  };
  // As the docker CLI (cli/flags/options.go hostVar): one -H at most.
  if ((values.host?.length ?? 0) > 1)
    throw new InvalidInputError('specify only one -H (as in the docker CLI): --host chooses one engine; use --env or --all-envs for several.');
  const host = values.host?.[0];
  if (host !== undefined && !host.trim()) throw new InvalidInputError('Empty --host: use unix:///path/docker.sock, tcp://host:port or ssh://user@host.');
  const contexts = (values.context ?? []).map((c) => c.trim());
  const envs = (values.env ?? []).map((e) => e.trim());
  if (contexts.some((c) => !c)) throw new InvalidInputError('Empty --context: give a docker context name (see "docker context ls").');
  if (envs.some((e) => !e)) throw new InvalidInputError('Empty --env: give an environment name from the config file (or a context / "local" / "podman").');
  // As the docker CLI (cli/command/cli.go Initialize): a host and a context together are ambiguous.
  if (host !== undefined && contexts.length > 0)
    throw new InvalidInputError('conflicting options: cannot specify both --host and --context (as in the docker CLI).');
  const chosen = [host !== undefined && '--host', contexts.length > 0 && '--context', envs.length > 0 && '--env', values['all-envs'] && '--all-envs'].filter(
    Boolean,
  );
  if (chosen.length > 1)
    throw new InvalidInputError(`Use only one of ${chosen.join(', ')}: --host, --context, --env and --all-envs each choose the environments.`);
  if (values.config !== undefined && !values.config.trim())
    throw new InvalidInputError('Empty --config: give the path of a JSON file such as {"environments":[{"name":"…","host":"…"}]}.');
  const envTimeoutMs = values['env-timeout'] === undefined ? DEFAULT_ENV_TIMEOUT_MS : secondsOption('--env-timeout', values['env-timeout'], 60);
  const requestTimeoutMs = values['request-timeout'] === undefined ? undefined : secondsOption('--request-timeout', values['request-timeout'], 5);
  return {
    command,
    policy,
    requestTimeoutMs,
    native: Boolean(values.native),
    host,
    contexts,
    envs,
    allEnvs: Boolean(values['all-envs']),
    config: values.config?.trim(),
    confirm: (values.confirm ?? []).map((c) => c.trim()),
    envTimeoutMs,
    json: Boolean(values.json),
    yes: Boolean(values.yes),
    auditFile: values['audit-file'],
    limit,
    watermark,
    checkRegistry: Boolean(values['check-registry']),
  };
}

/** A positive number of seconds (at most a day), in ms. */
function secondsOption(flag: string, raw: string, example: number): number {
  const t = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(t) || Number(t) <= 0 || Number(t) > 86400) {
    throw new InvalidInputError(`Invalid ${flag} "${raw}": use a number of seconds, such as ${example}.`);
  }
  return Math.round(Number(t) * 1000);
}
