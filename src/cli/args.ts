import { parseArgs } from 'util';
import { InvalidInputError } from '../core/errors';
import { parseFilterArgs } from '../core/filters';
import type { PrunePolicy } from '../core/model';

export type Command = 'plan' | 'prune' | 'help' | 'version';

export interface CliOptions {
  readonly command: Command;
  readonly policy: PrunePolicy;
  readonly native: boolean;
  readonly host?: string;
  readonly json: boolean;
  readonly yes: boolean;
  readonly auditFile?: string;
}

/** Parses argv (without node and script). Throws InvalidInputError (exit code 2) on anything it does not accept. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        all: { type: 'boolean', short: 'a' },
        filter: { type: 'string', multiple: true, short: 'f' },
        protect: { type: 'string', multiple: true },
        'keep-latest': { type: 'string' },
        native: { type: 'boolean' },
        host: { type: 'string', short: 'H' },
        json: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        'audit-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new InvalidInputError(`${(e as Error).message.replace(/\. To specify.*$/s, '.')} See "docker-prune --help".`);
  }
  const { values, positionals } = parsed;
  const empty: PrunePolicy = { mode: 'dangling', filters: { labels: [] }, protect: [] };
  if (values.help) return { command: 'help', policy: empty, native: false, json: false, yes: false };
  if (values.version) return { command: 'version', policy: empty, native: false, json: false, yes: false };
  if (positionals.length === 0) throw new InvalidInputError('Missing command: use "docker-prune plan" or "docker-prune prune" (see --help).');
  const [command, ...extra] = positionals;
  if (command !== 'plan' && command !== 'prune') throw new InvalidInputError(`Unknown command "${command}": use "plan" or "prune" (see --help).`);
  if (extra.length > 0) throw new InvalidInputError(`Unexpected argument "${extra[0]}" (see --help).`);
  if (command === 'plan' && values.yes) throw new InvalidInputError('--yes only applies to "prune".');

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
  const policy: PrunePolicy = {
    mode: values.all ? 'all' : 'dangling',
    filters: parseFilterArgs(values.filter ?? []),
    protect,
    keepLatest,
  };
  if (values.host !== undefined && !values.host.trim()) throw new InvalidInputError('Empty --host: use unix:///path/docker.sock, tcp://host:port or ssh://user@host.');
  return {
    command,
    policy,
    native: Boolean(values.native),
    host: values.host,
    json: Boolean(values.json),
    yes: Boolean(values.yes),
    auditFile: values['audit-file'],
  };
}
