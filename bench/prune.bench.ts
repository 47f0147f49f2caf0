/**
 * Speed of Docker Prune next to the engine's own operations, on a generated population of thousands of images
 * (BENCH_IMAGES, default 1000; 20% dangling, 10% in use). Prints absolute times and ratios; asserts nothing.
 *
 *   npm run bench            # 1,000 images
 *   BENCH_IMAGES=5000 npm run bench
 *
 * Compared pairs:
 *   snapshot (cold: every image inspected once)  vs  GET /system/df (`docker system df`)
 *   snapshot (warm: image details cached)        vs  GET /system/df
 *   planPrune on the snapshot (pure)             vs  GET /images/json
 *   `docker-prune plan` CLI end to end           vs  `docker system df` CLI
 *   executing the dangling plan                  vs  POST /images/prune (dangling) on an identical copy
 *   executing the all-unused plan                vs  POST /images/prune (all)  on an identical copy
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { DockerEngine } from '../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../src/core/engine/endpoint';
import { executePlan } from '../src/core/execute/executor';
import { parseFilterArgs, toEngineFilters } from '../src/core/filters';
import type { PrunePolicy } from '../src/core/model';
import { planPrune } from '../src/core/plan/planner';
import { SnapshotReader } from '../src/core/snapshot/snapshotReader';
import { startEngine, type TestEngine } from '../test/support/dockerd';
import { generateLargePopulation, loadPopulation, type Population } from '../test/support/population';

const N = Number(process.env.BENCH_IMAGES ?? 1000);
const CLI = path.resolve(__dirname, '../../dist/cli.js');

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - t0) / 1e6];
}

async function median(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await time(fn))[1]);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows: Array<[string, number, string, number]> = [];
function row(ours: string, oursMs: number, theirs: string, theirsMs: number): void {
  rows.push([ours, oursMs, theirs, theirsMs]);
  console.log(`${ours.padEnd(40)} ${fmt(oursMs).padStart(9)}   ${theirs.padEnd(34)} ${fmt(theirsMs).padStart(9)}   ratio ${(oursMs / theirsMs).toFixed(2)}×`);
}
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

async function loaded(engineRef: { e: TestEngine }, pop: Population): Promise<DockerEngine> {
  await engineRef.e.stop();
  engineRef.e = await startEngine({ name: 'bench' });
  await loadPopulation(engineRef.e.socketPath, pop);
  return new DockerEngine(resolveEndpoint({ host: engineRef.e.dockerHost }));
}

async function main(): Promise<void> {
  const pop = generateLargePopulation(2026, N, { danglingRatio: 0.2, containers: { created: Math.round(N * 0.04), exited: Math.round(N * 0.04), running: Math.round(N * 0.02) } });
  const ref = { e: await startEngine({ name: 'bench' }) };
  try {
    let engine = await loaded(ref, pop);
    const images = (await engine.listImages()).length;
    console.log(`population: ${images} images (${pop.containers.length} containers), engine ${(await engine.version()).Version}\n`);
    const env = { ...process.env, DOCKER_HOST: ref.e.dockerHost };

    const df = await median(5, () => engine.systemDf());
    const [, cold] = await time(() => new SnapshotReader(engine).read());
    row('snapshot, cold (inspect every image)', cold, 'GET /system/df', df);
    const reader = new SnapshotReader(engine);
    const snapshot = await reader.read();
    row('snapshot, warm (details cached)', await median(5, () => reader.read()), 'GET /system/df', df);
    const all: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: [] };
    const dangling: PrunePolicy = { mode: 'dangling', filters: parseFilterArgs([]), protect: [] };
    row('planPrune (all unused), pure', await median(5, () => planPrune(snapshot, all)), 'GET /images/json?all=1', await median(5, () => engine.listImages()));
    row(
      '`docker-prune plan --all` CLI',
      await median(3, () => execFileSync(process.execPath, [CLI, 'plan', '--all', '--json'], { env, stdio: 'pipe' })),
      '`docker system df` CLI',
      await median(3, () => execFileSync('docker', ['system', 'df'], { env, stdio: 'pipe' })),
    );

    for (const [name, policy] of [
      ['dangling', dangling],
      ['all unused', all],
    ] as const) {
      engine = await loaded(ref, pop);
      const r1 = new SnapshotReader(engine);
      const snap = await r1.read();
      const plan = planPrune(snap, policy);
      const [result, ours] = await time(() => executePlan(engine, plan, snap));
      engine = await loaded(ref, pop);
      const [native, theirs] = await time(() => engine.pruneImages(toEngineFilters(policy.mode, policy.filters)));
      row(`execute ${name} plan (${plan.items.length} images)`, ours, `POST /images/prune ${name}`, theirs);
      if (result.SpaceReclaimed !== native.SpaceReclaimed) console.log(`  !! bytes differ: ours ${result.SpaceReclaimed}, engine ${native.SpaceReclaimed}`);
    }
  } finally {
    await ref.e.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
