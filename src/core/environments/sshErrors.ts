/**
 * The errors of ssh:// environments, worded once for both SSH clients (OpenSSH and ssh2), so the same
 * failure reads the same whichever client met it. Each names the environment and what to do; none carries
 * key material or a password (file names and fingerprints only).
 */
import { DockerPruneError } from '../errors';
import { knownHostsName } from './knownHosts';

/** `ssh-ed25519` → `ED25519`, as OpenSSH names key types in its messages. */
function keyTypeName(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType === 'ssh-dss') return 'DSA';
  if (keyType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (keyType.startsWith('sk-ssh-ed25519')) return 'ED25519-SK';
  if (keyType.startsWith('sk-ecdsa-')) return 'ECDSA-SK';
  return keyType;
}

function removeHint(host: string, port: number): string {
  return `ssh-keygen -R '${knownHostsName(host, port)}'`;
}

export function hostKeyUnknown(
  label: string,
  where: { host: string; port: number; files: readonly string[]; fingerprint?: string; keyType?: string },
  certAuthority = false,
): DockerPruneError {
  const key = where.fingerprint ? ` (${where.keyType ? `${keyTypeName(where.keyType)} ` : ''}${where.fingerprint})` : '';
  const ca = certAuthority
    ? ' It is known only through an @cert-authority line, which the built-in SSH client does not support: install the OpenSSH client (ssh), which checks host certificates.'
    : '';
  return new DockerPruneError(
    'permission-denied',
    `The SSH host key of ${label}${key} is not known: it is not in ${where.files.join(' or ') || 'any known_hosts file'}. Check the fingerprint, then connect once with "ssh${where.port !== 22 ? ` -p ${where.port}` : ''} ${where.host}" to record it (or set "strictHostKeyChecking": "accept-new").${ca}`,
    { endpoint: label },
  );
}

export function hostKeyChanged(label: string, where: { host: string; port: number; file: string; fingerprint?: string; keyType?: string }): DockerPruneError {
  const key = where.fingerprint ? ` (${where.keyType ? `${keyTypeName(where.keyType)} ` : ''}${where.fingerprint})` : '';
  return new DockerPruneError(
    'permission-denied',
    `The SSH host key of ${label}${key} does not match the one recorded in ${where.file}: refusing to connect. If the host was really re-installed, remove its old line there (${removeHint(where.host, where.port)}) and check the new key.`,
    { endpoint: label },
  );
}

export function hostKeyRevoked(label: string, where: { file: string; fingerprint?: string }): DockerPruneError {
  return new DockerPruneError(
    'permission-denied',
    `The SSH host key of ${label}${where.fingerprint ? ` (${where.fingerprint})` : ''} is marked revoked in ${where.file}: refusing to connect.`,
    { endpoint: label },
  );
}

/**
 * Only keys of other types are recorded for the host, and the server offers none of them (it was asked for
 * them first). Not a changed key, but not a known one either: refused, as OpenSSH refuses it.
 */
export function hostKeyOfOtherType(
  label: string,
  where: { host: string; port: number; file: string; keyType: string; knownTypes: readonly string[]; fingerprint?: string },
): DockerPruneError {
  const known = [...new Set(where.knownTypes.map(keyTypeName))].join(', ');
  return new DockerPruneError(
    'permission-denied',
    `The SSH host key of ${label} (${keyTypeName(where.keyType)}${where.fingerprint ? ` ${where.fingerprint}` : ''}) is not known: ${where.file} records only ${known} key(s) for ${knownHostsName(where.host, where.port)}, and the server offers no key of that type (no key of the presented type is recorded, so this is not a replaced key of a known type). Check the ${keyTypeName(where.keyType)} key's fingerprint with the host's administrator, then add it to known_hosts (ssh-keyscan -t ${where.keyType} ${where.port !== 22 ? `-p ${where.port} ` : ''}${where.host}).`,
    { endpoint: label },
  );
}

export function authenticationFailed(label: string, user: string, tried: string, notes: readonly string[] = []): DockerPruneError {
  return new DockerPruneError(
    'permission-denied',
    `SSH authentication as "${user}" to ${label} failed: the server accepted none of ${tried}. Check the user, the key (identityFile, or IdentityFile in ~/.ssh/config) and the ssh-agent.${notes.length ? ' ' + notes.join(' ') : ''}`,
    { endpoint: label },
  );
}

/** The note added to an authentication failure when some keys were skipped because they need a passphrase. */
export function encryptedKeysNote(files: readonly string[]): string | undefined {
  if (!files.length) return undefined;
  return `Skipped ${files.join(', ')}: protected by a passphrase and not in the ssh-agent (nothing can prompt here); load it with "ssh-add ${files[0]}".`;
}

export function connectionRefused(label: string): DockerPruneError {
  return new DockerPruneError('unreachable', `SSH to ${label}: connection refused (no SSH server listening there).`, { endpoint: label });
}

export function hostNotResolved(label: string, host?: string): DockerPruneError {
  return new DockerPruneError(
    'unreachable',
    `SSH to ${label}: the host name${host ? ` "${host}"` : ''} cannot be resolved. Check the host, or its HostName in ~/.ssh/config.`,
    { endpoint: label },
  );
}

export function connectTimedOut(label: string, seconds: number): DockerPruneError {
  return new DockerPruneError('timeout', `SSH to ${label}: no connection within ${seconds} s. Check the host, port and network.`, { endpoint: label });
}

/** The remote command (`docker system dial-stdio`) exited with an error. */
export function remoteCommandFailed(label: string, command: string, code: number, stderr: string): DockerPruneError {
  const why = lastLines(stderr) || `exit code ${code}`;
  const hint = code === 127 || /not found/i.test(why) ? ' Install the docker CLI on that host (it relays the API with "docker system dial-stdio").' : '';
  return new DockerPruneError('unreachable', `Docker over SSH at ${label}: "${command}" failed on the remote host: ${why}.${hint}`, { endpoint: label });
}

/** The last few non-empty lines of a stderr, on one line (bounded). */
export function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' ')
    .replace(/\.$/, '')
    .slice(0, 600);
}
