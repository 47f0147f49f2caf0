/**
 * Where the real-VS-Code tooling lives. scripts/setup-vscode-test.sh installs Node 24, code-server and
 * playwright-core into a cache outside the repo (too big and too slow for devDependencies) and records
 * the paths in tools.json; everything in test/vscode and test/ui finds them through here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Tools {
  /** Node 24 binary (code-server 4.139 needs it). */
  node: string;
  /** Shell launcher that runs code-server under Node 24. */
  codeServer: string;
  codeServerVersion: string;
  /** Folder of the playwright-core package (loaded with require at run time). */
  playwrightCore: string;
  /** Debian's Chromium. */
  chromium: string;
}

/** Repo root: this file compiles to out/test/vscode/harness/tools.js. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function cacheDir(): string {
  return process.env.DOCKER_PRUNE_CACHE || path.join(os.homedir(), '.cache', 'docker-prune');
}

function readTools(): Tools | undefined {
  const file = path.join(cacheDir(), 'tools.json');
  if (!fs.existsSync(file)) return undefined;
  const tools = JSON.parse(fs.readFileSync(file, 'utf8')) as Tools;
  const present = [tools.node, tools.codeServer, tools.chromium, path.join(tools.playwrightCore, 'package.json')];
  return present.every((p) => fs.existsSync(p)) ? tools : undefined;
}

/**
 * Returns the installed tools, running the (idempotent) setup script first when they are missing so a
 * suite runs from one command on a fresh machine. DOCKER_PRUNE_NO_AUTO_SETUP=1 turns that off.
 */
export function ensureTools(): Tools {
  const found = readTools();
  if (found) return found;
  const script = path.join(REPO_ROOT, 'scripts', 'setup-vscode-test.sh');
  if (process.env.DOCKER_PRUNE_NO_AUTO_SETUP === '1') {
    throw new Error(`real-VS-Code tools not installed in ${cacheDir()}: run bash ${script}`);
  }
  console.error(`[vscode-test] tools missing in ${cacheDir()}; running ${script} (cold: ~5 min)`);
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  const tools = readTools();
  if (r.status !== 0 || !tools) throw new Error(`setup failed (exit ${r.status}): see output above`);
  return tools;
}

/**
 * The subset of playwright-core this harness uses. playwright-core is not a devDependency (it lives in
 * the cache with the browser tooling), so its types are not available at compile time.
 */
export interface PwPage {
  goto(url: string, opts?: { waitUntil?: 'load' | 'domcontentloaded' | 'commit'; timeout?: number }): Promise<unknown>;
  exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void>;
  on(event: 'console', fn: (msg: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (err: Error) => void): void;
  on(event: 'crash' | 'close', fn: () => void): void;
  locator(selector: string): PwLocator;
  keyboard: { press(key: string): Promise<void>; type(text: string, opts?: { delay?: number }): Promise<void> };
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<Buffer>;
  waitForTimeout(ms: number): Promise<void>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
}
export interface PwLocator {
  first(): PwLocator;
  nth(i: number): PwLocator;
  count(): Promise<number>;
  allInnerTexts(): Promise<string[]>;
  innerText(opts?: { timeout?: number }): Promise<string>;
  isVisible(): Promise<boolean>;
  waitFor(opts?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  click(opts?: { timeout?: number }): Promise<void>;
  fill(text: string, opts?: { timeout?: number }): Promise<void>;
  getAttribute(name: string): Promise<string | null>;
}
export interface PwContext {
  pages(): PwPage[];
  newPage(): Promise<PwPage>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: {
    launchPersistentContext(
      userDataDir: string,
      opts: { executablePath: string; headless: boolean; args: string[]; viewport?: { width: number; height: number }; timeout?: number },
    ): Promise<PwContext>;
  };
}

export function loadPlaywright(tools: Tools): PlaywrightCore {
  return require(tools.playwrightCore) as PlaywrightCore;
}
