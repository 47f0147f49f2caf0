/**
 * What the environments suite and its runner hook agree on: the names of the extra environments and the
 * populations loaded into them (a population is a pure function of its options, so the suite derives its
 * expectations from the same options the runner loaded).
 */
import type { PopulationOptions } from '../../../support/population';

export const TLS_ENV = 'tls-engine';
export const PODMAN_ENV = 'podman-service';
export const DEAD_ENV = 'dead-socket';
/** A proxy in front of the TLS dockerd's socket that answers `/images/json` with a string where `RepoTags` is a list. */
export const HOSTILE_ENV = 'hostile-engine';

/** Small: a few of every group, no running container (nothing to kill on stop). */
export const TLS_POPULATION: PopulationOptions = {
  seed: 20261122,
  images: 14,
  danglingRatio: 0.45,
  ownLayerRatio: 0.3,
  containers: { created: 1, exited: 1, running: 0 },
};

export const PODMAN_POPULATION: PopulationOptions = {
  seed: 20261123,
  images: 10,
  danglingRatio: 0.4,
  containers: { created: 0, exited: 0, running: 0 },
};
