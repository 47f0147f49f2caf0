/**
 * Where an image came from, and so what it costs to get back (issue 17 §1). Measured on Docker 20.10 and 28.5
 * (test/integration/imageSource.test.ts):
 * - graphdriver: `RepoDigests` is set only by a pull or a push — a registry has the image. A load (even of a
 *   pulled image's archive), an import, a build or a commit leaves it empty.
 * - containerd store: every named image has `RepoDigests` (its name at its own manifest digest), pulled or not, so
 *   they prove nothing. A pull leaves `containerd.io/distribution.source.<host>` annotations on the image's target.
 * - Podman 5 lists digests for local images too (measured: loaded, committed, imported); its load event is
 *   `loadfromarchive`, an import emits only `tag` but writes the comment `imported from tarball`.
 * - events (kept per engine with the last-use record, see lastUsed/): `pull`, `push`, `load`, `import`, the
 *   containerd store's `create` (build, commit); an image that appeared with none of them was built here.
 * - `docker import` writes the config comment `Imported from …` (Podman: `imported from …`).
 * Where none of this says, the source is `unknown`: never guessed.
 */
import type { ImageStoreKind } from '../engine/engineProfile';
import type { ApiImageInspect } from '../engine/apiTypes';
import type { ImageOrigin } from '../lastUsed/lastUseState';
import type { ImageRecord, ImageSource } from '../model';
import { normalizedRef, repositoryOf } from '../plan/references';
import type { Provenance } from '../snapshot/detailsCache';

const DISTRIBUTION_SOURCE = 'containerd.io/distribution.source.';

export interface SourceEvidence {
  readonly store: ImageStoreKind;
  /** How events (or its appearance) showed the image came here. */
  readonly origin?: ImageOrigin;
  /** What the image's own inspect says. */
  readonly provenance?: Provenance;
}

/** What inspect says about the image's origin; undefined when nothing. */
export function provenanceOf(inspect: Pick<ApiImageInspect, 'Comment' | 'Descriptor'>): Provenance | undefined {
  // Docker writes `Imported from -` (or the URL); Podman 5 `imported from tarball`.
  const imported = typeof inspect.Comment === 'string' && /^imported from /i.test(inspect.Comment);
  const sources = Object.entries(inspect.Descriptor?.annotations ?? {})
    .filter(([k, v]) => k.startsWith(DISTRIBUTION_SOURCE) && typeof v === 'string' && v !== '')
    .flatMap(([k, v]) => v.split(',').map((repo) => `${k.slice(DISTRIBUTION_SOURCE.length)}/${repo}`));
  if (!imported && sources.length === 0) return undefined;
  return { ...(imported ? { imported } : {}), ...(sources.length ? { distributionSources: sources } : {}) };
}

/** The registry host of a reference: `127.0.0.1:5000/app@sha256:…` → `127.0.0.1:5000`, `alpine:3` → `docker.io`. */
export function registryOf(ref: string): string {
  const normalized = normalizedRef(ref);
  return normalized.slice(0, normalized.indexOf('/'));
}

/**
 * The digest reference to pull the image by from `repository`: its own RepoDigest there, else (the containerd store
 * lists one RepoDigest per image, under whichever name it picks; every name has the same manifest digest) that
 * repository at the digest it lists.
 */
function digestRefIn(img: Pick<ImageRecord, 'repoDigests'>, repository: string): string | undefined {
  const own = img.repoDigests.find((d) => normalizedRef(repositoryOf(d)) === normalizedRef(repository));
  if (own) return own;
  const any = img.repoDigests[0];
  return any ? `${repository}${any.slice(any.indexOf('@'))}` : undefined;
}

export function classifySource(img: Pick<ImageRecord, 'repoDigests' | 'repoTags'>, evidence: SourceEvidence): ImageSource {
  const { store, origin, provenance } = evidence;
  if (store === 'graphdriver' && img.repoDigests.length > 0) {
    return pulled(img.repoDigests[0]!, origin?.kind === 'pushed' ? 'pushed (registry digest)' : 'registry digest');
  }
  // On the graphdriver a registry digest is the proof: without one, a pull or push seen before is stale.
  if (origin && (origin.kind === 'pulled' || origin.kind === 'pushed') && store !== 'graphdriver') {
    const digest = origin.ref ? digestRefIn(img, repositoryOf(origin.ref)) : undefined;
    // Without a name in the event, the image's own names say where it lives; never a guessed docker.io.
    const named = origin.ref ?? digest ?? img.repoDigests[0] ?? img.repoTags[0];
    return {
      kind: 'pulled',
      ...(named ? { registry: registryOf(named) } : {}),
      ...(digest ? { reference: digest } : {}),
      evidence: `${origin.how} event`,
    };
  }
  const source = provenance?.distributionSources?.[0];
  if (source) {
    // The annotation's host lost its port; the digest reference in that repository keeps it.
    const [host, ...path] = source.split('/');
    const named = [...img.repoDigests, ...img.repoTags].find((r) => {
      const n = normalizedRef(repositoryOf(r));
      const slash = n.indexOf('/');
      return n.slice(slash + 1) === path.join('/') && n.slice(0, slash).replace(/:\d+$/, '') === host;
    });
    const digest = named ? digestRefIn(img, repositoryOf(named)) : undefined;
    return digest
      ? pulled(digest, 'pulled (containerd distribution source)')
      : { kind: 'pulled', registry: host!, evidence: 'pulled (containerd distribution source)' };
  }
  if (origin?.kind === 'loaded') return { kind: 'loaded', evidence: `${origin.how} event` };
  if (provenance?.imported) return { kind: 'loaded', evidence: 'imported (history: Imported from)' };
  if (origin?.kind === 'built') return { kind: 'built', evidence: origin.how === 'appeared' ? 'appeared with no pull, load or import' : `${origin.how} event` };
  return { kind: 'unknown', evidence: 'not seen arriving' };
}

function pulled(digestRef: string, evidence: string): ImageSource {
  return { kind: 'pulled', registry: registryOf(digestRef), reference: digestRef, evidence };
}

/** How the CLI and the views count sources: `18 can be pulled again (1.1 GB), 3 were built here, …`. */
export interface SourceCounts {
  readonly pulled: { count: number; bytes: number };
  readonly built: { count: number; bytes: number };
  readonly loaded: { count: number; bytes: number };
  readonly unknown: { count: number; bytes: number };
  /** Pulled, but a registry check found its manifest gone upstream: no longer pullable as it is. */
  readonly gone: { count: number; bytes: number };
}

export function countSources(
  items: ReadonlyArray<{ readonly id: string; readonly bytes: number }>,
  sources: ReadonlyMap<string, ImageSource> | undefined,
): SourceCounts {
  const counts = {
    pulled: { count: 0, bytes: 0 },
    built: { count: 0, bytes: 0 },
    loaded: { count: 0, bytes: 0 },
    unknown: { count: 0, bytes: 0 },
    gone: { count: 0, bytes: 0 },
  };
  for (const i of items) {
    const source = sources?.get(i.id);
    const c = counts[source?.upstream === 'gone' ? 'gone' : (source?.kind ?? 'unknown')];
    c.count++;
    c.bytes += i.bytes;
  }
  return counts;
}

/** The steps of a plan that delete a loaded image: nothing brings those back, so confirmations name them. */
export function loadedSteps<T extends { readonly id: string; readonly action: string }>(
  items: readonly T[],
  sources: ReadonlyMap<string, ImageSource> | undefined,
): T[] {
  return items.filter((i) => i.action === 'delete' && sources?.get(i.id)?.kind === 'loaded');
}

/** The source as one short word for a column: `pulled (docker.io)`, `built`, `loaded`, `unknown`. */
export function sourceLabel(source: ImageSource | undefined): string {
  if (!source) return 'unknown';
  if (source.kind !== 'pulled' || !source.registry) return source.kind;
  const upstream = source.upstream === 'gone' ? ', gone upstream' : source.upstream === 'unreachable' ? ', check failed' : '';
  return `pulled (${source.registry}${upstream})`;
}
