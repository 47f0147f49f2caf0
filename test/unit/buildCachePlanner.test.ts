import * as assert from 'assert';
import { checkAgainstEngine, historyLines, pruneHistory } from '../../src/core/audit';
import type { BuildCacheRecord, BuildCacheSnapshot } from '../../src/core/buildCache/model';
import { keptBytes, planBuildCachePrune, rankForCollection } from '../../src/core/buildCache/planner';
import { enginePruneQuery, parseBuildCachePolicy, parseByteSize, pinnedPruneQuery } from '../../src/core/buildCache/policy';
import { summarizeBuildCache } from '../../src/core/buildCache/summary';
import type { EngineProfile } from '../../src/core/engine/engineProfile';
import { DockerPruneError } from '../../src/core/errors';

const S = 1_000_000_000n;
const NOW = 1_700_000_000n * S;
const PROFILE: EngineProfile = { product: 'docker', store: 'graphdriver', version: '28.5.2', apiVersion: '1.51', engineId: 'e', storageDriver: 'overlay2' };

function rec(id: string, extra: Partial<BuildCacheRecord> = {}): BuildCacheRecord {
  return { id, type: 'regular', description: id, inUse: false, shared: false, size: 100, parents: [], lastUsedNs: NOW - 3600n * S, usageCount: 1, ...extra };
}
const snap = (records: BuildCacheRecord[], extra: Partial<BuildCacheSnapshot> = {}): BuildCacheSnapshot => ({
  environment: 't',
  profile: PROFILE,
  daemonNowNs: NOW,
  records,
  ...extra,
});
const ids = (plan: { items: readonly { id: string }[] }) => plan.items.map((i) => i.id);

describe('build cache planner', () => {
  // base ← mid ← leaf; ctx (source.local); int (internal); shared layer; busy (in use) ← its parent held
  const records = [
    rec('base', { size: 1000 }),
    rec('mid', { parents: ['base'], size: 200 }),
    rec('leaf', { parents: ['mid'], size: 30 }),
    rec('ctx', { type: 'source.local', size: 5 }),
    rec('int', { type: 'internal', size: 7 }),
    rec('front', { type: 'frontend', size: 9 }),
    rec('sh', { shared: true, size: 50 }),
    rec('held', { inUse: true, size: 11 }),
    rec('busy', { inUse: true, parents: ['held'], size: 0 }),
  ];

  it('dangling: every record but internal, frontend, shared and in-use ones; children before parents', () => {
    const plan = planBuildCachePrune(snap(records), parseBuildCachePolicy({}));
    assert.deepStrictEqual(ids(plan).sort(), ['base', 'ctx', 'leaf', 'mid']);
    assert.ok(ids(plan).indexOf('leaf') < ids(plan).indexOf('mid') && ids(plan).indexOf('mid') < ids(plan).indexOf('base'));
    assert.strictEqual(plan.bytes, 1235);
    assert.strictEqual(plan.diskBytes, 1235);
    const why = Object.fromEntries(plan.kept.map((k) => [k.id, k.reason]));
    assert.deepStrictEqual(why, { int: 'internal', front: 'internal', sh: 'shared', held: 'in-use', busy: 'in-use' });
  });

  it('all: internal, frontend and shared go too; the disk gets back only what no image shares', () => {
    const plan = planBuildCachePrune(snap(records), parseBuildCachePolicy({ all: true }));
    assert.deepStrictEqual(ids(plan).sort(), ['base', 'ctx', 'front', 'int', 'leaf', 'mid', 'sh']);
    assert.strictEqual(plan.bytes, 1301);
    assert.strictEqual(plan.diskBytes, 1251);
  });

  it('containerd store: the disk range runs from the blob-less records (contexts, internal, frontend) to all the engine reports', () => {
    const plan = planBuildCachePrune(
      snap(records, { profile: { ...PROFILE, store: 'containerd', storageDriver: 'overlayfs' } }),
      parseBuildCachePolicy({ all: true }),
    );
    assert.strictEqual(plan.diskBytesEstimated, true);
    assert.deepStrictEqual(plan.diskBytesRange, { min: 5 + 7 + 9, max: 1301 });
    assert.strictEqual(planBuildCachePrune(snap(records), parseBuildCachePolicy({ all: true })).diskBytesRange, undefined, 'overlay2: exact, no range');
  });

  it('a parent stays while a child stays, whatever the reason', () => {
    const plan = planBuildCachePrune(snap([rec('p'), rec('c', { parents: ['p'], shared: true })]), parseBuildCachePolicy({}));
    assert.deepStrictEqual(ids(plan), []);
    assert.deepStrictEqual(plan.kept, [
      { id: 'p', reason: 'has-children' },
      { id: 'c', reason: 'shared' },
    ]);
  });

  it('a record left out stays, with the records it is built on; the rest of the plan goes', () => {
    const records = [rec('p'), rec('c', { parents: ['p'] }), rec('other')];
    const policy = parseBuildCachePolicy({ all: true });
    const plan = planBuildCachePrune(snap(records), policy, new Set(['c']));
    assert.deepStrictEqual(ids(plan), ['other']);
    assert.deepStrictEqual(plan.kept, [
      { id: 'p', reason: 'has-children' },
      { id: 'c', reason: 'left-out' },
    ]);
    assert.deepStrictEqual(ids(planBuildCachePrune(snap(records), policy, new Set(['p']))), ['c', 'other'], 'a parent left out: its child still goes');
  });

  it('until: records last used after the cut-off stay, never-used ones go', () => {
    const plan = planBuildCachePrune(
      snap([rec('old', { lastUsedNs: NOW - 48n * 3600n * S }), rec('new', { lastUsedNs: NOW - 60n * S }), rec('never', { lastUsedNs: undefined })]),
      parseBuildCachePolicy({ filters: ['until=24h'] }),
    );
    assert.deepStrictEqual(ids(plan).sort(), ['never', 'old']);
    assert.deepStrictEqual(plan.kept, [{ id: 'new', reason: 'recent' }]);
    assert.deepStrictEqual(
      ids(planBuildCachePrune(snap([rec('a', { lastUsedNs: NOW - 10n * S })]), parseBuildCachePolicy({ filters: ['unused-for=5s'] }))),
      ['a'],
      'unused-for is the same filter',
    );
  });

  it('keep-storage: least recently used first, one at a time, until the cache is under the limit', () => {
    const records = [1, 2, 3, 4].map((h) => rec(`r${h}`, { size: 100, lastUsedNs: NOW - BigInt(h) * 3600n * S }));
    // 400 bytes; keep 250: r4 (oldest) → 300 ≥ 250, r3 → 200 < 250: stop.
    const plan = planBuildCachePrune(snap(records), parseBuildCachePolicy({ keepStorage: '250' }));
    assert.deepStrictEqual(ids(plan), ['r4', 'r3']);
    assert.deepStrictEqual(
      plan.kept.map((k) => k.reason),
      ['space-limit', 'space-limit'],
    );
    // Exactly at the limit BuildKit goes on (it stops only below it).
    assert.deepStrictEqual(ids(planBuildCachePrune(snap(records), parseBuildCachePolicy({ keepStorage: '300' }))), ['r4', 'r3']);
  });

  it('keep-storage: ties in the ranking make the plan uncertain', () => {
    const plan = planBuildCachePrune(snap([rec('x', { size: 100 }), rec('y', { size: 100 })]), parseBuildCachePolicy({ keepStorage: '150' }));
    assert.match(plan.uncertain ?? '', /rank equally/);
  });

  it('ranks by last use and use count together (BuildKit sortDeleteRecords)', () => {
    const ranked = rankForCollection([
      rec('often-old', { lastUsedNs: NOW - 10n * S, usageCount: 9 }),
      rec('once-new', { lastUsedNs: NOW - 5n * S, usageCount: 1 }),
      rec('once-old', { lastUsedNs: NOW - 20n * S, usageCount: 1 }),
    ]);
    assert.deepStrictEqual(
      ranked.map((r) => r.record.id),
      ['once-old', 'once-new', 'often-old'],
    );
  });

  it('space limits: max-used-space, min-free-space and reserved-space combine as BuildKit calculateKeepBytes', () => {
    const s = snap([rec('a', { size: 1000 }), rec('s', { shared: true, size: 500 })], { diskFreeBytes: 300 });
    assert.strictEqual(keptBytes(s, {}), 0);
    assert.strictEqual(keptBytes(s, { maxUsedSpace: 800 }), 800);
    assert.strictEqual(keptBytes(s, { minFreeSpace: 500 }), 800, 'free 300, want 500: 200 must go from 1000');
    assert.strictEqual(keptBytes(s, { minFreeSpace: 200 }), 1000, 'enough free already: nothing goes');
    assert.strictEqual(keptBytes(s, { maxUsedSpace: 900, minFreeSpace: 500 }), 800);
    assert.strictEqual(keptBytes(s, { maxUsedSpace: 100, reservedSpace: 600 }), 600);
  });

  it('summarizes like docker system df: size and reclaimable without shared records, by type', () => {
    const s = summarizeBuildCache(records);
    assert.strictEqual(s.count, 9);
    assert.strictEqual(s.size, 1262);
    assert.strictEqual(s.reclaimable, 1251);
    assert.strictEqual(s.shared, 50);
    assert.deepStrictEqual(
      s.byType.map((t) => t.type),
      ['regular', 'frontend', 'internal', 'source.local'],
    );
  });
});

describe('build cache options', () => {
  it('reads sizes as the docker CLI does (binary units)', () => {
    assert.strictEqual(parseByteSize('--keep-storage', '2048'), 2048);
    assert.strictEqual(parseByteSize('--keep-storage', '512MB'), 512 * 1024 ** 2);
    assert.strictEqual(parseByteSize('--keep-storage', '1.5g'), 1.5 * 1024 ** 3);
    assert.strictEqual(parseByteSize('--keep-storage', '10GiB'), 10 * 1024 ** 3);
    for (const bad of ['', 'lots', '-1', '5 XB', '10iB']) assert.throws(() => parseByteSize('--keep-storage', bad), DockerPruneError, bad);
  });

  it('refuses other filters, two until filters, and keep-storage with reserved-space', () => {
    assert.throws(() => parseBuildCachePolicy({ filters: ['label=a'] }), /build cache takes/);
    assert.throws(() => parseBuildCachePolicy({ filters: ['until=1h', 'unused-for=2h'] }), /one until/);
    assert.throws(() => parseBuildCachePolicy({ filters: ['until=soon'] }), /Invalid until/);
    assert.throws(() => parseBuildCachePolicy({ keepStorage: '1GB', reservedSpace: '1GB' }), /same limit/);
  });

  it('speaks each API version: keep-storage before 1.48, reserved-space and the new limits from it', () => {
    const p = parseBuildCachePolicy({ all: true, filters: ['until=7d'], keepStorage: '1k', maxUsedSpace: '2k' });
    assert.deepStrictEqual(enginePruneQuery(p, '1.51'), { all: '1', filters: '{"until":["168h"]}', 'reserved-space': '1024', 'max-used-space': '2048' });
    assert.deepStrictEqual(enginePruneQuery(parseBuildCachePolicy({ keepStorage: '1k' }), '1.45'), { 'keep-storage': '1024' });
  });

  it('pins a prune to the planned records with an anchored id pattern', () => {
    assert.deepStrictEqual(pinnedPruneQuery(['abc', 'def']), { all: '1', filters: '{"id":["^(abc|def)$"]}' });
    assert.throws(() => pinnedPruneQuery(['a|b']), /Unexpected/);
  });
});

describe('build cache prunes in the audit history', () => {
  const base = {
    user: 'u',
    host: 'h',
    environment: 'unix:///x.sock',
    trigger: 'cli' as const,
    mode: 'all' as const,
    native: false,
    filters: [],
    protect: [],
    target: 'build-cache' as const,
    pruneId: 'p1',
    engineId: 'e',
  };
  const records = [
    {
      ...base,
      time: '2026-01-01T00:00:00.000Z',
      phase: 'start' as const,
      outcome: 'running' as const,
      plan: { images: 2, bytes: 3000 },
      result: null,
      durationMs: 0,
      pid: 1,
      steps: [
        { id: 'abc', action: 'delete' as const, tags: ['[1/1] COPY a /a'], bytes: 1000 },
        { id: 'def', action: 'delete' as const, tags: [], bytes: 2000 },
      ],
    },
    {
      ...base,
      time: '2026-01-01T00:00:01.000Z',
      phase: 'end' as const,
      outcome: 'success' as const,
      plan: { images: 2, bytes: 3000 },
      result: { deleted: 2, untagged: 0, skipped: 0, spaceReclaimed: 3000, cancelled: false },
      durationMs: 1000,
      doneIds: ['abc', 'def'],
    },
  ];

  it('lists them as builder prunes of cache records, and never compares their records with the engine images', () => {
    const [entry] = pruneHistory(records, { isRunning: () => false });
    assert.strictEqual(entry!.target, 'build-cache');
    assert.deepStrictEqual(entry!.recorded.done, ['abc', 'def']);
    const [line] = historyLines(entry!);
    assert.match(line!, /cli\s+builder all unix:\/\/\/x\.sock {2}success: 2 cache records planned/);
    assert.match(line!, /2 cache records deleted/);
    assert.strictEqual(checkAgainstEngine(entry!, new Set()), undefined);
  });
});
