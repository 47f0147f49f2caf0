import { DockerPruneError } from '../errors';
import type { Endpoint } from './endpoint';

/** What docker-modem hands back when a request fails: a Node socket error or an HTTP status with the engine's JSON. */
interface ModemFailure {
  code?: string;
  statusCode?: number;
  json?: unknown;
  message?: string;
}

/**
 * Turns a failed engine call into an error a person can act on: what we tried, where, what happened, what to do.
 * `what` is a phrase like "list images".
 */
export function toEngineError(e: unknown, endpoint: Endpoint, what: string, timedOutAfterMs?: number): DockerPruneError {
  if (e instanceof DockerPruneError) return e;
  const where = endpoint.label;
  const details = { endpoint: where, cause: e };
  if (timedOutAfterMs !== undefined) {
    return new DockerPruneError(
      'timeout',
      `Docker at ${where} did not answer "${what}" within ${Math.round(timedOutAfterMs / 1000)} s. The daemon may be overloaded or hung; try again, or check it with "docker info".`,
      details,
    );
  }
  const f = (e ?? {}) as ModemFailure;
  if (typeof f.statusCode === 'number') {
    const engineMessage = engineMessageOf(f);
    return new DockerPruneError('api', `Docker at ${where} could not ${what}: ${engineMessage} (HTTP ${f.statusCode}).`, {
      ...details,
      status: f.statusCode,
    });
  }
  const socket = endpoint.modemOptions.socketPath;
  switch (f.code) {
    case 'ENOENT':
      return new DockerPruneError(
        'unreachable',
        `No Docker socket at ${socket ?? where}: the Docker daemon is not running there. Start it (for example "sudo systemctl start docker"), or point DOCKER_HOST / the environment's host at a running engine.`,
        details,
      );
    case 'EACCES':
    case 'EPERM':
      return new DockerPruneError(
        'permission-denied',
        `Permission denied on ${socket ?? where}. Add your user to the "docker" group and log in again (or use rootless Docker / a context you may use).`,
        details,
      );
    case 'ECONNREFUSED':
      return new DockerPruneError('unreachable', `Nothing answers at ${where}: the Docker daemon is not running or not listening there.`, details);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DockerPruneError('unreachable', `The host of ${where} cannot be resolved. Check the host name.`, details);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new DockerPruneError('unreachable', `The connection to Docker at ${where} dropped while trying to ${what}: the daemon stopped or restarted.`, details);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DockerPruneError('unreachable', `Docker at ${where} cannot be reached (${f.code}). Check the address and the network.`, details);
    default: {
      const msg = f.message ?? String(e);
      if (/socket hang up/i.test(msg)) {
        return new DockerPruneError('unreachable', `The connection to Docker at ${where} dropped while trying to ${what}: the daemon stopped or restarted.`, details);
      }
      if (/certificate|self[- ]signed|unable to verify|SSL|TLS/i.test(msg) || /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(f.code ?? '')) {
        return new DockerPruneError('unreachable', `TLS with Docker at ${where} failed: ${msg}. Check the CA, client certificate and key.`, details);
      }
      if (/authentication|All configured authentication methods failed/i.test(msg)) {
        return new DockerPruneError('permission-denied', `SSH authentication to ${where} failed: ${msg}. Check the user, key and ssh-agent.`, details);
      }
      return new DockerPruneError('unreachable', `Docker at ${where} could not ${what}: ${msg}`, details);
    }
  }
}

function engineMessageOf(f: ModemFailure): string {
  const json = f.json as { message?: unknown } | string | Buffer | undefined;
  if (json && typeof json === 'object' && !Buffer.isBuffer(json) && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length) return json.toString('utf8').trim();
  return (f.message ?? 'unknown error').replace(/^\(HTTP code \d+\)\s*/, '').trim();
}
