import type { ImageRecord } from '../model';
import { repositoryOf } from './references';

/**
 * "Keep the newest N per repository": for every repository, the N images with the newest created time among
 * all images tagged in it (in use or not — a running v5 counts as one of the newest) stay. An image kept for
 * any of its repositories stays whole.
 */
export function keptByKeepLatest(images: readonly ImageRecord[], n: number): Set<string> {
  const kept = new Set<string>();
  if (!n || n <= 0) return kept;
  const byRepo = new Map<string, ImageRecord[]>();
  for (const img of images) {
    for (const repo of new Set(img.repoTags.map(repositoryOf))) {
      let list = byRepo.get(repo);
      if (!list) byRepo.set(repo, (list = []));
      list.push(img);
    }
  }
  for (const list of byRepo.values()) {
    list.sort((a, b) => (a.createdNs === b.createdNs ? (a.id < b.id ? -1 : 1) : a.createdNs > b.createdNs ? -1 : 1));
    for (const img of list.slice(0, n)) kept.add(img.id);
  }
  return kept;
}
