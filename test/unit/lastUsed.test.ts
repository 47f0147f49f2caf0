import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ApiEvent } from '../../src/core/engine/apiTypes';
import { assertNativeCompatible } from '../../src/core/execute/nativePrune';
import { describeFilters, engineFilterStrings, parseFilterArgs, toEngineFilters } from '../../src/core/filters';
import { lastUseFilePath, readLastUseFile, writeLastUseFile } from '../../src/core/lastUsed/lastUseFile';
import { emptyState, mergeStates, recordUse, toLastUse, type LastUseRecord, type LastUseState } from '../../src/core/lastUsed/lastUseState';
import { ImageResolver, useOfEvent } from '../../src/core/lastUsed/usageEvents';
import type { LastUse, PrunePolicy, Snapshot } from '../../src/core/model';
import { orderByLastUse } from '../../src/core/plan/lastUseOrder';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotBuilder } from './snapshotBuilder';
import { assertInvalid } from './assertInvalid';

const S = 1_000_000_000n;
const H = 3600n * S;
const D = 24n * H;

describe('unused-for filter', () => {
  it('parses durations with days and weeks, and stays out of what the engine is sent', () => {
    const f = parseFilterArgs(['unused-for=14d', 'until=24h']);
    assert.deepStrictEqual(f.unusedFor, { raw: '14d', durationNs: 14n * D });
    assert.strictEqual(parseFilterArgs([' unused-for = 36h ']).unusedFor?.durationNs, 36n * H);
    assert.deepStrictEqual(toEngineFilters('all', f), { dangling: ['false'], until: ['24h'] });
    assert.deepStrictEqual(engineFilterStrings(f), ['until=24h']);
    assert.strictEqual(describeFilters(f), 'until=24h, unused-for=14d');
  });

  it('refuses zero, negative, malformed and repeated values with the accepted forms', () => {
    assertInvalid(() => parseFilterArgs(['unused-for=0']), 'unused-for', '14d');
    assertInvalid(() => parseFilterArgs(['unused-for=-1h']), '"-1h"');
    assertInvalid(() => parseFilterArgs(['unused-for=2024-01-01']), 'duration');
    assertInvalid(() => parseFilterArgs(['unused-for=']), 'unused-for');
    assertInvalid(() => parseFilterArgs(['unused-for=1d', 'unused-for=2d']), 'Only one unused-for');
    assertInvalid(() => parseFilterArgs(['unusedfor=1d']), 'unused-for');
  });

  it('a native prune refuses it: no engine knows when an image was last used', () => {
    const policy: PrunePolicy = { mode: 'all', filters: parseFilterArgs(['unused-for=14d']), protect: [] };
    assertInvalid(() => assertNativeCompatible(policy), 'native', 'unused-for=14d');
  });
});

/** Images a..e; a used 20 days ago, b never seen used (created 30 days ago), c used yesterday, d running, e 14 days to the second. */
function population(profile?: Snapshot['profile']): { b: SnapshotBuilder; snapshot: Snapshot } {
  const b = new SnapshotBuilder(profile);
  b.image('a', { tags: ['a:1'], ageHours: 40 * 24 })
    .image('b', { tags: ['b:1'], ageHours: 30 * 24 })
    .image('c', { tags: ['c:1'], ageHours: 50 * 24 })
    .image('e', { tags: ['e:1'], ageHours: 60 * 24 })
    .image('d', { tags: ['d:1'], ageHours: 90 * 24 })
    .container('runs', 'd', 'running');
  const s = b.build();
  const lastUsed = new Map<string, LastUse>([
    [b.id('a'), { atNs: s.daemonNowNs - 20n * D, source: 'event', lowerBound: false }],
    [b.id('c'), { atNs: s.daemonNowNs - 1n * D, source: 'container', lowerBound: true }],
    [b.id('e'), { atNs: s.daemonNowNs - 14n * D, source: 'last-tag-time', lowerBound: true }],
  ]);
  return { b, snapshot: { ...s, lastUsed } };
}

describe('planning with unused-for', () => {
  const policy: PrunePolicy = { mode: 'all', filters: parseFilterArgs(['unused-for=14d']), protect: [] };
  for (const profile of [
    undefined,
    { product: 'docker', store: 'containerd', version: '28.5.2', apiVersion: '1.51', engineId: 'T', storageDriver: 'overlayfs' } as const,
  ]) {
    it(`takes exactly the images last used at least that long ago (${profile?.store ?? 'graphdriver'})`, () => {
      const { b, snapshot } = population(profile);
      const plan = planPrune(snapshot, policy);
      assert.deepStrictEqual(plan.items.map((i) => b.nameOf(i.id)).sort(), ['a', 'b', 'e']);
      const kept = new Map(plan.kept.map((k) => [b.nameOf(k.id), k.reason]));
      assert.strictEqual(kept.get('c'), 'recently-used');
      assert.strictEqual(kept.get('d'), 'in-use');
    });
  }

  it('an image without a recorded use counts from its created time', () => {
    const { b, snapshot } = population();
    const plan = planPrune({ ...snapshot, lastUsed: new Map() }, { ...policy, filters: parseFilterArgs(['unused-for=45d']) });
    assert.deepStrictEqual(plan.items.map((i) => b.nameOf(i.id)).sort(), ['c', 'e']);
  });

  it('refuses a snapshot read without last-use tracking rather than guess', () => {
    const { snapshot } = population();
    assert.throws(() => planPrune({ ...snapshot, lastUsed: undefined }, policy), /last-use tracking/);
  });

  it('orderByLastUse puts the least recently used first (ties: older created, then id)', () => {
    const { b, snapshot } = population();
    const ordered = orderByLastUse(snapshot.images, snapshot).map((i) => b.nameOf(i.id));
    // d has no record (created 90 d ago; the snapshot map only has a, c, e), b counts from its created time (30 d).
    assert.deepStrictEqual(ordered, ['d', 'b', 'a', 'e', 'c']);
    const tie = { ...snapshot, lastUsed: new Map([...snapshot.images].map((i) => [i.id, { atNs: 5n, source: 'event' as const, lowerBound: false }])) };
    assert.deepStrictEqual(
      orderByLastUse(snapshot.images, tie).map((i) => b.nameOf(i.id)),
      ['d', 'e', 'c', 'a', 'b'],
      'same last use: older created first',
    );
  });
});

describe('last-use state', () => {
  const rec = (atNs: bigint, source: LastUseRecord['source'] = 'event'): LastUseRecord => ({ atNs, source });

  it('keeps the latest use of each image; a tie keeps the known source', () => {
    const images = new Map<string, LastUseRecord>();
    assert.ok(recordUse(images, 'x', 10n, 'created'));
    assert.ok(recordUse(images, 'x', 20n, 'event'));
    assert.ok(!recordUse(images, 'x', 15n, 'container'));
    assert.ok(!recordUse(images, 'x', 20n, 'container'));
    assert.deepStrictEqual(images.get('x'), rec(20n));
  });

  it('merges two processes: later uses win, overlapping coverage joins, a later disjoint span replaces', () => {
    const a: LastUseState = {
      engineKey: 'k',
      coveredSinceNs: 100n,
      seenUntilNs: 200n,
      images: new Map([
        ['x', rec(150n)],
        ['y', rec(120n)],
      ]),
    };
    const b: LastUseState = {
      engineKey: 'k',
      coveredSinceNs: 180n,
      seenUntilNs: 300n,
      anchor: { timeNs: 290n, type: 'image', action: 'tag', actor: 'i' },
      images: new Map([['x', rec(250n)]]),
    };
    const m = mergeStates(a, b);
    assert.strictEqual(m.coveredSinceNs, 100n);
    assert.strictEqual(m.seenUntilNs, 300n);
    assert.strictEqual(m.anchor?.timeNs, 290n);
    assert.deepStrictEqual(
      [...m.images],
      [
        ['x', rec(250n)],
        ['y', rec(120n)],
      ],
    );
    const late: LastUseState = { ...b, coveredSinceNs: 250n };
    assert.strictEqual(mergeStates(late, a).coveredSinceNs, 250n, 'a gap between the spans: coverage starts after it');
  });

  it('a value is a lower bound unless events were followed from then on', () => {
    assert.strictEqual(toLastUse(rec(99n), { coveredSinceNs: 100n }).lowerBound, true);
    assert.strictEqual(toLastUse(rec(100n), { coveredSinceNs: 100n }).lowerBound, false);
    assert.strictEqual(toLastUse(rec(500n), {}).lowerBound, true);
  });
});

describe('last-use file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lastused-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips through an atomic write, one file per engine, nothing left behind', () => {
    const file = lastUseFilePath(path.join(dir, 'last-used'), 'ENGINE-graphdriver');
    assert.notStrictEqual(file, lastUseFilePath(path.join(dir, 'last-used'), 'ENGINE-containerd'));
    const state: LastUseState = {
      engineKey: 'ENGINE-graphdriver',
      coveredSinceNs: 5n,
      seenUntilNs: 1_700_000_000_123_456_789n,
      anchor: { timeNs: 7n, type: 'container', action: 'die', actor: 'c1' },
      images: new Map([['sha256:aa', { atNs: 6n, source: 'last-tag-time' }]]),
      origins: new Map([['sha256:aa', { kind: 'pushed', atNs: 6n, how: 'push', ref: 'r.example/a:1' }]]),
    };
    writeLastUseFile(file, state);
    writeLastUseFile(file, state);
    assert.deepStrictEqual(readLastUseFile(file, 'ENGINE-graphdriver'), { state, writable: true });
    assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)]);
    assert.strictEqual(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  });

  it('no file is an empty start; a torn, edited or foreign file is set aside, a problem named with the file, never a crash', () => {
    const file = lastUseFilePath(dir, 'E');
    assert.deepStrictEqual(readLastUseFile(file, 'E'), { writable: true });
    writeLastUseFile(file, { ...emptyState('E'), images: new Map([['sha256:aa', { atNs: 6n, source: 'event' }]]) });
    const whole = fs.readFileSync(file, 'utf8');
    for (const bad of [whole.slice(0, whole.length / 2), '[]', whole.replace('"event"', '"guess"'), whole.replace('"6"', '"-6"')]) {
      fs.writeFileSync(file, bad);
      const r = readLastUseFile(file, 'E');
      assert.strictEqual(r.state, undefined);
      assert.ok(r.problem?.includes(file) && r.problem.includes('lower bounds') && r.problem.includes('.corrupt-'), r.problem);
      assert.ok(r.writable && !fs.existsSync(file));
    }
    fs.writeFileSync(file, whole);
    assert.ok(readLastUseFile(file, 'OTHER').problem?.includes('for engine "E"'));
  });
});

describe('events as uses', () => {
  const images = [
    { id: 'sha256:' + 'a'.repeat(64), repoTags: ['app:1', 'team/app:latest'], repoDigests: ['team/app@sha256:' + 'd'.repeat(64)] },
    { id: 'sha256:' + 'b'.repeat(64), repoTags: [], repoDigests: [] },
  ];
  const ev = (Type: string, Action: string, ID: string, Attributes: Record<string, string> = {}, timeNs = 1_700_000_000_000_000_001n): ApiEvent => ({
    Type,
    Action,
    Actor: { ID, Attributes },
    timeNs,
  });

  it('image pull (by reference), tag, load, import and build are uses; untag, delete, push and save are not', () => {
    const r = new ImageResolver(images);
    const a = images[0]!.id;
    assert.deepStrictEqual(useOfEvent(ev('image', 'pull', 'team/app'), r), { imageId: a, atNs: 1_700_000_000_000_000_001n });
    assert.strictEqual(useOfEvent(ev('image', 'pull', 'docker.io/library/app:1'), r)?.imageId, a);
    assert.strictEqual(useOfEvent(ev('image', 'pull', 'team/app@sha256:' + 'd'.repeat(64)), r)?.imageId, a);
    for (const action of ['tag', 'load', 'import', 'create']) assert.strictEqual(useOfEvent(ev('image', action, a), r)?.imageId, a, action);
    assert.strictEqual(useOfEvent(ev('image', 'tag', 'b'.repeat(64)), r)?.imageId, images[1]!.id, "Podman's bare hex id");
    for (const action of ['untag', 'delete', 'push', 'save']) assert.strictEqual(useOfEvent(ev('image', action, a), r), undefined, action);
    assert.strictEqual(useOfEvent(ev('image', 'pull', 'unknown:1'), r), undefined);
  });

  it('container events use the image the container was created with, remembered by container id', () => {
    const r = new ImageResolver(images, [{ id: 'live', imageId: images[1]!.id }]);
    assert.strictEqual(
      useOfEvent(ev('container', 'die', 'live', { image: 'app:1' }), r)?.imageId,
      images[1]!.id,
      'a live container: its image id, even when the name moved',
    );
    assert.strictEqual(useOfEvent(ev('container', 'create', 'gone', { image: 'app:1' }), r)?.imageId, images[0]!.id);
    assert.strictEqual(useOfEvent(ev('container', 'destroy', 'gone', { image: 'other' }), r)?.imageId, images[0]!.id);
    assert.strictEqual(useOfEvent(ev('container', 'start', 'byid', { image: 'bbbbbbbbbbbb' }), r)?.imageId, images[1]!.id, 'a short id');
    assert.strictEqual(useOfEvent(ev('container', 'exec_start: sh', 'live', { image: 'app:1' }), r), undefined);
    assert.strictEqual(useOfEvent(ev('network', 'connect', 'n'), r), undefined);
  });
});
