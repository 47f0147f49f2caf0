/**
 * Keeps when each image of one engine was last used, on disk (lastUseFile.ts), from what the engine says:
 * 1. its events (usageEvents.ts): on every snapshot it reads `/events` from the newest event it saw before up to
 *    now, and while the extension follows the live stream, every event as it comes;
 * 2. containers' own timestamps (created, started, finished) — a running container uses its image now;
 * 3. for an image never seen in use: its `Metadata.LastTagTime`, else its created time.
 * Docker keeps only its last 256 events (and none across a restart). When the newest event seen before is no
 * longer among them, events were lost: the values fall back to what the engine says (2 and 3 again) and count as
 * lower bounds until a later event is seen.
 */
import { forEachConcurrently } from '../concurrency';
import type { ApiContainerSummary, ApiEvent } from '../engine/apiTypes';
import type { DockerEngine } from '../engine/dockerEngine';
import type { EngineProfile } from '../engine/engineProfile';
import { errorMessage, isNotFound } from '../errors';
import type { ImageRecord, LastUse } from '../model';
import { parseEngineTime } from '../snapshot/engineTime';
import { normalizeImageId } from '../snapshot/records';
import { lastUseFilePath, lastUsedDirectory, readLastUseFile, writeLastUseFile } from './lastUseFile';
import {
  anchorOf,
  emptyState,
  isAnchor,
  mergeStates,
  recordOrigin,
  recordUse,
  toLastUse,
  type ImageOrigin,
  type LastUseRecord,
  type LastUseState,
} from './lastUseState';
import { eventTimeNs } from '../engine/eventTime';
import { deletedImageOf, ImageResolver, isOriginEvent, isUseEvent, originOfEvent, useOfEvent } from './usageEvents';

/** Docker's in-memory event buffer (moby daemon/events/events.go eventsLimit, 20.10 to 28.5). */
const ENGINE_EVENT_LIMIT = 256;

const RUNNING: ReadonlySet<string> = new Set(['running', 'paused', 'restarting']);

export interface LastUseTrackerOptions {
  /** The folder of the per-engine files; default lastUsedDirectory() (the user's state folder). */
  readonly dir?: string;
  /** A problem that does not stop the snapshot (a damaged file, events the engine would not give). */
  readonly warn?: (message: string) => void;
  readonly concurrency?: number;
}

export interface LastUseInput {
  readonly profile: EngineProfile;
  readonly images: readonly ImageRecord[];
  readonly containers: readonly ApiContainerSummary[];
  readonly daemonNowNs: bigint;
  /** `Metadata.LastTagTime` of images the reader inspected just now (saves inspecting them again). */
  readonly lastTagTimes?: ReadonlyMap<string, bigint>;
}

export class LastUseTracker {
  private state: LastUseState | undefined;
  private resolver: ImageResolver | undefined;
  private running: Promise<unknown> = Promise.resolve();
  /** Live stream: open, and followed without a gap since a catch-up (only then may it move the anchor). */
  private stream: { open: boolean; since: number; verified: boolean } = { open: false, since: 0, verified: false };
  private sequence = 0;
  /** The engine gave no events and the containers and tags were read again instead (once is enough). */
  private rereadWithoutEvents = false;
  private readonly dir: string;
  private readonly concurrency: number;
  private readonly warned = new Set<string>();

  constructor(
    private readonly engine: DockerEngine,
    private readonly options: LastUseTrackerOptions = {},
  ) {
    this.dir = options.dir ?? lastUsedDirectory();
    this.concurrency = options.concurrency ?? 8;
  }

  /** Last use of every image of the snapshot, after catching up with the engine and saving what changed. */
  lastUsed(input: LastUseInput): Promise<ReadonlyMap<string, LastUse>> {
    const run = this.running.then(() => this.update(input));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** How the images of the last snapshot came here, where known (see ImageOrigin). */
  get origins(): ReadonlyMap<string, ImageOrigin> {
    return this.state?.origins ?? new Map();
  }

  /** The live event stream opened: its events count once a catch-up has run after this. */
  streamOpened(): void {
    this.stream = { open: true, since: ++this.sequence, verified: false };
  }

  streamClosed(): void {
    this.stream = { open: false, since: this.sequence, verified: false };
  }

  /** One event from the live stream: a use is recorded now (saved with the next snapshot). */
  observe(e: ApiEvent): void {
    const state = this.state;
    if (!state || !this.resolver) return;
    const images = new Map(state.images);
    const origins = new Map(state.origins ?? []);
    const use = useOfEvent(e, this.resolver);
    if (use) recordUse(images, use.imageId, use.atNs, 'event');
    const deleted = deletedImageOf(e, this.resolver);
    if (deleted) origins.delete(deleted);
    const origin = originOfEvent(e, this.resolver);
    if (origin) recordOrigin(origins, origin.imageId, origin.origin);
    const at = eventTimeNs(e);
    // The anchor moves only while the stream is known to be gapless, and never past a use not yet resolved (an
    // image pulled after the last snapshot): the next catch-up reads it again from the engine.
    const unresolved = !use && isUseEvent(e);
    if (unresolved) this.stream.verified = false;
    const moves = this.stream.verified && at !== undefined && (state.seenUntilNs === undefined || at >= state.seenUntilNs);
    this.state = { ...state, images, origins, ...(moves ? { seenUntilNs: at, anchor: anchorOf(e) } : {}) };
  }

  private async update(input: LastUseInput): Promise<ReadonlyMap<string, LastUse>> {
    const key = `${input.profile.engineId || this.engine.endpoint.label}-${input.profile.store}`;
    const file = lastUseFilePath(this.dir, key);
    const startedAt = this.sequence;
    const read = readLastUseFile(file, key);
    if (read.problem) this.warnOnce(read.problem);
    const mine = this.state?.engineKey === key ? this.state : undefined;
    let state = mine && read.state ? mergeStates(mine, read.state) : (mine ?? read.state ?? emptyState(key));
    const images = new Map(state.images);
    const origins = new Map(state.origins ?? []);
    // Images the last run saw (or a live event named): an image not among them is new since then.
    const known = new Set(state.images.keys());
    const ranBefore = state.seenUntilNs !== undefined;
    const resolver = new ImageResolver(
      input.images,
      input.containers.map((c) => ({ id: c.Id, imageId: c.ImageID })),
    );

    // 1. Events since the newest one seen.
    let gap = state.coveredSinceNs === undefined;
    let coveredSinceNs = state.coveredSinceNs;
    let anchor = state.anchor;
    let events: ApiEvent[] = [];
    let eventsFailed = false;
    const sinceNs = state.anchor?.timeNs ?? state.seenUntilNs ?? 1_000_000_000n;
    if (sinceNs <= input.daemonNowNs) {
      try {
        events = await this.engine.pastEvents(sinceNs, input.daemonNowNs);
        if (state.anchor) gap ||= !events.some((e) => isAnchor(e, state.anchor!));
        else gap ||= events.length >= ENGINE_EVENT_LIMIT;
      } catch (e) {
        this.warnOnce(`${this.engine.endpoint.label}: cannot read past events (${errorMessage(e)}); last-use values are lower bounds`);
        gap = true;
        eventsFailed = true;
      }
    }
    if (gap) coveredSinceNs = (events.length ? eventTimeNs(events[0]!) : undefined) ?? input.daemonNowNs;
    let unresolvedOrigin = false;
    for (const e of events) {
      const use = useOfEvent(e, resolver);
      if (use) recordUse(images, use.imageId, use.atNs, 'event');
      // An image removed and created again (same id) since: how it came before no longer counts.
      const deleted = deletedImageOf(e, resolver);
      if (deleted) origins.delete(deleted);
      const origin = originOfEvent(e, resolver);
      if (origin) recordOrigin(origins, origin.imageId, origin.origin);
      else if (isOriginEvent(e)) unresolvedOrigin = true;
    }
    // Every pull, load and import emits an event; a graphdriver build emits none. So an image that appeared while
    // events were followed without a gap, and that no such event named, was built (or committed) here. When an
    // event could not be matched to an image (its name moved on since), nothing is concluded.
    if (ranBefore && !gap && !unresolvedOrigin) {
      for (const img of input.images) {
        if (!known.has(img.id) && !origins.has(img.id)) recordOrigin(origins, img.id, { kind: 'built', atNs: input.daemonNowNs, how: 'appeared' });
      }
    }
    if (events.length) anchor = anchorOf(events[events.length - 1]!) ?? anchor;
    else if (gap) anchor = undefined;

    // 2. Containers: when each was created, always; when it last started and finished after events were lost
    // (otherwise the events said so already). An engine that gives no events is asked this once per process.
    const reread = gap && !(eventsFailed && this.rereadWithoutEvents);
    if (reread && eventsFailed) this.rereadWithoutEvents = true;
    for (const c of input.containers) {
      if (typeof c.Created === 'number' && c.Created > 0) recordUse(images, normalizeImageId(c.ImageID), BigInt(c.Created) * 1_000_000_000n, 'container');
    }
    if (reread)
      await this.readContainerTimes(
        input.containers.filter((c) => !RUNNING.has(c.State)),
        images,
      );

    // 3. Seeds for images never seen in use (and, after a gap, their LastTagTime again).
    const seedless = input.images.filter((img) => reread || !images.has(img.id));
    // Podman says no tag time (its compatible inspect has the zero time for every image, 4.3 and 5.4): not asked.
    await this.seed(seedless, input.lastTagTimes ?? new Map(), images, input.profile.store !== 'podman');

    const live = new Set(input.images.map((i) => i.id));
    for (const id of images.keys()) if (!live.has(id)) images.delete(id);
    for (const id of origins.keys()) if (!live.has(id)) origins.delete(id);
    state = {
      engineKey: key,
      ...(coveredSinceNs !== undefined ? { coveredSinceNs } : {}),
      seenUntilNs: input.daemonNowNs,
      ...(anchor ? { anchor } : {}),
      images,
      origins,
    };
    this.state = state;
    this.resolver = resolver;
    if (this.stream.open && this.stream.since <= startedAt) this.stream.verified = true;
    try {
      if (read.writable) writeLastUseFile(file, state);
    } catch (e) {
      this.warnOnce(errorMessage(e));
    }

    const out = new Map<string, LastUse>();
    const runningImages = new Set(input.containers.filter((c) => RUNNING.has(c.State)).map((c) => normalizeImageId(c.ImageID)));
    for (const img of input.images) {
      if (runningImages.has(img.id)) {
        out.set(img.id, { atNs: input.daemonNowNs, source: 'container', lowerBound: false });
        continue;
      }
      const r = images.get(img.id) ?? { atNs: img.createdNs, source: 'created' as const };
      out.set(img.id, toLastUse(r, state));
    }
    return out;
  }

  private async readContainerTimes(containers: readonly ApiContainerSummary[], images: Map<string, LastUseRecord>): Promise<void> {
    await forEachConcurrently(containers, this.concurrency, async (c) => {
      try {
        const inspect = await this.engine.inspectContainer(c.Id);
        const times = [inspect.Created, inspect.State?.StartedAt, inspect.State?.FinishedAt]
          .map((t) => (t ? parseEngineTime(t) : undefined))
          .filter((t): t is bigint => t !== undefined && t > 0n);
        if (times.length)
          recordUse(
            images,
            normalizeImageId(c.ImageID),
            times.reduce((a, b) => (a > b ? a : b)),
            'container',
          );
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  private async seed(
    seedless: readonly ImageRecord[],
    known: ReadonlyMap<string, bigint>,
    images: Map<string, LastUseRecord>,
    askTagTimes: boolean,
  ): Promise<void> {
    await forEachConcurrently(seedless, this.concurrency, async (img) => {
      let tagged = known.get(img.id);
      if (tagged === undefined && askTagTimes) {
        try {
          const t = (await this.engine.inspectImage(img.id)).Metadata?.LastTagTime;
          tagged = t ? parseEngineTime(t) : undefined;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      // The engine writes the zero time (year 1) or the epoch for an image never tagged.
      if (tagged !== undefined && tagged > 0n) recordUse(images, img.id, tagged, 'last-tag-time');
      recordUse(images, img.id, img.createdNs, 'created');
    });
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    (this.options.warn ?? ((m: string) => process.stderr.write(`docker-prune: warning: ${m}\n`)))(message);
  }
}
