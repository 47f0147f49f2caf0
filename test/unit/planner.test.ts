import * as assert from 'assert';
import { parseFilterArgs } from '../../src/core/filters';
import type { Plan, PrunePolicy } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotBuilder } from './snapshotBuilder';

const policy = (mode: 'dangling' | 'all', extra: Omit<Partial<PrunePolicy>, 'filters'> & { filters?: string[] } = {}): PrunePolicy => ({
  mode,
  filters: parseFilterArgs(extra.filters ?? []),
  protect: extra.protect ?? [],
  keepLatest: extra.keepLatest,
});

function deletedNames(b: SnapshotBuilder, plan: Plan, names: string[]): string[] {
  const byId = new Map(names.map((n) => [b.id(n), n]));
  return plan.items.filter((i) => i.action === 'delete').map((i) => byId.get(i.id) ?? i.id);
}

describe('planner', () => {
  const names = ['base', 'mid', 'leaf', 'app1', 'app2', 'dang', 'used', 'usedDang'];

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
      .image('app2', {
        tags: ['app:2', 'other:latest'],
        layers: [
          ['L1', 1000],
          ['A2', 60],
        ],
      })
      .image('dang', { layers: [['D', 7]] })
      .image('used', { tags: ['svc:1', 'svc:old'], layers: [['U', 5]] })
      .image('usedDang', { layers: [['UD', 9]] })
      .container('c1', 'used', 'running')
      .container('c2', 'usedDang', 'created');
  }

  it('dangling mode removes untagged leaves and their untagged parent chain, never in-use images', () => {
    const b = population();
    const plan = planPrune(b.build(), policy('dangling'));
    assert.deepStrictEqual(deletedNames(b, plan, names).sort(), ['base', 'dang', 'leaf', 'mid'].sort());
    // leaf before mid before base: children first
    const order = deletedNames(b, plan, names).filter((n) => ['base', 'mid', 'leaf'].includes(n));
    assert.deepStrictEqual(order, ['leaf', 'mid', 'base']);
    // L1 is still used by app1/app2: only L2, L3 and D are freed
    assert.strictEqual(plan.spaceReclaimable, 200 + 30 + 7);
    assert.ok(plan.kept.some((k) => k.id === b.id('usedDang') && k.reason === 'in-use'));
  });

  it('all mode removes tagged unused images too, and the shared base layer once nothing needs it', () => {
    const b = population();
    const plan = planPrune(b.build(), policy('all'));
    assert.deepStrictEqual(deletedNames(b, plan, names).sort(), ['app1', 'app2', 'base', 'dang', 'leaf', 'mid'].sort());
    assert.strictEqual(plan.spaceReclaimable, 1000 + 200 + 30 + 50 + 60 + 7);
    const app2 = plan.items.find((i) => i.id === b.id('app2'))!;
    assert.deepStrictEqual([...app2.tags].sort(), ['app:2', 'other:latest']);
    // in-use images keep every tag (the engine would strip svc:1 here)
    assert.ok(!plan.items.some((i) => i.id === b.id('used')));
  });

  it('engine parity reproduces the engine stripping extra tags from an in-use image', () => {
    const b = population();
    const plan = planPrune(b.build(), policy('all'), { engineParity: true });
    const used = plan.items.find((i) => i.id === b.id('used'));
    assert.ok(used);
    assert.strictEqual(used.action, 'untag');
    assert.deepStrictEqual(used.tags, ['svc:1']); // refs sorted; the last one (svc:old) stays
  });

  it('an image with children is not removable by itself; a tagged parent goes when its child goes', () => {
    const b = new SnapshotBuilder().image('p', { tags: ['base:1'], layers: [['B', 100]] }).image('c', {
      parent: 'p',
      layers: [
        ['B', 100],
        ['C', 10],
      ],
    });
    const all = planPrune(b.build(), policy('all'));
    assert.deepStrictEqual(deletedNames(b, all, ['p', 'c']), ['c', 'p']);
    assert.strictEqual(all.spaceReclaimable, 110);
    const dangling = planPrune(b.build(), policy('dangling'));
    assert.deepStrictEqual(deletedNames(b, dangling, ['p', 'c']), ['c']);
    assert.strictEqual(dangling.spaceReclaimable, 10);
  });

  it('a tagged parent whose child stays (filtered by until) is untagged, not deleted, as the engine does', () => {
    const b = new SnapshotBuilder().image('p', { tags: ['base:1'], ageHours: 500, layers: [['B', 100]] }).image('c', {
      tags: ['app:1'],
      parent: 'p',
      ageHours: 1,
      layers: [
        ['B', 100],
        ['C', 10],
      ],
    });
    const plan = planPrune(b.build(), policy('all', { filters: ['until=240h'] }));
    assert.deepStrictEqual(
      plan.items.map((i) => [i.action, i.tags]),
      [['untag', ['base:1']]],
    );
    assert.strictEqual(plan.spaceReclaimable, 0);
  });

  it('a tagged parent of an in-use image keeps its tag (the engine would untag it)', () => {
    const b = new SnapshotBuilder()
      .image('p', { tags: ['base:1'], layers: [['B', 100]] })
      .image('c', {
        parent: 'p',
        layers: [
          ['B', 100],
          ['C', 10],
        ],
      })
      .container('x', 'c');
    assert.deepStrictEqual(planPrune(b.build(), policy('all')).items, []);
    const parity = planPrune(b.build(), policy('all'), { engineParity: true });
    assert.deepStrictEqual(
      parity.items.map((i) => [i.action, i.tags]),
      [['untag', ['base:1']]],
    );
  });

  it('until keeps newer images but the parent cascade ignores filters, like the engine', () => {
    const b = new SnapshotBuilder()
      .image('p', { ageHours: 1, layers: [['B', 100]] }) // new untagged parent
      .image('c', {
        parent: 'p',
        ageHours: 1000,
        layers: [
          ['B', 100],
          ['C', 10],
        ],
      }); // old child
    // c is the only head; it is old enough; its parent is new but goes with it (the engine does the same)
    const plan = planPrune(b.build(), policy('dangling', { filters: ['until=24h'] }));
    assert.deepStrictEqual(deletedNames(b, plan, ['p', 'c']), ['c', 'p']);
    assert.strictEqual(plan.items[1].reason, 'parent');
  });

  it('label filters select like the engine, and images without a config skip them', () => {
    const b = new SnapshotBuilder()
      .image('keep', { labels: { keep: 'yes' } })
      .image('team', { labels: { team: 'a' } })
      .image('none', { labels: {} })
      .image('noconfig', { labels: null });
    const ids = (p: Plan) => deletedNames(b, p, ['keep', 'team', 'none', 'noconfig']).sort();
    assert.deepStrictEqual(ids(planPrune(b.build(), policy('dangling', { filters: ['label!=keep'] }))), ['noconfig', 'none', 'team']);
    assert.deepStrictEqual(ids(planPrune(b.build(), policy('dangling', { filters: ['label=team=a'] }))), ['noconfig', 'team']);
    assert.deepStrictEqual(ids(planPrune(b.build(), policy('dangling', { filters: ['label=team=b'] }))), ['noconfig']);
  });

  it('protect patterns and keep-latest keep images whole', () => {
    const b = new SnapshotBuilder()
      .image('pg', { tags: ['postgres:16'] })
      .image('a1', { tags: ['app:1'], ageHours: 30 })
      .image('a2', { tags: ['app:2'], ageHours: 20 })
      .image('a3', { tags: ['app:3'], ageHours: 10 })
      .image('a4', { tags: ['app:4', 'mirror/app:4'], ageHours: 40 })
      .container('run', 'a3', 'running');
    const ids = (p: Plan) => deletedNames(b, p, ['pg', 'a1', 'a2', 'a3', 'a4']).sort();
    assert.deepStrictEqual(ids(planPrune(b.build(), policy('all', { protect: ['postgres:*'] }))), ['a1', 'a2', 'a4']);
    assert.deepStrictEqual(ids(planPrune(b.build(), policy('all', { protect: ['postgres'] }))), ['a1', 'a2', 'a4']);
    // newest 2 of app: a3 (in use, counts) and a2; mirror/app's newest is a4, so a4 stays whole
    const keep2 = planPrune(b.build(), policy('all', { keepLatest: 2 }));
    assert.deepStrictEqual(ids(keep2), ['a1']);
    assert.ok(keep2.kept.some((k) => k.id === b.id('a4') && k.reason === 'keep-latest'));
    assert.ok(keep2.kept.some((k) => k.id === b.id('pg') && k.reason === 'keep-latest'));
  });

  it('dangling mode removes an image that has only digest references', () => {
    const b = new SnapshotBuilder().image('d', { digests: ['app@sha256:' + 'a'.repeat(64)] }).image('t', { tags: ['app:1'] });
    const plan = planPrune(b.build(), policy('dangling'));
    assert.deepStrictEqual(deletedNames(b, plan, ['d', 't']), ['d']);
    assert.deepStrictEqual(plan.items[0].tags, ['app@sha256:' + 'a'.repeat(64)]);
  });

  it('stopped and created containers protect their images too', () => {
    for (const state of ['created', 'exited', 'running', 'paused', 'dead']) {
      const b = new SnapshotBuilder().image('x').container('c', 'x', state);
      assert.deepStrictEqual(planPrune(b.build(), policy('all')).items, [], state);
    }
  });

  it('per-step bytes add up to the plan total and count a shared layer once, at the last image holding it', () => {
    const b = new SnapshotBuilder()
      .image('a', {
        tags: ['a:1'],
        layers: [
          ['BASE', 1_000_000],
          ['A', 5000],
        ],
      })
      .image('b', {
        tags: ['b:1'],
        layers: [
          ['BASE', 1_000_000],
          ['B', 5000],
        ],
      });
    const plan = planPrune(b.build(), policy('all'));
    assert.deepStrictEqual(
      plan.items.map((i) => i.bytes).sort((x, y) => x - y),
      [5000, 1_005_000],
    );
    assert.strictEqual(plan.spaceReclaimable, 1_010_000);
  });
});
