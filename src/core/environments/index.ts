export type { ConfiguredEnvironment, EnvironmentDescriptor, EnvironmentSource } from './environment';
export {
  discoverEnvironments,
  findEnvironment,
  PODMAN_ROOTFUL_SOCKET,
  type DiscoveryOptions,
  type DiscoveryProblem,
  type DiscoveryResult,
} from './discovery';
export {
  DEFAULT_CONTEXT,
  describeReason,
  missingContextMessage,
  overriddenContextNotice,
  resolveCurrentContext,
  type CurrentContext,
  type CurrentContextInputs,
  type CurrentContextReason,
} from './currentContext';
export { defaultEngine, type DefaultEngineOptions } from './defaultEngine';
export { contextDirName, dockerConfigDir, readDockerContexts, type DockerContext, type DockerContexts } from './dockerContexts';
export { cliConfigPath, expandPath, loadCliConfig, parseConfiguredEnvironments, type ConfiguredParseResult } from './configured';
export {
  asEnvironmentError,
  closeEndpoint,
  forEachEnvironment,
  openEnvironment,
  type EnvironmentOutcome,
  type EnvironmentTask,
  type ForEachEnvironmentOptions,
} from './run';
export { readOnlyRefusal, ReadOnlyEnvironmentError } from './readOnly';
export { checkKnownHosts, fingerprint } from './knownHosts';
export { resolveSshConfig, type SshHostConfig } from './sshConfig';
export type { SshSettings, SshClientKind } from './sshTransport';
