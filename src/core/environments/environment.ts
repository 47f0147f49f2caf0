import type { EndpointSpec } from '../engine/endpoint';

export type EnvironmentSource = 'local' | 'docker-host' | 'context' | 'setting' | 'podman';

/** One Docker-compatible engine the user can look at and prune. */
export interface EnvironmentDescriptor {
  /** Stable key: `local`, `docker-host`, `context:NAME`, `setting:NAME`, `podman:rootful`, … */
  readonly id: string;
  /** What the user sees. */
  readonly name: string;
  readonly source: EnvironmentSource;
  readonly endpoint: EndpointSpec;
  /** The Docker context marked current in ~/.docker/config.json. */
  readonly current?: boolean;
  /** Browse only: every prune is refused. */
  readonly readOnly?: boolean;
  /** A prune needs the environment's name typed to confirm. */
  readonly protected?: boolean;
}

/** An entry of the `dockerPrune.environments` setting (also read by the CLI from a JSON file). */
export interface ConfiguredEnvironment {
  readonly name: string;
  readonly host: string;
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly verify?: boolean };
  readonly readOnly?: boolean;
  readonly protected?: boolean;
}
