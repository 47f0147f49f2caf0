/** The parts of the Docker Engine API (v1.41, also served by Podman's compat API) that the core reads. */

export interface ApiImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  Labels: Record<string, string> | null;
  Containers?: number;
}

export interface ApiImageInspect {
  Id: string;
  Parent: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: string;
  /** graphdriver: the layers' total; containerd store: the content blobs' total (manifest + config + layer blobs). */
  Size: number;
  Architecture?: string;
  Os?: string;
  Config: ({ Labels?: Record<string, string> | null } & Record<string, unknown>) | null;
  RootFS: { Type: string; Layers?: string[] | null };
  /** API 1.48+: the image's target (manifest or index) descriptor; `size` is the manifest's. */
  Descriptor?: { mediaType?: string; digest?: string; size?: number; annotations?: Record<string, string> | null } | null;
  Metadata?: { LastTagTime?: string } | null;
  /** The config's comment: `docker import` writes `Imported from …`. */
  Comment?: string;
}

/** One entry of an image's config history, as Podman's own API gives it (the compatible API folds some away). */
export interface ApiLibpodHistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * `GET /libpod/images/{id}/json` (Podman's own API): the fields of the compatible inspect this code reads (equal to
 * them on Podman 4.3 and 5.4) and the full config history. No `Metadata` (Podman's compatible answer has only the
 * zero time there) and no `Descriptor`. `Created` is the config's own, null when the config has none (the OCI spec
 * allows that), where the compatible inspect gives the store's time.
 */
export interface ApiLibpodImageInspect extends Omit<ApiImageInspect, 'Metadata' | 'Descriptor' | 'Created'> {
  Created?: string | null;
  History?: ApiLibpodHistoryEntry[] | null;
}

/** `GET /distribution/{name}/json`: what the registry says the reference is. */
export interface ApiDistributionInspect {
  Descriptor: { mediaType?: string; digest: string; size?: number };
}

export interface ApiContainerInspect {
  Id: string;
  /** `/name`. */
  Name?: string;
  /** The image id the container runs from. */
  Image: string;
  Config: { Image?: string; Labels?: Record<string, string> | null } | null;
  /** RFC3339Nano. */
  Created?: string;
  /** Times RFC3339Nano; `0001-01-01T00:00:00Z` when never. */
  State?: { Status?: string; StartedAt?: string; FinishedAt?: string; ExitCode?: number } | null;
  HostConfig?: { RestartPolicy?: { Name?: string } | null } | null;
  /** With `?size=1`: the bytes of the container's own writable layer. */
  SizeRw?: number;
}

export interface ApiHistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface ApiContainerSummary {
  Id: string;
  Names: string[] | null;
  Image: string;
  ImageID: string;
  State: string;
  /** Unix seconds. */
  Created?: number;
}

export interface ApiSystemDf {
  LayersSize: number;
  Images: Array<{ Id: string; Size: number; SharedSize: number; Containers: number }> | null;
  BuildCache?: ApiBuildCacheRecord[] | null;
}

/**
 * One `/system/df` `BuildCache` entry. Docker 25–28 send `Parents` under the key `" Parents"` (a stray space in
 * moby's struct tag); before API 1.42 there is one `Parent`.
 */
export interface ApiBuildCacheRecord {
  ID: string;
  Type?: string;
  Description?: string;
  InUse?: boolean;
  Shared?: boolean;
  Size?: number;
  CreatedAt?: string;
  LastUsedAt?: string | null;
  UsageCount?: number;
  Parent?: string;
  Parents?: string[] | null;
  ' Parents'?: string[] | null;
}

/** `POST /build/prune` */
export interface ApiBuildPruneResponse {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}

export interface ApiInfo {
  /** The engine's own identity (stable across restarts). */
  ID?: string;
  Name?: string;
  ServerVersion?: string;
  OperatingSystem?: string;
  DockerRootDir?: string;
  SystemTime?: string;
  Images?: number;
  /** `overlay2`, `overlayfs` (containerd store), `vfs`… */
  Driver?: string;
  /** e.g. `[["driver-type", "io.containerd.snapshotter.v1"]]` on the containerd image store. */
  DriverStatus?: Array<[string, string]> | null;
}

export interface ApiVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  Os?: string;
  Platform?: { Name?: string } | null;
  Components?: Array<{ Name: string; Version: string }> | null;
}

export type ApiDeleteItem = { Untagged?: string; Deleted?: string };

export interface ApiPruneResponse {
  ImagesDeleted: ApiDeleteItem[] | null;
  SpaceReclaimed: number;
}

export interface ApiEvent {
  Type: string;
  Action: string;
  Actor?: { ID: string; Attributes?: Record<string, string> };
  id?: string;
  time?: number;
  /** As a JSON number it loses the last digits (it is above 2^53): use `timeNs`. */
  timeNano?: number;
  /** `timeNano` read exactly from the event's JSON text (set by DockerEngine). */
  timeNs?: bigint;
}
