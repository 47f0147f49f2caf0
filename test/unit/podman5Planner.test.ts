/** Podman 5's prune rules as a pure function (src/core/plan/podman5Planner.ts); the real engine checks them in podman5.test.ts. */
import * as assert from 'assert';
import { exactLayerSizes, factsOf, podmanDetailsComplete, podmanDetailsOf, podmanFactsOf } from '../../src/core/snapshot/podmanFacts';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy, Snapshot } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { planPodman5Prune, podman5LabelsMatch, podmanMajor } from '../../src/core/plan/podman5Planner';
import type { PodmanFacts } from '../../src/core/model';
import { SnapshotBuilder } from './snapshotBuilder';

const policy = (mode: 'dangling' | 'all', filters: string[] = []): PrunePolicy => ({ mode, filters: parseFilterArgs(filters), protect: [] });
const h = (n: number) => Array.from({ length: n }, (_, i) => ({ created: `2024-01-0${i + 1}T00:00:00Z`, created_by: `step ${i}` }));

/**
 * base (tagged, layers A) ← mid (untagged, A B) ← leaf (untagged, A B C): a chain whose leaf is dangling;
 * twin: an untagged copy of base's layers and history (a second candidate parent of mid); loose: dangling.
 */
function world(version = '5.4.2'): { snapshot: Snapshot; facts: PodmanFacts; b: SnapshotBuilder } {
  const b = new SnapshotBuilder({ product: 'podman', store: 'podman', version, apiVersion: '1.41', engineId: 'TEST', storageDriver: 'overlay' })
    .image('base', { tags: ['dp/base:1'], layers: [['A', 1000]], labels: { team: 'red' } })
    .image('twin', { layers: [['A', 1000]], labels: { team: 'blue' } })
    .image('mid', {
      layers: [
        ['A', 1000],
        ['B', 200],
      ],
      labels: { team: 'red', tier: 'x' },
    })
    .image('leaf', {
      layers: [
        ['A', 1000],
        ['B', 200],
        ['C', 30],
      ],
      labels: { team: 'red', tier: 'y' },
    })
    .image('loose', { layers: [['Z', 5]], labels: {} });
  const histories: Record<string, number> = { base: 1, twin: 1, mid: 2, leaf: 3, loose: 1 };
  const snapshot = b.build();
  const facts: PodmanFacts = {
    images: new Map(
      Object.entries(histories).map(([name, n]) => [b.id(name), { ...factsOf({ History: name === 'loose' ? [{ created_by: 'z' }] : h(n) }), parentId: '' }]),
    ),
  };
  return { snapshot: { ...snapshot, podman: facts }, facts, b };
}

describe('Podman 5 model', () => {
  it('reads the major version', () => {
    assert.strictEqual(podmanMajor('5.4.2'), 5);
    assert.strictEqual(podmanMajor('4.3.1'), 4);
    assert.strictEqual(podmanMajor(undefined), 0);
  });

  it('every label filter must hold; each label! excludes on its own; key or key= matches any value', () => {
    const f = (args: string[]) => parseFilterArgs(args).labels;
    assert.ok(podman5LabelsMatch(f(['label=a', 'label=b=1']), { a: 'x', b: '1' }));
    assert.ok(!podman5LabelsMatch(f(['label=a', 'label=b=1']), { a: 'x' }), 'AND, not OR as 4.x');
    assert.ok(!podman5LabelsMatch(f(['label!=a', 'label!=b']), { a: '1' }), 'one label! matching is enough to exclude (Docker needs all)');
    assert.ok(podman5LabelsMatch(f(['label!=a']), null), 'no config: no labels');
    assert.ok(podman5LabelsMatch(f(['label=a=']), { a: 'anything' }));
    assert.ok(podman5LabelsMatch(f(['label=dp.*']), { 'dp.team': 'x' }), 'keys may be globs');
  });

  it('dangling mode: the leaf, its parent once dangling (the first parent in store order), then what became dangling', () => {
    const { snapshot, b } = world();
    const plan = planPrune(snapshot, policy('dangling'), { engineParity: true });
    assert.deepStrictEqual(
      plan.items.map((i) => [i.id, i.reason, i.bytes]),
      [
        [b.id('leaf'), 'dangling', 1230],
        [b.id('mid'), 'parent', 1200],
        [b.id('loose'), 'dangling', 5],
        // twin had a child (mid); mid's parent for Podman was base (first in store order), so twin goes next round
        [b.id('twin'), 'dangling', 1000],
      ],
    );
  });

  it('our own prune keeps an image whose removal would take along an untagged parent our rules keep (Podman ignores noprune)', () => {
    const { snapshot, b } = world();
    const now = snapshot.daemonNowNs;
    // mid (leaf's untagged parent) was used a moment ago: unused-for keeps it, so leaf, which would take it along, stays
    const recent = { ...snapshot, lastUsed: new Map([[b.id('mid'), { atNs: now, source: 'event' as const, lowerBound: false }]]) };
    const plan = planPrune(recent, policy('dangling', ['unused-for=30m']));
    assert.deepStrictEqual(
      plan.items.map((i) => i.id),
      [b.id('loose')],
    );
    const kept = new Map(plan.kept.map((k) => [k.id, k.reason]));
    assert.strictEqual(kept.get(b.id('leaf')), 'parent-stays');
    // Without the rule both go, the parent with its child, as Podman removes them
    assert.deepStrictEqual(
      planPrune(recent, policy('dangling'))
        .items.map((i) => i.id)
        .slice(0, 2),
      [b.id('leaf'), b.id('mid')],
    );
    // The engine's own prune looks at none of our rules: the prediction of a native prune is unchanged
    assert.deepStrictEqual(
      planPrune(snapshot, policy('dangling'), { engineParity: true })
        .items.map((i) => i.id)
        .slice(0, 2),
      [b.id('leaf'), b.id('mid')],
    );
  });

  it("the compatible endpoint's dangling=false keeps what was dangling from the start; libpod all=true does not", () => {
    const { snapshot, facts, b } = world();
    const compat = planPodman5Prune(snapshot, facts, policy('all'), { engineParity: true, allVia: 'compat' });
    assert.deepStrictEqual(compat.items.map((i) => i.id).sort(), [b.id('base'), b.id('twin'), b.id('mid')].sort());
    const libpod = planPodman5Prune(snapshot, facts, policy('all'), { engineParity: true });
    assert.strictEqual(libpod.items.length, 5);
  });

  it('several label filters AND-ed in dangling mode', () => {
    const { snapshot, b } = world();
    const plan = planPrune(snapshot, policy('dangling', ['label=team=red', 'label=tier=y']), { engineParity: true });
    // mid goes as leaf's parent, without looking at the filters (Podman does the same)
    assert.deepStrictEqual(
      plan.items.map((i) => i.id),
      [b.id('leaf'), b.id('mid')],
    );
    assert.deepStrictEqual(planPrune(snapshot, policy('dangling', ['label=team=red', 'label=tier=x']), { engineParity: true }).items, []);
    const v4 = world('4.3.1');
    assert.strictEqual(planPrune(v4.snapshot, policy('dangling', ['label=team=red', 'label=tier=x']), { engineParity: true }).items.length, 2, '4.3 OR-s them');
  });

  it('safe bytes: each layer when its last image goes, plus each image own metadata (Size minus its layers)', () => {
    const b = new SnapshotBuilder()
      .image('x', {
        layers: [
          ['A', 1000],
          ['B', 10],
        ],
      })
      .image('y', {
        layers: [
          ['A', 1000],
          ['C', 20],
        ],
      });
    const s = b.build();
    // the snapshot reader puts the metadata on the top layer when history does not add up; facts carry the truth
    const withMeta: Snapshot = {
      ...s,
      images: s.images.map((i) => ({ ...i, size: i.size + 7, layers: i.layers.map((l, k) => (k === 1 ? { ...l, size: l.size + 7 } : l)) })),
    };
    const facts: PodmanFacts = {
      images: new Map([
        [b.id('x'), { historyKey: 'x', parentId: '', layerSizes: [1000, 10] }],
        [b.id('y'), { historyKey: 'y', parentId: '', layerSizes: [1000, 20] }],
      ]),
    };
    const plan = planPodman5Prune(withMeta, facts, policy('all'));
    assert.deepStrictEqual(
      plan.items.map((i) => i.bytes),
      [17, 1027],
    );
    assert.deepStrictEqual(
      planPodman5Prune(withMeta, facts, policy('all'), { engineParity: true }).items.map((i) => i.bytes),
      [1017, 1027],
      'Podman reports whole sizes',
    );
  });

  it('history sizes give exact layer bytes only when they line up with the layers', () => {
    assert.deepStrictEqual(exactLayerSizes(['sha256:a', 'sha256:b'], [30, 0, 1000]), [1000, 30]);
    assert.strictEqual(exactLayerSizes(['sha256:a', 'sha256:b'], [30]), undefined);
  });

  it('cached Podman details: layer bytes on Podman 5 only (null when they do not line up), the parent from each new image list', () => {
    const info = { History: [{ created_by: 'a' }, { created_by: 'b' }], RootFS: { Layers: ['sha256:a', 'sha256:b'] } };
    const four = podmanDetailsOf(info, undefined);
    const five = podmanDetailsOf(info, [{ Size: 30 }, { Size: 1000 }] as never);
    const unmatched = podmanDetailsOf(info, [{ Size: 30 }] as never);
    assert.deepStrictEqual([four.layerSizes, five.layerSizes, unmatched.layerSizes], [undefined, [1000, 30], null]);
    assert.deepStrictEqual(
      [podmanDetailsComplete(four, 4), podmanDetailsComplete(four, 5), podmanDetailsComplete(unmatched, 5), podmanDetailsComplete(undefined, 4)],
      [true, false, true, false],
    );
    const { parentId: _, ...keys } = factsOf(info);
    assert.deepStrictEqual({ historyKey: five.historyKey, parentHistoryKey: five.parentHistoryKey }, keys);
    const img = (id: string, parentId: string) => ({ id, parentId }) as never;
    const facts = podmanFactsOf([img('sha256:c', 'sha256:p'), img('sha256:u', '')], (id) => (id === 'sha256:c' ? five : unmatched));
    assert.deepStrictEqual(facts.images.get('sha256:c'), { ...keys, parentId: 'sha256:p', layerSizes: [1000, 30] });
    assert.deepStrictEqual(facts.images.get('sha256:u'), { ...keys, parentId: '' });
  });
});
