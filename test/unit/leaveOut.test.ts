import * as assert from 'assert';
import { replanLeavingOut } from '../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotBuilder } from './snapshotBuilder';

const ALL: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: [] };
const DANGLING: PrunePolicy = { ...ALL, mode: 'dangling' };

describe('planner: images left out of a prune (the plan view’s unchecked rows)', () => {
  function population(): SnapshotBuilder {
    return new SnapshotBuilder()
      .image('base', { layers: [['L1', 1000]] })
      .image('mid', {
        parent: 'base',
        layers: [
          ['L1', 1000],
          ['L2', 200],
        ],
      })
      .image('leaf', {
        parent: 'mid',
        layers: [
          ['L1', 1000],
          ['L2', 200],
          ['L3', 30],
        ],
      })
      .image('app1', {
        tags: ['app:1'],
        layers: [
          ['L1', 1000],
          ['A1', 50],
        ],
      })
      .image('dang', { layers: [['D', 7]] });
  }

  it('a left-out child keeps its untagged parents: the planner’s parent rules decide, and the bytes follow', () => {
    const b = population();
    const snapshot = b.build();
    const full = planPrune(snapshot, DANGLING);
    assert.deepStrictEqual(new Set(full.items.map((i) => i.id)), new Set([b.id('leaf'), b.id('mid'), b.id('base'), b.id('dang')]));
    const plan = planPrune(snapshot, DANGLING, { leaveOut: new Set([b.id('leaf')]) });
    assert.deepStrictEqual(
      plan.items.map((i) => i.id),
      [b.id('dang')],
      'mid and base stay with leaf',
    );
    assert.strictEqual(plan.spaceReclaimable, 7);
    assert.deepStrictEqual(
      plan.kept.filter((k) => k.reason === 'left-out').map((k) => k.id),
      [b.id('leaf')],
    );
  });

  it('leaving out a tagged image frees only the rest; a shared base layer stays with it', () => {
    const b = population();
    const snapshot = b.build();
    const full = planPrune(snapshot, ALL);
    assert.strictEqual(full.spaceReclaimable, 1000 + 200 + 30 + 50 + 7);
    const plan = planPrune(snapshot, ALL, { leaveOut: new Set([b.id('app1')]) });
    assert.ok(!plan.items.some((i) => i.id === b.id('app1')));
    // L1 is app1's too now: base goes as an image, but its layer is not freed.
    assert.strictEqual(plan.spaceReclaimable, 200 + 30 + 7);
    assert.ok(plan.kept.some((k) => k.id === b.id('app1') && k.reason === 'left-out'));
  });

  it('replanLeavingOut re-plans the same snapshot and remembers what was left out; an empty set restores the plan', () => {
    const b = population();
    const snapshot = b.build();
    const preview = { snapshot, plan: planPrune(snapshot, ALL) };
    const less = replanLeavingOut(preview, new Set([b.id('dang')]));
    assert.strictEqual(less.snapshot, snapshot);
    assert.strictEqual(less.plan.spaceReclaimable, preview.plan.spaceReclaimable - 7);
    assert.deepStrictEqual([...(less.leaveOut ?? [])], [b.id('dang')]);
    assert.deepStrictEqual(replanLeavingOut(less, new Set()).plan, preview.plan);
  });
});
