/** Stopped containers in a plan (plan/containerPlan.ts, `--containers exited-for=…`), and the option's parsing. */
import * as assert from 'assert';
import { parseFilterArgs } from '../../src/core/filters';
import { parseContainersOption, parseExitedFor } from '../../src/core/filters/containersOption';
import type { PrunePolicy, Snapshot, StoppedContainer } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { InvalidInputError } from '../../src/core/errors';
import { parseWatermarks } from '../../src/core/plan/watermarkMarks';
import { planWatermarkPrune, type DiskReading } from '../../src/core/plan/watermarkPolicy';
import { SnapshotBuilder } from './snapshotBuilder';

const DAY = 86_400n * 1_000_000_000n;

describe('stopped containers in the plan', () => {
  const b = new SnapshotBuilder()
    .image('app', { tags: ['dp/app:1'], layers: [['app', 1000]] })
    .image('job', { tags: [], layers: [['job', 300]] })
    .image('db', { tags: ['postgres:16'], layers: [['db', 5000]] })
    .image('web', { tags: ['dp/web:1'], layers: [['web', 700]] })
    .image('tool', { tags: ['dp/tool:1'], layers: [['tool', 50]] })
    .container('api-test', 'app', 'exited')
    .container('job-a', 'job', 'created')
    .container('pg-old', 'db', 'exited')
    .container('web-1', 'web', 'running')
    .container('web-old', 'web', 'exited')
    .container('svc', 'tool', 'exited')
    .container('pinned', 'tool', 'exited')
    .container('fresh', 'tool', 'exited')
    .container('crashed', 'tool', 'dead');
  const base = b.build();
  const now = base.daemonNowNs;
  const facts = (id: string, more: Partial<StoppedContainer>): StoppedContainer => {
    const record = base.containers.find((c) => c.id === id)!;
    return {
      id,
      name: id,
      state: record.state,
      imageId: record.imageId,
      finishedAt: `t-${id}`,
      finishedNs: now - 40n * DAY,
      createdNs: now - 50n * DAY,
      ...more,
    };
  };
  const stopped = new Map(
    [
      facts('api-test', { exitCode: 137, ownBytes: 12, composeProject: 'shop' }),
      facts('job-a', { finishedAt: '0001-01-01T00:00:00Z', finishedNs: undefined, ownBytes: 0 }),
      facts('pg-old', { ownBytes: 3 }),
      facts('web-old', { ownBytes: 4 }),
      facts('svc', { restartPolicy: 'unless-stopped', ownBytes: 5 }),
      facts('pinned', { keepLabel: true, ownBytes: 6 }),
      facts('fresh', { finishedNs: now - DAY, ownBytes: 7 }),
      facts('crashed', { ownBytes: 8 }),
    ].map((c) => [c.id, c]),
  );
  const snapshot: Snapshot = { ...base, stopped };
  const policy = (exitedFor: string, more: Partial<PrunePolicy> = {}): PrunePolicy => ({
    mode: 'all',
    filters: parseFilterArgs([]),
    protect: ['postgres:*'],
    containers: parseExitedFor(exitedFor),
    ...more,
  });

  it('removes the long-stopped containers first and plans the images as if they were gone; the bytes are both', () => {
    const plan = planPrune(snapshot, policy('30d'));
    assert.deepStrictEqual(plan.containers?.map((c) => c.id).sort(), ['api-test', 'job-a', 'web-old']);
    // app and job go with their containers; web stays (web-1 runs); tool stays (three stopped containers are kept).
    assert.deepStrictEqual(plan.items.map((i) => b.nameOf(i.id)).sort(), ['app', 'job']);
    assert.strictEqual(plan.spaceReclaimable, 1000 + 300 + 12 + 0 + 4);
    const kept = Object.fromEntries((plan.keptContainers ?? []).map((k) => [k.id, k.reason]));
    assert.deepStrictEqual(kept, { 'pg-old': 'protected', svc: 'restart-policy', pinned: 'keep-label', fresh: 'recently-stopped', crashed: 'dead' });
  });

  it('a container never started counts from its creation; exited-for=0s takes every stopped container nothing else keeps', () => {
    const young = { ...snapshot, stopped: new Map([...stopped].map(([id, c]) => [id, { ...c, createdNs: now - DAY }])) };
    assert.ok(!planPrune(young, policy('30d')).containers?.some((c) => c.id === 'job-a'), 'created a day ago: too recent');
    const all = planPrune(snapshot, policy('0s'));
    assert.deepStrictEqual(all.containers?.map((c) => c.id).sort(), ['api-test', 'fresh', 'job-a', 'web-old']);
  });

  it('a left-out container keeps its image; a protect pattern on the container name keeps it too', () => {
    const plan = planPrune(snapshot, policy('30d'), { leaveOut: new Set(['api-test']) });
    assert.ok(!plan.containers?.some((c) => c.id === 'api-test'));
    assert.ok(!plan.items.some((i) => b.nameOf(i.id) === 'app'), 'its image stays with it');
    assert.strictEqual(plan.keptContainers?.find((k) => k.id === 'api-test')?.reason, 'left-out');
    const byName = planPrune(snapshot, policy('30d', { protect: ['job-*'] }));
    assert.strictEqual(byName.keptContainers?.find((k) => k.id === 'job-a')?.reason, 'protected');
    assert.ok(!byName.items.some((i) => b.nameOf(i.id) === 'job'));
  });

  it('dangling mode frees only the untagged images; without the option nothing about containers changes', () => {
    const dangling = planPrune(snapshot, policy('30d', { mode: 'dangling' }));
    assert.deepStrictEqual(
      dangling.items.map((i) => b.nameOf(i.id)),
      ['job'],
    );
    assert.strictEqual(dangling.containers?.length, 3);
    const plain = planPrune(snapshot, { mode: 'all', filters: parseFilterArgs([]), protect: [] });
    assert.strictEqual(plain.containers, undefined);
    assert.deepStrictEqual(
      plain.items.map((i) => b.nameOf(i.id)),
      [],
    );
  });

  it('a container whose facts are missing (removed between list and inspect) is not planned', () => {
    const missing = { ...snapshot, stopped: new Map([...stopped].filter(([id]) => id !== 'api-test')) };
    assert.ok(!planPrune(missing, policy('30d')).containers?.some((c) => c.id === 'api-test'));
  });

  it('a watermark prune takes the stopped containers only when the high mark sets it off', () => {
    const noDisk: DiskReading = { kind: 'unavailable', why: 'the engine is remote' };
    const idle = planWatermarkPrune(snapshot, policy('30d'), parseWatermarks('1000000', '900000'), noDisk);
    assert.deepStrictEqual([idle.plan.items.length, idle.plan.containers?.length ?? 0], [0, 0], 'under the high mark: nothing');
    const busy = planWatermarkPrune(snapshot, policy('30d'), parseWatermarks('100', '50'), noDisk);
    assert.deepStrictEqual(busy.plan.containers?.map((c) => c.id).sort(), ['api-test', 'job-a', 'web-old']);
    // Above the high mark, and the containers alone get it under the low one: no image goes.
    const used = busy.figures.usedBytes;
    const byContainers = planWatermarkPrune(snapshot, policy('30d'), parseWatermarks(String(used - 1), String(used - 10)), noDisk);
    assert.strictEqual(byContainers.figures.triggered, true);
    assert.deepStrictEqual([byContainers.plan.items.length, byContainers.plan.containers?.length], [0, 3]);
    assert.ok(byContainers.figures.reachesLow);
  });

  it('parses exited-for=DURATION, and refuses anything else with the accepted form', () => {
    assert.strictEqual(parseContainersOption('exited-for=30d').exitedForNs, 30n * DAY);
    assert.strictEqual(parseContainersOption(' exited-for=0s ').exitedForNs, 0n);
    for (const bad of ['30d', 'exited-for=', 'exited-for=-1h', 'until=30d', 'exited-for=soon']) {
      assert.throws(() => parseContainersOption(bad), InvalidInputError, bad);
    }
    assert.throws(() => parseExitedFor('thirty days'), /Invalid exited-for value "thirty days"/);
  });
});
