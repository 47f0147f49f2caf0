/**
 * Follows an engine's event stream and turns the image/container changes into one debounced callback.
 * When the stream drops (daemon restart, connection reset, engine gone) it reconnects with exponential
 * backoff, and after every (re)connect it asks for a refresh, since events may have been missed.
 */
import type { DockerEngine } from '../../core/engine/dockerEngine';
import type { ApiEvent } from '../../core/engine/apiTypes';
import type { DockerPruneError } from '../../core/errors';

/** Events that change what images exist, their tags, or which are in use. */
const RELEVANT: Record<string, ReadonlySet<string>> = {
  image: new Set(['delete', 'untag', 'tag', 'load', 'import', 'pull', 'save', 'create', 'prune']),
  container: new Set(['create', 'destroy', 'prune']),
};

function isRelevantEvent(e: ApiEvent): boolean {
  return RELEVANT[e.Type]?.has(e.Action) ?? false;
}

export interface EventWatcherOptions {
  readonly debounceMs?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface EventWatcherHost {
  /** Something changed (debounced), or the stream (re)connected. */
  onChange(reason: 'events' | 'connected'): void;
  /** Every event, at once (also while paused). */
  onEvent?(event: ApiEvent): void;
  /** The stream is about to open (true), or it closed (false). */
  onStream?(open: boolean): void;
  /** The stream could not be opened or dropped; the watcher retries by itself. */
  onDisconnect(error: DockerPruneError | undefined, retryInMs: number): void;
  log(message: string): void;
}

export class EventWatcher {
  private controller: AbortController | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private running = false;
  private paused = 0;
  private pendingWhilePaused = false;
  private readonly debounceMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly engine: () => DockerEngine | undefined,
    private readonly host: EventWatcherHost,
    options: EventWatcherOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 750;
    this.minBackoffMs = options.minBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.backoffMs = this.minBackoffMs;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.backoffMs = this.minBackoffMs;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.controller) this.host.onStream?.(false);
    this.controller?.abort();
    this.controller = undefined;
    clearTimeout(this.debounceTimer);
    clearTimeout(this.retryTimer);
    this.debounceTimer = this.retryTimer = undefined;
  }

  /** Reconnect now (e.g. the user pressed Retry) instead of waiting for the backoff. */
  retryNow(): void {
    if (!this.running || this.controller) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.backoffMs = this.minBackoffMs;
    void this.connect();
  }

  /** Holds change notifications (our own prune makes hundreds of events); one fires on resume if any came. */
  pause(): { dispose(): void } {
    this.paused++;
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        if (--this.paused === 0 && this.pendingWhilePaused) {
          this.pendingWhilePaused = false;
          this.schedule();
        }
      },
    };
  }

  private async connect(): Promise<void> {
    const engine = this.engine();
    if (!this.running || !engine) return;
    const controller = new AbortController();
    this.controller = controller;
    this.host.onStream?.(true);
    try {
      await engine.watchEvents(
        (e) => {
          if (this.controller !== controller) return;
          this.host.onEvent?.(e);
          if (isRelevantEvent(e)) this.schedule();
        },
        (err) => {
          if (this.controller !== controller) return;
          this.host.onStream?.(false);
          this.controller = undefined;
          if (this.running) this.retryLater(err);
        },
        controller.signal,
      );
      if (this.controller !== controller) return;
      this.backoffMs = this.minBackoffMs;
      this.host.log(`event stream open on ${engine.endpoint.label}`);
      this.host.onChange('connected');
    } catch (e) {
      if (this.controller !== controller) return;
      this.host.onStream?.(false);
      this.controller = undefined;
      if (this.running) this.retryLater(e as DockerPruneError);
    }
  }

  private retryLater(err: DockerPruneError | undefined): void {
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    this.host.onDisconnect(err, wait);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, wait);
  }

  private schedule(): void {
    if (this.paused > 0) {
      this.pendingWhilePaused = true;
      return;
    }
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      this.host.onChange('events');
    }, this.debounceMs);
  }
}
