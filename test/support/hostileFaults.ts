/**
 * Faults a broken or hostile engine shows, for EngineProxy's `fault`: each answers one path itself (from the real
 * engine's answer, bent, where it needs one) and lets every other request through to the real engine.
 */
import type * as http from 'http';
import type { Fault } from '../vscode/suites/lib/engineProxy';

/** Whether `req` asks for `path` (its query dropped; a versioned `/v1.xx` prefix too). */
function asks(req: http.IncomingMessage, path: RegExp): boolean {
  return req.method === 'GET' && path.test((req.url ?? '').split('?')[0]!.replace(/^\/v\d+\.\d+/, ''));
}

function sendJsonText(res: http.ServerResponse, text: string): void {
  const body = Buffer.from(text);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

/** The real answer to `path`, parsed and changed by `bend`. */
export function bent(path: RegExp, bend: (answer: any) => unknown): Fault {
  return async (req, res, upstream) => {
    if (!asks(req, path)) return false;
    const real = await upstream();
    sendJsonText(res, JSON.stringify(bend(JSON.parse(real.body.toString('utf8')))));
    return true;
  };
}

/** `text` as a 200 JSON answer to `path`. */
export function answering(path: RegExp, text: string): Fault {
  return (req, res) => {
    if (!asks(req, path)) return false;
    sendJsonText(res, text);
    return true;
  };
}

/**
 * A 200 answer to `path` of `bytes` bytes (Infinity: endless), a JSON list of plausible image summaries, sent as
 * fast as the reader takes it (chunked, minding backpressure), until the reader hangs up.
 */
export function flood(path: RegExp, bytes: number): Fault {
  const item = JSON.stringify({
    Id: `sha256:${'ab'.repeat(32)}`,
    ParentId: '',
    RepoTags: ['flood:latest'],
    RepoDigests: null,
    Created: 1700000000,
    Size: 1024,
    SharedSize: -1,
    Labels: null,
    Containers: -1,
  });
  const chunk = Buffer.from(('[' + `${item},`.repeat(Math.ceil(65536 / item.length))).slice(1));
  return (req, res) => {
    if (!asks(req, path)) return false;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let sent = 0;
    let open = true;
    res.on('close', () => (open = false));
    const pump = () => {
      while (open) {
        if (sent === 0) res.write('[');
        if (sent >= bytes) {
          res.end(`${item}]`);
          return;
        }
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
    return true;
  };
}

/** The real answer to `path`, one byte a second. */
export function drip(path: RegExp): Fault {
  return async (req, res, upstream) => {
    if (!asks(req, path)) return false;
    const real = await upstream();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': real.body.length });
    let at = 0;
    const timer = setInterval(() => (at < real.body.length ? res.write(real.body.subarray(at, ++at)) : clearInterval(timer)), 1000);
    res.on('close', () => clearInterval(timer));
    return true;
  };
}

/** Half the real answer to `path` (its full length announced), then the connection is dropped (a unix socket has no RST). */
export function resetMidBody(path: RegExp): Fault {
  return async (req, res, upstream) => {
    if (!asks(req, path)) return false;
    const real = await upstream();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': real.body.length });
    res.write(real.body.subarray(0, Math.floor(real.body.length / 2)), () => res.socket?.destroy());
    return true;
  };
}
