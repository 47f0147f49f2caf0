/**
 * The configured environments list — the VS Code setting `dockerPrune.environments` and the CLI's config file
 * (`--config FILE`, `$DOCKER_PRUNE_CONFIG`, else `$XDG_CONFIG_HOME/docker-prune/config.json`), both:
 *
 *   { "environments": [ { "name": "build-box", "host": "ssh://me@build-box", "protected": true,
 *                         "ssh": { "identityFile": "~/.ssh/id_ed25519" } },
 *                       { "name": "ci", "host": "tcp://ci.example:2376",
 *                         "tls": { "ca": "~/certs/ca.pem", "cert": "~/certs/cert.pem", "key": "~/certs/key.pem" } } ] }
 *
 * Validation is per entry: a bad entry is a problem naming it, the others are still used.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configDirectory } from '../state/userFolders';
import { InvalidInputError } from '../errors';
import { foreignOwner, formatOf, newerFormatMessage } from '../state/stateFile';
import type { ConfiguredEnvironment } from './environment';

export interface ConfiguredParseResult {
  readonly environments: ConfiguredEnvironment[];
  readonly problems: Array<{ readonly source: string; readonly message: string }>;
}

const HOST_EXAMPLE = '"unix:///var/run/docker.sock", "tcp://host:2376" or "ssh://user@host"';

/** Validates a list as found in a setting or config file. `where` names it in messages. */
export function parseConfiguredEnvironments(value: unknown, where: string, env: NodeJS.ProcessEnv = process.env): ConfiguredParseResult {
  const problems: Array<{ source: string; message: string }> = [];
  const environments: ConfiguredEnvironment[] = [];
  if (value === undefined || value === null) return { environments, problems };
  if (!Array.isArray(value)) {
    return { environments, problems: [{ source: where, message: `${where}: "environments" must be a list of { "name", "host" } objects.` }] };
  }
  const names = new Set<string>();
  value.forEach((raw: unknown, i: number) => {
    const at = `${where}, environment #${i + 1}`;
    const o = raw as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return problems.push({ source: at, message: `${at}: expected an object with "name" and "host".` });
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    const source = name ? `setting:${name}` : at;
    if (!name) return problems.push({ source, message: `${at}: "name" is missing or empty.` });
    if (names.has(name)) return problems.push({ source, message: `${at}: the name "${name}" is used twice.` });
    const host = typeof o.host === 'string' ? o.host.trim() : '';
    if (!host) return problems.push({ source, message: `Environment "${name}" (${where}): "host" is missing; use ${HOST_EXAMPLE}.` });
    const bad = (field: string, what: string) => problems.push({ source, message: `Environment "${name}" (${where}): "${field}" must be ${what}.` });
    let tls: ConfiguredEnvironment['tls'];
    if (o.tls !== undefined && o.tls !== null) {
      const t = o.tls as Record<string, unknown>;
      if (typeof t !== 'object' || Array.isArray(t)) return bad('tls', 'an object { "ca", "cert", "key", "verify" }');
      for (const f of ['ca', 'cert', 'key'] as const) if (t[f] !== undefined && typeof t[f] !== 'string') return bad(`tls.${f}`, 'a file path');
      if (t.verify !== undefined && typeof t.verify !== 'boolean') return bad('tls.verify', 'true or false');
      tls = {
        ca: expandPath(t.ca as string | undefined, env),
        cert: expandPath(t.cert as string | undefined, env),
        key: expandPath(t.key as string | undefined, env),
        verify: t.verify as boolean | undefined,
      };
    }
    let ssh: ConfiguredEnvironment['ssh'];
    if (o.ssh !== undefined && o.ssh !== null) {
      const s = o.ssh as Record<string, unknown>;
      if (typeof s !== 'object' || Array.isArray(s))
        return bad('ssh', 'an object { "client", "configFile", "identityFile", "knownHostsFile", "strictHostKeyChecking" }');
      for (const f of ['identityFile', 'knownHostsFile', 'configFile'] as const)
        if (s[f] !== undefined && typeof s[f] !== 'string') return bad(`ssh.${f}`, 'a file path');
      const strict = s.strictHostKeyChecking;
      if (strict !== undefined && strict !== 'yes' && strict !== 'accept-new' && strict !== 'no')
        return bad('ssh.strictHostKeyChecking', '"yes", "accept-new" or "no"');
      const client = s.client;
      if (client !== undefined && client !== 'openssh' && client !== 'ssh2') return bad('ssh.client', '"openssh" or "ssh2"');
      const configFile = s.configFile as string | undefined;
      ssh = {
        client: client as 'openssh' | 'ssh2' | undefined,
        configFile: configFile !== undefined && configFile.toLowerCase() === 'none' ? 'none' : expandPath(configFile, env),
        identityFile: expandPath(s.identityFile as string | undefined, env),
        knownHostsFile: expandPath(s.knownHostsFile as string | undefined, env),
        strictHostKeyChecking: strict as 'yes' | 'accept-new' | 'no' | undefined,
      };
    }
    for (const f of ['readOnly', 'protected'] as const) if (o[f] !== undefined && typeof o[f] !== 'boolean') return bad(f, 'true or false');
    names.add(name);
    environments.push({ name, host, tls, ssh, readOnly: o.readOnly === true, protected: o.protected === true });
  });
  return { environments, problems };
}

/** `~/x` and `$HOME/x` → absolute; relative paths stay as given. */
function expandPath(p: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (p === undefined) return undefined;
  const home = env.HOME || os.homedir();
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p.replace(/^\$HOME(?=\/|$)/, home).replace(/^\$\{HOME\}(?=\/|$)/, home);
}

/** The CLI's config file: `--config FILE`, else `$DOCKER_PRUNE_CONFIG`, else `config.json` in the per-user config folder. */
function cliConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): { file: string; explicit: boolean } {
  if (explicit) return { file: path.resolve(explicit), explicit: true };
  if (env.DOCKER_PRUNE_CONFIG?.trim()) return { file: path.resolve(env.DOCKER_PRUNE_CONFIG.trim()), explicit: true };
  return { file: path.join(configDirectory({ env, home: env.HOME || undefined }), 'config.json'), explicit: false };
}

/** The newest config file format this version reads (`"format"`; a file without one is format 1). */
const CONFIG_FORMAT = 1;

/**
 * Reads the CLI config file. A missing default file is no problem; a missing explicit one, unreadable or invalid
 * JSON throws InvalidInputError; bad entries come back as problems. Unlike Docker Prune's own state files
 * (state/stateFile.ts) a damaged config file is never set aside or skipped: it is the user's, and going on without
 * it could drop a `protected` or `readOnly` flag. Nor is one from a newer format (its fields may mean more than this
 * version knows) or one another user owns (it names hosts and keys to use) trusted: each throws, saying so.
 */
export function loadCliConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfiguredParseResult & { file?: string } {
  const { file, explicit: isExplicit } = cliConfigPath(explicit, env);
  let text: string;
  try {
    const foreign = foreignOwner(file, 'the config file');
    if (foreign) throw new InvalidInputError(foreign);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !isExplicit) return { environments: [], problems: [] };
    throw new InvalidInputError(`Cannot read the config file ${file}: ${code === 'ENOENT' ? 'it does not exist' : (e as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`The config file ${file} is not valid JSON: ${(e as Error).message}.`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidInputError(`The config file ${file} must hold an object such as { "environments": [ { "name": "...", "host": "..." } ] }.`);
  }
  let format: number;
  try {
    format = formatOf(json as Record<string, unknown>, 'format');
  } catch (e) {
    throw new InvalidInputError(`The config file ${file}: ${(e as Error).message}; leave "format" out, or set it to ${CONFIG_FORMAT}.`);
  }
  if (format > CONFIG_FORMAT) throw new InvalidInputError(newerFormatMessage('the config file', file, format, CONFIG_FORMAT));
  return { ...parseConfiguredEnvironments((json as { environments?: unknown }).environments, file, env), file };
}
