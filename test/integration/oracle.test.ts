/**
 * The engine as oracle: on many generated populations (seeded, reproducible), the planner's prediction of a
 * prune is compared with what the real engine's own `POST /images/prune` then does on the same state:
 * the same images deleted, the same references untagged (engine parity), and predicted bytes equal to its
 * SpaceReclaimed — which in turn equals the real drop of `/system/df` LayersSize.
 *
 * Scale: ORACLE_POPULATIONS (default 16) populations × 6 prunes each, 40–140 images per population.
 */
import * as assert from 'assert';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { parseFilterArgs, toEngineFilters } from '../../src/core/filters';
import type { Plan, PrunePolicy, Snapshot } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotReader } from '../../src/core/snapshot/snapshotReader';
import { freshEngine, startEngine, type TestEngine } from '../support/dockerd';
import { formatRfc3339Nano, generatePopulation, loadPopulation, mulberry32, type Population } from '../support/population';

const POPULATIONS = Number(process.env.ORACLE_POPULATIONS ?? 16);

interface Variant {
  readonly name: string;
  readonly mode: 'dangling' | 'all';
  readonly filters: (pop: Population, rand: () => number) => string[];
}

/** A created time inside the population, so `until` splits it. */
function pickInstant(pop: Population, rand: () => number): string {
  const times = pop.images.map((i) => i.createdNs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const t = times[Math.floor(times.length * (0.25 + rand() * 0.5))];
  return formatRfc3339Nano(t);
}

function pickLabel(pop: Population, rand: () => number, negate: boolean): string {
  const keys = pop.options.labelKeys;
  const values = pop.options.labelValues;
  const key = keys[Math.floor(rand() * keys.length)];
  const withValue = rand() < 0.6;
  const value = values[Math.floor(rand() * values.length)];
  return `${negate ? 'label!' : 'label'}=${withValue ? `${key}=${value}` : key}`;
}

const VARIANTS: Variant[] = [
  { name: 'dangling', mode: 'dangling', filters: () => [] },
  { name: 'all', mode: 'all', filters: () => [] },
  { name: 'dangling until', mode: 'dangling', filters: (p, r) => [`until=${pickInstant(p, r)}`] },
  { name: 'all until', mode: 'all', filters: (p, r) => [`until=${pickInstant(p, r)}`] },
  { name: 'all label', mode: 'all', filters: (p, r) => [pickLabel(p, r, false)] },
  { name: 'all label! until', mode: 'all', filters: (p, r) => [pickLabel(p, r, true), `until=${pickInstant(p, r)}`] },
];

interface EngineOutcome {
  readonly deletedImages: string[];
  readonly deletedLayers: string[];
  readonly untagged: string[];
  readonly spaceReclaimed: number;
  readonly layersDrop: number;
}

async function enginePrune(engine: DockerEngine, snapshot: Snapshot, policy: PrunePolicy): Promise<EngineOutcome> {
  const before = (await engine.systemDf()).LayersSize;
  const res = await engine.pruneImages(toEngineFilters(policy.mode, policy.filters));
  const after = (await engine.systemDf()).LayersSize;
  const imageIds = new Set(snapshot.images.map((i) => i.id));
  const deleted = (res.ImagesDeleted ?? []).map((i) => i.Deleted).filter((d): d is string => Boolean(d));
  return {
    deletedImages: deleted.filter((d) => imageIds.has(d)).sort(),
    deletedLayers: deleted.filter((d) => !imageIds.has(d)).sort(),
    untagged: (res.ImagesDeleted ?? []).map((i) => i.Untagged).filter((u): u is string => Boolean(u)).sort(),
    spaceReclaimed: res.SpaceReclaimed,
    layersDrop: before - after,
  };
}

function predictedDeletes(plan: Plan): string[] {
  return plan.items.filter((i) => i.action === 'delete').map((i) => i.id).sort();
}

function predictedUntags(plan: Plan): string[] {
  return plan.items.flatMap((i) => i.tags).sort();
}

/** Chain ids of layers no surviving image holds: the layer `Deleted:` entries the engine should print. */
function predictedFreedLayers(snapshot: Snapshot, deleted: ReadonlySet<string>): string[] {
  const kept = new Set(snapshot.images.filter((i) => !deleted.has(i.id)).flatMap((i) => i.layers.map((l) => l.chainId)));
  const freed = new Set(snapshot.images.filter((i) => deleted.has(i.id)).flatMap((i) => i.layers.map((l) => l.chainId)));
  return [...freed].filter((c) => !kept.has(c)).sort();
}

describe('the engine as oracle: planner vs the real engine prune', function () {
  this.timeout(30 * 60_000);
  let testEngine: TestEngine;
  let totals = { prunes: 0, images: 0, deleted: 0, bytes: 0 };

  before(async () => {
    testEngine = await startEngine({ name: 'oracle' });
  });
  after(async () => {
    await testEngine?.stop();
    // eslint-disable-next-line no-console
    console.log(
      `      oracle: ${POPULATIONS} populations × ${VARIANTS.length} prunes = ${totals.prunes} prunes over ${totals.images} images; ${totals.deleted} deletions and ${totals.bytes} bytes predicted exactly`,
    );
  });

  for (let p = 0; p < POPULATIONS; p++) {
    const seed = 1000 + p;
    it(`population seed ${seed}: every variant matches the engine`, async () => {
      const next = mulberry32(seed * 7919);
      const rand = () => next() / 2 ** 32;
      const pop = generatePopulation({
        seed,
        images: 40 + Math.floor(rand() * 100),
        danglingRatio: 0.1 + rand() * 0.3,
        multiTagRatio: rand() * 0.3,
        chainRatio: 0.1 + rand() * 0.4,
        noConfigRatio: 0.05,
        containers: { created: 1 + Math.floor(rand() * 3), exited: Math.floor(rand() * 3), running: Math.floor(rand() * 2) },
      });
      for (const variant of VARIANTS) {
        testEngine = await freshEngine(testEngine, { name: 'oracle' });
        await loadPopulation(testEngine.socketPath, pop);
        const engine = new DockerEngine(resolveEndpoint({ host: testEngine.dockerHost }));
        const snapshot = await new SnapshotReader(engine).read();
        const filters = variant.filters(pop, rand);
        const policy: PrunePolicy = { mode: variant.mode, filters: parseFilterArgs(filters), protect: [] };
        const parity = planPrune(snapshot, policy, { engineParity: true });
        const safe = planPrune(snapshot, policy);

        const real = await enginePrune(engine, snapshot, policy);
        const where = `seed ${seed}, ${variant.name} [${filters.join(' ')}]`;

        assert.deepStrictEqual(predictedDeletes(parity), real.deletedImages, `deleted images differ (${where})`);
        assert.deepStrictEqual(predictedDeletes(safe), real.deletedImages, `safe plan deletes other images (${where})`);
        assert.deepStrictEqual(predictedUntags(parity), real.untagged, `untagged references differ (${where})`);
        assert.deepStrictEqual(predictedFreedLayers(snapshot, new Set(real.deletedImages)), real.deletedLayers, `freed layers differ (${where})`);
        assert.strictEqual(parity.spaceReclaimable, real.spaceReclaimed, `bytes differ from SpaceReclaimed (${where})`);
        assert.strictEqual(safe.spaceReclaimable, real.spaceReclaimed, `safe plan bytes differ (${where})`);
        assert.strictEqual(real.layersDrop, real.spaceReclaimed, `engine's SpaceReclaimed vs LayersSize drop (${where})`);
        // The safe plan never touches an image a container uses, nor an ancestor of one.
        const used = new Set(snapshot.containers.map((c) => c.imageId));
        for (const item of safe.items) assert.ok(!used.has(item.id), `safe plan touches in-use ${item.id} (${where})`);

        totals = {
          prunes: totals.prunes + 1,
          images: totals.images + snapshot.images.length,
          deleted: totals.deleted + real.deletedImages.length,
          bytes: totals.bytes + real.spaceReclaimed,
        };
      }
    });
  }
});
