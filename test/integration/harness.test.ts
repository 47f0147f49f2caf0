/**
 * Proves the integration-test support works against a real engine: a private dockerd starts, a generated
 * population loads with exactly the ids, tags, parents, labels, created times and containers it
 * describes, the engine's own `image prune` behaves as the population predicts, and everything stops clean.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { TestEngine } from '../support/dockerd';
import { apiJson, ping, resetEngine, startEngine } from '../support/dockerd';
import type { LoadedPopulation, Population } from '../support/population';
import { childrenOf, generatePopulation, imageByName, imagesInUse, isDangling, loadPopulation } from '../support/population';

interface ListedImage {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  Created: number;
  Size: number;
  Labels: Record<string, string> | null;
}

const sorted = (xs: readonly string[] | null | undefined) => [...(xs ?? [])].filter((t) => t !== '<none>:<none>').sort();

describe('integration harness: private engine + generated population', function () {
  this.timeout(180_000);

  let engine: TestEngine;
  let pop: Population;
  let loaded: LoadedPopulation;

  before(async () => {
    engine = await startEngine({ name: 'harness' });
    pop = generatePopulation({ seed: 42, images: 60, containers: { created: 2, exited: 2, running: 2 } });
    loaded = await loadPopulation(engine.socketPath, pop);
  });

  after(async () => {
    await engine?.stop();
  });

  it('generates the same population from the same seed, another from another seed', () => {
    const again = generatePopulation({ seed: 42, images: 60, containers: { created: 2, exited: 2, running: 2 } });
    assert.ok(again.archive.equals(pop.archive));
    assert.deepEqual(
      again.images.map((i) => i.id),
      pop.images.map((i) => i.id),
    );
    const other = generatePopulation({ seed: 43, images: 60 });
    assert.notDeepEqual(
      other.images.map((i) => i.id),
      pop.images.map((i) => i.id),
    );
  });

  it('contains the shapes prune semantics depend on', () => {
    const depth = (name: string): number => {
      const p = imageByName(pop, name).parent;
      return p ? 1 + depth(p) : 1;
    };
    const tagged = (name: string | undefined) => !!name && imageByName(pop, name).tags.length > 0;
    const repoOf = (ref: string) => ref.slice(0, ref.lastIndexOf(':'));
    const bulk = pop.images.filter((i) => i.name.startsWith('img-'));
    const inUse = imagesInUse(pop);

    assert.ok(
      bulk.some((i) => isDangling(pop, i)),
      'dangling',
    );
    assert.ok(
      bulk.some((i) => i.tags.length === 1 && !i.parent && childrenOf(pop, i.name).length === 0),
      'tagged unused',
    );
    assert.ok(
      pop.images.some((i) => i.tags.length > 1 && new Set(i.tags.map(repoOf)).size === 1),
      'several tags in one repo',
    );
    assert.ok(
      pop.images.some((i) => new Set(i.tags.map(repoOf)).size > 1),
      'tags in several repos',
    );
    for (const d of [2, 3, 4])
      assert.ok(
        bulk.some((i) => depth(i.name) === d && childrenOf(pop, i.name).length === 0),
        `chain ${d} deep`,
      );
    assert.ok(
      bulk.some((i) => i.parent && !tagged(i.parent)),
      'untagged parent',
    );
    assert.ok(
      bulk.some((i) => i.parent && tagged(i.parent)),
      'child of a tagged parent',
    );
    assert.ok(
      pop.images.some((i) => i.labels === null),
      'image without config',
    );
    assert.ok(pop.layers.length < pop.images.length / 2, 'layers are shared');
    const created = pop.images.map((i) => Number(i.createdNs / 1_000_000_000n)).sort((a, b) => a - b);
    assert.ok(created[created.length - 1]! - created[0]! > 365 * 86_400, 'created times span more than a year');
    assert.ok(
      [...inUse].some((n) => childrenOf(pop, n).length > 0),
      'container on a parent image',
    );
    assert.ok(
      [...inUse].some((n) => tagged(imageByName(pop, n).parent)),
      'container on a child of a tagged parent',
    );
    for (const key of pop.options.labelKeys) {
      const withKey = pop.images.filter((i) => i.labels && key in i.labels).length;
      assert.ok(withKey > 0 && withKey < pop.images.length, `label ${key} selects a proper subset`);
    }
  });

  it('loads every image with its id, tags, parent, labels, created time and size', async () => {
    const listed = await apiJson<ListedImage[]>(engine.socketPath, 'GET', '/images/json?all=1');
    assert.equal(listed.length, pop.images.length);
    const byId = new Map(listed.map((i) => [i.Id, i]));
    for (const img of pop.images) {
      const got = byId.get(loaded.imageIds.get(img.name)!);
      assert.ok(got, `${img.name} listed`);
      assert.equal(got.Id, img.id);
      assert.deepEqual(sorted(got.RepoTags), sorted(img.tags), `${img.name} tags`);
      assert.equal(got.ParentId, img.parent ? loaded.imageIds.get(img.parent) : '', `${img.name} parent`);
      assert.equal(got.Created, Number(img.createdNs / 1_000_000_000n), `${img.name} created`);
      assert.equal(got.Size, img.size, `${img.name} size`);
      const labels = img.labels && Object.keys(img.labels).length ? img.labels : null;
      assert.deepEqual(got.Labels, labels, `${img.name} labels`);
    }
    // Without all=1 the engine hides untagged images that have children (intermediates).
    const visible = await apiJson<ListedImage[]>(engine.socketPath, 'GET', '/images/json');
    const expectVisible = pop.images.filter((i) => i.tags.length > 0 || childrenOf(pop, i.name).length === 0);
    assert.equal(visible.length, expectVisible.length);
  });

  it('keeps created with nanoseconds and reports Config null for an image without config', async () => {
    for (const img of pop.images.slice(0, 20)) {
      const info = await apiJson<{ Created: string }>(engine.socketPath, 'GET', `/images/${img.id}/json`);
      assert.equal(info.Created, img.created);
    }
    const bare = pop.images.find((i) => i.labels === null)!;
    const info = await apiJson<{ Config: unknown }>(engine.socketPath, 'GET', `/images/${bare.id}/json`);
    assert.equal(info.Config, null);
  });

  it('reports per-layer sizes and parent ids in image history', async () => {
    const leaf = imageByName(pop, 'run-leaf');
    const history = await apiJson<Array<{ Id: string; Size: number; CreatedBy: string }>>(engine.socketPath, 'GET', `/images/${leaf.id}/history`);
    const layers = leaf.layers.map((d) => pop.layers.find((l) => l.diffId === d)!).reverse();
    assert.deepEqual(
      history.map((h) => [h.Size, h.CreatedBy]),
      layers.map((l) => [l.size, l.createdBy]),
    );
    const chainIds: string[] = [];
    for (let name: string | undefined = leaf.name; name; name = imageByName(pop, name).parent) chainIds.push(imageByName(pop, name).id);
    assert.deepEqual(
      history.map((h) => h.Id),
      chainIds,
    );
  });

  it('creates the containers in their states, on their images, with no network', async () => {
    const listed = await apiJson<Array<{ Id: string; Names: string[]; ImageID: string; State: string; HostConfig: { NetworkMode: string } }>>(
      engine.socketPath,
      'GET',
      '/containers/json?all=1',
    );
    assert.equal(listed.length, pop.containers.length);
    for (const c of loaded.containers) {
      const got = listed.find((l) => l.Id === c.id);
      assert.ok(got, c.name);
      assert.deepEqual(got.Names, [`/${c.name}`]);
      assert.equal(got.ImageID, imageByName(pop, c.image).id);
      assert.equal(got.State, c.state);
      assert.equal(got.HostConfig.NetworkMode, 'none');
    }
  });

  it("runs the engine's dangling prune as the population predicts", async () => {
    // Expected: repeatedly drop untagged, unused images with no remaining children (the engine cascades
    // from each dangling image to its untagged parents).
    const inUse = imagesInUse(pop);
    const left = new Set(pop.images.map((i) => i.name));
    for (let changed = true; changed;) {
      changed = false;
      for (const img of pop.images) {
        const hasChild = pop.images.some((c) => c.parent === img.name && left.has(c.name));
        if (left.has(img.name) && img.tags.length === 0 && !inUse.has(img.name) && !hasChild) {
          left.delete(img.name);
          changed = true;
        }
      }
    }
    const result = await apiJson<{ ImagesDeleted: Array<{ Deleted?: string }> | null; SpaceReclaimed: number }>(engine.socketPath, 'POST', '/images/prune');
    const deleted = (result.ImagesDeleted ?? []).map((d) => d.Deleted).filter(Boolean);
    const expectedGone = pop.images.filter((i) => !left.has(i.name)).map((i) => i.id);
    assert.ok(expectedGone.length > 0);
    for (const id of expectedGone) assert.ok(deleted.includes(id), `prune reported ${id}`);
    assert.ok(result.SpaceReclaimed > 0);
    const remaining = (await apiJson<ListedImage[]>(engine.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id).sort();
    assert.deepEqual(
      remaining,
      pop.images
        .filter((i) => left.has(i.name))
        .map((i) => i.id)
        .sort(),
    );
  });

  it('resets the engine to empty, and runs a second engine side by side', async () => {
    const second = await startEngine({ name: 'harness2' });
    try {
      assert.ok(await ping(second.socketPath));
      assert.notEqual(second.socketPath, engine.socketPath);
      await loadPopulation(second.socketPath, generatePopulation({ seed: 7, images: 6, containers: { created: 0, exited: 0, running: 1 } }));
      await resetEngine(engine.socketPath);
      assert.deepEqual(await apiJson(engine.socketPath, 'GET', '/containers/json?all=1'), []);
      assert.deepEqual(await apiJson(engine.socketPath, 'GET', '/images/json?all=1'), []);
      // The other engine is untouched.
      assert.equal((await apiJson<unknown[]>(second.socketPath, 'GET', '/images/json?all=1')).length, 6);
    } finally {
      await second.stop();
    }
    assert.equal(fs.existsSync(second.dataDir), false, 'temp dir removed');
    assert.equal(await ping(second.socketPath), false);
    assert.throws(() => process.kill(second.pid, 0), 'dockerd gone');
    assert.ok(await ping(engine.socketPath), 'first engine still up');
  });
});
