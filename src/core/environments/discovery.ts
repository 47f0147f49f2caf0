import { defaultEndpointSpec } from '../engine/endpoint';
import type { ConfiguredEnvironment, EnvironmentDescriptor } from './environment';

export interface DiscoveryOptions {
  readonly configured?: readonly ConfiguredEnvironment[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface DiscoveryResult {
  readonly environments: EnvironmentDescriptor[];
  /** Sources that could not be read, each said plainly; the other environments are still listed. */
  readonly problems: Array<{ readonly source: string; readonly message: string }>;
}

/**
 * Every environment the user has: the engine the Docker CLI would use (DOCKER_HOST or the local socket)
 * and the configured ones. Names are unique; a configured entry with the same host as the default replaces it.
 */
export async function discoverEnvironments(options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const env = options.env ?? process.env;
  const environments: EnvironmentDescriptor[] = [];
  const def = defaultEndpointSpec(env);
  environments.push(
    env.DOCKER_HOST?.trim()
      ? { id: 'docker-host', name: `DOCKER_HOST (${def.host})`, source: 'docker-host', endpoint: def }
      : { id: 'local', name: 'local', source: 'local', endpoint: def },
  );
  for (const c of options.configured ?? []) {
    const existing = environments.findIndex((e) => e.endpoint.host === c.host);
    const descriptor: EnvironmentDescriptor = {
      id: `setting:${c.name}`,
      name: c.name,
      source: 'setting',
      endpoint: { name: c.name, host: c.host, tls: c.tls },
      readOnly: c.readOnly,
      protected: c.protected,
    };
    if (existing >= 0) environments[existing] = descriptor;
    else environments.push(descriptor);
  }
  return { environments, problems: [] };
}
