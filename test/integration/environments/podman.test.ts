/**
 * Podman (Debian's podman 4.3) serving its Docker-compatible API on a unix socket, with its own storage in a
 * temp dir. Checks, on generated populations:
 * - discovery finds its socket and knows it is Podman;
 * - the planner's prediction (engineParity) equals what Podman's own prune deletes and reports — ids and
 *   SpaceReclaimed — in dangling and all mode, with until and label filters (the way the core checks Docker);
 * - how Podman differs from Docker, measured: Docker's rules would predict other images; Docker's all-mode
 *   filter is refused by Podman's compatible endpoint;
 * - Docker Prune's own prune (image by image) works on Podman and keeps in-use images.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DockerEngine } from '../../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../../src/core/engine/endpoint';
import { closeEndpoint, discoverEnvironments } from '../../../src/core/environments';
import { nativePrune } from '../../../src/core/execute/nativePrune';
import { previewPrune, runPrune } from '../../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../../src/core/filters';
import type { PrunePolicy, Snapshot } from '../../../src/core/model';
import { planPrune } from '../../../src/core/plan/planner';
import { SnapshotReader } from '../../../src/core/snapshot/snapshotReader';
import { apiJson, apiRequest } from '../../support/dockerd';
import { generatePopulation, loadPopulation, type LoadedPopulation, type PopulationOptions } from '../../support/population';
import { podmanAvailable, startPodman, type TestPodman } from '../../support/podman';
import { checkKeepsChildOfKeptParent, checkPodmanInspectsAgree, countPerImageRequests, sortedIds } from './helpers';

describe('environments: Podman (Docker-compatible API on a unix socket)', function () {
  this.timeout(10 * 60_000);
  let pm: TestPodman;
  let runtimeDir: string;
  let engine: DockerEngine;

  const policy = (mode: 'dangling' | 'all', filters: string[] = []): PrunePolicy => ({ mode, filters: parseFilterArgs(filters), protect: [] });

  async function reset(): Promise<void> {
    for (const c of await apiJson<Array<{ Id: string }>>(pm.socketPath, 'GET', '/containers/json?all=1')) {
      await apiRequest(pm.socketPath, 'DELETE', `/containers/${c.Id}?force=1`);
    }
    for (let round = 0; round < 5; round++) {
      const images = await apiJson<Array<{ Id: string }>>(pm.socketPath, 'GET', '/images/json?all=1');
      if (images.length === 0) return;
      for (const i of images) await apiRequest(pm.socketPath, 'DELETE', `/images/${i.Id}?force=1`);
    }
    throw new Error('podman reset: images left');
  }

  async function load(options: PopulationOptions): Promise<LoadedPopulation> {
    await reset();
    return loadPopulation(pm.socketPath, generatePopulation(options));
  }

  const read = () => new SnapshotReader(engine).read();

  before(async function () {
    if (!podmanAvailable()) throw new Error('podman is not installed: run scripts/install-debian-packages.sh');
    runtimeDir = fs.mkdtempSync('/tmp/dp-xdg-');
    // The rootless socket path, so discovery finds it as a user's Podman would be found.
    pm = await startPodman({ name: 'pmtest', socketPath: path.join(runtimeDir, 'podman', 'podman.sock') });
    engine = new DockerEngine(resolveEndpoint({ host: pm.dockerHost }));
  });
  after(async () => {
    await pm?.stop();
    if (runtimeDir) fs.rmSync(runtimeDir, { recursive: true, force: true });
  });

  it('discovery finds the Podman socket and the engine says it is Podman', async () => {
    const { environments } = await discoverEnvironments({
      env: { HOME: runtimeDir, DOCKER_CONFIG: path.join(runtimeDir, 'none'), XDG_RUNTIME_DIR: runtimeDir },
    });
    const found = environments.find((e) => e.id === 'podman:rootless');
    assert.ok(found, environments.map((e) => e.id).join(', '));
    assert.strictEqual(found.endpoint.host, `unix://${pm.socketPath}`);
    assert.strictEqual(found.source, 'podman');
    assert.strictEqual((await engine.profile()).product, 'podman');
  });

  // The oracle: predict with engineParity, let Podman prune natively, compare what went and what it reported.
  const cases: Array<{ name: string; pop: PopulationOptions; policy: PrunePolicy }> = [
    { name: 'dangling', pop: { seed: 101, images: 80, danglingRatio: 0.5, chainRatio: 0.4 }, policy: policy('dangling') },
    { name: 'all', pop: { seed: 102, images: 80, chainRatio: 0.4, containers: { created: 3, exited: 2, running: 1 } }, policy: policy('all') },
    { name: 'all, until=8000h', pop: { seed: 103, images: 80, now: new Date() }, policy: policy('all', ['until=8000h']) },
    { name: 'dangling, label!=dp.team', pop: { seed: 104, images: 80, danglingRatio: 0.6 }, policy: policy('dangling', ['label!=dp.team']) },
    { name: 'all, label=dp.tier=red', pop: { seed: 105, images: 80 }, policy: policy('all', ['label=dp.tier=red']) },
  ];
  for (const c of cases) {
    it(`the planner predicts Podman's own prune exactly: ${c.name}`, async () => {
      const loaded = await load(c.pop);
      const snapshot = await read();
      assert.ok(snapshot.podman, 'the snapshot carries Podman facts');
      assert.strictEqual(snapshot.images.length, loaded.population.images.length);
      const plan = planPrune(snapshot, c.policy, { engineParity: true });
      const predicted = sortedIds(plan.items.filter((i) => i.action === 'delete').map((i) => i.id));
      const result = await nativePrune(engine, c.policy);
      const reported = sortedIds(result.ImagesDeleted.flatMap((i) => ('Deleted' in i ? [i.Deleted] : [])));
      const left = new Set((await engine.listImages()).map((i) => i.Id));
      const gone = sortedIds(snapshot.images.filter((i) => !left.has(i.id)).map((i) => i.id));
      assert.deepStrictEqual(reported, gone, 'Podman reports what it removed');
      assert.deepStrictEqual(predicted, reported, 'same images');
      assert.strictEqual(plan.spaceReclaimable, result.SpaceReclaimed, 'same SpaceReclaimed');
      assert.ok(predicted.length > 0, 'the case removes something');
      // containers' images always stay
      for (const ctr of snapshot.containers) assert.ok(left.has(ctr.imageId));
    });
  }

  it("a cold read asks for Podman's own inspect and the history of each image, not the compatible inspect (whose fields the first gives)", async () => {
    await load({ seed: 106, images: 60, danglingRatio: 0.4, chainRatio: 0.4, containers: { created: 1, exited: 1, running: 0 } });
    assert.ok((await checkPodmanInspectsAgree(pm.socketPath)) >= 60);
    const counted = new DockerEngine(resolveEndpoint({ host: pm.dockerHost }));
    try {
      const perImage = countPerImageRequests(counted);
      const cold = await new SnapshotReader(counted).read();
      assert.strictEqual(perImage.compatInspects, 0);
      assert.strictEqual(perImage.total, 2 * cold.images.length);
    } finally {
      closeEndpoint(counted.endpoint);
    }
  });

  it("Docker's rules would predict something else on the same images (why Podman needs its own model)", async () => {
    await load({ seed: 101, images: 80, danglingRatio: 0.5, chainRatio: 0.4 });
    const snapshot = await read();
    const { podman: _facts, ...rest } = snapshot;
    const asIfDocker: Snapshot = { ...rest, profile: { ...rest.profile, product: 'docker', store: 'graphdriver' } };
    const docker = planPrune(asIfDocker, policy('dangling'), { engineParity: true });
    const podman = planPrune(snapshot, policy('dangling'), { engineParity: true });
    const dockerIds = docker.items.filter((i) => i.action === 'delete').map((i) => i.id);
    const podmanIds = new Set(podman.items.map((i) => i.id));
    // Untagged images whose layers and history are a tagged image's base are Podman "parents", not dangling.
    const keptByPodman = dockerIds.filter((id) => !podmanIds.has(id));
    assert.ok(keptByPodman.length > 0, `docker ${dockerIds.length} vs podman ${podmanIds.size}`);
    for (const id of keptByPodman) assert.deepStrictEqual(snapshot.images.find((i) => i.id === id)!.repoTags, []);
    // Podman's SpaceReclaimed counts whole image sizes, so it is larger than the bytes that leave the disk.
    const own = planPrune(snapshot, policy('dangling'));
    assert.ok(podman.spaceReclaimable >= own.spaceReclaimable);
  });

  it("Docker's all-unused filter (dangling=false) is refused by Podman's compatible endpoint; native mode goes through libpod", async () => {
    const res = await apiRequest(pm.socketPath, 'POST', `/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: ['false'] }))}`);
    assert.strictEqual(res.status, 500);
    assert.match(res.body.toString(), /specifying \\?"dangling\\?" filter more than once with different values is not supported/);
  });

  it('native mode refuses several label filters (Podman OR-s them)', async () => {
    await assert.rejects(nativePrune(engine, policy('all', ['label=a', 'label=b'])), /combines several label filters with OR/);
  });

  it("Docker Prune's own prune (image by image) on Podman: removes what it planned, keeps in-use images, counts the bytes", async () => {
    const loaded = await load({ seed: 106, images: 60, containers: { created: 2, exited: 1, running: 1 } });
    const reader = new SnapshotReader(engine);
    const all = policy('all');
    const preview = await previewPrune(reader, all);
    assert.ok(preview.plan.items.length > 0);
    const outcome = await runPrune({ engine, policy: all, trigger: 'cli', confirmed: preview, reader });
    assert.strictEqual(outcome.outcome, 'success', JSON.stringify(outcome.result.skipped));
    const left = new Set((await engine.listImages()).map((i) => i.Id));
    for (const step of preview.plan.items) assert.ok(!left.has(step.id), `${step.id} removed`);
    for (const c of loaded.containers) assert.ok(left.has(c.imageId), `in-use ${c.image} kept`);
    assert.strictEqual(outcome.result.SpaceReclaimed, preview.plan.spaceReclaimable);
    assert.strictEqual(outcome.result.ImagesDeleted.filter((i) => 'Deleted' in i).length, preview.plan.items.length);
  });

  it('our own prune keeps a child whose untagged parent a container holds: Podman would remove that parent with it', async () => {
    await load({ seed: 101, images: 80, danglingRatio: 0.5, chainRatio: 0.4 });
    await checkKeepsChildOfKeptParent(pm.socketPath, engine, policy('dangling'));
  });
});
