/**
 * A CI runner's churn on a real engine, for the soak test: new builds loaded under tags that already exist (the
 * old image turns dangling), tags moved onto other images, containers created (some started) and removed, and
 * containers committed into new images under an existing tag. One operation at a time, until stopped.
 *
 * Churn never removes an image or a tag itself: every `untag` and `delete` event the engine reports must be a
 * pruner's. It keeps a ledger of every container it made and removed (with its image and when), which the check
 * needs to say whether a deleted image was in use at that instant, and the size of every image it saw (the most
 * a prune can free by removing it).
 */
import { apiJson, apiRequest } from '../../support/dockerd';
import { sizedImagesArchive } from '../../support/population';

/** A container as churn (or the initial population) left it: in use from `createdMs` until `removedMs`. */
export interface ChurnContainer {
  readonly id: string;
  readonly imageId: string;
  /** After the engine answered the create. */
  readonly createdMs: number;
  /** Before the remove request was sent; absent while it exists. */
  removedMs?: number;
}

export interface ChurnCounts {
  builds: number;
  retags: number;
  commits: number;
  containersCreated: number;
  containersStarted: number;
  containersRemoved: number;
  /** Operations the engine refused (an image a pruner removed meanwhile): expected under churn. */
  refused: number;
}

const BUILD_TAGS = 6;
const MAX_CONTAINERS = 8;

export class Churn {
  readonly counts: ChurnCounts = { builds: 0, retags: 0, commits: 0, containersCreated: 0, containersStarted: 0, containersRemoved: 0, refused: 0 };
  readonly containers: ChurnContainer[] = [];
  /** Image id → size (the sum of its layers), for every image churn made or listed. */
  readonly sizes = new Map<string, number>();
  private stopped = false;
  private running: Promise<void> | undefined;
  private builds = 0;

  /**
   * @param runnable ids of images holding /bin/busybox (the population's fixtures): containers on them are started.
   * @param pauseMs between two operations, so churn leaves the two cores to the pruners too.
   */
  constructor(
    private readonly socketPath: string,
    private readonly runnable: ReadonlySet<string>,
    private readonly random: () => number,
    private readonly pauseMs = 150,
  ) {}

  /** Containers that exist before churn starts (the population's), in use for the whole run. */
  adopt(containers: ReadonlyArray<{ id: string; imageId: string }>): void {
    for (const c of containers) this.containers.push({ id: c.id, imageId: c.imageId, createdMs: 0 });
  }

  get operations(): number {
    const c = this.counts;
    return c.builds + c.retags + c.commits + c.containersCreated + c.containersRemoved;
  }

  start(): void {
    this.running = this.loop();
  }

  /** Stops after the operation under way; rejects if churn failed in a way the engine's refusals do not explain. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const r = this.random();
      if (r < 0.35) await this.build();
      else if (r < 0.5) await this.retag();
      else if (r < 0.58) await this.commit();
      else if (r < 0.8 || this.live().length === 0) await this.createContainer();
      else await this.removeContainer();
      if (this.live().length > MAX_CONTAINERS) await this.removeContainer();
      await new Promise((res) => setTimeout(res, this.pauseMs * (0.5 + this.random())));
    }
  }

  private live(): ChurnContainer[] {
    return this.containers.filter((c) => c.createdMs > 0 && c.removedMs === undefined);
  }

  /** A new build under one of a few tags that exist already: the image it replaces turns dangling. */
  private async build(): Promise<void> {
    const n = this.builds++;
    const spec = {
      name: `soak-${n % BUILD_TAGS}`,
      createdNs: BigInt(Date.now()) * 1_000_000n + BigInt(n),
      // A shared base (so prunes free only the new builds' own layers) and a small layer of its own.
      layers: [
        { key: 'soak-base', bytes: 300_000 },
        { key: `soak-own-${n}`, bytes: 4_000 + (n % 97) * 100 },
      ],
    };
    const { archive, ids } = sizedImagesArchive([spec]);
    this.sizes.set(
      ids.get(spec.name)!,
      spec.layers.reduce((sum, l) => sum + l.bytes, 0),
    );
    const res = await apiRequest(this.socketPath, 'POST', '/images/load?quiet=1', { body: archive, contentType: 'application/x-tar' });
    if (res.status !== 200 || /"error"/.test(res.body.toString()))
      throw new Error(`churn: load failed: HTTP ${res.status}: ${res.body.toString().slice(0, 500)}`);
    this.counts.builds++;
  }

  /** Moves a tag onto another image (what `docker tag` does to a name another image had). */
  private async retag(): Promise<void> {
    const image = await this.pickImage();
    if (!image) return;
    const res = await apiRequest(this.socketPath, 'POST', `/images/${encodeURIComponent(image)}/tag?repo=wm/soak-moved&tag=${Math.floor(this.random() * 3)}`);
    // A pruner may remove the image between the engine's lookup and its tag write: the engine then answers 500
    // (seen once in CI, Docker 20.10). That is the race the soak is for, refused like a 404, when the image is gone.
    if (res.status === 500 && (await apiRequest(this.socketPath, 'GET', `/images/${encodeURIComponent(image)}/json`)).status === 404) {
      this.counts.refused++;
      return;
    }
    this.settle(res.status, 201, `tag (${res.body.toString().slice(0, 300).trim()})`);
    if (res.status === 201) this.counts.retags++;
  }

  /** A container committed into a new image under an existing tag (the image becomes the container image's child). */
  private async commit(): Promise<void> {
    const live = this.live();
    if (live.length === 0) return;
    const c = live[Math.floor(this.random() * live.length)]!;
    const res = await apiRequest(this.socketPath, 'POST', `/commit?container=${c.id}&repo=wm/soak-commit&tag=1`, { body: '{}' });
    this.settle(res.status, 201, 'commit');
    if (res.status !== 201) return;
    this.counts.commits++;
    const id = (JSON.parse(res.body.toString()) as { Id: string }).Id;
    const made = await apiRequest(this.socketPath, 'GET', `/images/${id}/json`);
    if (made.status === 200) this.sizes.set(id, (JSON.parse(made.body.toString()) as { Size: number }).Size);
  }

  private async createContainer(): Promise<void> {
    const image = await this.pickImage();
    if (!image) return;
    const res = await apiRequest(this.socketPath, 'POST', '/containers/create', {
      body: JSON.stringify({ Image: image, Cmd: ['/bin/busybox', 'true'], Labels: { 'dp.test': 'soak' }, HostConfig: { NetworkMode: 'none' } }),
    });
    this.settle(res.status, 201, 'create container');
    if (res.status !== 201) return;
    const id = (JSON.parse(res.body.toString()) as { Id: string }).Id;
    this.containers.push({ id, imageId: image, createdMs: Date.now() });
    this.counts.containersCreated++;
    if (this.runnable.has(image) && this.random() < 0.5) {
      await apiJson(this.socketPath, 'POST', `/containers/${id}/start`);
      await apiJson(this.socketPath, 'POST', `/containers/${id}/wait`);
      this.counts.containersStarted++;
    }
  }

  /** Removes the oldest churn container (never one of the population's). */
  private async removeContainer(): Promise<void> {
    const c = this.live().sort((a, b) => a.createdMs - b.createdMs)[0];
    if (!c) return;
    c.removedMs = Date.now();
    await apiJson(this.socketPath, 'DELETE', `/containers/${c.id}?force=1`);
    this.counts.containersRemoved++;
  }

  /** A random image the engine lists now (tagged, dangling or a parent), by id. */
  private async pickImage(): Promise<string | undefined> {
    const images = await apiJson<Array<{ Id: string; Size: number }>>(this.socketPath, 'GET', '/images/json?all=1');
    for (const i of images) this.sizes.set(i.Id, i.Size);
    return images.length ? images[Math.floor(this.random() * images.length)]!.Id : undefined;
  }

  /** A pruner may remove an image between churn's pick and its use (404), or a commit's image (409): counted, not fatal. */
  private settle(status: number, ok: number, what: string): void {
    if (status === ok) return;
    if (status === 404 || status === 409) this.counts.refused++;
    else throw new Error(`churn: ${what}: HTTP ${status}`);
  }
}
