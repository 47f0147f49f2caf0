/**
 * The engine on this machine, per platform, as the docker CLI has it — where the `default` context points when
 * DOCKER_HOST is not set, how to describe it, and what to say when nothing is there.
 *
 * docker/cli (v29.7.2) opts/hosts.go, hosts_unix.go, hosts_windows.go:
 * - Windows: `defaultHost = "npipe://" + defaultNamedPipe`, `defaultNamedPipe = "//./pipe/docker_engine"`;
 * - every other platform: `defaultHost = "unix://" + defaultUnixSocket`, `defaultUnixSocket = "/var/run/docker.sock"`;
 * - with TLS on (DOCKER_TLS / DOCKER_TLS_VERIFY) and no host: `defaultTLSHost = "tcp://" + defaultHTTPHost + ":2376"`,
 *   `defaultHTTPHost` being `localhost`, or `127.0.0.1` on Windows.
 * The docker CLI does not look further: Docker Desktop's own sockets are reached through its `desktop-linux`
 * context (macOS: ~/.docker/run/docker.sock; Docker Desktop for Linux: ~/.docker/desktop/docker.sock), which
 * Docker Desktop makes the current one. (docker-modem, lib/modem.js, differs: with no DOCKER_HOST it tries
 * ~/.docker/run/docker.sock before /var/run/docker.sock on Unix. We follow the docker CLI and set docker-modem's
 * options ourselves.)
 */
import * as path from 'path';

export const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
/** In the docker CLI's form (forward slashes); Windows' own spelling is `\\.\pipe\docker_engine`. */
export const DEFAULT_NAMED_PIPE = '//./pipe/docker_engine';
/** Docker Desktop's context, on macOS and on Linux. */
const DOCKER_DESKTOP_CONTEXT = 'desktop-linux';

/** The docker CLI's default host on `platform` (its `opts.ParseHost(defaultToTLS, "")`). */
export function defaultDockerHost(platform: NodeJS.Platform, tls = false): string {
  if (tls) return platform === 'win32' ? 'tcp://127.0.0.1:2376' : 'tcp://localhost:2376';
  return platform === 'win32' ? `npipe://${DEFAULT_NAMED_PIPE}` : `unix://${DEFAULT_UNIX_SOCKET}`;
}

/** Where Docker Desktop's engine socket is (what its `desktop-linux` context points at); undefined on Windows (a pipe). */
export function dockerDesktopSocket(platform: NodeJS.Platform, home: string): string | undefined {
  if (platform === 'darwin') return path.posix.join(home, '.docker', 'run', 'docker.sock');
  if (platform === 'linux') return path.posix.join(home, '.docker', 'desktop', 'docker.sock');
  return undefined;
}

/** How the default engine is described in the tree and lists. */
export function describeDefaultEngine(host: string, platform: NodeJS.Platform): string {
  if (host === `npipe://${DEFAULT_NAMED_PIPE}`) return `the local engine's named pipe ${windowsPipeName(DEFAULT_NAMED_PIPE)} (Docker Desktop)`;
  if (host === `unix://${DEFAULT_UNIX_SOCKET}`) {
    return platform === 'darwin'
      ? `the default Docker socket ${DEFAULT_UNIX_SOCKET} (Docker Desktop's engine is the "${DOCKER_DESKTOP_CONTEXT}" context)`
      : 'the local Docker socket';
  }
  return `the docker CLI's default engine (${host})`;
}

/** `//./pipe/x` or `\\.\pipe\x` → `\\.\pipe\x`, the name Windows (and Node) use. */
export function windowsPipeName(pipe: string): string {
  return pipe.replace(/\//g, '\\');
}

export interface MissingEngine {
  /** What the endpoint's socketPath is: a unix socket or a Windows named pipe. */
  readonly kind: 'unix' | 'npipe';
  readonly socketPath: string;
  /** Where we run: decides what the likely cause is. */
  readonly platform: NodeJS.Platform;
}

/**
 * What to say when the socket or pipe is not there (ENOENT on connect): nothing is serving it. Where that is a
 * Docker Desktop path (or the default on a platform where Docker Desktop is the usual engine), say so and how
 * to get it back.
 */
export function missingEngineMessage({ kind, socketPath, platform }: MissingEngine): string {
  const elsewhere = "or point DOCKER_HOST / the environment's host at a running engine.";
  if (kind === 'npipe') {
    const pipe = windowsPipeName(socketPath);
    if (pipe.toLowerCase() === windowsPipeName(DEFAULT_NAMED_PIPE).toLowerCase()) {
      return `No Docker engine at the named pipe ${pipe}: Docker Desktop is not running (or its engine has not started yet). Start Docker Desktop, ${elsewhere}`;
    }
    return `No named pipe ${pipe}: no Docker engine is serving it. Start that engine, ${elsewhere}`;
  }
  const posix = socketPath.replace(/\\/g, '/');
  if (/\/\.docker\/run\/docker\.sock$/.test(posix) || /\/\.docker\/desktop\/docker\.sock$/.test(posix)) {
    return `No Docker socket at ${socketPath}: Docker Desktop is not running (this is its engine's socket, the "${DOCKER_DESKTOP_CONTEXT}" context). Start Docker Desktop, ${elsewhere}`;
  }
  if (socketPath === DEFAULT_UNIX_SOCKET && platform === 'darwin') {
    return (
      `No Docker socket at ${socketPath}. Docker Desktop serves its engine at ~/.docker/run/docker.sock (the "${DOCKER_DESKTOP_CONTEXT}" context: ` +
      `"docker context use ${DOCKER_DESKTOP_CONTEXT}") and makes ${socketPath} only when "Allow the default Docker socket to be used" is on ` +
      `(Settings → Advanced). Start Docker Desktop and use its context, ${elsewhere}`
    );
  }
  if (socketPath === DEFAULT_UNIX_SOCKET && platform === 'linux') {
    return (
      `No Docker socket at ${socketPath}: the Docker daemon is not running there. Start it (for example "sudo systemctl start docker"); ` +
      `with Docker Desktop for Linux, its engine is the "${DOCKER_DESKTOP_CONTEXT}" context (~/.docker/desktop/docker.sock): start Docker Desktop, ` +
      `"docker context use ${DOCKER_DESKTOP_CONTEXT}", ${elsewhere}`
    );
  }
  return `No Docker socket at ${socketPath}: the Docker daemon is not running there. Start it (for example "sudo systemctl start docker"), ${elsewhere}`;
}

/** EACCES / EPERM on the socket or pipe: who may use it. */
export function permissionDeniedMessage({ kind, socketPath }: Omit<MissingEngine, 'platform'>): string {
  if (kind === 'npipe') {
    return `Permission denied on the named pipe ${windowsPipeName(socketPath)}. Add your user to the "docker-users" group (Computer Management → Local Users and Groups) and sign in again.`;
  }
  return `Permission denied on ${socketPath}. Add your user to the "docker" group and log in again (or use rootless Docker / a context you may use).`;
}
