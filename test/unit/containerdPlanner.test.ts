import * as assert from 'assert';
import type { EngineProfile } from '../../src/core/engine/engineProfile';
import { parseFilterArgs } from '../../src/core/filters';
import type { ContainerdFacts, Plan, PrunePolicy, Snapshot } from '../../src/core/model';
import { containerdLabelsMatch, parseNamed } from '../../src/core/plan/containerdPlanner';
import { planPrune } from '../../src/core/plan/planner';
import { estimateBlobs, manifestSizeGuess } from '../../src/core/space/blobEstimate';
import { SnapshotBuilder } from './snapshotBuilder';

const profile = (version: string): EngineProfile => ({
  product: 'docker',
  store: 'containerd',
  version,
  apiVersion: '1.51',
  engineId: 'T',
  storageDriver: 'overlayfs',
});
const policy = (mode: 'dangling' | 'all', filters: string[] = [], protect: string[] = []): PrunePolicy => ({
  mode,
  filters: parseFilterArgs(filters),
  protect,
});

/**
 * app (app:1, app:2, other/app:3), used by a container created as `app:1`;
 * byid (byid:1, byid:2), used by a container created by id; gone (gone:1), unused; loose (dangling record only);
 * named (named:1) with a dangling record too (a second load from Docker 28.1).
 */
function world(version: string, extra?: (b: SnapshotBuilder) => void): { snapshot: Snapshot; b: SnapshotBuilder } {
  const b = new SnapshotBuilder(profile(version))
    .image('app', {
      tags: ['app:1', 'app:2', 'other/app:3'],
      layers: [
        ['base', 1000],
        ['app', 100],
      ],
    })
    .image('byid', {
      tags: ['byid:1', 'byid:2'],
      layers: [
        ['base', 1000],
        ['byid', 10],
      ],
    })
    .image('gone', {
      tags: ['gone:1'],
      layers: [
        ['base', 1000],
        ['gone', 20],
      ],
    })
    .image('loose', { layers: [['loose', 5]] })
    .image('named', { tags: ['named:1'], layers: [['named', 7]] })
    .containerRef('c-app', 'app', 'app:1')
    .containerRef('c-byid', 'byid', 'id');
  extra?.(b);
  const base = b.build();
  const containerd: ContainerdFacts = { danglingRecords: new Set([b.id('loose'), b.id('named')]) };
  return { snapshot: { ...base, containerd }, b };
}

const steps = (plan: Plan, b: SnapshotBuilder) =>
  plan.items.map((i) => `${i.action} ${b.nameOf(i.id)} [${[...i.tags, ...(i.danglingRecord ? ['<dangling record>'] : [])].join(' ')}]`).sort();

describe('containerd store planner', () => {
  it('dangling mode takes moby-dangling records: the image with no name goes, the named one only loses its record', () => {
    const { snapshot, b } = world('28.5.2');
    assert.deepStrictEqual(steps(planPrune(snapshot, policy('dangling'), { engineParity: true }), b), [
      'delete loose [<dangling record>]',
      'untag named [<dangling record>]',
    ]);
  });

  it('all mode, 27.3+: names a container used survive, the id-used image keeps its sort-last name', () => {
    const { snapshot, b } = world('28.5.2');
    assert.deepStrictEqual(steps(planPrune(snapshot, policy('all'), { engineParity: true }), b), [
      'delete gone [gone:1]',
      'delete loose [<dangling record>]',
      'delete named [named:1 <dangling record>]',
      'untag app [app:2 other/app:3]',
      'untag byid [byid:1]',
    ]);
  });

  it('all mode, before 27.3: the id-used image loses every name (the engine then makes a dangling record)', () => {
    const { snapshot, b } = world('26.1.5');
    const plan = planPrune(snapshot, policy('all'), { engineParity: true });
    assert.ok(steps(plan, b).includes('untag byid [byid:1 byid:2]'), steps(plan, b).join('\n'));
  });

  it("Docker Prune's own plan never touches an image a container uses", () => {
    const { snapshot, b } = world('28.5.2');
    assert.deepStrictEqual(steps(planPrune(snapshot, policy('all')), b), [
      'delete gone [gone:1]',
      'delete loose [<dangling record>]',
      'delete named [named:1 <dangling record>]',
    ]);
  });

  it('a container that named a tag now on another image does not protect its old image if that has another name', () => {
    const { snapshot, b } = world('28.5.2', (w) => w.image('old', { tags: ['old:keep'], layers: [['old', 3]] }).containerRef('c-moved', 'old', 'gone:1'));
    const parity = steps(planPrune(snapshot, policy('all'), { engineParity: true }), b);
    assert.ok(parity.includes('delete old [old:keep]'), 'the engine deletes it');
    assert.ok(!parity.some((s) => s.startsWith('delete gone')), 'the moved name protects its new image');
    assert.ok(!steps(planPrune(snapshot, policy('all')), b).some((s) => s.includes(' old ')), 'Docker Prune keeps it');
  });

  it('bytes: content and snapshots of the last holder only; the engine reports content alone before 29.6', () => {
    const { snapshot, b } = world('28.5.2');
    const withBlobs: Snapshot = {
      ...snapshot,
      images: snapshot.images.map((i) => ({ ...i, blobs: [{ key: `own:${i.id}`, size: 50, estimated: false }] })),
    };
    const plan = planPrune(withBlobs, policy('all'));
    const gone = plan.items.find((i) => b.nameOf(i.id) === 'gone')!;
    assert.strictEqual(gone.bytes, 20 + 50, 'its own layer and blob; base stays with app and byid');
    assert.strictEqual(plan.engineReportedBytes, 3 * 50);
    const v296 = planPrune({ ...withBlobs, profile: profile('29.6.0') }, policy('all'));
    assert.strictEqual(v296.engineReportedBytes, undefined, 'from 29.6 the engine counts snapshots too');
  });

  it('until: only the records the engine found old enough; none without its word', () => {
    const { snapshot, b } = world('28.5.2');
    const p = policy('all', ['until=1h']);
    assert.deepStrictEqual(planPrune(snapshot, p).items, []);
    const told: Snapshot = {
      ...snapshot,
      containerd: { ...snapshot.containerd!, beforeUntil: { until: '1h', names: new Set(['gone:1', 'named:1']), danglingRecords: new Set() } },
    };
    assert.deepStrictEqual(steps(planPrune(told, p), b), ['delete gone [gone:1]', 'untag named [named:1]']);
  });

  it('protect patterns keep an image whole', () => {
    const { snapshot, b } = world('28.5.2');
    assert.ok(!steps(planPrune(snapshot, policy('all', [], ['gone:*'])), b).some((s) => s.includes('gone')));
  });
});

describe('containerd store filters', () => {
  const f = (...args: string[]) => parseFilterArgs(args).labels;
  it('every label filter must hold; label=k!=v means label!=k=v', () => {
    assert.ok(containerdLabelsMatch(f('label=a=1', 'label=b'), { a: '1', b: 'x' }, true));
    assert.ok(!containerdLabelsMatch(f('label=a=1', 'label=b'), { a: '1' }, true));
    assert.ok(containerdLabelsMatch(f('label=a!=1'), { a: '2' }, true));
    assert.ok(!containerdLabelsMatch(f('label!=a'), { a: '2' }, true));
  });
  it('label!=k=v: an image without k matches from 29.4.1, not before (moby#52334)', () => {
    assert.ok(containerdLabelsMatch(f('label!=env=prod'), {}, true));
    assert.ok(!containerdLabelsMatch(f('label!=env=prod'), {}, false));
    assert.ok(!containerdLabelsMatch(f('label!=env=prod'), { env: 'prod' }, true));
  });
  it("a container's Config.Image names the record the engine protects", () => {
    assert.deepStrictEqual(parseNamed('rl'), { full: 'docker.io/library/rl:latest' });
    assert.deepStrictEqual(parseNamed('team/app:1'), { full: 'docker.io/team/app:1' });
    assert.deepStrictEqual(parseNamed('localhost:5000/app'), { full: 'localhost:5000/app:latest' });
    const d = `sha256:${'a'.repeat(64)}`;
    assert.deepStrictEqual(parseNamed(`app:1@${d}`), { full: `docker.io/library/app:1@${d}`, tagged: 'docker.io/library/app:1' });
    assert.strictEqual(parseNamed('a'.repeat(64)), undefined);
    assert.strictEqual(parseNamed('Upper'), undefined);
  });
});

describe('containerd content blobs', () => {
  it('an image sharing no layer holds one exact blob: its whole content', () => {
    const blobs = estimateBlobs([{ id: 'x', total: 5000, configEstimate: 300, diffIds: ['a'], unpacked: [4096] }]);
    assert.deepStrictEqual(blobs.get('x'), [{ key: 'image-content:x', size: 5000, estimated: false }]);
  });

  it('shared layer blobs are solved from the totals: exact when the configs are estimated right', () => {
    // base blob 1000, top blobs 200 and 300; configs 100; manifests known.
    const images = [
      { id: 'b', total: 1000 + 100 + 400, manifest: 400, configEstimate: 100, diffIds: ['base'], unpacked: [1024] },
      { id: 'x', total: 1000 + 200 + 100 + 500, manifest: 500, configEstimate: 100, diffIds: ['base', 'x'], unpacked: [1024, 256] },
      { id: 'y', total: 1000 + 300 + 100 + 500, manifest: 500, configEstimate: 100, diffIds: ['base', 'y'], unpacked: [1024, 256] },
    ];
    const blobs = estimateBlobs(images);
    const base = blobs.get('x')!.find((bl) => bl.key === 'layer-blob:base')!;
    assert.ok(Math.abs(base.size - 1000) <= 2, `base ${base.size}`);
    const own = (id: string) => blobs.get(id)!.find((bl) => bl.key.startsWith('image-content:'))!;
    assert.ok(Math.abs(own('x').size - 800) <= 2 && own('x').estimated, `x own ${own('x').size}`);
    for (const img of images)
      assert.strictEqual(
        blobs.get(img.id)!.reduce((s, bl) => s + bl.size, 0),
        img.total,
        'an image’s blobs add up to its content',
      );
  });

  it('a manifest guess for APIs before 1.48 (measured 422, 579, 736, 892 bytes for 1–4 layers)', () => {
    assert.deepStrictEqual([1, 2, 3, 4].map(manifestSizeGuess), [423, 580, 737, 894]);
  });
});
