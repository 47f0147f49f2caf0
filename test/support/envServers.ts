/**
 * Real servers on loopback for the environment tests: a dockerd that also listens on 127.0.0.1 with
 * `--tlsverify` and certificates made here with openssl, and a private OpenSSH sshd on 127.0.0.1 with its own
 * config, host key and authorized key. Everything lives in a fresh temp dir, listens on 127.0.0.1 or unix
 * sockets only, and is stopped by its own pid (process group).
 *
 * (test/support/dockerd.ts starts plain engines; it takes no extra dockerd arguments, hence this file.)
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { apiJson, apiRequest, DOCKERD_ISOLATION_ARGS, killLeftovers, ping, removeDir } from './dockerd';
import { signalGroup, trackServer, untrackServer, within } from './processes';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// TLS material

export interface TlsMaterial {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second, unrelated CA and a client certificate it signed (the server must refuse it; the client must refuse the server with this CA). */
  otherCa: string;
  otherClientCert: string;
  otherClientKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a second CA with its own client. ~0.3 s. */
function makeTlsMaterial(dir: string): TlsMaterial {
  fs.mkdirSync(dir, { recursive: true });
  const ext = (name: string, body: string) => {
    fs.writeFileSync(path.join(dir, name), body);
    return name;
  };
  const mkCa = (name: string) => {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${name}-key.pem`,
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
      ],
      dir,
    );
  };
  const mkCert = (name: string, ca: string, extFile: string) => {
    openssl(
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${name}-key.pem`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${ca}.pem`,
        '-CAkey',
        `${ca}-key.pem`,
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        extFile,
      ],
      dir,
    );
  };
  mkCa('ca');
  mkCa('other-ca');
  mkCert('server', 'ca', ext('server.ext', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'));
  const clientExt = ext('client.ext', 'extendedKeyUsage=clientAuth\n');
  mkCert('client', 'ca', clientExt);
  mkCert('other-client', 'other-ca', clientExt);
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    ca: p('ca.pem'),
    caKey: p('ca-key.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server-key.pem'),
    clientCert: p('client.pem'),
    clientKey: p('client-key.pem'),
    otherCa: p('other-ca.pem'),
    otherClientCert: p('other-client.pem'),
    otherClientKey: p('other-client-key.pem'),
  };
}

// ---------------------------------------------------------------------------------------------------
// dockerd with a TLS TCP listener

export interface TlsEngine {
  /** `tcp://127.0.0.1:PORT` */
  tcpHost: string;
  port: number;
  /** The same engine's unix socket (for test setup). */
  socketPath: string;
  tls: TlsMaterial;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startTlsEngine(opts: { name?: string } = {}): Promise<TlsEngine> {
  const dataDir = fs.mkdtempSync(`/tmp/dp-${(opts.name ?? 'tls').slice(0, 8)}-`);
  const tls = makeTlsMaterial(path.join(dataDir, 'certs'));
  const port = await freePort();
  const socketPath = path.join(dataDir, 'docker.sock');
  fs.writeFileSync(path.join(dataDir, 'daemon.json'), '{}\n');
  const args = [
    `--config-file=${path.join(dataDir, 'daemon.json')}`,
    `--data-root=${path.join(dataDir, 'root')}`,
    `--exec-root=${path.join(dataDir, 'exec')}`,
    `--pidfile=${path.join(dataDir, 'dockerd.pid')}`,
    `--host=unix://${socketPath}`,
    `--host=tcp://127.0.0.1:${port}`,
    '--tlsverify',
    `--tlscacert=${tls.ca}`,
    `--tlscert=${tls.serverCert}`,
    `--tlskey=${tls.serverKey}`,
    ...DOCKERD_ISOLATION_ARGS,
  ];
  const child = spawnDaemon('/usr/sbin/dockerd', args, dataDir, 'dockerd.log');
  const engine: TlsEngine = {
    tcpHost: `tcp://127.0.0.1:${port}`,
    port,
    socketPath,
    tls,
    dataDir,
    pid: child.pid!,
    stop: once(() => stopDaemon(child, dataDir, socketPath)),
  };
  await waitFor(() => ping(socketPath, 500), 30_000, child, path.join(dataDir, 'dockerd.log'), engine.stop);
  return engine;
}

function spawnDaemon(bin: string, args: string[], dataDir: string, logName: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const logFd = fs.openSync(path.join(dataDir, logName), 'a');
  let child: ChildProcess;
  try {
    const cleanEnv: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(env ?? process.env)) if (!/^(DOCKER_|CONTAINERD_)|proxy$/i.test(k)) cleanEnv[k] = v;
    child = spawn(bin, args, { detached: true, stdio: ['ignore', logFd, logFd], env: cleanEnv, cwd: dataDir });
  } finally {
    fs.closeSync(logFd);
  }
  child.unref();
  trackServer(child.pid!, () => cleanupDir(dataDir));
  return child;
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs: number, child: ChildProcess, logPath: string, stop: () => Promise<void>): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited early (code ${code}, signal ${signal})`));
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (exited || Date.now() > deadline) {
      let tail = '';
      try {
        tail = fs.readFileSync(logPath, 'utf8').split('\n').slice(-25).join('\n');
      } catch {
        /* none */
      }
      await stop();
      throw new Error(`${path.basename(logPath, '.log')} ${exited ?? 'did not get ready in time'}; log tail:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopDaemon(child: ChildProcess, dataDir: string, socketPath?: string): Promise<void> {
  const gone = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  if (socketPath) {
    try {
      const running = await apiJson<Array<{ Id: string }>>(socketPath, 'GET', '/containers/json');
      await Promise.all(running.map((c) => apiRequest(socketPath, 'POST', `/containers/${c.Id}/kill`, { timeoutMs: 5000 }).catch(() => undefined)));
    } catch {
      /* engine already gone */
    }
  }
  signalGroup(child.pid!, 'SIGTERM');
  if (!(await within(gone, 10_000))) {
    signalGroup(child.pid!, 'SIGKILL');
    await within(gone, 5_000);
  }
  untrackServer(child.pid!);
  cleanupDir(dataDir);
}

/** Kills leftovers naming `dataDir` (containerd, shims), unmounts what is mounted under it, removes it. */
function cleanupDir(dataDir: string): void {
  killLeftovers(dataDir);
  removeDir(dataDir);
}

// ---------------------------------------------------------------------------------------------------
// sshd

export interface TestSshd {
  port: number;
  /** `ssh://root@127.0.0.1:PORT` */
  sshHost: string;
  user: string;
  /** The client's private key (authorized on the server). */
  identityFile: string;
  /** A key the server does not accept. */
  wrongIdentityFile: string;
  /** A known_hosts file that lists this server's host key for [127.0.0.1]:PORT. */
  knownHostsFile: string;
  /** A known_hosts file that lists another key for it (a "changed host key"). */
  wrongKnownHostsFile: string;
  /** The server's host public keys, `type base64` (ed25519 always; rsa with `rsaHostKey`). */
  hostKeys: { ed25519: string; rsa?: string };
  /** The server's authorized_keys (read at every login: a test may append a key). */
  authorizedKeysFile: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A private sshd on 127.0.0.1:<free port> accepting only `identityFile` for the current user, whose sessions
 * get DOCKER_HOST=`remoteDockerHost` — so `docker system dial-stdio` on the "remote" side reaches that engine,
 * as on a real remote machine.
 */
export async function startSshd(opts: {
  remoteDockerHost: string;
  name?: string;
  /** Also an RSA host key (the server then offers both types). */
  rsaHostKey?: boolean;
  /** Allow direct-tcpip channels (to be a ProxyJump host); off by default. */
  allowTcpForwarding?: boolean;
}): Promise<TestSshd> {
  const dataDir = fs.mkdtempSync(`/tmp/dp-${(opts.name ?? 'ssh').slice(0, 8)}-`);
  fs.chmodSync(dataDir, 0o700);
  const p = (f: string) => path.join(dataDir, f);
  const keygen = (file: string, type: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', 'docker-prune-test', '-f', file], {
      stdio: 'ignore',
    });
  keygen(p('host_ed25519'), 'ed25519');
  if (opts.rsaHostKey) keygen(p('host_rsa'), 'rsa');
  keygen(p('other_host'), 'ed25519');
  keygen(p('client_ed25519'), 'ed25519');
  keygen(p('wrong_client'), 'ed25519');
  fs.copyFileSync(p('client_ed25519.pub'), p('authorized_keys'));
  fs.chmodSync(p('authorized_keys'), 0o600);
  const port = await freePort();
  const user = execFileSync('id', ['-un']).toString().trim();
  const hostPub = fs.readFileSync(p('host_ed25519.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const otherPub = fs.readFileSync(p('other_host.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  fs.writeFileSync(p('known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  fs.writeFileSync(p('wrong_known_hosts'), `[127.0.0.1]:${port} ${otherPub}\n`);
  fs.writeFileSync(
    p('sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${p('host_ed25519')}`,
      ...(opts.rsaHostKey ? [`HostKey ${p('host_rsa')}`] : []),
      `PidFile ${p('sshd.pid')}`,
      `AuthorizedKeysFile ${p('authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `AllowTcpForwarding ${opts.allowTcpForwarding ? 'yes' : 'no'}`,
      'X11Forwarding no',
      'PermitTTY no',
      'PrintMotd no',
      `SetEnv DOCKER_HOST=${opts.remoteDockerHost}`,
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  // sshd wants its privilege-separation directory.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  // -D: stay in the foreground (so the pid is ours), -e: log to stderr (our log file).
  const child = spawnDaemon('/usr/sbin/sshd', ['-D', '-e', '-f', p('sshd_config')], dataDir, 'sshd.log');
  const sshd: TestSshd = {
    port,
    sshHost: `ssh://${user}@127.0.0.1:${port}`,
    user,
    identityFile: p('client_ed25519'),
    wrongIdentityFile: p('wrong_client'),
    knownHostsFile: p('known_hosts'),
    wrongKnownHostsFile: p('wrong_known_hosts'),
    hostKeys: { ed25519: hostPub, rsa: opts.rsaHostKey ? fs.readFileSync(p('host_rsa.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ') : undefined },
    authorizedKeysFile: p('authorized_keys'),
    dataDir,
    pid: child.pid!,
    stop: once(() => stopDaemon(child, dataDir)),
  };
  await waitFor(() => tcpOpen(port), 15_000, child, p('sshd.log'), sshd.stop);
  return sshd;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------------
// helpers

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
