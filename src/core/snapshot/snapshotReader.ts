import { readStoppedContainers } from '../containers/stoppedContainers';
import { forEachConcurrently } from '../concurrency';
import { isNotFound } from '../errors';
import type { DockerEngine } from '../engine/dockerEngine';
import type { ApiHistoryItem, ApiImageInspect, ApiImageSummary, ApiLibpodImageInspect } from '../engine/apiTypes';
import type { ContainerdFacts, ContainerRecord, ImageRecord, LayerRef, Snapshot, UntilFilter } from '../model';
import { podmanDetailsComplete, podmanDetailsOf, podmanFactsOf } from './podmanFacts';
import { podmanMajor } from '../plan/podman5Planner';
import type { EngineProfile } from '../engine/engineProfile';
import { estimateBlobs } from '../space/blobEstimate';
import { chainIds } from './chainIds';
import { configSizeEstimate } from './configEstimate';
import { layerSizesFromHistory } from './layerSizes';
import { parseEngineTime } from './engineTime';
import { containerRecordOf, normalizeImageId } from './records';
import type { ImageDetails, ImageDetailsStore } from './detailsCache';
import type { LastUseTracker } from '../lastUsed/lastUseTracker';
import { classifySource, provenanceOf } from '../source/imageSource';

export interface SnapshotReaderOptions {
  /** Concurrent inspect/history requests for images not yet cached. */
  readonly concurrency?: number;
  /** Keeps image details across processes, per engine. */
  readonly store?: ImageDetailsStore;
  /** Fills each snapshot's `lastUsed` (kept on disk per engine); without it snapshots have none. */
  readonly lastUse?: LastUseTracker;
}

export interface ReadOptions {
  /**
   * The `until` filter a plan will use. The containerd store judges `until` by when each NAME was created on the
   * daemon, which only the engine knows: it is asked which names pass.
   */
  readonly until?: UntilFilter;
  /** Also describe every stopped container (one inspect with size each): a policy that removes them needs it. */
  readonly stoppedContainers?: boolean;
}

/**
 * Reads an environment's images and containers into a Snapshot, the way the engine's store keeps them (its
 * profile says which). Image details are immutable per id, so each image is inspected once per reader (and per
 * machine, with a store); later snapshots cost a few list calls.
 */
export class SnapshotReader {
  private readonly details = new Map<string, ImageDetails>();
  /** Layer sizes known exactly, by chain id, from any image; used to settle images whose history is ambiguous. */
  private readonly exactLayerSizes = new Map<string, number>();
  /** Containers' `Config.Image`, by container id (never changes). */
  private readonly containerRefs = new Map<string, string>();
  private readonly concurrency: number;
  private readonly store: ImageDetailsStore | undefined;
  private readonly lastUse: LastUseTracker | undefined;
  /** `Metadata.LastTagTime` of the images inspected during the current read (it changes, so it is not cached). */
  private lastTagTimes = new Map<string, bigint>();
  private storeLoadedFor: string | undefined;

  constructor(
    private readonly engine: DockerEngine,
    options: SnapshotReaderOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.store = options.store;
    this.lastUse = options.lastUse;
  }

  /** The tracker filling `lastUsed`, if any (the extension feeds it live events). */
  get lastUseTracker(): LastUseTracker | undefined {
    return this.lastUse;
  }

  get environment(): string {
    return this.engine.endpoint.name;
  }

  async read(options: ReadOptions = {}): Promise<Snapshot> {
    const snapshot = await this.readImagesAndContainers(options);
    if (!options.stoppedContainers) return snapshot;
    return { ...snapshot, stopped: await readStoppedContainers(this.engine, snapshot.containers, this.concurrency) };
  }

  private async readImagesAndContainers(options: ReadOptions): Promise<Snapshot> {
    const [profile, summaries, containers, info] = await Promise.all([
      this.engine.profile(),
      this.engine.listImages(),
      this.engine.listContainers(),
      this.engine.info(),
    ]);
    this.engine.assertSameEngine(info, profile);
    const daemonNowNs = (info.SystemTime && parseEngineTime(info.SystemTime)) || BigInt(Date.now()) * 1_000_000n;
    const containerd = profile.store === 'containerd';
    // Image details differ per store; the same engine can switch stores (and keeps its ID).
    // (Podman's /info ID changes on every call: the profile's identity is stable.)
    const engineId = `${profile.engineId || this.engine.endpoint.label}-${profile.store}`;
    if (this.store && this.storeLoadedFor !== engineId) {
      this.storeLoadedFor = engineId;
      for (const [id, d] of this.store.load(engineId)) if (!this.details.has(id)) this.rememberDetails(id, d);
    }
    // Podman's own facts joined the cached details later: an image cached without them is read again, once.
    const podmanNeeds = profile.store === 'podman' ? podmanMajor(profile.version) : undefined;
    const complete = (d: ImageDetails | undefined) => d !== undefined && (podmanNeeds === undefined || podmanDetailsComplete(d.podman, podmanNeeds));
    const missing = summaries.filter((s) => !complete(this.details.get(s.Id)));
    this.lastTagTimes = new Map();
    await forEachConcurrently(missing, this.concurrency, (s) => this.load(s, profile));
    const liveIds = new Set(summaries.map((s) => s.Id));
    let removed = 0;
    for (const id of this.details.keys()) {
      if (!liveIds.has(id)) {
        this.details.delete(id);
        removed++;
      }
    }
    if (this.store && (missing.length > 0 || removed > 0)) this.store.save(engineId, this.details);

    const images: ImageRecord[] = [];
    for (const s of summaries) {
      const d = this.details.get(s.Id);
      if (!d) continue; // vanished between the list and its inspect
      const unpacked = d.content ? s.Size - d.content.total : s.Size;
      images.push({
        id: s.Id,
        // The list's ParentId, not the cached one: `docker load` links a parent only after creating the child, so
        // an image inspected in between would keep "no parent" forever.
        parentId: s.ParentId === undefined ? d.parentId : normalizeImageId(s.ParentId),
        repoTags: (s.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        repoDigests: (s.RepoDigests ?? []).filter((t) => t !== '<none>@<none>'),
        createdNs: d.createdNs,
        labels: d.labels,
        size: s.Size,
        layers: this.layersOf(d, unpacked),
      });
    }
    const lastUsed = this.lastUse ? await this.lastUse.lastUsed({ profile, images, containers, daemonNowNs, lastTagTimes: this.lastTagTimes }) : undefined;
    const origins = this.lastUse?.origins ?? new Map();
    const sources = new Map(
      images.map((img) => [
        img.id,
        classifySource(img, { store: profile.store, origin: origins.get(img.id), provenance: this.details.get(img.id)?.provenance }),
      ]),
    );
    const base = { environment: this.engine.endpoint.name, profile, daemonNowNs, sources, ...(lastUsed ? { lastUsed } : {}) };
    if (containerd) {
      const withBlobs = this.withContentBlobs(images);
      const [facts, records] = await Promise.all([this.readContainerdFacts(options.until), this.containersWithRefs(containers.map(containerRecordOf))]);
      return { ...base, images: withBlobs, containers: records, containerd: facts };
    }
    const containerRecords = containers.map(containerRecordOf);
    if (profile.store !== 'podman') return { ...base, images, containers: containerRecords };
    // Podman prunes by other rules; the planner needs facts only its own API gives (snapshot/podmanFacts.ts).
    const podman = podmanFactsOf(images, (id) => this.details.get(id)?.podman);
    return { ...base, images, containers: containerRecords, podman };
  }

  private async load(s: ApiImageSummary, profile: EngineProfile): Promise<void> {
    const containerd = profile.store === 'containerd';
    const podman = profile.store === 'podman';
    let compat: ApiImageInspect | undefined, own: ApiLibpodImageInspect | undefined, history: ApiHistoryItem[];
    try {
      // Podman: its own inspect gives every field of the compatible one read here (equal on 4.3 and 5.4) and the
      // config history its facts need, so the compatible one is not asked (it works out the image's parent again:
      // on Podman 4.3 a walk over every image).
      [compat, own, history] = await Promise.all([
        podman ? undefined : this.engine.inspectImage(s.Id),
        podman ? this.engine.inspectImageLibpod(s.Id) : undefined,
        this.engine.imageHistory(s.Id),
      ]);
    } catch (e) {
      if (isNotFound(e)) return; // removed meanwhile
      throw e;
    }
    const inspect = (compat ?? own)!;
    const diffIds = inspect.RootFS?.Layers ?? [];
    const chain = chainIds(diffIds);
    // The containerd store lists an image's content and unpacked bytes together; inspect gives the content alone.
    const unpacked = containerd ? s.Size - inspect.Size : s.Size;
    const { sizes, exact } = layerSizesFromHistory(diffIds, history, unpacked);
    const labels = inspect.Config === null || inspect.Config === undefined ? null : { ...(inspect.Config.Labels ?? {}) };
    const provenance = provenanceOf(inspect);
    const tagged = compat?.Metadata?.LastTagTime ? parseEngineTime(compat.Metadata.LastTagTime) : undefined;
    if (tagged !== undefined) this.lastTagTimes.set(s.Id, tagged);
    this.rememberDetails(s.Id, {
      parentId: normalizeImageId(inspect.Parent || s.ParentId || ''), // Podman leaves out `sha256:`
      // Podman's own inspect has no time for an image whose config has none: the list's (the store's) then.
      createdNs: (inspect.Created ? parseEngineTime(inspect.Created) : undefined) ?? BigInt(s.Created) * 1_000_000_000n,
      // The containerd store reads a missing config as one without labels.
      labels: containerd ? (labels ?? {}) : labels,
      chain,
      sizes,
      exact,
      ...(provenance ? { provenance } : {}),
      // Podman 5's layer bytes come from the same compat history.
      ...(own ? { podman: podmanDetailsOf(own, podmanMajor(profile.version) >= 5 ? history : undefined) } : {}),
      ...(containerd && compat
        ? {
            content: {
              total: compat.Size,
              ...(typeof compat.Descriptor?.size === 'number' && compat.Descriptor.digest === s.Id ? { manifest: compat.Descriptor.size } : {}),
              configEstimate: configSizeEstimate(compat, history),
              diffIds,
            },
          }
        : {}),
    });
  }

  private rememberDetails(id: string, d: ImageDetails): void {
    this.details.set(id, d);
    if (d.exact) d.chain.forEach((c, i) => this.exactLayerSizes.set(c, d.sizes[i]));
  }

  private layersOf(d: ImageDetails, imageSize: number): LayerRef[] {
    if (d.exact) return d.chain.map((chainId, i) => ({ chainId, size: d.sizes[i] }));
    // Settle what other images know exactly; the guess keeps only the layers nobody else knows.
    const sizes = d.chain.map((c, i) => this.exactLayerSizes.get(c) ?? d.sizes[i]);
    const unknownTop = d.chain.map((c) => !this.exactLayerSizes.has(c)).lastIndexOf(true);
    if (unknownTop >= 0) {
      const gap = imageSize - sizes.reduce((a, b) => a + b, 0);
      sizes[unknownTop] = Math.max(0, sizes[unknownTop] + gap);
    }
    return d.chain.map((chainId, i) => ({ chainId, size: sizes[i] }));
  }

  /** The containerd store: each image's content blobs, sized (see space/blobEstimate.ts). */
  private withContentBlobs(images: ImageRecord[]): ImageRecord[] {
    const blobs = estimateBlobs(
      images.map((img) => {
        const content = this.details.get(img.id)!.content!;
        return {
          id: img.id,
          total: content.total,
          manifest: content.manifest,
          configEstimate: content.configEstimate,
          diffIds: content.diffIds,
          unpacked: img.layers.map((l) => l.size),
        };
      }),
    );
    return images.map((img) => ({ ...img, blobs: blobs.get(img.id) ?? [] }));
  }

  /**
   * The containerd store's records the image list folds away: which images have a `moby-dangling@` record (also
   * images that still have names), and, for an `until` filter, which records the engine finds old enough.
   */
  private async readContainerdFacts(until: UntilFilter | undefined): Promise<ContainerdFacts> {
    const names = (list: ApiImageSummary[]) => new Set(list.flatMap((s) => (s.RepoTags ?? []).filter((t) => t !== '<none>:<none>')));
    const ids = (list: ApiImageSummary[]) => new Set(list.map((s) => s.Id));
    if (!until) return { danglingRecords: ids(await this.engine.listImages({ dangling: ['true'] })) };
    const [dangling, oldNames, oldDangling] = await Promise.all([
      this.engine.listImages({ dangling: ['true'] }),
      this.engine.listImages({ until: [until.engineValue] }),
      this.engine.listImages({ dangling: ['true'], until: [until.engineValue] }),
    ]);
    return { danglingRecords: ids(dangling), beforeUntil: { until: until.engineValue, names: names(oldNames), danglingRecords: ids(oldDangling) } };
  }

  /** The reference each container was created with (`Config.Image`): the containerd store protects by it. */
  private async containersWithRefs(containers: ContainerRecord[]): Promise<ContainerRecord[]> {
    const unknown = containers.filter((c) => !this.containerRefs.has(c.id));
    await forEachConcurrently(unknown, this.concurrency, async (c) => {
      try {
        const inspect = await this.engine.inspectContainer(c.id);
        this.containerRefs.set(c.id, inspect.Config?.Image ?? c.imageRef);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
    const live = new Set(containers.map((c) => c.id));
    for (const id of this.containerRefs.keys()) if (!live.has(id)) this.containerRefs.delete(id);
    return containers.map((c) => ({ ...c, imageRef: this.containerRefs.get(c.id) ?? c.imageRef }));
  }
}
