/**
 * Entry point for the mocha suites that run inside a REAL VS Code extension host.
 *
 * Uses @vscode/test-electron's runTests. Desktop VS Code is used when one is available
 * (DOCKER_PRUNE_VSCODE_EXECUTABLE, or a download when DOCKER_PRUNE_TRY_DOWNLOAD=1); otherwise (this
 * machine: no network for the download) runTests is pointed at test/vscode/code-server-launcher.js,
 * which runs the same suite in code-server's extension host driven by headless Chromium.
 *
 *   node out/test/vscode/runTests.js [--suite out/test/vscode/suite] [--workspace DIR]
 *        [--extension PATH] [--env K=V]... [--untrusted] [--timeout MS]
 *
 * or from a script: `await runVsCodeSuite({ suite, workspace, env, trusted })` (resolves to the exit code).
 */
import { TestRunFailedError, downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { userSettings } from './harness/codeServerProcess';
import { REPO_ROOT, ensureTools } from './harness/tools';

export interface SuiteOptions {
  /** Compiled suite: a folder with index.js exporting run(), or that file (extensionTestsPath). */
  suite: string;
  /** Folder opened in the window; default: a fresh empty temp folder. */
  workspace?: string;
  /** Env vars for the extension host (e.g. DOCKER_HOST of a test engine, test seams). */
  env?: Record<string, string>;
  /** true (default): trusted workspace. false: trust on, folder not trusted (Restricted Mode). */
  trusted?: boolean;
  /** Display language, e.g. `de` (`--locale`; code-server gets a language pack stub, see codeServerProcess.ts). */
  locale?: string;
  /** Extension(s) under test; default the repo root (package.json main = dist/extension.js). */
  extensionDevelopmentPath?: string | string[];
  /** Overall limit for the code-server path (default 10 min). */
  timeoutMs?: number;
  /** Parent of the code-server run folder (default DOCKER_PRUNE_RUN_DIR or the OS temp dir). */
  runDir?: string;
}

export const LAUNCHER = path.join(REPO_ROOT, 'test', 'vscode', 'code-server-launcher.js');
const log = (msg: string) => process.stderr.write(`[vscode-test] ${msg}\n`);

let desktopLookup: Promise<string | undefined> | undefined;

/** A desktop VS Code if one can be had; looked up once per process so a failed download isn't retried. */
export function findDesktopVsCode(): Promise<string | undefined> {
  desktopLookup ??= (async () => {
    const explicit = process.env.DOCKER_PRUNE_VSCODE_EXECUTABLE;
    if (explicit) return explicit;
    if (process.env.DOCKER_PRUNE_TRY_DOWNLOAD !== '1') return undefined;
    try {
      return await downloadAndUnzipVSCode({ version: process.env.DOCKER_PRUNE_VSCODE_VERSION || 'stable', timeout: 30_000 });
    } catch (e) {
      log(`desktop VS Code download failed (${(e as Error).message}); using code-server`);
      return undefined;
    }
  })();
  return desktopLookup;
}

/** Runs one suite in a real VS Code; resolves to its exit code (0 = all passed), never throws on failure. */
export async function runVsCodeSuite(o: SuiteOptions): Promise<number> {
  const trusted = o.trusted ?? true;
  const env = o.env ?? {};
  const tmpWorkspace = o.workspace ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'vsharness-ws-'));
  const workspace = path.resolve(o.workspace ?? tmpWorkspace!);
  const devPaths = [o.extensionDevelopmentPath ?? REPO_ROOT].flat().map((p) => path.resolve(p));
  warnIfUnbuilt(devPaths);
  const desktop = await findDesktopVsCode();
  let runDir: string | undefined;
  try {
    const common = {
      extensionDevelopmentPath: devPaths,
      extensionTestsPath: path.resolve(o.suite),
      launchArgs: [workspace],
    };
    // The extension host inherits the env of what runTests spawns, so `env` goes in directly; the
    // launcher also gets it as JSON to put in the payload's extensionEnvironment.
    const testEnv: Record<string, string> = {
      ...env,
      DOCKER_PRUNE_HOST_ENV: JSON.stringify(env),
      DOCKER_PRUNE_TRUSTED: trusted ? '1' : '0',
      DOCKER_PRUNE_SUITE_TIMEOUT_MS: String(o.timeoutMs ?? 600_000),
    };
    if (o.runDir) testEnv.DOCKER_PRUNE_RUN_DIR = path.resolve(o.runDir);
    if (o.locale) {
      testEnv.DOCKER_PRUNE_LOCALE = o.locale;
      common.launchArgs.unshift(`--locale=${o.locale}`); // desktop VS Code (needs that language pack installed)
    }
    if (desktop) {
      // Own user-data-dir with our settings (no startup trust modal, nothing phoning home).
      runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsharness-desktop-'));
      const ud = path.join(runDir, 'user-data');
      fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
      fs.writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify(userSettings(), null, 2));
      common.launchArgs.unshift(`--user-data-dir=${ud}`, `--extensions-dir=${path.join(runDir, 'extensions')}`);
      // runTests always adds --disable-workspace-trust: an untrusted run goes through the launcher,
      // which drops that flag and execs the desktop binary.
      const passThrough = !trusted;
      if (passThrough) testEnv.DOCKER_PRUNE_DESKTOP_EXECUTABLE = desktop;
      log(`desktop VS Code ${desktop}${passThrough ? ' (via launcher, trust on)' : ''}`);
      return await runAndCatch({ ...common, vscodeExecutablePath: passThrough ? launcherPath() : desktop, extensionTestsEnv: testEnv });
    }
    ensureTools(); // install once here (cold ~3-5 min) rather than inside the spawned launcher
    testEnv.DOCKER_PRUNE_DESKTOP_EXECUTABLE = '';
    return await runAndCatch({ ...common, vscodeExecutablePath: launcherPath(), extensionTestsEnv: testEnv });
  } finally {
    if (tmpWorkspace) fs.rmSync(tmpWorkspace, { recursive: true, force: true });
    if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
  }
}

/** The extension's `main` must exist (dist/extension.js comes from `npm run build`), or activation fails late and vaguely. */
function warnIfUnbuilt(devPaths: string[]): void {
  for (const p of devPaths) {
    try {
      const main = (JSON.parse(fs.readFileSync(path.join(p, 'package.json'), 'utf8')) as { main?: string }).main;
      if (main && !fs.existsSync(path.join(p, main)) && !fs.existsSync(path.join(p, `${main}.js`))) {
        log(`warning: ${path.join(p, main)} does not exist (build the extension first, e.g. npm run build)`);
      }
    } catch {
      log(`warning: no readable package.json in ${p}`);
    }
  }
}

function launcherPath(): string {
  fs.chmodSync(LAUNCHER, 0o755); // a checkout without the exec bit still works
  return LAUNCHER;
}

async function runAndCatch(opts: Parameters<typeof runTests>[0]): Promise<number> {
  try {
    return await runTests(opts);
  } catch (e) {
    if (e instanceof TestRunFailedError) return e.code ?? 1;
    log(`runTests failed: ${(e as Error).message}`);
    return 1;
  }
}

/** CLI flags -> SuiteOptions. */
export function parseCli(argv: string[]): SuiteOptions {
  const o: SuiteOptions = { suite: path.join(REPO_ROOT, 'out', 'test', 'vscode', 'suite'), env: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--suite') o.suite = next();
    else if (a === '--workspace') o.workspace = next();
    else if (a === '--extension') o.extensionDevelopmentPath = [o.extensionDevelopmentPath ?? []].flat().concat(next());
    else if (a === '--env') {
      const kv = next();
      const eq = kv.indexOf('=');
      if (eq < 1) throw new Error(`--env wants K=V, got ${kv}`);
      o.env![kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a === '--untrusted') o.trusted = false;
    else if (a === '--trusted') o.trusted = true;
    else if (a === '--timeout') o.timeoutMs = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

if (require.main === module) {
  let opts: SuiteOptions;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (e) {
    log((e as Error).message);
    process.exit(2);
  }
  runVsCodeSuite(opts).then((code) => process.exit(code));
}
