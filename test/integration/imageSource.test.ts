/**
 * Where each image came from (issue 17 §1), against real engines and a real registry on loopback (Debian's
 * docker-registry, test/support/registry.ts), through the built CLI one process per run, as cron runs it:
 * - images loaded from an archive, imported, pulled (and re-tagged locally), built with BuildKit, committed, and
 *   built then pushed: each gets its source, in `plan --json` and in the text plan's column and header line;
 * - `source=` selects exactly the images of that source;
 * - a watermark run takes pulled images first, then built ones, and leaves loaded ones unless --include-loaded;
 * - --check-registry flags an image whose manifest was deleted upstream (DELETE on the registry's own API).
 * Engines: DP_ENGINES, else Docker 20.10 (graphdriver) and 28.5 (containerd store). One registry for the file.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildImage } from '../support/buildx';
import { builtCli, CLI } from '../support/builtCli';
import { apiJson, startEngine, type TestEngine } from '../support/dockerd';
import { engineUnderTest, enginesFromEnv } from '../support/engines';
import { sizedImagesArchive } from '../support/population';
import { startRegistry, type TestRegistry } from '../support/registry';

const engines = process.env.DP_ENGINES ? enginesFromEnv() : [engineUnderTest('20-gd'), engineUnderTest('28-c8d')];

interface PlannedJson {
  images: Array<{ id: string; tags: string[]; action: string; source: { kind: string; registry?: string; evidence: string; upstream?: string } }>;
  watermark?: { chosen: string[] };
}

describe('image sources (real registry on loopback)', function () {
  this.timeout(10 * 60_000);
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry?.stop();
  });

  for (const under of engines) {
    describe(`where each image came from (${under.label}, built CLI)`, () => {
      let engine: TestEngine;
      let tmp: string;
      /** Image id by the name the test gave it. */
      const ids = new Map<string, string>();

      const cli = () => builtCli(tmp, () => engine.dockerHost);
      const planJson = (...args: string[]) => JSON.parse(cli().run(['plan', '--all', '--json', ...args]).stdout) as PlannedJson;
      const docker = (...args: string[]) =>
        execFileSync('docker', args, {
          env: { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_CONFIG: path.join(tmp, 'docker-config') },
          encoding: 'utf8',
        }).trim();
      const idOf = async (ref: string) => (await apiJson<{ Id: string }>(engine.socketPath, 'GET', `/images/${encodeURIComponent(ref)}/json`)).Id;
      const nameOf = (id: string) => [...ids].find(([, i]) => i === id)?.[0] ?? id;

      before(async () => {
        assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-sources-'));
        engine = await startEngine({ name: `src-${under.id}`, suite: under.suite, store: under.store });
        const R = registry.host;
        const reg = `${R}/${under.id}`;
        const archive = path.join(tmp, 'images.tar');
        fs.writeFileSync(
          archive,
          sizedImagesArchive([
            { name: 'a', createdNs: 1_700_000_000_000_000_000n, layers: [{ key: `${under.id}-a`, bytes: 10_000 }] },
            { name: 'b', createdNs: 1_700_000_000_000_000_000n, layers: [{ key: `${under.id}-b`, bytes: 20_000 }] },
          ]).archive,
        );
        docker('load', '-i', archive);
        cli().run(['plan', '--all']); // the first run: from here on, events are followed

        // b goes to the registry and comes back by a pull, then gets a local name too.
        docker('tag', 'wm/b:1', `${reg}/pulled:1`);
        docker('push', '-q', `${reg}/pulled:1`);
        docker('rmi', 'wm/b:1', `${reg}/pulled:1`);
        docker('pull', '-q', `${reg}/pulled:1`);
        docker('tag', `${reg}/pulled:1`, 'local/renamed:1');
        ids.set('pulled', await idOf(`${reg}/pulled:1`));
        ids.set('loaded', await idOf('wm/a:1'));
        // Built here: with BuildKit (no image event on a graphdriver), and committed from a container.
        await buildImage(engine, 'built', [{ file: 'f', bytes: 30_000, seed: `${under.id}-built` }], 'dp/built:1');
        ids.set('built', await idOf('dp/built:1'));
        const container = docker('create', 'wm/a:1', '/none');
        docker('commit', container, 'dp/committed:1');
        docker('rm', container);
        ids.set('committed', await idOf('dp/committed:1'));
        // Built, then pushed: now a registry has it.
        await buildImage(engine, 'pushed', [{ file: 'g', bytes: 40_000, seed: `${under.id}-pushed` }], `${reg}/built:1`);
        docker('push', '-q', `${reg}/built:1`);
        ids.set('pushed', await idOf(`${reg}/built:1`));
        // Imported from a tar of files: nothing but this engine has it.
        const tarball = path.join(tmp, 'files.tar');
        execFileSync('tar', ['-cf', tarball, '-C', tmp, 'images.tar']);
        docker('import', tarball, 'dp/imported:1');
        ids.set('imported', await idOf('dp/imported:1'));
      });
      after(async () => {
        await engine?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      });

      it('pulled, re-tagged, built, committed, pushed, loaded and imported images each get their source', () => {
        const plan = planJson();
        const got = Object.fromEntries(plan.images.map((i) => [nameOf(i.id), i.source.kind === 'pulled' ? `pulled from ${i.source.registry}` : i.source.kind]));
        assert.deepStrictEqual(got, {
          pulled: `pulled from ${registry.host}`,
          pushed: `pulled from ${registry.host}`,
          built: 'built',
          committed: 'built',
          loaded: 'loaded',
          imported: 'loaded',
        });
        const text = cli().run(['plan', '--all']).stdout;
        assert.match(text, /2 can be pulled again \([^)]+\), 2 were built here, 2 were loaded and cannot come back\./);
        assert.match(text, new RegExp(`local/renamed:1.*pulled \\(${registry.host.replace(/\./g, '\\.')}\\)`));
      });

      it('source= selects exactly the images of that source', () => {
        const all = planJson().images;
        for (const kind of ['pulled', 'built', 'loaded']) {
          const expected = all
            .filter((i) => i.source.kind === kind)
            .map((i) => i.id)
            .sort();
          assert.deepStrictEqual(cli().planIds(`source=${kind}`), expected, kind);
          const rest = all
            .filter((i) => i.source.kind !== kind)
            .map((i) => i.id)
            .sort();
          assert.deepStrictEqual(cli().planIds(`source!=${kind}`), rest, `source!=${kind}`);
        }
        const refused = cli();
        assert.throws(() => refused.run(['plan', '--all', '--native', '--filter', 'source=pulled']), /source filter/);
      });

      it('a watermark run takes pulled images first, then built ones; loaded ones only with --include-loaded', () => {
        const marks = ['--watermark', '2B:1B', '--minimum-age', '0'];
        const chosen = planJson(...marks).watermark!.chosen.map(nameOf);
        assert.deepStrictEqual([...chosen.slice(0, 2)].sort(), ['pulled', 'pushed']);
        assert.deepStrictEqual([...chosen.slice(2)].sort(), ['built', 'committed']);
        const withLoaded = planJson(...marks, '--include-loaded').watermark!.chosen.map(nameOf);
        assert.deepStrictEqual(withLoaded.slice(0, 4), chosen);
        assert.deepStrictEqual([...withLoaded.slice(4)].sort(), ['imported', 'loaded']);
      });

      it('--check-registry flags the image whose manifest was deleted upstream, and only that one', async () => {
        const before = planJson('--check-registry').images.filter((i) => i.source.kind === 'pulled');
        assert.deepStrictEqual(before.map((i) => [nameOf(i.id), i.source.upstream]).sort(), [
          ['pulled', 'present'],
          ['pushed', 'present'],
        ]);
        const repo = `${under.id}/built`;
        assert.ok(await registry.deleteManifest(repo, await registry.manifestDigest(repo, '1')), 'the registry deleted the manifest');
        const after = planJson('--check-registry').images.filter((i) => i.source.kind === 'pulled');
        assert.deepStrictEqual(after.map((i) => [nameOf(i.id), i.source.upstream]).sort(), [
          ['pulled', 'present'],
          ['pushed', 'gone'],
        ]);
        assert.strictEqual(planJson().images.find((i) => nameOf(i.id) === 'pushed')?.source.upstream, undefined, 'only on request');
        const text = cli().run(['plan', '--all', '--check-registry']);
        assert.match(text.stdout, /1 was pulled but is gone from its registry: no longer pullable as it is/);
        assert.match(text.stderr, new RegExp(`warning: ${registry.host.replace(/\./g, '\\.')}/${repo}:1 .*cannot be pulled again`));
      });
    });
  }
});
