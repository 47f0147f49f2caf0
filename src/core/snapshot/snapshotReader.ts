import { forEachConcurrently } from '../concurrency';
import type { DockerEngine } from '../engine/dockerEngine';
import type { ApiImageSummary } from '../engine/apiTypes';
import type { ContainerRecord, ImageRecord, LayerRef, Snapshot } from '../model';
import { normalizeImageId, readPodmanFacts } from '../environments/podman';
import { chainIds } from './chainIds';
import { layerSizesFromHistory } from './layerSizes';
import { parseEngineTime } from './engineTime';
import { containerRecordOf } from './records';
import type { ImageDetails, ImageDetailsStore } from './detailsCache';


export interface SnapshotReaderOptions {
  /** Concurrent inspect/history requests for images not yet cached. */
  readonly concurrency?: number;
  /** Keeps image details across processes, per engine. */
  readonly store?: ImageDetailsStore;
}

/**
 * Reads an environment's images and containers into a Snapshot. Image details are immutable per id, so each
 * image is inspected once per reader; later snapshots cost one image list, one container list and one info call.
 */
export class SnapshotReader {
  private readonly details = new Map<string, ImageDetails>();
  /** Layer sizes known exactly, by chain id, from any image; used to settle images whose history is ambiguous. */
  private readonly exactLayerSizes = new Map<string, number>();
  private readonly concurrency: number;
  private readonly store: ImageDetailsStore | undefined;
  private storeLoadedFor: string | undefined;

  constructor(
    private readonly engine: DockerEngine,
    options: SnapshotReaderOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.store = options.store;
  }

  get environment(): string {
    return this.engine.endpoint.name;
  }

  async read(): Promise<Snapshot> {
    const [profile, summaries, containers, info] = await Promise.all([this.engine.profile(), this.engine.listImages(), this.engine.listContainers(), this.engine.info()]);
    const daemonNowNs = (info.SystemTime && parseEngineTime(info.SystemTime)) || BigInt(Date.now()) * 1_000_000n;
    // Image details differ per store; the same engine can switch stores (and keeps its ID).
    const engineId = `${info.ID || this.engine.endpoint.label}-${profile.store}`;
    if (this.store && this.storeLoadedFor !== engineId) {
      this.storeLoadedFor = engineId;
      for (const [id, d] of this.store.load(engineId)) if (!this.details.has(id)) this.rememberDetails(id, d);
    }
    const missing = summaries.filter((s) => !this.details.has(s.Id));
    await forEachConcurrently(missing, this.concurrency, (s) => this.load(s));
    const liveIds = new Set(summaries.map((s) => s.Id));
    let removed = 0;
    for (const id of this.details.keys()) if (!liveIds.has(id)) this.details.delete(id), removed++;
    if (this.store && (missing.length > 0 || removed > 0)) this.store.save(engineId, this.details);

    const images: ImageRecord[] = [];
    for (const s of summaries) {
      const d = this.details.get(s.Id);
      if (!d) continue; // vanished between the list and its inspect
      images.push({
        id: s.Id,
        parentId: d.parentId,
        repoTags: (s.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        repoDigests: (s.RepoDigests ?? []).filter((t) => t !== '<none>@<none>'),
        createdNs: d.createdNs,
        labels: d.labels,
        size: s.Size,
        layers: this.layersOf(d, s.Size),
      });
    }
    const containerRecords = containers.map(containerRecordOf);
    // Podman prunes by other rules; the planner needs two facts only its own API gives (environments/podman.ts).
    const podman = profile.store === 'podman' ? await readPodmanFacts(this.engine, images.map((i) => i.id), this.concurrency) : undefined;
    return { environment: this.engine.endpoint.name, profile, daemonNowNs, images, containers: containerRecords, ...(podman ? { podman } : {}) };
  }

  private async load(s: ApiImageSummary): Promise<void> {
    let inspect, history;
    try {
      [inspect, history] = await Promise.all([this.engine.inspectImage(s.Id), this.engine.imageHistory(s.Id)]);
    } catch (e) {
      if ((e as { details?: { status?: number } }).details?.status === 404) return; // removed meanwhile
      throw e;
    }
    const diffIds = inspect.RootFS?.Layers ?? [];
    const chain = chainIds(diffIds);
    const { sizes, exact } = layerSizesFromHistory(diffIds, history, s.Size);
    this.rememberDetails(s.Id, {
      parentId: normalizeImageId(inspect.Parent || s.ParentId || ''), // Podman leaves out `sha256:`
      createdNs: parseEngineTime(inspect.Created) ?? BigInt(s.Created) * 1_000_000_000n,
      labels: inspect.Config === null || inspect.Config === undefined ? null : { ...(inspect.Config.Labels ?? {}) },
      chain,
      sizes,
      exact,
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
}
