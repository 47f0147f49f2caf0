/**
 * Execution against a real engine: the result's shape, bytes against the real /system/df drop, cancellation,
 * an image put in use after the preview, concurrent prunes, and an engine that is down or dies mid-prune.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuditLog, pruneHistory } from '../../src/core/audit';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { DockerPruneError } from '../../src/core/errors';
import { parseBuildCachePolicy } from '../../src/core/buildCache/policy';
import { openEnvironment, protectedRefusal, ProtectedEnvironmentError, readOnlyRefusal, ReadOnlyEnvironmentError } from '../../src/core/environments';
import { runBuildCachePrune } from '../../src/core/execute/buildCachePruneJob';
import { executePlan, PruneInterruptedError } from '../../src/core/execute/executor';
import { previewPrune, runPrune } from '../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy } from '../../src/core/model';
import { SnapshotReader } from '../../src/core/snapshot/snapshotReader';
import { apiJson, freshEngine, startEngine, type TestEngine } from '../support/dockerd';
import { generatePopulation, loadPopulation, type LoadedPopulation } from '../support/population';
import { EngineProxy } from '../vscode/suites/lib/engineProxy';

const ALL: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: [] };
const DANGLING: PrunePolicy = { mode: 'dangling', filters: parseFilterArgs([]), protect: [] };

describe('executing a plan on a real engine', function () {
  this.timeout(10 * 60_000);
  let testEngine: TestEngine;
  let engine: DockerEngine;
  let loaded: LoadedPopulation;
  let tmp: string;

  before(async () => {
    testEngine = await startEngine({ name: 'exec' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-exec-'));
  });
  after(async () => {
    await testEngine?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    testEngine = await freshEngine(testEngine, { name: 'exec' });
    loaded = await loadPopulation(
      testEngine.socketPath,
      generatePopulation({ seed: 42, images: 80, multiTagRatio: 0.3, chainRatio: 0.3, containers: { created: 1, exited: 1, running: 1 } }),
    );
    engine = new DockerEngine(resolveEndpoint({ host: testEngine.dockerHost }));
  });

  const imageIds = async () => new Set((await engine.listImages()).map((i) => i.Id));
  const layersSize = async () => (await engine.systemDf()).LayersSize;

  it('removes exactly the plan, in the engine result shape, and SpaceReclaimed equals the real LayersSize drop', async () => {
    const preview = await previewPrune(new SnapshotReader(engine), ALL);
    assert.ok(preview.plan.items.length > 10, 'population has something to prune');
    const before = await imageIds();
    const bytesBefore = await layersSize();
    const progress: number[] = [];
    const result = await executePlan(engine, preview.plan, preview.snapshot, { onProgress: (p) => progress.push(p.done) });
    const after = await imageIds();

    assert.strictEqual(result.cancelled, false);
    assert.deepStrictEqual(result.skipped, []);
    assert.strictEqual(result.SpaceReclaimed, bytesBefore - (await layersSize()));
    assert.strictEqual(result.SpaceReclaimed, preview.plan.spaceReclaimable);
    const planned = new Set(preview.plan.items.filter((i) => i.action === 'delete').map((i) => i.id));
    assert.deepStrictEqual([...before].filter((id) => !after.has(id)).sort(), [...planned].sort(), 'exactly the planned images are gone');
    for (const item of result.ImagesDeleted) {
      const keys = Object.keys(item);
      assert.ok(keys.length === 1 && (keys[0] === 'Untagged' || keys[0] === 'Deleted'), JSON.stringify(item));
    }
    const deleted = new Set(result.ImagesDeleted.flatMap((i) => ('Deleted' in i ? [i.Deleted] : [])));
    for (const id of planned) assert.ok(deleted.has(id), `Deleted entry for ${id}`);
    const untagged = new Set(result.ImagesDeleted.flatMap((i) => ('Untagged' in i ? [i.Untagged] : [])));
    for (const item of preview.plan.items) for (const tag of item.tags) assert.ok(untagged.has(tag), `Untagged entry for ${tag}`);
    assert.deepStrictEqual(
      progress,
      preview.plan.items.map((_, i) => i + 1),
      'progress after every image',
    );
    // every container still has its image
    for (const c of loaded.containers) assert.ok(after.has(c.imageId), `image of container ${c.name} kept`);
  });

  it('stops between images when cancelled, and leaves the rest untouched', async () => {
    const preview = await previewPrune(new SnapshotReader(engine), ALL);
    const controller = new AbortController();
    const result = await executePlan(engine, preview.plan, preview.snapshot, {
      signal: controller.signal,
      onProgress: (p) => p.done === 3 && controller.abort(),
    });
    assert.strictEqual(result.cancelled, true);
    const left = preview.plan.items.slice(3);
    assert.deepStrictEqual(
      result.skipped.map((s) => s.id),
      left.map((i) => i.id),
    );
    assert.ok(result.skipped.every((s) => s.reason === 'cancelled'));
    const after = await imageIds();
    for (const item of left) assert.ok(after.has(item.id), `${item.id} still there`);
  });

  it('one removal at a time on overlay2, the next image checked meanwhile: the plan is carried out exactly, cancelled between removals', async () => {
    const proxy = new EngineProxy(path.join(tmp, 'turns.sock'), testEngine.socketPath);
    let removing = 0;
    let mostAtOnce = 0;
    let checkedWhileRemoving = 0;
    proxy.hold = (req) => {
      if (req.method === 'GET' && /\/images\/[^/]+\/json/.test(req.url ?? '') && removing > 0) checkedWhileRemoving++;
      if (req.method !== 'DELETE') return undefined;
      mostAtOnce = Math.max(mostAtOnce, ++removing);
      return new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => void removing--);
    };
    await proxy.start();
    try {
      const viaProxy = new DockerEngine(resolveEndpoint({ host: proxy.host }));
      const preview = await previewPrune(new SnapshotReader(viaProxy), ALL);
      assert.strictEqual(preview.snapshot.profile.store, 'graphdriver');
      const controller = new AbortController();
      const stopAt = Math.floor(preview.plan.items.length / 2);
      const result = await executePlan(viaProxy, preview.plan, preview.snapshot, {
        signal: controller.signal,
        onProgress: (p) => p.done === stopAt && controller.abort(),
      });
      assert.strictEqual(mostAtOnce, 1, 'never two removals in flight');
      assert.ok(checkedWhileRemoving > stopAt / 2, `the next image is checked while one is removed (${checkedWhileRemoving} of ${stopAt})`);
      assert.strictEqual(result.cancelled, true);
      const after = await imageIds();
      const done = preview.plan.items.filter((i) => !result.skipped.some((s) => s.id === i.id));
      assert.strictEqual(done.length, stopAt, 'nothing removed after the cancel but the step then removing');
      for (const item of preview.plan.items) assert.strictEqual(after.has(item.id), !done.includes(item) || item.action === 'untag', item.id);
      assert.ok(result.skipped.every((s) => s.reason === 'cancelled'));
    } finally {
      await proxy.stop();
    }
  });

  it('skips an image put in use after the preview, and its parents, instead of forcing', async () => {
    const preview = await previewPrune(new SnapshotReader(engine), ALL);
    // one untagged image with a parent in the plan, one tagged image with several tags
    const chained = preview.plan.items.find(
      (i) =>
        i.action === 'delete' && preview.plan.items.some((p) => p.reason === 'parent' && preview.snapshot.images.find((s) => s.id === i.id)?.parentId === p.id),
    );
    const multi = preview.plan.items.find((i) => i.action === 'delete' && i.tags.filter((t) => !t.includes('@')).length > 1);
    assert.ok(chained && multi, 'population has a chained and a multi-tag candidate');
    for (const [n, target] of [chained, multi].entries()) {
      await apiJson(testEngine.socketPath, 'POST', `/containers/create?name=late-${n}`, { Image: target.id, Cmd: ['/x'], HostConfig: { NetworkMode: 'none' } });
    }
    const result = await executePlan(engine, preview.plan, preview.snapshot);
    const after = new Map((await engine.listImages()).map((i) => [i.Id, i]));
    assert.ok(after.has(chained.id) && after.has(multi.id), 'both images survive');
    assert.deepStrictEqual(
      [...(after.get(multi.id)!.RepoTags ?? [])].sort(),
      multi.tags.filter((t) => !t.includes('@')).sort(),
      'multi-tag image keeps every tag',
    );
    const skipped = new Map(result.skipped.map((s) => [s.id, s]));
    assert.strictEqual(skipped.get(chained.id)?.reason, 'in-use');
    assert.strictEqual(skipped.get(multi.id)?.reason, 'in-use');
    const parent = preview.snapshot.images.find((s) => s.id === chained.id)!.parentId;
    assert.ok(after.has(parent), 'the parent stays with its child');
    assert.strictEqual(skipped.get(parent)?.reason, 'conflict');
  });

  it('refuses a second prune on the same environment while one runs, and audits both', async () => {
    const audit = new AuditLog(path.join(tmp, 'concurrent.jsonl'));
    const first = runPrune({ engine, policy: ALL, trigger: 'manual', audit });
    const second = runPrune({ engine, policy: DANGLING, trigger: 'auto', audit });
    const [a, b] = await Promise.allSettled([first, second]);
    assert.strictEqual(a.status, 'fulfilled');
    assert.strictEqual(b.status, 'rejected');
    assert.ok(b.status === 'rejected' && b.reason instanceof DockerPruneError && b.reason.kind === 'busy', String((b as PromiseRejectedResult).reason));
    assert.match((b as PromiseRejectedResult).reason.message, /already running/);
    const records = (await audit.read()).records.filter((r) => r.phase === 'end');
    assert.deepStrictEqual(records.map((r) => r.outcome).sort(), ['refused', 'success']);
    const ok = records.find((r) => r.outcome === 'success')!;
    assert.strictEqual(ok.trigger, 'manual');
    assert.strictEqual(ok.mode, 'all');
    assert.ok(ok.result && ok.result.spaceReclaimed > 0 && ok.result.deleted > 0);
  });

  it('the core refuses any prune on a read-only environment, with the one message, nothing deleted, and audits it', async () => {
    const audit = new AuditLog(path.join(tmp, 'read-only.jsonl'));
    const ro = openEnvironment({ id: 'setting:ro-box', name: 'ro-box', source: 'setting', endpoint: { host: testEngine.dockerHost }, readOnly: true });
    const preview = await previewPrune(new SnapshotReader(ro), ALL); // looking is allowed
    assert.ok(preview.plan.items.length > 0);
    const before = await imageIds();
    const refused = (e: unknown) => {
      assert.ok(e instanceof ReadOnlyEnvironmentError, String(e));
      assert.strictEqual(e.message, readOnlyRefusal('ro-box'));
      return true;
    };
    await assert.rejects(runPrune({ engine: ro, policy: ALL, trigger: 'manual', confirmed: preview, audit }), refused);
    await assert.rejects(runPrune({ engine: ro, policy: ALL, trigger: 'cli', native: true, audit }), refused);
    await assert.rejects(runBuildCachePrune({ engine: ro, policy: parseBuildCachePolicy({}), trigger: 'cli', audit }), refused);
    assert.deepStrictEqual([...(await imageIds())].sort(), [...before].sort(), 'nothing deleted');
    const { records } = await audit.read();
    assert.deepStrictEqual(
      records.map((r) => `${r.phase}:${r.outcome}:${r.error}`),
      Array(3).fill(`end:refused:${readOnlyRefusal('ro-box')}`),
    );
    assert.deepStrictEqual(
      records.map((r) => r.target ?? 'images'),
      ['images', 'images', 'build-cache'],
    );
  });

  it('the core refuses a prune on a protected environment unless its name was typed (auto-prunes never), and audits it', async () => {
    const audit = new AuditLog(path.join(tmp, 'protected.jsonl'));
    const box = openEnvironment({ id: 'setting:build-box', name: 'build-box', source: 'setting', endpoint: { host: testEngine.dockerHost }, protected: true });
    const preview = await previewPrune(new SnapshotReader(box), ALL);
    const before = await imageIds();
    const refused = (e: unknown) => {
      assert.ok(e instanceof ProtectedEnvironmentError, String(e));
      assert.strictEqual(e.message, protectedRefusal('build-box'));
      return true;
    };
    await assert.rejects(runPrune({ engine: box, policy: ALL, trigger: 'auto', audit }), refused);
    await assert.rejects(runPrune({ engine: box, policy: ALL, trigger: 'manual', confirmed: preview, audit }), refused);
    await assert.rejects(runBuildCachePrune({ engine: box, policy: parseBuildCachePolicy({}), trigger: 'cli', audit }), refused);
    assert.deepStrictEqual([...(await imageIds())].sort(), [...before].sort(), 'nothing deleted');
    const done = await runPrune({ engine: box, policy: ALL, trigger: 'manual', confirmed: preview, audit, nameConfirmed: true });
    assert.strictEqual(done.outcome, 'success');
    const { records } = await audit.read();
    assert.deepStrictEqual(
      records.filter((r) => r.phase === 'end').map((r) => `${r.trigger}:${r.outcome}`),
      ['auto:refused', 'manual:refused', 'cli:refused', 'manual:success'],
    );
  });

  it('a native prune returns the engine result as the plan predicted, and is audited', async () => {
    const audit = new AuditLog(path.join(tmp, 'native.jsonl'));
    const preview = await previewPrune(new SnapshotReader(engine), ALL, true);
    const outcome = await runPrune({ engine, policy: ALL, trigger: 'cli', native: true, confirmed: preview, audit });
    assert.strictEqual(outcome.result.SpaceReclaimed, preview.plan.spaceReclaimable);
    const all = (await audit.read()).records;
    assert.deepStrictEqual(
      all.map((r) => r.phase),
      ['start', 'end'],
      'a native prune has no checkpoints: start and end',
    );
    assert.strictEqual(all[0]!.steps?.length, preview.plan.items.length);
    const records = all.filter((r) => r.phase === 'end');
    assert.strictEqual(records[0].native, true);
    assert.strictEqual(records[0].result?.deleted, preview.plan.items.filter((i) => i.action === 'delete').length);
  });

  it('an engine that is down gives a clear error and an audit record', async () => {
    const audit = new AuditLog(path.join(tmp, 'down.jsonl'));
    const dead = new DockerEngine(resolveEndpoint({ host: `unix://${tmp}/no-such.sock` }));
    await assert.rejects(runPrune({ engine: dead, policy: DANGLING, trigger: 'cli', audit }), (e: unknown) => {
      assert.ok(e instanceof DockerPruneError);
      assert.strictEqual(e.kind, 'unreachable');
      assert.match(e.message, /No Docker socket at .*no-such\.sock/);
      return true;
    });
    const { records } = await audit.read();
    assert.strictEqual(records.length, 1);
    assert.strictEqual(records[0].phase, 'end');
    assert.strictEqual(records[0].outcome, 'failed');
    assert.match(records[0].error ?? '', /No Docker socket/);
  });

  it('an engine that dies mid-prune stops the run with the partial result, and nothing else is lost', async () => {
    const audit = new AuditLog(path.join(tmp, 'dies.jsonl'));
    const preview = await previewPrune(new SnapshotReader(engine), ALL);
    const dying = testEngine;
    let killed = false;
    const run = runPrune({
      engine,
      policy: ALL,
      trigger: 'manual',
      confirmed: preview,
      audit,
      onProgress: (p) => {
        if (p.done === 2 && !killed) {
          killed = true;
          process.kill(-dying.pid, 'SIGKILL'); // the daemon dies at once: the next delete meets a dead socket
        }
      },
    });
    await assert.rejects(run, (e: unknown) => {
      assert.ok(e instanceof PruneInterruptedError, String(e));
      assert.ok(['unreachable', 'timeout'].includes(e.kind), e.kind);
      assert.ok(e.partial.ImagesDeleted.length > 0, 'partial result kept');
      // One error for the step in flight; the rest not attempted (not one failed request per image).
      assert.strictEqual(e.partial.skipped.filter((s) => s.reason === 'error').length, 1);
      assert.ok(e.partial.skipped.every((s) => s.reason === 'error' || s.reason === 'not-attempted'));
      return true;
    });
    await dying.stop();
    const all = (await audit.read()).records;
    assert.strictEqual(all[0]!.phase, 'start');
    const records = all.filter((r) => r.phase === 'end');
    assert.strictEqual(records.length, 1);
    assert.strictEqual(records[0].outcome, 'failed');
    assert.ok(records[0].result && records[0].result.deleted >= 2);
    // What the records name as done is what the result counts: the step the engine died on is not among them.
    const [entry] = pruneHistory(all);
    assert.strictEqual(entry!.recorded.done.filter((id) => preview.plan.items.find((i) => i.id === id)?.action === 'delete').length, records[0].result.deleted);
    testEngine = await startEngine({ name: 'exec' });
  });
});
