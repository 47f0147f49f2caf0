/**
 * Soak: hours of a CI runner's churn (a few minutes in `npm test`), nothing outside a plan (issue 18 §3).
 *
 * One private engine. Churn runs the whole time (churn.ts: builds loaded under existing tags, tags moved,
 * containers created, started, committed and removed), and beside it pruners as cron runs them (cliPruners.ts):
 * the built CLI in each mode — our own verified prune, dangling and `--all`, and the engine's own (`--native`),
 * dangling and `--all` — and auto-prune every 5 s (the shortest interval) in a real extension host
 * (test/vscode/suites/soak/), all sharing one audit file (the default one, under XDG_STATE_HOME) and one runtime
 * folder (so one engine lock), as a user's cron job and VS Code windows do. The engine's event stream is followed from before churn starts to
 * after everything stopped; soakCheck.ts then holds every untag and delete the engine reported against the audit.
 * Then, with everything quiet, one more prune checks the bytes exactly: its audited SpaceReclaimed is the drop of
 * the engine's own `/system/df` LayersSize.
 *
 * DP_SOAK_SECONDS sets how long churn runs (default 180); a longer soak changes only that number. DP_SOAK_SEED
 * seeds the churn's and pruners' choices. DP_SOAK_EXTENSION=0 leaves the extension host out (CLI pruners only). The last line printed sums it up: prunes, deletions, untags, churn
 * operations, violations.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AuditRecord } from '../../../src/core/audit/record';
import type { ApiEvent } from '../../../src/core/engine/apiTypes';
import { DockerEngine } from '../../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../../src/core/engine/endpoint';
import { builtCli, CLI } from '../../support/builtCli';
import { runVsCodeSuite } from '../../vscode/runTests';
import { apiJson, apiRequest, startEngine, type TestEngine } from '../../support/dockerd';
import { generatePopulation, loadPopulation, mulberry32 } from '../../support/population';
import { Churn } from './churn';
import { CliPruners } from './cliPruners';
import { checkSoak } from './soakCheck';

const SECONDS = Number(process.env.DP_SOAK_SECONDS ?? 180);
const SEED = Number(process.env.DP_SOAK_SEED ?? 18);
const MODES: ReadonlyArray<readonly string[]> = [[], ['--all'], ['--native'], ['--native', '--all']];
const EXTENSION = process.env.DP_SOAK_EXTENSION !== '0';
const HOST_SUITE = path.resolve(__dirname, '../../vscode/suites/soak');

const readAudit = (file: string): AuditRecord[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditRecord)
    : [];
const layersSize = async (socketPath: string) => (await apiJson<{ LayersSize: number }>(socketPath, 'GET', '/system/df')).LayersSize;

/** Waits for a file the extension host writes, or fails when the host ended first. */
async function hostMarker(file: string, host: { code?: number }, what: string): Promise<void> {
  while (!fs.existsSync(file)) {
    if (host.code !== undefined) throw new Error(`the extension host ended (exit ${host.code}) before ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe(`soak: ${SECONDS} s of churn beside CLI pruners in every mode${EXTENSION ? ' and auto-prune in an extension host' : ''} (real engine, its event stream as witness)`, function () {
  this.timeout((Number.isFinite(SECONDS) ? SECONDS : 0) * 1000 + 15 * 60_000); // a bad DP_SOAK_SECONDS fails in before()
  let engine: TestEngine;
  let tmp: string;

  before(async () => {
    assert.ok(Number.isFinite(SECONDS) && SECONDS > 0, `DP_SOAK_SECONDS must be a positive number of seconds, not ${process.env.DP_SOAK_SECONDS}`);
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-soak-'));
    engine = await startEngine({ name: 'soak' });
  });
  after(async () => {
    await engine?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('every untag and delete the engine reported was a step of a plan audited before it (or inside a native prune), every prune ended, no container touched, the bytes add up', async () => {
    const draw = mulberry32(SEED);
    const random = () => draw() / 2 ** 32;
    const loaded = await loadPopulation(engine.socketPath, generatePopulation({ seed: SEED, images: 60, containers: { created: 2, exited: 1, running: 1 } }));
    const runnable = new Set(loaded.population.images.filter((i) => i.runnable).map((i) => loaded.imageIds.get(i.name)!));
    // One user's session: the CLI and the extension host share the state folder (audit file) and the runtime folder (locks).
    const runtimeDir = fs.mkdtempSync(path.join(tmp, 'run-'));
    const stateDir = path.join(tmp, 'state');
    const cli = builtCli(tmp, () => engine.dockerHost, { defaultAuditFile: true, env: { XDG_RUNTIME_DIR: runtimeDir } });

    // The witness: the engine's event stream, open before anything churns or prunes.
    const events: ApiEvent[] = [];
    const stream = new AbortController();
    let streamError: unknown;
    await new DockerEngine(resolveEndpoint({ host: engine.dockerHost })).watchEvents(
      (e) => events.push(e),
      (err) => (streamError = err),
      stream.signal,
    );

    const host: { code?: number; done?: Promise<number> } = {};
    const hostDir = fs.mkdtempSync(path.join(tmp, 'host-'));
    // However the run ends, the stream is closed and the extension host told to stop, and waited for (nothing left to hang on).
    const stopAll = () => {
      fs.writeFileSync(path.join(hostDir, 'stop'), '');
      stream.abort();
    };
    try {
      await soak();
    } finally {
      stopAll();
      await host.done;
    }

    async function soak(): Promise<void> {
      if (EXTENSION) {
        const workspace = path.join(tmp, 'ws');
        fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
        fs.mkdirSync(path.join(tmp, 'docker-config'));
        fs.writeFileSync(
          path.join(workspace, '.vscode', 'settings.json'),
          JSON.stringify({ 'dockerPrune.autoPrune.enabled': true, 'dockerPrune.autoPrune.interval': '5s', 'dockerPrune.autoPrune.mode': 'dangling' }),
        );
        host.done = runVsCodeSuite({
          suite: HOST_SUITE,
          workspace,
          trusted: true,
          timeoutMs: SECONDS * 1000 + 15 * 60_000,
          env: {
            DOCKER_HOST: engine.dockerHost,
            DP_TEST_SOCKET: engine.socketPath,
            DOCKER_CONFIG: path.join(tmp, 'docker-config'),
            DOCKER_PRUNE_MOCHA_TIMEOUT: String(SECONDS * 1000 + 10 * 60_000),
            DP_SOAK_DIR: hostDir,
            XDG_RUNTIME_DIR: runtimeDir,
            XDG_STATE_HOME: stateDir,
          },
        }).then((code) => (host.code = code));
        await hostMarker(path.join(hostDir, 'ready'), host, 'auto-prune was on');
      }

      const churn = new Churn(engine.socketPath, runnable, random);
      churn.adopt(loaded.containers.map((c) => ({ id: c.id, imageId: c.imageId })));
      for (const i of loaded.population.images) churn.sizes.set(loaded.imageIds.get(i.name)!, i.size);
      const pruners = new CliPruners(cli, MODES, random);
      const started = Date.now();
      churn.start();
      pruners.start();
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      await pruners.stop();
      await churn.stop();
      const churnedMs = Date.now() - started;
      fs.writeFileSync(path.join(hostDir, 'stop'), '');
      const hostCode = await host.done;

      // A last event of our own: once the stream shows it, it has shown everything before it.
      const mark = `soak-end-${Date.now()}`;
      const anyImage = (await apiJson<Array<{ Id: string }>>(engine.socketPath, 'GET', '/images/json'))[0]!.Id;
      assert.strictEqual((await apiRequest(engine.socketPath, 'POST', `/images/${anyImage}/tag?repo=wm/${mark}&tag=1`)).status, 201);
      for (let i = 0; i < 600 && !events.some((e) => e.Action === 'tag' && e.Actor?.Attributes?.name === `wm/${mark}:1`); i++)
        await new Promise((r) => setTimeout(r, 50));
      stream.abort();
      assert.strictEqual(streamError, undefined, `the event stream stayed open: ${String(streamError)}`);

      const verdict = checkSoak(events, readAudit(cli.auditFile), churn.containers, churn.sizes);
      const violations = [...verdict.violations, ...pruners.tallies.flatMap((t) => t.failures)];
      if (hostCode !== undefined && hostCode !== 0) violations.push(`the extension host suite failed (exit ${hostCode}): see its output above`);

      // Quiet now: one more prune, whose audited bytes must be exactly what the engine's layers lost.
      const before = await layersSize(engine.socketPath);
      const quiet = cli.run(['prune', '--all', '--yes']);
      const after = await layersSize(engine.socketPath);
      const last = readAudit(cli.auditFile)
        .filter((r) => r.phase === 'end')
        .pop()!;
      if (last.result?.spaceReclaimed !== before - after) {
        violations.push(
          `the quiet prune audited ${last.result?.spaceReclaimed} bytes, /system/df LayersSize dropped ${before - after}: ${quiet.stdout.trim()}`,
        );
      }

      if (violations.length) {
        // What the verdict was made from, kept for a look after the test's folder is gone.
        const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-soak-failed-'));
        fs.copyFileSync(cli.auditFile, path.join(kept, 'audit.jsonl'));
        fs.writeFileSync(
          path.join(kept, 'events.jsonl'),
          events.map((e) => JSON.stringify(e, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).join('\n') + '\n',
        );
        fs.writeFileSync(path.join(kept, 'churn.json'), JSON.stringify({ counts: churn.counts, containers: churn.containers, sizes: [...churn.sizes] }));
        console.log(`      the audit file, the events and churn's ledger are kept in ${kept}`);
      }
      const f = verdict.figures;
      const runs = pruners.tallies.map((t) => `${t.args.join(' ') || 'dangling'}: ${t.runs} runs, ${t.refused} refused`).join('; ');
      for (const v of violations.slice(0, 40)) console.log(`      violation: ${v}`);
      console.log(`      pruners: ${runs}`);
      console.log(`      churn: ${JSON.stringify(churn.counts)}`);
      console.log(
        `      soak summary: ${(churnedMs / 1000).toFixed(0)} s, prunes ${f.prunes} (own ${f.ownPrunes}, native ${f.nativePrunes}, auto ${f.autoPrunes}, refused ${f.refusedPrunes}), ` +
          `deletions ${f.deletions}, untags ${f.untags}, bytes reclaimed ${f.bytesReclaimed} (${f.unboundedPrunes} prunes unbounded), churn operations ${churn.operations}, events ${events.length}, violations ${violations.length}`,
      );
      assert.ok(f.ownPrunes > 0 && f.nativePrunes > 0 && f.deletions > 0, 'the pruners ran and removed images');
      if (EXTENSION) assert.ok(f.autoPrunes > 0, 'the extension auto-pruned');
      assert.deepStrictEqual(violations, []);
    }
  });
});
