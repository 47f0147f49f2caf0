/**
 * Headless Debian Chromium driven by playwright-core, and the workbench URL that tells code-server's web
 * workbench what to open and which extension tests to run.
 */
import * as path from 'path';
import type { PwContext, PwPage, Tools } from './tools';
import { loadPlaywright } from './tools';

/** Flags measured to work here (no sandbox as root, nothing that phones home). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-dev-shm-usage',
];

export interface Browser {
  context: PwContext;
  page: PwPage;
  close(): Promise<void>;
}

/**
 * A fresh persistent profile per run (launch() refuses --user-data-dir; a fresh profile also means the
 * browser-side storage where VS Code web keeps trusted folders starts empty).
 */
export async function launchChromium(tools: Tools, profileDir: string, viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const pw = loadPlaywright(tools);
  const context = await pw.chromium.launchPersistentContext(profileDir, {
    executablePath: tools.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // playwright kills the browser's process group if a graceful close hangs.
    await Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
  };
  return { context, page, close };
}

export interface WorkbenchTarget {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Absolute folder to open; omitted = empty window. */
  folder?: string;
  extensionDevelopmentPaths?: string[];
  extensionTestsPath?: string;
  /** Env vars for the extension host (payload `extensionEnvironment`). */
  extensionEnv?: Record<string, string>;
}

/** A path on the server as the workbench names it: vscode-remote://127.0.0.1:PORT/abs/path. */
function remoteUri(origin: string, p: string): string {
  const authority = new URL(origin).host;
  const abs = path.resolve(p).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://${authority}${abs}`;
}

/**
 * `?folder=…&payload=[[k,v],…]`. The payload's development entries are honoured only when the server
 * runs with `--vscode-option enable-smoke-test-driver`.
 */
export function workbenchUrl(t: WorkbenchTarget): string {
  const payload: [string, string][] = [];
  for (const p of t.extensionDevelopmentPaths ?? []) payload.push(['extensionDevelopmentPath', remoteUri(t.origin, p)]);
  if (t.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(t.origin, t.extensionTestsPath)]);
  if (t.extensionEnv && Object.keys(t.extensionEnv).length) payload.push(['extensionEnvironment', JSON.stringify(t.extensionEnv)]);
  payload.push(['skipWelcome', 'true'], ['skipReleaseNotes', 'true']);
  const q = new URLSearchParams();
  if (t.folder) q.set('folder', path.resolve(t.folder));
  q.set('payload', JSON.stringify(payload));
  return `${t.origin}/?${q.toString()}`;
}
