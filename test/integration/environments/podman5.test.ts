/**
 * Podman 5 (Debian 13's podman 5.4.2 in the root scripts/install-podman5.sh builds) as the oracle for
 * src/core/plan/podman5Planner.ts. On generated populations:
 * - engineParity plans predict exactly what Podman's own prune removes (ids gone from `/images/json?all=1`,
 *   the ids it reports, its SpaceReclaimed): dangling, all (libpod `all=true`, and the compatible endpoint's
 *   `dangling=false`), until, label, label!, several label filters, images used by created/exited/running
 *   containers;
 * - the disk Podman really frees (`/system/df` LayersSize) is what the model's disk accounting says;
 * - Docker Prune's own prune (runPrune, not native) carries out exactly the safe plan, and the safe plan's bytes
 *   are the real LayersSize drop;
 * - several services run at once, each with its own images, and leave no mount or process behind.
 *
 * Each population is loaded once into a fresh service; between cases the same archive is loaded again, which
 * restores exactly the images a prune removed (checked), in ~3 s where a reset + load costs ~15 s.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerEngine } from '../../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../../src/core/engine/endpoint';
import { closeEndpoint } from '../../../src/core/environments';
import { nativePrune } from '../../../src/core/execute/nativePrune';
import { previewPrune, runPrune } from '../../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../../src/core/filters';
import type { PrunePolicy, Snapshot } from '../../../src/core/model';
import { planPrune } from '../../../src/core/plan/planner';
import { planPodman5Prune, podman5DiskBytes } from '../../../src/core/plan/podman5Planner';
import { planPodman4Prune } from '../../../src/core/plan/podman4Planner';
import { FileImageDetailsStore } from '../../../src/core/snapshot/detailsCache';
import { LastUseTracker } from '../../../src/core/lastUsed/lastUseTracker';
import { SnapshotReader } from '../../../src/core/snapshot/snapshotReader';
import { apiJson, apiRequest } from '../../support/dockerd';
import { generatePopulation, loadPopulation, type LoadedPopulation, type PopulationOptions } from '../../support/population';
import { podman5Available, podman5Root, processesInNamespace, startPodman5, type TestPodman5 } from '../../support/podman5';
import { checkKeepsChildOfKeptParent, checkPodmanInspectsAgree, countPerImageRequests, sortedIds } from './helpers';

const policy = (mode: 'dangling' | 'all', filters: string[] = []): PrunePolicy => ({ mode, filters: parseFilterArgs(filters), protect: [] });
const log = (msg: string) => process.env.DP_TEST_VERBOSE && console.log(`      ${msg}`);

describe('environments: Podman 5 (Debian 13 root, Docker-compatible API on a unix socket)', function () {
  this.timeout(10 * 60_000);
  let pm: TestPodman5 | undefined;
  let engine: DockerEngine;
  let reader: SnapshotReader;
  let loaded: LoadedPopulation;
  let originalIds: string[];
  /** Something may have been removed since the population was loaded. */
  let dirty = false;

  async function fresh(options: PopulationOptions): Promise<void> {
    if (pm) {
      closeEndpoint(engine.endpoint);
      await pm.stop();
    }
    const t = Date.now();
    pm = await startPodman5({ name: 'pm5test' });
    log(`service start ${Date.now() - t} ms (Podman ${pm.version})`);
    engine = new DockerEngine(resolveEndpoint({ host: pm.dockerHost }));
    reader = new SnapshotReader(engine);
    loaded = await loadPopulation(pm.socketPath, generatePopulation(options));
    originalIds = sortedIds((await engine.listImages()).map((i) => i.Id));
    log(`population ${options.seed}: ${originalIds.length} images loaded in ${loaded.timings.loadMs} ms`);
    dirty = false;
  }

  /** Loads the archive again: every image a prune removed comes back (same ids, names, created times). */
  async function restore(): Promise<void> {
    if (!dirty) return;
    dirty = false;
    const res = await apiRequest(pm!.socketPath, 'POST', '/images/load?quiet=1', {
      body: loaded.population.archive,
      contentType: 'application/x-tar',
      timeoutMs: 600_000,
    });
    assert.strictEqual(res.status, 200, res.body.toString());
    assert.deepStrictEqual(sortedIds((await engine.listImages()).map((i) => i.Id)), originalIds, 'restored');
  }

  const layersSize = async () => (await apiJson<{ LayersSize: number }>(pm!.socketPath, 'GET', '/system/df')).LayersSize;
  const leftIds = async () => new Set((await engine.listImages()).map((i) => i.Id));

  before(function () {
    if (!podman5Available()) throw new Error('no Podman 5 root: run scripts/install-podman5.sh (as root) first');
  });
  after(async () => {
    if (pm) {
      closeEndpoint(engine.endpoint);
      await pm.stop();
    }
  });

  type Case = { name: string; policy: PrunePolicy; allVia?: 'libpod' | 'compat' };
  const populations: Array<{ pop: PopulationOptions; cases: Case[] }> = [
    {
      pop: { seed: 201, images: 60, danglingRatio: 0.5, chainRatio: 0.4, containers: { created: 2, exited: 1, running: 1 } },
      cases: [
        { name: 'dangling', policy: policy('dangling') },
        { name: 'dangling, label!=dp.team', policy: policy('dangling', ['label!=dp.team']) },
        { name: 'all (libpod all=true)', policy: policy('all') },
        { name: 'all through the compatible endpoint (dangling=false)', policy: policy('all'), allVia: 'compat' },
      ],
    },
    {
      pop: { seed: 202, images: 60, chainRatio: 0.4, danglingRatio: 0.3, now: new Date(), containers: { created: 1, exited: 1, running: 1 } },
      cases: [
        { name: 'all, until=8000h', policy: policy('all', ['until=8000h']) },
        { name: 'all through the compatible endpoint, until=8000h', policy: policy('all', ['until=8000h']), allVia: 'compat' },
        { name: 'all, label=dp.tier=red', policy: policy('all', ['label=dp.tier=red']) },
        { name: 'all, label=dp.team AND label!=dp.tier=red', policy: policy('all', ['label=dp.team', 'label!=dp.tier=red']) },
        { name: 'dangling, label=dp.team AND label=dp.tier', policy: policy('dangling', ['label=dp.team', 'label=dp.tier']) },
        { name: 'dangling, label!=dp.tier=red AND label!=dp.team=blue', policy: policy('dangling', ['label!=dp.tier=red', 'label!=dp.team=blue']) },
        { name: 'all through the compatible endpoint, label!=dp.tier', policy: policy('all', ['label!=dp.tier']), allVia: 'compat' },
      ],
    },
  ];

  /** Podman's own prune of `c`: Docker Prune's native prune, or the compatible endpoint as `docker image prune -a` calls it. */
  async function enginePrune(c: Case): Promise<{ reported: string[]; spaceReclaimed: number }> {
    if (c.allVia !== 'compat') {
      const result = await nativePrune(engine, c.policy);
      return { reported: result.ImagesDeleted.flatMap((i) => ('Deleted' in i ? [i.Deleted] : [])), spaceReclaimed: result.SpaceReclaimed };
    }
    const filters: Record<string, string[]> = { dangling: ['false'] };
    if (c.policy.filters.until) filters.until = [c.policy.filters.until.engineValue];
    for (const f of c.policy.filters.labels) (filters[f.negate ? 'label!' : 'label'] ??= []).push(f.value === undefined ? f.key : `${f.key}=${f.value}`);
    const res = await apiJson<{ ImagesDeleted: Array<{ Deleted?: string }> | null; SpaceReclaimed: number }>(
      pm!.socketPath,
      'POST',
      `/images/prune?filters=${encodeURIComponent(JSON.stringify(filters))}`,
    );
    return { reported: (res.ImagesDeleted ?? []).flatMap((d) => (d.Deleted ? [`sha256:${d.Deleted}`] : [])), spaceReclaimed: res.SpaceReclaimed };
  }

  for (const { pop, cases } of populations) {
    describe(`population ${pop.seed}`, () => {
      before(() => fresh(pop));
      for (const c of cases) {
        it(`the plan predicts Podman 5's own prune exactly: ${c.name}`, async () => {
          await restore();
          const snapshot = await reader.read();
          assert.ok(snapshot.profile.version.startsWith('5.'), `Podman 5 (${snapshot.profile.version})`);
          const plan = c.allVia
            ? planPodman5Prune(snapshot, snapshot.podman!, c.policy, { engineParity: true, allVia: c.allVia })
            : planPrune(snapshot, c.policy, { engineParity: true });
          const predicted = sortedIds(plan.items.map((i) => i.id));
          const before = await layersSize();
          dirty = true;
          const { reported, spaceReclaimed } = await enginePrune(c);
          const drop = before - (await layersSize());
          const left = await leftIds();
          const gone = sortedIds(snapshot.images.filter((i) => !left.has(i.id)).map((i) => i.id));
          assert.deepStrictEqual(sortedIds(reported), gone, 'Podman reports what it removed');
          assert.deepStrictEqual(predicted, gone, 'the plan names exactly the images Podman removed');
          assert.strictEqual(plan.spaceReclaimable, spaceReclaimed, 'the plan says what SpaceReclaimed Podman reports');
          assert.strictEqual(podman5DiskBytes(snapshot, snapshot.podman!, gone), drop, 'the disk model says how much LayersSize drops');
          assert.ok(gone.length > 0, 'the case removes something');
          for (const ctr of snapshot.containers) assert.ok(left.has(ctr.imageId), 'images of containers stay');
          const old = planPodman4Prune(snapshot, snapshot.podman!, c.policy, { engineParity: true });
          const oldIds = sortedIds(old.items.map((i) => i.id));
          log(
            `${c.name}: ${gone.length} of ${snapshot.images.length} gone; SpaceReclaimed ${spaceReclaimed} vs LayersSize drop ${drop} (${(spaceReclaimed / Math.max(1, drop)).toFixed(0)}x);` +
              ` 4.3 model would ${JSON.stringify(oldIds) === JSON.stringify(gone) ? 'agree' : `differ (${oldIds.filter((i) => !gone.includes(i)).length} extra, ${gone.filter((i) => !oldIds.includes(i)).length} missing)`}`,
          );
        });
      }
    });
  }

  describe('where Podman 5 differs from the 4.3 model (population 201)', () => {
    before(() => fresh(populations[0]!.pop));
    let snapshot: Snapshot;
    beforeEach(async () => {
      await restore();
      snapshot = await reader.read();
    });
    const idsOf = (p: { items: ReadonlyArray<{ id: string }> }) => sortedIds(p.items.map((i) => i.id));

    it('several label filters: Podman 5 AND-s them, where 4.3 OR-ed them', () => {
      const p = policy('dangling', ['label=dp.team', 'label=dp.tier']);
      const v5 = idsOf(planPodman5Prune(snapshot, snapshot.podman!, p, { engineParity: true }));
      const v4 = idsOf(planPodman4Prune(snapshot, snapshot.podman!, p, { engineParity: true }));
      assert.ok(v4.length > v5.length, `4.3 ${v4.length} vs 5 ${v5.length}`);
      for (const id of v5) assert.ok(v4.includes(id));
    });

    it("the compatible endpoint's dangling=false keeps the images that were dangling from the start", async () => {
      const libpod = planPodman5Prune(snapshot, snapshot.podman!, policy('all'), { engineParity: true });
      const compat = planPodman5Prune(snapshot, snapshot.podman!, policy('all'), { engineParity: true, allVia: 'compat' });
      const keptByCompat = idsOf(libpod).filter((id) => !idsOf(compat).includes(id));
      assert.ok(keptByCompat.length > 0);
      for (const id of keptByCompat) assert.deepStrictEqual(snapshot.images.find((i) => i.id === id)!.repoTags, [], 'only untagged images');
    });

    it('native all mode refuses a second label= (libpod reads only the first value of each key); dangling mode passes them all', async () => {
      await assert.rejects(nativePrune(engine, policy('all', ['label=a', 'label=b'])), /reads only the first label= and the first label!= filter/);
      await assert.rejects(nativePrune(engine, policy('all', ['label!=a', 'label!=b'])), /reads only the first/);
      dirty = true;
      const r = await nativePrune(engine, policy('dangling', ['label=dp.no-such-label', 'label=dp.team']));
      assert.deepStrictEqual(r.ImagesDeleted, []);
    });
  });

  describe("Docker Prune's own prune on Podman 5 carries out exactly the safe plan", () => {
    before(() => fresh({ seed: 203, images: 60, chainRatio: 0.4, danglingRatio: 0.4, containers: { created: 2, exited: 1, running: 2 } }));
    for (const p of [policy('dangling'), policy('all'), policy('all', ['label=dp.team', 'label=dp.tier'])]) {
      const name = `${p.mode}${p.filters.labels.length ? ' with labels' : ''}`;
      it(name, async () => {
        await restore();
        const preview = await previewPrune(reader, p);
        assert.ok(preview.plan.items.length > 0);
        assert.ok(preview.plan.items.every((i) => i.action === 'delete'));
        const before = await layersSize();
        dirty = true;
        const outcome = await runPrune({ engine, policy: p, trigger: 'cli', confirmed: preview, reader });
        assert.strictEqual(outcome.outcome, 'success', JSON.stringify(outcome.result.skipped));
        const drop = before - (await layersSize());
        const left = await leftIds();
        const gone = sortedIds(preview.snapshot.images.filter((i) => !left.has(i.id)).map((i) => i.id));
        assert.deepStrictEqual(gone, sortedIds(preview.plan.items.map((i) => i.id)), 'exactly the planned images went');
        assert.strictEqual(preview.plan.spaceReclaimable, drop, 'the plan says how much LayersSize drops');
        assert.strictEqual(outcome.result.SpaceReclaimed, drop);
        for (const c of loaded.containers) assert.ok(left.has(c.imageId), `in-use ${c.image} kept`);
        log(`own prune ${name}: ${gone.length} images, ${drop} bytes`);
      });
    }

    it("a cold read asks for Podman's own inspect and the history of each image, not the compatible inspect (whose fields the first gives)", async () => {
      await restore();
      assert.ok((await checkPodmanInspectsAgree(pm!.socketPath)) >= 60);
      const counted = new DockerEngine(resolveEndpoint({ host: pm!.dockerHost }));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-pm5-cold-'));
      const reader = (lastUseDir: string) =>
        new SnapshotReader(counted, { store: new FileImageDetailsStore(dir), lastUse: new LastUseTracker(counted, { dir: path.join(dir, lastUseDir) }) });
      try {
        const perImage = countPerImageRequests(counted);
        const cold = await reader('first').read();
        assert.strictEqual(perImage.compatInspects, 0);
        assert.strictEqual(perImage.total, 2 * cold.images.length);
        assert.strictEqual(cold.lastUsed?.size, cold.images.length);
        // Details cached, last use not yet known: Podman has no tag time to ask for, so nothing is asked.
        const warm = await reader('second').read();
        assert.strictEqual(perImage.total, 2 * cold.images.length, 'no request per image');
        assert.strictEqual(warm.lastUsed?.size, cold.images.length);
      } finally {
        closeEndpoint(counted.endpoint);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("a new process with the image details cache on disk asks Podman nothing per image, and its facts and plans are the first one's", async () => {
      await restore();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-pm5-details-'));
      const counted = new DockerEngine(resolveEndpoint({ host: pm!.dockerHost }));
      try {
        const first = await new SnapshotReader(engine, { store: new FileImageDetailsStore(dir) }).read();
        const perImage = countPerImageRequests(counted);
        const second = await new SnapshotReader(counted, { store: new FileImageDetailsStore(dir) }).read();
        assert.strictEqual(perImage.total, 0, 'no inspect or history request');
        assert.deepStrictEqual(second.podman, first.podman);
        assert.ok(
          [...first.podman!.images.values()].some((f) => f.layerSizes),
          'layer bytes are kept',
        );
        for (const p of [policy('dangling'), policy('all')]) {
          assert.deepStrictEqual(planPrune(second, p, { engineParity: true }), planPrune(first, p, { engineParity: true }));
        }
      } finally {
        closeEndpoint(counted.endpoint);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps a child whose untagged parent a container holds: Podman would remove that parent with it', async () => {
      await restore();
      dirty = true;
      await checkKeepsChildOfKeptParent(pm!.socketPath, engine, policy('dangling'));
    });
  });

  it('several Podman 5 services run at once, each with its own images, and stop without leaving mounts or processes', async () => {
    const t = Date.now();
    const [a, b] = await Promise.all([startPodman5({ name: 'pm5a' }), startPodman5({ name: 'pm5b' })]);
    log(`two more services started in ${Date.now() - t} ms`);
    try {
      await loadPopulation(a.socketPath, generatePopulation({ seed: 204, images: 8, containers: { created: 1, exited: 0, running: 1 } }));
      assert.strictEqual((await apiJson<unknown[]>(a.socketPath, 'GET', '/images/json?all=1')).length, 8);
      assert.strictEqual((await apiJson<unknown[]>(b.socketPath, 'GET', '/images/json?all=1')).length, 0);
      assert.ok(processesInNamespace(a.pidNamespace).length >= 3, 'podman, conmon and the running container live in the namespace');
      const e = new DockerEngine(resolveEndpoint({ host: a.dockerHost }));
      assert.strictEqual((await e.profile()).product, 'podman');
      closeEndpoint(e.endpoint);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const s of [a, b]) {
      assert.deepStrictEqual(processesInNamespace(s.pidNamespace), [], 'no process left');
      assert.ok(!fs.existsSync(s.dataDir), 'folder removed');
    }
    const under = (p: string, dir: string) => p === dir || p.startsWith(dir + '/');
    const mounts = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l && [podman5Root(), a.dataDir, b.dataDir].some((d) => under(l.split(' ')[4]!, d)));
    assert.deepStrictEqual(mounts, [], 'no mount left');
  });
});
