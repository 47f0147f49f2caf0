/**
 * The build cache against real engines, the engine as the oracle: a real BuildKit cache (docker-buildx builds on
 * the test dockerd), then for each kind of prune the preview's records and bytes against what `POST /build/prune`
 * reports, against the drop in `/system/df` `BuildCache`, and against what the data root loses on disk.
 * Docker 28.5 on overlay2 and on the containerd store (DP_ENGINES picks; default 28-gd,28-c8d).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuditLog } from '../../src/core/audit';
import { parseBuildCachePolicy } from '../../src/core/buildCache/policy';
import { readBuildCache } from '../../src/core/buildCache/reader';
import type { BuildCachePlan, BuildCachePolicy } from '../../src/core/buildCache/model';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { previewBuildCachePrune, runBuildCachePrune } from '../../src/core/execute/buildCachePruneJob';
import { buildImage } from '../support/buildx';
import { dataRootSize } from '../support/dataRoot';
import { apiJson, startEngine, type TestEngine } from '../support/dockerd';
import { enginesFromEnv } from '../support/engines';

const KB = 1024;
const CLI = path.resolve(__dirname, '../../../dist/cli.js');
/** What the data root may differ by beyond the records' bytes: BuildKit's and containerd's metadata files. */
const METADATA_SLACK = 256 * KB;

const engines = enginesFromEnv({ DP_ENGINES: process.env.DP_ENGINES || '28-gd,28-c8d' }).filter((e) => e.suite !== 'bookworm');

for (const flavour of engines) {
  describe(`build cache on ${flavour.label} (engine oracle)`, function () {
    this.timeout(5 * 60_000);
    let te: TestEngine;
    let engine: DockerEngine;
    let auditDir: string;
    let audit: AuditLog;

    before(async () => {
      te = await startEngine({ name: `bc${flavour.id}`, suite: flavour.suite, store: flavour.store });
      engine = new DockerEngine(resolveEndpoint({ host: te.dockerHost }));
      auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bcaudit-'));
      audit = new AuditLog(path.join(auditDir, 'audit.jsonl'));
      const common = { file: 'common.bin', bytes: 600 * KB, seed: 'common' };
      await buildImage(te, 'a', [common, { file: 'a.bin', bytes: 900 * KB, seed: 'a' }], 'app-a');
      await buildImage(te, 'b', [common, { file: 'b.bin', bytes: 700 * KB, seed: 'b' }], 'app-b');
      await buildImage(
        te,
        'c',
        [
          { file: 'c.bin', bytes: 500 * KB, seed: 'c' },
          { file: 'd.bin', bytes: 300 * KB, seed: 'd' },
        ],
        'app-c',
      );
      await buildImage(te, 'e', [{ file: 'e.bin', bytes: 400 * KB, seed: 'e' }]);
      // app-b's own layer is now only cache: not shared any more.
      await apiJson(te.socketPath, 'DELETE', '/images/app-b');
    });
    after(async () => {
      await te?.stop();
      if (auditDir) fs.rmSync(auditDir, { recursive: true, force: true });
    });

    it('reads the cache: records by type, shared ones, sizes as the engine lists them', async () => {
      const snap = await readBuildCache(engine);
      assert.ok(snap.records.length >= 8, `records: ${snap.records.length}`);
      assert.ok(
        snap.records.some((r) => r.type === 'source.local'),
        'context records',
      );
      assert.ok(
        snap.records.some((r) => r.type === 'regular' && r.shared),
        'COPY layers of kept images are shared',
      );
      assert.ok(
        snap.records.some((r) => r.type === 'regular' && !r.shared),
        "app-b's layer and the cache-only build are not",
      );
      assert.ok(
        snap.records.some((r) => r.parents.length > 0),
        'parents are read',
      );
    });

    it('until: the preview equals the engine prune, its df drop and the disk drop', async () => {
      const snap = await readBuildCache(engine);
      // In the widest gap between two records' last use (a gap between builds), so the engine's clock, a few
      // microseconds on between reading the filter and applying it, cuts at the same place.
      const used = snap.records.map((r) => r.lastUsedNs!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let gapAt = 0;
      for (let i = 1; i < used.length; i++) if (used[i]! - used[i - 1]! > used[gapAt + 1]! - used[gapAt]!) gapAt = i - 1;
      const cut = (used[gapAt]! + used[gapAt + 1]!) / 2n;
      const until = `${cut / 1_000_000_000n}.${String(cut % 1_000_000_000n).padStart(9, '0')}`;
      await oracle(parseBuildCachePolicy({ filters: [`until=${until}`] }), (plan) =>
        assert.ok(
          plan.kept.some((k) => k.reason === 'recent'),
          'some records are too recent',
        ),
      );
    });

    it('keep-storage: least recently used first until the cache is under the limit', async () => {
      const snap = await readBuildCache(engine);
      const total = snap.records.reduce((s, r) => s + (r.shared ? 0 : r.size), 0);
      await oracle(parseBuildCachePolicy({ all: true, keepStorage: String(Math.floor(total / 2)) }), (plan) =>
        assert.ok(plan.items.length > 0 && plan.kept.some((k) => k.reason === 'space-limit')),
      );
    });

    it('dangling (the default): shared, internal and frontend records stay', async () => {
      // Tagged, so its COPY layer is a record an image shares whatever the earlier cases left: a cache-only build
      // here once left only the shared records of app-a and app-c, which keep-storage can take when the until case
      // (its cut falls between builds, so it moves with load) left it more to remove (CI, containerd store).
      await buildImage(te, 'f', [{ file: 'f.bin', bytes: 300 * KB, seed: 'f' }], 'app-f');
      await buildImage(te, 'g', [{ file: 'g.bin', bytes: 200 * KB, seed: 'g' }]);
      await oracle(parseBuildCachePolicy({}), (plan) =>
        assert.ok(
          plan.kept.some((k) => k.reason === 'shared'),
          `a record shared with image f stays: kept ${JSON.stringify(plan.kept)}, planned ${JSON.stringify(plan.items.map((i) => i.id))}`,
        ),
      );
    });

    it('CLI: builder plan --json, prune refuses without --yes or with bad input, prune --yes removes the plan and audits it', async () => {
      assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
      await buildImage(te, 'h', [{ file: 'h.bin', bytes: 250 * KB, seed: 'h' }]);
      const auditFile = path.join(auditDir, 'cli.jsonl');
      const cli = (args: string[]) => {
        const r = spawnSync(process.execPath, [CLI, 'builder', ...args, '-H', te.dockerHost, '--audit-file', auditFile], {
          encoding: 'utf8',
          input: '',
          env: { PATH: process.env.PATH, HOME: auditDir },
        });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      const plan = cli(['plan', '--json']);
      assert.strictEqual(plan.status, 0, plan.stderr);
      const planned = JSON.parse(plan.stdout) as { records: Array<{ id: string; bytes: number }>; spaceReclaimed: number };
      assert.ok(planned.records.length > 0);
      assert.strictEqual(
        planned.spaceReclaimed,
        planned.records.reduce((s, r) => s + r.bytes, 0),
      );

      const before = (await measure()).records;
      assert.strictEqual(cli(['prune']).status, 2, 'no terminal, no --yes: refused');
      const bad = cli(['prune', '--yes', '--keep-storage', 'lots']);
      assert.strictEqual(bad.status, 2);
      assert.match(bad.stderr, /Invalid --keep-storage "lots"/);
      assert.deepStrictEqual((await measure()).records.sort(), before.sort(), 'nothing removed');

      const pruned = cli(['prune', '--yes', '--json']);
      assert.strictEqual(pruned.status, 0, pruned.stderr);
      const result = JSON.parse(pruned.stdout) as { CachesDeleted: string[]; SpaceReclaimed: number };
      assert.deepStrictEqual(result.CachesDeleted.sort(), planned.records.map((r) => r.id).sort());
      assert.strictEqual(result.SpaceReclaimed, planned.spaceReclaimed);
      const end = (await new AuditLog(auditFile).read()).records.find((r) => r.phase === 'end');
      assert.strictEqual(end?.target, 'build-cache');
      assert.strictEqual(end.trigger, 'cli');
      assert.strictEqual(end.outcome, 'success');
    });

    it('all, removing exactly the confirmed plan: ids, bytes, df and disk; audited as a build-cache prune', async () => {
      await buildImage(te, 'g', [{ file: 'g.bin', bytes: 350 * KB, seed: 'g' }]);
      const policy = parseBuildCachePolicy({ all: true });
      const preview = await previewBuildCachePrune(engine, policy);
      const before = await measure();
      let pruneId = '';
      const out = await runBuildCachePrune({ engine, policy, trigger: 'cli', confirmed: preview, audit, onStart: (p) => (pruneId = p.pruneId) });
      const after = await measure();
      assert.deepStrictEqual([...out.result.CachesDeleted].sort(), preview.plan.items.map((i) => i.id).sort());
      assert.strictEqual(out.result.SpaceReclaimed, preview.plan.bytes);
      assert.strictEqual(out.outcome, 'success');
      assert.deepStrictEqual(after.records, [], 'nothing left');
      assert.strictEqual(before.dfBytes - after.dfBytes, preview.plan.bytes);
      assertDiskDrop(before.disk - after.disk, preview.plan);

      const records = (await audit.read()).records.filter((r) => r.pruneId === pruneId);
      const start = records.find((r) => r.phase === 'start');
      assert.strictEqual(start?.target, 'build-cache');
      assert.deepStrictEqual(
        start.steps?.map((s) => s.id),
        preview.plan.items.map((i) => i.id),
        'the start record holds the whole plan',
      );
      const end = records.find((r) => r.phase === 'end')!;
      assert.strictEqual(end.target, 'build-cache');
      assert.strictEqual(end.outcome, 'success');
      assert.strictEqual(end.mode, 'all');
      assert.deepStrictEqual([...(end.doneIds ?? [])].sort(), [...out.result.CachesDeleted].sort());
      assert.strictEqual(end.result?.spaceReclaimed, out.result.SpaceReclaimed);
    });

    /** Preview, then the engine's own prune with the same options (native), and compare all three ways. */
    async function oracle(policy: BuildCachePolicy, check: (plan: Awaited<ReturnType<typeof previewBuildCachePrune>>['plan']) => void): Promise<void> {
      const preview = await previewBuildCachePrune(engine, policy);
      check(preview.plan);
      assert.ok(preview.plan.items.length > 0, 'something to prune');
      assert.strictEqual(preview.plan.uncertain, undefined, 'no ties in the ranking');
      const before = await measure();
      const out = await runBuildCachePrune({ engine, policy, trigger: 'cli', native: true, confirmed: preview, audit });
      const after = await measure();
      assert.deepStrictEqual(
        [...out.result.CachesDeleted].sort(),
        preview.plan.items.map((i) => i.id).sort(),
        'the engine removed exactly the previewed records',
      );
      assert.strictEqual(out.result.SpaceReclaimed, preview.plan.bytes, 'SpaceReclaimed');
      assert.strictEqual(before.dfBytes - after.dfBytes, preview.plan.bytes, '/system/df BuildCache drop');
      assertDiskDrop(before.disk - after.disk, preview.plan);
    }

    async function measure(): Promise<{ records: string[]; dfBytes: number; disk: number }> {
      const snap = await readBuildCache(engine);
      return {
        records: snap.records.map((r) => r.id),
        dfBytes: snap.records.reduce((s, r) => s + r.size, 0),
        disk: dataRootSize(te, { regularFilesOnly: true }),
      };
    }
  });
}

/**
 * On overlay2 the data root loses the plan's disk bytes (records not shared with an image), to a few hundred
 * bytes of metadata. On the containerd store a record's size is its snapshot plus its layer blob, a layer record
 * may share the blob with an image, and the API does not split the two: there the drop must lie in the range the
 * plan states (at least the blob-less records, at most what the engine reports).
 */
function assertDiskDrop(drop: number, plan: BuildCachePlan): void {
  if (!plan.diskBytesEstimated) {
    assert.ok(Math.abs(drop - plan.diskBytes) <= METADATA_SLACK, `the data root lost ${drop} bytes; predicted ${plan.diskBytes} (± ${METADATA_SLACK})`);
    return;
  }
  const range = plan.diskBytesRange;
  assert.ok(range, 'a containerd plan states its disk range');
  assert.ok(
    drop >= range.min - METADATA_SLACK && drop <= range.max + METADATA_SLACK,
    `the data root lost ${drop} bytes; the plan said between ${range.min} and ${range.max} (± ${METADATA_SLACK})`,
  );
}
