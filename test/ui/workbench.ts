/**
 * Playwright helpers for code-server's web workbench (VS Code 1.139 DOM). They act the way a person
 * does — palette, notifications, status bar — so UI tests check what a user would see.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launchChromium } from '../vscode/harness/browser';
import type { PwPage } from '../vscode/harness/tools';
import { REPO_ROOT, ensureTools } from '../vscode/harness/tools';

/** Screenshots land here; the folder is gitignored except files chosen for the README. */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test', 'ui', 'screenshots');

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_ROWS = `${QUICK_INPUT} .monaco-list-row`;

export interface Workbench {
  page: PwPage;
  close(): Promise<void>;
}

/** Opens the workbench in a fresh headless Chromium profile and waits until it is laid out. */
export async function openWorkbench(url: string, opts: { width?: number; height?: number } = {}): Promise<Workbench> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vsharness-chromium-'));
  const browser = await launchChromium(ensureTools(), profile, { width: opts.width ?? 1280, height: opts.height ?? 800 });
  const close = async () => {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  try {
    await browser.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await browser.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  } catch (e) {
    await close();
    throw e;
  }
  return { page: browser.page, close };
}

const sleep = (page: PwPage, ms: number) => page.waitForTimeout(ms);

/**
 * Runs a command from the palette by its title ("Category: Title"), as a person would: F1, type, pick
 * the row. Retries while the palette says "No matching commands" (the extension may still be
 * activating / registering its contributions right after the window opens).
 */
export async function runCommand(page: PwPage, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator(QUICK_INPUT_BOX);
  const want = title.toLowerCase();
  for (;;) {
    if (!(await input.isVisible())) {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    }
    await input.fill(`>${title}`);
    await sleep(page, 400);
    const rows = page.locator(QUICK_ROWS);
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const label = (await rows.nth(i).getAttribute('aria-label')) ?? (await rows.nth(i).innerText());
      if (label.toLowerCase().startsWith(want)) {
        await rows.nth(i).click();
        await page
          .locator(QUICK_INPUT)
          .waitFor({ state: 'hidden', timeout: 5_000 })
          .catch(() => undefined);
        return;
      }
    }
    if (Date.now() > deadline) {
      const seen = n ? await rows.allInnerTexts() : ['No matching commands'];
      await page.keyboard.press('Escape');
      throw new Error(`command "${title}" not found in the palette after ${timeoutMs} ms; palette showed: ${seen.join(' | ')}`);
    }
    await page.keyboard.press('Escape');
    await sleep(page, 1_000);
  }
}

/**
 * Saves a PNG of the whole window into test/ui/screenshots/NAME.png and returns its path. Waits
 * `settleMs` first: toasts slide and fade in, and a shot taken at once catches them half-drawn.
 */
export async function screenshot(page: PwPage, name: string, settleMs = 800): Promise<string> {
  await sleep(page, settleMs);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The status bar's item texts, left to right (icons are not text; empty items dropped). */
export async function readStatusBar(page: PwPage): Promise<string[]> {
  const texts = await page.locator('.part.statusbar .statusbar-item').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** Polls the status bar until an item matches; returns that item's text. */
export async function waitForStatusBarItem(page: PwPage, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = (await readStatusBar(page)).find((t) => re.test(t));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no status bar item matching ${re}; saw: ${(await readStatusBar(page)).join(' | ')}`);
    await sleep(page, 250);
  }
}

/** Waits for a notification (toast, or one already in the notification center) whose text matches. */
export async function waitForNotification(page: PwPage, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const messages = page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message');
  for (;;) {
    const texts = (await messages.allInnerTexts()).map((t) => t.trim());
    const hit = texts.find((t) => re.test(t));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no notification matching ${re}; saw: ${texts.join(' | ') || 'none'}`);
    await sleep(page, 250);
  }
}

/**
 * Trusts the open folder through the UI (Manage Workspace Trust -> "Trust"), the way a person leaves
 * Restricted Mode. Trusted folders live in the browser profile's storage, so this lasts for this
 * workbench only. Extensions then get vscode.workspace.onDidGrantWorkspaceTrust.
 */
export async function grantWorkspaceTrust(page: PwPage, timeoutMs = 15_000): Promise<void> {
  await runCommand(page, 'Workspaces: Manage Workspace Trust', timeoutMs);
  const button = page.locator('.workspace-trust-editor .workspace-trust-buttons-row .monaco-button').first();
  await button.waitFor({ state: 'visible', timeout: timeoutMs });
  await button.click();
}
