/**
 * The plan view in the browser: its page runs in a webview, which code-server nests two iframes deep (the
 * workbench's `iframe.webview` host, and inside it `#active-frame` with the page itself).
 */
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { closeEndpoint } from '../../src/core/environments';
import { parseFilterArgs } from '../../src/core/filters';
import { formatBytes, shortImageId } from '../../src/core/format/units';
import type { Plan } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotReader } from '../../src/core/snapshot/snapshotReader';
import type { PwLocator, PwPage } from '../vscode/harness/tools';
import { runCommand } from './codeServer';

export interface FrameElement extends PwLocator {
  first(): FrameElement;
  focus(): Promise<void>;
}

export interface FrameLocator {
  locator(selector: string): FrameElement;
  frameLocator(selector: string): FrameLocator;
  first(): FrameLocator;
}

/** The visible plan view's page. */
export function planViewFrame(page: PwPage): FrameLocator {
  return (page as unknown as { frameLocator(s: string): FrameLocator })
    .frameLocator('iframe.webview.ready >> visible=true')
    .first()
    .frameLocator('#active-frame');
}

/** Waits until the page's title (h1) matches. */
export async function waitForPlanView(page: PwPage, title: RegExp, timeoutMs = 30_000): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = planViewFrame(page);
    const h1 = await frame
      .locator('h1')
      .first()
      .innerText({ timeout: 500 })
      .catch(() => '');
    if (title.test(h1)) return frame;
    if (Date.now() > deadline) throw new Error(`no plan view titled ${title}; saw "${h1}"`);
    await page.waitForTimeout(300);
  }
}

export async function waitForFrameText(page: PwPage, frame: FrameLocator, selector: string, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = await frame
      .locator(selector)
      .allInnerTexts()
      .catch(() => [] as string[]);
    const hit = texts.find((t) => re.test(t));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`nothing matching ${re} in the plan view's ${selector}; saw: ${texts.join(' | ')}`);
    await page.waitForTimeout(200);
  }
}

/** The all-unused plan the core makes for the engine now, leaving out `shortIds` (the default settings' policy). */
export async function corePlan(host: string, leaveOutShort: readonly string[]): Promise<{ plan: Plan; ids: string[] }> {
  const engine = new DockerEngine(resolveEndpoint({ host }));
  try {
    const snapshot = await new SnapshotReader(engine).read();
    const ids = snapshot.images.filter((i) => leaveOutShort.includes(shortImageId(i.id))).map((i) => i.id);
    return { plan: planPrune(snapshot, { mode: 'all', filters: parseFilterArgs([]), protect: [] }, { leaveOut: new Set(ids) }), ids };
  } finally {
    closeEndpoint(engine.endpoint);
  }
}

export function removeButtonText(plan: Plan): string {
  const n = plan.items.length;
  return `Remove ${n} image${n === 1 ? '' : 's'} (${formatBytes(plan.spaceReclaimable)})`;
}

/** Picks a colour theme the way a person does (Preferences: Color Theme), and waits until the workbench wears it. */
export async function setColorTheme(page: PwPage, theme: string): Promise<void> {
  const light = /light/i.test(theme);
  const highContrast = /high contrast/i.test(theme);
  const wears = async () => {
    // The workbench names a high-contrast theme's kind in its classes; a dark one's status bar is dark too.
    const inHighContrast = (await page.locator('.monaco-workbench.hc-black, .monaco-workbench.hc-light').count()) > 0;
    if (highContrast || inHighContrast)
      return highContrast && inHighContrast && (await page.locator(`.monaco-workbench.${light ? 'hc-light' : 'hc-black'}`).count()) > 0;
    const brightness = await statusBarBrightness(page);
    return light ? brightness > 128 : brightness >= 0 && brightness < 128;
  };
  if (await wears()) return;
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(theme);
  await page.waitForTimeout(500);
  await page.locator(`.quick-input-widget .monaco-list-row:has-text("${theme}")`).first().click();
  const deadline = Date.now() + 20_000;
  while (!(await wears())) {
    if (Date.now() > deadline) throw new Error(`the workbench did not switch to ${theme} (status bar brightness ${await statusBarBrightness(page)})`);
    await page.waitForTimeout(300);
  }
  // A picker still open keeps the theme only as a preview: accept it.
  if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Enter');
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: 5_000 })
    .catch(() => undefined);
}

/** Waits until a webview's page wears the theme too (VS Code sets its body's class when the theme reaches it). */
export async function waitForPageTheme(frame: FrameLocator, theme: string): Promise<void> {
  const kind = /high contrast/i.test(theme) ? 'vscode-high-contrast' : /light/i.test(theme) ? 'vscode-light' : 'vscode-dark';
  await frame.locator(`body.${kind}`).waitFor({ state: 'attached', timeout: 20_000 });
}

/** 0–255: how light the status bar's background is (-1: not found). */
async function statusBarBrightness(page: PwPage): Promise<number> {
  // Runs in the browser (a string: this file is compiled for Node, without the DOM's types).
  const color = await (page as unknown as { evaluate(js: string): Promise<string> }).evaluate(
    "(() => { const el = document.querySelector('.part.statusbar'); return el ? getComputedStyle(el).backgroundColor : ''; })()",
  );
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  if (!m) return -1;
  return 0.299 * Number(m[1]) + 0.587 * Number(m[2]) + 0.114 * Number(m[3]);
}
