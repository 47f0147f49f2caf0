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
import * as path from 'path';
import { DockerPruneError } from '../errors';
import { OpenSshAgent } from './opensshTransport';
import { Ssh2TunnelAgent } from './ssh2Transport';
import type { SshAgent, SshClientKind, SshTarget } from './sshTarget';

export { type SshAgent, type SshClientKind, type SshSettings, type SshTarget } from './sshTarget';

export function createSshAgent(target: SshTarget): SshAgent {
  const choice = chooseSshClient(target);
  return choice.client === 'openssh' ? new OpenSshAgent(target, choice.binary) : new Ssh2TunnelAgent(target);
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
      throw new DockerPruneError(
        'invalid-input',
        `${target.label} is set to use the OpenSSH client, but no "ssh" program is on the PATH. Install OpenSSH's client, or set "client": "ssh2".`,
        {
          endpoint: target.label,
        },
      );
    }
    return { client: 'openssh', binary };
  }
  // A password in the URL: only ssh2 can send it (the OpenSSH client runs in batch mode and never asks).
  if (binary && target.password === undefined) return { client: 'openssh', binary };
  return { client: 'ssh2' };
}

const binaryCache = new Map<string, string | undefined>();

/** The `ssh` program on `env.PATH` (ssh.exe on Windows), if any. */
function findSshBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
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
