import { createHash } from 'crypto';
import { chainIds } from '../../src/core/snapshot/chainIds';
import type { EngineProfile } from '../../src/core/engine/engineProfile';
import type { ContainerRecord, ImageRecord, Snapshot } from '../../src/core/model';

/** A Docker 20.10 engine with overlay2: the graphdriver store. */
const GRAPHDRIVER_PROFILE: EngineProfile = {
  product: 'docker',
  store: 'graphdriver',
  version: '20.10.24',
  apiVersion: '1.41',
  engineId: 'TEST',
  storageDriver: 'overlay2',
};

/** Builds in-memory snapshots for planner tests: layers named by string, sizes in bytes. */
export class SnapshotBuilder {
  private readonly images: ImageRecord[] = [];
  private readonly containers: ContainerRecord[] = [];
  private readonly ids = new Map<string, string>();
  nowNs = 1_700_000_000_000_000_000n;

  constructor(private readonly profile: EngineProfile = GRAPHDRIVER_PROFILE) {}

  image(
    name: string,
    opts: {
      tags?: string[];
      digests?: string[];
      parent?: string;
      layers?: Array<[string, number]>;
      ageHours?: number;
      labels?: Record<string, string> | null;
    } = {},
  ): this {
    const id = 'sha256:' + createHash('sha256').update(name).digest('hex');
    this.ids.set(name, id);
    const diffs = (opts.layers ?? [[`${name}-layer`, 100]]).map(([l]) => 'sha256:' + createHash('sha256').update(l).digest('hex'));
    const chain = chainIds(diffs);
    const layers = chain.map((chainId, i) => ({ chainId, size: (opts.layers ?? [[`${name}-layer`, 100]])[i][1] }));
    this.images.push({
      id,
      parentId: opts.parent ? this.id(opts.parent) : '',
      repoTags: opts.tags ?? [],
      repoDigests: opts.digests ?? [],
      createdNs: this.nowNs - BigInt(Math.round((opts.ageHours ?? 1) * 3600)) * 1_000_000_000n,
      labels: opts.labels === undefined ? {} : opts.labels,
      size: layers.reduce((s, l) => s + l.size, 0),
      layers,
    });
    return this;
  }

  container(name: string, image: string, state = 'exited'): this {
    this.containers.push({ id: name, names: [name], imageId: this.id(image), imageRef: this.id(image), state });
    return this;
  }

  /** A container created from `image` by `ref`: `'id'` for its id, else the name given (which may now name another image). */
  containerRef(name: string, image: string, ref: string, state = 'created'): this {
    this.containers.push({ id: name, names: [name], imageId: this.id(image), imageRef: ref === 'id' ? this.id(image) : ref, state });
    return this;
  }

  /** The builder's name of an image id. */
  nameOf(id: string): string {
    for (const [name, i] of this.ids) if (i === id) return name;
    return id;
  }

  id(name: string): string {
    const id = this.ids.get(name);
    if (!id) throw new Error(`no image ${name}`);
    return id;
  }

  build(): Snapshot {
    return { environment: 'test', profile: this.profile, daemonNowNs: this.nowNs, images: [...this.images], containers: [...this.containers] };
  }
}
