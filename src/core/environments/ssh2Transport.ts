/**
 * The ssh2 client for `ssh://` engines (the fallback when no OpenSSH client is installed, or on request): one
 * SSH connection per environment, every HTTP connection one `docker system dial-stdio` channel on it, reused
 * through a keep-alive HTTP agent (docker-modem's own ssh transport makes one SSH handshake per request).
 *
 * It follows the user's ssh config as far as a library can (sshConfig: Host aliases, HostName, User, Port,
 * IdentityFile, IdentitiesOnly, IdentityAgent, ProxyJump, StrictHostKeyChecking, UserKnownHostsFile,
 * HostKeyAlias, ConnectTimeout); keys are chosen as OpenSSH in batch mode does (sshIdentities); host keys are
 * checked by type against known_hosts and the recorded types are asked for first (knownHosts). Every failure
 * is a DockerPruneError naming the environment (sshErrors), never key material or passwords.
 */
import * as http from 'http';
import * as net from 'net';
import { Duplex } from 'stream';
import { DockerPruneError } from '../errors';
import { checkKnownHosts, fingerprint, keyTypeOf, knownHostKeyTypes, preferredHostKeyAlgorithms } from './knownHosts';
import { resolveSshConfig, type SshHostConfig } from './sshConfig';
import {
  authenticationFailed,
  connectionRefused,
  connectTimedOut,
  encryptedKeysNote,
  hostKeyChanged,
  hostKeyOfOtherType,
  hostKeyRevoked,
  hostKeyUnknown,
  hostNotResolved,
  remoteCommandFailed,
} from './sshErrors';
import { chooseIdentities, type AgentLike, type Ssh2Module } from './sshIdentities';
import { sshConfigFileOf, type SshTarget } from './sshTarget';

/** Minimal view of ssh2's Client that this module uses. */
interface SshClient {
  on(event: 'ready' | 'close' | 'end', cb: () => void): this;
  on(event: 'error', cb: (err: Error & { level?: string }) => void): this;
  once(event: 'ready' | 'close', cb: () => void): this;
  once(event: 'error', cb: (err: Error & { level?: string }) => void): this;
  connect(config: Record<string, unknown>): this;
  exec(command: string, cb: (err: Error | undefined, channel: SshChannel) => void): boolean;
  forwardOut(srcIP: string, srcPort: number, dstIP: string, dstPort: number, cb: (err: Error | undefined, stream: Duplex) => void): boolean;
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
export class Ssh2TunnelAgent extends http.Agent {
  readonly sshClient = 'ssh2' as const;
  private client: SshClient | undefined;
  private ready: Promise<SshClient> | undefined;
  private closed = false;

  constructor(readonly target: SshTarget) {
    // sshd allows 10 sessions per connection by default (MaxSessions): stay below.
    // maxTotalSockets counts idle kept-alive channels too: they stay open on the server.
    super({ keepAlive: true, maxSockets: MAX_CHANNELS, maxTotalSockets: MAX_CHANNELS, maxFreeSockets: MAX_CHANNELS, timeout: 60_000 });
  }

  // Node's Agent calls this with a callback; returning nothing means "the callback will deliver the socket".
  /**
   * Returns the socket at once and attaches its channel when it is open. (With a callback-style
   * createConnection, Node's Agent counts a socket only once the callback ran, so a burst of requests
   * opened far more channels than maxSockets — past sshd's MaxSessions, where requests hung.)
   */
  override createConnection(): Duplex {
    const socket = new ChannelSocket(this.target.label, this.command);
    this.openChannel().then(
      (ch) => socket.attach(ch),
      (err: Error) => socket.destroy(err),
    );
    return socket;
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

  private async openChannel(): Promise<SshChannel> {
    for (let attempt = 0; ; attempt++) {
      const release = await this.channelSlot();
      const client = await this.connection().catch((e) => {
        release();
        throw e;
      });
      try {
        const channel = await this.exec(client);
        channel.once('close', release);
        return channel;
      } catch (e) {
        release();
        // "open failed": the server is at its session limit (other clients, channels still closing): retry.
        if (attempt < 6 && /open failed/i.test((e as Error).message)) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        throw e instanceof DockerPruneError
          ? e
          : new DockerPruneError(
              'unreachable',
              `Docker over SSH at ${this.target.label}: the server refused to run "${this.command}": ${(e as Error).message}.`,
              {
                endpoint: this.target.label,
              },
            );
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

/**
 * An ssh2 channel as Node's http client wants a socket. The remote command's end is held back until its exit
 * status is known, so a failed `docker system dial-stdio` (no docker CLI there, no engine) becomes an error that
 * says so instead of a bare "socket hang up".
 */
class ChannelSocket extends Duplex {
  private channel: SshChannel | undefined;
  private readonly attached: Promise<void>;
  private markAttached!: () => void;
  private exitCode: number | null | undefined;
  private ended = false;
  private stderr = '';

  constructor(
    private readonly label: string,
    private readonly command: string,
  ) {
    super();
    this.attached = new Promise<void>((r) => (this.markAttached = r));
  }

  /** The channel is open: from now on this socket is that channel. */
  attach(channel: SshChannel): void {
    if (this.destroyed) {
      channel.destroy();
      return;
    }
    this.channel = channel;
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
    this.markAttached();
  }

  private finishIfDone(): void {
    if (!this.ended || this.exitCode === undefined || this.destroyed) return;
    const code = this.exitCode;
    if (code !== 0 && code !== null) {
      this.destroy(remoteCommandFailed(this.label, this.command, code, this.stderr));
      return;
    }
    this.push(null);
  }

  override _read(): void {
    this.channel?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.channel) this.channel.write(chunk, cb);
    else void this.attached.then(() => this.channel!.write(chunk, cb));
  }

  override _final(cb: (e?: Error | null) => void): void {
    void this.attached.then(() => {
      this.channel!.end();
      cb();
    });
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.channel?.destroy();
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

/** ssh2's host key algorithms in its order of preference (ssh2 lib/protocol/constants.js DEFAULT_SERVER_HOST_KEY). */
const SSH2_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];
/** ProxyJump hops at most (a `Host *` ProxyJump that matches its own jump host would loop forever). */
const MAX_HOPS = 8;

/** One SSH connection on the way: the jump hosts, then the target (to which the environment's settings apply). */
interface Hop {
  readonly config: SshHostConfig;
  readonly final: boolean;
  /** For errors: the environment's label, or "jump host u@h:p (to LABEL)". */
  readonly label: string;
}

/**
 * The connections to make, first hop first. `ProxyJump a,b` for the target: `a` is reached as its own config
 * says (its own ProxyJump included), `b` through `a` with b's config but no proxy of its own (ssh runs
 * `ssh -J a -W target b`), the target through `b` (readconf.c parse_jump, ssh.c).
 */
export function planHops(target: SshTarget): Hop[] {
  const env = target.env ?? process.env;
  const configFile = sshConfigFileOf(target);
  const resolve = (host: string, user?: string, port?: number) => resolveSshConfig({ host, user, port, configFile, env });
  const final = resolve(target.host, target.username, target.port);
  const chain: SshHostConfig[] = [];
  const add = (config: SshHostConfig, depth: number): void => {
    if (depth > MAX_HOPS || chain.length > MAX_HOPS) {
      throw new DockerPruneError('invalid-input', `SSH to ${target.label}: more than ${MAX_HOPS} ProxyJump hops (does a ProxyJump match its own jump host?).`, {
        endpoint: target.label,
      });
    }
    if (config.proxyCommand) {
      throw new DockerPruneError(
        'invalid-input',
        `SSH to ${target.label}: the ssh config sets a ProxyCommand for ${config.alias}, which the built-in SSH client cannot run. Install the OpenSSH client (ssh), which is then used.`,
        { endpoint: target.label },
      );
    }
    config.proxyJump.forEach((hop, i) => {
      const hopConfig = resolve(hop.host, hop.user, hop.port);
      if (i === 0) add(hopConfig, depth + 1);
      else chain.push(hopConfig);
    });
    chain.push(config);
  };
  add(final, 0);
  return chain.map((config, i) =>
    i === chain.length - 1
      ? { config, final: true, label: target.label }
      : { config, final: false, label: `jump host ${config.user}@${config.hostName}:${config.port} (to ${target.label})` },
  );
}

async function connect(target: SshTarget): Promise<SshClient> {
  const ssh2 = (await import('ssh2')) as unknown as Ssh2Module & { Client: new () => SshClient };
  const hops = planHops(target);
  const finalConfig = hops[hops.length - 1]!.config;
  const timeoutMs = target.settings.connectTimeoutMs ?? (finalConfig.connectTimeoutSeconds ? finalConfig.connectTimeoutSeconds * 1000 : 15_000);
  const clients: SshClient[] = [];
  let tcp: net.Socket | undefined;
  try {
    for (const [i, hop] of hops.entries()) {
      let sock: Duplex;
      if (i === 0) sock = tcp = await tcpConnect(hop.config.hostName, hop.config.port, hop.label, timeoutMs);
      else sock = await forwardOut(clients[i - 1]!, hops[i - 1]!.label, hop);
      clients.push(await handshake(ssh2, hop, sock, target, timeoutMs));
    }
  } catch (e) {
    for (const c of clients.reverse()) c.end();
    tcp?.destroy();
    throw e;
  }
  const last = clients[clients.length - 1]!;
  // The jump connections live exactly as long as the target's.
  if (clients.length > 1)
    last.on('close', () =>
      clients
        .slice(0, -1)
        .reverse()
        .forEach((c) => c.end()),
    );
  // An idle connection must not keep a CLI run alive (pending requests have their own timers); TCP
  // keep-alive instead of ssh2's keepalive timer, which would.
  tcp!.setKeepAlive(true, 15_000);
  tcp!.unref();
  return last;
}

function tcpConnect(host: string, port: number, label: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(connectTimedOut(label, Math.round(timeoutMs / 1000)));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(socketError(e, label, host));
    });
  });
}

/** A direct-tcpip channel through the previous hop to the next one (what `ssh -W host:port` asks for). */
function forwardOut(via: SshClient, viaLabel: string, to: Hop): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, to.config.hostName, to.config.port, (err, stream) => {
      if (!err) return resolve(stream);
      reject(
        new DockerPruneError(
          'unreachable',
          `SSH to ${to.label}: the ${viaLabel} did not open a connection to ${to.config.hostName}:${to.config.port} (${err.message}). Check that host and port from the jump host, and that its sshd allows TCP forwarding (AllowTcpForwarding).`,
          { endpoint: to.label },
        ),
      );
    });
  });
}

/** The SSH handshake, host key check and authentication of one hop over `sock`. */
function handshake(ssh2: Ssh2Module & { Client: new () => SshClient }, hop: Hop, sock: Duplex, target: SshTarget, timeoutMs: number): Promise<SshClient> {
  const env = target.env ?? process.env;
  const c = hop.config;
  const settings = hop.final ? target.settings : {};
  const strict = settings.strictHostKeyChecking ?? (c.strictHostKeyChecking === 'ask' ? 'yes' : c.strictHostKeyChecking) ?? 'yes';
  const knownFiles = settings.knownHostsFile ? [settings.knownHostsFile] : [...c.userKnownHostsFiles, ...c.globalKnownHostsFiles];
  // HostKeyAlias names the host in known_hosts (without a port), else the host connected to.
  const khHost = c.hostKeyAlias ?? c.hostName;
  const khPort = c.hostKeyAlias ? 22 : c.port;
  const knownTypes = strict === 'no' ? [] : knownHostKeyTypes(knownFiles, khHost, khPort);

  let hostKeyProblem: DockerPruneError | undefined;
  const hostVerifier = (key: Buffer): boolean => {
    if (strict === 'no') return true;
    const verdict = checkKnownHosts(knownFiles, khHost, khPort, key);
    const keyType = keyTypeOf(key);
    const fp = fingerprint(key);
    switch (verdict.result) {
      case 'match':
        return true;
      case 'revoked':
        hostKeyProblem = hostKeyRevoked(hop.label, { file: verdict.file, fingerprint: fp });
        return false;
      case 'mismatch':
        hostKeyProblem = hostKeyChanged(hop.label, { host: khHost, port: khPort, file: verdict.file, fingerprint: fp, keyType });
        return false;
      case 'other-types':
        // Not a changed key — but not a known one: refused even with accept-new, as OpenSSH refuses it.
        hostKeyProblem = hostKeyOfOtherType(hop.label, {
          host: khHost,
          port: khPort,
          file: verdict.file,
          keyType,
          knownTypes: verdict.knownTypes,
          fingerprint: fp,
        });
        return false;
      case 'unknown':
        if (strict === 'accept-new') return true;
        hostKeyProblem = hostKeyUnknown(
          hop.label,
          { host: `${c.user}@${c.alias}`, port: hop.final && target.port === undefined ? 22 : c.port, files: knownFiles, fingerprint: fp, keyType },
          verdict.certAuthority,
        );
        return false;
    }
  };

  const explicitKey = hop.final ? settings.identityFile : undefined;
  const agentSocket = c.identityAgent === 'none' ? undefined : (c.identityAgent ?? env.SSH_AUTH_SOCK) || undefined;
  const ids = chooseIdentities(ssh2, {
    explicitFile: explicitKey,
    // like `ssh -i`: an explicit key replaces OpenSSH's default identity files (not configured ones)
    configFiles: explicitKey && c.defaultIdentityFiles ? [] : c.identityFiles,
    identitiesOnly: c.identitiesOnly,
    agentSocket,
    label: hop.label,
  });
  const password = hop.final ? target.password : undefined;
  const methods: Array<Record<string, unknown>> = [
    ...(ids.agent ? [{ type: 'agent', username: c.user, agent: ids.agent as AgentLike }] : []),
    ...ids.keys.map((k) => ({ type: 'publickey', username: c.user, key: k.key })),
    ...(password !== undefined ? [{ type: 'password', username: c.user, password }] : []),
  ];
  let nextMethod = 0;
  const tried = ids.description + (password !== undefined ? ', a password' : '');

  const client = new ssh2.Client();
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
      resolve(client);
    });
    client.once('error', (e) => {
      if (hostKeyProblem) return fail(hostKeyProblem);
      const msg = e.message;
      if (e.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
        const notes = [encryptedKeysNote(ids.encrypted), ids.unusable.length ? `Unusable key file(s): ${ids.unusable.join(', ')}.` : undefined].filter(
          (n): n is string => !!n,
        );
        return fail(authenticationFailed(hop.label, c.user, tried, notes));
      }
      if (/timed out/i.test(msg)) {
        return fail(
          new DockerPruneError('timeout', `SSH to ${hop.label}: the handshake did not finish within ${Math.round(timeoutMs / 1000)} s.`, {
            endpoint: hop.label,
          }),
        );
      }
      fail(new DockerPruneError('unreachable', `SSH to ${hop.label} failed: ${msg}.`, { endpoint: hop.label }));
    });
    try {
      client.connect({
        sock,
        username: c.user,
        authHandler: () => methods[nextMethod++] ?? false,
        hostVerifier,
        algorithms: knownTypes.length ? { serverHostKey: preferredHostKeyAlgorithms(knownTypes, SSH2_HOST_KEY_ALGORITHMS) } : undefined,
        readyTimeout: timeoutMs,
        keepaliveInterval: 0,
        tryKeyboard: false,
      });
    } catch (e) {
      fail(new DockerPruneError('invalid-input', `SSH to ${hop.label} cannot start: ${(e as Error).message}.`, { endpoint: hop.label }));
    }
  });
}

function socketError(e: NodeJS.ErrnoException, label: string, host: string): DockerPruneError {
  switch (e.code) {
    case 'ECONNREFUSED':
      return connectionRefused(label);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return hostNotResolved(label, host);
    default:
      return new DockerPruneError('unreachable', `SSH to ${label}: cannot connect (${e.code ?? e.message}).`, { endpoint: label });
  }
}
