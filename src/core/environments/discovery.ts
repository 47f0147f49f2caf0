import * as fs from 'fs';
import * as path from 'path';
import { defaultEndpointSpec, redactHost } from '../engine/endpoint';
import { readDockerContexts } from './dockerContexts';
import type { ConfiguredEnvironment, EnvironmentDescriptor } from './environment';

export interface DiscoveryOptions {
  readonly configured?: readonly ConfiguredEnvironment[];
  /** Defaults to process.env: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONFIG, DOCKER_CONTEXT, HOME, XDG_RUNTIME_DIR. */
  readonly env?: NodeJS.ProcessEnv;
  /** Look for Docker contexts (default true). */
  readonly contexts?: boolean;
  /** Look for Podman sockets (default true). */
  readonly podman?: boolean;
  /** Where Podman's rootful socket is looked for (tests). Default /run/podman/podman.sock. */
  readonly podmanRootfulSocket?: string;
  /** Current uid, for the rootless Podman socket when XDG_RUNTIME_DIR is unset. */
  readonly uid?: number;
}

export interface DiscoveryProblem {
  /** `context:NAME`, `setting:NAME`, `docker config`, … */
  readonly source: string;
  readonly message: string;
}

export interface DiscoveryResult {
  /**
   * Every environment, names unique. The first is the one the docker CLI would use now (the current context,
   * else DOCKER_HOST, else the local socket); then the other contexts, Podman sockets, configured entries.
   */
  readonly environments: EnvironmentDescriptor[];
  /** Sources that could not be read, each said plainly; the other environments are still listed. */
  readonly problems: DiscoveryProblem[];
}

export const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';

/**
 * Every environment the user has, read from files only (no engine is contacted, nothing is written — the user's
 * current docker context is never changed):
 * - the default engine: DOCKER_HOST (+ DOCKER_TLS_VERIFY / DOCKER_CERT_PATH) or the local socket (`local`);
 * - every Docker context in $DOCKER_CONFIG or ~/.docker (`context:NAME`), the current one marked;
 * - Podman's rootful and rootless sockets when they exist (`podman:rootful`, `podman:rootless`);
 * - the configured list (`setting:NAME`); an entry with the same host as a found environment replaces it
 *   (keeping its `current` mark), so a configured name/readOnly/protected applies to it.
 */
export async function discoverEnvironments(options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const env = options.env ?? process.env;
  const problems: DiscoveryProblem[] = [];
  const found: EnvironmentDescriptor[] = [];

  const ctx = options.contexts === false ? undefined : readDockerContexts(env);
  if (ctx) problems.push(...ctx.problems);
  const currentName = ctx?.current ?? 'default';

  const def = defaultEndpointSpec(env);
  const dockerHost = env.DOCKER_HOST?.trim();
  found.push(
    dockerHost
      ? { id: 'docker-host', name: `DOCKER_HOST (${redactHost(dockerHost)})`, source: 'docker-host', endpoint: def, current: currentName === 'default', description: 'from DOCKER_HOST' }
      : { id: 'local', name: 'local', source: 'local', endpoint: def, current: currentName === 'default', description: 'the local Docker socket' },
  );

  if (ctx) {
    for (const c of ctx.contexts) {
      if (c.name === 'default') continue; // reserved by the CLI; a stored one is ignored there too
      found.push({
        id: `context:${c.name}`,
        name: c.name,
        source: 'context',
        endpoint: c.endpoint,
        current: c.name === currentName,
        description: c.description ?? `docker context "${c.name}"`,
      });
    }
    if (currentName !== 'default' && !ctx.contexts.some((c) => c.name === currentName)) {
      problems.push({
        source: `context:${currentName}`,
        message: `The current docker context "${currentName}" (${env.DOCKER_CONTEXT?.trim() ? 'DOCKER_CONTEXT' : `${path.join(ctx.configDir, 'config.json')}`}) does not exist in ${ctx.configDir}/contexts. The docker CLI fails the same way; run "docker context ls".`,
      });
    }
  }

  if (options.podman !== false) {
    const rootful = options.podmanRootfulSocket ?? PODMAN_ROOTFUL_SOCKET;
    const uid = options.uid ?? process.getuid?.();
    const runtimeDir = env.XDG_RUNTIME_DIR?.trim() || (uid !== undefined ? `/run/user/${uid}` : undefined);
    const rootless = runtimeDir ? path.join(runtimeDir, 'podman', 'podman.sock') : undefined;
    if (isSocket(rootful)) {
      found.push({ id: 'podman:rootful', name: 'podman', source: 'podman', endpoint: { host: `unix://${rootful}` }, flavour: 'podman', description: 'Podman (rootful)' });
    }
    if (rootless && rootless !== rootful && isSocket(rootless)) {
      found.push({
        id: 'podman:rootless',
        name: 'podman (rootless)',
        source: 'podman',
        endpoint: { host: `unix://${rootless}` },
        flavour: 'podman',
        description: 'Podman (rootless)',
      });
    }
  }

  for (const c of options.configured ?? []) {
    const descriptor: EnvironmentDescriptor = {
      id: `setting:${c.name}`,
      name: c.name,
      source: 'setting',
      endpoint: { name: c.name, host: c.host, tls: c.tls, ssh: c.ssh },
      readOnly: c.readOnly,
      protected: c.protected,
      description: `configured (${redactHost(c.host)})`,
    };
    const same = found.findIndex((e) => e.source !== 'setting' && sameHost(e.endpoint.host, c.host));
    if (same >= 0) {
      const replaced = found[same]!;
      found[same] = { ...descriptor, current: replaced.current, flavour: replaced.flavour };
    } else {
      found.push(descriptor);
    }
  }

  // Unique names: a context called "podman" or "local" keeps its name, the later one gets a suffix.
  const used = new Set<string>();
  const environments = found.map((e) => {
    let name = e.name;
    if (used.has(name)) name = `${e.name} (${e.source})`;
    for (let i = 2; used.has(name); i++) name = `${e.name} (${e.source} ${i})`;
    used.add(name);
    return name === e.name ? e : { ...e, name };
  });
  // The one the docker CLI uses comes first.
  const currentIndex = environments.findIndex((e) => e.current);
  if (currentIndex > 0) environments.unshift(...environments.splice(currentIndex, 1));
  return { environments, problems };
}

/** Finds an environment by id or name (ids first, then exact names, then case-insensitive names). */
export function findEnvironment(environments: readonly EnvironmentDescriptor[], idOrName: string): EnvironmentDescriptor | undefined {
  return (
    environments.find((e) => e.id === idOrName) ??
    environments.find((e) => e.name === idOrName) ??
    environments.find((e) => e.name.toLowerCase() === idOrName.toLowerCase())
  );
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => {
    const t = h.trim().replace(/\/+$/, '');
    return t.startsWith('/') ? `unix://${t}` : t;
  };
  return norm(a) === norm(b);
}

function isSocket(p: string): boolean {
  try {
    return fs.statSync(p).isSocket();
  } catch {
    return false;
  }
}
