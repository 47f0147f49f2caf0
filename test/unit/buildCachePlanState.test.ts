import * as assert from 'assert';
import type { BuildCacheRecord, BuildCacheSnapshot } from '../../src/core/buildCache/model';
import { planBuildCachePrune } from '../../src/core/buildCache/planner';
import { parseBuildCachePolicy } from '../../src/core/buildCache/policy';
import type { EngineProfile } from '../../src/core/engine/engineProfile';
import { replanBuildCacheLeavingOut, type BuildCachePreview } from '../../src/core/execute/buildCachePruneJob';
import { buildBuildCachePlanState, type BuildCachePlanInput, type BuildCachePlanWords } from '../../src/vscode/planView/buildCacheRows';

const S = 1_000_000_000n;
const NOW = 1_700_000_000n * S;
const PROFILE: EngineProfile = { product: 'docker', store: 'graphdriver', version: '28.5.2', apiVersion: '1.51', engineId: 'e', storageDriver: 'overlay2' };

/** Plain words, so the test reads what the builder decided (the extension passes translated ones). */
const words: BuildCachePlanWords = {
  bytes: (n) => `${n} B`,
  ago: (then, now) => `${(now - then) / S}s ago`,
  never: 'never',
  shared: 'shared',
  title: (env, all) => `Prune ${all ? 'all' : 'dangling'} build cache on ${env}`,
  header: (i) => [{ label: 'Environment', value: i.environmentName }],
  totals: (n, b) => `${n} records, ${b} B back`,
  diskExact: (reported, disk) => `reports ${reported}, disk ${disk}`,
  diskRange: (reported, min, max) => `reports ${reported}, disk ${min}..${max}`,
  uncertain: (why) => `may differ: ${why}`,
  removeButton: (n, b) => `Remove ${n} records (${b} B)`,
  nothingToRemove: 'Nothing to remove.',
  readOnly: (env) => `${env} is read-only`,
  replan: 'Re-plan',
  keepReason: (r) => r,
  keptTitle: (n) => `Kept (${n})`,
  include: (r) => `Remove ${r}`,
  copyId: (id) => `Copy ${id}`,
  columns: { include: '', record: '', type: '', description: '', lastUsed: '', shared: '', frees: '' },
  busy: { planning: 'Planning', removing: 'Removing' },
};

const ID = (c: string) => c.repeat(25);

function rec(id: string, extra: Partial<BuildCacheRecord> = {}): BuildCacheRecord {
  return { id, type: 'regular', description: id, inUse: false, shared: false, size: 100, parents: [], lastUsedNs: NOW - 60n * S, usageCount: 1, ...extra };
}

function preview(records: BuildCacheRecord[], all = true, profile: EngineProfile = PROFILE, filters: string[] = []): BuildCachePreview {
  const snapshot: BuildCacheSnapshot = { environment: 't', profile, daemonNowNs: NOW, records };
  return { snapshot, plan: planBuildCachePrune(snapshot, parseBuildCachePolicy({ all, filters })) };
}

const input = (p: BuildCachePreview, extra: Partial<BuildCachePlanInput> = {}): BuildCachePlanInput => ({
  key: 'env/build-cache',
  environmentName: 'local',
  location: 'unix:///var/run/docker.sock',
  preview: p,
  readOnly: false,
  ...extra,
});

describe('build-cache plan view state', () => {
  const records = [
    rec(ID('a'), { size: 300, type: 'regular', description: '[2/3] COPY one.bin /one.bin' }),
    rec(ID('b'), { size: 500, type: 'source.local', description: 'local source for context', lastUsedNs: undefined }),
    rec(ID('c'), { size: 200, type: 'exec.cachemount', description: 'cached mount /root/.cache', shared: true }),
    rec(ID('d'), { size: 50, inUse: true }),
    rec(ID('e'), { size: 70, lastUsedNs: NOW - 10n * S }),
  ];

  it('a row per record it removes, biggest first: short id, type, step, last use, shared, bytes; the header, totals and disk note', () => {
    const state = buildBuildCachePlanState(input(preview(records, true, PROFILE, ['until=30s'])), words);
    assert.strictEqual(state.kind, 'build-cache');
    assert.strictEqual(state.title, 'Prune all build cache on local');
    assert.deepStrictEqual(
      state.rows.map((r) => [r.shortId, r.type, r.description, r.lastUsed, r.shared, r.bytes, r.checked]),
      [
        ['bbbbbbbbbbbb', 'source.local', 'local source for context', 'never', '', '500 B', true],
        ['aaaaaaaaaaaa', 'regular', '[2/3] COPY one.bin /one.bin', '60s ago', '', '300 B', true],
        ['cccccccccccc', 'exec.cachemount', 'cached mount /root/.cache', '60s ago', 'shared', '200 B', true],
      ],
    );
    assert.strictEqual(state.rows[0]!.id, ID('b'), 'the full id, for copy and toggle');
    assert.strictEqual(state.rows[0]!.checkboxLabel, 'Remove bbbbbbbbbbbb local source for context');
    assert.strictEqual(state.totals, '3 records, 1000 B back');
    assert.deepStrictEqual(state.notes, ['reports 1000, disk 800'], 'the shared record gives the disk nothing back');
    assert.deepStrictEqual(state.remove, { label: 'Remove 3 records (1000 B)', enabled: true, why: undefined });
    assert.strictEqual(state.empty, undefined);
  });

  it('what stays is counted by reason, the user’s own choice first', () => {
    const p = preview([...records, rec(ID('p')), rec(ID('k'), { parents: [ID('p')] })]);
    const state = buildBuildCachePlanState(input(replanBuildCacheLeavingOut(p, new Set([ID('k')]))), words);
    assert.strictEqual(state.kept.title, 'Kept (3)');
    assert.deepStrictEqual(
      state.kept.groups.map((g) => [g.text, g.count]),
      [
        ['left-out', 1],
        ['in-use', 1],
        ['has-children', 1],
      ],
    );
  });

  it('a record left out: unchecked, after the plan, without bytes; checking it again puts it back', () => {
    const p = preview(records);
    const out = replanBuildCacheLeavingOut(p, new Set([ID('b')]));
    const state = buildBuildCachePlanState(input(out), words);
    assert.deepStrictEqual(
      state.rows.map((r) => [r.id, r.checked, r.bytes]),
      [
        [ID('a'), true, '300 B'],
        [ID('c'), true, '200 B'],
        [ID('e'), true, '70 B'],
        [ID('b'), false, ''],
      ],
    );
    assert.strictEqual(state.totals, '3 records, 570 B back');
    const back = buildBuildCachePlanState(input(replanBuildCacheLeavingOut(out, new Set())), words);
    assert.ok(back.rows.every((r) => r.checked));
  });

  it('the containerd store: the disk gets back a range; the engine’s warning is shown as a note', () => {
    const p = preview(records, true, { ...PROFILE, store: 'containerd', storageDriver: 'overlayfs' });
    const state = buildBuildCachePlanState(input({ ...p, plan: { ...p.plan, uncertain: 'records x, y rank equally' } }), words);
    assert.deepStrictEqual(state.notes, ['reports 1070, disk 500..1070', 'may differ: records x, y rank equally']);
  });

  it('engine text is display text: a hostile step stays as it is written, but control characters are shown escaped', () => {
    const hostile = '<img src=x onerror=alert(1)> **bold** [x](command:evil)\u001b[31m\u202e';
    const state = buildBuildCachePlanState(input(preview([rec(ID('h'), { description: hostile })])), words);
    const d = state.rows[0]!.description;
    assert.ok(d.startsWith('<img src=x onerror=alert(1)> **bold** [x](command:evil)'), d);
    assert.ok(!d.includes('\u001b') && !d.includes('\u202e'), `no raw control or bidi character: ${JSON.stringify(d)}`);
  });

  it('Remove is disabled with the reason: nothing to remove, read-only, busy', () => {
    const empty = buildBuildCachePlanState(input(preview([rec(ID('d'), { inUse: true })])), words);
    assert.deepStrictEqual(empty.remove, { label: 'Nothing to remove.', enabled: false, why: 'Nothing to remove.' });
    assert.strictEqual(empty.empty, 'Nothing to remove.');
    assert.deepStrictEqual(empty.notes, []);
    const unshared = buildBuildCachePlanState(input(preview([rec(ID('a'))])), words);
    assert.deepStrictEqual(unshared.notes, [], 'nothing shared: the disk gets back what the totals say');
    const readOnly = buildBuildCachePlanState(input(preview(records), { readOnly: true }), words);
    assert.deepStrictEqual([readOnly.remove.enabled, readOnly.remove.why], [false, 'local is read-only']);
    const busy = buildBuildCachePlanState(input(preview(records), { busy: 'removing' }), words);
    assert.deepStrictEqual([busy.remove.enabled, busy.busy], [false, 'Removing']);
  });

  it('dangling mode: internal records and records shared with images stay', () => {
    const state = buildBuildCachePlanState(input(preview([...records, rec(ID('i'), { type: 'internal' })], false)), words);
    assert.strictEqual(state.title, 'Prune dangling build cache on local');
    assert.ok(!state.rows.some((r) => r.id === ID('c') || r.id === ID('i')));
    assert.deepStrictEqual(
      state.kept.groups.map((g) => g.reason),
      ['in-use', 'internal', 'shared'],
    );
  });
});
