/**
 * What OpenSSH's client would use for `ssh [-l user] [-p port] host`, read from ssh_config files the way
 * ssh(1) reads them (openssh-portable readconf.c process_config_line / read_config_file_depth and
 * fill_default_options; ssh.c for the order of the files and the %-tokens):
 * - the files: `-F file` alone when given (`none`: no file), else ~/.ssh/config then /etc/ssh/ssh_config;
 * - keywords case-insensitive, `Keyword value` or `Keyword=value`, double quotes, `#` comments;
 * - `Host` patterns (`*`, `?`, `!negation`) matched, case-sensitively, against the host as given (an alias);
 * - the FIRST value obtained for a keyword wins (so `Host *` defaults go last), except IdentityFile, which
 *   accumulates; the URL's user and port come first, like ssh's -l and -p;
 * - `Include` (globs, `~`, relative to ~/.ssh or /etc/ssh), within the block it appears in;
 * - `Match all` applies; other `Match` blocks are not evaluated (they are skipped and listed in `skipped`) —
 *   the OpenSSH client, used whenever it is installed, evaluates them itself;
 * - %-tokens (%d %u %h %r %p %n %l %L %i %k %j %C %%) and `~` in IdentityFile, UserKnownHostsFile,
 *   GlobalKnownHostsFile, IdentityAgent; %h and %% in HostName; ${VAR} from the environment.
 *
 * Only the keywords the ssh2 fallback can act on are kept: HostName, User, Port, IdentityFile, IdentitiesOnly,
 * IdentityAgent, ProxyJump, ProxyCommand, StrictHostKeyChecking, UserKnownHostsFile, GlobalKnownHostsFile,
 * HostKeyAlias, ConnectTimeout.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvalidInputError } from '../errors';
import { globMatch } from './knownHosts';

export interface SshConfigQuery {
  /** The host as written after ssh:// (possibly a Host alias). */
  readonly host: string;
  /** From the URL; wins over the config like ssh's -l. */
  readonly user?: string;
  /** From the URL; wins over the config like ssh's -p. */
  readonly port?: number;
  /** Like ssh's -F: read this file only; `none`: no file. */
  readonly configFile?: string;
  /** The local user (%u, and the user when neither URL nor config names one). Default: the passwd entry's. */
  readonly localUser?: string;
  /** HOME and ${VAR} values. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The system-wide file. Default /etc/ssh/ssh_config. */
  readonly systemConfigFile?: string;
}

export interface JumpHost {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

export type StrictHostKeyChecking = 'yes' | 'accept-new' | 'no' | 'ask';

export interface SshHostConfig {
  /** The host as given (%n). */
  readonly alias: string;
  /** Where to connect (HostName, else the host as given) (%h). */
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
  /** IdentityFile values, expanded, in order (files that do not exist included); OpenSSH's defaults when none is configured. */
  readonly identityFiles: readonly string[];
  /** true when identityFiles are OpenSSH's defaults (none configured). */
  readonly defaultIdentityFiles: boolean;
  readonly identitiesOnly: boolean;
  /** IdentityAgent: a socket path, or undefined for $SSH_AUTH_SOCK; `none` disables the agent. */
  readonly identityAgent?: string;
  /** ProxyJump hops, first hop first ([] when none). */
  readonly proxyJump: readonly JumpHost[];
  /** ProxyCommand (not `none`). */
  readonly proxyCommand?: string;
  readonly strictHostKeyChecking?: StrictHostKeyChecking;
  readonly userKnownHostsFiles: readonly string[];
  readonly globalKnownHostsFiles: readonly string[];
  readonly hostKeyAlias?: string;
  readonly connectTimeoutSeconds?: number;
  /** The config files that were read. */
  readonly files: readonly string[];
  /** Directives not evaluated (e.g. `file:12 Match user x`), for diagnostics. */
  readonly skipped: readonly string[];
}

/** OpenSSH's default identities (readconf.c fill_default_options), in its order. */
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'];
const MAX_INCLUDE_DEPTH = 16;

/** Raw values, first obtained wins (arrays: IdentityFile accumulates; the *KnownHostsFile lists are one line's values). */
interface Collected {
  hostname?: string;
  user?: string;
  port?: number;
  identityfile: string[];
  identitiesonly?: boolean;
  identityagent?: string;
  proxy?: { jump: string } | { command: string };
  stricthostkeychecking?: StrictHostKeyChecking;
  userknownhostsfile?: string[];
  globalknownhostsfile?: string[];
  hostkeyalias?: string;
  connecttimeout?: number;
}

interface ReadContext {
  readonly host: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Collected;
  readonly files: string[];
  readonly skipped: string[];
}

/** Resolves `query` against the ssh_config files. Throws InvalidInputError on a line ssh itself would reject. */
export function resolveSshConfig(query: SshConfigQuery): SshHostConfig {
  const env = query.env ?? process.env;
  const home = env.HOME || os.homedir();
  // ssh takes the local user from the passwd entry (getpwuid), not $USER
  const localUser = query.localUser ?? safeUserName();
  const host = query.host;
  const ctx: ReadContext = { host, home, env, out: { identityfile: [] }, files: [], skipped: [] };
  const files: { file: string; userConf: boolean }[] = [];
  if (query.configFile !== undefined) {
    if (query.configFile.toLowerCase() !== 'none') files.push({ file: expandTilde(query.configFile, home), userConf: true });
  } else {
    files.push({ file: path.join(home, '.ssh', 'config'), userConf: true });
    files.push({ file: query.systemConfigFile ?? '/etc/ssh/ssh_config', userConf: false });
  }
  for (const f of files) readConfigFile(f.file, ctx, { active: true }, f.userConf, 0);

  const c = ctx.out;
  const hostName = c.hostname !== undefined ? expandTokens(c.hostname, { h: query.host }, 'HostName') : query.host;
  const port = query.port ?? c.port ?? 22;
  const user = query.user ?? c.user ?? localUser;
  const jumpSpec = c.proxy && 'jump' in c.proxy ? c.proxy.jump : undefined;
  const proxyJump = jumpSpec ? parseProxyJump(jumpSpec) : [];
  const tokens: Record<string, string> = {
    d: home,
    u: localUser,
    h: hostName,
    r: user,
    p: String(port),
    n: query.host,
    l: os.hostname(),
    L: os.hostname().split('.')[0]!,
    i: String(typeof process.getuid === 'function' ? process.getuid() : 0),
    k: c.hostkeyalias ?? query.host,
    j: jumpSpec ?? '',
  };
  tokens.C = createHash('sha1').update(`${tokens.l}${hostName}${port}${user}${tokens.j}`).digest('hex');
  const expandPath = (p: string, what: string) => expandTilde(expandEnv(expandTokens(p, tokens, what), env), home);

  const configured = c.identityfile.map((f) => expandPath(f, 'IdentityFile'));
  const identityFiles = configured.length ? configured : DEFAULT_IDENTITIES.map((n) => path.join(home, '.ssh', n));
  const listOr = (values: string[] | undefined, defaults: string[], what: string) =>
    values === undefined ? defaults : values.length === 1 && values[0]!.toLowerCase() === 'none' ? [] : values.map((v) => expandPath(v, what));
  const agent = c.identityagent;
  return {
    alias: query.host,
    hostName,
    port,
    user,
    identityFiles: dedupe(identityFiles),
    defaultIdentityFiles: configured.length === 0,
    identitiesOnly: c.identitiesonly ?? false,
    identityAgent:
      agent === undefined || agent === 'SSH_AUTH_SOCK'
        ? undefined
        : agent.toLowerCase() === 'none'
          ? 'none'
          : agent.startsWith('$')
            ? env[agent.slice(1)] || 'none'
            : expandPath(agent, 'IdentityAgent'),
    proxyJump,
    proxyCommand: c.proxy && 'command' in c.proxy && c.proxy.command.toLowerCase() !== 'none' ? c.proxy.command : undefined,
    strictHostKeyChecking: c.stricthostkeychecking,
    userKnownHostsFiles: listOr(c.userknownhostsfile, [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')], 'UserKnownHostsFile'),
    globalKnownHostsFiles: listOr(c.globalknownhostsfile, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'], 'GlobalKnownHostsFile'),
    hostKeyAlias: c.hostkeyalias,
    connectTimeoutSeconds: c.connecttimeout,
    files: ctx.files,
    skipped: ctx.skipped,
  };
}

/** `ProxyJump` value → hops: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated; `none` → []. */
export function parseProxyJump(spec: string): JumpHost[] {
  const s = spec.replace(/#.*$/, '').trim();
  if (!s || s.toLowerCase() === 'none') return [];
  return s.split(',').map((hop) => {
    const h = hop.trim();
    let m = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/i.exec(h);
    m ??= /^(?:(.+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(h);
    if (!m) throw new InvalidInputError(`Invalid ProxyJump hop "${h}" in the ssh config: expected [user@]host[:port].`);
    const port = m[3] ? Number(m[3]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) throw new InvalidInputError(`Invalid port in ProxyJump hop "${h}".`);
    return { host: m[2]!.replace(/^\[|\]$/g, ''), user: m[1] ? decodeURIComponent(m[1]) : undefined, port };
  });
}

function readConfigFile(file: string, ctx: ReadContext, state: { active: boolean }, userConf: boolean, depth: number, neverMatch = false): void {
  if (depth > MAX_INCLUDE_DEPTH) throw new InvalidInputError(`Too many nested Include directives in the ssh config (at ${file}).`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return; // ssh skips config files it cannot open
  }
  ctx.files.push(file);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const where = `${file} line ${i + 1}`;
    const words = splitLine(lines[i]!, where);
    if (!words.length) continue;
    const keyword = words[0]!.toLowerCase();
    const args = words.slice(1);
    switch (keyword) {
      case 'host': {
        if (!args.length) throw new InvalidInputError(`${where}: Host needs at least one pattern.`);
        state.active = !neverMatch && hostBlockMatches(args, ctx.host);
        continue;
      }
      case 'match': {
        if (args.length === 1 && args[0]!.toLowerCase() === 'all') state.active = !neverMatch;
        else {
          state.active = false;
          ctx.skipped.push(`${where}: Match ${args.join(' ')}`);
        }
        continue;
      }
      case 'include': {
        for (const arg of args) {
          let p = expandEnv(arg, ctx.env);
          if (!path.isAbsolute(p) && !p.startsWith('~')) p = userConf ? path.join(ctx.home, '.ssh', p) : path.join('/etc/ssh', p);
          const saved = state.active;
          for (const included of glob(expandTilde(p, ctx.home))) {
            readConfigFile(included, ctx, state, userConf, depth + 1, neverMatch || !saved);
            // a Host/Match inside an included file does not leak into the including file (readconf.c)
            state.active = saved;
          }
        }
        continue;
      }
    }
    if (!state.active) continue;
    setOption(ctx.out, keyword, args, where);
  }
}

function setOption(out: Collected, keyword: string, args: string[], where: string): void {
  const one = () => {
    if (!args.length) throw new InvalidInputError(`${where}: ${keyword} needs a value.`);
    return args[0]!;
  };
  switch (keyword) {
    case 'hostname':
      out.hostname ??= one();
      break;
    case 'user':
      out.user ??= one();
      break;
    case 'port': {
      const v = Number(one());
      if (!Number.isInteger(v) || v < 1 || v > 65535) throw new InvalidInputError(`${where}: bad port "${args[0]}".`);
      out.port ??= v;
      break;
    }
    case 'identityfile':
      out.identityfile.push(one());
      break;
    case 'identitiesonly':
      out.identitiesonly ??= yesNo(one(), where);
      break;
    case 'identityagent':
      out.identityagent ??= one();
      break;
    case 'proxyjump':
      // ProxyJump and ProxyCommand exclude each other: the first one set wins (readconf.c parse_jump).
      out.proxy ??= { jump: args.join(' ') || one() };
      break;
    case 'proxycommand':
      out.proxy ??= { command: args.join(' ') || one() };
      break;
    case 'stricthostkeychecking': {
      const v = one().toLowerCase();
      const map: Record<string, StrictHostKeyChecking> = { yes: 'yes', true: 'yes', no: 'no', false: 'no', off: 'no', ask: 'ask', 'accept-new': 'accept-new' };
      if (!map[v]) throw new InvalidInputError(`${where}: StrictHostKeyChecking must be yes, accept-new, no, off or ask.`);
      out.stricthostkeychecking ??= map[v];
      break;
    }
    case 'userknownhostsfile':
      one();
      out.userknownhostsfile ??= args;
      break;
    case 'globalknownhostsfile':
      one();
      out.globalknownhostsfile ??= args;
      break;
    case 'hostkeyalias':
      out.hostkeyalias ??= one();
      break;
    case 'connecttimeout': {
      const v = one().toLowerCase() === 'none' ? undefined : Number(one());
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new InvalidInputError(`${where}: bad ConnectTimeout "${args[0]}".`);
      if (out.connecttimeout === undefined && v !== undefined) out.connecttimeout = v;
      break;
    }
    default:
      // every other keyword matters only to the OpenSSH client
      break;
  }
}

function yesNo(v: string, where: string): boolean {
  const l = v.toLowerCase();
  if (l === 'yes' || l === 'true') return true;
  if (l === 'no' || l === 'false') return false;
  throw new InvalidInputError(`${where}: expected yes or no, not "${v}".`);
}

/** A `Host` line matches when one pattern matches and no negated pattern does (readconf.c oHost). */
function hostBlockMatches(patterns: string[], host: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (globMatch(negated ? p.slice(1) : p, host)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * One config line → words: whitespace-separated, `=` allowed once after the keyword, double quotes group,
 * an unquoted word starting with `#` ends the line (misc.c argv_split with comments on).
 */
export function splitLine(line: string, where = 'ssh config'): string[] {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (ch: string) => ch === ' ' || ch === '\t';
  while (i < n) {
    while (i < n && isSpace(line[i]!)) i++;
    // `Keyword=value` / `Keyword = value`: one '=' right after the keyword is a separator
    if (words.length === 1 && line[i] === '=') {
      i++;
      while (i < n && isSpace(line[i]!)) i++;
    }
    if (i >= n) break;
    if (line[i] === '#') break;
    let word = '';
    let quoted = false;
    for (; i < n; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"') quoted = false;
        else word += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\' || isSpace(line[i + 1] ?? ''))) word += line[++i];
      else if (isSpace(ch)) break;
      else if (words.length === 0 && ch === '=') break;
      else word += ch;
    }
    if (quoted) throw new InvalidInputError(`${where}: unterminated quote.`);
    words.push(word);
  }
  return words;
}

/** %-tokens as ssh's percent_expand: an unknown token is an error, like in ssh. */
function expandTokens(s: string, tokens: Record<string, string>, what: string): string {
  return s.replace(/%(.)/g, (all, t: string) => {
    if (t === '%') return '%';
    const v = tokens[t];
    if (v === undefined) throw new InvalidInputError(`The ssh config's ${what} "${s}" uses the unknown token %${t}.`);
    return v;
  });
}

function expandEnv(s: string, env: NodeJS.ProcessEnv): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_all, name: string) => {
    const v = env[name];
    if (v === undefined) throw new InvalidInputError(`The ssh config uses \${${name}}, which is not set.`);
    return v;
  });
}

function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  const m = /^~([^/]+)(\/.*)?$/.exec(p);
  if (m && m[1] === safeUserName()) return path.join(home, m[2] ?? '');
  return p;
}

/** Minimal glob(3) for Include: `*`, `?` and `[…]` in any path component, sorted, dot files only when asked for. */
function glob(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return [pattern];
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : '.'];
  for (let k = parts[0] === '' ? 1 : 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (!part) continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?[]/.test(part)) {
        next.push(path.join(base, part));
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(base).sort();
      } catch {
        continue;
      }
      const re = new RegExp(
        '^' +
          part
            .replace(/[.+^${}()|\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.') +
          '$',
      );
      for (const name of names) if ((part.startsWith('.') || !name.startsWith('.')) && re.test(name)) next.push(path.join(base, name));
    }
    bases = next;
  }
  return bases.filter((f) => {
    try {
      return fs.statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || 'root';
  }
}
