export type { ConfiguredEnvironment, EnvironmentDescriptor, EnvironmentSource } from './environment';
export { discoverEnvironments, type DiscoveryOptions, type DiscoveryResult } from './discovery';
