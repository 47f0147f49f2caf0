/**
 * The disk-usage view's state for a known snapshot: the space picture (in use / unused / dangling from the exact
 * planner, the build cache from its summary), the repositories in the order of the bytes the all-unused plan frees
 * for them (a shared layer counted once, where it leaves the disk), and the audit history bucketed per day and
 * trigger.
 */
import * as assert from 'assert';
import { pruneHistory, type AuditRecord } from '../../src/core/audit';
import { summarizeBuildCache } from '../../src/core/buildCache/summary';
import { formatBytes } from '../../src/core/format/units';
import type { PruneMode, Snapshot } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { buildDiskUsageState, historyBuckets, localDay, repositoryOfStep, type DiskUsageWords } from '../../src/vscode/diskUsage/diskUsageState';
import type { DiskUsageViewState } from '../../src/webview/diskUsage/protocol';
import { SnapshotBuilder } from './snapshotBuilder';

const words: DiskUsageWords = {
  labels: {
    refresh: 'Refresh',
    space: 'Space',
    repositories: 'Repositories',
    history: 'History',
    repository: 'Repository',
    frees: 'Frees',
    images: 'Images',
    day: 'Day',
    prunes: 'Prunes',
    reclaimed: 'Reclaimed',
    tableCaption: 'Figures',
  },
  bytes: (n) => formatBytes(n),
  percent: (n) => `${n}%`,
  images: (n) => `${n} image${n === 1 ? '' : 's'}`,
  records: (n) => `${n} records`,
  prunes: (n) => `${n} prune${n === 1 ? '' : 's'}`,
  day: (d) => d,
  time: () => '12:00',
  heading: (e) => `Disk usage of ${e}`,
  measured: (t) => `Measured at ${t}`,
  segment: (k) => k,
  trigger: (k) => k,
  untagged: () => '<untagged>',
  spaceAria: (p) => `Disk usage: ${p}`,
  spacePart: (l, b, p) => `${l} ${b} (${p})`,
  imagesTotal: (b, i) => `Images take ${b} (${i})`,
  danglingFrees: (b) => `dangling frees ${b}`,
  allFrees: (b) => `all frees ${b}`,
  allSources: (c) => `pulled ${c.pulled.count}, built ${c.built.count}, loaded ${c.loaded.count}, unknown ${c.unknown.count}`,
  noBuildCache: () => 'no build cache',
  repositoriesAria: (p) => `By repository: ${p}`,
  repositoryPart: (r, b) => `${r} ${b}`,
  noRepositories: () => 'nothing',
  historySummary: (p, b, t) => `${p} reclaimed ${b} (${t})`,
  triggerPart: (t, b) => `${t} ${b}`,
  historyAria: (p) => `Per day: ${p}`,
  historyPart: (d, b, p) => `${d}: ${b} by ${p}`,
  noHistory: () => 'no history',
  historyProblem: (m) => `unreadable: ${m}`,
  list: (parts) => parts.join(', '),
};

/**
 * base (1000 B) under app:1 (in use, +500), app:2 (+300) and app:3 (on app:2's layers, +200), tools:1 (+20);
 * web:1 (800) and web:2 (on it, +50); one dangling image (70). On disk: 2,940 B.
 */
function knownSnapshot(): Snapshot {
  return new SnapshotBuilder()
    .image('app1', {
      tags: ['app:1'],
      layers: [
        ['base', 1000],
        ['app1', 500],
      ],
    })
    .image('app2', {
      tags: ['app:2'],
      layers: [
        ['base', 1000],
        ['app2', 300],
      ],
    })
    .image('app3', {
      tags: ['app:3'],
      layers: [
        ['base', 1000],
        ['app2', 300],
        ['app3', 200],
      ],
    })
    .image('tools1', {
      tags: ['team/tools:1'],
      layers: [
        ['base', 1000],
        ['tools', 20],
      ],
    })
    .image('web1', { tags: ['registry.example.com:5000/web:1'], layers: [['web', 800]] })
    .image('web2', {
      tags: ['registry.example.com:5000/web:2'],
      layers: [
        ['web', 800],
        ['web2', 50],
      ],
    })
    .image('dangling', { layers: [['dangling', 70]] })
    .container('running', 'app1', 'running')
    .build();
}

const plain = (snapshot: Snapshot, mode: PruneMode) => planPrune(snapshot, { mode, filters: { labels: [] }, protect: [] });

function record(time: string, trigger: AuditRecord['trigger'], bytes: number, outcome: AuditRecord['outcome'] = 'success'): AuditRecord {
  return {
    time,
    user: 'u',
    host: 'h',
    environment: 'unix:///var/run/docker.sock',
    trigger,
    mode: 'dangling',
    native: false,
    filters: [],
    protect: [],
    plan: { images: 1, bytes },
    result: { deleted: 1, untagged: 0, skipped: 0, spaceReclaimed: bytes, cancelled: false },
    durationMs: 10,
    outcome,
  };
}

function ready(state: DiskUsageViewState): Extract<DiskUsageViewState, { kind: 'ready' }> {
  assert.strictEqual(state.kind, 'ready');
  return state as Extract<DiskUsageViewState, { kind: 'ready' }>;
}

describe('disk-usage view state', () => {
  const snapshot = knownSnapshot();
  const buildCache = summarizeBuildCache([
    { id: 'a', type: 'regular', description: 'a', inUse: false, shared: false, size: 400, parents: [], usageCount: 1 },
    { id: 'b', type: 'regular', description: 'b', inUse: true, shared: false, size: 100, parents: [], usageCount: 1 },
    { id: 'c', type: 'regular', description: 'c', inUse: false, shared: true, size: 999, parents: [], usageCount: 1 },
  ]);
  const history = pruneHistory([
    record('2026-11-01T12:00:00Z', 'manual', 100_000),
    record('2026-11-01T13:00:00Z', 'auto', 50_000),
    record('2026-11-03T12:00:00Z', 'cli', 30_000),
    record('2026-10-30T12:00:00Z', 'manual', 0, 'failed'),
  ]);
  const state = ready(
    buildDiskUsageState(
      {
        environment: 'local',
        location: 'unix:///var/run/docker.sock',
        snapshot,
        dangling: plain(snapshot, 'dangling'),
        all: plain(snapshot, 'all'),
        buildCache,
        history,
        measuredAt: 0,
      },
      words,
    ),
  );

  it('splits the images’ disk into in use, unused and dangling with the planner’s exact bytes, and adds the build cache', () => {
    const figures = Object.fromEntries(state.space.segments.map((s) => [s.key, [s.bytes, s.detail]]));
    assert.deepStrictEqual(figures, {
      inUse: [1500, '1 image'], // base + app1: what no image prune frees
      unused: [1370, '5 images'], // app2+app3 500, tools 20, web 850
      dangling: [70, '1 image'],
      buildCacheInUse: [100, '3 records'],
      buildCacheReclaimable: [400, ''],
    });
    assert.strictEqual(state.space.totalBytes, 2940 + 500);
    assert.strictEqual(state.space.totalText, '3.44 kB');
    assert.strictEqual(state.space.notes[0], 'Images take 2.94 kB (7 images)');
    assert.strictEqual(state.space.notes[2], 'all frees 1.44 kB');
    assert.match(state.space.notes[3]!, /^pulled 0, built 0, loaded 0, unknown \d+$/, 'what getting them back takes (no sources read: unknown)');
    assert.match(state.space.ariaLabel, /^Disk usage: inUse 1\.5 kB \(43\.6%\), unused 1\.37 kB/);
    assert.strictEqual(Math.round(state.space.segments.reduce((s, x) => s + x.percent, 0)), 100);
  });

  it('ranks repositories by the bytes the all-unused plan frees for them, a shared layer counted once', () => {
    assert.deepStrictEqual(
      state.repositories.rows.map((r) => [r.label, r.bytes, r.images]),
      [
        ['registry.example.com:5000/web', 850, 2], // web's 800 B layer leaves with the last of its two images
        ['app', 500, 2], // app:1 is in use: base (1000) stays
        ['<untagged>', 70, 1],
        ['team/tools', 20, 1],
      ],
    );
    // Not the sum of image sizes (web:1 800 + web:2 850 = 1650).
    assert.notStrictEqual(state.repositories.rows[0]!.bytes, 1650);
    assert.strictEqual(repositoryOfStep({ tags: ['dp/x@sha256:abc'] }), 'dp/x');
    assert.strictEqual(repositoryOfStep({ tags: [] }), '');
  });

  it('shows at most ten repositories', () => {
    const b = new SnapshotBuilder();
    for (let i = 0; i < 14; i++) b.image(`r${i}`, { tags: [`repo${String(i).padStart(2, '0')}:1`], layers: [[`l${i}`, 100 + i]] });
    const s = b.build();
    const rows = ready(
      buildDiskUsageState(
        { environment: 'e', location: 'l', snapshot: s, dangling: plain(s, 'dangling'), all: plain(s, 'all'), history: [], measuredAt: 0 },
        words,
      ),
    ).repositories.rows;
    assert.deepStrictEqual(
      rows.map((r) => r.repository),
      ['repo13', 'repo12', 'repo11', 'repo10', 'repo09', 'repo08', 'repo07', 'repo06', 'repo05', 'repo04'],
    );
  });

  it('buckets the audit history per day, with bytes by trigger and totals', () => {
    assert.deepStrictEqual(
      state.history.bars.map((b) => [b.day, b.bytes, b.prunes, b.byTrigger]),
      [
        [localDay('2026-10-30T12:00:00Z'), 0, 1, { manual: 0, auto: 0, cli: 0 }],
        [localDay('2026-11-01T12:00:00Z'), 150_000, 2, { manual: 100_000, auto: 50_000, cli: 0 }],
        [localDay('2026-11-03T12:00:00Z'), 30_000, 1, { manual: 0, auto: 0, cli: 30_000 }],
      ],
    );
    assert.strictEqual(state.history.totalBytes, 180_000);
    assert.strictEqual(state.history.prunes, 4);
    assert.strictEqual(state.history.summary, '4 prunes reclaimed 180 kB (manual 100 kB, auto 50 kB, cli 30 kB)');
    assert.deepStrictEqual(
      historyBuckets(history, 2).map((b) => b.bytes),
      [150_000, 30_000],
      'the most recent days',
    );
  });

  it('counts images as the tree lists them: an untagged parent goes with its last child, uncounted', () => {
    const s = new SnapshotBuilder()
      .image('parent', { layers: [['p', 100]] })
      .image('child', {
        tags: ['c:1'],
        parent: 'parent',
        layers: [
          ['p', 100],
          ['c', 10],
        ],
      })
      .image('kept', { tags: ['k:1'], layers: [['k', 5]] })
      .container('x', 'kept')
      .build();
    const st = ready(
      buildDiskUsageState(
        { environment: 'e', location: 'l', snapshot: s, dangling: plain(s, 'dangling'), all: plain(s, 'all'), history: [], measuredAt: 0 },
        words,
      ),
    );
    assert.deepStrictEqual(
      st.space.segments.map((x) => [x.key, x.bytes, x.detail]),
      [
        ['inUse', 5, '1 image'],
        ['unused', 110, '1 image'],
        ['dangling', 0, '0 images'],
      ],
    );
    assert.deepStrictEqual(
      st.repositories.rows.map((r) => [r.repository, r.bytes, r.images]),
      [['c', 110, 1]],
      'the parent’s 100 B count for c',
    );
  });

  it('says so when there is nothing to free, no build cache and no history', () => {
    const s = new SnapshotBuilder()
      .image('a', { tags: ['a:1'] })
      .container('c', 'a')
      .build();
    const empty = ready(
      buildDiskUsageState(
        { environment: 'e', location: 'l', snapshot: s, dangling: plain(s, 'dangling'), all: plain(s, 'all'), history: [], measuredAt: 0 },
        words,
      ),
    );
    assert.strictEqual(empty.repositories.empty, 'nothing');
    assert.strictEqual(empty.history.empty, 'no history');
    assert.deepStrictEqual(
      empty.space.segments.map((x) => x.key),
      ['inUse', 'unused', 'dangling'],
    );
    assert.ok(empty.space.notes.includes('no build cache'));
    assert.doesNotThrow(() => JSON.stringify(empty), 'serialisable');
  });
});
