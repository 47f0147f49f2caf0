export type { EnvironmentDescriptor } from './environment';
export { discoverEnvironments, findEnvironment, type DiscoveryProblem } from './discovery';
export { DEFAULT_CONTEXT, missingContextMessage, overriddenContextNotice, resolveCurrentContext, type CurrentContext } from './currentContext';
export { defaultEngine } from './defaultEngine';
export { contextDirName, readDockerContexts } from './dockerContexts';
export { loadCliConfig, parseConfiguredEnvironments, type ConfiguredParseResult } from './configured';
export { closeEndpoint, forEachEnvironment, openEnvironment, type EnvironmentOutcome } from './run';
export { checkKnownHosts } from './knownHosts';
export type { SshClientKind } from './sshTransport';
