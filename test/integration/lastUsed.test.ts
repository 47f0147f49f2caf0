/**
 * Last use against a real engine, through the built CLI (`node dist/cli.js`), one process per run as cron runs it:
 * - what a run learns (a container created from an image and removed again, a tag) is on disk for the next
 *   process, and survives the engine forgetting its events (a restart, more than 256 events), which the next run
 *   notices as a gap;
 * - `unused-for` selects exactly the unused images whose last use is older than the cut-off — not one used by a
 *   container since removed — and `prune` with it removes exactly its plan.
 * Engines: DP_ENGINES, else Docker 20.10 (graphdriver) and 28.5 (containerd store).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtCli, CLI } from '../support/builtCli';
import { apiJson, apiRequest, crashEngine, restartEngine, startEngine, type TestEngine } from '../support/dockerd';
import { engineUnderTest, enginesFromEnv } from '../support/engines';
import { generatePopulation, loadPopulation, type LoadedPopulation } from '../support/population';

const engines = process.env.DP_ENGINES ? enginesFromEnv() : [engineUnderTest('20-gd'), engineUnderTest('28-c8d')];

for (const under of engines) {
  describe(`last use, kept per engine (${under.label}, built CLI)`, function () {
    this.timeout(5 * 60_000);
    let engine: TestEngine;
    let tmp: string;
    let loaded: LoadedPopulation;
    /** Two unused images: one a container is created from (then removed), one that gets a new tag. */
    let usedId: string;
    let taggedId: string;

    const cliIn = () => builtCli(tmp, () => engine.dockerHost);
    const cli = (args: string[]) => cliIn().run(args);
    const planIds = (...filters: string[]) => cliIn().planIds(...filters);
    const stored = () => cliIn().storedLastUse();
    const daemonNowMs = async () => Date.parse((await apiJson<{ SystemTime: string }>(engine.socketPath, 'GET', '/info')).SystemTime);

    before(async () => {
      assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lastused-'));
      engine = await startEngine({ name: `lu-${under.id}`, suite: under.suite, store: under.store });
      loaded = await loadPopulation(engine.socketPath, generatePopulation({ seed: 11, images: 24, chainRatio: 0, now: new Date(), maxAgeDays: 60 }));
    });
    after(async () => {
      await engine?.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('a use seen by one run is on disk for the next, and outlives the engine forgetting its events', async () => {
      const [used, tagged] = loaded.population.images.filter((i) => i.name.startsWith('img-') && i.tags.length > 0 && !i.parent);
      assert.ok(used && tagged, 'two standalone tagged bulk images');
      usedId = loaded.imageIds.get(used.name)!;
      taggedId = loaded.imageIds.get(tagged.name)!;
      const allBefore = planIds();
      assert.ok(allBefore.includes(usedId) && allBefore.includes(taggedId), 'both are unused');

      cli(['plan', '--all']); // the first run: seeds from the engine
      const seeded = stored();
      assert.notStrictEqual(seeded.images[usedId], undefined);
      const before = BigInt(seeded.images[usedId]!.at);
      // Let the clock move on well past the seeds, so the cut-off below can fall between them and the uses.
      await new Promise((r) => setTimeout(r, 4000));

      // A container is created from `used` and removed again; `tagged` gets a new tag. Only events record this.
      const created = await apiJson<{ Id: string }>(engine.socketPath, 'POST', '/containers/create', {
        Image: used.tags[0],
        Cmd: ['/bin/true'],
        NetworkDisabled: true,
      });
      assert.strictEqual((await apiRequest(engine.socketPath, 'DELETE', `/containers/${created.Id}`)).status, 204);
      assert.strictEqual((await apiRequest(engine.socketPath, 'POST', `/images/${encodeURIComponent(taggedId)}/tag?repo=dp/used&tag=again`)).status, 201);

      cli(['plan', '--all']); // a new process catches up from where the first stopped
      const after = stored();
      assert.strictEqual(after.images[usedId]!.source, 'event');
      assert.ok(BigInt(after.images[usedId]!.at) > before, 'the removed container counts as a use');
      assert.strictEqual(after.images[taggedId]!.source, 'event');
      assert.ok(BigInt(after.images[usedId]!.at) >= BigInt(after.coveredSince!), 'followed without a gap: exact');

      // The engine restarts: its 256-event memory is gone, and the container left no trace in it.
      await crashEngine(engine);
      engine = await restartEngine(engine);
      cli(['plan', '--all']); // yet another process
      const restarted = stored();
      assert.deepStrictEqual(restarted.images[usedId], after.images[usedId], 'the use survives on disk');
      assert.ok(BigInt(restarted.coveredSince!) > BigInt(after.images[usedId]!.at), 'the lost events were noticed: older values are lower bounds now');

      // More than the engine's 256 remembered events between two looks is a gap too; fewer is not.
      const churn = async (pairs: number) => {
        for (let i = 0; i < pairs; i++) {
          assert.strictEqual((await apiRequest(engine.socketPath, 'POST', `/images/${encodeURIComponent(taggedId)}/tag?repo=dp/churn&tag=t`)).status, 201);
          assert.strictEqual((await apiRequest(engine.socketPath, 'DELETE', '/images/dp/churn:t')).status, 200);
        }
      };
      await churn(20);
      cli(['plan', '--all']);
      assert.strictEqual(stored().coveredSince, restarted.coveredSince, '40 events: no gap');
      await churn(140);
      cli(['plan', '--all']);
      const overflowed = stored();
      assert.ok(BigInt(overflowed.coveredSince!) > BigInt(restarted.coveredSince!), '280 events: the newest event seen before is gone, a gap');
      assert.deepStrictEqual(overflowed.images[usedId], after.images[usedId], 'values are kept');
    });

    it('unused-for selects exactly the unused images last used before the cut-off, and prune removes exactly that', async () => {
      const all = planIds();
      const at = (id: string): bigint => {
        const r = stored().images[id];
        assert.ok(r, `a last use for ${id}`);
        return BigInt(r.at);
      };
      // The cut-off falls between the seeds (and the population's own uses) and the uses made in the first test.
      const lo = all
        .filter((id) => id !== usedId && id !== taggedId)
        .map(at)
        .reduce((a, b) => (a > b ? a : b));
      const hi = [usedId, taggedId].map(at).reduce((a, b) => (a < b ? a : b));
      assert.ok(hi - lo > 3_000_000_000n, 'the uses of the first test stand 3 s and more after everything else');
      const cutNs = (lo + hi) / 2n;
      const unusedFor = async () => `${Math.round((await daemonNowMs()) - Number(cutNs / 1_000_000n))}ms`;
      const expected = all.filter((id) => at(id) <= cutNs).sort();
      assert.ok(expected.length > 0 && expected.length < all.length, `some go (${expected.length}), some stay (${all.length - expected.length})`);

      assert.deepStrictEqual(planIds(`unused-for=${await unusedFor()}`), expected);

      const images = async () => (await apiJson<Array<{ Id: string }>>(engine.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id);
      const before = await images();
      const r = cli(['prune', '--all', '--yes', '--json', '--filter', `unused-for=${await unusedFor()}`]);
      const result = JSON.parse(r.stdout) as { ImagesDeleted: Array<{ Deleted?: string }>; skipped: unknown[] };
      assert.deepStrictEqual(result.skipped, []);
      const start = fs
        .readFileSync(path.join(tmp, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { phase?: string; filters: string[]; steps?: Array<{ id: string; action: string }> })
        .find((x) => x.phase === 'start')!;
      assert.ok(
        start.filters.some((f) => f.startsWith('unused-for=')),
        'the audit names the filter',
      );
      const planned = start
        .steps!.filter((s) => s.action === 'delete')
        .map((s) => s.id)
        .sort();
      assert.deepStrictEqual(planned, expected, 'the prune planned exactly those');
      const after = await images();
      assert.deepStrictEqual(before.filter((id) => !after.includes(id)).sort(), expected, 'and the engine lost exactly those');

      assert.ok(!expected.includes(usedId), 'the image a removed container used stays');
      const native = spawnSync(process.execPath, [CLI, 'prune', '--all', '--native', '--yes', '--filter', 'unused-for=1d'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: tmp, DOCKER_HOST: engine.dockerHost },
      });
      assert.strictEqual(native.status, 2);
      assert.match(native.stderr, /native mode\) has no unused-for filter/);
      assert.deepStrictEqual((await images()).sort(), after.sort(), 'a refused native prune removes nothing');
    });
  });
}
