import type { ImageRecord, KeptImage } from '../model';

/** The images a plan keeps, each once, with the first reason found (for previews). */
export class KeptImages {
  private readonly ids = new Set<string>();
  private readonly list: KeptImage[] = [];

  keep(img: Pick<ImageRecord, 'id' | 'repoTags'>, reason: KeptImage['reason']): void {
    if (this.ids.has(img.id)) return;
    this.ids.add(img.id);
    this.list.push({ id: img.id, tags: img.repoTags, reason });
  }

  /** Those not in `gone` (an image kept in one round can go in a later one, or with its last name). */
  except(gone: ReadonlySet<string>): KeptImage[] {
    return this.list.filter((k) => !gone.has(k.id));
  }
}
