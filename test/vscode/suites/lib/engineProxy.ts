/**
 * An HTTP proxy on a unix socket in front of a real engine's socket. Tests point an environment at it to
 * control the connection the extension sees: start it late (the daemon "comes back"), drop the event
 * streams (the connection breaks), or hold a request (a slow image delete, to cancel in the middle of a
 * prune without racing the engine), or answer wrongly itself (`fault`: a broken or hostile engine). Everything
 * else passes through to the real engine unchanged.
 */
import * as fs from 'fs';
import * as http from 'http';
import type * as net from 'net';

export type Hold = (req: http.IncomingMessage) => Promise<void> | undefined;

/** The real engine's answer to a request, whole. */
export interface UpstreamAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A fault: answers `req` itself (true), or lets it pass to the engine (false). `upstream()` asks the real engine
 * the same request, so a fault can bend its real answer.
 */
export type Fault = (req: http.IncomingMessage, res: http.ServerResponse, upstream: () => Promise<UpstreamAnswer>) => boolean | Promise<boolean>;

export class EngineProxy {
  private server: http.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly streams = new Set<http.ServerResponse>();
  /** Called for every request; a returned promise holds the request until it settles. */
  hold: Hold | undefined;
  /** Called for every request after `hold`; see Fault. */
  fault: Fault | undefined;
  /** Requests seen, as `METHOD /path` (query dropped). */
  readonly seen: string[] = [];

  constructor(
    readonly socketPath: string,
    private readonly upstreamSocket: string,
  ) {}

  get host(): string {
    return `unix://${this.socketPath}`;
  }

  async start(): Promise<void> {
    fs.rmSync(this.socketPath, { force: true });
    const server = http.createServer((req, res) => void this.forward(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    this.server = server;
  }

  /** Breaks every open event stream (as a daemon restart would); the proxy keeps accepting connections. */
  dropEventStreams(): number {
    const n = this.streams.size;
    for (const res of this.streams) res.socket?.destroy();
    this.streams.clear();
    return n;
  }

  get openEventStreams(): number {
    return this.streams.size;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }

  /** The real engine's whole answer to `req` (a request without a body: the faults bend GET answers). */
  private ask(req: http.IncomingMessage): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      const upstream = http.request({ socketPath: this.upstreamSocket, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
        up.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end();
    });
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const held = this.hold?.(req);
    if (held) await held;
    if (this.fault) {
      try {
        if (await this.fault(req, res, () => this.ask(req))) return;
      } catch {
        res.destroy();
        return;
      }
    }
    const upstream = http.request({ socketPath: this.upstreamSocket, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      res.flushHeaders(); // a stream's headers must not wait for its first event
      if (/\/events(\?|$)/.test(req.url ?? '')) {
        this.streams.add(res);
        res.on('close', () => {
          this.streams.delete(res);
          up.destroy();
        });
      }
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
