/**
 * `--containers exited-for=…` against every Docker engine and image store of the matrix (test/support/engines.ts;
 * DP_ENGINES picks some): the engine is the oracle (test/support/stoppedContainersOracle.ts), and a container that
 * ran again or was recreated after the preview is never removed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { previewPrune, runPrune } from '../../src/core/execute/pruneJob';
import { parseContainersOption } from '../../src/core/filters/containersOption';
import { SnapshotReader } from '../../src/core/snapshot/snapshotReader';
import { builtCli } from '../support/builtCli';
import { dataRootSize } from '../support/dataRoot';
import { apiJson, startEngine, type TestEngine } from '../support/dockerd';
import { enginesFromEnv } from '../support/engines';
import { generatePopulation, loadPopulation, type LoadedPopulation } from '../support/population';
import { checkStoppedContainersOracle } from '../support/stoppedContainersOracle';

for (const under of enginesFromEnv()) {
  describe(`stopped containers in the plan, the engine as oracle — ${under.label}`, function () {
    this.timeout(10 * 60_000);
    let te: TestEngine;
    let home: string;
    let loaded: LoadedPopulation;

    before(async () => {
      te = await startEngine({ name: `ct${under.id}`, suite: under.suite, store: under.store });
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-containers-'));
      loaded = await loadPopulation(
        te.socketPath,
        generatePopulation({ seed: 31, images: 40, runnableRatio: 0.8, ownLayerRatio: 1, containers: { created: 0, exited: 0, running: 0 } }),
      );
    });
    after(async () => {
      await te?.stop();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it('plans exactly the long-stopped containers nothing keeps, removes exactly them and their images, and the disk agrees', async () => {
      // Leaves (no image is built on their layers: Podman finds parents by layers), so an image goes exactly when its
      // containers do.
      const pop = loaded.population;
      const runnable = pop.images
        .filter((i) => i.runnable && i.tags.length > 0 && !pop.images.some((o) => o !== i && builtOn(o.layers, i.layers)))
        .map((i) => loaded.imageIds.get(i.name)!);
      await checkStoppedContainersOracle({
        label: under.label,
        api: { socketPath: te.socketPath },
        cli: builtCli(home, () => te.dockerHost),
        images: [...new Set(runnable)],
        diskBytes: () => dataRootSize(te),
        // Each container also leaves its config, hosts files, log and an init layer of empty files behind.
        tolerance: (reported, containers) => 0.15 * reported + 256 * 1024 + containers * 64 * 1024,
      });
    });

    it('never removes a container that ran again, or was recreated under its name, after the preview', async () => {
      // A runnable image of the population (the first case removed some: one that is still there).
      const present = new Set((await apiJson<Array<{ Id: string }>>(te.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
      const image = loaded.population.images
        .map((i) => loaded.imageIds.get(i.name)!)
        .find((id, k) => loaded.population.images[k]!.runnable && present.has(id))!;
      assert.ok(image, 'a runnable image is left');
      const make = async (name: string, from = image) => {
        const { Id } = await apiJson<{ Id: string }>(te.socketPath, 'POST', `/containers/create?name=${name}`, {
          Image: from,
          Cmd: ['/bin/busybox', 'true'],
          HostConfig: { NetworkMode: 'none' },
        });
        await apiJson(te.socketPath, 'POST', `/containers/${Id}/start`);
        await apiJson(te.socketPath, 'POST', `/containers/${Id}/wait`);
        return Id;
      };
      // The one that runs again has an image of its own with two names, which the plan removes with it.
      const base = await make('dp-commit-base');
      const own = (await apiJson<{ Id: string }>(te.socketPath, 'POST', `/commit?container=${base}&repo=dp/only-again&tag=1`, {})).Id;
      await apiJson(te.socketPath, 'POST', `/images/${own}/tag?repo=dp/only-again&tag=2`);
      await apiJson(te.socketPath, 'DELETE', `/containers/${base}`);
      // …and a protected child, so on the graphdriver the plan only untags it (the path without a container check).
      const onOwn = await make('dp-commit-child', own);
      await apiJson(te.socketPath, 'POST', `/commit?container=${onOwn}&repo=dp/child&tag=1`, {});
      await apiJson(te.socketPath, 'DELETE', `/containers/${onOwn}`);
      const again = await make('dp-ran-again', own);
      const recreated = await make('dp-recreated');
      const untouched = await make('dp-untouched');
      // The CLI plans and prunes in one run, so the change comes between a preview and the prune that confirms it
      // through the core, as the extension runs them (the plan view, then the modal).
      const engine = new DockerEngine(resolveEndpoint({ host: te.dockerHost }));
      const policy = { mode: 'all' as const, filters: { labels: [] }, protect: ['dp/child:*'], containers: parseContainersOption('exited-for=0s') };
      const preview = await previewPrune(new SnapshotReader(engine), policy);
      const planned = new Set(preview.plan.containers?.map((c) => c.id));
      assert.ok(planned.has(again) && planned.has(recreated) && planned.has(untouched));
      assert.ok(
        preview.plan.items.some((i) => i.id === own && i.tags.length === 2),
        'its own image (or, under a kept child, its names) goes with it',
      );
      // After the preview: one runs again, one is removed and created anew under its name.
      await apiJson(te.socketPath, 'POST', `/containers/${again}/start`);
      await apiJson(te.socketPath, 'POST', `/containers/${again}/wait`);
      await apiJson(te.socketPath, 'DELETE', `/containers/${recreated}`);
      const newcomer = await make('dp-recreated');
      const outcome = await runPrune({ engine, policy, trigger: 'cli', confirmed: preview });
      assert.ok(outcome.result.ContainersDeleted?.includes(untouched));
      assert.ok(!outcome.result.ContainersDeleted?.includes(again));
      const skipped = Object.fromEntries(outcome.result.skipped.map((s) => [s.id, s.reason]));
      assert.strictEqual(skipped[again], 'changed');
      assert.strictEqual(skipped[recreated], 'not-found');
      const left = (await apiJson<Array<{ Id: string }>>(te.socketPath, 'GET', '/containers/json?all=1')).map((c) => c.Id);
      assert.ok(left.includes(again) && left.includes(newcomer) && !left.includes(untouched));
      // The image of the container that stayed keeps every name: its step was skipped before anything was removed.
      assert.strictEqual(skipped[own], 'in-use');
      const kept = await apiJson<{ RepoTags: string[] }>(te.socketPath, 'GET', `/images/${own}/json`);
      assert.deepStrictEqual([...kept.RepoTags].sort(), ['dp/only-again:1', 'dp/only-again:2']);
    });
  });
}

/** Whether an image with `layers` is built on one with `base` (its layers start with all of them). */
function builtOn(layers: readonly string[], base: readonly string[]): boolean {
  return layers.length >= base.length && base.every((l, k) => layers[k] === l);
}
