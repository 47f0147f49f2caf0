/**
 * Starts and stops one isolated, offline code-server (a real VS Code server + Node extension host).
 *
 * Why this shape:
 *  - its own process group (spawn `detached` = setsid): code-server's wrapper forks the server, the
 *    extension host, pty hosts…; killing the wrapper alone orphans them, so we kill the whole group;
 *  - everything (config, user data, extensions, XDG dirs) under one run dir: nothing leaks into ~/.config
 *    and runs don't see each other's state (trust, storage, installed extensions);
 *  - 127.0.0.1 on a free port, `--auth none`, an empty gallery and a settings.json that turns off every
 *    feature that would reach outside hosts (telemetry, updates, AI, git autofetch, schema downloads).
 */
import type { ChildProcess } from 'child_process';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import type { Tools } from './tools';

export interface CodeServerOptions {
  tools: Tools;
  /** Folder that will hold config.yaml, user-data, extensions, xdg/, code-server.log. */
  runDir: string;
  /**
   * Workspace trust for the folder that will be opened.
   *  true  -> `--disable-workspace-trust`: every folder is trusted (what @vscode/test-electron does too);
   *  false -> trust enabled, nothing trusted, no startup prompt: the folder opens in Restricted Mode.
   */
  trusted: boolean;
  /**
   * Needed for extensionDevelopmentPath / extensionTestsPath in the URL payload to be honoured by a
   * built VS Code. It also hides notification toasts, so the UI harness leaves it off.
   */
  smokeTestDriver: boolean;
  /** Extra env for the server process; the extension host inherits it. */
  env?: Record<string, string>;
  /** .vsix files to install (`--install-extension`) before the server starts. */
  vsix?: string[];
  /** Echo code-server's own output to stderr (it always goes to runDir/code-server.log). */
  verbose?: boolean;
  /**
   * Display language (`--locale`), e.g. `de`. VS Code takes a locale only when a language pack for it is
   * installed (else `vscode.env.language` stays `en` and no extension's translations load); the real
   * packs come from the Marketplace, not npm, so installLanguagePackStub() registers an empty one.
   */
  locale?: string;
}

/**
 * Registers a language pack for `locale` the way VS Code records installed ones (user-data/languagepacks.json)
 * but with no translations of VS Code's own strings: the workbench resolves the language to `locale`
 * (so `vscode.env.language` and extensions' package.nls.<locale>.json / bundle.l10n.<locale>.json apply)
 * while its own UI stays English. That is what can be tested without the Marketplace pack.
 */
function installLanguagePackStub(userDataDir: string, locale: string): void {
  const dir = path.join(userDataDir, 'language-pack-stub');
  fs.mkdirSync(dir, { recursive: true });
  const translations = path.join(dir, 'main.i18n.json');
  fs.writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const packs = {
    [locale]: {
      hash: `stub-${locale}`,
      extensions: [{ extensionIdentifier: { id: `docker-prune-test.language-pack-stub-${locale}` }, version: '0.0.0' }],
      translations: { vscode: translations },
      label: locale,
    },
  };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs, null, 2));
}

export interface RunningCodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Process group id (= pid of the wrapper) that stop() kills. */
  pgid: number;
  logFile: string;
  userDataDir: string;
  extensionsDir: string;
  /** Resolves with the wrapper's exit code if it ends (by itself or through stop()). */
  exited: Promise<number>;
  stop(): Promise<void>;
}

/** Settings that keep the workbench from contacting outside hosts and from interrupting tests. */
export function userSettings(): Record<string, unknown> {
  return {
    'telemetry.telemetryLevel': 'off',
    'telemetry.feedback.enabled': false,
    'update.mode': 'none',
    'update.showReleaseNotes': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'workbench.enableExperiments': false,
    'workbench.settings.enableNaturalLanguageSearch': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    'git.autofetch': false,
    'git.autoRepositoryDetection': false,
    'git.openRepositoryInParentFolders': 'never',
    'npm.fetchOnlinePackageInfo': false,
    'json.schemaDownload.enable': false,
    'typescript.disableAutomaticTypeAcquisition': true,
    'typescript.tsserver.web.typeAcquisition.enabled': false,
    // Trust: `trusted` runs pass --disable-workspace-trust (which wins over this setting); untrusted
    // runs keep trust on, and with nothing trusted and no modal prompt the folder opens in Restricted Mode.
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    'security.workspace.trust.untrustedFiles': 'open',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** Env for code-server: ours, minus a parent VS Code's variables, XDG dirs inside runDir, then the caller's. */
function serverEnv(opts: CodeServerOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k.startsWith('npm_')) continue;
    env[k] = v;
  }
  const xdg = path.join(opts.runDir, 'xdg');
  return {
    ...env,
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: path.join(xdg, 'config'),
    XDG_DATA_HOME: path.join(xdg, 'data'),
    XDG_CACHE_HOME: path.join(xdg, 'cache'),
    XDG_STATE_HOME: path.join(xdg, 'state'),
    // code-server leaves vscode-ipc-*.sock files in the temp dir; keep them in the run dir.
    TMPDIR: path.join(opts.runDir, 'tmp'),
    // The caller's last: several windows of one user share some of these (see suites/run.ts).
    ...opts.env,
  };
}

/** Is any process of the group still there? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCodeServerProcess(opts: CodeServerOptions): Promise<RunningCodeServer> {
  const { tools, runDir } = opts;
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  const configFile = path.join(runDir, 'config.yaml');
  const logFile = path.join(runDir, 'code-server.log');
  for (const d of [userDataDir, extensionsDir, path.join(userDataDir, 'User'), path.join(runDir, 'tmp')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings(), null, 2));
  if (opts.locale) installLanguagePackStub(userDataDir, opts.locale);

  const port = await freePort();
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = serverEnv(opts);
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  for (const vsix of opts.vsix ?? []) {
    const r = spawnSync(tools.codeServer, [...common, '--install-extension', path.resolve(vsix), '--force'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }

  const args = [
    ...common,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    '--reconnection-grace-time',
    '10',
  ];
  if (opts.trusted) args.push('--disable-workspace-trust');
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (opts.locale) args.push('--locale', opts.locale);

  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(tools.codeServer, args, {
    env,
    detached: true, // new session + process group: stop() kills the whole tree
    stdio: ['ignore', opts.verbose ? 'inherit' : out, opts.verbose ? 'inherit' : out],
  });
  fs.closeSync(out);
  const pgid = child.pid;
  if (!pgid) throw new Error(`could not spawn ${tools.codeServer}`);
  // Last-resort cleanup if our process dies without calling stop().
  const onExit = () => killGroup(pgid, 'SIGKILL');
  process.once('exit', onExit);

  let exited: number | undefined;
  const exitedP = new Promise<number>((resolve) =>
    child.once('exit', (code, sig) => {
      exited = code ?? (sig ? 128 : 1);
      resolve(exited);
    }),
  );

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(pgid, 'SIGTERM');
    for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
    if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
    process.removeListener('exit', onExit);
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while ((await httpStatus(`${origin}/healthz`)) !== 200) {
    if (exited !== undefined || Date.now() > deadline) {
      await stop();
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
      throw new Error(`code-server did not become healthy (exit ${exited ?? 'timeout'}); log ${logFile}:\n${tail}`);
    }
    await sleep(200);
  }
  return { port, origin, pgid, logFile, userDataDir, extensionsDir, exited: exitedP, stop };
}
