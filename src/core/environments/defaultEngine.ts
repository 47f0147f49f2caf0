/**
 * The docker CLI's `default` context as an environment: the -H host or DOCKER_HOST (with DOCKER_TLS_VERIFY /
 * DOCKER_TLS / DOCKER_CERT_PATH), else this platform's local engine — the named pipe on Windows, the socket at
 * /var/run/docker.sock elsewhere (engine/localEngine.ts).
 */
import { defaultEndpointSpec, redactHost } from '../engine/endpoint';
import { describeDefaultEngine } from '../engine/localEngine';
import type { EnvironmentDescriptor } from './environment';

export interface DefaultEngineOptions {
  /** Defaults to process.platform. */
  readonly platform?: NodeJS.Platform;
  /** Defaults to $HOME, else the OS's home folder. */
  readonly home?: string;
  /** The CLI's `-H/--host`: this engine instead of DOCKER_HOST. */
  readonly host?: string;
}

/** `local` (the platform's engine), `docker-host` (DOCKER_HOST) or `host` (the -H flag). */
export function defaultEngine(env: NodeJS.ProcessEnv, options: DefaultEngineOptions = {}): EnvironmentDescriptor {
  const platform = options.platform ?? process.platform;
  const endpoint = defaultEndpointSpec(env, { platform, home: options.home, host: options.host });
  const flagHost = options.host?.trim();
  if (flagHost) return { id: 'host', name: redactHost(flagHost), source: 'docker-host', endpoint, description: 'from --host' };
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost)
    return { id: 'docker-host', name: `DOCKER_HOST (${redactHost(dockerHost)})`, source: 'docker-host', endpoint, description: 'from DOCKER_HOST' };
  return { id: 'local', name: 'local', source: 'local', endpoint, description: describeDefaultEngine(endpoint.host, platform) };
}
