import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvalidInputError } from '../errors';

/**
 * Where an engine lives and how to reach it. `label` is safe to print: it never carries a password
 * or key material.
 */
export interface Endpoint {
  readonly name: string;
  /** e.g. `unix:///var/run/docker.sock`, `tcp://host:2376` — credentials stripped. */
  readonly label: string;
  readonly kind: 'unix' | 'tcp' | 'ssh' | 'npipe';
  /** Options for dockerode / docker-modem. */
  readonly modemOptions: ModemOptions;
}

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
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Verify the server's certificate against `ca` (DOCKER_TLS_VERIFY). */
  readonly verify?: boolean;
}

export interface EndpointSpec {
  readonly name?: string;
  /** `unix:///path`, `tcp://host:port`, `ssh://user@host[:port]`, or a bare socket path. */
  readonly host: string;
  readonly tls?: TlsFiles;
}

/** The engine the Docker CLI would talk to: `DOCKER_HOST` (with DOCKER_TLS_VERIFY / DOCKER_CERT_PATH) or the local socket. */
export function defaultEndpointSpec(env: NodeJS.ProcessEnv = process.env): EndpointSpec {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return { host: `unix://${DEFAULT_SOCKET}` };
  const certPath = env.DOCKER_CERT_PATH?.trim() || path.join(os.homedir(), '.docker');
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  const tls: TlsFiles | undefined =
    verify || env.DOCKER_CERT_PATH
      ? { ca: path.join(certPath, 'ca.pem'), cert: path.join(certPath, 'cert.pem'), key: path.join(certPath, 'key.pem'), verify }
      : undefined;
  return { host, tls };
}

/** Strips a password from a URL-ish host string. */
export function redactHost(host: string): string {
  return host.replace(/^([a-z]+:\/\/[^:/@]+):[^@/]*@/i, '$1:***@');
}

const ACCEPTED = 'unix:///path/to/docker.sock, tcp://host:port, ssh://user@host[:port]';

export function resolveEndpoint(spec: EndpointSpec): Endpoint {
  const raw = spec.host.trim();
  const label = redactHost(raw);
  const name = spec.name ?? label;
  if (raw.startsWith('/')) {
    return { name, label: `unix://${raw}`, kind: 'unix', modemOptions: { socketPath: raw } };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInputError(`Invalid Docker host "${label}": expected ${ACCEPTED}.`);
  }
  switch (url.protocol) {
    case 'unix:': {
      const socketPath = decodeURIComponent(url.pathname || '');
      if (!socketPath) throw new InvalidInputError(`Invalid Docker host "${label}": no socket path (expected unix:///path/to/docker.sock).`);
      return { name, label, kind: 'unix', modemOptions: { socketPath } };
    }
    case 'npipe:':
      return { name, label, kind: 'npipe', modemOptions: { socketPath: raw.replace(/^npipe:\/\//, '').replace(/\//g, '\\') } };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      if (!url.hostname) throw new InvalidInputError(`Invalid Docker host "${label}": no host name (expected tcp://host:port).`);
      const tls = spec.tls;
      const useTls = url.protocol === 'https:' || Boolean(tls && (tls.verify || tls.cert || tls.key)) || url.port === '2376';
      const options: ModemOptions = {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (useTls ? 2376 : 2375),
        protocol: useTls ? 'https' : 'http',
      };
      if (useTls && tls) {
        if (tls.ca) options.ca = readMaterial(tls.ca, 'CA certificate', label);
        if (tls.cert) options.cert = readMaterial(tls.cert, 'client certificate', label);
        if (tls.key) options.key = readMaterial(tls.key, 'client key', label);
      }
      return { name, label, kind: 'tcp', modemOptions: options };
    }
    case 'ssh:': {
      if (!url.hostname) throw new InvalidInputError(`Invalid Docker host "${label}": no host name (expected ssh://user@host[:port]).`);
      return {
        name,
        label,
        kind: 'ssh',
        modemOptions: {
          host: url.hostname,
          port: url.port || 22,
          protocol: 'ssh',
          username: decodeURIComponent(url.username) || os.userInfo().username,
          sshOptions: { agent: process.env.SSH_AUTH_SOCK },
        },
      };
    }
    default:
      throw new InvalidInputError(`Unsupported Docker host scheme "${url.protocol}" in "${label}": expected ${ACCEPTED}.`);
  }
}

function readMaterial(file: string, what: string, label: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code})`;
    throw new InvalidInputError(`The TLS ${what} for ${label}, ${file}, ${why}.`);
  }
}
