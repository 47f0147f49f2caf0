/**
 * The last-use records on disk: one small JSON file per engine in the user's state folder
 * (`~/.local/state/docker-prune/last-used/`, see audit/auditPath.ts), shared by the CLI and every VS Code window.
 * Read and written through state/stateFile.ts: written whole to a temporary file and renamed over the old one, so a
 * reader never sees half a file; a file that is torn or edited anyway is set aside (renamed `….corrupt-<time>`),
 * reported, and read as empty (the engine is asked again, and values are lower bounds). A file from a newer Docker
 * Prune, or another user's, is reported and left alone: read as empty and not written over.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { stateDirectory, type UserSystem } from '../state/userFolders';
import { mayWrite, readProblem, readStateFile, writeStateFile, type StateFileSpec } from '../state/stateFile';
import type { EventAnchor, ImageOrigin, LastUseRecord, LastUseState } from './lastUseState';

const VERSION = 1;
const SOURCES: ReadonlySet<string> = new Set(['event', 'container', 'last-tag-time', 'created']);
const ORIGINS: ReadonlySet<string> = new Set(['pulled', 'pushed', 'loaded', 'built']);

export function lastUsedDirectory(system: UserSystem = {}): string {
  return path.join(stateDirectory(system), 'last-used');
}

/** One file per engine identity (and store): `<sha256 of the key, 32 hex>.json`. */
export function lastUseFilePath(dir: string, engineKey: string): string {
  return path.join(dir, `${createHash('sha256').update(engineKey).digest('hex').slice(0, 32)}.json`);
}

export type ReadResult = {
  readonly state?: LastUseState;
  readonly problem?: string;
  /** False when the file must not be written over (a newer format's, another user's, unreadable). */
  readonly writable: boolean;
};

/** The state in `file`; neither when there is no file yet; a problem (and no state) when it cannot be used. */
export function readLastUseFile(file: string, engineKey: string): ReadResult {
  const read = readStateFile(file, spec(engineKey));
  const problem = readProblem(read);
  return {
    ...(read.status === 'ok' ? { state: read.value } : {}),
    ...(problem
      ? { problem: read.status === 'set-aside' ? `${problem} Last-use values count as lower bounds until the engine's events cover them again.` : problem }
      : {}),
    writable: mayWrite(read),
  };
}

/** Writes `state` atomically (temporary file, then rename), creating the folder (mode 0700) when needed. */
export function writeLastUseFile(file: string, state: LastUseState): void {
  writeStateFile(file, serializeState(state), WHAT);
}

function serializeState(state: LastUseState): string {
  const images: Record<string, { at: string; source: string }> = {};
  for (const [id, r] of [...state.images].sort(([a], [b]) => (a < b ? -1 : 1))) images[id] = { at: r.atNs.toString(), source: r.source };
  const origins: Record<string, { kind: string; at: string; how: string; ref?: string }> = {};
  for (const [id, o] of [...(state.origins ?? [])].sort(([a], [b]) => (a < b ? -1 : 1)))
    origins[id] = { kind: o.kind, at: o.atNs.toString(), how: o.how, ...(o.ref ? { ref: o.ref } : {}) };
  return (
    JSON.stringify({
      version: VERSION,
      engine: state.engineKey,
      ...(state.coveredSinceNs !== undefined ? { coveredSince: state.coveredSinceNs.toString() } : {}),
      ...(state.seenUntilNs !== undefined ? { seenUntil: state.seenUntilNs.toString() } : {}),
      ...(state.anchor ? { anchor: { ...state.anchor, timeNs: state.anchor.timeNs.toString() } } : {}),
      images,
      origins,
    }) + '\n'
  );
}

const WHAT = 'the last-use file';

function spec(engineKey: string): StateFileSpec<LastUseState> {
  return { what: WHAT, formatField: 'version', format: VERSION, parse: (o) => parseState(o, engineKey) };
}

/** Version 1 (the only one so far; it always carried `version`). */
function parseState(o: Record<string, unknown>, engineKey: string): LastUseState {
  if (o.version !== VERSION) throw new Error('no version');
  if (o.engine !== engineKey) throw new Error(`it is for engine ${JSON.stringify(o.engine)}`);
  const images = new Map<string, LastUseRecord>();
  const list = o.images as Record<string, { at?: unknown; source?: unknown }> | undefined;
  if (!list || typeof list !== 'object' || Array.isArray(list)) throw new Error('no images object');
  for (const [id, r] of Object.entries(list)) {
    if (!r || typeof r.source !== 'string' || !SOURCES.has(r.source)) throw new Error(`image ${id}: bad source`);
    images.set(id, { atNs: nanos(r.at, `image ${id}`), source: r.source as LastUseRecord['source'] });
  }
  // Files written before origins were kept have none: nothing is known about how those images came.
  const origins = new Map<string, ImageOrigin>();
  const originList = (o.origins ?? {}) as Record<string, { kind?: unknown; at?: unknown; how?: unknown; ref?: unknown }>;
  if (typeof originList !== 'object' || Array.isArray(originList)) throw new Error('origins is not an object');
  for (const [id, r] of Object.entries(originList)) {
    if (!r || typeof r.kind !== 'string' || !ORIGINS.has(r.kind) || typeof r.how !== 'string' || (r.ref !== undefined && typeof r.ref !== 'string'))
      throw new Error(`origin of image ${id}: bad record`);
    origins.set(id, {
      kind: r.kind as ImageOrigin['kind'],
      atNs: nanos(r.at, `origin of image ${id}`),
      how: r.how,
      ...(r.ref ? { ref: r.ref as string } : {}),
    });
  }
  const anchor = o.anchor as Record<string, unknown> | undefined;
  let parsedAnchor: EventAnchor | undefined;
  if (anchor !== undefined) {
    if (typeof anchor.type !== 'string' || typeof anchor.action !== 'string' || typeof anchor.actor !== 'string') throw new Error('bad anchor');
    parsedAnchor = { timeNs: nanos(anchor.timeNs, 'anchor'), type: anchor.type, action: anchor.action, actor: anchor.actor };
  }
  return {
    engineKey,
    ...(o.coveredSince !== undefined ? { coveredSinceNs: nanos(o.coveredSince, 'coveredSince') } : {}),
    ...(o.seenUntil !== undefined ? { seenUntilNs: nanos(o.seenUntil, 'seenUntil') } : {}),
    ...(parsedAnchor ? { anchor: parsedAnchor } : {}),
    images,
    origins,
  };
}

function nanos(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v)) throw new Error(`${what}: not a time in nanoseconds`);
  return BigInt(v);
}
