/**
 * One environment as the extension sees it: its engine (created on first use, so docker-modem loads only
 * then), a SnapshotReader whose per-image cache stays warm across refreshes and prunes, the last known
 * state, and an event watcher that runs while someone (the visible tree, the status bar) observes it.
 *
 * A refresh first lists images and containers (cheap) and publishes that, then reads the full snapshot
 * (cold: ~6 s for 1,000 images, warm: ~0.2 s) and publishes the reclaimable bytes. Refreshes coalesce.
 * Failures become state ("unreachable: <why>"), never a notification: the tree and the status bar show it.
 */
import * as vscode from 'vscode';
import type { BuildCacheSnapshot } from '../../core/buildCache/model';
import { readBuildCache } from '../../core/buildCache/reader';
import { summarizeBuildCache } from '../../core/buildCache/summary';
import type { DockerEngine } from '../../core/engine/dockerEngine';
import { redactHost, type Endpoint } from '../../core/engine/endpoint';
import { closeEndpoint, openEnvironment, type EnvironmentDescriptor } from '../../core/environments';
import { DockerPruneError, errorMessage, type ErrorKind } from '../../core/errors';
import type { Plan, PruneMode, Snapshot } from '../../core/model';
import { LastUseTracker } from '../../core/lastUsed/lastUseTracker';
import { planPrune } from '../../core/plan/planner';
import type { ImageDetailsStore } from '../../core/snapshot/detailsCache';
import { SnapshotReader } from '../../core/snapshot/snapshotReader';
import { policyFor, protectPatterns } from '../settings/settings';
import { watermarkStanding, type WatermarkStanding } from '../scheduler/watermarkStatus';
import { EventWatcher } from './eventWatcher';
import { buildListing, type Listing } from './listing';

export interface Reclaim {
  readonly dangling: Plan;
  readonly all: Plan;
  readonly snapshot: Snapshot;
  /** Image id → bytes it frees / why it is kept, per mode (for tooltips). */
  readonly at: number;
  /** Where usage stands against the auto-prune watermarks set for this environment (none set: undefined). */
  readonly watermark?: WatermarkStanding;
}

export type SessionState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'loading' }
  | {
      readonly kind: 'ready';
      readonly listing: Listing;
      /** Undefined until the first snapshot is read. */
      readonly reclaim?: Reclaim;
      /** Why the reclaimable bytes are unknown (an invalid setting, a failed snapshot). */
      readonly reclaimError?: string;
      /** A newer snapshot is being read; `reclaim` is the previous one. */
      readonly reclaimPending: boolean;
      /** The BuildKit build cache, once read (Docker only; Podman has none). */
      readonly buildCache?: BuildCacheSnapshot;
      /** Why the build cache could not be read. */
      readonly buildCacheError?: string;
    }
  | { readonly kind: 'failed'; readonly errorKind: ErrorKind | 'unknown'; readonly message: string; readonly since: number }
  | { readonly kind: 'invalid'; readonly message: string };

export interface SessionLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export class EnvironmentSession implements vscode.Disposable {
  private engineInstance: DockerEngine | undefined;
  private readerInstance: SnapshotReader | undefined;
  private endpointError: string | undefined;
  private current: SessionState = { kind: 'idle' };
  private refreshing: Promise<void> | undefined;
  private again = false;
  private observers = 0;
  private readonly watcher: EventWatcher;
  private readonly changed = new vscode.EventEmitter<EnvironmentSession>();
  /** Fires whenever `state` changes. */
  readonly onDidChange = this.changed.event;

  constructor(
    readonly descriptor: EnvironmentDescriptor,
    private readonly log: SessionLog,
    /** Image details kept across restarts (they never change for an image id), so a restart is not a cold read. */
    private readonly detailsStore?: ImageDetailsStore,
  ) {
    this.watcher = new EventWatcher(() => this.engine(), {
      onChange: (reason) => void this.refresh(reason === 'connected' ? 'event stream connected' : 'engine events'),
      // Every event, as it comes, tells when images were last used (kept on disk with the next snapshot).
      onEvent: (e) => this.readerInstance?.lastUseTracker?.observe(e),
      onStream: (open) => (open ? this.readerInstance?.lastUseTracker?.streamOpened() : this.readerInstance?.lastUseTracker?.streamClosed()),
      onDisconnect: (err, retryInMs) => {
        this.log.debug(`${this.name}: event stream closed${err ? ` (${err.message})` : ''}; reconnecting in ${Math.round(retryInMs / 1000)} s`);
        // The stream dropping is how we learn that an engine went away: refresh to show it.
        if (err) void this.refresh('event stream dropped');
      },
      log: (m) => this.log.debug(m),
    });
  }

  get id(): string {
    return this.descriptor.id;
  }

  get name(): string {
    return this.descriptor.name;
  }

  get state(): SessionState {
    return this.current;
  }

  get readOnly(): boolean {
    return this.descriptor.readOnly === true;
  }

  /** The endpoint, or undefined when the environment's host is not valid (see state 'invalid'). */
  get endpoint(): Endpoint | undefined {
    return this.engine()?.endpoint;
  }

  /** What a person reads to know which engine this is. */
  get location(): string {
    return this.endpoint?.label ?? redactHost(this.descriptor.endpoint.host);
  }

  /** The engine, created on first use (resolving the endpoint reads TLS files). */
  engine(): DockerEngine | undefined {
    if (this.engineInstance || this.endpointError) return this.engineInstance;
    try {
      this.engineInstance = openEnvironment(this.descriptor);
    } catch (e) {
      this.endpointError = errorMessage(e);
    }
    return this.engineInstance;
  }

  /** The engine or an error saying why there is none. */
  requireEngine(): DockerEngine {
    const engine = this.engine();
    if (!engine) throw new DockerPruneError('invalid-input', this.endpointError ?? `No engine for ${this.name}.`);
    return engine;
  }

  /** Reads snapshots with last use (kept per engine in the user's state folder, shared with the CLI). */
  reader(): SnapshotReader {
    if (!this.readerInstance) {
      const engine = this.requireEngine();
      const lastUse = new LastUseTracker(engine, { warn: (m) => this.log.warn(`${this.name}: ${m}`) });
      this.readerInstance = new SnapshotReader(engine, { store: this.detailsStore, lastUse });
    }
    return this.readerInstance;
  }

  /** Resolves once the environment has been looked at at least once (used by the tree to wait for its children). */
  whenLoaded(): Promise<void> {
    const loaded = () => this.current.kind !== 'idle' && this.current.kind !== 'loading';
    if (loaded()) return Promise.resolve();
    if (this.current.kind === 'idle' && !this.refreshing) void this.refresh('first use');
    // The listing is published before the (slower) snapshot: resolve on the first state that shows something.
    return new Promise((resolve) => {
      const sub = this.onDidChange(() => {
        if (!loaded()) return;
        sub.dispose();
        resolve();
      });
    });
  }

  /**
   * Live updates while observed: the event stream runs as long as at least one observer holds on.
   * The first observer triggers a refresh when nothing is known yet.
   */
  observe(): vscode.Disposable {
    this.observers++;
    if (this.observers === 1) {
      if (this.engine()) this.watcher.start();
      if (this.current.kind === 'idle') void this.whenLoaded();
    }
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        if (--this.observers === 0) this.watcher.stop();
      },
    };
  }

  /** Holds event-driven refreshes (during our own prune); one refresh follows if events came meanwhile. */
  pauseEvents(): vscode.Disposable {
    return this.watcher.pause();
  }

  /** Refresh now; an explicit retry also reconnects the event stream at once. */
  retry(): Promise<void> {
    this.watcher.retryNow();
    return this.refresh('retry');
  }

  /** Re-reads the environment; concurrent calls share one run (and one more run follows if asked meanwhile). */
  refresh(reason = 'refresh'): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.load(reason);
      } while (this.again);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(reason: string): Promise<void> {
    const engine = this.engine();
    if (!engine) {
      this.set({ kind: 'invalid', message: this.endpointError ?? '' });
      return;
    }
    this.log.debug(`${this.name}: refreshing (${reason})`);
    if (this.current.kind === 'idle') this.set({ kind: 'loading' });
    let listing: Listing;
    try {
      const [profile, images, containers] = await Promise.all([engine.profile(), engine.listImages(), engine.listContainers()]);
      let protect: string[] = [];
      try {
        protect = protectPatterns();
      } catch {
        /* reported with the reclaimable bytes below */
      }
      listing = buildListing(profile, images, containers, protect);
    } catch (e) {
      this.fail(e);
      return;
    }
    const previous = this.current.kind === 'ready' ? this.current : undefined;
    if (previous === undefined)
      this.log.info(`${this.name}: connected to ${engine.endpoint.label} (${listing.images.length} images, ${listing.containers} containers)`);
    const cache = { buildCache: previous?.buildCache, buildCacheError: previous?.buildCacheError };
    this.set({ kind: 'ready', listing, reclaim: previous?.reclaim, reclaimError: previous?.reclaimError, reclaimPending: true, ...cache });
    if (listing.engine.product === 'docker') {
      try {
        Object.assign(cache, { buildCache: await readBuildCache(engine), buildCacheError: undefined });
      } catch (e) {
        Object.assign(cache, { buildCache: undefined, buildCacheError: errorMessage(e) });
      }
    }

    try {
      const snapshot = await this.reader().read();
      let reclaim: Reclaim | undefined;
      let reclaimError: string | undefined;
      try {
        reclaim = {
          dangling: planPrune(snapshot, policyFor('dangling', { labels: [] })),
          all: planPrune(snapshot, policyFor('all', { labels: [] })),
          snapshot,
          at: Date.now(),
          watermark: await watermarkStanding(this, engine, snapshot),
        };
      } catch (e) {
        reclaimError = errorMessage(e);
      }
      this.set({ kind: 'ready', listing, reclaim, reclaimError, reclaimPending: false, ...cache });
    } catch (e) {
      if (e instanceof DockerPruneError && e.kind !== 'api') {
        this.fail(e);
        return;
      }
      this.set({ kind: 'ready', listing, reclaimError: errorMessage(e), reclaimPending: false, ...cache });
    }
  }

  /** The build cache's reclaimable bytes (`docker system df`), when read; 0 for an engine without one. */
  buildCacheReclaimable(): number | undefined {
    const s = this.current;
    if (s.kind !== 'ready') return undefined;
    if (s.listing.engine.product !== 'docker') return 0;
    return s.buildCache ? summarizeBuildCache(s.buildCache.records).reclaimable : undefined;
  }

  /** Bytes a prune in `mode` would reclaim now, when known. */
  reclaimable(mode: PruneMode): number | undefined {
    const s = this.current;
    return s.kind === 'ready' && s.reclaim ? s.reclaim[mode].spaceReclaimable : undefined;
  }

  private fail(e: unknown): void {
    const message = errorMessage(e);
    const errorKind = e instanceof DockerPruneError ? e.kind : 'unknown';
    const before = this.current;
    if (before.kind !== 'failed' || before.message !== message) this.log.warn(`${this.name}: ${message}`);
    this.set({ kind: 'failed', errorKind, message, since: before.kind === 'failed' ? before.since : Date.now() });
  }

  private set(state: SessionState): void {
    this.current = state;
    this.changed.fire(this);
  }

  dispose(): void {
    this.watcher.stop();
    if (this.engineInstance) closeEndpoint(this.engineInstance.endpoint);
    this.changed.dispose();
  }
}
