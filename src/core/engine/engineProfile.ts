import type { ApiInfo, ApiVersion } from './apiTypes';

/**
 * Where an engine keeps its images, which decides how a prune chooses them and how the bytes it frees are counted:
 * - `graphdriver`: Docker's classic store (overlay2…): image ids are config digests, layers are counted by chain id,
 *   untagged parents go with their last child;
 * - `containerd`: Docker's containerd image store (the default of Docker 29 and Docker Desktop): image ids are
 *   manifest or index digests, every name is its own record, bytes live in content blobs and snapshots;
 * - `podman`: Podman's containers/storage behind its Docker-compatible API.
 */
export type ImageStoreKind = 'graphdriver' | 'containerd' | 'podman';

/** What an engine is, learned once when it is first used (`GET /info` and `GET /version`). */
export interface EngineProfile {
  readonly product: 'docker' | 'podman';
  readonly store: ImageStoreKind;
  /** The engine's own version as it reports it, e.g. `28.5.2+dfsg4` or `5.4.2`. */
  readonly version: string;
  /** The highest API version the engine speaks (its `ApiVersion`), e.g. `1.51`. */
  readonly apiVersion: string;
  /**
   * The engine's identity: the same engine reached through two endpoints has one. Docker's `/info` ID; Podman's
   * `/info` ID is a new random UUID on every call, so for Podman it is `podman:<host name>:<storage root>`.
   * Empty when the engine gives none.
   */
  readonly engineId: string;
  /** `/info` Driver: `overlay2`, `overlayfs`, `vfs`… */
  readonly storageDriver: string;
  readonly rootDir?: string;
}

/** The snapshotter driver type `/info` DriverStatus names when Docker keeps images in containerd. */
const CONTAINERD_SNAPSHOTTER = 'io.containerd.snapshotter.v1';

export function profileOf(info: ApiInfo, version: ApiVersion): EngineProfile {
  const podman =
    (version.Components ?? []).find((c) => /podman/i.test(c.Name ?? '')) ??
    (/podman/i.test(version.Platform?.Name ?? '') ? { Version: version.Version } : undefined);
  const driverStatus = info.DriverStatus ?? [];
  const containerd = driverStatus.some(([key, value]) => key === 'driver-type' && value === CONTAINERD_SNAPSHOTTER);
  return {
    product: podman ? 'podman' : 'docker',
    store: podman ? 'podman' : containerd ? 'containerd' : 'graphdriver',
    version: (podman?.Version ?? version.Version ?? '').trim(),
    apiVersion: (version.ApiVersion ?? '').trim(),
    engineId: engineIdentity(info, podman ? 'podman' : 'docker'),
    storageDriver: (info.Driver ?? '').trim(),
    rootDir: info.DockerRootDir,
  };
}

/** The engine's identity as `/info` gives it now (see EngineProfile.engineId). */
export function engineIdentity(info: ApiInfo, product: EngineProfile['product']): string {
  return product === 'podman' ? podmanIdentity(info) : (info.ID ?? '').trim();
}

/**
 * The oldest Engine API Docker Prune reads (Docker 19.03; it is tested from API 1.41, Docker 20.10 and Podman's compat
 * API). Paths are sent unversioned, so the engine answers in its own version: one outside 1.40–1.x is not an engine
 * whose answers we know.
 */
const MIN_API_VERSION: readonly [number, number] = [1, 40];

/**
 * Why the API version `/version` claims cannot be spoken with (a phrase after "Docker at X"), or undefined when it
 * can: not of the form `1.N`, older than MIN_API_VERSION, or a `MinAPIVersion` above its own `ApiVersion`.
 */
export function unspokenApiVersion(version: Pick<ApiVersion, 'ApiVersion' | 'MinAPIVersion'>): string | undefined {
  const claimed = version.ApiVersion.trim();
  const min = `${MIN_API_VERSION[0]}.${MIN_API_VERSION[1]}`;
  const what = `claims Engine API version "${claimed.slice(0, 40)}", which Docker Prune does not speak (it reads API ${min} to 1.x: Docker 19.03 or newer, or Podman).`;
  const todo = ' Check that this address leads to a Docker-compatible engine and nothing in between alters its answers, or update the engine.';
  const m = /^(\d+)\.(\d+)$/.exec(claimed);
  if (!m) return what + todo;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major !== MIN_API_VERSION[0] || minor < MIN_API_VERSION[1]) return what + todo;
  const lowest = /^(\d+)\.(\d+)$/.exec((version.MinAPIVersion ?? '').trim());
  if (lowest && (Number(lowest[1]) > major || (Number(lowest[1]) === major && Number(lowest[2]) > minor))) {
    return `claims Engine API version ${claimed} with a minimum of ${version.MinAPIVersion}, above it: its /version answer contradicts itself.${todo}`;
  }
  return undefined;
}

/** Docker's first version with the containerd image store (an experimental feature from 24.0). */
const FIRST_CONTAINERD_STORE_DOCKER = '24.0.0';

/**
 * What makes a profile impossible, as a phrase after "Docker at X" (or undefined): a containerd image store on a
 * Docker older than it. Planning by the wrong store's rules would choose the wrong images.
 */
export function impossibleProfile(profile: EngineProfile): string | undefined {
  if (profile.product === 'docker' && profile.store === 'containerd' && !versionAtLeast(profile, FIRST_CONTAINERD_STORE_DOCKER)) {
    return `claims to keep images in the containerd image store, which Docker ${profile.version} does not have (it came with Docker 24). Its /info answer cannot be trusted, so nothing is planned there: check the engine with "docker info", and what stands between.`;
  }
  return undefined;
}

/**
 * Podman answers `/info` with `ID: uuid.New().String()` (pkg/api/handlers/compat/info.go), new on every call: what
 * stays is the machine it runs on and the storage it keeps images in (rootful and each rootless user differ).
 */
function podmanIdentity(info: ApiInfo): string {
  const host = (info.Name ?? '').trim();
  const root = (info.DockerRootDir ?? '').trim();
  return host && root ? `podman:${host}:${root}` : '';
}

/** `28.5.2+dfsg4` → [28, 5, 2]; missing parts are 0. */
function versionNumbers(version: string): [number, number, number] {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : [0, 0, 0];
}

/** Whether the engine's version is at least `min` (`29.4.1`). */
export function versionAtLeast(profile: Pick<EngineProfile, 'version'>, min: string): boolean {
  const a = versionNumbers(profile.version);
  const b = versionNumbers(min);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

/** How the tree and the CLI name it: `Docker 28.5.2 (containerd store)`, `Podman 5.4.2`. */
export function describeProfile(profile: EngineProfile): string {
  if (profile.product === 'podman') return `Podman ${profile.version}`;
  const store = profile.store === 'containerd' ? 'containerd store' : profile.storageDriver || 'graphdriver';
  return `Docker ${profile.version} (${store})`;
}
