import type { IncomingMessage } from 'http';
import type { Readable } from 'stream';
import { DockerPruneError } from '../errors';
import type {
  ApiBuildCacheRecord,
  ApiBuildPruneResponse,
  ApiContainerInspect,
  ApiContainerSummary,
  ApiDeleteItem,
  ApiDistributionInspect,
  ApiEvent,
  ApiHistoryItem,
  ApiImageInspect,
  ApiImageSummary,
  ApiInfo,
  ApiLibpodImageInspect,
  ApiPruneResponse,
  ApiSystemDf,
  ApiVersion,
} from './apiTypes';
import { withoutDockerEnv, type Endpoint } from './endpoint';
import { answerShape } from './answerShape';
import { AnswerTooLargeError, EVENT_LINE_CAP_BYTES, ITEM_ANSWER_CAP_BYTES, LIST_ANSWER_CAP_BYTES, parseAnswer, parseOrText, readAnswer } from './answerBody';
import { engineIdentity, impossibleProfile, profileOf, unspokenApiVersion, type EngineProfile } from './engineProfile';
import { eventTimeNs } from './eventTime';
import { toEngineError } from './engineError';

/**
 * Per-call time limits. Reads are quick on a healthy engine; deletes and prunes touch the disk, and so do the
 * reads that size every image (`/system/df` and `/images/json`: on the containerd store they walk every
 * snapshot, over 30 s for a thousand images on a busy machine).
 */
export interface EngineTimeouts {
  readonly readMs: number;
  readonly diskUsageMs: number;
  readonly deleteMs: number;
  readonly pruneMs: number;
}

export const DEFAULT_TIMEOUTS: EngineTimeouts = { readMs: 30_000, diskUsageMs: 120_000, deleteMs: 120_000, pruneMs: 30 * 60_000 };

/** docker-modem's `statusCodes` taking every status as an answer: `call` reads the body and judges the status itself. */
const ANY_STATUS: Record<number, true> = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [100 + i, true]));

interface DialOptions {
  path: string;
  method: 'GET' | 'POST' | 'DELETE';
  options?: Record<string, unknown>;
  statusCodes: Record<number, true | string>;
  isStream?: boolean;
  abortSignal?: AbortSignal;
}

interface Modem {
  dial(options: DialOptions, callback: (err: unknown, data: unknown) => void): void;
}

/**
 * One Docker-compatible engine, reached through docker-modem (the transport dockerode is built on, which brings unix sockets,
 * TCP+TLS and SSH). Every call has a time limit and fails with a DockerPruneError saying what and where.
 */
export class DockerEngine {
  private modemPromise: Promise<Modem> | undefined;
  private profilePromise: Promise<EngineProfile> | undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly timeouts: EngineTimeouts = DEFAULT_TIMEOUTS,
  ) {}

  /** The last `/system/df` this client asked for (see oneDiskUsageAtATime). */
  private diskUsageTail: Promise<unknown> = Promise.resolve();

  /**
   * Docker 20.10 runs one `/system/df` at a time and answers any other with 500 `a disk usage operation is already
   * running` (newer engines share the one under way). This client's own calls go one after another; another
   * client's (the docker CLI, a second window) is waited out with whenDiskUsageFree.
   */
  private oneDiskUsageAtATime<T>(read: () => Promise<T>): Promise<T> {
    const next = this.diskUsageTail.then(
      () => whenDiskUsageFree(read),
      () => whenDiskUsageFree(read),
    );
    this.diskUsageTail = next.catch(() => undefined);
    return next;
  }

  /** docker-modem is loaded on first use, so the extension activates without it. */
  private modem(): Promise<Modem> {
    this.modemPromise ??= import('docker-modem').then((mod) => {
      const DockerModem = (mod as unknown as { default?: new (o: object) => Modem }).default ?? (mod as unknown as new (o: object) => Modem);
      // docker-modem fills unset options from DOCKER_HOST & co.: keep those out (see withoutDockerEnv).
      return withoutDockerEnv(() => new DockerModem({ ...this.endpoint.modemOptions }));
    });
    return this.modemPromise;
  }

  /**
   * One request with its time limit. The body is read here (not by docker-modem, which would hold all of it,
   * however large): at most `capBytes`, then parsed as JSON — `raw` keeps it as text (`/_ping`). What comes back
   * is unchecked `unknown`: each caller checks its shape (answerShape.ts) before anything trusts it.
   */
  private async call(
    what: string,
    dial: DialOptions,
    timeoutMs: number,
    signal?: AbortSignal,
    capBytes = ITEM_ANSWER_CAP_BYTES,
    raw = false,
  ): Promise<unknown> {
    const modem = await this.modem();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let res: IncomingMessage | undefined;
    const dropOnAbort = () => res?.destroy();
    controller.signal.addEventListener('abort', dropOnAbort, { once: true });
    try {
      res = await new Promise<IncomingMessage>((resolve, reject) => {
        // Every status is taken as the answer here, so its body is read (and capped) below, whatever it is.
        modem.dial({ ...dial, statusCodes: ANY_STATUS, isStream: true, abortSignal: controller.signal }, (err, data) =>
          err ? reject(err) : resolve(data as IncomingMessage),
        );
      });
      if (controller.signal.aborted) res.destroy();
      const body = await readAnswer(res, capBytes);
      const status = res.statusCode ?? 0;
      if (dial.statusCodes[status] !== true)
        throw { statusCode: status, json: parseOrText(body), message: `(HTTP code ${status}) ${dial.statusCodes[status] || 'unexpected'}` };
      if (raw) return body.toString('utf8');
      if (status === 204) return null;
      return parseAnswer(body);
    } catch (e) {
      if (signal?.aborted && !timedOut) throw new DockerPruneError('cancelled', `Cancelled: ${what}.`, { endpoint: this.endpoint.label });
      throw toEngineError(e, this.endpoint, what, timedOut ? timeoutMs : undefined);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      controller.signal.removeEventListener('abort', dropOnAbort);
    }
  }

  /** A JSON answer of the shape `shape` checks; a wrong one fails with an error naming the field. */
  private async callShaped<T>(
    what: string,
    dial: DialOptions,
    timeoutMs: number,
    shape: (v: unknown) => T,
    signal?: AbortSignal,
    capBytes?: number,
  ): Promise<T> {
    const answer = await this.call(what, dial, timeoutMs, signal, capBytes);
    try {
      return shape(answer);
    } catch (e) {
      throw toEngineError(e, this.endpoint, what);
    }
  }

  private get<T>(what: string, path: string, shape: (v: unknown) => T, options?: Record<string, unknown>, capBytes?: number): Promise<T> {
    return this.callShaped(
      what,
      { path, method: 'GET', options, statusCodes: { 200: true, 404: 'not found', 500: 'server error' } },
      this.timeouts.readMs,
      shape,
      undefined,
      capBytes,
    );
  }

  async ping(): Promise<void> {
    await this.call(
      'answer a ping',
      { path: '/_ping', method: 'GET', statusCodes: { 200: true, 500: 'server error' } },
      Math.min(this.timeouts.readMs, 10_000),
      undefined,
      ITEM_ANSWER_CAP_BYTES,
      true,
    );
  }

  version(): Promise<ApiVersion> {
    return this.get('report its version', '/version', answerShape.version);
  }

  info(): Promise<ApiInfo> {
    return this.get('report system info', '/info', answerShape.info);
  }

  /**
   * What this engine is (Docker with a graphdriver or the containerd store, or Podman; version, API version,
   * identity), asked once and then known: snapshot, plan, space and execute all follow it. A failed attempt is
   * forgotten, so the next call asks again.
   */
  profile(): Promise<EngineProfile> {
    this.profilePromise ??= Promise.all([this.info(), this.version()])
      .then(([info, version]) => {
        const profile = profileOf(info, version);
        const wrong = unspokenApiVersion(version) ?? impossibleProfile(profile);
        if (wrong) throw new DockerPruneError('api', `Docker at ${this.endpoint.label} ${wrong}`, { endpoint: this.endpoint.label });
        return profile;
      })
      .catch((e: unknown) => {
        this.profilePromise = undefined;
        throw e;
      });
    return this.profilePromise;
  }

  /**
   * Fails when `info` (a fresh `/info`) names another engine than the one the profile learned, or than the
   * `planned` one: the address now leads elsewhere, or the engine lies about itself. The profile is forgotten, so
   * the next attempt learns the engine anew.
   */
  assertSameEngine(info: ApiInfo, profile: EngineProfile, planned?: Pick<EngineProfile, 'engineId'>): void {
    const expectedId = planned ? planned.engineId : profile.engineId;
    const now = engineIdentity(info, profile.product);
    if (now === expectedId) return;
    this.profilePromise = undefined;
    throw new DockerPruneError(
      'api',
      `Docker at ${this.endpoint.label} changed its engine ID from "${expectedId || '(none)'}" to "${now || '(none)'}" since it was ${planned ? 'planned' : 'first asked'}: it is another engine now, or it does not keep its identity (a broken engine or proxy). Nothing was done; plan again, and if it keeps happening check the engine with "docker info".`,
      { endpoint: this.endpoint.label, changed: true },
    );
  }

  /**
   * All images, including untagged intermediates (`all=1`). With `filters` (the engine's own `dangling`, `until`,
   * `label`… as the API takes them), only what passes them: in the containerd store each name is judged on its own.
   */
  async listImages(filters?: Record<string, string[]>): Promise<ApiImageSummary[]> {
    const options: Record<string, unknown> = { all: true };
    if (filters) options.filters = JSON.stringify(filters);
    // Sized like the disk-usage report: the containerd store sizes every image's snapshots for this list.
    return this.callShaped(
      'list images',
      { path: '/images/json?', method: 'GET', options, statusCodes: { 200: true, 500: 'server error' } },
      this.timeouts.diskUsageMs,
      answerShape.imageList,
      undefined,
      LIST_ANSWER_CAP_BYTES,
    );
  }

  inspectImage(id: string): Promise<ApiImageInspect> {
    return this.get(`inspect image ${shortId(id)}`, `/images/${encodeURIComponent(id)}/json`, answerShape.imageInspect);
  }

  /**
   * Podman's own inspect of an image: what the compatible one gives and the full config history (podmanFacts.ts).
   * Only call it on a Podman engine.
   */
  inspectImageLibpod(id: string): Promise<ApiLibpodImageInspect> {
    // A history can be long (one entry per build step): the list cap, as for the compatible history.
    return this.get(
      `inspect image ${shortId(id)}`,
      `/v4.0.0/libpod/images/${encodeURIComponent(id)}/json`,
      answerShape.libpodImageInspect,
      undefined,
      LIST_ANSWER_CAP_BYTES,
    );
  }

  imageHistory(id: string): Promise<ApiHistoryItem[]> {
    return this.get(
      `read the history of image ${shortId(id)}`,
      `/images/${encodeURIComponent(id)}/history`,
      answerShape.history,
      undefined,
      LIST_ANSWER_CAP_BYTES,
    );
  }

  /**
   * `GET /distribution/{ref}/json`: the engine asks the reference's registry, with its own credentials, for the
   * manifest. Measured on Docker 20.10 and 28.5: 200 when it is there, 404 (`manifest unknown`) when it was deleted
   * upstream, 500 when the registry cannot be reached; 401/403 when the engine may not look.
   */
  distributionInspect(ref: string): Promise<ApiDistributionInspect> {
    return this.call(
      `ask the registry about ${ref}`,
      {
        path: `/distribution/${encodeURIComponent(ref)}/json`,
        method: 'GET',
        statusCodes: { 200: true, 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
      },
      this.timeouts.readMs,
    ) as Promise<ApiDistributionInspect>;
  }

  /** `size`: also the bytes of its writable layer (`SizeRw`), which the engine computes on request. */
  inspectContainer(id: string, { size = false }: { size?: boolean } = {}): Promise<ApiContainerInspect> {
    const path = `/containers/${encodeURIComponent(id)}/json${size ? '?' : ''}`;
    return this.get(`inspect container ${id.slice(0, 12)}`, path, answerShape.containerInspect, size ? { size: true } : undefined);
  }

  /** Every container, whatever its state (`all=1`). */
  listContainers(filters?: Record<string, string[]>): Promise<ApiContainerSummary[]> {
    const options: Record<string, unknown> = { all: true };
    if (filters) options.filters = JSON.stringify(filters);
    return this.get('list containers', '/containers/json?', answerShape.containerList, options, LIST_ANSWER_CAP_BYTES);
  }

  systemDf(): Promise<ApiSystemDf> {
    return this.oneDiskUsageAtATime(() =>
      this.callShaped(
        'report disk usage',
        { path: '/system/df', method: 'GET', statusCodes: { 200: true, 500: 'server error' } },
        this.timeouts.diskUsageMs,
        answerShape.systemDf,
        undefined,
        LIST_ANSWER_CAP_BYTES,
      ),
    );
  }

  /** The build cache's records (`/system/df` `BuildCache`; only that part from API 1.42, which has `type`). */
  async buildCacheRecords(apiVersion: string): Promise<ApiBuildCacheRecord[]> {
    const [major, minor] = apiVersion.split('.').map(Number);
    const typed = (major ?? 0) > 1 || ((major ?? 0) === 1 && (minor ?? 0) >= 42);
    const df = await this.oneDiskUsageAtATime(() =>
      this.get('report build cache usage', '/system/df?', answerShape.systemDf, typed ? { type: 'build-cache' } : undefined, LIST_ANSWER_CAP_BYTES),
    );
    return df.BuildCache ?? [];
  }

  /** The engine's own `POST /build/prune`, with the query `docker builder prune` sends (`all`, `filters`, limits). */
  async pruneBuildCache(query: Record<string, string>, signal?: AbortSignal): Promise<ApiBuildPruneResponse> {
    const res = await this.callShaped(
      'prune the build cache',
      {
        path: '/build/prune?',
        method: 'POST',
        options: query,
        statusCodes: { 200: true, 400: 'bad parameter', 409: 'a prune operation is already running', 500: 'server error' },
      },
      this.timeouts.pruneMs,
      answerShape.buildPruneResponse,
      signal,
      LIST_ANSWER_CAP_BYTES,
    );
    return { CachesDeleted: res.CachesDeleted ?? [], SpaceReclaimed: res.SpaceReclaimed };
  }

  /**
   * `DELETE /images/{ref}` without force. With `noprune` the engine leaves untagged parents alone, so the caller
   * decides about each image itself.
   */
  removeImage(ref: string, opts: { noprune: boolean }): Promise<ApiDeleteItem[]> {
    return this.callShaped(
      `remove image ${shortId(ref)}`,
      {
        path: `/images/${encodeURIComponent(ref)}?`,
        method: 'DELETE',
        options: { noprune: opts.noprune },
        statusCodes: { 200: true, 404: 'no such image', 409: 'conflict', 500: 'server error' },
      },
      this.timeouts.deleteMs,
      answerShape.deleteItems,
    );
  }

  /**
   * `DELETE /containers/{id}`: never `force` (the engine refuses a running container with 409) and never `v` (its
   * volumes stay). 204 when removed.
   */
  async removeContainer(id: string): Promise<void> {
    await this.call(
      `remove container ${id.slice(0, 12)}`,
      {
        path: `/containers/${encodeURIComponent(id)}?`,
        method: 'DELETE',
        options: { force: false, v: false },
        statusCodes: { 204: true, 200: true, 400: 'bad parameter', 404: 'no such container', 409: 'conflict', 500: 'server error' },
      },
      this.timeouts.deleteMs,
    );
  }

  /** The engine's own `POST /images/prune`. `filters` as the API takes them, e.g. `{ dangling: ['false'] }`. */
  async pruneImages(filters: Record<string, string[]>, signal?: AbortSignal): Promise<ApiPruneResponse> {
    const res = await this.callShaped(
      'prune images',
      {
        path: '/images/prune?',
        method: 'POST',
        options: { filters: JSON.stringify(filters) },
        statusCodes: { 200: true, 409: 'a prune operation is already running', 500: 'server error' },
      },
      this.timeouts.pruneMs,
      answerShape.pruneResponse,
      signal,
      LIST_ANSWER_CAP_BYTES,
    );
    return { ImagesDeleted: res.ImagesDeleted ?? [], SpaceReclaimed: res.SpaceReclaimed };
  }

  /**
   * Podman's own API (`/v4.0.0/libpod/…`), for what its Docker-compatible API cannot say or do (full config
   * history, prune of all unused images). Only call it on a Podman engine.
   */
  async libpod<T>(
    what: string,
    method: 'GET' | 'POST',
    path: string,
    options?: Record<string, unknown>,
    timeoutMs = this.timeouts.readMs,
    signal?: AbortSignal,
  ): Promise<T> {
    return (await this.call(
      what,
      { path: `/v4.0.0/libpod${path}?`, method, options, statusCodes: { 200: true, 404: 'not found', 409: 'conflict', 500: 'server error' } },
      timeoutMs,
      signal,
      LIST_ANSWER_CAP_BYTES,
    )) as T;
  }

  /**
   * Follows `/events` for image and container changes until `signal` aborts or the stream ends.
   * Resolves when the stream is open; `onEnd` fires once when it closes (with the error, if any).
   */
  async watchEvents(onEvent: (e: ApiEvent) => void, onEnd: (err?: DockerPruneError) => void, signal: AbortSignal): Promise<void> {
    const modem = await this.modem();
    const stream = await new Promise<Readable>((resolve, reject) => {
      modem.dial(
        {
          path: '/events?',
          method: 'GET',
          options: { filters: JSON.stringify({ type: ['image', 'container'] }) },
          isStream: true,
          statusCodes: { 200: true, 500: 'server error' },
          abortSignal: signal,
        },
        (err, data) => (err ? reject(toEngineError(err, this.endpoint, 'stream events')) : resolve(data as Readable)),
      );
    });
    readEventLines(stream, onEvent, (e) => onEnd(e === undefined || signal.aborted ? undefined : toEngineError(e, this.endpoint, 'stream events')));
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
  }

  /**
   * The events the engine still holds from `sinceNs` to `untilNs` (both in ns since the epoch, inclusive), of every
   * type, oldest first. Docker keeps only its last 256 events in memory, Podman its event log.
   * Podman 5 ends the answer when `until` comes round on its own clock, whether it has read its event log by then
   * or not: for an `until` of now it gave 0 to 2 of 28 events, fewer the busier the machine (measured). So Podman is
   * asked with `stream=false` (its own parameter: read the log, then end) and no `until`, and its answer, which is
   * not in time order, is sorted and cut to the range here.
   */
  async pastEvents(sinceNs: bigint, untilNs: bigint): Promise<ApiEvent[]> {
    if ((await this.profile()).product !== 'podman') return this.readPastEvents({ since: eventTimeParam(sinceNs), until: eventTimeParam(untilNs) });
    // Asked a millisecond early: Podman reads `since` at less than nanosecond precision, and an event exactly at
    // `since` (the anchor the last read ended on) was sometimes left out — a false gap (measured, 1 run in 3).
    const early = sinceNs > 1_000_000n ? sinceNs - 1_000_000n : sinceNs;
    const events = await this.readPastEvents({ since: eventTimeParam(early), stream: 'false' });
    const at = (e: ApiEvent) => eventTimeNs(e) ?? 0n;
    return events.filter((e) => at(e) >= sinceNs && at(e) <= untilNs).sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  }

  private async readPastEvents(query: Record<string, string>): Promise<ApiEvent[]> {
    const modem = await this.modem();
    const what = 'list past events';
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeouts.readMs);
    try {
      const stream = await new Promise<Readable>((resolve, reject) => {
        modem.dial(
          {
            path: '/events?',
            method: 'GET',
            options: query,
            isStream: true,
            statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
            abortSignal: controller.signal,
          },
          (err, data) => (err ? reject(toEngineError(err, this.endpoint, what)) : resolve(data as Readable)),
        );
      });
      const events: ApiEvent[] = [];
      await new Promise<void>((resolve, reject) =>
        readEventLines(
          stream,
          (e) => events.push(e),
          (e) => (e ? reject(toEngineError(e, this.endpoint, what, controller.signal.aborted ? this.timeouts.readMs : undefined)) : resolve()),
        ),
      );
      return events;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The API's `since`/`until` form: unix seconds with nanoseconds, `1700000000.000000001`. */
function eventTimeParam(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/**
 * Reads newline-delimited JSON events until the stream ends (`onEnd()`) or fails (`onEnd(error)`), once. A line that
 * is not JSON, or not an event (answerShape.event), is skipped; one longer than EVENT_LINE_CAP_BYTES ends the stream.
 */
function readEventLines(stream: Readable, onEvent: (e: ApiEvent) => void, onEnd: (err?: unknown) => void): void {
  let buffered = '';
  let ended = false;
  const end = (err?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd(err);
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      try {
        const event = answerShape.event(JSON.parse(line));
        const nano = /"timeNano":\s*(\d+)/.exec(line);
        if (nano) event.timeNs = BigInt(nano[1]!);
        onEvent(event);
      } catch {
        /* a partial or foreign line: ignore it */
      }
    }
    if (buffered.length > EVENT_LINE_CAP_BYTES) {
      buffered = '';
      stream.destroy();
      end(new AnswerTooLargeError(EVENT_LINE_CAP_BYTES));
    }
  });
  stream.on('error', (e) => end(e));
  stream.on('end', () => end());
  stream.on('close', () => end());
}

export function shortId(ref: string): string {
  return ref.startsWith('sha256:') ? ref.slice(7, 19) : ref;
}

/**
 * Another client (the docker CLI, a second window) may be asking Docker 20.10 for its disk usage at that moment:
 * try again a few times, shortly (3.6 s in all), before `a disk usage operation is already running` is an error.
 */
async function whenDiskUsageFree<T>(read: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if (attempt >= attempts || !(e instanceof DockerPruneError) || !/disk usage operation is already running/i.test(e.message)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
