/**
 * Which engine events are a use of an image, and which image (read in moby `daemon/events.go`,
 * `daemon/images/*`, `daemon/containerd/*`, 26.1 and 28.5):
 * - image events: `pull` (Actor.ID is the reference pulled, e.g. `alpine:3`), `tag`, `load`, `import` and
 *   `create` (a build or a commit) name the image by id (graphdriver: the config digest; containerd store: the
 *   manifest digest — each store's `/images/json` Id). `untag`, `delete`, `push`, `save` are not uses.
 * - container events carry the reference the container was created with (`Config.Image`) as attribute `image`:
 *   `create`, `start`, `restart`, `stop`, `kill`, `die`, `pause`, `unpause` and `destroy` are uses of its image (a
 *   container holds its image until it is removed).
 * - Podman 5's compatible stream names some of these differently (measured, test/integration/environments/
 *   lastUsedPodman.test.ts): an image load is `loadfromarchive`, a container's removal is `remove`, and it adds
 *   `init` and `cleanup` around a run.
 */
import type { ApiEvent } from '../engine/apiTypes';
import { eventTimeNs } from '../engine/eventTime';
import type { ImageRecord } from '../model';
import type { ImageOrigin } from './lastUseState';
import { normalizedRef } from '../plan/references';
import { normalizeImageId } from '../snapshot/records';

const IMAGE_USES: ReadonlySet<string> = new Set(['pull', 'tag', 'load', 'import', 'create', 'loadfromarchive']);
const CONTAINER_USES: ReadonlySet<string> = new Set([
  'create',
  'start',
  'restart',
  'stop',
  'kill',
  'die',
  'pause',
  'unpause',
  'destroy',
  'remove',
  'init',
  'cleanup',
]);

/**
 * Image events that say how an image came here (measured on Docker 20.10 and 28.5, both stores): `pull` and `push`
 * name the reference; `load`, `import` (and Podman's `loadfromarchive`) and the containerd store's `create` (a
 * build or a commit) name the image id. A graphdriver build emits no image event at all (its commit, a `tag`).
 */
const ORIGINS: Readonly<Record<string, ImageOrigin['kind']>> = {
  pull: 'pulled',
  push: 'pushed',
  load: 'loaded',
  import: 'loaded',
  loadfromarchive: 'loaded',
  create: 'built',
};

/** An image id, bare or with its algorithm: not a reference that names a registry. */
const ID_ONLY = /^(sha256:)?[0-9a-f]{64}$/;

/** Whether the event says how an image came here (whichever image it is). */
export function isOriginEvent(e: ApiEvent): boolean {
  return e.Type === 'image' && e.Action in ORIGINS;
}

/** How the image an event names came here, or undefined when the event does not say (or names no known image). */
export function originOfEvent(e: ApiEvent, resolver: ImageResolver): { readonly imageId: string; readonly origin: ImageOrigin } | undefined {
  const atNs = eventTimeNs(e);
  if (atNs === undefined || !isOriginEvent(e)) return undefined;
  const actorId = e.Actor?.ID ?? e.id ?? '';
  const imageId = resolver.image(actorId) ?? (e.Actor?.Attributes?.name ? resolver.image(e.Actor.Attributes.name) : undefined);
  if (!imageId) return undefined;
  const kind = ORIGINS[e.Action]!;
  // Docker names the reference pulled or pushed in Actor.ID; Podman puts the image id there and the name aside.
  const named = ID_ONLY.test(actorId) ? e.Actor?.Attributes?.name : actorId;
  const ref = kind === 'pulled' || kind === 'pushed' ? named : undefined;
  return { imageId, origin: { kind, atNs, how: e.Action, ...(ref ? { ref } : {}) } };
}

/** The image an image `delete` event removed, when an image with that id is here again (re-created since). */
export function deletedImageOf(e: ApiEvent, resolver: ImageResolver): string | undefined {
  if (e.Type !== 'image' || (e.Action !== 'delete' && e.Action !== 'remove')) return undefined;
  return resolver.image(e.Actor?.ID ?? e.id ?? '');
}

/** Whether the event is a use of an image (whichever image it is). */
export function isUseEvent(e: ApiEvent): boolean {
  return (e.Type === 'image' && IMAGE_USES.has(e.Action)) || (e.Type === 'container' && CONTAINER_USES.has(e.Action));
}

/** Finds image ids by reference or id, as the images are now; remembers which container runs which image. */
export class ImageResolver {
  private readonly ids = new Set<string>();
  private readonly byRef = new Map<string, string>();
  private readonly containers = new Map<string, string>();

  constructor(
    images: readonly Pick<ImageRecord, 'id' | 'repoTags' | 'repoDigests'>[],
    containers: ReadonlyArray<{ readonly id: string; readonly imageId: string }> = [],
  ) {
    for (const img of images) {
      this.ids.add(img.id);
      for (const ref of [...img.repoTags, ...img.repoDigests]) this.byRef.set(refKey(ref), img.id);
    }
    for (const c of containers) this.containers.set(c.id, normalizeImageId(c.imageId));
  }

  /** An image id, a short id (12+ hex), `sha256:…`, or a reference (`app`, `app:1`, `team/app@sha256:…`). */
  image(ref: string): string | undefined {
    const hex = ref.replace(/^sha256:/, '');
    if (/^[0-9a-f]{64}$/.test(hex)) return this.ids.has(`sha256:${hex}`) ? `sha256:${hex}` : undefined;
    const named = this.byRef.get(refKey(ref));
    if (named) return named;
    if (/^[0-9a-f]{12,63}$/.test(hex)) {
      const matches = [...this.ids].filter((i) => i.startsWith(`sha256:${hex}`));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  container(id: string): string | undefined {
    return this.containers.get(id);
  }

  rememberContainer(id: string, imageId: string): void {
    this.containers.set(id, imageId);
  }
}

/** `app` → `docker.io/library/app:latest`; a digest reference keeps its digest. */
function refKey(ref: string): string {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const tagged = at >= 0 || name.lastIndexOf(':') > name.lastIndexOf('/') ? ref : `${ref}:latest`;
  return normalizedRef(tagged);
}

/** The image an event uses and when, or undefined when the event is not a use (or names no known image). */
export function useOfEvent(e: ApiEvent, resolver: ImageResolver): { readonly imageId: string; readonly atNs: bigint } | undefined {
  const atNs = eventTimeNs(e);
  if (atNs === undefined) return undefined;
  const actorId = e.Actor?.ID ?? e.id ?? '';
  if (e.Type === 'image' && IMAGE_USES.has(e.Action)) {
    const imageId = resolver.image(actorId) ?? (e.Actor?.Attributes?.name ? resolver.image(e.Actor.Attributes.name) : undefined);
    return imageId ? { imageId, atNs } : undefined;
  }
  if (e.Type === 'container' && CONTAINER_USES.has(e.Action)) {
    let imageId = resolver.container(actorId);
    const ref = e.Actor?.Attributes?.image;
    if (!imageId && ref) {
      imageId = resolver.image(ref);
      if (imageId) resolver.rememberContainer(actorId, imageId);
    }
    return imageId ? { imageId, atNs } : undefined;
  }
  return undefined;
}
