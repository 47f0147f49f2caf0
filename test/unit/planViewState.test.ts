import * as assert from 'assert';
import { replanLeavingOut, type Preview } from '../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy, StoppedContainer } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { buildPlanViewState, type PlanViewInput, type PlanViewWords } from '../../src/vscode/planView/planViewState';
import { plainPlanViewWords as words } from './planViewWords';
import { SnapshotBuilder } from './snapshotBuilder';

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
    containersText: '30d',
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

  it('stopped containers: the option, rows above the images (left out ones unchecked), the others counted by reason, engine text as text', () => {
    const day = 86_400n * 1_000_000_000n;
    const cb = new SnapshotBuilder()
      .image('app', { tags: ['dp/app:1'], layers: [['APP', 300]] })
      .image('job', { tags: ['dp/job:1'], layers: [['JOB', 200]] })
      .image('svc', { tags: ['dp/svc:1'], layers: [['SVC', 100]] })
      .container('api-test', 'app', 'exited')
      .container('job-a', 'job', 'created')
      .container('svc-1', 'svc', 'exited');
    const base = cb.build();
    const now = base.daemonNowNs;
    const stopped = new Map<string, StoppedContainer>([
      [
        'api-test',
        {
          id: 'api-test',
          name: 'api-test',
          state: 'exited',
          imageId: cb.id('app'),
          finishedAt: 'x',
          finishedNs: now - 94n * day,
          exitCode: 137,
          ownBytes: 12,
          composeProject: 'shop\x1b[2J\n<b>',
        },
      ],
      [
        'job-a',
        { id: 'job-a', name: 'job-a', state: 'created', imageId: cb.id('job'), finishedAt: '0001-01-01T00:00:00Z', createdNs: now - 35n * day, ownBytes: 0 },
      ],
      [
        'svc-1',
        { id: 'svc-1', name: 'svc-1', state: 'exited', imageId: cb.id('svc'), finishedAt: 'y', finishedNs: now - 40n * day, restartPolicy: 'unless-stopped' },
      ],
    ]);
    const snap = { ...base, stopped };
    const policy: PrunePolicy = { ...ALL, containers: { exitedForRaw: '30d', exitedForNs: 30n * day } };
    const w: PlanViewWords = { ...words, totals: (n, bytes, _e, c) => `${c} containers and ${n} images, ${bytes} B back`, ago: () => 'long ago' };

    const off = buildPlanViewState(input({ snapshot: snap, plan: planPrune(snap, ALL) }), w);
    assert.deepStrictEqual([off.containerOption?.checked, off.containerOption?.value, off.containers], [false, '30d', undefined]);

    const on: Preview = { snapshot: snap, plan: planPrune(snap, policy) };
    const s = buildPlanViewState(input(on), w);
    assert.strictEqual(s.containerOption?.checked, true);
    const rows = s.containers!.rows;
    assert.deepStrictEqual(
      rows.map((r) => [r.id, r.image, r.stopped, r.exitCode, r.bytes, r.checked]),
      [
        ['api-test', 'dp/app:1', 'long ago', '137', '12 B', true],
        ['job-a', 'dp/job:1', 'created long ago, never started', '', '0 B', true],
      ],
    );
    assert.strictEqual(rows[0]!.project, 'shop\\x1b[2J\\x0a<b>', 'the Compose project as visible text');
    assert.strictEqual(s.containers!.kept, 'kept: restart-policy 1');
    assert.strictEqual(s.totals, `2 containers and 2 images, ${on.plan.spaceReclaimable} B back`);
    assert.strictEqual(on.plan.spaceReclaimable, 300 + 200 + 12);

    const less = replanLeavingOut(on, new Set(['job-a']));
    const t = buildPlanViewState(input(less), w);
    assert.deepStrictEqual(
      t.containers!.rows.map((r) => [r.id, r.checked, r.bytes]),
      [
        ['api-test', true, '12 B'],
        ['job-a', false, ''],
      ],
    );
    assert.ok(!t.groups.flatMap((g) => g.rows).some((r) => r.id === cb.id('job')), 'its image stays with it');

    const error = buildPlanViewState(input(on, { containersText: 'soon', containersError: 'Invalid exited-for value "soon"' }), w);
    assert.deepStrictEqual([error.containerOption?.value, error.containerOption?.error], ['soon', 'Invalid exited-for value "soon"']);
    const watermark = buildPlanViewState(input({ ...on, watermark: {} as NonNullable<Preview['watermark']> }), w);
    assert.strictEqual(watermark.containerOption, undefined, 'a watermark plan has no containers option');
  });
});
