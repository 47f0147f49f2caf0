/**
 * What test/vscode/code-server-launcher.js runs. @vscode/test-electron's runTests spawns its
 * `vscodeExecutablePath` with desktop-VS-Code arguments; this maps them onto a real VS Code that runs
 * here: code-server (server + Node extension host) + headless Chromium for the workbench. The suite's
 * result leaves the page through `window.codeAutomationExit(code)` and becomes this process's exit code.
 *
 * Env (set by runVsCodeSuite through runTests' extensionTestsEnv):
 *   DOCKER_PRUNE_HOST_ENV         JSON object: env vars for the extension host
 *   DOCKER_PRUNE_TRUSTED          1 (default) trusted workspace, 0 Restricted Mode
 *   DOCKER_PRUNE_LOCALE           display language (code-server --locale, with a language pack stub)
 *   DOCKER_PRUNE_SUITE_TIMEOUT_MS overall limit (default 600000)
 *   DOCKER_PRUNE_RUN_DIR          where run folders go (default the OS temp dir; keep it short)
 *   DOCKER_PRUNE_KEEP_RUN=1       keep the run folder after a pass (always kept after a failure)
 *   DOCKER_PRUNE_VERBOSE=1        echo code-server's output and the page's console
 *   DOCKER_PRUNE_DESKTOP_EXECUTABLE  pass through to a desktop VS Code instead (drops
 *                                 runTests' --disable-workspace-trust when DOCKER_PRUNE_TRUSTED=0)
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { launchChromium, workbenchUrl } from './browser';
import { startCodeServerProcess } from './codeServerProcess';
import { EXT_HOST_MARK } from './mark';
import { ensureTools } from './tools';

export interface LaunchArgs {
  extensionDevelopmentPaths: string[];
  extensionTestsPath?: string;
  folder?: string;
}

/** Picks out of runTests' argv what matters; the rest (--no-sandbox, --user-data-dir, …) is desktop-only. */
export function parseVsCodeArgs(argv: string[]): LaunchArgs {
  const out: LaunchArgs = { extensionDevelopmentPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--extensionDevelopmentPath') out.extensionDevelopmentPaths.push(path.resolve(value()));
    else if (flag === '--extensionTestsPath') out.extensionTestsPath = path.resolve(value());
    else if (!a.startsWith('-')) out.folder = path.resolve(a);
    else if (inline === undefined && ['--user-data-dir', '--extensions-dir', '--locale', '--profile'].includes(flag)) i++;
  }
  return out;
}

export interface LaunchOptions extends LaunchArgs {
  hostEnv: Record<string, string>;
  trusted: boolean;
  locale?: string;
  timeoutMs: number;
  runDir: string;
  keepRun: boolean;
  verbose: boolean;
}

const log = (msg: string) => process.stderr.write(`[vscode-test] ${msg}\n`);

/** Runs one suite to completion and returns its exit code; always tears the server and browser down. */
export async function launchSuite(o: LaunchOptions): Promise<number> {
  const t0 = Date.now();
  const tools = ensureTools();
  fs.mkdirSync(o.runDir, { recursive: true });
  let code = 1;
  let server: Awaited<ReturnType<typeof startCodeServerProcess>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let onSignal: ((s: NodeJS.Signals) => void) | undefined;
  const workbenchErrors: string[] = [];
  try {
    const outcome = new Promise<number>((resolve) => {
      onSignal = (s) => {
        log(`${s}: stopping`);
        resolve(130);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      setTimeout(() => {
        log(`timed out after ${o.timeoutMs} ms`);
        resolve(124);
      }, o.timeoutMs).unref();
    });

    server = await startCodeServerProcess({
      tools,
      runDir: o.runDir,
      trusted: o.trusted,
      smokeTestDriver: true,
      locale: o.locale,
      env: o.hostEnv,
      verbose: o.verbose,
    });
    log(`code-server ${tools.codeServerVersion} on ${server.origin} (pgid ${server.pgid}) in ${Date.now() - t0} ms; trusted=${o.trusted}`);

    browser = await launchChromium(tools, path.join(o.runDir, 'chromium'));
    const { page } = browser;
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    // Both must be registered before the workbench loads: it looks for them when the extension host ends.
    await page.exposeFunction('codeAutomationLog', ((level: string, args: unknown) => forwardLog(level, args, o.verbose, workbenchErrors)) as never);
    await page.exposeFunction('codeAutomationExit', ((exitCode: number, logs?: { relativePath: string; contents: string }[]) => {
      saveLogs(o.runDir, logs);
      resolveExit(typeof exitCode === 'number' ? exitCode : 1);
    }) as never);
    page.on('crash', () => {
      log('page crashed');
      resolveExit(1);
    });
    let settled = false;
    void server.exited.then((c) => {
      if (settled) return; // our own teardown
      log(`code-server exited (${c}) during the run; see ${server?.logFile}`);
      resolveExit(1);
    });
    if (o.verbose) {
      page.on('console', (m) => process.stderr.write(`[page:${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => log(`page error: ${e.message}`));
    }

    const url = workbenchUrl({
      origin: server.origin,
      folder: o.folder,
      extensionDevelopmentPaths: o.extensionDevelopmentPaths,
      extensionTestsPath: o.extensionTestsPath,
      extensionEnv: o.hostEnv,
    });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    code = await Promise.race([exited, outcome]);
    settled = true;
  } catch (e) {
    log(`harness error: ${(e as Error).stack ?? e}`);
    code = 1;
  } finally {
    if (onSignal) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    await browser?.close();
    await server?.stop();
    if (code !== 0 && workbenchErrors.length) {
      process.stderr.write(`[vscode-test] workbench errors during the run:\n${workbenchErrors.join('\n')}\n`);
    }
    log(`suite exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (code === 0 && !o.keepRun) fs.rmSync(o.runDir, { recursive: true, force: true });
    else log(`run folder kept: ${o.runDir} (code-server.log, exthost logs under logs/)`);
  }
  return code;
}

/**
 * The workbench's log service sends everything through codeAutomationLog(level, formatArgs): its own
 * chatter and the extension host's console output alike. The suite runner (suite/index.ts) marks mocha's
 * report with EXT_HOST_MARK: that goes to stdout. Workbench errors are kept and shown only if the run
 * fails (a passing run has harmless ones: github auth timeouts, "Canceled" at shutdown); all the rest
 * only when verbose.
 */
function forwardLog(level: string, args: unknown, verbose: boolean, errors: string[]): void {
  const parts = Array.isArray(args) ? args : [args];
  const text = util.format(...parts);
  if (text.startsWith(EXT_HOST_MARK)) process.stdout.write(`${text.slice(EXT_HOST_MARK.length)}\n`);
  else if (verbose) process.stderr.write(`[workbench ${level}] ${text}\n`);
  else if (level === 'error' && errors.length < 200) errors.push(`[workbench error] ${text}`);
}

function saveLogs(runDir: string, logs?: { relativePath: string; contents: string }[]): void {
  if (!Array.isArray(logs)) return;
  for (const l of logs) {
    if (typeof l?.relativePath !== 'string' || l.relativePath.includes('..')) continue;
    const file = path.join(runDir, 'logs', l.relativePath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, l.contents ?? '');
  }
}

/** Desktop VS Code: exec it with runTests' arguments, minus --disable-workspace-trust for untrusted runs. */
function passThrough(executable: string, argv: string[], trusted: boolean): Promise<number> {
  const args = trusted ? argv : argv.filter((a) => a !== '--disable-workspace-trust');
  return new Promise((resolve) => {
    const child = spawn(executable, args, { stdio: 'inherit' });
    child.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1)));
    child.on('error', (e) => {
      log(`cannot start ${executable}: ${e.message}`);
      resolve(1);
    });
  });
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const env = process.env;
  const trusted = env.DOCKER_PRUNE_TRUSTED !== '0';
  if (env.DOCKER_PRUNE_DESKTOP_EXECUTABLE) return passThrough(env.DOCKER_PRUNE_DESKTOP_EXECUTABLE, argv, trusted);
  const parsed = parseVsCodeArgs(argv);
  // Short paths on purpose: code-server puts unix sockets in the run dir (108-byte limit).
  const base = env.DOCKER_PRUNE_RUN_DIR || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return launchSuite({
    ...parsed,
    hostEnv: env.DOCKER_PRUNE_HOST_ENV ? (JSON.parse(env.DOCKER_PRUNE_HOST_ENV) as Record<string, string>) : {},
    trusted,
    locale: env.DOCKER_PRUNE_LOCALE || undefined,
    timeoutMs: Number(env.DOCKER_PRUNE_SUITE_TIMEOUT_MS) || 600_000,
    runDir: fs.mkdtempSync(path.join(base, 'vsharness-run-')),
    keepRun: env.DOCKER_PRUNE_KEEP_RUN === '1',
    verbose: env.DOCKER_PRUNE_VERBOSE === '1',
  });
}
