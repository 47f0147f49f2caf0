/**
 * The plan view in the browser: its page runs in a webview, which code-server nests two iframes deep (the
 * workbench's `iframe.webview` host, and inside it `#active-frame` with the page itself).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { closeEndpoint } from '../../src/core/environments';
import { parseFilterArgs } from '../../src/core/filters';
import { formatBytes, shortImageId } from '../../src/core/format/units';
import type { Plan } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotReader } from '../../src/core/snapshot/snapshotReader';
import type { PwLocator, PwPage } from '../vscode/harness/tools';

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
  return (page as unknown as { frameLocator(s: string): FrameLocator }).frameLocator('iframe.webview.ready >> visible=true').first().frameLocator('#active-frame');
}

/** Waits until the page's title (h1) matches. */
export async function waitForPlanView(page: PwPage, title: RegExp, timeoutMs = 30_000): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = planViewFrame(page);
    const h1 = await frame.locator('h1').first().innerText({ timeout: 2_000 }).catch(() => '');
    if (title.test(h1)) return frame;
    if (Date.now() > deadline) throw new Error(`no plan view titled ${title}; saw "${h1}"`);
    await page.waitForTimeout(300);
  }
}

export async function waitForFrameText(page: PwPage, frame: FrameLocator, selector: string, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = await frame.locator(selector).allInnerTexts().catch(() => [] as string[]);
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

/** Sets the colour theme through the workspace settings file, as a person editing settings.json would. */
export async function setColorTheme(page: PwPage, workspace: string, theme: string): Promise<void> {
  const file = path.join(workspace, '.vscode', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  settings['workbench.colorTheme'] = theme;
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  const light = /light/i.test(theme);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const cls = (await page.locator('.monaco-workbench').first().getAttribute('class')) ?? '';
    if (light ? /\bvs\b(?!-dark)/.test(cls) && !cls.includes('vs-dark') : cls.includes('vs-dark')) return;
    if (Date.now() > deadline) throw new Error(`the workbench did not switch to ${theme}: ${cls}`);
    await page.waitForTimeout(300);
  }
}
