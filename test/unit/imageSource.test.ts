import * as assert from 'assert';
import { parseCliArgs } from '../../src/cli/args';
import { loadedWarning, sourcesLine } from '../../src/cli/render';
import type { ApiEvent } from '../../src/core/engine/apiTypes';
import { assertNativeCompatible } from '../../src/core/execute/nativePrune';
import { describeFilters, engineFilterStrings, matchesSourceFilters, parseFilterArgs } from '../../src/core/filters';
import { recordOrigin, type ImageOrigin } from '../../src/core/lastUsed/lastUseState';
import { deletedImageOf, ImageResolver, originOfEvent } from '../../src/core/lastUsed/usageEvents';
import type { ImageSource, LastUse, PrunePolicy, Snapshot, SourceKind } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { parseWatermarks } from '../../src/core/plan/watermarkMarks';
import { planWatermarkPrune } from '../../src/core/plan/watermarkPolicy';
import { classifySource, provenanceOf, registryOf, sourceLabel } from '../../src/core/source/imageSource';
import { SnapshotBuilder } from './snapshotBuilder';
import { assertInvalid } from './assertInvalid';

const D = 'sha256:' + 'd'.repeat(64);
const origin = (kind: ImageOrigin['kind'], how: string, ref?: string, atNs = 10n): ImageOrigin => ({ kind, how, atNs, ...(ref ? { ref } : {}) });

describe('image source: classification', () => {
  it('graphdriver: a registry digest means pulled, with its registry, whatever the tags say', () => {
    const s = classifySource({ repoTags: [], repoDigests: [`127.0.0.1:5000/team/app@${D}`] }, { store: 'graphdriver' });
    assert.deepStrictEqual(s, { kind: 'pulled', registry: '127.0.0.1:5000', reference: `127.0.0.1:5000/team/app@${D}`, evidence: 'registry digest' });
    assert.strictEqual(
      classifySource({ repoTags: [], repoDigests: [`alpine@${D}`] }, { store: 'graphdriver', origin: origin('loaded', 'load') }).kind,
      'pulled',
      'pushed after it was loaded',
    );
    assert.strictEqual(registryOf('alpine:3'), 'docker.io');
    assert.strictEqual(registryOf('ghcr.io/x/y@' + D), 'ghcr.io');
  });

  it('containerd store: its digests prove nothing; events and the distribution-source annotation do', () => {
    const named = { repoTags: ['dp/built:1'], repoDigests: [`dp/built@${D}`] };
    assert.strictEqual(classifySource(named, { store: 'containerd' }).kind, 'unknown');
    assert.strictEqual(classifySource(named, { store: 'containerd', origin: origin('built', 'create') }).kind, 'built');
    const pushed = classifySource(
      { repoTags: [], repoDigests: [`127.0.0.1:5000/built/pushed@${D}`] },
      { store: 'containerd', origin: origin('pushed', 'push', '127.0.0.1:5000/built/pushed:1') },
    );
    assert.deepStrictEqual(pushed, { kind: 'pulled', registry: '127.0.0.1:5000', reference: `127.0.0.1:5000/built/pushed@${D}`, evidence: 'push event' });
    const annotated = provenanceOf({
      Descriptor: { annotations: { 'containerd.io/distribution.source.127.0.0.1': 'pulled/b', 'io.containerd.image.name': 'x' } },
    });
    assert.deepStrictEqual(annotated, { distributionSources: ['127.0.0.1/pulled/b'] });
    // Docker 28.5's containerd store lists one RepoDigest per image, under whichever of its names.
    const s = classifySource(
      { repoTags: ['127.0.0.1:36739/pulled/b:1', 'local/b:1'], repoDigests: [`local/b@${D}`] },
      { store: 'containerd', provenance: annotated },
    );
    assert.deepStrictEqual([s.kind, s.registry, s.reference], ['pulled', '127.0.0.1:36739', `127.0.0.1:36739/pulled/b@${D}`]);
    const pulledEvent = classifySource(
      { repoTags: ['r.example/app:1', 'local/app:1'], repoDigests: [`local/app@${D}`] },
      { store: 'containerd', origin: origin('pulled', 'pull', 'r.example/app:1') },
    );
    assert.strictEqual(pulledEvent.reference, `r.example/app@${D}`);
  });

  it('loaded by a load or import event, or by the history docker import writes; built by appearance; else unknown', () => {
    assert.strictEqual(classifySource({ repoTags: [], repoDigests: [] }, { store: 'graphdriver', origin: origin('loaded', 'load') }).kind, 'loaded');
    assert.deepStrictEqual(provenanceOf({ Comment: 'Imported from -' }), { imported: true });
    assert.deepStrictEqual(provenanceOf({ Comment: 'imported from tarball' }), { imported: true }, 'Podman 5');
    assert.strictEqual(provenanceOf({ Comment: 'buildkit.dockerfile.v0' }), undefined);
    assert.strictEqual(classifySource({ repoTags: [], repoDigests: [] }, { store: 'graphdriver', provenance: { imported: true } }).kind, 'loaded');
    assert.deepStrictEqual(classifySource({ repoTags: [], repoDigests: [] }, { store: 'graphdriver', origin: origin('built', 'appeared') }), {
      kind: 'built',
      evidence: 'appeared with no pull, load or import',
    });
    assert.strictEqual(classifySource({ repoTags: [], repoDigests: [] }, { store: 'graphdriver' }).kind, 'unknown');
    assert.strictEqual(
      classifySource({ repoTags: [], repoDigests: [] }, { store: 'graphdriver', origin: origin('pushed', 'push', 'r.example/a:1') }).kind,
      'unknown',
      'graphdriver: no digest, so the push is stale',
    );
    assert.strictEqual(classifySource({ repoTags: [], repoDigests: [`x@${D}`] }, { store: 'podman' }).kind, 'unknown', "Podman's digests prove nothing either");
  });

  it('events: pull and push name the reference, load/import/create the image; a pull or push overrides, a load does not', () => {
    const id = 'sha256:' + 'a'.repeat(64);
    const r = new ImageResolver([{ id, repoTags: ['127.0.0.1:5000/app:1', 'local/app:1'], repoDigests: [] }]);
    const ev = (Action: string, ID: string): ApiEvent => ({ Type: 'image', Action, Actor: { ID, Attributes: {} }, timeNs: 5n });
    assert.deepStrictEqual(originOfEvent(ev('pull', '127.0.0.1:5000/app:1'), r), {
      imageId: id,
      origin: { kind: 'pulled', atNs: 5n, how: 'pull', ref: '127.0.0.1:5000/app:1' },
    });
    assert.strictEqual(originOfEvent(ev('load', id), r)?.origin.kind, 'loaded');
    assert.strictEqual(originOfEvent(ev('import', id), r)?.origin.kind, 'loaded');
    assert.strictEqual(originOfEvent(ev('create', id), r)?.origin.kind, 'built');
    assert.strictEqual(originOfEvent(ev('tag', id), r), undefined, 'a tag says nothing about where the image came from');
    const origins = new Map<string, ImageOrigin>();
    assert.ok(recordOrigin(origins, id, origin('built', 'appeared', undefined, 1n)));
    assert.ok(!recordOrigin(origins, id, origin('loaded', 'load', undefined, 2n)), 'the first way it came stays');
    assert.ok(recordOrigin(origins, id, origin('pushed', 'push', '127.0.0.1:5000/app:1', 3n)), 'a push makes it pullable');
    assert.strictEqual(deletedImageOf(ev('delete', id), r), id, 'a delete of an image here again: its origin is forgotten');
    assert.strictEqual(deletedImageOf(ev('untag', id), r), undefined);
  });

  it("Podman's pull names the image id in Actor.ID and the reference aside: the registry comes from the reference, never a guess", () => {
    const id = 'sha256:' + 'b'.repeat(64);
    const r = new ImageResolver([{ id, repoTags: ['127.0.0.1:5000/pm5/app:1'], repoDigests: [] }]);
    const podmanPull: ApiEvent = { Type: 'image', Action: 'pull', Actor: { ID: id.slice(7), Attributes: { name: '127.0.0.1:5000/pm5/app:1' } }, timeNs: 5n };
    const o = originOfEvent(podmanPull, r)!;
    assert.strictEqual(o.origin.ref, '127.0.0.1:5000/pm5/app:1');
    assert.strictEqual(
      classifySource({ repoTags: ['127.0.0.1:5000/pm5/app:1'], repoDigests: [] }, { store: 'podman', origin: o.origin }).registry,
      '127.0.0.1:5000',
    );
    // An event without a name: the image's own names say where; with none, no registry is named (not docker.io).
    const bare = origin('pulled', 'pull');
    assert.strictEqual(classifySource({ repoTags: ['r.example:5000/a:1'], repoDigests: [] }, { store: 'podman', origin: bare }).registry, 'r.example:5000');
    assert.strictEqual(classifySource({ repoTags: [], repoDigests: [] }, { store: 'podman', origin: bare }).registry, undefined);
  });
});

describe('image source: the filter', () => {
  it('parses source= and source!=, stays out of what the engine is sent, and is described', () => {
    const f = parseFilterArgs(['source=pulled', 'source!=Loaded', 'source=pulled', 'until=24h']);
    assert.deepStrictEqual(f.sources, [
      { negate: false, kind: 'pulled' },
      { negate: true, kind: 'loaded' },
    ]);
    assert.deepStrictEqual(engineFilterStrings(f), ['until=24h']);
    assert.strictEqual(describeFilters(f), 'until=24h, source=pulled, source!=loaded');
    assert.strictEqual(parseFilterArgs([]).sources, undefined);
  });

  it('refuses unknown kinds, naming the accepted ones; a native prune refuses the filter', () => {
    assertInvalid(() => parseFilterArgs(['source=registry']), 'source', 'registry', 'pulled, built, loaded or unknown');
    assertInvalid(() => parseFilterArgs(['source!=']), 'source!');
    const policy: PrunePolicy = { mode: 'all', filters: parseFilterArgs(['source!=loaded']), protect: [] };
    assertInvalid(() => assertNativeCompatible(policy), 'native', 'source!=loaded');
    assertInvalid(() => parseCliArgs(['plan', '--include-loaded']), '--include-loaded', '--watermark');
    assert.strictEqual(parseCliArgs(['plan', '--watermark', '2GB:1GB', '--include-loaded']).watermark?.includeLoaded, true);
  });

  it('several source= mean any of them; every source!= must hold; an unread source is unknown', () => {
    const s = (kind: SourceKind): ImageSource => ({ kind, evidence: 't' });
    const f = parseFilterArgs(['source=pulled', 'source=built']).sources;
    assert.deepStrictEqual(
      (['pulled', 'built', 'loaded', 'unknown'] as const).map((k) => matchesSourceFilters(f, s(k))),
      [true, true, false, false],
    );
    assert.strictEqual(matchesSourceFilters(parseFilterArgs(['source!=unknown']).sources, undefined), false);
  });
});

describe('image source: in plans', () => {
  /** p1, p2 pulled; b built; l loaded; u unknown. Last used: l oldest, then u, b, p2, p1. */
  function world(): { b: SnapshotBuilder; snapshot: Snapshot } {
    const b = new SnapshotBuilder()
      .image('p1', { tags: ['reg.example/p1:1'], layers: [['P1', 100]], ageHours: 100 })
      .image('p2', { tags: ['reg.example/p2:1'], layers: [['P2', 100]], ageHours: 100 })
      .image('b', { tags: ['dp/b:1'], layers: [['B', 100]], ageHours: 100 })
      .image('l', { tags: ['dp/l:1'], layers: [['L', 100]], ageHours: 100 })
      .image('u', { tags: ['dp/u:1'], layers: [['U', 100]], ageHours: 100 });
    const snapshot = b.build();
    const hoursAgo: Record<string, number> = { l: 50, u: 40, b: 30, p2: 20, p1: 10 };
    const lastUsed = new Map<string, LastUse>(
      Object.entries(hoursAgo).map(([n, h]) => [
        b.id(n),
        { atNs: snapshot.daemonNowNs - BigInt(h * 3600) * 1_000_000_000n, source: 'event', lowerBound: false },
      ]),
    );
    const kinds: Record<string, SourceKind> = { p1: 'pulled', p2: 'pulled', b: 'built', l: 'loaded', u: 'unknown' };
    const sources = new Map<string, ImageSource>(
      Object.entries(kinds).map(([n, kind]) => [b.id(n), { kind, evidence: 't', ...(kind === 'pulled' ? { registry: 'reg.example' } : {}) }]),
    );
    return { b, snapshot: { ...snapshot, lastUsed, sources } };
  }
  const names = (b: SnapshotBuilder, ids: readonly string[]) => ids.map((id) => b.nameOf(id));
  const policy = (...filters: string[]): PrunePolicy => ({ mode: 'all', filters: parseFilterArgs(filters), protect: [] });

  it('source= selects exactly those images; the others are kept as filtered', () => {
    const { b, snapshot } = world();
    const plan = planPrune(snapshot, policy('source=pulled'));
    assert.deepStrictEqual(
      names(
        b,
        plan.items.map((i) => i.id),
      ).sort(),
      ['p1', 'p2'],
    );
    assert.deepStrictEqual(plan.kept.filter((k) => k.reason === 'filtered').length, 3);
    assert.deepStrictEqual(
      names(
        b,
        planPrune(snapshot, policy('source!=loaded', 'source!=unknown')).items.map((i) => i.id),
      ).sort(),
      ['b', 'p1', 'p2'],
    );
  });

  it('a watermark run takes pulled images first, then built, then unknown, each least recently used first; loaded only when asked', () => {
    const { b, snapshot } = world();
    const marks = parseWatermarks('450', '1');
    const { plan, figures } = planWatermarkPrune(snapshot, policy(), marks, { kind: 'unavailable', why: 'sizes' });
    assert.deepStrictEqual(names(b, figures.chosen), ['p2', 'p1', 'b', 'u']);
    assert.deepStrictEqual(
      plan.kept.map((k) => [b.nameOf(k.id), k.reason]),
      [['l', 'loaded']],
    );
    const partial = planWatermarkPrune(snapshot, policy(), parseWatermarks('450', '350'), { kind: 'unavailable', why: 'sizes' });
    assert.deepStrictEqual(names(b, partial.figures.chosen), ['p2', 'p1'], 'pulled ones first, though l, u and b were used longer ago');
    const all = planWatermarkPrune(snapshot, policy(), { ...marks, includeLoaded: true }, { kind: 'unavailable', why: 'sizes' });
    assert.deepStrictEqual(names(b, all.figures.chosen), ['p2', 'p1', 'b', 'u', 'l']);
  });

  it('the CLI counts sources in a line and names loaded images in the warning', () => {
    const { b, snapshot } = world();
    const plan = planPrune(snapshot, policy());
    assert.strictEqual(
      sourcesLine(plan, snapshot.sources),
      '2 can be pulled again (200 B), 1 was built here, 1 was loaded and cannot come back, 1 of unknown source.',
    );
    assert.match(loadedWarning(plan, snapshot.sources)!, /^dp\/l:1 was loaded .*nothing brings it back/);
    assert.strictEqual(loadedWarning(planPrune(snapshot, policy('source=pulled')), snapshot.sources), undefined);
    // After --check-registry: a pulled image whose manifest is gone upstream is counted apart and labelled.
    const checked = new Map(snapshot.sources);
    checked.set(b.id('p1'), { ...checked.get(b.id('p1'))!, upstream: 'gone' });
    assert.strictEqual(
      sourcesLine(plan, checked),
      '1 can be pulled again (100 B), 1 was built here, 1 was loaded and cannot come back, 1 of unknown source, 1 was pulled but is gone from its registry: no longer pullable as it is.',
    );
    assert.strictEqual(sourceLabel(checked.get(b.id('p1'))), 'pulled (reg.example, gone upstream)');
  });
});
