/**
 * An HTTP proxy on a unix socket in front of a real engine's socket. Tests point an environment at it to
 * control the connection the extension sees: start it late (the daemon "comes back"), drop the event
 * streams (the connection breaks), or hold a request (a slow image delete, to cancel in the middle of a
 * prune without racing the engine). Everything else passes through to the real engine unchanged.
 */
import * as fs from 'fs';
import * as http from 'http';
import type * as net from 'net';

export type Hold = (req: http.IncomingMessage) => Promise<void> | undefined;

export class EngineProxy {
  private server: http.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly streams = new Set<http.ServerResponse>();
  /** Called for every request; a returned promise holds the request until it settles. */
  hold: Hold | undefined;
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

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const held = this.hold?.(req);
    if (held) await held;
    const upstream = http.request(
      { socketPath: this.upstreamSocket, method: req.method, path: req.url, headers: req.headers },
      (up) => {
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
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
