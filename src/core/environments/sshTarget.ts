/** What an SSH transport is asked to reach, and with which settings: shared by both SSH clients (a leaf module). */
import type * as http from 'http';

export type SshClientKind = 'openssh' | 'ssh2';

export interface SshSettings {
  /**
   * Which SSH client carries the connection. Default: `openssh` when an `ssh` binary is on the PATH (and the
   * URL has no password), else `ssh2`. The DOCKER_PRUNE_SSH_CLIENT environment variable sets the default.
   */
  readonly client?: SshClientKind;
  /**
   * Like `ssh -F`: the only ssh config file read (`none`: none). Default: ~/.ssh/config, then /etc/ssh/ssh_config
   * (or the file in DOCKER_PRUNE_SSH_CONFIG).
   */
  readonly configFile?: string;
  /** Private key file, tried before the ssh config's IdentityFile (like `ssh -i`). The ssh-agent is used too. */
  readonly identityFile?: string;
  /** known_hosts file to check the host key against, instead of the ssh config's (UserKnownHostsFile) and the system's. */
  readonly knownHostsFile?: string;
  /**
   * Overrides the ssh config's StrictHostKeyChecking. `yes` (the default, also for `ask`: nothing can prompt here):
   * refuse a host whose key is unknown or differs from known_hosts. `accept-new`: accept an unknown host (OpenSSH
   * records it in known_hosts; ssh2 does not), refuse a changed key. `no`: no check (not advised).
   */
  readonly strictHostKeyChecking?: 'yes' | 'accept-new' | 'no';
  /** Remote command relaying the engine API. Default `docker system dial-stdio`. */
  readonly remoteCommand?: string;
  /** Time limit for TCP connect + SSH handshake (ssh's ConnectTimeout). Default 15 s. */
  readonly connectTimeoutMs?: number;
}

export interface SshTarget {
  /** The host as written in the URL: a name, an address or an ssh config Host alias. */
  readonly host: string;
  /** From the URL (wins over the ssh config, like ssh's -p). */
  readonly port?: number;
  /** From the URL (wins over the ssh config, like ssh's -l). */
  readonly username?: string;
  /** From the URL; only the ssh2 client can use it. */
  readonly password?: string;
  /** Safe to print (no password). */
  readonly label: string;
  readonly settings: SshSettings;
  /** Defaults to process.env (HOME, PATH, SSH_AUTH_SOCK, DOCKER_PRUNE_SSH_*). */
  readonly env?: NodeJS.ProcessEnv;
}

/** An http.Agent whose connections reach the remote engine; destroy() ends every SSH connection and process it holds. */
export type SshAgent = http.Agent & { readonly sshClient: SshClientKind };

/** The config file to read in place of the defaults (the setting, else DOCKER_PRUNE_SSH_CONFIG), if any. */
export function sshConfigFileOf(target: SshTarget): string | undefined {
  return target.settings.configFile ?? ((target.env ?? process.env).DOCKER_PRUNE_SSH_CONFIG || undefined);
}
