/**
 * `ssh://[user@]host[:port]` engines, reached the way `docker -H ssh://…` reaches them: every HTTP
 * connection is a `docker system dial-stdio` on the remote host, which relays it to the remote engine.
 *
 * Two SSH clients can carry it:
 * - `openssh` (the default wherever an `ssh` binary is installed): the user's own OpenSSH client, one
 *   process per HTTP connection as the docker CLI runs it (opensshTransport). It honours everything in the
 *   user's ssh config, agents, ProxyJump/ProxyCommand, ControlMaster, hardware keys, certificates;
 * - `ssh2` (the fallback without an `ssh` binary, or when the URL carries a password): the bundled ssh2
 *   library, one SSH connection per environment whose channels are the HTTP connections (ssh2Transport),
 *   with the ssh config read by sshConfig.
 */
import * as fs from 'fs';
import type * as http from 'http';
import * as path from 'path';
import { DockerPruneError } from '../errors';
import { OpenSshAgent } from './opensshTransport';
import { Ssh2TunnelAgent } from './ssh2Transport';

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

export function createSshAgent(target: SshTarget): SshAgent {
  const choice = chooseSshClient(target);
  return choice.client === 'openssh' ? new OpenSshAgent(target, choice.binary) : new Ssh2TunnelAgent(target);
}

/** The config file to read in place of the defaults (the setting, else DOCKER_PRUNE_SSH_CONFIG), if any. */
export function sshConfigFileOf(target: SshTarget): string | undefined {
  return target.settings.configFile ?? ((target.env ?? process.env).DOCKER_PRUNE_SSH_CONFIG || undefined);
}

export function chooseSshClient(target: SshTarget): { client: 'openssh'; binary: string } | { client: 'ssh2' } {
  const env = target.env ?? process.env;
  const wanted = target.settings.client ?? (env.DOCKER_PRUNE_SSH_CLIENT as SshClientKind | undefined) ?? undefined;
  if (wanted !== undefined && wanted !== 'openssh' && wanted !== 'ssh2') {
    throw new DockerPruneError('invalid-input', `SSH client "${wanted}" for ${target.label}: expected "openssh" or "ssh2".`, { endpoint: target.label });
  }
  if (wanted === 'ssh2') return { client: 'ssh2' };
  const binary = findSshBinary(env);
  if (wanted === 'openssh') {
    if (!binary) {
      throw new DockerPruneError('invalid-input', `${target.label} is set to use the OpenSSH client, but no "ssh" program is on the PATH. Install OpenSSH's client, or set "client": "ssh2".`, {
        endpoint: target.label,
      });
    }
    return { client: 'openssh', binary };
  }
  // A password in the URL: only ssh2 can send it (the OpenSSH client runs in batch mode and never asks).
  if (binary && target.password === undefined) return { client: 'openssh', binary };
  return { client: 'ssh2' };
}

const binaryCache = new Map<string, string | undefined>();

/** The `ssh` program on `env.PATH` (ssh.exe on Windows), if any. */
export function findSshBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pathVar = env.PATH ?? env.Path ?? '';
  if (binaryCache.has(pathVar)) return binaryCache.get(pathVar);
  const names = process.platform === 'win32' ? ['ssh.exe'] : ['ssh'];
  let found: string | undefined;
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) {
          found = candidate;
          break;
        }
      } catch {
        /* not here */
      }
    }
    if (found) break;
  }
  binaryCache.set(pathVar, found);
  return found;
}
