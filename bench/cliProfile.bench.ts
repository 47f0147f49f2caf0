/**
 * Where the CLI's time goes in a prune: runs `docker-prune prune --yes` under `node --cpu-prof` on a fresh engine
 * loaded with a generated population, and prints the wall time, the CPU profile's self time by place (idle = waiting
 * for the engine; then our code, docker-modem, Node's own) and the heaviest functions. Prints; asserts nothing.
 *
 *   npx tsc -p . && node esbuild.mjs && node out/bench/cliProfile.bench.js
 *   PROFILE_TARGET=28-gd PROFILE_IMAGES=1000 PROFILE_ARGS='--all' node out/bench/cliProfile.bench.js
 *   PROFILE_COMMAND=plan PROFILE_TARGET=28-gd node out/bench/cliProfile.bench.js   # a warm `docker-prune plan`
 *
 * With PROFILE_COMMAND=plan it profiles `docker-prune plan … --json` run a second time (the image details cached).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startEngine } from '../test/support/dockerd';
import { engineUnderTest } from '../test/support/engines';
import { generateLargePopulation, loadPopulation } from '../test/support/population';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const target = engineUnderTest(process.env.PROFILE_TARGET ?? '28-c8d');
const N = Number(process.env.PROFILE_IMAGES ?? 1000);
const ARGS = (process.env.PROFILE_ARGS ?? '--all').split(' ').filter(Boolean);
const PLAN = process.env.PROFILE_COMMAND === 'plan';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The bundle's module markers (`// src/core/x.ts`, `// ../node_modules/y/z.js`) by line: which module a line is in. */
function bundleModules(): (line: number) => string {
  const marks: Array<[number, string]> = [];
  fs.readFileSync(CLI, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(text);
      if (m) marks.push([i, m[1]!.replace(/^.*node_modules\//, 'node_modules/')]);
    });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (marks[mid]![0] <= line) lo = mid;
      else hi = mid - 1;
    }
    return marks[lo]?.[1] ?? '?';
  };
}
const moduleAt = bundleModules();

function place(url: string, fn: string, line: number): string {
  if (fn === '(idle)') return 'idle (waiting for the engine)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'V8 (program)';
  if (!url.endsWith('cli.js')) return 'Node itself';
  const mod = moduleAt(line);
  return mod.startsWith('node_modules/') ? mod.split('/')[1]! : 'Docker Prune (src/)';
}

async function main(): Promise<void> {
  const pop = generateLargePopulation(2026, N, {
    danglingRatio: 0.2,
    containers: { created: Math.round(N * 0.04), exited: Math.round(N * 0.04), running: Math.round(N * 0.02) },
  });
  const te = await startEngine({ name: `bp${target.id}`, suite: target.suite, store: target.store });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-prof-'));
  try {
    await loadPopulation(te.socketPath, pop);
    const env = { ...process.env, HOME: dir, DOCKER_HOST: te.dockerHost, DOCKER_PRUNE_AUDIT_FILE: path.join(dir, 'audit.jsonl') };
    const command = PLAN ? ['plan', ...ARGS, '--json'] : ['prune', ...ARGS, '--yes', '--json'];
    if (PLAN) execFileSync(process.execPath, [CLI, ...command], { env, stdio: 'pipe', maxBuffer: 1 << 30 });
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, CLI, ...command], { env, stdio: 'pipe', maxBuffer: 1 << 30 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const byPlace = new Map<string, number>();
    const byFn = new Map<string, number>();
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // The nearest caller in Docker Prune's own code: says which of our calls a Node-internal cost serves.
    const ourCaller = (id: number): string => {
      for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
        const f = byId.get(at)!.callFrame;
        if (f.url.endsWith('cli.js') && moduleAt(f.lineNumber).startsWith('src/') && f.functionName) return `${f.functionName} (${moduleAt(f.lineNumber)})`;
      }
      return '?';
    };
    const byCaller = new Map<string, number>();
    prof.samples.forEach((id, i) => {
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
      const ms = (prof.timeDeltas[i] ?? 0) / 1000;
      const p = place(url, functionName, lineNumber);
      byPlace.set(p, (byPlace.get(p) ?? 0) + ms);
      const key = `${functionName || '(anonymous)'} ${url.endsWith('cli.js') ? moduleAt(lineNumber) : path.basename(url)}:${lineNumber + 1}`;
      if (!p.startsWith('idle')) {
        byFn.set(key, (byFn.get(key) ?? 0) + ms);
        const caller = ourCaller(id);
        byCaller.set(caller, (byCaller.get(caller) ?? 0) + ms);
      }
    });
    // The audit's end record times the prune from the lock to the end: the rest is start-up, snapshot and plan.
    const auditFile = path.join(dir, 'audit.jsonl');
    const ends = (fs.existsSync(auditFile) ? fs.readFileSync(auditFile, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { durationMs?: number; outcome?: string });
    const executed = ends.reverse().find((r) => r.outcome !== undefined && r.durationMs !== undefined)?.durationMs ?? NaN;
    console.log(
      `${target.label}, ${N} images, docker-prune ${command.join(' ')}${PLAN ? ' (details cached)' : ''}: ${(wall / 1000).toFixed(2)} s wall; load average ${os.loadavg()[0]!.toFixed(2)}`,
    );
    if (!PLAN) {
      console.log(
        `  carrying out the plan (audit durationMs) ${(executed / 1000).toFixed(2)} s; start-up, snapshot and plan ${((wall - executed) / 1000).toFixed(2)} s`,
      );
    }
    for (const [p, ms] of [...byPlace].sort((a, b) => b[1] - a[1])) console.log(`  ${p.padEnd(32)} ${(ms / 1000).toFixed(2)} s`);
    console.log('  heaviest functions (self time):');
    for (const [f, ms] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${f}`);
    console.log('  busy time by the nearest named caller in dist/cli.js:');
    for (const [f, ms] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${f}`);
  } finally {
    await te.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
