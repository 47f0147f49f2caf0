import * as fs from 'fs';
import * as path from 'path';
import { redactHost } from '../engine/endpoint';
import { DEFAULT_CONTEXT, missingContextMessage, overriddenContextNotice, resolveCurrentContext, type CurrentContext } from './currentContext';
import { defaultEngine } from './defaultEngine';
import { contextDirName, readDockerContexts } from './dockerContexts';
import type { ConfiguredEnvironment, EnvironmentDescriptor } from './environment';

export interface DiscoveryOptions {
  readonly configured?: readonly ConfiguredEnvironment[];
  /** Defaults to process.env: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONFIG, DOCKER_CONTEXT, HOME, XDG_RUNTIME_DIR. */
  readonly env?: NodeJS.ProcessEnv;
  /** Look for Docker contexts (default true). Without them, the default engine is marked current. */
  readonly contexts?: boolean;
  /** Look for Podman sockets (default true). */
  readonly podman?: boolean;
  /** Where Podman's rootful socket is looked for (tests). Default /run/podman/podman.sock. */
  readonly podmanRootfulSocket?: string;
  /** Current uid, for the rootless Podman socket when XDG_RUNTIME_DIR is unset. */
  readonly uid?: number;
  /** Which platform's local engine is the default one (tests). Default process.platform. */
  readonly platform?: NodeJS.Platform;
  /** The home folder, for ~/.docker (tests). Default $HOME, else the OS's home folder. */
  readonly home?: string;
}

export interface DiscoveryProblem {
  /** `context:NAME`, `setting:NAME`, `docker config`, … */
  readonly source: string;
  readonly message: string;
}

export interface DiscoveryResult {
  /**
   * Every environment, names unique. The one the docker CLI would use now (see currentContext.ts: DOCKER_HOST, else
   * DOCKER_CONTEXT, else config.json's currentContext, else the local engine) is marked `current` and comes first;
   * then the other contexts, Podman sockets, configured entries.
   */
  readonly environments: EnvironmentDescriptor[];
  /** Which context the docker CLI would use, and why. */
  readonly currentContext: CurrentContext;
  /**
   * Set when no environment is `current`: the context the docker CLI would use does not exist (the docker CLI
   * fails then too). Also in `problems`.
   */
  readonly currentProblem?: DiscoveryProblem;
  /** Sources that could not be read, each said plainly; the other environments are still listed. */
  readonly problems: DiscoveryProblem[];
}

const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';

/**
 * Every environment the user has, read from files only (no engine is contacted, nothing is written — the user's
 * current docker context is never changed):
 * - the default engine: DOCKER_HOST (+ DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), else this platform's local engine
 *   (`local`: the named pipe on Windows, /var/run/docker.sock elsewhere);
 * - every Docker context in $DOCKER_CONFIG or ~/.docker (`context:NAME`);
 * - Podman's rootful and rootless sockets when they exist (`podman:rootful`, `podman:rootless`);
 * - the configured list (`setting:NAME`); an entry with the same host as a found environment replaces it
 *   (keeping its `current` mark), so a configured name/readOnly/protected applies to it.
 * The one the docker CLI would use is marked `current`; when that is a context that does not exist, none is.
 */
export async function discoverEnvironments(options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const env = options.env ?? process.env;
  const problems: DiscoveryProblem[] = [];
  const found: EnvironmentDescriptor[] = [];

  const ctx = options.contexts === false ? undefined : readDockerContexts(env, options.home);
  if (ctx) problems.push(...ctx.problems);
  const choice = ctx?.choice ?? resolveCurrentContext({ env });
  // Without contexts read, the default engine stands for the docker CLI's choice.
  const currentName = ctx ? choice.name : DEFAULT_CONTEXT;
  const notice = overriddenContextNotice(choice);
  if (notice) problems.push({ source: 'DOCKER_CONTEXT', message: notice });

  found.push({ ...defaultEngine(env, { platform: options.platform, home: options.home }), current: currentName === DEFAULT_CONTEXT });

  let currentProblem: DiscoveryProblem | undefined;
  if (ctx) {
    for (const c of ctx.contexts) {
      if (c.name === DEFAULT_CONTEXT) continue; // reserved by the CLI; a stored one is ignored there too
      found.push({
        id: `context:${c.name}`,
        name: c.name,
        source: 'context',
        endpoint: c.endpoint,
        current: c.name === currentName,
        description: c.description ?? `docker context "${c.name}"`,
      });
    }
    if (currentName !== DEFAULT_CONTEXT && !ctx.contexts.some((c) => c.name === currentName)) {
      // Stored but unusable (no Docker endpoint, unreadable meta.json): that problem says why. Else it is missing.
      const unusable = ctx.problems.find((p) => p.source === `context:${currentName}` || p.source === `docker context in ${contextDirName(currentName)}`);
      currentProblem = unusable ?? {
        source: `context:${currentName}`,
        message: missingContextMessage(
          choice,
          ctx.configDir,
          ctx.contexts.map((c) => c.name),
        ),
      };
      if (!unusable) problems.push(currentProblem);
    }
  }

  if (options.podman !== false) {
    const rootful = options.podmanRootfulSocket ?? PODMAN_ROOTFUL_SOCKET;
    const uid = options.uid ?? process.getuid?.();
    const runtimeDir = env.XDG_RUNTIME_DIR?.trim() || (uid !== undefined ? `/run/user/${uid}` : undefined);
    const rootless = runtimeDir ? path.join(runtimeDir, 'podman', 'podman.sock') : undefined;
    if (isSocket(rootful)) {
      found.push({ id: 'podman:rootful', name: 'podman', source: 'podman', endpoint: { host: `unix://${rootful}` }, description: 'Podman (rootful)' });
    }
    if (rootless && rootless !== rootful && isSocket(rootless)) {
      found.push({
        id: 'podman:rootless',
        name: 'podman (rootless)',
        source: 'podman',
        endpoint: { host: `unix://${rootless}` },
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
      found[same] = { ...descriptor, current: replaced.current, replaces: replaced.id };
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
  return { environments, currentContext: choice, currentProblem, problems };
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
