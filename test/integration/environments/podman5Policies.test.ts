/**
 * The policies built on last use, on Podman 5, through the built CLI.
 *
 * Last use (one process per run, as cron runs it): Podman's compatible event
 * stream is where a use shows (a container created from an image and removed again, a new tag), the store on disk
 * carries it to the next process, and `unused-for` then selects exactly the images last used before the cut-off —
 * not the one a removed container used — and `prune` removes exactly that plan.
 *
 * Watermarks with sizes (a percentage needs the disk of the engine's root, which this Podman keeps in its own mount
 * namespace): usage is what `/system/df` LayersSize says, the run takes the least recently used images down to
 * under the low mark, and LayersSize then equals the predicted usage.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtCli, CLI } from '../../support/builtCli';
import { apiJson, apiRequest } from '../../support/dockerd';
import { generatePopulation, loadPopulation, sizedImagesArchive, type LoadedPopulation } from '../../support/population';
import { podman5Available, startPodman5, type TestPodman5 } from '../../support/podman5';
import { startRegistry, type TestRegistry } from '../../support/registry';

describe('environments: last use on Podman 5 (built CLI)', function () {
  this.timeout(5 * 60_000);
  let pm: TestPodman5 | undefined;
  let tmp: string;
  let loaded: LoadedPopulation;

  const cliIn = () => builtCli(tmp, () => pm!.dockerHost);
  const cli = (args: string[]) => cliIn().run(args);
  const planIds = (...filters: string[]) => cliIn().planIds(...filters);
  const stored = () => cliIn().storedLastUse();
  const images = async () => (await apiJson<Array<{ Id: string }>>(pm!.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id);

  before(async function () {
    if (!podman5Available()) throw new Error('no Podman 5 root: run scripts/install-podman5.sh (as root) first');
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lastused-pm5-'));
    pm = await startPodman5({ name: 'pm5lu' });
    loaded = await loadPopulation(pm.socketPath, generatePopulation({ seed: 12, images: 16, chainRatio: 0, now: new Date(), maxAgeDays: 60 }));
  });
  after(async () => {
    await pm?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a container created and removed, and a new tag, are uses the next run knows; unused-for and prune take exactly the rest', async () => {
    const [used, tagged] = loaded.population.images.filter((i) => i.name.startsWith('img-') && i.tags.length > 0 && !i.parent);
    assert.ok(used && tagged, 'two standalone tagged bulk images');
    const usedId = loaded.imageIds.get(used.name)!;
    const taggedId = loaded.imageIds.get(tagged.name)!;
    const all = planIds(); // the first run seeds from the engine
    assert.ok(all.includes(usedId) && all.includes(taggedId), 'both are unused');
    const seeded = stored();
    await new Promise((r) => setTimeout(r, 4000));

    const created = await apiJson<{ Id: string }>(pm!.socketPath, 'POST', '/containers/create', {
      Image: used.tags[0],
      Cmd: ['/bin/true'],
      HostConfig: { NetworkMode: 'none' },
    });
    assert.strictEqual((await apiRequest(pm!.socketPath, 'DELETE', `/containers/${created.Id}`)).status, 204);
    assert.strictEqual((await apiRequest(pm!.socketPath, 'POST', `/images/${encodeURIComponent(taggedId)}/tag?repo=dp/used&tag=again`)).status, 201);

    const catchUp = cli(['plan', '--all']); // a new process catches up from the engine's events
    const after = stored();
    for (const id of [usedId, taggedId]) {
      assert.strictEqual(after.images[id]?.source, 'event', `${id}: ${JSON.stringify(after.images[id])}; the run said: ${catchUp.stderr}`);
      assert.ok(BigInt(after.images[id]!.at) > BigInt(seeded.images[id]!.at), 'the use is later than the seed');
    }

    // The cut-off falls between everything else and the two uses.
    const at = (id: string) => BigInt(stored().images[id]!.at);
    const lo = all
      .filter((id) => id !== usedId && id !== taggedId)
      .map(at)
      .reduce((a, b) => (a > b ? a : b));
    const hi = [usedId, taggedId].map(at).reduce((a, b) => (a < b ? a : b));
    assert.ok(hi - lo > 2_000_000_000n, `the uses stand apart: ${hi - lo} ns`);
    const cutNs = (lo + hi) / 2n;
    const unusedFor = () => `${Math.round(Date.now() - Number(cutNs / 1_000_000n))}ms`;
    const expected = all.filter((id) => at(id) <= cutNs).sort();
    assert.deepStrictEqual(expected.includes(usedId) || expected.includes(taggedId), false);
    assert.deepStrictEqual(planIds(`unused-for=${unusedFor()}`), expected);

    const before = await images();
    const r = cli(['prune', '--all', '--yes', '--json', '--filter', `unused-for=${unusedFor()}`]);
    assert.deepStrictEqual((JSON.parse(r.stdout) as { skipped: unknown[] }).skipped, []);
    const left = await images();
    assert.deepStrictEqual(before.filter((id) => !left.includes(id)).sort(), expected, 'the engine lost exactly those');
    assert.ok(left.includes(usedId) && left.includes(taggedId), 'the used images stay');
  });
});

describe('environments: watermark prune on Podman 5 (built CLI)', function () {
  this.timeout(5 * 60_000);
  let pm: TestPodman5 | undefined;
  let home: string;

  before(async function () {
    if (!podman5Available()) throw new Error('no Podman 5 root: run scripts/install-podman5.sh (as root) first');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-wm-pm5-'));
    pm = await startPodman5({ name: 'pm5wm' });
    await loadPopulation(pm.socketPath, generatePopulation({ seed: 5, images: 30, chainRatio: 0.3, danglingRatio: 0.2, now: new Date(), maxAgeDays: 60 }));
  });
  after(async () => {
    await pm?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('usage is LayersSize; the run stops at the computed point and LayersSize lands on the prediction', async () => {
    const cli = (args: string[]) => builtCli(home, () => pm!.dockerHost).run(args).stdout;
    const layersSize = async () => (await apiJson<{ LayersSize: number }>(pm!.socketPath, 'GET', '/system/df')).LayersSize;
    const used = await layersSize();
    const marks = `${used - 1}B:${Math.round(used * 0.7)}B`;
    const plan = JSON.parse(cli(['plan', '--watermark', marks, '--minimum-age', '0', '--include-loaded', '--json'])) as {
      images: Array<{ id: string }>;
      spaceReclaimable: number;
      watermark: { usedBytes: number; lowBytes: number; predictedBytes: number; triggered: boolean; reachesLow: boolean; chosen: string[] };
    };
    const w = plan.watermark;
    assert.strictEqual(w.usedBytes, used, 'usage is what Podman counts');
    assert.ok(w.triggered && w.reachesLow && w.predictedBytes < w.lowBytes, JSON.stringify({ ...w, chosen: w.chosen.length }));
    // A shorter prefix of the order would not have been enough: the run stops at the first point under the mark.
    assert.ok(w.chosen.length > 0);
    const before = new Set((await apiJson<Array<{ Id: string }>>(pm!.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
    cli(['prune', '--watermark', marks, '--minimum-age', '0', '--include-loaded', '--yes', '--json']);
    const after = new Set((await apiJson<Array<{ Id: string }>>(pm!.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
    assert.deepStrictEqual([...before].filter((i) => !after.has(i)).sort(), plan.images.map((i) => i.id).sort(), 'exactly the planned images went');
    assert.strictEqual(await layersSize(), w.predictedBytes, 'LayersSize is the predicted usage');
  });
});

describe('environments: image sources on Podman 5 (built CLI)', function () {
  this.timeout(5 * 60_000);
  let pm: TestPodman5 | undefined;
  let home: string;
  let registry: TestRegistry | undefined;
  const ids = new Map<string, string>();
  const cliIn = () => builtCli(home, () => pm!.dockerHost);
  const nameOf = (id: string) => [...ids].find(([, i]) => i === id)?.[0] ?? id;
  const idOf = async (ref: string) => (await apiJson<{ Id: string }>(pm!.socketPath, 'GET', `/images/${encodeURIComponent(ref)}/json`)).Id;

  before(async function () {
    if (!podman5Available()) throw new Error('no Podman 5 root: run scripts/install-podman5.sh (as root) first');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-src-pm5-'));
    pm = await startPodman5({ name: 'pm5src' });
    const res = await apiRequest(pm.socketPath, 'POST', '/images/load?quiet=1', {
      body: sizedImagesArchive([
        { name: 'a', createdNs: 1_700_000_000_000_000_000n, layers: [{ key: 'pm5-src-a', bytes: 10_000 }] },
        { name: 'b', createdNs: 1_700_000_000_000_000_000n, layers: [{ key: 'pm5-src-b', bytes: 20_000 }] },
      ]).archive,
      contentType: 'application/x-tar',
    });
    assert.strictEqual(res.status, 200, res.body.toString());
    ids.set('loaded', await idOf('wm/a:1'));
    // b goes to a real registry on loopback and leaves this engine, before Docker Prune first looks.
    registry = await startRegistry();
    const remote = `${registry.host}/pm5/pulled`;
    const ok = async (what: string, r: Promise<{ status: number; body: Buffer }>) => {
      const answer = await r;
      assert.ok(answer.status >= 200 && answer.status < 300, `${what}: HTTP ${answer.status} ${answer.body.toString()}`);
    };
    await ok('tag', apiRequest(pm.socketPath, 'POST', `/images/wm/b:1/tag?repo=${encodeURIComponent(remote)}&tag=1`));
    await ok('push', apiRequest(pm.socketPath, 'POST', `/v4.0.0/libpod/images/${remote}:1/push?tlsVerify=false`));
    await ok('remove', apiRequest(pm.socketPath, 'DELETE', `/images/${encodeURIComponent(`${remote}:1`)}`));
    await ok('remove', apiRequest(pm.socketPath, 'DELETE', `/images/wm/b:1`));
    cliIn().run(['plan', '--all']); // the first run: from here on, events are followed
    // Pulled back from the registry: a pull event names it.
    await ok('pull', apiRequest(pm.socketPath, 'POST', `/v4.0.0/libpod/images/pull?reference=${encodeURIComponent(`${remote}:1`)}&tlsVerify=false&quiet=true`));
    ids.set('pulled', await idOf(`${remote}:1`));
    // Committed here (Podman emits no image event for it), and imported (only a tag event; the comment says it).
    const c = await apiJson<{ Id: string }>(pm.socketPath, 'POST', '/containers/create', { Image: 'wm/a:1', Cmd: ['/none'] });
    assert.strictEqual((await apiRequest(pm.socketPath, 'POST', `/commit?container=${c.Id}&repo=dp/committed&tag=1`)).status, 201);
    assert.strictEqual((await apiRequest(pm.socketPath, 'DELETE', `/containers/${c.Id}`)).status, 204);
    ids.set('committed', await idOf('dp/committed:1'));
    const imported = await apiRequest(pm.socketPath, 'POST', '/images/create?fromSrc=-&repo=dp/imported&tag=1', {
      body: sizedImagesArchive([]).archive,
      contentType: 'application/x-tar',
    });
    assert.strictEqual(imported.status, 200, imported.body.toString());
    ids.set('imported', await idOf('dp/imported:1'));
  });
  after(async () => {
    await pm?.stop();
    await registry?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('pulled, loaded, committed and imported images get their source, and source= selects exactly them', () => {
    const plan = JSON.parse(cliIn().run(['plan', '--all', '--json']).stdout) as { images: Array<{ id: string; source: { kind: string; registry?: string } }> };
    const kind = (i: (typeof plan.images)[number]) => (i.source.kind === 'pulled' ? `pulled from ${i.source.registry}` : i.source.kind);
    assert.deepStrictEqual(Object.fromEntries(plan.images.map((i) => [nameOf(i.id), kind(i)])), {
      pulled: `pulled from ${registry!.host}`,
      loaded: 'loaded',
      committed: 'built',
      imported: 'loaded',
    });
    assert.deepStrictEqual(cliIn().planIds('source=pulled'), [ids.get('pulled')]);
    assert.deepStrictEqual(cliIn().planIds('source=built'), [ids.get('committed')]);
    assert.deepStrictEqual(cliIn().planIds('source=loaded'), [ids.get('loaded')!, ids.get('imported')!].sort());
  });
});
