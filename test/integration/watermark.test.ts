/**
 * The watermark prune through the built CLI, on a real engine whose data root is a tmpfs of a fixed small size, so
 * a percentage of "the disk holding the Docker root" is real: images of exact sizes fill it, a filler file takes
 * it above the high mark, and the run must remove exactly the images it computed (least recently used first,
 * shared layers counted exactly), stop there, and leave the disk — statfs of the data root — and the engine's own
 * `/system/df` under the low mark. Docker 20.10 on overlay2 and 28.5 on the containerd store, where an image's bytes
 * are its blobs and its snapshots (DP_ENGINES picks).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { apiJson, apiRequest, startEngine, type TestEngine } from '../support/dockerd';
import { engineUnderTest } from '../support/engines';
import { sizedImagesArchive, type SizedImageSpec } from '../support/population';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const MB = 1_000_000;
const DAY = 86_400_000_000_000n;

interface PlanJson {
  images: Array<{ id: string; action: string; bytes: number }>;
  spaceReclaimable: number;
  watermark: {
    basis: string;
    usedBytes: number;
    highBytes: number;
    lowBytes: number;
    predictedBytes: number;
    diskBytes?: number;
    triggered: boolean;
    reachesLow: boolean;
    chosen: string[];
  };
}

for (const id of (process.env.DP_ENGINES ?? '20-gd,28-c8d').split(',')) {
  const under = engineUnderTest(id);
  describe(`watermark prune on a full disk — ${under.label}`, function () {
    this.timeout(5 * 60_000);
    let te: TestEngine;
    let home: string;
    let names: Map<string, string>;
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    // Loaded one by one in this order, and a load is a use: least recently used first are used (a container has
    // it), keep (protected), oldA and oldB (sharing a 3 MB base), c, d, e, fresh. All were used (loaded) moments
    // ago, so the runs pass --minimum-age 0, except where the minimum age is what is tested.
    const specs: SizedImageSpec[] = [
      { name: 'used', createdNs: nowNs - 50n * DAY, layers: [{ key: 'u', bytes: 3 * MB }] },
      { name: 'keep', createdNs: nowNs - 40n * DAY, layers: [{ key: 'k', bytes: 3 * MB }] },
      {
        name: 'oldA',
        createdNs: nowNs - 30n * DAY,
        layers: [
          { key: 'base', bytes: 3 * MB },
          { key: 'a', bytes: 1 * MB },
        ],
      },
      {
        name: 'oldB',
        createdNs: nowNs - 29n * DAY,
        layers: [
          { key: 'base', bytes: 3 * MB },
          { key: 'b', bytes: 1 * MB },
        ],
      },
      { name: 'c', createdNs: nowNs - 20n * DAY, layers: [{ key: 'c', bytes: 3 * MB }] },
      { name: 'd', createdNs: nowNs - 10n * DAY, layers: [{ key: 'd', bytes: 3 * MB }] },
      { name: 'e', createdNs: nowNs - 5n * DAY, layers: [{ key: 'e', bytes: 3 * MB }] },
      { name: 'fresh', createdNs: nowNs - 600_000_000_000n, layers: [{ key: 'f', bytes: 3 * MB }] },
    ];

    const cli = (args: string[]) => {
      // The images were loaded (docker load): a watermark run leaves those unless told to take them.
      const r = spawnSync(
        process.execPath,
        [CLI, ...args, '-H', te.dockerHost, '--protect', 'wm/keep:*', ...(args.includes('--watermark') ? ['--include-loaded'] : [])],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: home, DOCKER_PRUNE_AUDIT_FILE: path.join(home, 'audit.jsonl') },
          timeout: 120_000,
        },
      );
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const dataRoot = () => path.join(te.dataDir, 'root');
    const diskUsed = () => {
      const st = fs.statfsSync(dataRoot());
      return { used: (st.blocks - st.bavail) * st.bsize, total: st.blocks * st.bsize };
    };
    const layersSize = async () => (await apiJson<{ LayersSize: number }>(te.socketPath, 'GET', '/system/df')).LayersSize;
    const imageIds = async () => new Set((await apiJson<Array<{ Id: string }>>(te.socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
    const named = (ids: Iterable<string>) => [...ids].map((i) => names.get(i) ?? i).sort();

    before(async () => {
      assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
      te = await startEngine({ name: `wm${id}`, suite: under.suite, store: under.store, tmpfsSize: under.store === 'containerd' ? '64m' : '32m' });
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-wm-'));
      // One archive per image: a load unpacks its archive on the data root first, which must fit beside the rest.
      const ids = new Map<string, string>();
      for (const spec of specs) {
        const { archive, ids: one } = sizedImagesArchive([spec]);
        const res = await apiRequest(te.socketPath, 'POST', '/images/load?quiet=1', { body: archive, contentType: 'application/x-tar', timeoutMs: 120_000 });
        assert.ok(res.status === 200 && !res.body.toString().includes('"error"'), `load ${spec.name}: ${res.body.toString()}`);
        // By tag: the containerd store names an image by its manifest digest, not the config digest the archive has.
        for (const n of one.keys()) ids.set(n, (await apiJson<{ Id: string }>(te.socketPath, 'GET', `/images/wm/${n.toLowerCase()}:1/json`)).Id);
      }
      names = new Map([...ids].map(([n, i]) => [i, n]));
      await apiJson(te.socketPath, 'POST', '/containers/create?name=wm-user', {
        Image: ids.get('used'),
        Cmd: ['/nothing'],
        HostConfig: { NetworkMode: 'none' },
      });
    });
    after(async () => {
      await te?.stop();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it('85%:80% of the data root disk: takes the least recently used images until the predicted use is under 80%, and the disk lands there', async () => {
      // Something else on the disk takes it to 88%: above the high mark.
      const before = diskUsed();
      const filler = Math.round(0.88 * before.total) - before.used;
      assert.ok(filler > 0, `the images alone fill ${before.used} of ${before.total} bytes`);
      fs.writeFileSync(path.join(dataRoot(), 'filler.bin'), Buffer.alloc(filler, 1));

      const planned = cli(['plan', '--watermark', '85%:80%', '--minimum-age', '0', '--json']);
      assert.strictEqual(planned.status, 0, planned.stderr);
      const plan = JSON.parse(planned.stdout) as PlanJson;
      const w = plan.watermark;
      assert.strictEqual(w.basis, 'disk');
      assert.strictEqual(w.diskBytes, before.total);
      assert.strictEqual(w.highBytes, Math.floor(before.total * 0.85));
      assert.strictEqual(w.lowBytes, Math.floor(before.total * 0.8));
      assert.ok(w.triggered && w.reachesLow, JSON.stringify(w));
      // 88% → under 80% needs ~2.7 MB: oldA alone frees 1 MB (its base is oldB's too); with oldB, 5 MB.
      assert.deepStrictEqual(
        w.chosen.map((i) => names.get(i)),
        ['oldA', 'oldB'],
      );
      assert.deepStrictEqual(named(plan.images.map((i) => i.id)), ['oldA', 'oldB']);
      // On overlay2 an image's bytes are its layers; on the containerd store its layer blobs and their unpacked
      // snapshots too (the oracle for both is /system/df's LayersSize drop, below).
      if (under.store !== 'containerd') assert.strictEqual(plan.spaceReclaimable, 5 * MB);
      assert.strictEqual(w.predictedBytes, w.usedBytes - plan.spaceReclaimable);
      const textPlan = cli(['plan', '--watermark', '85%:80%', '--minimum-age', '0']);
      assert.match(textPlan.stdout, /above the high mark/);
      assert.match(textPlan.stdout, /LAST USED/);

      const idsBefore = await imageIds();
      const layersBefore = await layersSize();
      const pruned = cli(['prune', '--watermark', '85%:80%', '--minimum-age', '0', '--yes', '--json']);
      assert.strictEqual(pruned.status, 0, pruned.stderr);
      const result = JSON.parse(pruned.stdout) as { SpaceReclaimed: number; skipped: unknown[] };
      const idsAfter = await imageIds();
      assert.deepStrictEqual(named([...idsBefore].filter((i) => !idsAfter.has(i))), ['oldA', 'oldB'], 'exactly the computed images went');
      assert.deepStrictEqual(result.skipped, []);
      assert.strictEqual(result.SpaceReclaimed, plan.spaceReclaimable);
      // The containerd store sizes snapshots by the blocks they hold (512-byte units), measured again after the
      // prune: on this tmpfs a block can come or go (seen: 512 bytes in 10 MB). overlay2 sizes are exact.
      const dfDrop = layersBefore - (await layersSize());
      const blockSlack = under.store === 'containerd' ? 4096 : 0;
      assert.ok(
        Math.abs(dfDrop - plan.spaceReclaimable) <= blockSlack,
        `/system/df LayersSize drops by the predicted bytes: ${dfDrop} for ${plan.spaceReclaimable} (± ${blockSlack})`,
      );
      const after = diskUsed();
      assert.ok(after.used < w.lowBytes, `the disk is under the low mark: ${after.used} < ${w.lowBytes} (predicted ${w.predictedBytes})`);
      console.log(
        `      disk: ${w.usedBytes} → ${after.used} bytes (predicted ${w.predictedBytes}; low mark ${w.lowBytes}; the real drop ${w.usedBytes - after.used} for ${plan.spaceReclaimable} predicted)`,
      );

      const end = fs
        .readFileSync(path.join(home, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              phase?: string;
              trigger: string;
              mode: string;
              watermark?: { high: string; low: string; usedBytes: number; predictedBytes: number };
            },
        )
        .filter((r) => r.phase === 'end');
      assert.strictEqual(end.length, 1);
      assert.deepStrictEqual(
        [end[0]!.trigger, end[0]!.mode, end[0]!.watermark?.high, end[0]!.watermark?.low, end[0]!.watermark?.predictedBytes],
        ['cli', 'all', '85%', '80%', w.predictedBytes],
      );

      // Now under the high mark: nothing to do.
      const again = JSON.parse(cli(['plan', '--watermark', '85%:80%', '--minimum-age', '0', '--json']).stdout) as PlanJson;
      assert.deepStrictEqual([again.watermark.triggered, again.images.length], [false, 0]);
    });

    it('sizes compare with the image store, which is /system/df LayersSize; the minimum age keeps recently used images', async () => {
      const layers = await layersSize();
      if (under.store !== 'containerd') assert.strictEqual(layers, 18 * MB);
      // The marks: just under today's use, and low enough that two of the 3 MB images are not enough but three are.
      const all = JSON.parse(cli(['plan', '--all', '--json']).stdout) as PlanJson;
      const imageBytes = all.images.find((i) => names.get(i.id) === 'c')!.bytes;
      const marks = `${layers - 1}B:${Math.round(layers - 2.5 * imageBytes)}B`;
      // Every image was used (loaded) moments ago: under the default 2h minimum age, none may go.
      const young = JSON.parse(cli(['plan', '--watermark', marks, '--json']).stdout) as PlanJson;
      assert.deepStrictEqual([young.watermark.triggered, young.watermark.chosen, young.images.length], [true, [], 0]);
      // Down to under the low mark: c, d and e, the least recently used that may go; fresh stays.
      const planned = cli(['plan', '--watermark', marks, '--minimum-age', '0', '--json']);
      assert.strictEqual(planned.status, 0, planned.stderr);
      const plan = JSON.parse(planned.stdout) as PlanJson;
      assert.deepStrictEqual([plan.watermark.basis, plan.watermark.usedBytes], ['images', layers]);
      assert.deepStrictEqual(
        plan.watermark.chosen.map((i) => names.get(i)),
        ['c', 'd', 'e'],
      );
      const pruned = cli(['prune', '--watermark', marks, '--minimum-age', '0', '--yes', '--json']);
      assert.strictEqual(pruned.status, 0, pruned.stderr);
      assert.deepStrictEqual(named(await imageIds()), ['fresh', 'keep', 'used']);
      const left = await layersSize();
      assert.ok(
        Math.abs(left - plan.watermark.predictedBytes) <= (under.store === 'containerd' ? 4096 : 0),
        `LayersSize ${left}, predicted ${plan.watermark.predictedBytes}`,
      );
      assert.ok(plan.watermark.predictedBytes < plan.watermark.lowBytes);
    });
  });
}
