/**
 * Chooses DELETE_WIDTH (src/core/execute/deleteWidth.ts): times Docker Prune's executor carrying out the dangling
 * plan and then the all-unused plan at each width, each width on a fresh engine loaded with the same generated
 * population, and counts the engine requests per image (through a counting proxy, at width 1). Prints; asserts
 * nothing.
 *
 *   npx tsc -p . && node out/bench/deleteWidth.bench.js
 *   WIDTH_TARGET=28-gd WIDTH_IMAGES=1000 WIDTHS=1,2,4,8,16 node out/bench/deleteWidth.bench.js
 *
 * WIDTH_SLICES=3 instead loads one engine and carries out the all-unused plan in slices (consecutive in plan
 * order, so a parent never precedes its children), the widths taking turns, rotated each round: on a machine
 * shared with other work every width sees the same load and about the same store size.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerEngine } from '../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../src/core/engine/endpoint';
import { executePlan } from '../src/core/execute/executor';
import { parseFilterArgs } from '../src/core/filters';
import type { PrunePolicy } from '../src/core/model';
import { planPrune } from '../src/core/plan/planner';
import { SnapshotReader } from '../src/core/snapshot/snapshotReader';
import { startEngine } from '../test/support/dockerd';
import { engineUnderTest } from '../test/support/engines';
import { generateLargePopulation, loadPopulation } from '../test/support/population';
import { EngineProxy } from '../test/vscode/suites/lib/engineProxy';

const target = engineUnderTest(process.env.WIDTH_TARGET ?? '28-c8d');
const N = Number(process.env.WIDTH_IMAGES ?? 1000);
const WIDTHS = (process.env.WIDTHS ?? '1,2,4,8,16').split(',').map(Number);
const MODES: ReadonlyArray<[string, PrunePolicy]> = [
  ['dangling', { mode: 'dangling', filters: parseFilterArgs([]), protect: [] }],
  ['all unused', { mode: 'all', filters: parseFilterArgs([]), protect: [] }],
];

async function run(width: number, counting: boolean): Promise<void> {
  const pop = generateLargePopulation(2026, N, {
    danglingRatio: 0.2,
    containers: { created: Math.round(N * 0.04), exited: Math.round(N * 0.04), running: Math.round(N * 0.02) },
  });
  const te = await startEngine({ name: `bw${target.id}`, suite: target.suite, store: target.store });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bw-'));
  const proxy = new EngineProxy(path.join(dir, 'proxy.sock'), te.socketPath);
  try {
    await loadPopulation(te.socketPath, pop);
    if (counting) await proxy.start();
    const engine = new DockerEngine(resolveEndpoint({ host: counting ? proxy.host : te.dockerHost }));
    const cells: string[] = [];
    for (const [name, policy] of MODES) {
      const snapshot = await new SnapshotReader(engine).read();
      const plan = planPrune(snapshot, policy);
      const seenBefore = proxy.seen.length;
      const t0 = process.hrtime.bigint();
      const result = await executePlan(engine, plan, snapshot, { width });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const n = plan.items.length;
      cells.push(`${name}: ${n} steps ${(ms / 1000).toFixed(2)} s (${(ms / Math.max(n, 1)).toFixed(1)} ms/step, ${result.skipped.length} skipped)`);
      if (counting) {
        const seen = proxy.seen.slice(seenBefore);
        const kinds = new Map<string, number>();
        for (const s of seen) {
          const kind = s
            .replace(/\/images\/.*\/json$/, '/images/{}/json')
            .replace(/^DELETE \/images\/.*/, 'DELETE /images/{}')
            .replace(/\/v[\d.]+\//, '/');
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
        cells.push(
          `  requests per step: ${(seen.length / Math.max(n, 1)).toFixed(2)} (${[...kinds].map(([k, c]) => `${k} ${(c / Math.max(n, 1)).toFixed(2)}`).join(', ')})`,
        );
      }
    }
    console.log(`${target.label}, ${N} images, width ${width}${counting ? ' (through a counting proxy)' : ''}:\n  ${cells.join('\n  ')}`);
  } finally {
    await proxy.stop();
    await te.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function slices(rounds: number): Promise<void> {
  const pop = generateLargePopulation(2026, N, {
    danglingRatio: 0.2,
    containers: { created: Math.round(N * 0.04), exited: Math.round(N * 0.04), running: Math.round(N * 0.02) },
  });
  const te = await startEngine({ name: `bw${target.id}`, suite: target.suite, store: target.store });
  try {
    await loadPopulation(te.socketPath, pop);
    const engine = new DockerEngine(resolveEndpoint({ host: te.dockerHost }));
    const snapshot = await new SnapshotReader(engine).read();
    const plan = planPrune(snapshot, MODES[1]![1]);
    const size = Math.floor(plan.items.length / (rounds * WIDTHS.length));
    const spent = new Map<number, { ms: number; steps: number; skipped: number }>(WIDTHS.map((w) => [w, { ms: 0, steps: 0, skipped: 0 }]));
    let at = 0;
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < WIDTHS.length; k++) {
        const width = WIDTHS[(k + r) % WIDTHS.length]!;
        const items = plan.items.slice(at, at + size);
        at += size;
        const t0 = process.hrtime.bigint();
        const result = await executePlan(engine, { ...plan, items }, snapshot, { width });
        const cell = spent.get(width)!;
        cell.ms += Number(process.hrtime.bigint() - t0) / 1e6;
        cell.steps += items.length;
        cell.skipped += result.skipped.length;
      }
    }
    console.log(`${target.label}, ${N} images, all-unused plan of ${plan.items.length} steps in ${rounds} rounds of ${size}-step slices per width:`);
    for (const [w, c] of spent)
      console.log(
        `  width ${String(w).padStart(2)}: ${c.steps} steps ${(c.ms / 1000).toFixed(2)} s, ${(c.ms / c.steps).toFixed(1)} ms/step (${c.skipped} skipped)`,
      );
  } finally {
    await te.stop();
  }
}

async function main(): Promise<void> {
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (process.env.WIDTH_SLICES) {
    await slices(Number(process.env.WIDTH_SLICES));
    console.log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    return;
  }
  if (process.env.WIDTH_COUNT !== '0') await run(1, true);
  for (const width of WIDTHS) await run(width, false);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
