/**
 * `ssh://user@host[:port]` engines, reached the way `docker -H ssh://…` reaches them: an SSH connection on
 * which every HTTP connection is one `docker system dial-stdio` channel (the remote docker CLI relays it to the
 * remote engine's socket).
 *
 * Unlike docker-modem's own ssh transport (one SSH handshake per request), one SSH connection per environment
 * is kept and its channels are reused through a keep-alive HTTP agent. The host key is checked against
 * known_hosts like OpenSSH does (an unknown or changed key is refused unless told otherwise), and every
 * failure is a DockerPruneError naming the environment, never key material or passwords.
 */
import { createHash, createHmac } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Duplex } from 'stream';
import { DockerPruneError } from '../errors';

export interface SshSettings {
  /** Private key file. Default: the ssh-agent at $SSH_AUTH_SOCK, plus the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exists. */
  readonly identityFile?: string;
  /** known_hosts file to check the host key against. Default: ~/.ssh/known_hosts, then /etc/ssh/ssh_known_hosts. */
  readonly knownHostsFile?: string;
  /**
   * `yes` (default): refuse a host whose key is unknown or differs from known_hosts.
   * `accept-new`: accept an unknown host (without recording it), refuse a changed key. `no`: no check (not advised).
   */
  readonly strictHostKeyChecking?: 'yes' | 'accept-new' | 'no';
  /** Remote command relaying the engine API. Default `docker system dial-stdio`. */
  readonly remoteCommand?: string;
  /** Time limit for TCP connect + SSH handshake + authentication. Default 15 s. */
  readonly connectTimeoutMs?: number;
}

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  /** Safe to print (no password). */
  readonly label: string;
  readonly settings: SshSettings;
  /** Defaults to process.env (HOME, SSH_AUTH_SOCK). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Minimal view of ssh2's Client that this module uses. */
interface SshClient {
  on(event: 'ready' | 'close' | 'end', cb: () => void): this;
  on(event: 'error', cb: (err: Error & { level?: string }) => void): this;
  once(event: 'ready' | 'close', cb: () => void): this;
  once(event: 'error', cb: (err: Error & { level?: string }) => void): this;
  connect(config: Record<string, unknown>): this;
  exec(command: string, cb: (err: Error | undefined, channel: SshChannel) => void): boolean;
  end(): void;
  destroy?(): void;
}

type SshChannel = Duplex & {
  stderr: NodeJS.ReadableStream;
  on(event: 'exit', cb: (code: number | null, signal?: string) => void): SshChannel;
};

/** HTTP connections (channels) per SSH connection kept by the agent, busy or idle; sshd allows 10 sessions by default. */
const MAX_CHANNELS = 6;
/** Channels open on the server, counting those still closing. */
const MAX_OPEN = 8;

/** An http.Agent whose connections are `docker system dial-stdio` channels over one SSH connection. */
export class SshTunnelAgent extends http.Agent {
  private client: SshClient | undefined;
  private ready: Promise<SshClient> | undefined;
  private closed = false;

  constructor(readonly target: SshTarget) {
    // sshd allows 10 sessions per connection by default (MaxSessions): stay below.
    // maxTotalSockets counts idle kept-alive channels too: they stay open on the server.
    super({ keepAlive: true, maxSockets: MAX_CHANNELS, maxTotalSockets: MAX_CHANNELS, maxFreeSockets: MAX_CHANNELS, timeout: 60_000 });
  }

  // Node's Agent calls this with a callback; returning nothing means "the callback will deliver the socket".
  override createConnection(_options: unknown, cb: (err: Error | null, socket?: Duplex) => void): undefined {
    this.openChannel().then(
      (ch) => cb(null, ch),
      (err: Error) => cb(err),
    );
    return undefined;
  }

  override destroy(): void {
    this.closed = true;
    super.destroy();
    this.client?.end();
    this.client = undefined;
    this.ready = undefined;
  }

  /** Channels open on the server (exec'd, not yet fully closed) and openers waiting for one to close. */
  private openChannels = 0;
  private readonly waiting: Array<() => void> = [];

  /**
   * sshd counts a session until its channel is fully closed (the remote dial-stdio has exited), which lags
   * behind the HTTP agent dropping it: wait for such a close before opening more than MAX_OPEN (at most a few
   * seconds; the retry below covers the rest).
   */
  private async channelSlot(): Promise<() => void> {
    if (this.openChannels >= MAX_OPEN) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 5000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiting.push(done);
      });
    }
    this.openChannels++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.openChannels--;
      this.waiting.shift()?.();
    };
  }

  private async openChannel(): Promise<Duplex> {
    for (let attempt = 0; ; attempt++) {
      const release = await this.channelSlot();
      const client = await this.connection().catch((e) => {
        release();
        throw e;
      });
      try {
        const channel = await this.exec(client);
        channel.once('close', release);
        return new ChannelSocket(channel, this.target.label, this.command);
      } catch (e) {
        release();
        // "open failed": the server is at its session limit (other clients, channels still closing): retry.
        if (attempt < 6 && /open failed/i.test((e as Error).message)) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        throw e instanceof DockerPruneError
          ? e
          : new DockerPruneError('unreachable', `Docker over SSH at ${this.target.label}: the server refused to run "${this.command}": ${(e as Error).message}.`, {
              endpoint: this.target.label,
            });
      }
    }
  }

  private get command(): string {
    return this.target.settings.remoteCommand ?? 'docker system dial-stdio';
  }

  private exec(client: SshClient): Promise<SshChannel> {
    return new Promise<SshChannel>((resolve, reject) => {
      client.exec(this.command, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  private connection(): Promise<SshClient> {
    if (this.closed) return Promise.reject(new DockerPruneError('cancelled', `The SSH connection to ${this.target.label} was closed.`));
    this.ready ??= connect(this.target).then(
      (client) => {
        this.client = client;
        const reset = () => {
          if (this.client === client) {
            this.client = undefined;
            this.ready = undefined;
          }
        };
        client.on('close', reset);
        client.on('end', reset);
        client.on('error', reset);
        return client;
      },
      (err) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }
}

export function createSshAgent(target: SshTarget): SshTunnelAgent {
  return new SshTunnelAgent(target);
}

/**
 * An ssh2 channel as Node's http client wants a socket. The remote command's end is held back until its exit
 * status is known, so a failed `docker system dial-stdio` (no docker CLI there, no engine) becomes an error that
 * says so instead of a bare "socket hang up".
 */
class ChannelSocket extends Duplex {
  private exitCode: number | null | undefined;
  private ended = false;
  private stderr = '';

  constructor(
    private readonly channel: SshChannel,
    private readonly label: string,
    private readonly command: string,
  ) {
    super();
    channel.on('data', (d: Buffer) => {
      if (!this.push(d)) channel.pause();
    });
    channel.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 2000) this.stderr += d.toString('utf8');
    });
    channel.on('exit', (code: number | null) => {
      this.exitCode = code;
      this.finishIfDone();
    });
    channel.on('end', () => {
      this.ended = true;
      this.finishIfDone();
    });
    channel.on('close', () => {
      this.ended = true;
      if (this.exitCode === undefined) this.exitCode = null;
      this.finishIfDone();
    });
    channel.on('error', (e: Error) => this.destroy(e));
  }

  private finishIfDone(): void {
    if (!this.ended || this.exitCode === undefined || this.destroyed) return;
    const code = this.exitCode;
    if (code !== 0 && code !== null) {
      const why = this.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${code}`;
      const hint = code === 127 || /not found/i.test(why) ? ' Install the docker CLI on that host (it relays the API with "docker system dial-stdio").' : '';
      this.destroy(new DockerPruneError('unreachable', `Docker over SSH at ${this.label}: "${this.command}" failed on the remote host: ${why}.${hint}`, { endpoint: this.label }));
      return;
    }
    this.push(null);
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.channel.write(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.channel.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.channel.destroy();
    cb(err);
  }

  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

async function connect(target: SshTarget): Promise<SshClient> {
  const { Client } = (await import('ssh2')) as unknown as { Client: new () => SshClient };
  const env = target.env ?? process.env;
  const home = env.HOME || os.homedir();
  const settings = target.settings;
  const strict = settings.strictHostKeyChecking ?? 'yes';

  let privateKey: Buffer | undefined;
  let keySource: string | undefined;
  if (settings.identityFile) {
    keySource = settings.identityFile;
    try {
      privateKey = fs.readFileSync(settings.identityFile);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DockerPruneError(
        'invalid-input',
        `The SSH key for ${target.label}, ${settings.identityFile}, ${code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code})`}.`,
        { endpoint: target.label },
      );
    }
  } else {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const file = path.join(home, '.ssh', name);
      try {
        privateKey = fs.readFileSync(file);
        keySource = file;
        break;
      } catch {
        /* next */
      }
    }
  }
  const agentSock = env.SSH_AUTH_SOCK || undefined;
  const methods = [keySource && `key ${keySource}`, agentSock && 'the ssh-agent', target.password !== undefined && 'a password'].filter(Boolean);

  const knownHostsFiles = settings.knownHostsFile ? [settings.knownHostsFile] : [path.join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
  let hostKeyProblem: DockerPruneError | undefined;
  const hostVerifier = (key: Buffer): boolean => {
    if (strict === 'no') return true;
    const verdict = checkKnownHosts(knownHostsFiles, target.host, target.port, key);
    const fp = fingerprint(key);
    if (verdict.result === 'match') return true;
    if (verdict.result === 'revoked' || verdict.result === 'mismatch') {
      hostKeyProblem = new DockerPruneError(
        'permission-denied',
        `The SSH host key of ${target.label} (${fp}) ${verdict.result === 'revoked' ? 'is marked revoked' : 'does not match the one recorded'} in ${verdict.file}: refusing to connect. If the host was really re-installed, remove its old line there (ssh-keygen -R ${hostPattern(target.host, target.port)}) and check the new key.`,
        { endpoint: target.label },
      );
      return false;
    }
    if (strict === 'accept-new') return true;
    hostKeyProblem = new DockerPruneError(
      'permission-denied',
      `The SSH host key of ${target.label} (${fp}) is not known: it is not in ${knownHostsFiles.join(' or ')}. Check the fingerprint, then connect once with "ssh${target.port !== 22 ? ` -p ${target.port}` : ''} ${target.username}@${target.host}" to record it.`,
      { endpoint: target.label },
    );
    return false;
  };

  const timeoutMs = settings.connectTimeoutMs ?? 15_000;
  const sock = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new DockerPruneError('timeout', `SSH to ${target.label}: no TCP connection within ${Math.round(timeoutMs / 1000)} s. Check the host, port and network.`, { endpoint: target.label }));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(socketError(e, target.label));
    });
  });

  const client = new Client();
  return new Promise<SshClient>((resolve, reject) => {
    let settled = false;
    const fail = (e: DockerPruneError) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      reject(e);
    };
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      // An idle connection must not keep a CLI run alive (pending requests have their own timers); TCP
      // keep-alive instead of ssh2's keepalive timer, which would.
      sock.setKeepAlive(true, 15_000);
      sock.unref();
      resolve(client);
    });
    client.once('error', (e) => {
      if (hostKeyProblem) return fail(hostKeyProblem);
      const msg = e.message;
      if (e.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
        return fail(
          new DockerPruneError(
            'permission-denied',
            `SSH authentication as "${target.username}" to ${target.label} failed: the server accepted none of ${methods.length ? methods.join(', ') : 'the methods available (no key file, no ssh-agent)'}. Check the user, the key (identityFile) and the ssh-agent.`,
            { endpoint: target.label },
          ),
        );
      }
      if (/encrypted|passphrase/i.test(msg)) {
        return fail(
          new DockerPruneError('invalid-input', `The SSH key ${keySource ?? ''} for ${target.label} is protected by a passphrase: load it into ssh-agent (ssh-add) instead.`, {
            endpoint: target.label,
          }),
        );
      }
      if (/parse|unsupported key|cannot parse privatekey/i.test(msg)) {
        return fail(new DockerPruneError('invalid-input', `The SSH key ${keySource ?? ''} for ${target.label} cannot be used: ${msg}.`, { endpoint: target.label }));
      }
      if (/timed out/i.test(msg)) {
        return fail(new DockerPruneError('timeout', `SSH to ${target.label}: the handshake did not finish within ${Math.round(timeoutMs / 1000)} s.`, { endpoint: target.label }));
      }
      fail(new DockerPruneError('unreachable', `SSH to ${target.label} failed: ${msg}.`, { endpoint: target.label }));
    });
    try {
      client.connect({
        sock,
        username: target.username,
        password: target.password,
        privateKey,
        agent: agentSock,
        hostVerifier,
        readyTimeout: timeoutMs,
        keepaliveInterval: 0,
        tryKeyboard: false,
      });
    } catch (e) {
      fail(
        new DockerPruneError('invalid-input', `SSH to ${target.label} cannot start: ${(e as Error).message}${keySource ? ` (key ${keySource})` : ''}.`, {
          endpoint: target.label,
        }),
      );
    }
  });
}

function socketError(e: NodeJS.ErrnoException, label: string): DockerPruneError {
  switch (e.code) {
    case 'ECONNREFUSED':
      return new DockerPruneError('unreachable', `SSH to ${label}: connection refused (no SSH server listening there).`, { endpoint: label });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DockerPruneError('unreachable', `SSH to ${label}: the host name cannot be resolved.`, { endpoint: label });
    default:
      return new DockerPruneError('unreachable', `SSH to ${label}: cannot connect (${e.code ?? e.message}).`, { endpoint: label });
  }
}

/** `SHA256:…` as `ssh-keygen -lf` prints it. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export interface KnownHostsVerdict {
  readonly result: 'match' | 'mismatch' | 'revoked' | 'unknown';
  readonly file?: string;
}

/**
 * Looks `host`/`port` up in OpenSSH known_hosts files (plain and hashed `|1|salt|hash` host patterns, `*`/`?`
 * wildcards, `!` negation, `@revoked`); compares the key blob. `@cert-authority` lines are not supported
 * (such hosts count as unknown).
 */
export function checkKnownHosts(files: readonly string[], host: string, port: number, key: Buffer): KnownHostsVerdict {
  const wanted = key.toString('base64');
  const name = hostPattern(host.toLowerCase(), port);
  let mismatchFile: string | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const rawLine of text.split('\n')) {
      const line = rawLine.trim();
      if (!line || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      let marker: string | undefined;
      if (fields[0]?.startsWith('@')) marker = fields.shift();
      if (fields.length < 3) continue;
      const [patterns, , blob] = fields;
      if (!hostMatches(patterns!, name)) continue;
      if (marker === '@cert-authority') continue;
      if (marker === '@revoked') {
        if (blob === wanted) return { result: 'revoked', file };
        continue;
      }
      if (blob === wanted) return { result: 'match', file };
      mismatchFile ??= file;
    }
  }
  return mismatchFile ? { result: 'mismatch', file: mismatchFile } : { result: 'unknown' };
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

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(s);
}
