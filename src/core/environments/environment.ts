import type { EndpointSpec, TlsFiles } from '../engine/endpoint';
import type { SshSettings } from './sshTransport';

export type EnvironmentSource = 'local' | 'docker-host' | 'context' | 'setting' | 'podman';

/** One Docker-compatible engine the user can look at and prune. */
export interface EnvironmentDescriptor {
  /** Stable key: `local`, `docker-host`, `host` (CLI -H), `context:NAME`, `setting:NAME`, `podman:rootful`, `podman:rootless` */
  readonly id: string;
  /** What the user sees. Unique within one discovery. */
  readonly name: string;
  readonly source: EnvironmentSource;
  readonly endpoint: EndpointSpec;
  /** The one the docker CLI would use now (DOCKER_HOST, else DOCKER_CONTEXT, else config.json's currentContext; see currentContext.ts). */
  readonly current?: boolean;
  /** A configured entry standing in for a found environment with the same host: that one's id (`local`, `context:NAME`, …). */
  readonly replaces?: string;
  /** Browse only: every prune is refused. */
  readonly readOnly?: boolean;
  /** A prune needs the environment's name typed to confirm. */
  readonly protected?: boolean;
  /** A context's description, or where the environment comes from. */
  readonly description?: string;
}

/** An entry of the `dockerPrune.environments` setting (also read by the CLI from a JSON file). */
export interface ConfiguredEnvironment {
  readonly name: string;
  readonly host: string;
  readonly tls?: TlsFiles;
  /** ssh:// hosts: key file, known_hosts file, host key checking (see SshSettings). */
  readonly ssh?: SshSettings;
  readonly readOnly?: boolean;
  readonly protected?: boolean;
}
