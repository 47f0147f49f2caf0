/**
 * A real VS Code (code-server) for browser UI tests, with a packaged extension installed the way a user
 * installs it (.vsix), and the workbench opened in headless Chromium.
 *
 * Unlike the extension-host suites (test/vscode), the server runs WITHOUT the smoke-test-driver flag:
 * that flag hides notification toasts, which UI tests want to see. Env for the extension is set on the
 * server process (the extension host inherits it); the URL payload is not used.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startCodeServerProcess } from '../vscode/harness/codeServerProcess';
import { ensureTools } from '../vscode/harness/tools';

export {
  openWorkbench,
  runCommand,
  screenshot,
  readStatusBar,
  waitForStatusBarItem,
  waitForNotification,
  grantWorkspaceTrust,
  SCREENSHOT_DIR,
} from './workbench';
export { packageVsix } from './vsix';

export interface UiServerOptions {
  /** .vsix file(s) to install with `--install-extension`. */
  vsix?: string | string[];
  /** Folder the workbench opens. */
  workspace: string;
  /** Env for the server, inherited by the extension host (e.g. DOCKER_HOST of a test engine). */
  env?: Record<string, string>;
  /** true (default): --disable-workspace-trust. false: trust on, folder opens in Restricted Mode. */
  trusted?: boolean;
  /** Echo code-server's output. */
  verbose?: boolean;
}

export interface UiServer {
  /** Workbench URL with the folder open: pass to openWorkbench(). */
  url: string;
  origin: string;
  /** Run folder (config, user data, extensions, code-server.log). */
  runDir: string;
  logFile: string;
  /** Kills code-server's process group; removes the run folder unless keepRun. */
  stop(opts?: { keepRun?: boolean }): Promise<void>;
}

export async function startCodeServer(o: UiServerOptions): Promise<UiServer> {
  const tools = ensureTools();
  const base = process.env.DOCKER_PRUNE_RUN_DIR || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const runDir = fs.mkdtempSync(path.join(base, 'vsharness-ui-'));
  const server = await startCodeServerProcess({
    tools,
    runDir,
    trusted: o.trusted ?? true,
    smokeTestDriver: false,
    env: o.env,
    vsix: [o.vsix ?? []].flat(),
    verbose: o.verbose,
  });
  const url = `${server.origin}/?${new URLSearchParams({ folder: path.resolve(o.workspace) }).toString()}`;
  return {
    url,
    origin: server.origin,
    runDir,
    logFile: server.logFile,
    async stop(opts) {
      await server.stop();
      if (!opts?.keepRun && process.env.DOCKER_PRUNE_KEEP_RUN !== '1') fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}
