import * as assert from 'assert';
import { parseCliArgs } from '../../src/cli/args';
import type { EngineProfile } from '../../src/core/engine/engineProfile';
import { InvalidInputError } from '../../src/core/errors';
import { parseFilterArgs } from '../../src/core/filters';
import type { LastUse, PrunePolicy, Snapshot } from '../../src/core/model';
import { parseMark, parseWatermarkOption, parseWatermarks } from '../../src/core/plan/watermarkMarks';
import { orderByLastUse } from '../../src/core/plan/lastUseOrder';
import { planWatermarkPrune, storeBytes, type DiskReading } from '../../src/core/plan/watermarkPolicy';
import { statDisk } from '../../src/core/space/dockerRootDisk';
import { SnapshotBuilder } from './snapshotBuilder';

const HOUR = 3_600_000_000_000n;
const policy = (extra: Partial<PrunePolicy> = {}): PrunePolicy => ({ mode: 'dangling', filters: parseFilterArgs([]), protect: [], ...extra });
const noDisk: DiskReading = { kind: 'unavailable', why: 'the engine is remote' };

/** `hours`: when each image was last used, hours ago (absent: never seen in use, its created time counts). */
function withLastUse(b: SnapshotBuilder, hours: Record<string, number>): Snapshot {
  const snapshot = b.build();
  const lastUsed = new Map<string, LastUse>(
    Object.entries(hours).map(([name, h]) => [
      b.id(name),
      { atNs: snapshot.daemonNowNs - BigInt(h * 3600) * 1_000_000_000n, source: 'event', lowerBound: false },
    ]),
  );
  return { ...snapshot, lastUsed };
}

/**
 * old1 and old2 share a 1000-byte base layer. Store total: 1000+100+100+500+50+400+300+200 = 2650 bytes.
 * Last used: prot 20 days ago, old1 10 days, old2 9 days, mid 5 days, recent 3 hours, young 1 hour.
 */
function world(): { b: SnapshotBuilder; snapshot: Snapshot } {
  const b = new SnapshotBuilder()
    .image('old1', {
      tags: ['x:1'],
      layers: [
        ['S', 1000],
        ['A', 100],
      ],
      ageHours: 5000,
    })
    .image('old2', {
      tags: ['y:1'],
      layers: [
        ['S', 1000],
        ['B', 100],
      ],
      ageHours: 10,
    })
    .image('mid', { tags: ['z:1'], layers: [['C', 500]], ageHours: 6000 })
    .image('recent', { tags: ['w:1'], layers: [['D', 50]], ageHours: 6000 })
    .image('young', { tags: ['v:1'], layers: [['E', 400]], ageHours: 6000 })
    .image('used', { tags: ['u:1'], layers: [['F', 300]], ageHours: 6000 })
    .image('prot', { tags: ['postgres:1'], layers: [['G', 200]], ageHours: 6000 })
    .container('c', 'used');
  return { b, snapshot: withLastUse(b, { prot: 480, old1: 240, old2: 216, mid: 120, recent: 3, young: 1, used: 500 }) };
}

const names = (b: SnapshotBuilder, ids: readonly string[]) => ids.map((id) => b.nameOf(id));
const deleted = (b: SnapshotBuilder, plan: { items: readonly { id: string; action: string }[] }) =>
  names(
    b,
    plan.items.filter((i) => i.action === 'delete').map((i) => i.id),
  ).sort();

describe('watermark policy', () => {
  it('counts the store as the planner does: each shared layer once', () => {
    assert.strictEqual(storeBytes(world().snapshot), 2650);
  });

  it('takes the least recently used first and stops at the computed point, counting shared layers exactly', () => {
    const { b, snapshot } = world();
    // Above 2600, down to under 2000: old1 alone frees only 100 (its base is old2's too), so old2 must go as well;
    // summing image sizes (1100) would have stopped after old1 and missed the low mark.
    const { plan, figures } = planWatermarkPrune(snapshot, policy({ protect: ['postgres:*'] }), parseWatermarks('2600', '2000'), noDisk);
    assert.deepStrictEqual(names(b, figures.chosen), ['old1', 'old2']);
    assert.deepStrictEqual(deleted(b, plan), ['old1', 'old2']);
    assert.strictEqual(plan.spaceReclaimable, 1200);
    assert.deepStrictEqual(
      {
        basis: figures.basis,
        used: figures.usedBytes,
        high: figures.highBytes,
        low: figures.lowBytes,
        predicted: figures.predictedBytes,
        triggered: figures.triggered,
        reachesLow: figures.reachesLow,
      },
      { basis: 'images', used: 2650, high: 2600, low: 2000, predicted: 1450, triggered: true, reachesLow: true },
    );
    const kept = Object.fromEntries(plan.kept.map((k) => [b.nameOf(k.id), k.reason]));
    assert.deepStrictEqual(kept, { mid: 'below-low-mark', recent: 'below-low-mark', young: 'minimum-age', used: 'in-use', prot: 'protected' });
    assert.strictEqual(plan.policy.mode, 'all');
  });

  it('one more byte to free takes exactly one more image', () => {
    const { b, snapshot } = world();
    // Under 1450 needs 1201 bytes: old1+old2 free 1200, mid (next by last use) is needed too.
    const { figures } = planWatermarkPrune(snapshot, policy({ protect: ['postgres:*'] }), parseWatermarks('2600', '1450'), noDisk);
    assert.deepStrictEqual(names(b, figures.chosen), ['old1', 'old2', 'mid']);
    assert.strictEqual(figures.predictedBytes, 950);
  });

  it('does nothing at or below the high mark', () => {
    const { snapshot } = world();
    const { plan, figures } = planWatermarkPrune(snapshot, policy(), parseWatermarks('2650', '1000'), noDisk);
    assert.strictEqual(figures.triggered, false);
    assert.strictEqual(plan.items.length, 0);
    assert.strictEqual(figures.predictedBytes, 2650);
  });

  it('takes every eligible image when the low mark is out of reach, never a young, used or protected one', () => {
    const { b, snapshot } = world();
    const { plan, figures } = planWatermarkPrune(snapshot, policy({ protect: ['postgres:*'] }), parseWatermarks('1000', '10'), noDisk);
    assert.deepStrictEqual(names(b, figures.chosen), ['old1', 'old2', 'mid', 'recent']);
    assert.deepStrictEqual(deleted(b, plan), ['mid', 'old1', 'old2', 'recent']);
    assert.strictEqual(figures.reachesLow, false);
    assert.strictEqual(figures.predictedBytes, 2650 - 1750);
    assert.strictEqual(figures.tooYoung, 1);
  });

  it('minimum age 0 lets the young image go; a longer one keeps more', () => {
    const { b, snapshot } = world();
    assert.deepStrictEqual(
      names(b, planWatermarkPrune(snapshot, policy({ protect: ['postgres:*'] }), parseWatermarks('1000', '10', '0'), noDisk).figures.chosen),
      ['old1', 'old2', 'mid', 'recent', 'young'],
    );
    assert.deepStrictEqual(
      names(b, planWatermarkPrune(snapshot, policy({ protect: ['postgres:*'] }), parseWatermarks('1000', '10', '7d'), noDisk).figures.chosen),
      ['old1', 'old2'],
    );
  });

  it('keep-latest holds: the newest image of each repository stays whatever its last use', () => {
    const b = new SnapshotBuilder()
      .image('v1', { tags: ['app:1'], layers: [['a1', 100]], ageHours: 300 })
      .image('v2', { tags: ['app:2'], layers: [['a2', 100]], ageHours: 200 })
      .image('other', { tags: ['o:1'], layers: [['o', 100]], ageHours: 100 });
    const snapshot = withLastUse(b, { v2: 400, v1: 50, other: 10 });
    const { plan, figures } = planWatermarkPrune(snapshot, policy({ keepLatest: 1 }), parseWatermarks('250', '1'), noDisk);
    assert.deepStrictEqual(names(b, figures.chosen), ['v1']);
    assert.deepStrictEqual(plan.kept.map((k) => [b.nameOf(k.id), k.reason]).sort(), [
      ['other', 'keep-latest'],
      ['v2', 'keep-latest'],
    ]);
  });

  it('orders by last use, falling back to the created time when an image was never seen in use', () => {
    const b = new SnapshotBuilder()
      .image('builtLongAgoUsedNow', { layers: [['p', 1]], ageHours: 1000 })
      .image('neverSeen', { layers: [['q', 1]], ageHours: 500 })
      .image('usedLastWeek', { layers: [['r', 1]], ageHours: 2000 });
    const snapshot = withLastUse(b, { builtLongAgoUsedNow: 3, usedLastWeek: 168 });
    assert.deepStrictEqual(
      orderByLastUse(snapshot.images, snapshot).map((i) => b.nameOf(i.id)),
      ['neverSeen', 'usedLastWeek', 'builtLongAgoUsedNow'],
    );
    const plain = b.build();
    assert.deepStrictEqual(
      orderByLastUse(plain.images, plain).map((i) => b.nameOf(i.id)),
      ['usedLastWeek', 'builtLongAgoUsedNow', 'neverSeen'],
    );
  });

  it('an untagged parent goes with its last child and its bytes count at that step', () => {
    const b = new SnapshotBuilder()
      .image('base', { layers: [['L1', 1000]], ageHours: 900 })
      .image('child', {
        tags: ['c:1'],
        parent: 'base',
        layers: [
          ['L1', 1000],
          ['L2', 10],
        ],
        ageHours: 800,
      })
      .image('other', { tags: ['o:1'], layers: [['O', 600]], ageHours: 700 });
    // 1610 used; under 1000 needs 611: child (with its parent) frees 1010.
    const { plan, figures } = planWatermarkPrune(b.build(), policy(), parseWatermarks('1600', '1000'), noDisk);
    assert.deepStrictEqual(names(b, figures.chosen), ['child']);
    assert.deepStrictEqual(
      plan.items.map((i) => [b.nameOf(i.id), i.reason, i.bytes]),
      [
        ['child', 'unused', 10],
        ['base', 'parent', 1000],
      ],
    );
    assert.strictEqual(figures.predictedBytes, 600);
  });

  it('on the containerd store a shared snapshot frees nothing until its last image goes', () => {
    const profile: EngineProfile = { product: 'docker', store: 'containerd', version: '28.5.2', apiVersion: '1.51', engineId: 'T', storageDriver: 'overlayfs' };
    const b = new SnapshotBuilder(profile)
      .image('a', {
        tags: ['a:1'],
        layers: [
          ['base', 1000],
          ['a', 10],
        ],
        ageHours: 300,
      })
      .image('b', {
        tags: ['b:1'],
        layers: [
          ['base', 1000],
          ['b', 10],
        ],
        ageHours: 200,
      })
      .image('c', { tags: ['c:1'], layers: [['c', 900]], ageHours: 100 });
    const snapshot = { ...b.build(), containerd: { danglingRecords: new Set<string>() } };
    const { figures } = planWatermarkPrune(snapshot, policy(), parseWatermarks('1900', '1000'), noDisk);
    assert.deepStrictEqual(names(b, figures.chosen), ['a', 'b']);
    assert.strictEqual(figures.predictedBytes, 900);
  });

  it('a percentage is of the disk holding the Docker root: used is its size minus what is available', () => {
    const { b, snapshot } = world();
    const disk: DiskReading = { kind: 'disk', path: '/var/lib/docker', totalBytes: 10_000, availableBytes: 1_000 };
    // 90% used; under 80% (8000) needs more than 1000 bytes: old1 (100) + old2 (1100).
    const { figures } = planWatermarkPrune(snapshot, policy(), parseWatermarks('85%', '80%'), disk);
    assert.deepStrictEqual(names(b, figures.chosen), ['prot', 'old1', 'old2']);
    assert.deepStrictEqual(
      [figures.basis, figures.usedBytes, figures.highBytes, figures.lowBytes, figures.predictedBytes],
      ['disk', 9000, 8500, 8000, 9000 - 1400],
    );
  });

  it('a percentage without a readable disk is refused with the reason; sizes still work there', () => {
    const { snapshot } = world();
    assert.throws(
      () => planWatermarkPrune(snapshot, policy(), parseWatermarks('85%', '80%'), noDisk),
      (e: Error) => e instanceof InvalidInputError && /the engine is remote/.test(e.message) && /40GB:30GB/.test(e.message),
    );
  });

  it('marks are validated with clear errors', () => {
    const err = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof InvalidInputError && re.test(e.message), re.source);
    err(() => parseWatermarkOption('85%'), /use HIGH:LOW/);
    err(() => parseWatermarkOption('80%:85%'), /must be above/);
    err(() => parseWatermarkOption('85%:85%'), /must be above/);
    err(() => parseWatermarkOption('85%:30GB'), /both be percentages or both be sizes/);
    err(() => parseWatermarkOption('120%:80%'), /between 0% and 100%/);
    err(() => parseWatermarkOption('lots:some'), /Invalid --watermark high mark "lots"/);
    err(() => parseWatermarkOption('85%:80%', 'soon'), /Invalid --minimum-age "soon"/);
    assert.deepStrictEqual(parseMark('40GB', 'm'), { kind: 'bytes', bytes: 40e9, raw: '40GB' });
    assert.deepStrictEqual(parseMark('1.5 GiB', 'm'), { kind: 'bytes', bytes: 1.5 * 1024 ** 3, raw: '1.5 GiB' });
    const w = parseWatermarkOption('85%:80%');
    assert.deepStrictEqual(
      [w.high, w.low, w.minimumAgeNs],
      [{ kind: 'percent', percent: 85, raw: '85%' }, { kind: 'percent', percent: 80, raw: '80%' }, 2n * HOUR],
    );
  });

  it('the CLI: --watermark takes unused images (tagged too); bad combinations are refused before anything runs', () => {
    const o = parseCliArgs(['prune', '--watermark', '85%:80%', '--minimum-age', '30m', '--yes']);
    assert.deepStrictEqual([o.policy.mode, o.watermark?.high.raw, o.watermark?.low.raw, o.watermark?.minimumAgeNs], ['all', '85%', '80%', HOUR / 2n]);
    assert.strictEqual(parseCliArgs(['plan', '--watermark', '40GB:30GB']).watermark?.minimumAgeRaw, '2h');
    const err = (args: string[], re: RegExp) =>
      assert.throws(
        () => parseCliArgs(args),
        (e: Error) => e instanceof InvalidInputError && re.test(e.message),
        re.source,
      );
    err(['prune', '--minimum-age', '2h'], /only applies with --watermark/);
    err(['prune', '--watermark', '85%:80%', '--native'], /--native/);
    err(['audit', '--watermark', '85%:80%'], /apply to "plan" and "prune"/);
    err(['prune', '--watermark', '80%:85%'], /must be above/);
  });

  it('reads the disk holding a directory with statfs, and says why when it cannot', async () => {
    const here = await statDisk(__dirname, 'test');
    assert.ok(here.kind === 'disk' && here.totalBytes > 0 && here.availableBytes <= here.totalBytes, JSON.stringify(here));
    const gone = await statDisk('/nonexistent/docker-root', 'unix:///var/run/docker.sock');
    assert.deepStrictEqual(gone, {
      kind: 'unavailable',
      why: 'the root directory of unix:///var/run/docker.sock (/nonexistent/docker-root) is not on this machine (an engine in a VM?)',
    });
  });
});
