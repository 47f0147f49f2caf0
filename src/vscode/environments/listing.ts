/**
 * What the tree shows for one environment, built from two cheap engine calls (image list + container
 * list, ~0.1 s for 1,000 images) so an environment appears at once; the reclaimable bytes come later
 * from the full snapshot (see EnvironmentSession). No `vscode` import: plain data, easy to test.
 */
import type { ApiContainerSummary, ApiImageSummary } from '../../core/engine/apiTypes';
import type { EngineProfile } from '../../core/engine/engineProfile';
import { compileImageProtection } from '../../core/plan/protectPatterns';
import { repositoryOf } from '../../core/plan/references';
import { classifyImages } from '../../core/plan/usage';
import { containerRecordOf } from '../../core/snapshot/records';

/** The groups the tree shows (untagged parents are counted, not listed). */
export type UsageGroup = 'inUse' | 'unused' | 'dangling';

export interface ContainerUse {
  readonly name: string;
  readonly state: string;
}

export interface ImageEntry {
  readonly id: string;
  /** `repo:tag` references, `<none>:<none>` dropped. */
  readonly tags: readonly string[];
  readonly digests: readonly string[];
  /** Unix seconds (the engine's `Created`). */
  readonly created: number;
  /** Total size of the image's layers (shared layers included), as `docker image ls` shows it. */
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Containers created from this very image. */
  readonly containers: readonly ContainerUse[];
  /** Containers of descendant images (their layers include this image's). */
  readonly usedThroughChildren: number;
  readonly group: UsageGroup;
  /** Matches a protect pattern: no prune touches it. */
  readonly protected: boolean;
}

export interface Listing {
  /** What the engine is (Docker with a graphdriver or the containerd store, Podman) and its version. */
  readonly engine: EngineProfile;
  /** Images as `docker image ls` lists them (untagged parents — intermediates — left out). */
  readonly images: readonly ImageEntry[];
  /** Untagged images with children: listed by `docker image ls -a` only; they go with their last child. */
  readonly intermediates: number;
  readonly containers: number;
  readonly takenAt: number;
}

export function buildListing(
  engine: EngineProfile,
  summaries: readonly ApiImageSummary[],
  containers: readonly ApiContainerSummary[],
  protect: readonly string[],
  now = Date.now(),
): Listing {
  let isProtected: (image: { repoTags: readonly string[]; repoDigests: readonly string[] }) => boolean;
  try {
    isProtected = compileImageProtection(protect);
  } catch {
    isProtected = () => false; // an invalid pattern is reported when planning; the listing still shows
  }
  const identities = summaries.map((s) => ({ id: s.Id, parentId: s.ParentId ?? '', repoTags: tagsOf(s) }));
  const usage = classifyImages(engine.store, identities, containers.map(containerRecordOf));

  const images: ImageEntry[] = [];
  let intermediates = 0;
  for (const s of summaries) {
    const u = usage.get(s.Id)!;
    if (u.group === 'intermediate') {
      intermediates++;
      continue;
    }
    images.push({
      id: s.Id,
      tags: tagsOf(s),
      digests: (s.RepoDigests ?? []).filter((d) => d !== '<none>@<none>'),
      created: s.Created,
      size: s.Size,
      labels: s.Labels ?? {},
      containers: u.containers.map((c) => ({ name: c.names[0] ?? c.id.slice(0, 12), state: c.state })),
      usedThroughChildren: u.usedThroughChildren,
      group: u.group,
      protected: isProtected({ repoTags: tagsOf(s), repoDigests: s.RepoDigests ?? [] }),
    });
  }
  images.sort(compareImages);
  return { engine, images, intermediates, containers: containers.length, takenAt: now };
}

function tagsOf(s: ApiImageSummary): string[] {
  return (s.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
}

/** Tagged images by reference, then untagged ones newest first. */
function compareImages(a: ImageEntry, b: ImageEntry): number {
  const ta = a.tags[0];
  const tb = b.tags[0];
  if (ta && tb) return ta < tb ? -1 : ta > tb ? 1 : 0;
  if (ta) return -1;
  if (tb) return 1;
  return b.created - a.created || (a.id < b.id ? -1 : 1);
}

export function byGroup(listing: Listing, group: UsageGroup): ImageEntry[] {
  return listing.images.filter((i) => i.group === group);
}

/** Repository → images tagged in it (an image tagged in two repositories appears in both); `''` = untagged. */
export function byRepository(listing: Listing): Map<string, ImageEntry[]> {
  const out = new Map<string, ImageEntry[]>();
  for (const img of listing.images) {
    const repos = img.tags.length ? [...new Set(img.tags.map(repositoryOf))] : [''];
    for (const r of repos) {
      const list = out.get(r) ?? [];
      list.push(img);
      out.set(r, list);
    }
  }
  return new Map([...out].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0)));
}
