/**
 * What is known about the last use of an engine's images, and since when the engine's events were followed without
 * a gap. Pure data and merging; lastUseFile.ts keeps it on disk, lastUseTracker.ts fills it.
 *
 * A value is exact when events were followed without a gap from that moment on (anything later would have been
 * seen); otherwise it is a lower bound: the image may have been used later.
 */
import type { ApiEvent } from '../engine/apiTypes';
import type { LastUse } from '../model';
import { eventTimeNs } from '../engine/eventTime';

export interface LastUseRecord {
  readonly atNs: bigint;
  readonly source: LastUse['source'];
}

/**
 * How an image came to be on this engine, as its events (or its appearance) showed: `pulled`/`pushed` (a registry
 * has it; `ref` is the reference pulled or pushed), `loaded` (`load`, `import`, Podman's `loadfromarchive`),
 * `built` (an image `create` event — a build or commit in the containerd store — or it appeared while events were
 * followed without a gap, and no pull, load or import named it).
 */
export interface ImageOrigin {
  readonly kind: 'pulled' | 'pushed' | 'loaded' | 'built';
  readonly atNs: bigint;
  /** The event's action (`pull`, `load`, `import`, `create`…) or `appeared`. */
  readonly how: string;
  readonly ref?: string;
}

/** The newest event seen: the next catch-up asks from its time on and must find it again, or events were lost. */
export interface EventAnchor {
  readonly timeNs: bigint;
  readonly type: string;
  readonly action: string;
  readonly actor: string;
}

export interface LastUseState {
  /** The engine's identity and store (see EngineProfile.engineId). */
  readonly engineKey: string;
  /** Events were followed without a gap from here to `seenUntilNs`; undefined: never. */
  readonly coveredSinceNs?: bigint;
  readonly seenUntilNs?: bigint;
  readonly anchor?: EventAnchor;
  /** By image id. */
  readonly images: ReadonlyMap<string, LastUseRecord>;
  /** How images came here, by image id, where an event (or their appearance) showed it. */
  readonly origins?: ReadonlyMap<string, ImageOrigin>;
}

export function emptyState(engineKey: string): LastUseState {
  return { engineKey, images: new Map() };
}

export function anchorOf(e: ApiEvent): EventAnchor | undefined {
  const timeNs = eventTimeNs(e);
  return timeNs === undefined ? undefined : { timeNs, type: e.Type, action: e.Action, actor: e.Actor?.ID ?? e.id ?? '' };
}

export function isAnchor(e: ApiEvent, anchor: EventAnchor): boolean {
  const a = anchorOf(e);
  return a !== undefined && a.timeNs === anchor.timeNs && a.type === anchor.type && a.action === anchor.action && a.actor === anchor.actor;
}

/** Records a use when it is later than what is known (a tie keeps the known source). True when it changed. */
export function recordUse(images: Map<string, LastUseRecord>, imageId: string, atNs: bigint, source: LastUseRecord['source']): boolean {
  const known = images.get(imageId);
  if (known && known.atNs >= atNs) return false;
  images.set(imageId, { atNs, source });
  return true;
}

/**
 * Records how an image came here. A pull or a push always counts (the image can now be pulled again); a load or a
 * build only when nothing is known yet (the first way it came here is the one that stays while the image does).
 * True when it changed.
 */
export function recordOrigin(origins: Map<string, ImageOrigin>, imageId: string, origin: ImageOrigin): boolean {
  const known = origins.get(imageId);
  const registry = origin.kind === 'pulled' || origin.kind === 'pushed';
  if (known && !(registry && known.atNs <= origin.atNs)) return false;
  origins.set(imageId, origin);
  return true;
}

/**
 * Two views of one engine (this process's and the file another process wrote): every image's later use, and the
 * coverage of both when their followed spans overlap, else the later span alone.
 */
export function mergeStates(a: LastUseState, b: LastUseState): LastUseState {
  const images = new Map(a.images);
  for (const [id, r] of b.images) recordUse(images, id, r.atNs, r.source);
  const origins = new Map(a.origins ?? []);
  for (const [id, o] of b.origins ?? []) recordOrigin(origins, id, o);
  const [early, late] = (a.seenUntilNs ?? -1n) <= (b.seenUntilNs ?? -1n) ? [a, b] : [b, a];
  if (late.coveredSinceNs === undefined) return { engineKey: a.engineKey, images, origins };
  const overlaps = early.coveredSinceNs !== undefined && early.seenUntilNs !== undefined && early.seenUntilNs >= late.coveredSinceNs;
  const coveredSinceNs = overlaps && early.coveredSinceNs! < late.coveredSinceNs ? early.coveredSinceNs : late.coveredSinceNs;
  return { engineKey: a.engineKey, coveredSinceNs, seenUntilNs: late.seenUntilNs, ...(late.anchor ? { anchor: late.anchor } : {}), images, origins };
}

/** The snapshot's view: each record, exact or a lower bound by the coverage. */
export function toLastUse(record: LastUseRecord, state: Pick<LastUseState, 'coveredSinceNs'>): LastUse {
  return { atNs: record.atNs, source: record.source, lowerBound: state.coveredSinceNs === undefined || record.atNs < state.coveredSinceNs };
}
