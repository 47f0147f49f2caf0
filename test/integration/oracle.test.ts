/**
 * The engine as oracle, on every engine and image store of the matrix (test/support/engines.ts; DP_ENGINES picks
 * some): on seeded populations the planner's prediction of a prune is compared with what the real engine's own
 * `POST /images/prune` then does on the same state, and with what the disk really loses:
 * - the images the engine-parity plan deletes are exactly those that vanish from `GET /images/json?all=1`;
 * - the references it untags are exactly the engine's `Untagged` entries;
 * - the bytes: on the graphdriver, the plan's bytes equal SpaceReclaimed and the `/system/df` LayersSize drop;
 *   on the containerd store, the snapshot bytes equal the LayersSize drop exactly (26.1: LayersSize counts
 *   snapshots; 28.2+: snapshots and content, whose part SpaceReclaimed gives) and the content bytes — estimated,
 *   because the API sizes no single blob — stay within CONTENT_TOLERANCE of SpaceReclaimed;
 * - the LayersSize drop agrees with the drop of the data root's size on disk;
 * - Docker Prune's own (safe) plan deletes the same images except where it deliberately differs (an image a
 *   container uses; the documented `label!=` rule where the engine has moby#52334), and carried out by Docker
 *   Prune's executor on an identical copy it does exactly the plan and reports its bytes.
 *
 * Scale: ORACLE_POPULATIONS per engine (default 1, as CI runs it; `npm run test:matrix` runs 8), 6 prunes each,
 * 40–140 images each (30–80 on the containerd store, whose loads unpack every layer).
 */
import * as assert from 'assert';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { versionAtLeast } from '../../src/core/engine/engineProfile';
import { runPrune } from '../../src/core/execute/pruneJob';
import { parseFilterArgs, toEngineFilters } from '../../src/core/filters';
import type { Plan, PrunePolicy, Snapshot } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotReader } from '../../src/core/snapshot/snapshotReader';
import { addContainerdShapes } from '../support/containerdShapes';
import { dataRootSize } from '../support/dataRoot';
import { apiJson, freshEngine, startEngine, type StartEngineOptions, type TestEngine } from '../support/dockerd';
import { enginesFromEnv } from '../support/engines';
import { formatRfc3339Nano, generatePopulation, loadPopulation, mulberry32, type LoadedPopulation, type Population } from '../support/population';

const POPULATIONS = Number(process.env.ORACLE_POPULATIONS ?? 1);
/** How far the containerd store's estimated content bytes may be from the engine's count (measured: 0–4 %). */
const CONTENT_TOLERANCE = 0.06;

interface Variant {
  readonly name: string;
  readonly mode: 'dangling' | 'all';
  readonly filters: (ctx: VariantContext) => string[];
}

interface VariantContext {
  readonly pop: Population;
  readonly rand: () => number;
  /** The containerd store: an instant between the load and the names made after it. */
  readonly marker?: string;
}

/** A created time inside the population, so `until` splits it (graphdriver: config times; containerd: name times). */
function pickInstant(ctx: VariantContext): string {
  if (ctx.marker) return ctx.marker;
  const times = ctx.pop.images.map((i) => i.createdNs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return formatRfc3339Nano(times[Math.floor(times.length * (0.25 + ctx.rand() * 0.5))]!);
}

function pickLabel(ctx: VariantContext, negate: boolean): string {
  const { labelKeys: keys, labelValues: values } = ctx.pop.options;
  const key = keys[Math.floor(ctx.rand() * keys.length)];
  const withValue = ctx.rand() < 0.6;
  const value = values[Math.floor(ctx.rand() * values.length)];
  return `${negate ? 'label!' : 'label'}=${withValue ? `${key}=${value}` : key}`;
}

const VARIANTS: Variant[] = [
  { name: 'dangling', mode: 'dangling', filters: () => [] },
  { name: 'all', mode: 'all', filters: () => [] },
  { name: 'dangling until', mode: 'dangling', filters: (c) => [`until=${pickInstant(c)}`] },
  { name: 'all until', mode: 'all', filters: (c) => [`until=${pickInstant(c)}`] },
  { name: 'all label', mode: 'all', filters: (c) => [pickLabel(c, false)] },
  { name: 'all label! until', mode: 'all', filters: (c) => [pickLabel(c, true), `until=${pickInstant(c)}`] },
];

interface EngineOutcome {
  readonly gone: string[];
  readonly deletedLayers: string[];
  readonly untagged: string[];
  readonly spaceReclaimed: number;
  readonly layersDrop: number;
  readonly dataRootDrop: number;
}

async function imageIds(socket: string): Promise<Set<string>> {
  return new Set((await apiJson<Array<{ Id: string }>>(socket, 'GET', '/images/json?all=1')).map((i) => i.Id));
}

async function layersSize(socket: string): Promise<number> {
  return (await apiJson<{ LayersSize?: number }>(socket, 'GET', '/system/df')).LayersSize ?? 0;
}

async function enginePrune(te: TestEngine, engine: DockerEngine, snapshot: Snapshot, policy: PrunePolicy): Promise<EngineOutcome> {
  const [before, layersBefore] = [await imageIds(te.socketPath), await layersSize(te.socketPath)];
  const rootBefore = dataRootSize(te);
  const res = await engine.pruneImages(toEngineFilters(policy.mode, policy.filters));
  const [after, layersAfter] = [await imageIds(te.socketPath), await layersSize(te.socketPath)];
  const known = new Set(snapshot.images.map((i) => i.id));
  const deleted = (res.ImagesDeleted ?? []).map((i) => i.Deleted).filter((d): d is string => Boolean(d));
  return {
    gone: [...before].filter((id) => !after.has(id)).sort(),
    deletedLayers: deleted.filter((d) => !known.has(d)).sort(),
    untagged: (res.ImagesDeleted ?? [])
      .map((i) => i.Untagged)
      .filter((u): u is string => Boolean(u))
      .sort(),
    spaceReclaimed: res.SpaceReclaimed,
    layersDrop: layersBefore - layersAfter,
    dataRootDrop: rootBefore - dataRootSize(te),
  };
}

const deletesOf = (plan: Plan) =>
  plan.items
    .filter((i) => i.action === 'delete')
    .map((i) => i.id)
    .sort();

/** The `Untagged` entries the engine prints: every name, and `sha256:<id>` for a containerd dangling record. */
const untagsOf = (plan: Plan) => plan.items.flatMap((i) => [...i.tags, ...(i.danglingRecord ? [i.id] : [])]).sort();

/** Chain ids of layers no surviving image holds: the layer `Deleted:` entries the graphdriver should print. */
function freedLayers(snapshot: Snapshot, deleted: ReadonlySet<string>): string[] {
  const kept = new Set(snapshot.images.filter((i) => !deleted.has(i.id)).flatMap((i) => i.layers.map((l) => l.chainId)));
  const freed = new Set(snapshot.images.filter((i) => deleted.has(i.id)).flatMap((i) => i.layers.map((l) => l.chainId)));
  return [...freed].filter((c) => !kept.has(c)).sort();
}

for (const under of enginesFromEnv()) {
  describe(`the engine as oracle: planner vs the real engine prune — ${under.label}`, function () {
    this.timeout(30 * 60_000);
    const engineOptions: StartEngineOptions = { name: `or${under.id}`, suite: under.suite, store: under.store };
    const containerd = under.store === 'containerd';
    let testEngine: TestEngine;
    const totals = { prunes: 0, images: 0, deleted: 0, bytes: 0, ownPrunes: 0, contentError: 0, content: 0 };

    before(async () => {
      testEngine = await startEngine(engineOptions);
    });
    after(async () => {
      await testEngine?.stop();
      const estimate = containerd ? `; content estimated within ${((100 * totals.contentError) / Math.max(1, totals.content)).toFixed(2)} % overall` : '';
      console.log(
        `      oracle (${under.label}): ${POPULATIONS} populations × ${VARIANTS.length} prunes = ${totals.prunes} prunes over ${totals.images} images; ` +
          `${totals.deleted} deletions, ${totals.bytes} bytes; ${totals.ownPrunes} of Docker Prune's own prunes on identical copies${estimate}`,
      );
    });

    async function fresh(pop: Population, rand: () => number): Promise<{ loaded: LoadedPopulation; marker?: string; notes: string[] }> {
      testEngine = await freshEngine(testEngine, engineOptions);
      const loaded = await loadPopulation(testEngine.socketPath, pop);
      if (!containerd) return { loaded, notes: [] };
      const shapes = await addContainerdShapes(testEngine, loaded, rand);
      return { loaded, marker: shapes.marker, notes: shapes.notes };
    }

    for (let p = 0; p < POPULATIONS; p++) {
      const seed = 1000 + p;
      it(`population seed ${seed}: every variant matches the engine`, async () => {
        const next = mulberry32(seed * 7919);
        const rand = () => next() / 2 ** 32;
        const pop = generatePopulation({
          seed,
          // The containerd store unpacks every layer of a load (~70 ms each here): smaller populations, same shapes.
          images: containerd ? 30 + Math.floor(rand() * 50) : 40 + Math.floor(rand() * 100),
          danglingRatio: 0.1 + rand() * 0.3,
          multiTagRatio: 0.1 + rand() * 0.3,
          chainRatio: 0.1 + rand() * 0.4,
          noConfigRatio: 0.05,
          containers: { created: 1 + Math.floor(rand() * 3), exited: Math.floor(rand() * 3), running: Math.floor(rand() * 2) },
        });
        for (const [v, variant] of VARIANTS.entries()) {
          // The shapes use the generator too: give each variant its own stream, so all see the same state.
          const shapeRand = (() => {
            const n = mulberry32(seed * 31 + 7);
            return () => n() / 2 ** 32;
          })();
          const state = await fresh(pop, shapeRand);
          const engine = new DockerEngine(resolveEndpoint({ host: testEngine.dockerHost }));
          const filters = variant.filters({ pop, rand, marker: state.marker });
          const policy: PrunePolicy = { mode: variant.mode, filters: parseFilterArgs(filters), protect: [] };
          const snapshot = await new SnapshotReader(engine).read({ until: policy.filters.until });
          const parity = planPrune(snapshot, policy, { engineParity: true });
          const safe = planPrune(snapshot, policy);
          const where = `seed ${seed}, ${variant.name} [${filters.join(' ')}]${state.notes.length ? `; ${state.notes.join('; ')}` : ''}`;

          const real = await enginePrune(testEngine, engine, snapshot, policy);
          // Newer APIs show an image without a config as one with an empty config, so no client can tell them apart;
          // under `label=` the engine prunes the former and keeps the latter, and we keep both (the safe side).
          const hidden = configHidden(under.suite, under.store, policy) ? configless(pop, state.loaded) : new Set<string>();
          const unforeseen = real.gone.filter((id) => !deletesOf(parity).includes(id));
          assert.deepStrictEqual(
            unforeseen.filter((id) => !hidden.has(id)),
            [],
            `the engine deleted images the plan did not predict (${where})`,
          );
          assert.deepStrictEqual(
            deletesOf(parity).filter((id) => !real.gone.includes(id)),
            [],
            `the plan predicted deletions the engine did not make (${where})`,
          );
          if (unforeseen.length === 0) assert.deepStrictEqual(untagsOf(parity), real.untagged, `untagged references differ (${where})`);
          checkSafePlan(snapshot, safe, { ...real, gone: real.gone.filter((id) => !hidden.has(id)) }, policy, where);
          if (containerd) checkContainerdBytes(snapshot, parity, real, where, totals);
          else if (unforeseen.length === 0) {
            assert.deepStrictEqual(freedLayers(snapshot, new Set(real.gone)), real.deletedLayers, `freed layers differ (${where})`);
            assert.strictEqual(parity.spaceReclaimable, real.spaceReclaimed, `bytes differ from SpaceReclaimed (${where})`);
            assert.strictEqual(real.layersDrop, real.spaceReclaimed, `engine's SpaceReclaimed vs LayersSize drop (${where})`);
          }
          checkDiskDrop(containerd ? real.spaceReclaimed + snapshotDrop(snapshot, real) : real.layersDrop, real, where);

          // Docker Prune's own prune of the safe plan, on an identical copy (one variant per population).
          if (v === seed % VARIANTS.length || v === (seed + 3) % VARIANTS.length) {
            await fresh(
              pop,
              (() => {
                const n = mulberry32(seed * 31 + 7);
                return () => n() / 2 ** 32;
              })(),
            );
            const copy = new DockerEngine(resolveEndpoint({ host: testEngine.dockerHost }));
            const reader = new SnapshotReader(copy);
            const before = await imageIds(testEngine.socketPath);
            const outcome = await runPrune({ engine: copy, policy, trigger: 'cli', reader });
            const after = await imageIds(testEngine.socketPath);
            const plan = outcome.plan!;
            assert.deepStrictEqual(
              [...before].filter((id) => !after.has(id)).sort(),
              deletesOf(plan),
              `own prune deleted other images than its plan (${where})`,
            );
            assert.deepStrictEqual(outcome.result.skipped, [], `own prune skipped steps (${where})`);
            assert.strictEqual(outcome.result.SpaceReclaimed, plan.spaceReclaimable, `own prune reports other bytes than planned (${where})`);
            totals.ownPrunes++;
          }
          totals.prunes++;
          totals.images += snapshot.images.length;
          totals.deleted += real.gone.length;
          totals.bytes += real.layersDrop;
        }
      });
    }
  });
}

/**
 * Docker Prune's own plan deletes exactly the engine's images, except where it deliberately differs: it never
 * deletes an image a container uses (the containerd store deletes one whose container named a moved tag), and on
 * the containerd store before 29.4.1 it applies `label!=k=v` as documented (an image without `k` goes too, where
 * moby#52334 keeps it).
 */
function checkSafePlan(snapshot: Snapshot, safe: Plan, real: EngineOutcome, policy: PrunePolicy, where: string): void {
  const used = new Set(snapshot.containers.map((c) => c.imageId));
  for (const item of safe.items) assert.ok(!used.has(item.id), `safe plan touches in-use ${item.id} (${where})`);
  const engineDeletes = real.gone.filter((id) => !used.has(id));
  const safeDeletes = deletesOf(safe);
  const negatedValue = policy.filters.labels.some((f) => f.negate && f.value !== undefined);
  if (snapshot.profile.store === 'containerd' && negatedValue) {
    const byId = new Map(snapshot.images.map((i) => [i.id, i]));
    for (const id of engineDeletes) assert.ok(safeDeletes.includes(id), `safe plan keeps ${id}, which the engine deletes (${where})`);
    for (const id of safeDeletes.filter((x) => !engineDeletes.includes(x))) {
      const labels = byId.get(id)!.labels ?? {};
      const missingKey = policy.filters.labels.some((f) => f.negate && f.value !== undefined && !Object.hasOwn(labels, f.key));
      assert.ok(missingKey, `safe plan deletes ${id} beyond the documented label! rule (${where})`);
    }
    return;
  }
  assert.deepStrictEqual(safeDeletes, engineDeletes, `safe plan deletes other images (${where})`);
}

/**
 * The containerd store: snapshots are sized exactly by the API, content blobs only as a total per image. The
 * engine's SpaceReclaimed counts content (before 29.6), LayersSize counts snapshots (26.1–28.1) or both (28.2+).
 */
function checkContainerdBytes(snapshot: Snapshot, parity: Plan, real: EngineOutcome, where: string, totals: { contentError: number; content: number }): void {
  const predictedContent = parity.engineReportedBytes ?? parity.spaceReclaimable;
  const predictedSnapshots = parity.spaceReclaimable - predictedContent;
  const realSnapshots = snapshotDrop(snapshot, real);
  // containerd ties a snapshot to the one image that unpacked it: of two images with the same layers, the other
  // loses it when that one goes. The API does not say which; the plan counts it only with the last of them.
  const twins = twinSnapshotBytes(snapshot, new Set(real.gone));
  assert.ok(
    predictedSnapshots <= realSnapshots && realSnapshots <= predictedSnapshots + twins,
    `snapshot bytes ${predictedSnapshots} vs ${realSnapshots} (twin allowance ${twins}) (${where})`,
  );
  const error = Math.abs(predictedContent - real.spaceReclaimed);
  assert.ok(
    error <= CONTENT_TOLERANCE * Math.max(real.spaceReclaimed, 1) + 4096,
    `content bytes ${predictedContent} vs SpaceReclaimed ${real.spaceReclaimed} (${where})`,
  );
  if (process.env.DP_ORACLE_VERBOSE)
    console.log(`        content ${predictedContent} vs ${real.spaceReclaimed}; snapshots ${predictedSnapshots} vs ${realSnapshots} (${where.split(';')[0]})`);
  totals.contentError += error;
  totals.content += real.spaceReclaimed;
}

/**
 * Bytes of the snapshots a deleted image shares with a kept image that has the very same layers: containerd frees
 * them with whichever of the two unpacked them (see checkContainerdBytes).
 */
function twinSnapshotBytes(snapshot: Snapshot, gone: ReadonlySet<string>): number {
  const top = (i: Snapshot['images'][number]) => i.layers[i.layers.length - 1]?.chainId;
  const keptTops = new Set(snapshot.images.filter((i) => !gone.has(i.id)).map(top));
  const sizes = new Map<string, number>();
  for (const img of snapshot.images.filter((i) => gone.has(i.id) && keptTops.has(top(i)))) for (const l of img.layers) sizes.set(l.chainId, l.size);
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

/** The snapshot bytes the containerd store freed: LayersSize counts snapshots (26.1–28.1) or snapshots and content (28.2+). */
function snapshotDrop(snapshot: Snapshot, real: EngineOutcome): number {
  return versionAtLeast(snapshot.profile, '28.2.0') ? real.layersDrop - real.spaceReclaimed : real.layersDrop;
}

/** The engine's own accounting against the data root's apparent size (directories and metadata make the gap). */
function checkDiskDrop(accounted: number, real: EngineOutcome, where: string): void {
  if (accounted === 0) return;
  assert.ok(
    Math.abs(real.dataRootDrop - accounted) <= 0.15 * accounted + 256 * 1024,
    `accounted drop ${accounted} vs data root drop ${real.dataRootDrop} (${where})`,
  );
}

/** Engines whose API reports a missing image config as an empty one (API 1.45+), under a `label=` filter. */
function configHidden(suite: string, store: string, policy: PrunePolicy): boolean {
  return suite !== 'bookworm' && store === 'graphdriver' && policy.filters.labels.some((f) => !f.negate);
}

/** Engine ids of the generated images whose config JSON has no `config` key. */
function configless(pop: Population, loaded: LoadedPopulation): Set<string> {
  return new Set(pop.images.filter((i) => i.labels === null).map((i) => loaded.imageIds.get(i.name)!));
}
