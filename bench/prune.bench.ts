/**
 * Speed of Docker Prune next to the engine's own operations, on a generated population of thousands of images
 * (BENCH_IMAGES, default 1000; 20% dangling, 10% in use), on every engine and image store: Docker 20.10 and
 * 28.5 with overlay2, Docker 26.1 and 28.5 with the containerd store, Podman 4.3 and 5.4 (BENCH_TARGETS picks
 * some: `20-gd,26-c8d,28-gd,28-c8d,podman4,podman5`). Prints absolute times and ratios; asserts nothing.
 *
 *   npm run bench                                  # every target, 1,000 images
 *   npm run bench -- --images 5000 --targets 28-c8d,28-gd
 *   npm run bench -- --only prune                  # only `docker-prune prune` vs `docker image prune`
 *   BENCH_IMAGES=5000 BENCH_TARGETS=28-c8d npm run bench   # the same, by environment
 *   npm run bench -- --images 20000 --containers 1 --targets 28-gd   # 200 containers instead of 2,000
 *
 * Compared pairs, per target:
 *   snapshot (cold: every image inspected once)  vs  GET /system/df (`docker system df`)
 *   snapshot (warm: image details cached)        vs  GET /system/df
 *   planPrune on the snapshot (pure)             vs  GET /images/json
 *   `docker-prune plan` CLI end to end           vs  `docker system df` CLI
 *   executing the dangling plan                  vs  the engine's own dangling prune on an identical copy
 *   executing the all-unused plan                vs  the engine's own all-unused prune on an identical copy
 *   `docker-prune prune --yes` CLI end to end    vs  `docker image prune -f`, each on a fresh identical copy,
 *   `docker-prune prune --all --yes`             vs  `docker image prune -a -f`  back to back (load average shown)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerEngine } from '../src/core/engine/dockerEngine';
import { describeProfile } from '../src/core/engine/engineProfile';
import { resolveEndpoint } from '../src/core/engine/endpoint';
import { executePlan } from '../src/core/execute/executor';
import { nativePrune } from '../src/core/execute/nativePrune';
import { parseFilterArgs } from '../src/core/filters';
import type { PrunePolicy } from '../src/core/model';
import { planPrune } from '../src/core/plan/planner';
import { SnapshotReader } from '../src/core/snapshot/snapshotReader';
import { startEngine } from '../test/support/dockerd';
import { ENGINE_MATRIX } from '../test/support/engines';
import { startPodman } from '../test/support/podman';
import { startPodman5 } from '../test/support/podman5';
import { generateLargePopulation, loadPopulation, type Population } from '../test/support/population';

/** `--name value` from the command line, else the environment variable. */
function setting(flag: string, envName: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : process.env[envName];
}

const N = Number(setting('--images', 'BENCH_IMAGES') ?? 1000);
/**
 * Containers per 100 images (default 10: 4 created, 4 exited, 2 running). At 20,000 images 2,000 containers make
 * each of the nine loads take about ten minutes; `--containers 1` keeps a run under an hour.
 */
const CONTAINERS_PER_100 = Number(setting('--containers', 'BENCH_CONTAINERS') ?? 10);
/** `--only prune`: just the end-to-end prune commands side by side (four loads instead of eight). */
const ONLY_PRUNE = setting('--only', 'BENCH_ONLY') === 'prune';
const CLI = path.resolve(__dirname, '../../dist/cli.js');

interface Target {
  readonly id: string;
  start(): Promise<{ dockerHost: string; socketPath: string; stop(): Promise<void> }>;
}

const TARGETS: Target[] = [
  ...ENGINE_MATRIX.map((e) => ({ id: e.id, start: () => startEngine({ name: `bn${e.id}`, suite: e.suite, store: e.store }) })),
  { id: 'podman4', start: () => startPodman({ name: 'bnpm4' }) },
  { id: 'podman5', start: () => startPodman5({ name: 'bnpm5' }) },
];

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - t0) / 1e6];
}

async function median(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await time(fn))[1]);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const summary: string[] = [];

async function benchTarget(target: Target, pop: Population): Promise<void> {
  let server = await target.start();
  const fresh = async () => {
    await server.stop();
    server = await target.start();
    await loadPopulation(server.socketPath, pop);
    return new DockerEngine(resolveEndpoint({ host: server.dockerHost }));
  };
  try {
    let engine = ONLY_PRUNE ? new DockerEngine(resolveEndpoint({ host: server.dockerHost })) : await fresh();
    const profile = await engine.profile();
    const label = describeProfile(profile);
    console.log(`\n== ${label}: ${pop.images.length} images, ${pop.containers.length} containers`);
    const row = (ours: string, oursMs: number, theirs: string, theirsMs: number) => {
      console.log(
        `${ours.padEnd(40)} ${fmt(oursMs).padStart(9)}   ${theirs.padEnd(34)} ${fmt(theirsMs).padStart(9)}   ratio ${(oursMs / theirsMs).toFixed(2)}×`,
      );
      summary.push(`| ${label} | ${ours} | ${fmt(oursMs)} | ${theirs} | ${fmt(theirsMs)} | ${(oursMs / theirsMs).toFixed(2)}× |`);
    };
    const env = { ...process.env, DOCKER_HOST: server.dockerHost };

    if (!ONLY_PRUNE) await readsAndExecutor();
    async function readsAndExecutor(): Promise<void> {
      const df = await median(3, () => engine.systemDf());
      const [, cold] = await time(() => new SnapshotReader(engine).read());
      row('snapshot, cold (inspect every image)', cold, 'GET /system/df', df);
      const reader = new SnapshotReader(engine);
      const snapshot = await reader.read();
      row('snapshot, warm (details cached)', await median(5, () => reader.read()), 'GET /system/df', df);
      const all: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: [] };
      const dangling: PrunePolicy = { mode: 'dangling', filters: parseFilterArgs([]), protect: [] };
      row(
        'planPrune (all unused), pure',
        await median(5, () => planPrune(snapshot, all)),
        'GET /images/json?all=1',
        await median(5, () => engine.listImages()),
      );
      // Podman answers the docker CLI on its Docker-compatible socket too.
      row(
        '`docker-prune plan --all` CLI',
        await median(3, () => execFileSync(process.execPath, [CLI, 'plan', '--all', '--json'], { env, stdio: 'pipe', maxBuffer: 1 << 30 })),
        '`docker system df` CLI',
        await median(3, () => execFileSync('docker', ['system', 'df'], { env, stdio: 'pipe' })),
      );
      for (const [name, policy] of [
        ['dangling', dangling],
        ['all unused', all],
      ] as const) {
        engine = await fresh();
        const snap = await new SnapshotReader(engine).read();
        const plan = planPrune(snap, policy);
        const [result, ours] = await time(() => executePlan(engine, plan, snap));
        engine = await fresh();
        const [native, theirs] = await time(() => nativePrune(engine, policy));
        row(`execute ${name} plan (${plan.items.length} images)`, ours, `the engine's own ${name} prune`, theirs);
        console.log(`  bytes: ours ${result.SpaceReclaimed} (what the disk gets back), the engine reports ${native.SpaceReclaimed}`);
      }
    }
    // The commands a user runs, end to end, each on a fresh identical copy, back to back.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bench-'));
    try {
      for (const [name, flags, dockerFlags] of [
        ['dangling', [], ['-f']],
        ['all unused', ['--all'], ['-a', '-f']],
      ] as const) {
        await fresh();
        const cliEnv = { ...process.env, HOME: home, DOCKER_HOST: server.dockerHost, DOCKER_PRUNE_AUDIT_FILE: path.join(home, 'audit.jsonl') };
        const [, ours] = await time(() =>
          execFileSync(process.execPath, [CLI, 'prune', ...flags, '--yes', '--json'], { env: cliEnv, stdio: 'pipe', maxBuffer: 1 << 30 }),
        );
        const loadOurs = os.loadavg()[0]!;
        await fresh();
        const [, theirs] = await time(() =>
          execFileSync('docker', ['image', 'prune', ...dockerFlags], {
            env: { ...process.env, DOCKER_HOST: server.dockerHost },
            stdio: 'pipe',
            maxBuffer: 1 << 30,
          }),
        );
        row(
          `\`docker-prune prune ${flags.join(' ')}${flags.length ? ' ' : ''}--yes\` (${name})`,
          ours,
          `\`docker image prune ${dockerFlags.join(' ')}\``,
          theirs,
        );
        console.log(`  load average ${loadOurs.toFixed(2)} during ours, ${os.loadavg()[0]!.toFixed(2)} after theirs`);
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const wanted = setting('--targets', 'BENCH_TARGETS')
    ?.split(',')
    .map((s) => s.trim());
  const targets = wanted ? TARGETS.filter((t) => wanted.includes(t.id)) : TARGETS;
  const pop = generateLargePopulation(2026, N, {
    danglingRatio: 0.2,
    containers: {
      created: Math.round(N * 0.004 * CONTAINERS_PER_100),
      exited: Math.round(N * 0.004 * CONTAINERS_PER_100),
      running: Math.round(N * 0.002 * CONTAINERS_PER_100),
    },
  });
  for (const target of targets) await benchTarget(target, pop);
  console.log(
    `\n${N} images; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('| engine | ours | time | the engine | time | ratio |\n|---|---|---|---|---|---|');
  for (const line of summary) console.log(line);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
