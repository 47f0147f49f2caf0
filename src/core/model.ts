import type { EngineProfile } from './engine/engineProfile';

/**
 * The data the prune core works on. Nothing here talks to an engine or to VS Code:
 * these are the shapes shared by the engine access, the planner, the executor,
 * the audit log, the CLI and the extension.
 */

/** One layer of an image's root filesystem, identified as the engine's layer store does: by chain id. */
export interface LayerRef {
  /** `sha256:…` chain id (the id `Deleted:` records name when the engine frees this layer). */
  readonly chainId: string;
  /** Uncompressed diff size in bytes, as the engine's layer store counts it (`/images/{id}/history` Size). */
  readonly size: number;
}

export interface ImageRecord {
  /** `sha256:<64 hex>` */
  readonly id: string;
  /** Parent image id, `''` when the image has none (images loaded or pulled have none; legacy builds do). */
  readonly parentId: string;
  /** `repo:tag` references, `<none>:<none>` removed. Mutable on the engine, so always taken from the latest list. */
  readonly repoTags: readonly string[];
  /** `repo@sha256:…` references. */
  readonly repoDigests: readonly string[];
  /** Created time from the image config, in nanoseconds since the epoch (the engine's `until` compares this). */
  readonly createdNs: bigint;
  /**
   * Config labels. `null` when the image has no config at all: the engine then skips label filters for it
   * (it is pruned whatever `label=` says), and the planner must do the same.
   */
  readonly labels: Readonly<Record<string, string>> | null;
  /** Total size of the image's layer chain in bytes (`/images/json` Size). */
  readonly size: number;
  /** Layer chain, bottom first (in the containerd store: the image's snapshots, by chain id). */
  readonly layers: readonly LayerRef[];
  /**
   * The containerd store only: the content blobs the image holds besides its snapshots — its manifest and config
   * (keyed by the image id) and its layer blobs (keyed by diff id, shared by every image with that layer).
   */
  readonly blobs?: readonly StoredBlob[];
}

export interface StoredBlob {
  readonly key: string;
  readonly size: number;
  /**
   * True when the size is inferred rather than read: the Engine API gives an image's content total but not the
   * size of each blob, so a layer blob shared by several images is sized from their differences.
   */
  readonly estimated: boolean;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' | string;

export interface ContainerRecord {
  readonly id: string;
  readonly names: readonly string[];
  /** Image id (`sha256:…`) the container was created from. */
  readonly imageId: string;
  /**
   * The image reference the container was created with (`Config.Image`): a name (`app:1`), an id or a short id.
   * The containerd store protects exactly that name.
   */
  readonly imageRef: string;
  readonly state: ContainerState;
}

/** Everything the planner needs to know about one environment at one moment. */
export interface Snapshot {
  readonly environment: string;
  /** What the engine is (store, version): which rules its prune follows and how its bytes are counted. */
  readonly profile: EngineProfile;
  /** Daemon clock (nanoseconds since epoch) when the snapshot was taken; `until` durations count back from it. */
  readonly daemonNowNs: bigint;
  readonly images: readonly ImageRecord[];
  readonly containers: readonly ContainerRecord[];
  /**
   * Set when the engine is Podman: the facts its prune semantics depend on (structural parents, history), read
   * from Podman's own API. The planner then predicts Podman's prune instead of Docker's (plan/podman4Planner.ts, plan/podman5Planner.ts).
   */
  readonly podman?: PodmanFacts;
  /** Set on Docker's containerd image store: the records its image list folds away (see ContainerdFacts). */
  readonly containerd?: ContainerdFacts;
  /** When each image was last used, by image id, where known (kept per engine; see LastUse). */
  readonly lastUsed?: ReadonlyMap<string, LastUse>;
  /** Where each image came from and whether it can be pulled again, by image id (see source/imageSource.ts). */
  readonly sources?: ReadonlyMap<string, ImageSource>;
  /**
   * Read when the policy removes stopped containers (PrunePolicy.containers): each stopped container as its own
   * `inspect` (with size) describes it, by container id (containers/stoppedContainers.ts).
   */
  readonly stopped?: ReadonlyMap<string, StoppedContainer>;
}

/** A stopped container as the engine describes it (one `inspect` with size). */
export interface StoppedContainer {
  readonly id: string;
  /** Without the leading `/`. */
  readonly name: string;
  readonly state: string;
  /** The image id it was created from. */
  readonly imageId: string;
  /** `FinishedAt` exactly as the engine wrote it: a prune removes the container only while it still says this. */
  readonly finishedAt: string;
  /** When it exited (undefined: never started, or the engine does not say). */
  readonly finishedNs?: bigint;
  readonly createdNs?: bigint;
  readonly exitCode?: number;
  /** Its own writable layer's bytes (undefined where the engine did not compute them). */
  readonly ownBytes?: number;
  readonly composeProject?: string;
  /** Its restart policy (`always`, `unless-stopped`, `on-failure`), when it has one. */
  readonly restartPolicy?: string;
  /** It carries the label that keeps a container from every prune (containers/containerKeepLabel.ts). */
  readonly keepLabel?: boolean;
}

/**
 * Where an image came from, and so what it costs to get back: `pulled` (a registry has it: pull it again),
 * `built` (built or committed on this engine: rebuild it from its sources), `loaded` (`docker load`/`import`,
 * `podman load`: nothing brings it back), `unknown` (nothing the engine or Docker Prune saw says which).
 */
export type SourceKind = 'pulled' | 'built' | 'loaded' | 'unknown';

export interface ImageSource {
  readonly kind: SourceKind;
  /** `pulled`: the registry host it can be pulled from (`docker.io`, `127.0.0.1:5000`). */
  readonly registry?: string;
  /** `pulled`: a digest reference to pull it by (`repo@sha256:…`), where one is known. */
  readonly reference?: string;
  /** What the classification rests on, for tooltips and the JSON (e.g. `load event`, `registry digest`). */
  readonly evidence: string;
  /**
   * `pulled`, after a registry check (on request only: `--check-registry`): `present` — the registry still has
   * this manifest; `gone` — it does not (deleted upstream): no longer pullable as it is; `unreachable` — the
   * engine could not ask (`upstreamMessage` says why).
   */
  readonly upstream?: 'present' | 'gone' | 'unreachable';
  readonly upstreamMessage?: string;
}

/** When an image was last used: a container created from it, started or stopped; or it was pulled, tagged, loaded or built. */
export interface LastUse {
  /** Nanoseconds since the epoch. */
  readonly atNs: bigint;
  /** Where the value comes from: an engine event seen, a container's own timestamps, the engine's LastTagTime, or the image's created time. */
  readonly source: 'event' | 'container' | 'last-tag-time' | 'created';
  /** True when events may have been missed since: the image may have been used later than this. */
  readonly lowerBound: boolean;
}

/**
 * In the containerd store every name of an image is a record of its own, and so is the `moby-dangling@<id>`
 * record an image gets when it loses its last name (or, from Docker 28.1, when an archive is loaded over it).
 * `docker image prune` removes records; an image goes with its last one.
 */
export interface ContainerdFacts {
  /** Ids of the images that have a `moby-dangling@` record, named or not. */
  readonly danglingRecords: ReadonlySet<string>;
  /**
   * For an `until` filter, what the engine judged old enough: `until` compares when each record was created on
   * the daemon, which the API tells only this way.
   */
  readonly beforeUntil?: {
    /** The engine form of the filter it was asked with. */
    readonly until: string;
    /** Names (as in RepoTags) whose records are older than `until`. */
    readonly names: ReadonlySet<string>;
    /** Images whose dangling record is older than `until`. */
    readonly danglingRecords: ReadonlySet<string>;
  };
}

export type PruneMode = 'dangling' | 'all';

/** `label=key`, `label=key=value`, `label!=key`, `label!=key=value` */
export interface LabelFilter {
  readonly negate: boolean;
  readonly key: string;
  /** undefined: the key must merely be present. */
  readonly value?: string;
}

export interface UntilFilter {
  /** What the user wrote, e.g. `7d`. */
  readonly raw: string;
  /** The same instant or duration in a form the engine accepts, e.g. `168h` (for native prunes and the oracle). */
  readonly engineValue: string;
  /** A duration counts back from the daemon's clock; a timestamp is absolute. */
  readonly kind: 'duration' | 'timestamp';
  /** kind 'duration': the duration in nanoseconds. */
  readonly durationNs?: bigint;
  /** kind 'timestamp': the instant in nanoseconds since the epoch. */
  readonly instantNs?: bigint;
}

/** `unused-for=14d`: only images whose last use (Snapshot.lastUsed, else their created time) is at least this old. */
export interface UnusedForFilter {
  /** What the user wrote, e.g. `14d`. */
  readonly raw: string;
  /** The duration in nanoseconds (more than zero). */
  readonly durationNs: bigint;
}

/** `source=pulled`, `source!=loaded`: only images whose source is (or is not) one of these. */
export interface SourceFilter {
  readonly negate: boolean;
  readonly kind: Exclude<SourceKind, 'unknown'> | 'unknown';
}

export interface PruneFilters {
  readonly until?: UntilFilter;
  readonly labels: readonly LabelFilter[];
  /** Docker Prune's own filter, never sent to the engine (a native prune refuses it). */
  readonly unusedFor?: UnusedForFilter;
  /** Docker Prune's own filter, never sent to the engine (a native prune refuses it). All must hold. */
  readonly sources?: readonly SourceFilter[];
}

/**
 * Docker Prune's own, off unless asked (`--containers exited-for=30d`): also remove the stopped containers (exited,
 * or created and never started) that stopped at least this long ago, and with them the images they alone held.
 */
export interface ContainerPolicy {
  /** What the user wrote, e.g. `30d`. */
  readonly exitedForRaw: string;
  /** The duration in nanoseconds (zero or more). */
  readonly exitedForNs: bigint;
}

export interface PrunePolicy {
  readonly mode: PruneMode;
  /** Also remove long-stopped containers (see ContainerPolicy); undefined: containers are never touched. */
  readonly containers?: ContainerPolicy;
  readonly filters: PruneFilters;
  /** Globs on `repo:tag` (e.g. `postgres:*`, `registry.example.com/team/**`); a matched image is never touched. */
  readonly protect: readonly string[];
  /** Keep the newest N images (by created time) of every repository; undefined or 0 = no such rule. */
  readonly keepLatest?: number;
}

export type PlannedAction = 'delete' | 'untag';

export interface PlannedImage {
  readonly id: string;
  /** `delete`: the image and all its references go. `untag`: only `tags` go; the image stays. */
  readonly action: PlannedAction;
  /** References this step removes (`repo:tag` and `repo@digest`). */
  readonly tags: readonly string[];
  /** Bytes that leave the disk at this step (layers whose last user goes here), in plan order. */
  readonly bytes: number;
  /** Why it goes: a dangling image, an unused tagged image, or an untagged parent that goes with its last child. */
  readonly reason: 'dangling' | 'unused' | 'parent';
  readonly createdNs: bigint;
  /** The containerd store: this step also removes the image's hidden `moby-dangling@` record. */
  readonly danglingRecord?: boolean;
}

/**
 * Why an image a prune could have taken stays: Docker Prune's keep rules (plan/keepRules.ts) and the watermark
 * policy's. `minimum-age` and `below-low-mark`: a watermark prune left it (used too recently; not needed to get
 * under the low mark). `left-out`: the user left it out of this prune (PlannerOptions.leaveOut). `loaded`: a
 * watermark prune left it because it was loaded and cannot come back (Watermarks.includeLoaded). `parent-stays`
 * (Podman): its untagged parent stays, and Podman removes an image's untagged parent with it whatever `noprune`
 * says, so removing this one would take a kept image along.
 */
export type KeepReason =
  'in-use' | 'protected' | 'keep-latest' | 'filtered' | 'recently-used' | 'minimum-age' | 'below-low-mark' | 'left-out' | 'loaded' | 'parent-stays';

/** A stopped container a prune removes before the images it alone holds (PrunePolicy.containers). */
export interface PlannedContainer {
  readonly kind: 'container';
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  /** `exited` or `created`. */
  readonly state: string;
  /** `FinishedAt` as the engine wrote it at the preview: a container that ran again since says something else. */
  readonly finishedAt: string;
  readonly finishedNs?: bigint;
  readonly createdNs?: bigint;
  readonly exitCode?: number;
  /** Its own writable bytes (`SizeRw`): what leaves the disk with it. */
  readonly bytes: number;
  readonly composeProject?: string;
}

/**
 * Why a stopped container stays when the policy removes stopped containers: `restart-policy` (`always` or
 * `unless-stopped` bring it back), `keep-label` (the documented label), `protected` (a protect pattern matches its
 * name or its image's name), `recently-stopped` (stopped less than `exited-for` ago), `left-out` (the user
 * unchecked it), `dead` (the engine could not remove it cleanly before; left to the user).
 */
export type ContainerKeepReason = 'restart-policy' | 'keep-label' | 'protected' | 'recently-stopped' | 'left-out' | 'dead';

export interface KeptContainer {
  readonly id: string;
  readonly name: string;
  readonly reason: ContainerKeepReason;
}

export interface KeptImage {
  readonly id: string;
  readonly tags: readonly string[];
  readonly reason: KeepReason;
}

export interface Plan {
  readonly environment: string;
  readonly policy: PrunePolicy;
  /** Execution order: an image always comes before its parent. */
  readonly items: readonly PlannedImage[];
  /** Sum of `items[].bytes`: the bytes the disk gets back. */
  readonly spaceReclaimable: number;
  /**
   * What the engine's own prune would report as SpaceReclaimed, where that differs from what the disk gets back
   * (the containerd store before Docker 29.6 counts content blobs only; Podman counts whole image sizes).
   */
  readonly engineReportedBytes?: number;
  /** Part of the bytes is inferred rather than read from the engine (containerd store: shared layer blobs). */
  readonly estimatedBytes?: boolean;
  /** Images that were candidates but stay, and why (for previews). */
  readonly kept: readonly KeptImage[];
  /**
   * Set when the policy removes stopped containers: those removed, before every image step (`spaceReclaimable`
   * counts their bytes too), and the stopped containers that stay, with why.
   */
  readonly containers?: readonly PlannedContainer[];
  readonly keptContainers?: readonly KeptContainer[];
}

/** The engine's own `ImagesDeleted` entry shape. */
export type ImageDeleteItem = { readonly Untagged: string } | { readonly Deleted: string };

/**
 * Why a planned step was not carried out: `changed` — a name moved to another image or the image gained a name
 * since the preview; `not-attempted` — the engine stopped answering before this step was reached.
 */
export type SkipReason = 'in-use' | 'not-found' | 'changed' | 'conflict' | 'cancelled' | 'not-attempted' | 'error';

export interface SkippedImage {
  /** `container`: a stopped container's step (its `tags` hold its name). */
  readonly kind?: 'container';
  readonly id: string;
  readonly tags: readonly string[];
  readonly reason: SkipReason;
  readonly message: string;
}

/** Shaped like the engine's `POST /images/prune` answer, plus what was skipped. */
export interface PruneResult {
  /** As `POST /containers/prune` answers: the ids of the containers removed (a plan with containers only). */
  readonly ContainersDeleted?: string[];
  readonly ImagesDeleted: ImageDeleteItem[];
  readonly SpaceReclaimed: number;
  readonly skipped: SkippedImage[];
  readonly cancelled: boolean;
}

export interface PruneProgress {
  /** Plan steps finished (done or skipped). */
  readonly done: number;
  readonly total: number;
  /** Bytes reclaimed so far. */
  readonly bytes: number;
  /** The step just finished. */
  readonly current?: PlannedImage | PlannedContainer;
  /** Set when that step was skipped rather than carried out (so progress logs can say which). */
  readonly skipped?: SkippedImage;
}

export type Trigger = 'manual' | 'auto' | 'cli';

/** Per image id: what Podman's API says about history and parent (libpod inspect). */
export interface PodmanImageFacts {
  /** Hash of the whole config history (created, created_by, author, comment, empty_layer of each entry). */
  readonly historyKey: string;
  /** Hash of the history without its last entry; undefined when the history is empty. */
  readonly parentHistoryKey?: string;
  /** The parent Podman reports (`sha256:…`), '' when none. */
  readonly parentId: string;
  /**
   * Read on Podman 5 only: each layer's bytes (history sizes, bottom first, aligned with the image's layers),
   * when the history matches the layers one to one. The image's Size minus their sum is its own metadata
   * (config, manifest), which /system/df LayersSize also counts (see plan/podman5Planner.ts).
   */
  readonly layerSizes?: readonly number[];
}

export interface PodmanFacts {
  readonly images: ReadonlyMap<string, PodmanImageFacts>;
}
