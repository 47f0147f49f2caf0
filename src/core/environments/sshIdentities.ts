/**
 * The keys the ssh2 client offers, chosen as OpenSSH chooses them in batch mode (openssh-portable
 * sshconnect2.c pubkey_prepare; readconf.c for the defaults):
 * - the ssh-agent's keys first; with IdentitiesOnly only those whose public key is one of the identity files';
 * - then each identity file (an explicit identityFile, else IdentityFile from the ssh config, else OpenSSH's
 *   defaults) that exists and is not already offered through the agent;
 * - a key protected by a passphrase is skipped — nothing can prompt — and named only if authentication then
 *   fails (the agent usually holds a decrypted copy: that is how it gets used).
 */
import * as fs from 'fs';
import { DockerPruneError } from '../errors';

/** What this module needs of the ssh2 package (loaded lazily by the transport). */
export interface Ssh2Module {
  utils: { parseKey(data: Buffer | string, passphrase?: string): ParsedKey | ParsedKey[] | Error };
  OpenSSHAgent: new (socketPath: string) => AgentLike;
}

export interface ParsedKey {
  readonly type: string;
  getPublicSSH(): Buffer;
  isPrivateKey(): boolean;
}

export interface AgentLike {
  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void;
  sign(pubKey: ParsedKey, data: Buffer, options: unknown, cb: (err: Error | undefined, sig?: Buffer) => void): void;
}

export interface IdentityChoice {
  /** Private keys to offer, in order, with the file each came from. */
  readonly keys: ReadonlyArray<{ readonly file: string; readonly key: Buffer }>;
  /** The agent to offer (possibly restricted to the identity files' keys), if any. */
  readonly agent?: AgentLike;
  /** Identity files skipped because they need a passphrase. */
  readonly encrypted: readonly string[];
  /** Identity files skipped because they cannot be used (unsupported format…), with why. */
  readonly unusable: readonly string[];
  /** For messages: "key A, key B, the ssh-agent". */
  readonly description: string;
}

export interface IdentityRequest {
  /** An explicit key (the environment's identityFile): it must exist. */
  readonly explicitFile?: string;
  /** IdentityFile values of the ssh config (or OpenSSH's defaults); missing files are skipped. */
  readonly configFiles: readonly string[];
  readonly identitiesOnly: boolean;
  /** The agent's socket ($SSH_AUTH_SOCK or IdentityAgent); undefined: no agent. */
  readonly agentSocket?: string;
  readonly label: string;
}

export function chooseIdentities(ssh2: Ssh2Module, req: IdentityRequest): IdentityChoice {
  const files = [...new Set([...(req.explicitFile ? [req.explicitFile] : []), ...req.configFiles])];
  const loaded: Array<{ file: string; key: Buffer; publicBlob?: Buffer }> = [];
  const publicBlobs: Buffer[] = [];
  const encrypted: string[] = [];
  const unusable: string[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (file === req.explicitFile) {
        throw new DockerPruneError(
          'invalid-input',
          `The SSH key for ${req.label}, ${file}, ${code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code})`}.`,
          { endpoint: req.label },
        );
      }
      continue; // ssh skips configured identities that do not exist
    }
    const pub = readPublicBlob(ssh2, `${file}.pub`);
    if (pub) publicBlobs.push(pub);
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      if (/encrypted|passphrase/i.test(parsed.message)) encrypted.push(file);
      else unusable.push(`${file} (${parsed.message})`);
      continue;
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || !key.isPrivateKey()) {
      unusable.push(`${file} (not a private key)`);
      continue;
    }
    const blob = key.getPublicSSH();
    if (!pub) publicBlobs.push(blob);
    loaded.push({ file, key: data, publicBlob: blob });
  }

  let agent: AgentLike | undefined;
  if (req.agentSocket) {
    const inner = new ssh2.OpenSSHAgent(req.agentSocket);
    agent = req.identitiesOnly ? restrictedAgent(inner, publicBlobs) : inner;
  }
  const description = [
    ...loaded.map((l) => `key ${l.file}`),
    ...(agent ? [req.identitiesOnly ? 'the ssh-agent (its keys matching IdentityFile)' : 'the ssh-agent'] : []),
  ];
  return {
    keys: loaded.map(({ file, key }) => ({ file, key })),
    agent,
    encrypted,
    unusable,
    description: description.length ? description.join(', ') : 'the methods available (no usable key file, no ssh-agent)',
  };
}

function readPublicBlob(ssh2: Ssh2Module, file: string): Buffer | undefined {
  try {
    const parsed = ssh2.utils.parseKey(fs.readFileSync(file));
    if (parsed instanceof Error) return undefined;
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    return key?.getPublicSSH();
  } catch {
    return undefined;
  }
}

/** The agent, showing only the keys in `allowed` (IdentitiesOnly: the agent signs for the identity files only). */
function restrictedAgent(inner: AgentLike, allowed: readonly Buffer[]): AgentLike {
  return Object.assign(Object.create(Object.getPrototypeOf(inner) as object) as AgentLike, inner, {
    getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void) {
      inner.getIdentities((err, keys) =>
        err
          ? cb(err)
          : cb(
              undefined,
              (keys ?? []).filter((k) => allowed.some((b) => b.equals(k.getPublicSSH()))),
            ),
      );
    },
  });
}
