import * as assert from 'assert';
import { replanLeavingOut, type Preview } from '../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { buildPlanViewState, type PlanViewInput, type PlanViewWords } from '../../src/vscode/planView/planViewState';
import { SnapshotBuilder } from './snapshotBuilder';

/** Plain words, so the test reads what the builder decided (the extension passes translated ones). */
const words: PlanViewWords = {
  bytes: (n) => `${n} B`,
  images: (n) => `${n} images`,
  age: () => 'age',
  ago: () => 'ago',
  source: (s) => s?.kind ?? 'unknown',
  title: (env, mode) => `Prune ${mode} on ${env}`,
  header: (i) => [{ label: 'Environment', value: i.environmentName }],
  totals: (n, b) => `${n} images, ${b} B back`,
  notes: () => [],
  removeButton: (n, b) => `Remove ${n} images (${b} B)`,
  nothingToRemove: 'Nothing to remove.',
  staleText: 'stale',
  replan: 'Re-plan',
  readOnly: (env) => `${env} is read-only`,
  removeReason: (r) => r,
  untagOnly: 'untag only',
  keepReason: (r) => r,
  leftOut: 'left out',
  goesWithChild: 'goes with its child',
  untaggedGroup: 'Untagged',
  none: 'none',
  keptTitle: (n) => `Kept (${n})`,
  groupSummary: (n, b) => `${n} · ${b}`,
  includeImage: (n) => `Remove ${n}`,
  includeGroup: (n) => `Remove all of ${n}`,
  copyId: (id) => `Copy ${id}`,
  filters: { label: 'Filters', hint: '', apply: 'Apply' },
  sort: { label: 'Sort', bytes: 'Bytes', age: 'Age', name: 'Name' },
  columns: { include: '', image: '', id: '', created: '', lastUsed: '', source: '', frees: '', why: '' },
  busy: { planning: 'Planning', removing: 'Removing', checking: 'Checking' },
  checkRegistry: { label: 'Check', title: 'Check registries' },
};

const ALL: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: ['keep/*'] };

function population(): SnapshotBuilder {
  return new SnapshotBuilder()
    .image('base', { layers: [['L1', 1000]] })
    .image('leaf', {
      parent: 'base',
      layers: [
        ['L1', 1000],
        ['L3', 30],
      ],
    })
    .image('a1', { tags: ['zeta/app:1'], layers: [['A1', 50]] })
    .image('a2', { tags: ['zeta/app:2'], layers: [['A2', 70]] })
    .image('b1', { tags: ['alpha/db:1'], layers: [['B1', 500]] })
    .image('kept', { tags: ['keep/me:1'], layers: [['K', 5]] })
    .image('used', { tags: ['svc:1'], layers: [['U', 5]] })
    .container('c1', 'used', 'running');
}

function input(preview: Preview, extra: Partial<PlanViewInput> = {}): PlanViewInput {
  return {
    key: 'env/all',
    environmentName: 'env',
    location: 'unix:///x',
    profile: preview.snapshot.profile,
    mode: 'all',
    filters: ALL.filters,
    filtersText: '',
    preview,
    sort: 'bytes',
    stale: false,
    readOnly: false,
    ...extra,
  };
}

describe('plan view state', () => {
  const b = population();
  const snapshot = b.build();
  const preview: Preview = { snapshot, plan: planPrune(snapshot, ALL) };

  it('groups rows by repository, untagged images last; a parent cannot be left out on its own', () => {
    const s = buildPlanViewState(input(preview), words);
    assert.deepStrictEqual(
      s.groups.map((g) => g.title),
      ['alpha/db', 'zeta/app', 'Untagged'],
    );
    const untagged = s.groups[2]!;
    assert.deepStrictEqual(new Set(untagged.rows.map((r) => r.id)), new Set([b.id('leaf'), b.id('base')]));
    assert.ok(untagged.rows.find((r) => r.id === b.id('base'))!.locked, 'the parent goes with its child');
    assert.ok(!untagged.rows.find((r) => r.id === b.id('leaf'))!.locked);
    assert.strictEqual(s.totals, `5 images, ${preview.plan.spaceReclaimable} B back`);
    assert.strictEqual(s.remove.label, `Remove 5 images (${preview.plan.spaceReclaimable} B)`);
    assert.ok(s.remove.enabled);
  });

  it("each row says where the image came from (the snapshot's sources; none read: unknown)", () => {
    const sources = new Map([[b.id('b1'), { kind: 'pulled' as const, registry: 'r.example', evidence: 'registry digest' }]]);
    const s = buildPlanViewState(input({ ...preview, snapshot: { ...snapshot, sources } }), words);
    const rows = s.groups.flatMap((g) => g.rows);
    assert.strictEqual(rows.find((r) => r.id === b.id('b1'))!.source, 'pulled');
    assert.strictEqual(rows.find((r) => r.id === b.id('a1'))!.source, 'unknown');
    assert.deepStrictEqual(s.checkRegistry, { label: 'Check', title: 'Check registries' }, 'a pulled image in the plan: the registry check is offered');
    assert.strictEqual(buildPlanViewState(input(preview), words).checkRegistry, undefined, 'none: no button');
  });

  it('sorts by bytes (largest group first), by name, by age', () => {
    assert.deepStrictEqual(
      buildPlanViewState(input(preview), words).groups[1]!.rows.map((r) => r.tags[0]),
      ['zeta/app:2', 'zeta/app:1'],
    );
    const byName = buildPlanViewState(input(preview, { sort: 'name' }), words);
    assert.deepStrictEqual(
      byName.groups.map((g) => g.title),
      ['alpha/db', 'zeta/app', 'Untagged'],
    );
    assert.deepStrictEqual(
      byName.groups[1]!.rows.map((r) => r.tags[0]),
      ['zeta/app:1', 'zeta/app:2'],
    );
    assert.strictEqual(buildPlanViewState(input(preview, { sort: 'age' }), words).groups.at(-1)!.title, 'Untagged', 'untagged stays last');
  });

  it('counts what was kept by reason', () => {
    const s = buildPlanViewState(input(preview), words);
    assert.strictEqual(s.kept.title, `Kept (${preview.plan.kept.length})`);
    const counts = Object.fromEntries(s.kept.groups.map((g) => [g.reason, g.count]));
    assert.strictEqual(counts['protected'], 1);
    assert.strictEqual(counts['in-use'], 1);
  });

  it('a left-out image shows unchecked with no bytes; its group is mixed; totals and button follow the core', () => {
    const less = replanLeavingOut(preview, new Set([b.id('a1'), b.id('leaf')]));
    const s = buildPlanViewState(input(less), words);
    const zeta = s.groups.find((g) => g.title === 'zeta/app')!;
    assert.strictEqual(zeta.checked, 'some');
    const a1 = zeta.rows.find((r) => r.id === b.id('a1'))!;
    assert.deepStrictEqual([a1.checked, a1.bytes, a1.reason], [false, '', 'left out']);
    const untagged = s.groups.find((g) => g.title === 'Untagged')!;
    assert.deepStrictEqual(
      untagged.rows.map((r) => [r.id, r.checked]),
      [[b.id('leaf'), false]],
      'base stays with its left-out child',
    );
    assert.strictEqual(s.remove.label, `Remove 2 images (${less.plan.spaceReclaimable} B)`);
    assert.strictEqual(less.plan.spaceReclaimable, 70 + 500);
    assert.ok(s.kept.groups[0]!.reason === 'left-out' && s.kept.groups[0]!.count === 2);
  });

  it('a stale plan, a read-only environment or an empty plan disable Remove and say why', () => {
    assert.deepStrictEqual(buildPlanViewState(input(preview, { stale: true }), words).remove, {
      label: `Remove 5 images (${preview.plan.spaceReclaimable} B)`,
      enabled: false,
      why: 'stale',
    });
    assert.strictEqual(buildPlanViewState(input(preview, { readOnly: true }), words).remove.why, 'env is read-only');
    const none = replanLeavingOut(preview, new Set([b.id('a1'), b.id('a2'), b.id('b1'), b.id('leaf')]));
    const s = buildPlanViewState(input(none), words);
    assert.deepStrictEqual([s.remove.enabled, s.remove.label], [false, 'Nothing to remove.']);
  });
});
