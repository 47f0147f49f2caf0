/**
 * Runs the extension's suites in a real VS Code against a real Docker Engine, unattended:
 *   1. starts a private dockerd (test/support/dockerd.ts) and loads the known population into it;
 *   2. runs each extension-host suite through the harness (runVsCodeSuite → @vscode/test-electron's
 *      runTests → desktop VS Code, or code-server + headless Chromium here), handing the engine to the
 *      extension host as DOCKER_HOST (an empty DOCKER_CONFIG keeps the user's contexts out of it);
 *   3. runs the browser UI tests (test/ui/dockerPrune.ui.ts) against code-server with the packaged .vsix;
 *   4. stops the engine.
 *
 *   node out/test/vscode/suites/run.js [--only main,untrusted,environments,windows,locale,ui,perf] [--grep TEXT] [--skip-ui]
 *   DP_EXTENSION_DIR=/path/to/extension-copy …   runs the suites against that copy instead of the repo
 *
 * Build first (scripts/test-vscode.sh does): `npx tsc -p .` and `npm run build`.
 * The perf suite (1,000 images; DP_PERF_IMAGES=20000 for more) runs only when asked with --only perf.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resetEngine, startEngine } from '../../support/dockerd';
import { loadPopulation } from '../../support/population';
import { runVsCodeSuite } from '../runTests';
import { testPopulation } from './lib/population';
import { startEnvironmentServers } from './environments/servers';

const SUITES_DIR = __dirname;
const log = (m: string) => process.stderr.write(`[test-vscode] ${m}\n`);

interface Suite {
  name: string;
  trusted: boolean;
  /** Workspace settings (.vscode/settings.json) the folder opens with. */
  workspaceSettings?: Record<string, unknown>;
  /** Extra servers the suite needs, started before it and stopped after it; their settings are merged in. */
  setup?: (scratch: string) => Promise<{ workspaceSettings: Record<string, unknown>; stop(): Promise<void> }>;
  /** Run in this many VS Code windows at once (separate code-server instances, so separate extension hosts). */
  windows?: number;
  /** Display language of the window (`--locale`). */
  locale?: string;
}

const SUITES: Suite[] = [
  { name: 'main', trusted: true },
  {
    name: 'untrusted',
    trusted: false,
    // Restricted settings from an untrusted workspace must be ignored: a host and auto-prune.
    workspaceSettings: {
      'dockerPrune.environments': [{ name: 'from-untrusted-workspace', host: 'unix:///tmp/dp-untrusted-workspace.sock' }],
      'dockerPrune.autoPrune.enabled': true,
      'dockerPrune.autoPrune.interval': '5s',
    },
  },
  // A TLS dockerd, a Podman (when installed) and a dead host beside the default engine (issue 4).
  { name: 'environments', trusted: true, setup: (scratch) => startEnvironmentServers(scratch, log) },
  // Two windows with auto-prune on the same engine: one runs the schedule, the other skips the claimed engine.
  { name: 'windows', trusted: true, windows: 2 },
  // The extension in German (issue 10): manifest and runtime strings, sizes formatted by locale.
  { name: 'locale', trusted: true, locale: 'de' },
];

function parseArgs(argv: string[]): { only?: Set<string>; grep?: string; skipUi: boolean } {
  const out: { only?: Set<string>; grep?: string; skipUi: boolean } = { skipUi: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') out.only = new Set(argv[++i]!.split(','));
    else if (a === '--grep') out.grep = argv[++i];
    else if (a === '--skip-ui') out.skipUi = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const wanted = (name: string) => (args.only ? args.only.has(name) : name !== 'perf');
  const t0 = Date.now();
  const engine = await startEngine({ name: 'vsx' });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-vsx-'));
  const results: Array<{ name: string; code: number; seconds: number }> = [];
  try {
    const loaded = await loadPopulation(engine.socketPath, testPopulation());
    log(`engine ${engine.dockerHost} (pid ${engine.pid}); population of ${loaded.population.images.length} images loaded in ${loaded.timings.loadMs} ms`);
    const dockerConfig = path.join(scratch, 'docker-config');
    fs.mkdirSync(dockerConfig);
    const env: Record<string, string> = {
      DOCKER_HOST: engine.dockerHost,
      DP_TEST_SOCKET: engine.socketPath,
      DOCKER_CONFIG: dockerConfig,
      DOCKER_PRUNE_MOCHA_TIMEOUT: '90000',
    };
    if (args.grep) env.DOCKER_PRUNE_MOCHA_GREP = args.grep;
    if (process.env.DP_PERF_IMAGES) env.DP_PERF_IMAGES = process.env.DP_PERF_IMAGES;

    // perf: the status bar off from the start, so the measured environment is the first use of an engine (docker-modem loads then).
    const suites: Suite[] = [...SUITES, { name: 'perf', trusted: true, workspaceSettings: { 'dockerPrune.statusBar.enabled': false } }];
    for (const suite of suites.filter((s) => wanted(s.name))) {
      const workspace = path.join(scratch, `ws-${suite.name}`);
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      const started = Date.now();
      const servers = await suite
        .setup?.(scratch)
        .catch((e: unknown) => (log(`suite ${suite.name}: setup failed: ${e instanceof Error ? e.message : String(e)}`), null));
      if (servers === null) {
        results.push({ name: suite.name, code: 1, seconds: (Date.now() - started) / 1000 });
        continue;
      }
      fs.writeFileSync(
        path.join(workspace, '.vscode', 'settings.json'),
        JSON.stringify({ ...suite.workspaceSettings, ...servers?.workspaceSettings }, null, 2),
      );
      log(`suite ${suite.name} (${suite.trusted ? 'trusted' : 'untrusted'} workspace${suite.windows ? `, ${suite.windows} windows at once` : ''})`);
      const run = (window?: string, windowEnv: Record<string, string> = {}, folder = workspace) =>
        runVsCodeSuite({
          suite: path.join(SUITES_DIR, suite.name),
          workspace: folder,
          env: { ...env, ...windowEnv, ...(window ? { DP_WINDOW: window } : {}) },
          trusted: suite.trusted,
          locale: suite.locale,
          // A guard against a hung suite, not a speed limit: a loaded CI machine takes several minutes.
          timeoutMs: 20 * 60_000,
          // Another copy of the extension (e.g. a mutated build, to check a test fails without its behaviour).
          extensionDevelopmentPath: process.env.DP_EXTENSION_DIR || undefined,
        });
      let code: number;
      if (suite.windows) {
        // The windows share the engine, freshly loaded, one audit file and a folder for their hand-shake.
        await resetEngine(engine.socketPath);
        await loadPopulation(engine.socketPath, testPopulation());
        const shared = fs.mkdtempSync(path.join(scratch, `${suite.name}-shared-`));
        // Windows of one VS Code share the user's session, so its runtime folder (where prune locks live) and its
        // state folder (schedule claims, last use); the harness gives each code-server its own XDG folders, so hand
        // both the same private ones (mode 0700).
        const runtimeDir = fs.mkdtempSync(path.join(scratch, `${suite.name}-runtime-`));
        const stateDir = fs.mkdtempSync(path.join(scratch, `${suite.name}-state-`));
        const names = Array.from({ length: suite.windows }, (_, i) => String.fromCharCode(97 + i));
        const codes = await Promise.all(
          names.map((w) => {
            const folder = path.join(scratch, `ws-${suite.name}-${w}`);
            fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
            fs.writeFileSync(
              path.join(folder, '.vscode', 'settings.json'),
              JSON.stringify({ 'dockerPrune.auditFile': path.join(shared, 'audit.jsonl') }, null, 2),
            );
            return run(w, { DP_WINDOWS_DIR: shared, XDG_RUNTIME_DIR: runtimeDir, XDG_STATE_HOME: stateDir }, folder);
          }),
        );
        code = codes.every((c) => c === 0) ? 0 : 1;
      } else {
        code = await run().finally(() => servers?.stop());
      }
      results.push({ name: suite.name, code, seconds: (Date.now() - started) / 1000 });
    }

    if (wanted('ui') && !args.skipUi) {
      const started = Date.now();
      log('UI tests (code-server + Chromium, .vsix installed)');
      const { runPlanViewPageTests } = await import('../../ui/planViewPage.ui');
      const { runUiTests } = await import('../../ui/dockerPrune.ui');
      const pageCode = await runPlanViewPageTests(scratch);
      const code = (await runUiTests({ engine, scratch })) || pageCode;
      results.push({ name: 'ui', code, seconds: (Date.now() - started) / 1000 });
    }
  } finally {
    await engine.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const r of results) log(`${r.code === 0 ? 'PASS' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return results.length > 0 && results.every((r) => r.code === 0) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      log(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(1);
    },
  );
}
