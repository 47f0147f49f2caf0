/**
 * Docker CLI contexts, read (never written) from the CLI's config dir — `$DOCKER_CONFIG` or `~/.docker`:
 * - `config.json` → `currentContext`;
 * - `contexts/meta/<sha256(name)>/meta.json` → `{ Name, Metadata: { Description }, Endpoints: { docker: { Host, SkipTLSVerify } } }`;
 * - `contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem` → the endpoint's TLS material.
 * The `default` context is not stored: it is DOCKER_HOST or the platform's local engine (see currentContext.ts for
 * which context the docker CLI uses).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EndpointSpec, TlsFiles } from '../engine/endpoint';
import { resolveCurrentContext, type CurrentContext } from './currentContext';

export interface DockerContext {
  readonly name: string;
  readonly description?: string;
  readonly endpoint: EndpointSpec;
  /** Where it was read from (for messages). */
  readonly metaFile: string;
}

export interface ContextProblem {
  readonly source: string;
  readonly message: string;
}

export interface DockerContexts {
  readonly configDir: string;
  /** The context the docker CLI would use with no flags: `choice.name` (see resolveCurrentContext). */
  readonly current: string;
  /** How it was chosen: DOCKER_HOST, DOCKER_CONTEXT, config.json's currentContext or nothing set. */
  readonly choice: CurrentContext;
  /** config.json's `currentContext` (what `docker context use` last set), if any. */
  readonly configuredContext?: string;
  readonly contexts: DockerContext[];
  readonly problems: ContextProblem[];
}

/** `$DOCKER_CONFIG`, else `<home>/.docker` (home: $HOME, else the OS's home folder). */
function dockerConfigDir(env: NodeJS.ProcessEnv = process.env, home: string = env.HOME || os.homedir()): string {
  const explicit = env.DOCKER_CONFIG?.trim();
  if (explicit) return explicit;
  return path.join(home, '.docker');
}

/** The directory name the docker CLI stores a context under. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export function readDockerContexts(env: NodeJS.ProcessEnv = process.env, home?: string): DockerContexts {
  const configDir = dockerConfigDir(env, home);
  const problems: ContextProblem[] = [];
  let configured: string | undefined;
  const configFile = path.join(configDir, 'config.json');
  const configText = readIfExists(configFile, problems, 'docker config');
  if (configText !== undefined) {
    try {
      const cfg = JSON.parse(configText) as { currentContext?: unknown };
      if (typeof cfg.currentContext === 'string' && cfg.currentContext.trim()) configured = cfg.currentContext.trim();
    } catch (e) {
      problems.push({ source: 'docker config', message: `${configFile} is not valid JSON (${(e as Error).message}); its current context is ignored.` });
    }
  }
  const choice = resolveCurrentContext({ env, configured });

  const contexts: DockerContext[] = [];
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync(metaRoot).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push({ source: 'docker contexts', message: `Cannot read ${metaRoot}: ${(e as Error).message}` });
  }
  for (const dir of dirs) {
    const metaFile = path.join(metaRoot, dir, 'meta.json');
    const text = readIfExists(metaFile, problems, `docker context in ${dir}`);
    if (text === undefined) continue;
    let meta: {
      Name?: unknown;
      Metadata?: { Description?: unknown } | null;
      Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } | null } | null;
    };
    try {
      meta = JSON.parse(text);
    } catch (e) {
      problems.push({ source: `docker context in ${dir}`, message: `${metaFile} is not valid JSON (${(e as Error).message}).` });
      continue;
    }
    const name = typeof meta.Name === 'string' ? meta.Name : undefined;
    if (!name) {
      problems.push({ source: `docker context in ${dir}`, message: `${metaFile} has no "Name".` });
      continue;
    }
    const docker = meta.Endpoints?.docker;
    const host = typeof docker?.Host === 'string' ? docker.Host.trim() : '';
    if (!host) {
      // e.g. a context made only for Kubernetes; not a Docker engine
      problems.push({ source: `context:${name}`, message: `Docker context "${name}" has no Docker endpoint (Endpoints.docker.Host in ${metaFile}).` });
      continue;
    }
    const tlsDir = path.join(configDir, 'contexts', 'tls', dir, 'docker');
    const tls = contextTls(tlsDir, docker?.SkipTLSVerify === true);
    const description = typeof meta.Metadata?.Description === 'string' && meta.Metadata.Description ? meta.Metadata.Description : undefined;
    contexts.push({ name, description, endpoint: { name, host, tls }, metaFile });
  }
  contexts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { configDir, current: choice.name, choice, configuredContext: configured, contexts, problems };
}

/** TLS files the context stores (only those present); undefined when it stores none and does not skip verification. */
function contextTls(dir: string, skipVerify: boolean): TlsFiles | undefined {
  const file = (n: string) => {
    const p = path.join(dir, n);
    return fs.existsSync(p) ? p : undefined;
  };
  const ca = file('ca.pem');
  const cert = file('cert.pem');
  const key = file('key.pem');
  if (!ca && !cert && !key && !skipVerify) return undefined;
  return { ca, cert, key, verify: !skipVerify };
}

function readIfExists(file: string, problems: ContextProblem[], source: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') problems.push({ source, message: `Cannot read ${file}: ${(e as Error).message}` });
    return undefined;
  }
}
