/**
 * Checks that an engine's JSON answer has the shape the rest of the code reads (apiTypes.ts) before anything trusts
 * it. A broken or hostile engine (or a proxy in front of one) can send a string where a list belongs, leave out an
 * `Id`, or claim a negative or absurd size: each is refused with an error naming the field, never mended silently.
 * Fields the code does not read are not checked; fields some engines leave out (Podman, older APIs) may be absent.
 * The answer is returned as it came (not copied), so a valid answer behaves exactly as before.
 */
import type * as Api from './apiTypes';

/** A size above this is a lie or a bug, not a disk: one pebibyte (2^50 bytes), well inside JSON's exact integers. */
export const MAX_PLAUSIBLE_SIZE = 2 ** 50;

/** What is wrong with an answer: the field (`[3].RepoTags`), what it should be, and what came. */
export class AnswerShapeError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${field || 'the answer'} should be ${expected}, but is ${describe(got)}`);
    this.name = 'AnswerShapeError';
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return String(v);
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

type Check = (v: unknown, at: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const object: Check = (v, at) => {
  if (!isObject(v)) throw new AnswerShapeError(at, 'an object', v);
};
const string: Check = (v, at) => {
  if (typeof v !== 'string') throw new AnswerShapeError(at, 'a string', v);
};
const id: Check = (v, at) => {
  if (typeof v !== 'string' || v.trim() === '') throw new AnswerShapeError(at, 'an id (a non-empty string)', v);
};
const number: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AnswerShapeError(at, 'a number', v);
};
const boolean: Check = (v, at) => {
  if (typeof v !== 'boolean') throw new AnswerShapeError(at, 'true or false', v);
};
/** A byte count: a whole number from 0 to a pebibyte. */
const size: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_PLAUSIBLE_SIZE) throw new AnswerShapeError(at, 'a size in bytes (0 to 1 PiB)', v);
};
/** A count or size the engine may leave uncomputed as -1 (`/images/json` SharedSize and Containers). */
const sizeOrUnknown: Check = (v, at) => {
  if (v !== -1) size(v, at);
};
const optional =
  (check: Check): Check =>
  (v, at) => {
    if (v !== undefined) check(v, at);
  };
/** Absent or null (the engine's "none"), or checked. */
const nullable =
  (check: Check): Check =>
  (v, at) => {
    if (v !== undefined && v !== null) check(v, at);
  };
const listOf =
  (check: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) throw new AnswerShapeError(at, 'a list', v);
    v.forEach((item, i) => check(item, `${at}[${i}]`));
  };
const fields =
  (spec: Record<string, Check>): Check =>
  (v, at) => {
    object(v, at);
    const o = v as Record<string, unknown>;
    for (const [key, check] of Object.entries(spec)) check(o[key], at ? `${at}.${key}` : key);
  };
const labels: Check = (v, at) => {
  object(v, at);
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) string(value, `${at}.${key}`);
};
const strings = listOf(string);

const imageSummary = fields({
  Id: id,
  ParentId: optional(string),
  RepoTags: nullable(strings),
  RepoDigests: nullable(strings),
  Created: number,
  Size: size,
  SharedSize: optional(sizeOrUnknown),
  Labels: nullable(labels),
  Containers: optional(sizeOrUnknown),
});

/** An image inspect's fields the code reads, the compatible inspect's and Podman's own alike. */
const inspectedImage = {
  Id: id,
  Parent: optional(string),
  RepoTags: nullable(strings),
  RepoDigests: nullable(strings),
  Created: optional(string),
  Size: size,
  Config: nullable(fields({ Labels: nullable(labels) })),
  RootFS: nullable(fields({ Type: optional(string), Layers: nullable(strings) })),
};

const imageInspect = fields({
  ...inspectedImage,
  Descriptor: nullable(fields({ digest: optional(string), size: optional(size) })),
  Metadata: nullable(fields({ LastTagTime: optional(string) })),
});

/** Podman's own inspect: null for a config without a creation time (the key keeps its place), and the config history. */
const libpodImageInspect = fields({
  ...inspectedImage,
  Created: nullable(string),
  Comment: optional(string),
  History: nullable(
    listOf(
      fields({ created: optional(string), created_by: optional(string), author: optional(string), comment: optional(string), empty_layer: optional(boolean) }),
    ),
  ),
});

const historyItem = fields({ Id: string, Created: number, CreatedBy: optional(string), Tags: nullable(strings), Size: size });

const containerSummary = fields({
  Id: id,
  Names: nullable(strings),
  Image: optional(string),
  ImageID: string,
  State: optional(string),
  Created: optional(number),
});

const containerInspect = fields({
  Id: id,
  Name: optional(string),
  Image: string,
  Config: nullable(fields({ Image: optional(string), Labels: nullable(labels) })),
  Created: optional(string),
  State: nullable(fields({ Status: optional(string), StartedAt: optional(string), FinishedAt: optional(string), ExitCode: optional(number) })),
  HostConfig: nullable(fields({ RestartPolicy: nullable(fields({ Name: optional(string) })) })),
  SizeRw: optional(sizeOrUnknown),
});

const info = fields({
  ID: optional(string),
  Name: optional(string),
  DockerRootDir: optional(string),
  Driver: optional(string),
  DriverStatus: nullable(listOf(listOf(string))),
});

const version = fields({
  Version: string,
  ApiVersion: string,
  Platform: nullable(fields({ Name: optional(string) })),
  Components: nullable(listOf(fields({ Name: string, Version: optional(string) }))),
});

const buildCacheRecord = fields({
  ID: id,
  Type: optional(string),
  InUse: optional(boolean),
  Shared: optional(boolean),
  Size: optional(size),
  Parent: optional(string),
  Parents: nullable(strings),
  ' Parents': nullable(strings),
});

const systemDf = fields({
  LayersSize: optional(size),
  Images: nullable(listOf(fields({ Id: id, Size: size, SharedSize: sizeOrUnknown, Containers: sizeOrUnknown }))),
  BuildCache: nullable(listOf(buildCacheRecord)),
});

const deleteItem = fields({ Untagged: optional(string), Deleted: optional(string) });
const deleteItems = listOf(deleteItem);
const pruneResponse = fields({ ImagesDeleted: nullable(deleteItems), SpaceReclaimed: size });
const buildPruneResponse = fields({ CachesDeleted: nullable(strings), SpaceReclaimed: size });
const event = fields({ Type: string, Action: string, Actor: optional(fields({ ID: string, Attributes: optional(labels) })), id: optional(string) });

/** Returns `v` as `T` when `check` passes; throws AnswerShapeError naming the first wrong field otherwise. */
function shaped<T>(check: Check): (v: unknown) => T {
  return (v) => {
    check(v, '');
    return v as T;
  };
}
/** A list answer, where the engine may say `null` for none. */
function shapedList<T>(check: Check): (v: unknown) => T[] {
  return (v) => {
    if (v === null) return [];
    listOf(check)(v, '');
    return v as T[];
  };
}

export const answerShape = {
  imageList: shapedList<Api.ApiImageSummary>(imageSummary),
  imageInspect: shaped<Api.ApiImageInspect>(imageInspect),
  libpodImageInspect: shaped<Api.ApiLibpodImageInspect>(libpodImageInspect),
  history: shapedList<Api.ApiHistoryItem>(historyItem),
  containerList: shapedList<Api.ApiContainerSummary>(containerSummary),
  containerInspect: shaped<Api.ApiContainerInspect>(containerInspect),
  info: shaped<Api.ApiInfo>(info),
  version: shaped<Api.ApiVersion>(version),
  systemDf: shaped<Api.ApiSystemDf>(systemDf),
  deleteItems: shapedList<Api.ApiDeleteItem>(deleteItem),
  /** `/images/prune`; `null` (no answer body) is nothing pruned. */
  pruneResponse: (v: unknown): Api.ApiPruneResponse => (v === null ? { ImagesDeleted: [], SpaceReclaimed: 0 } : shaped<Api.ApiPruneResponse>(pruneResponse)(v)),
  buildPruneResponse: (v: unknown): Api.ApiBuildPruneResponse =>
    v === null ? { CachesDeleted: [], SpaceReclaimed: 0 } : shaped<Api.ApiBuildPruneResponse>(buildPruneResponse)(v),
  event: shaped<Api.ApiEvent>(event),
};
