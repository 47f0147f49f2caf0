/**
 * OpenSSH known_hosts files, read the way ssh(1) reads them (openssh-portable hostfile.c, sshconnect.c,
 * sshconnect2.c order_hostkeyalgs): host patterns plain or hashed (`|1|salt|hash`), `[host]:port` for other
 * ports than 22, `*`/`?` wildcards and `!` negation, `@revoked` keys, and keys compared BY KEY TYPE.
 *
 * By key type: a host recorded with an ssh-rsa key whose server presents an ed25519 key has no recorded key
 * of that type. OpenSSH avoids the situation by asking the server for the recorded types first (the client
 * helps the same way: see preferredHostKeyAlgorithms); when the server has no key of a recorded type at all,
 * this module says so ("other-types") instead of calling the key changed. `@cert-authority` lines are not
 * supported here (host certificates need the OpenSSH client); a host known only through them is reported so.
 */
import { createHash, createHmac } from 'crypto';
import * as fs from 'fs';

export type KnownHostsVerdict =
  /** A recorded key of the presented type is the presented key. */
  | { readonly result: 'match'; readonly file: string; readonly line: number }
  /** A key of the presented type is recorded for the host, and it is another key: the host key changed. */
  | { readonly result: 'mismatch'; readonly file: string; readonly line: number; readonly keyType: string }
  /** The presented key is marked `@revoked`. */
  | { readonly result: 'revoked'; readonly file: string; readonly line: number }
  /** Only keys of other types are recorded for the host: the presented key is unknown for its type. */
  | { readonly result: 'other-types'; readonly file: string; readonly knownTypes: readonly string[] }
  /** Nothing recorded for the host (`certAuthority`: only `@cert-authority` lines, which this reader does not support). */
  | { readonly result: 'unknown'; readonly certAuthority?: boolean };

interface Entry {
  readonly file: string;
  readonly line: number;
  readonly marker?: string;
  readonly keyType: string;
  readonly blob: string;
}

/** The `host` or `[host]:port` name known_hosts records for a host, as OpenSSH writes it (lower case). */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The key type inside an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`…). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  if (n <= 0 || n > 64 || 4 + n > blob.length) return '';
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** `SHA256:…` as `ssh-keygen -lf` prints it. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** Every known_hosts line for `host`/`port` in `files`, in file order (unreadable files are skipped, as ssh does). */
function entriesFor(files: readonly string[], host: string, port: number): Entry[] {
  const name = knownHostsName(host, port);
  const out: Entry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      let marker: string | undefined;
      if (fields[0]?.startsWith('@')) marker = fields.shift();
      if (fields.length < 3) continue;
      const [patterns, keyType, blob] = fields as [string, string, string];
      if (!hostMatches(patterns, name)) continue;
      out.push({ file, line: i + 1, marker, keyType, blob });
    }
  }
  return out;
}

/**
 * Checks the key `host`/`port` presented against `files`. Order of precedence as in OpenSSH's
 * check_hostkeys_by_key_or_type: revoked, then a matching key, then a recorded key of the same type
 * (changed), then keys of other types only.
 */
export function checkKnownHosts(files: readonly string[], host: string, port: number, key: Buffer): KnownHostsVerdict {
  const wanted = key.toString('base64');
  const type = keyTypeOf(key);
  const entries = entriesFor(files, host, port);
  const revoked = entries.find((e) => e.marker === '@revoked' && e.blob === wanted);
  if (revoked) return { result: 'revoked', file: revoked.file, line: revoked.line };
  const plain = entries.filter((e) => e.marker === undefined);
  const match = plain.find((e) => e.blob === wanted);
  if (match) return { result: 'match', file: match.file, line: match.line };
  const sameType = plain.find((e) => e.keyType === type);
  if (sameType) return { result: 'mismatch', file: sameType.file, line: sameType.line, keyType: type };
  if (plain.length) return { result: 'other-types', file: plain[0]!.file, knownTypes: [...new Set(plain.map((e) => e.keyType))] };
  return entries.some((e) => e.marker === '@cert-authority') ? { result: 'unknown', certAuthority: true } : { result: 'unknown' };
}

/** The key types recorded (unrevoked, not CA) for `host`/`port`, in file order. */
export function knownHostKeyTypes(files: readonly string[], host: string, port: number): string[] {
  return [...new Set(recordedKeyTypes(files, host, port).map((e) => e.keyType))];
}

/** The plain (unmarked) entries for `host`/`port`: each key type with the file it is in. */
export function recordedKeyTypes(files: readonly string[], host: string, port: number): Array<{ keyType: string; file: string }> {
  return entriesFor(files, host, port)
    .filter((e) => e.marker === undefined)
    .map((e) => ({ keyType: e.keyType, file: e.file }));
}

/** The host key signature algorithms of a key type (an RSA key signs with rsa-sha2-512/256 or, legacy, ssh-rsa). */
function algorithmsOf(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * `available` (the client's host key algorithms, in its order of preference) with the algorithms of the
 * recorded key types moved first, as OpenSSH's order_hostkeyalgs does: a server that has a key of a
 * recorded type then presents that one.
 */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[], available: readonly string[]): string[] {
  const first = new Set(knownTypes.flatMap(algorithmsOf).filter((a) => available.includes(a)));
  return [...available.filter((a) => first.has(a)), ...available.filter((a) => !first.has(a))];
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const pat = (negated ? p.slice(1) : p).toLowerCase();
    if (globMatch(pat, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH's match_pattern: `*` any run, `?` one character, everything else literal. */
export function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|\\[\]]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    's',
  );
  return re.test(s);
}
