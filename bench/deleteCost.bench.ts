/**
 * What one engine `DELETE /images/{id}` costs against the size of the store, next to the engine's own prune. For each
 * store size: a fresh engine loaded with a generated population; K dangling images inspected one at a time; the same
 * K deleted through the Engine API one at a time (`noprune=1`, nothing else), K more eight at a time, and then the
 * engine's own dangling prune (`POST /images/prune`) of the dangling images left. Prints milliseconds per image;
 * asserts nothing.
 *
 *   npx tsc -p . && COST_TARGET=26-c8d COST_SIZES=250,1000 node out/bench/deleteCost.bench.js
 *
 * On Docker 24.0 to 28.1's containerd store every image deletion also walks every image left in the store (moby's
 * `unleaseSnapshotsFromDeletedConfigs`, removed in 28.2), so a DELETE costs time in proportion to the store; the
 * engine's prune pays that walk once for all its images. Compare two store sizes to see it.
 */
import * as os from 'os';
import { apiJson, apiRequest, startEngine } from '../test/support/dockerd';
import { engineUnderTest } from '../test/support/engines';
import { generateLargePopulation, loadPopulation } from '../test/support/population';

const target = engineUnderTest(process.env.COST_TARGET ?? '26-c8d');
const SIZES = (process.env.COST_SIZES ?? '250,1000').split(',').map(Number);
const K = Number(process.env.COST_DELETES ?? 24);

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function timed(what: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await what();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function deleteAll(socket: string, ids: readonly string[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const res = await apiRequest(socket, 'DELETE', `/images/${id}?noprune=1`);
      if (res.status !== 200) throw new Error(`DELETE ${id}: HTTP ${res.status}: ${res.body.toString()}`);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

async function measure(size: number): Promise<void> {
  const pop = generateLargePopulation(2026, size, { danglingRatio: 0.3 });
  const te = await startEngine({ name: `bc${target.id}`, suite: target.suite, store: target.store });
  try {
    await loadPopulation(te.socketPath, pop);
    const dangling = (await apiJson<Array<{ Id: string }>>(te.socketPath, 'GET', '/images/json?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D')).map(
      (i) => i.Id,
    );
    let all: unknown[] = [];
    const list = await timed(async () => {
      all = await apiJson<unknown[]>(te.socketPath, 'GET', '/images/json?all=1');
    });
    const one = dangling.slice(0, K);
    const inspectMs = await timed(async () => {
      for (const id of one) await apiJson(te.socketPath, 'GET', `/images/${id}/json`);
    });
    const eight = dangling.slice(K, 2 * K);
    const oneMs = await timed(() => deleteAll(te.socketPath, one, 1));
    const eightMs = await timed(() => deleteAll(te.socketPath, eight, 8));
    const left = dangling.length - 2 * K;
    let reported = 0;
    const pruneMs = await timed(async () => {
      const r = await apiJson<{ ImagesDeleted?: Array<{ Deleted?: string }> | null }>(te.socketPath, 'POST', '/images/prune');
      reported = (r.ImagesDeleted ?? []).filter((d) => d.Deleted).length;
    });
    console.log(
      `${target.label}, ${all.length} images in the store (${dangling.length} dangling); GET /images/json ${list.toFixed(0)} ms:\n` +
        `  GET /images/{id}/json one at a time: ${(inspectMs / K).toFixed(1)} ms per image\n` +
        `  DELETE one at a time: ${(oneMs / one.length).toFixed(1)} ms per image (${one.length})\n` +
        `  DELETE eight at a time: ${(eightMs / eight.length).toFixed(1)} ms per image (${eight.length})\n` +
        `  the engine's dangling prune: ${(pruneMs / Math.max(left, 1)).toFixed(1)} ms per image (${left} images, ${reported} deletions reported, ${(pruneMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    await te.stop();
  }
}

async function main(): Promise<void> {
  console.log(`load average ${load()}`);
  for (const size of SIZES) await measure(size);
  console.log(`load average ${load()}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
