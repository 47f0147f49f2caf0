import * as fs from 'fs';
import * as util from 'util';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { InvalidInputError } from '../errors';
import { createSshAgent, type SshSettings } from '../environments/sshTransport';
import { DEFAULT_NAMED_PIPE, DEFAULT_UNIX_SOCKET, defaultDockerHost, windowsPipeName } from './localEngine';

/**
 * Where an engine lives and how to reach it. `label` is safe to print: it never carries a password
 * or key material.
 */
export interface Endpoint {
  readonly name: string;
  /** e.g. `unix:///var/run/docker.sock`, `tcp://host:2376` — credentials stripped. */
  readonly label: string;
  readonly kind: 'unix' | 'tcp' | 'ssh' | 'npipe';
  /** Options for docker-modem. */
  readonly modemOptions: ModemOptions;
  /** Browse only: the prune runner refuses every prune here (the environment's `readOnly`). */
  readonly readOnly?: boolean;
  /** A prune needs the environment's name typed: the prune runner refuses one not confirmed so (`protected`). */
  readonly protected?: boolean;
}

/**
 * Options for docker-modem. Every key docker-modem would otherwise fill from DOCKER_HOST / DOCKER_CERT_PATH
 * is set here (possibly to undefined), so an environment is reached exactly as described, whatever the process
 * environment says.
 */
export interface ModemOptions {
  socketPath?: string;
  host?: string;
  port?: number | string;
  protocol?: 'http' | 'https' | 'ssh';
  username?: string;
  ca?: Buffer | Buffer[];
  cert?: Buffer;
  key?: Buffer;
  sshOptions?: Record<string, unknown>;
  /** TCP+TLS: an https.Agent carrying the TLS material and verification choice; SSH: a tunnel agent. */
  agent?: http.Agent;
  pathPrefix?: string;
  timeout?: number;
}

export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /**
   * Verify the server's certificate (against `ca` when given, else the system's CAs). Default true.
   * false = encrypt but accept any server certificate (DOCKER_TLS without DOCKER_TLS_VERIFY, a context's
   * SkipTLSVerify) — the client certificate is still presented.
   */
  readonly verify?: boolean;
}

export interface EndpointSpec {
  readonly name?: string;
  /** `unix:///path`, `tcp://host:port`, `ssh://user@host[:port]`, or a bare socket path. */
  readonly host: string;
  readonly tls?: TlsFiles;
  /** ssh:// hosts: which key to use and how to check the host key (see SshSettings). */
  readonly ssh?: SshSettings;
  /** Browse only (the environment's `readOnly`): carried onto the Endpoint, where the prune runner enforces it. */
  readonly readOnly?: boolean;
  /** The environment's `protected`: carried onto the Endpoint, where the prune runner enforces it. */
  readonly protected?: boolean;
}

/** Where the engine of the docker CLI's `default` context lives: the process environment, platform and home folder. */
export interface DefaultEndpointOptions {
  /** Defaults to process.platform: Windows' default engine is a named pipe, every other platform's a unix socket. */
  readonly platform?: NodeJS.Platform;
  /** For ~/.docker (DOCKER_CERT_PATH's default). Defaults to $HOME, else os.homedir(). */
  readonly home?: string;
  /** The `-H/--host` flag: replaces DOCKER_HOST, TLS still from DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH. */
  readonly host?: string;
}

/**
 * The engine of the docker CLI's `default` context (docker/cli v29.7.2 cli/command/cli.go
 * resolveDefaultDockerEndpoint + getServerHost, cli/flags/options.go, opts/hosts.go ParseHost):
 * - the host: the -H flag, else DOCKER_HOST (trimmed), else the platform's default — with TLS on and no host,
 *   `tcp://localhost:2376`, otherwise `npipe:////./pipe/docker_engine` on Windows, `unix:///var/run/docker.sock`
 *   elsewhere (see localEngine);
 * - TLS when DOCKER_TLS_VERIFY or DOCKER_TLS is set, with the files of DOCKER_CERT_PATH (default: the docker
 *   config dir) that exist; DOCKER_TLS_VERIFY also verifies the engine's certificate.
 */
export function defaultEndpointSpec(env: NodeJS.ProcessEnv = process.env, options: DefaultEndpointOptions = {}): EndpointSpec {
  const platform = options.platform ?? process.platform;
  const home = options.home ?? (env.HOME || os.homedir());
  const certPath = env.DOCKER_CERT_PATH?.trim() || path.join(env.DOCKER_CONFIG?.trim() || path.join(home, '.docker'));
  const verify = isSet(env.DOCKER_TLS_VERIFY);
  const tlsOnly = isSet(env.DOCKER_TLS);
  const host = options.host?.trim() || env.DOCKER_HOST?.trim() || defaultDockerHost(platform, verify || tlsOnly);
  // As the docker CLI: TLS when DOCKER_TLS_VERIFY or DOCKER_TLS is set (the files that exist are used).
  const existing = (f: string) => (fs.existsSync(path.join(certPath, f)) || verify ? path.join(certPath, f) : undefined);
  const tls: TlsFiles | undefined = verify || tlsOnly ? { ca: existing('ca.pem'), cert: existing('cert.pem'), key: existing('key.pem'), verify } : undefined;
  return { host, tls };
}

function isSet(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Strips a password from a URL-ish host string (and any query string, where tokens could hide). */
export function redactHost(host: string): string {
  return host.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@').replace(/\?.*$/, '?***');
}

const ACCEPTED = 'unix:///path/to/docker.sock, npipe:////./pipe/NAME, tcp://host:port, ssh://user@host[:port]';

export function resolveEndpoint(spec: EndpointSpec): Endpoint {
  const endpoint = reach(spec);
  return { ...endpoint, ...(spec.readOnly ? { readOnly: true } : {}), ...(spec.protected ? { protected: true } : {}) };
}

/** How to reach the engine a spec names. */
function reach(spec: EndpointSpec): Endpoint {
  const raw = spec.host.trim();
  const label = redactHost(raw);
  const name = spec.name ?? label;
  if (!raw) throw new InvalidInputError(`Empty Docker host: expected ${ACCEPTED}.`);
  if (raw.startsWith('/')) {
    return { name, label: `unix://${raw}`, kind: 'unix', modemOptions: unixOptions(raw) };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInputError(`Invalid Docker host "${label}": expected ${ACCEPTED}.`);
  }
  switch (url.protocol) {
    case 'unix:': {
      // `unix://` alone is the default socket, as in the docker CLI (opts.parseSimpleProtoAddr).
      const socketPath = decodeURIComponent(url.pathname || '') || DEFAULT_UNIX_SOCKET;
      return { name, label, kind: 'unix', modemOptions: unixOptions(socketPath) };
    }
    case 'npipe:':
      // `npipe:////./pipe/docker_engine` → `\\.\pipe\docker_engine`, the name Node opens on Windows; `npipe://` alone is
      // the default pipe (opts.parseSimpleProtoAddr). The URL parser would drop the `.`: the raw text is used.
      return { name, label, kind: 'npipe', modemOptions: unixOptions(windowsPipeName(raw.replace(/^npipe:\/\//i, '') || DEFAULT_NAMED_PIPE)) };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      if (!url.hostname) throw new InvalidInputError(`Invalid Docker host "${label}": no host name (expected tcp://host:port).`);
      if (url.username || url.password) {
        throw new InvalidInputError(`Invalid Docker host "${label}": tcp:// hosts take no user or password; use TLS client certificates.`);
      }
      const tls = spec.tls;
      const useTls = url.protocol === 'https:' || tls !== undefined || url.port === '2376';
      const options: ModemOptions = {
        ...NO_DEFAULTS,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (useTls ? 2376 : 2375),
        protocol: useTls ? 'https' : 'http',
        agent: useTls ? undefined : ownAgent(),
      };
      if (useTls) {
        const ca = tls?.ca ? readMaterial(tls.ca, 'CA certificate', label) : undefined;
        const cert = tls?.cert ? readMaterial(tls.cert, 'client certificate', label) : undefined;
        const key = tls?.key ? readMaterial(tls.key, 'client key', label) : undefined;
        if (Boolean(cert) !== Boolean(key)) {
          throw new InvalidInputError(
            `The TLS settings for ${label} name a client ${cert ? 'certificate but no key' : 'key but no certificate'}: give both, or neither.`,
          );
        }
        const verify = tls?.verify !== false;
        options.ca = ca;
        options.cert = cert;
        options.key = key;
        // docker-modem does not pass `rejectUnauthorized` on: an agent carries the whole TLS setup instead.
        options.agent = cheapToInspect(new https.Agent({ ca, cert, key, rejectUnauthorized: verify, keepAlive: true, maxSockets: 16 }));
      }
      return { name, label, kind: 'tcp', modemOptions: options };
    }
    case 'ssh:': {
      if (!url.hostname) throw new InvalidInputError(`Invalid Docker host "${label}": no host name (expected ssh://user@host[:port]).`);
      if (url.pathname && url.pathname !== '/') {
        throw new InvalidInputError(`Invalid Docker host "${label}": ssh:// hosts take no path (expected ssh://user@host[:port]).`);
      }
      // User and port only when written: otherwise the ssh config's (User, Port) or the defaults apply, as for
      // `ssh -l user -p port host`, which is what the docker CLI runs (docker/cli cli/connhelper/ssh/ssh.go).
      const port = url.port ? Number(url.port) : undefined;
      const username = decodeURIComponent(url.username) || undefined;
      const password = url.password ? decodeURIComponent(url.password) : undefined;
      const agent = cheapToInspect(createSshAgent({ host: url.hostname.replace(/^\[|\]$/g, ''), port, username, password, label, settings: spec.ssh ?? {} }));
      return {
        name,
        label,
        kind: 'ssh',
        // Plain HTTP over `docker system dial-stdio`: OpenSSH processes or ssh2 channels (see sshTransport).
        modemOptions: { ...NO_DEFAULTS, host: 'docker', port: 80, protocol: 'http', agent },
      };
    }
    default:
      throw new InvalidInputError(`Unsupported Docker host scheme "${url.protocol}" in "${label}": expected ${ACCEPTED}.`);
  }
}

/** Every option docker-modem would take from the process environment, explicitly unset. */
const NO_DEFAULTS: ModemOptions = {
  socketPath: undefined,
  host: undefined,
  port: undefined,
  protocol: undefined,
  username: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
  sshOptions: undefined,
  agent: undefined,
  pathPrefix: undefined,
  timeout: undefined,
};

function unixOptions(socketPath: string): ModemOptions {
  return { ...NO_DEFAULTS, socketPath, agent: ownAgent() };
}

/**
 * Every endpoint has its own agent, so closing it (closeEndpoint) also ends requests still in flight — a hung
 * engine abandoned at its time limit must not keep a CLI run alive.
 */
function ownAgent(): http.Agent {
  return cheapToInspect(new http.Agent({ keepAlive: true, maxSockets: 16 }));
}

/**
 * docker-modem formats every request's options with `util.inspect(…, { showHidden: true, depth: null })` for
 * its debug log, even when debug logging is off; an agent with live sockets then costs milliseconds per request
 * (measured: a 100-image snapshot took 8 s instead of 0.7 s). A one-line custom inspection keeps that free.
 */
function cheapToInspect<T extends http.Agent>(agent: T): T {
  Object.defineProperty(agent, util.inspect.custom, { value: () => `[${agent.constructor.name}]`, enumerable: false });
  return agent;
}

/**
 * Runs `fn` (which constructs a docker-modem) with DOCKER_HOST & co. hidden from it: docker-modem reads them
 * in its constructor, throws when DOCKER_HOST is malformed and reads DOCKER_CERT_PATH's files, which must not
 * break (or redirect) environments that have nothing to do with DOCKER_HOST. Synchronous, so nothing else
 * observes the change.
 */
export function withoutDockerEnv<T>(fn: () => T): T {
  const keys = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_PATH_PREFIX', 'DOCKER_CLIENT_TIMEOUT'];
  const saved = new Map<string, string>();
  for (const k of keys) {
    const v = process.env[k];
    if (v !== undefined) {
      saved.set(k, v);
      delete process.env[k];
    }
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) process.env[k] = v;
  }
}

function readMaterial(file: string, what: string, label: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new InvalidInputError(`The TLS ${what} for ${label}, ${file}, ${why}.`);
  }
}
