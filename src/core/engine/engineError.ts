import { DockerPruneError } from '../errors';
import { AnswerCutShortError, AnswerNotJsonError, AnswerTooLargeError } from './answerBody';
import { AnswerShapeError } from './answerShape';
import type { Endpoint } from './endpoint';
import { missingEngineMessage, permissionDeniedMessage } from './localEngine';

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
  const bad = badAnswerMessage(e, where, what);
  if (bad) return new DockerPruneError(e instanceof AnswerCutShortError ? 'unreachable' : 'api', bad, details);
  const f = (e ?? {}) as ModemFailure;
  if (typeof f.statusCode === 'number') {
    const engineMessage = engineMessageOf(f);
    return new DockerPruneError('api', `Docker at ${where} could not ${what}: ${engineMessage} (HTTP ${f.statusCode}).`, {
      ...details,
      status: f.statusCode,
    });
  }
  const socket = endpoint.modemOptions.socketPath;
  const pipeOrSocket = endpoint.kind === 'npipe' ? 'npipe' : 'unix';
  switch (f.code) {
    case 'ENOENT':
      // A unix socket or a Windows named pipe that nothing serves; localEngine says what is likely missing.
      return new DockerPruneError(
        'unreachable',
        missingEngineMessage({ kind: pipeOrSocket, socketPath: socket ?? where, platform: process.platform }),
        details,
      );
    case 'EACCES':
    case 'EPERM':
      return new DockerPruneError('permission-denied', permissionDeniedMessage({ kind: pipeOrSocket, socketPath: socket ?? where }), details);
    case 'ECONNREFUSED':
      return new DockerPruneError('unreachable', `Nothing answers at ${where}: the Docker daemon is not running or not listening there.`, details);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DockerPruneError('unreachable', `The host of ${where} cannot be resolved. Check the host name.`, details);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new DockerPruneError(
        'unreachable',
        `The connection to Docker at ${where} dropped while trying to ${what}: the daemon stopped or restarted.`,
        details,
      );
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DockerPruneError('unreachable', `Docker at ${where} cannot be reached (${f.code}). Check the address and the network.`, details);
    default: {
      const msg = f.message ?? String(e);
      if (/socket hang up/i.test(msg)) {
        return new DockerPruneError(
          'unreachable',
          `The connection to Docker at ${where} dropped while trying to ${what}: the daemon stopped or restarted.`,
          details,
        );
      }
      const tls = tlsFailure(f.code ?? '', msg, where, Boolean(endpoint.modemOptions.cert));
      if (tls) return new DockerPruneError('permission-denied', tls, details);
      if (/authentication|All configured authentication methods failed/i.test(msg)) {
        return new DockerPruneError('permission-denied', `SSH authentication to ${where} failed: ${msg}. Check the user, key and ssh-agent.`, details);
      }
      return new DockerPruneError('unreachable', `Docker at ${where} could not ${what}: ${msg}`, details);
    }
  }
}

/** What to say when the engine answered, but not with a usable answer; undefined for other failures. */
function badAnswerMessage(e: unknown, where: string, what: string): string | undefined {
  const check =
    ' It may not be a Docker-compatible engine, or something between (a proxy) alters its answers: check it with "docker -H <host> info" and try again.';
  if (e instanceof AnswerShapeError) return `Docker at ${where} sent a malformed answer to "${what}": ${e.message}. Nothing was done with it.${check}`;
  if (e instanceof AnswerNotJsonError)
    return `Docker at ${where} sent an answer to "${what}" that is not JSON (${e.message.replace(/^it is not JSON \((.*)\)$/, '$1')}). Nothing was done with it.${check}`;
  if (e instanceof AnswerTooLargeError) {
    return `Docker at ${where} sent more than ${Math.round(e.capBytes / 1024 / 1024)} MiB answering "${what}": the answer was cut off there and not used (the most one answer may hold). A real engine of this size is far beyond what Docker Prune is made for; an endless answer means the engine or something between is broken.${check}`;
  }
  if (e instanceof AnswerCutShortError) {
    return `The connection to Docker at ${where} closed in the middle of its answer to "${what}" (after ${e.receivedBytes} bytes): the daemon stopped, or something between dropped the connection. Nothing was done with the partial answer; try again.`;
  }
  return undefined;
}

function engineMessageOf(f: ModemFailure): string {
  const json = f.json as { message?: unknown } | string | Buffer | undefined;
  if (json && typeof json === 'object' && !Buffer.isBuffer(json) && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length) return json.toString('utf8').trim();
  return (f.message ?? 'unknown error').replace(/^\(HTTP code \d+\)\s*/, '').trim();
}

/**
 * A TLS handshake failure said in terms of what to fix: the server's certificate (our CA), or our client
 * certificate (the engine's CA). Undefined when the failure is not about TLS.
 */
function tlsFailure(code: string, message: string, where: string, sentClientCert = true): string | undefined {
  const serverSide =
    "The engine's certificate is not signed by the CA configured for this environment (or no CA is configured and it is not publicly trusted). Use the CA that signed the engine's certificate (ca.pem), or turn verification off only if you accept the risk.";
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return `TLS with Docker at ${where} failed: the engine's certificate cannot be verified (${code}). ${serverSide}`;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return `TLS with Docker at ${where} failed: the engine's certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'}. Renew it (or check this machine's clock).`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS with Docker at ${where} failed: the engine's certificate is not made out for this host name or address (${message}). Connect by a name the certificate lists, or re-issue it with that name.`;
  }
  if (
    /alert (bad certificate|certificate required|unknown ca|certificate unknown)|alert number (42|46|48|116)|CERTIFICATE_REQUIRED|BAD_CERTIFICATE/i.test(
      message + ' ' + code,
    )
  ) {
    return `TLS with Docker at ${where} failed: ${sentClientCert ? 'the engine refused our client certificate: it is not signed by the CA the engine trusts' : 'the engine demands a client certificate and none is configured'}. An engine started with --tlsverify demands a client certificate and key signed by its CA: set "cert" and "key" (DOCKER_CERT_PATH's cert.pem/key.pem, or the context's TLS files).`;
  }
  if (/wrong version number|packet length too long|http request to an https server/i.test(message)) {
    return `TLS with Docker at ${where} failed: the other side does not speak TLS there (${message}). Check the port (2375 is plain, 2376 TLS) and whether TLS should be on.`;
  }
  if (/certificate|self[- ]signed|unable to verify|SSL|TLS/i.test(message) || /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)) {
    return `TLS with Docker at ${where} failed: ${message.split('\n')[0]}. Check the CA, client certificate and key.`;
  }
  return undefined;
}
