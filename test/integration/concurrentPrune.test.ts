/**
 * The executor's concurrent run on the containerd store (DELETE_WIDTH steps at once): on a population with the
 * store's awkward shapes (moved tags, dangling records, images containers use), it removes exactly the plan, the
 * same entries a one-at-a-time run of the same plan on an identical copy removes, and its SpaceReclaimed equals the
 * plan's bytes and the data root's drop; the progress counts every step once and its bytes only grow.
 * DP_ENGINES picks the engines (the containerd-store ones of the matrix run).
 */
import * as assert from 'assert';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { DELETE_WIDTH } from '../../src/core/execute/deleteWidth';
import { executePlan } from '../../src/core/execute/executor';
import { parseFilterArgs } from '../../src/core/filters';
import type { PruneProgress, PrunePolicy, PruneResult } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotReader } from '../../src/core/snapshot/snapshotReader';
import { addContainerdShapes } from '../support/containerdShapes';
import { dataRootSize } from '../support/dataRoot';
import { apiJson, freshEngine, startEngine, type StartEngineOptions, type TestEngine } from '../support/dockerd';
import { enginesFromEnv } from '../support/engines';
import { generatePopulation, loadPopulation, mulberry32 } from '../support/population';

const ALL: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: [] };

for (const under of enginesFromEnv().filter((e) => e.store === 'containerd')) {
  describe(`a concurrent prune on the containerd store — ${under.label}`, function () {
    this.timeout(20 * 60_000);
    const options: StartEngineOptions = { name: `cc${under.id}`, suite: under.suite, store: under.store };
    let te: TestEngine;
    const pop = generatePopulation({
      seed: 515,
      images: 70,
      danglingRatio: 0.3,
      multiTagRatio: 0.3,
      chainRatio: 0.3,
      containers: { created: 2, exited: 1, running: 1 },
    });

    before(async () => {
      te = await startEngine(options);
    });
    after(async () => {
      await te?.stop();
    });

    /** A fresh engine with the population and the same containerd shapes every time. */
    async function copy(): Promise<DockerEngine> {
      te = await freshEngine(te, options);
      const loaded = await loadPopulation(te.socketPath, pop);
      const next = mulberry32(515);
      await addContainerdShapes(te, loaded, () => next() / 2 ** 32);
      return new DockerEngine(resolveEndpoint({ host: te.dockerHost }));
    }
    const imageIds = async () => new Set((await apiJson<Array<{ Id: string }>>(te.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
    const entries = (r: PruneResult) => r.ImagesDeleted.map((e) => JSON.stringify(e)).sort();

    it(`removes exactly the plan, as a one-at-a-time run does, and SpaceReclaimed equals the data root's drop`, async () => {
      const width = DELETE_WIDTH.containerd;
      assert.ok(width > 1, 'the containerd store runs steps side by side');

      let engine = await copy();
      let snapshot = await new SnapshotReader(engine).read();
      const oneByOne = await executePlan(engine, planPrune(snapshot, ALL), snapshot, { width: 1 });

      engine = await copy();
      snapshot = await new SnapshotReader(engine).read();
      const plan = planPrune(snapshot, ALL);
      assert.ok(plan.items.filter((i) => i.action === 'delete').length > width, `enough deletions to overlap (${plan.items.length} steps)`);
      const before = await imageIds();
      const rootBefore = dataRootSize(te);
      const progress: PruneProgress[] = [];
      const result = await executePlan(engine, plan, snapshot, { width, onProgress: (p) => progress.push(p) });
      const after = await imageIds();
      const rootDrop = rootBefore - dataRootSize(te);

      const gone = [...before].filter((id) => !after.has(id)).sort();
      assert.deepStrictEqual(
        gone,
        plan.items
          .filter((i) => i.action === 'delete')
          .map((i) => i.id)
          .sort(),
        'exactly the planned images went',
      );
      assert.deepStrictEqual(result.skipped, []);
      assert.strictEqual(result.cancelled, false);
      assert.deepStrictEqual(entries(result), entries(oneByOne), 'the same Untagged/Deleted entries as one at a time');
      assert.strictEqual(result.SpaceReclaimed, plan.spaceReclaimable, 'the bytes the plan promised');
      assert.strictEqual(result.SpaceReclaimed, oneByOne.SpaceReclaimed, 'the bytes of a one-at-a-time run');
      // The data root also holds directories and metadata: the tolerance the oracle allows the engine's own prune.
      assert.ok(
        Math.abs(rootDrop - result.SpaceReclaimed) <= 0.15 * result.SpaceReclaimed + 256 * 1024,
        `SpaceReclaimed ${result.SpaceReclaimed} vs data root drop ${rootDrop}`,
      );

      assert.deepStrictEqual(
        progress.map((p) => p.done),
        plan.items.map((_, i) => i + 1),
        'each step counted once, as it finishes',
      );
      assert.deepStrictEqual(new Set(progress.map((p) => p.current!.id)).size, plan.items.length);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.bytes >= progress[i - 1]!.bytes, 'bytes only grow');
      assert.strictEqual(progress[progress.length - 1]!.bytes, result.SpaceReclaimed);
    });
  });
}
