/**
 * The OpenSSH client for `ssh://` engines, run the way the docker CLI runs it (docker/cli
 * cli/connhelper/connhelper.go, ssh/ssh.go, commandconn/commandconn.go):
 *
 *   ssh [-F file] -o BatchMode=yes -o ConnectTimeout=N -T [-i key] [-o …] [-l user] [-p port] -- host docker system dial-stdio
 *
 * one process per HTTP connection, each in its own session (setsid: no terminal, so nothing can prompt;
 * BatchMode=yes besides), ended with SIGTERM and, 3 s later, SIGKILL to its process group (which holds a
 * ProxyJump's `ssh -W` too). The user's ssh config, agent, ProxyJump/ProxyCommand, ControlMaster, hardware
 * keys and certificates all apply, as for `ssh` itself. Connections are kept alive and reused through the
 * http.Agent (a few processes at most; idle ones end after IDLE_MS); closing the endpoint or aborting a request
 * ends its processes, and any still running when this process exits are killed.
 *
 * ssh's failures (exit 255 plus its stderr) become the same DockerPruneErrors as the ssh2 client's (sshErrors).
 */
import { execFile, spawn, type ChildProcess } from 'child_process';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Duplex } from 'stream';
import { DockerPruneError } from '../errors';
import { recordedKeyTypes } from './knownHosts';
import {
  authenticationFailed,
  connectionRefused,
  connectTimedOut,
  hostKeyChanged,
  hostKeyOfOtherType,
  hostKeyRevoked,
  hostKeyUnknown,
  hostNotResolved,
  lastLines,
  remoteCommandFailed,
} from './sshErrors';
import { sshConfigFileOf, type SshTarget } from './sshTarget';

/** ssh processes (HTTP connections) per environment, busy or idle. */
const MAX_PROCESSES = 4;
/** An idle kept-alive connection's process ends after this. */
const IDLE_MS = 30_000;
/** SIGTERM, then SIGKILL after this (docker/cli commandconn killAndWait). */
const KILL_GRACE_MS = 3_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/** An http.Agent whose connections are `ssh … docker system dial-stdio` processes. */
export class OpenSshAgent extends http.Agent {
  readonly sshClient = 'openssh' as const;
  private readonly live = new Set<SshProcessSocket>();

  constructor(
    readonly target: SshTarget,
    readonly binary: string,
  ) {
    super({ keepAlive: true, maxSockets: MAX_PROCESSES, maxTotalSockets: MAX_PROCESSES, maxFreeSockets: MAX_PROCESSES, timeout: IDLE_MS });
  }

  override createConnection(): Duplex {
    const child = spawn(this.binary, opensshArgs(this.target), {
      stdio: ['pipe', 'pipe', 'pipe'],
      // its own session and process group, as docker/cli's commandconn (createSession): no controlling terminal
      detached: process.platform !== 'win32',
      env: this.target.env ?? process.env,
      windowsHide: true,
    });
    const socket = new SshProcessSocket(child, this.target, this.binary);
    this.live.add(socket);
    socket.once('close', () => this.live.delete(socket));
    return socket;
  }

  override destroy(): void {
    super.destroy();
    for (const s of this.live) s.destroy();
    this.live.clear();
  }

  /** ssh processes of this agent not yet ended (for tests and diagnostics). */
  get processIds(): number[] {
    return [...this.live].map((s) => s.pid).filter((p): p is number => p !== undefined);
  }
}

/** The ssh command line for `target` (without the program). */
export function opensshArgs(target: SshTarget): string[] {
  const s = target.settings;
  const args: string[] = [];
  const configFile = sshConfigFileOf(target);
  if (configFile) args.push('-F', configFile);
  args.push('-o', 'BatchMode=yes');
  args.push('-o', `ConnectTimeout=${Math.max(1, Math.ceil((s.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000))}`);
  args.push('-T');
  if (s.identityFile) args.push('-i', s.identityFile);
  if (s.knownHostsFile) {
    args.push('-o', `UserKnownHostsFile=${quoteOptionValue(s.knownHostsFile)}`);
    args.push('-o', `GlobalKnownHostsFile=${process.platform === 'win32' ? 'none' : '/dev/null'}`);
  }
  if (s.strictHostKeyChecking) args.push('-o', `StrictHostKeyChecking=${s.strictHostKeyChecking}`);
  if (target.username !== undefined) args.push('-l', target.username);
  if (target.port !== undefined) args.push('-p', String(target.port));
  args.push('--', target.host, remoteCommandOf(target));
  return args;
}

function remoteCommandOf(target: SshTarget): string {
  return target.settings.remoteCommand ?? 'docker system dial-stdio';
}

/** ssh splits `-o` values like config lines: a path with spaces is quoted. */
function quoteOptionValue(v: string): string {
  return /[\s"]/.test(v) ? `"${v.replace(/(["\\])/g, '\\$1')}"` : v;
}

/** Process groups still running, killed if this process exits first. */
const running = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  running.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of running) signal(p, 'SIGKILL');
  });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, sig);
  } catch {
    /* already gone */
  }
}

/**
 * An ssh process as Node's http client wants a socket: stdout in, stdin out. Its end is held back until the
 * process has exited, so a failure becomes an error that says what happened instead of a bare "socket hang up".
 */
class SshProcessSocket extends Duplex {
  timeout = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private stderr = '';
  private exited = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly target: SshTarget,
    private readonly binary: string,
  ) {
    super();
    if (child.pid !== undefined) track(child.pid);
    const { stdout, stdin, stderr } = child;
    stdout!.on('data', (d: Buffer) => {
      this.touch();
      if (!this.push(d)) stdout!.pause();
    });
    stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-8000);
    });
    // EPIPE once ssh is gone: its exit status and stderr say why.
    stdin!.on('error', () => undefined);
    child.once('error', (e: NodeJS.ErrnoException) => {
      this.exited = true;
      this.destroy(new DockerPruneError('unreachable', `SSH to ${target.label}: cannot run ${binary} (${e.code ?? e.message}).`, { endpoint: target.label }));
    });
    child.once('close', (code, sig) => {
      this.exited = true;
      if (child.pid !== undefined) running.delete(child.pid);
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      void opensshFailure(this.target, this.binary, code, sig, this.stderr).then((e) => this.destroy(e));
    });
  }

  get pid(): number | undefined {
    return this.exited ? undefined : this.child.pid;
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.touch();
    // a write to a process that has gone fails; its exit reports why
    this.child.stdin!.write(chunk, () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.child.stdin!.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    const pid = this.child.pid;
    if (!this.exited && pid !== undefined) {
      signal(pid, 'SIGTERM');
      const timer = setTimeout(() => signal(pid, 'SIGKILL'), KILL_GRACE_MS);
      timer.unref();
      this.child.once('close', () => {
        clearTimeout(timer);
        // a ProxyJump's `ssh -W` left in the group
        signal(pid, 'SIGKILL');
      });
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    cb(err);
  }

  private touch(): void {
    if (this.timeout > 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.timeout);
      this.idleTimer.unref();
    }
  }

  /** As net.Socket#setTimeout: `timeout` after `ms` without traffic; 0 disarms (and removes `cb`). */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeout = ms;
    if (cb) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.touch();
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  // The http.Agent refs a socket while a request uses it and unrefs it while idle: an idle connection must
  // not keep a CLI run alive.
  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void } | null)?.ref?.();
    return this;
  }
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    return this;
  }
}

/** What ssh's stderr says went wrong (OpenSSH 8–9 wording: sshconnect.c, sshconnect2.c, ssh.c). */
export type OpenSshFailure =
  | { kind: 'host-key-changed'; keyType?: string; fingerprint?: string; file?: string; line?: number }
  | { kind: 'host-key-revoked'; fingerprint?: string; file?: string }
  | { kind: 'host-key-unknown'; keyType?: string; host?: string }
  | { kind: 'permission-denied'; user?: string; methods?: string }
  | { kind: 'not-resolved'; host?: string }
  | { kind: 'refused' }
  | { kind: 'timed-out' }
  | { kind: 'config'; detail: string }
  | { kind: 'forwarding'; detail: string }
  | { kind: 'closed'; detail: string }
  | { kind: 'remote-command' }
  | { kind: 'other'; detail: string };

export function classifyOpenSshFailure(code: number | null, stderr: string): OpenSshFailure {
  if (code !== 255) return { kind: 'remote-command' };
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
    const sent = /The fingerprint for the (\S+) key sent by the remote host is\s+(SHA256:[A-Za-z0-9+/=]+)/.exec(stderr);
    const offending = /Offending (\S+) key in (.+):(\d+)/.exec(stderr);
    return { kind: 'host-key-changed', keyType: sent?.[1], fingerprint: sent?.[2], file: offending?.[2], line: offending ? Number(offending[3]) : undefined };
  }
  if (/REVOKED HOST KEY/.test(stderr)) {
    const fp = /(SHA256:[A-Za-z0-9+/=]+)/.exec(stderr);
    const file = /revoked in (\S+)|in (\S+) as revoked/.exec(stderr);
    return { kind: 'host-key-revoked', fingerprint: fp?.[1], file: file?.[1] ?? file?.[2] };
  }
  if (/Host key verification failed/.test(stderr)) {
    const m = /No (\S+) host key is known for (\S+)/.exec(stderr);
    return { kind: 'host-key-unknown', keyType: m?.[1], host: m?.[2] };
  }
  const denied = /(?:(\S+)@\S+: )?Permission denied \(([^)]*)\)/.exec(stderr);
  if (denied) return { kind: 'permission-denied', user: denied[1], methods: denied[2] };
  const resolve = /Could not resolve hostname (\S+?):/.exec(stderr);
  if (resolve) return { kind: 'not-resolved', host: resolve[1] };
  if (/Connection refused/.test(stderr)) return { kind: 'refused' };
  if (/timed out|Connection timed out|Operation timed out/i.test(stderr)) return { kind: 'timed-out' };
  const config =
    /(Bad owner or permissions on .+|.+ line \d+: .+|Bad configuration option.+|command-line line \d+: .+|Unsupported option.+|no argument after keyword.+)/.exec(
      stderr,
    );
  if (config) return { kind: 'config', detail: config[1]!.trim() };
  const forwarding = /(channel \d+: open failed: .+|stdio forwarding failed.*)/.exec(stderr);
  if (forwarding) return { kind: 'forwarding', detail: forwarding[1]!.trim() };
  if (/Connection closed by|Connection reset|kex_exchange_identification|banner exchange/.test(stderr)) return { kind: 'closed', detail: lastLines(stderr, 2) };
  return { kind: 'other', detail: lastLines(stderr) };
}

/** A failed ssh process → the DockerPruneError that says what happened and what to do. */
async function opensshFailure(target: SshTarget, binary: string, code: number | null, sig: NodeJS.Signals | null, stderr: string): Promise<DockerPruneError> {
  const label = target.label;
  if (code === null) return new DockerPruneError('unreachable', `SSH to ${label}: the ssh process ended (${sig ?? 'signal'}).`, { endpoint: label });
  const f = classifyOpenSshFailure(code, stderr);
  const timeoutS = Math.max(1, Math.ceil((target.settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000));
  switch (f.kind) {
    case 'remote-command':
      return remoteCommandFailed(label, remoteCommandOf(target), code, stderr);
    case 'host-key-changed': {
      // OpenSSH calls a key "changed" when only keys of OTHER types are recorded and the server offers none of
      // them (hostfile.c check_hostkeys_by_key_or_type). Look at known_hosts by type to tell the two apart.
      const where = await effectiveConfig(target, binary);
      const keyType = f.keyType ? opensshTypeToKeyType(f.keyType) : undefined;
      const recorded = where && keyType ? recordedKeyTypes(where.knownHostsFiles, where.host, where.port) : undefined;
      if (where && keyType && recorded?.length && !recorded.some((r) => r.keyType.startsWith(keyType))) {
        const knownTypes = [...new Set(recorded.map((r) => r.keyType))];
        return hostKeyOfOtherType(label, { host: where.host, port: where.port, file: recorded[0]!.file, keyType, knownTypes, fingerprint: f.fingerprint });
      }
      return hostKeyChanged(label, {
        host: where?.host ?? target.host,
        port: where?.port ?? target.port ?? 22,
        file: f.file ?? 'known_hosts',
        fingerprint: f.fingerprint,
        keyType,
      });
    }
    case 'host-key-revoked':
      return hostKeyRevoked(label, { file: f.file ?? 'known_hosts', fingerprint: f.fingerprint });
    case 'host-key-unknown': {
      const where = await effectiveConfig(target, binary);
      return hostKeyUnknown(label, {
        host: target.username ? `${target.username}@${target.host}` : target.host,
        port: target.port ?? 22,
        files: where?.knownHostsFiles ?? (target.settings.knownHostsFile ? [target.settings.knownHostsFile] : []),
        keyType: f.keyType ? opensshTypeToKeyType(f.keyType) : undefined,
      });
    }
    case 'permission-denied':
      return authenticationFailed(
        label,
        f.user ?? target.username ?? "(the ssh config's User)",
        [target.settings.identityFile ? `key ${target.settings.identityFile}` : undefined, 'the keys of your ssh config and ssh-agent']
          .filter(Boolean)
          .join(', ') + (f.methods ? ` (OpenSSH: Permission denied (${f.methods}))` : ''),
        [
          'The OpenSSH client runs in batch mode: keys that need a passphrase are used only through the ssh-agent (ssh-add).',
          ...(target.password !== undefined ? ['The password in the URL is not used by the OpenSSH client (set "client": "ssh2" to send it).'] : []),
        ],
      );
    case 'not-resolved':
      return hostNotResolved(label, f.host);
    case 'refused':
      return connectionRefused(label);
    case 'timed-out':
      return connectTimedOut(label, timeoutS);
    case 'config':
      return new DockerPruneError('invalid-input', `SSH to ${label}: ssh rejects its configuration: ${f.detail}`, { endpoint: label });
    case 'forwarding':
      return new DockerPruneError(
        'unreachable',
        `SSH to ${label}: a jump host did not open the connection onward (${f.detail}). Check ProxyJump, and that the jump host's sshd allows TCP forwarding.`,
        { endpoint: label },
      );
    case 'closed':
      return new DockerPruneError('unreachable', `SSH to ${label}: the server closed the connection (${f.detail}).`, { endpoint: label });
    case 'other':
      return new DockerPruneError('unreachable', `SSH to ${label} failed: ${f.detail || `ssh exited with ${code}`}.`, { endpoint: label });
  }
}

function passwdHome(): string {
  try {
    return os.userInfo().homedir;
  } catch {
    return os.homedir();
  }
}

/** `ED25519` (as ssh prints it) → `ssh-ed25519`; `ECDSA` stays a prefix `ecdsa-sha2-`. */
function opensshTypeToKeyType(name: string): string {
  switch (name.toUpperCase()) {
    case 'ED25519':
      return 'ssh-ed25519';
    case 'RSA':
      return 'ssh-rsa';
    case 'DSA':
      return 'ssh-dss';
    case 'ECDSA':
      return 'ecdsa-sha2-';
    case 'ED25519-SK':
      return 'sk-ssh-ed25519@openssh.com';
    case 'ECDSA-SK':
      return 'sk-ecdsa-sha2-';
    default:
      return name.toLowerCase();
  }
}

/**
 * What ssh itself resolved for the target (`ssh -G`: host name, port, known_hosts files, HostKeyAlias), for
 * telling a changed key from one of another type. Only run after a host key failure. undefined if ssh -G fails.
 */
function effectiveConfig(target: SshTarget, binary: string): Promise<{ host: string; port: number; knownHostsFiles: string[] } | undefined> {
  const args = opensshArgs(target);
  const sep = args.indexOf('--');
  const gArgs = [...args.slice(0, sep), '-G', target.host];
  return new Promise((resolve) => {
    execFile(binary, gArgs, { env: target.env ?? process.env, timeout: 5000, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(undefined);
      const values = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const i = line.indexOf(' ');
        if (i > 0 && !values.has(line.slice(0, i))) values.set(line.slice(0, i), line.slice(i + 1).trim());
      }
      // ssh expands ~ from the passwd entry, not $HOME
      const home = passwdHome();
      const files = [values.get('userknownhostsfile'), values.get('globalknownhostsfile')]
        .filter((v): v is string => !!v && v !== 'none')
        .flatMap((v) => v.split(/\s+/))
        .map((f) => (f.startsWith('~/') ? path.join(home, f.slice(2)) : f));
      const alias = values.get('hostkeyalias');
      const host = alias && alias !== 'none' ? alias : (values.get('hostname') ?? target.host);
      const port = alias && alias !== 'none' ? 22 : Number(values.get('port') ?? target.port ?? 22);
      resolve({ host, port, knownHostsFiles: files });
    });
  });
}
