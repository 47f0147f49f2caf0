/**
 * Browser UI tests: the packaged extension (`npm run package` → docker-prune.vsix) installed into
 * code-server the way a user installs it, driven through headless Chromium like a person would:
 *   open the view → run "Prune Dangling Images…" from the command palette → answer the real modal →
 *   see the progress notification and the result → read the status bar before and after.
 * Screenshots go to test/ui/screenshots/ (ignored by git): running the tests never changes a tracked file.
 * `npm run screenshots` runs these same steps with DP_SCREENSHOT_DIR=media/screenshots to refresh the README's.
 *
 * The engine is the runner's test engine, seen through a small proxy that adds 250 ms to each image
 * delete, so the progress notification stays up long enough to be seen (and photographed). A few
 * imported images with large layers make the byte figures look like real life.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { buildImage } from '../support/buildx';
import { apiRequest, resetEngine, type TestEngine } from '../support/dockerd';
import { LABELLED_REFERENCE, LONGEST_REFERENCE, loadHostilePopulation } from '../support/hostilePopulation';
import { loadPopulation } from '../support/population';
import { EngineProxy } from '../vscode/suites/lib/engineProxy';
import { testPopulation } from '../vscode/suites/lib/population';
import type { PwLocator, PwPage } from '../vscode/harness/tools';
import { REPO_ROOT } from '../vscode/harness/tools';
import { openWorkbench, readStatusBar, runCommand, SCREENSHOT_DIR, startCodeServer, waitForNotification, waitForStatusBarItem } from './codeServer';
import { assertAccessible } from './axe';
import { corePlan, planViewFrame, removeButtonText, setColorTheme, waitForFrameText, waitForPageTheme, waitForPlanView } from './planView.ui';

/** Where the named screenshots go: test/ui/screenshots/, or DP_SCREENSHOT_DIR (`npm run screenshots`: the README's). */
export const SHOTS_DIR = process.env.DP_SCREENSHOT_DIR ? path.resolve(REPO_ROOT, process.env.DP_SCREENSHOT_DIR) : SCREENSHOT_DIR;
const log = (m: string) => process.stderr.write(`[ui] ${m}\n`);
const DELETE_DELAY_MS = 250;

export async function runUiTests(o: { engine: TestEngine; scratch: string }): Promise<number> {
  const vsix = packageExtension();
  await resetEngine(o.engine.socketPath);
  await loadPopulation(o.engine.socketPath, testPopulation());
  const big = await importLargeImages(o.engine.socketPath, [24, 17, 9, 6]);
  log(`population + ${big.length} large dangling images loaded`);

  const proxy = new EngineProxy(path.join(o.scratch, 'ui-engine.sock'), o.engine.socketPath);
  proxy.hold = (req) => (req.method === 'DELETE' ? new Promise((r) => setTimeout(r, DELETE_DELAY_MS)) : undefined);
  await proxy.start();
  const workspace = path.join(o.scratch, 'ui-ws');
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  // The engine under a name of the user's choosing (it replaces the DOCKER_HOST entry: same host), and a
  // second environment whose daemon is not running.
  const staging = path.join(o.scratch, 'staging', 'docker.sock');
  fs.mkdirSync(path.dirname(staging), { recursive: true });
  const environments = [
    { name: 'local', host: proxy.host },
    { name: 'staging', host: `unix://${staging}` },
  ];
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'dockerPrune.environments': environments }, null, 2));
  const dockerConfig = path.join(o.scratch, 'ui-docker-config');
  fs.mkdirSync(dockerConfig, { recursive: true });
  const server = await startCodeServer({ vsix, workspace, env: { DOCKER_HOST: proxy.host, DOCKER_CONFIG: dockerConfig }, trusted: true });
  let ok = false;
  const wb = await openWorkbench(server.url, { width: 1100, height: 660 });
  const page = wb.page;
  const steps: Array<[string, () => Promise<void>]> = [];
  let before = '';

  steps.push([
    'the status bar shows the reclaimable bytes',
    async () => {
      before = await waitForStatusBarItem(page, /^[\d.]+ (B|kB|MB|GB)$/, 60_000);
      assert.notStrictEqual(before, '0 B');
      log(`status bar: ${before}`);
    },
  ]);

  steps.push([
    'the Docker Prune view lists the environment and its groups',
    async () => {
      await runCommand(page, 'Docker Prune: Focus on Environments View');
      await widenSideBar(page, 470);
      const rows = page.locator('.pane-body .monaco-list-row');
      await waitForText(page, '.pane-body .monaco-list-row', /Dangling/);
      await page.locator('.pane-body .monaco-list-row:has-text("In use")').first().click();
      await waitForText(page, '.pane-body .monaco-list-row', /dp\/run:app/);
      await page.locator('.pane-body .monaco-list-row:has-text("Dangling")').first().click();
      await waitForText(page, '.pane-body .monaco-list-row', /<none>/);
      const texts = await rows.allInnerTexts();
      assert.ok(
        texts.some((t) => /^local\s*\d+ images · [\d.]+ \w+ reclaimable/.test(t)),
        texts.join(' | '),
      );
      assert.ok(texts.some((t) => /In use/.test(t)) && texts.some((t) => /Unused/.test(t)));
      await waitForText(page, '.pane-body .monaco-list-row', /^staging\s*unreachable/);
      await waitForText(page, '.pane-body .monaco-list-row', /No Docker socket at/);
      await waitForText(page, '.pane-body .monaco-list-row', /^Retry$/);
      await shot(page, 'tree', 700, { x: 0, y: 0, width: 480, height: 660 });
    },
  ]);

  steps.push([
    'Prune Dangling Images… from the palette asks in a modal naming mode, environment and bytes',
    async () => {
      await runCommand(page, 'Docker Prune: Prune Dangling Images…');
      // Two environments: the palette asks which, with what each would reclaim (or why it cannot).
      const rows = '.quick-input-widget .monaco-list-row';
      await waitForText(page, rows, new RegExp(`local.*\\d+ images to remove · ${escapeRe(before)} reclaimable`, 's'));
      await waitForText(page, rows, /staging.*No Docker socket at/s);
      await shot(page, 'pick-environment');
      await page.locator('.quick-input-widget .quick-input-box input').fill('local');
      await page.keyboard.press('Enter');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      const text = await dialog.innerText();
      assert.match(text, new RegExp(`Remove \\d+ dangling images from local and reclaim ${escapeRe(before)}\\?`), text);
      assert.match(text, /Mode: dangling images/);
    },
  ]);

  steps.push([
    '"Change Filters…" re-plans with the run\'s filters and asks again',
    async () => {
      const dialog = page.locator('.monaco-dialog-box');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      const changeFilters = async (value: string) => {
        await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button:has-text("Change Filters")').first().click();
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(value);
        await page.keyboard.press('Enter');
        await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      };
      // The imported images are minutes old: until=1h leaves only the old dangling images.
      await changeFilters('until=1h');
      const narrowed = await waitForText(page, '.monaco-dialog-box', /Filters: until=1h/);
      assert.match(narrowed, /Remove \d+ dangling images from local and reclaim/);
      assert.ok(!narrowed.includes(`reclaim ${before}?`), 'fewer bytes with the filter');
      await changeFilters('');
      const back = await waitForText(page, '.monaco-dialog-box', /Filters: none/);
      assert.ok(back.includes(`reclaim ${before}?`), back);
      await shot(page, 'confirm');
    },
  ]);

  steps.push([
    'confirming shows a progress notification, then the result with a button to the audit',
    async () => {
      await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button:text-matches("^Remove \\\\d+ images$")').first().click();
      const progress = await waitForNotification(page, /Docker Prune: removing dangling images from local/, 15_000);
      log(`progress: ${progress}`);
      await waitForNotification(page, /[1-9]\d* of \d+ images · [\d.]+ \w+ reclaimed/, 15_000);
      await shot(page, 'progress', 500);
      const result = await waitForNotification(page, /^Removed \d+ images, reclaimed [\d.]+ \w+ on local\./, 60_000);
      log(`result: ${result}`);
      const toast = page.locator('.notifications-toasts .notification-list-item:has-text("Removed")').first();
      assert.ok((await toast.innerText()).includes('Show Audit Log'), 'result offers the audit');
      await shot(page, 'result');
    },
  ]);

  steps.push([
    'the status bar follows: 0 B after the prune',
    async () => {
      const after = await waitForStatusBarItem(page, /^0 B$/, 30_000);
      log(`status bar after: ${after} (items: ${(await readStatusBar(page)).join(' | ')})`);
    },
  ]);

  steps.push([
    'a click on the status bar opens the plan view',
    async () => {
      const items = page.locator('.part.statusbar .statusbar-item');
      const texts = await items.allInnerTexts();
      const at = texts.findIndex((t) => t.trim() === '0 B');
      assert.ok(at >= 0, `the Docker Prune item in ${texts.join(' | ')}`);
      await items.nth(at).click();
      await pickQuick(page, 'local');
      const frame = await waitForPlanView(page, /^Prune dangling images on local$/);
      await waitForFrameText(page, frame, '.empty', /^Nothing to remove\.$/);
    },
  ]);

  let leftOut = '';
  steps.push([
    "Preview Prune… from the palette opens the plan view; Space on a checkbox leaves an image out; the button shows the core's figure",
    async () => {
      await runCommand(page, 'Docker Prune: Preview Prune…');
      await pickQuick(page, 'All unused');
      await pickQuick(page, 'local');
      const t0 = Date.now();
      const frame = await waitForPlanView(page, /^Prune all unused images on local$/);
      const full = await frame.locator('#remove').innerText();
      log(`plan view rendered within ${Date.now() - t0} ms of the environment being picked: ${full}`);
      assert.strictEqual(full.trim(), removeButtonText((await corePlan(proxy.host, [])).plan));
      // Keyboard only: the first repository's checkbox, Tab to its first image, Space.
      await frame.locator('section.group h2 input[type=checkbox]').first().focus();
      await page.keyboard.press('Tab');
      const label = (await frame.locator(':focus').getAttribute('aria-label')) ?? '';
      leftOut = /\(([0-9a-f]{12})\)$/.exec(label)?.[1] ?? '';
      assert.ok(leftOut, `an image checkbox has the focus: "${label}"`);
      await page.keyboard.press('Space');
      const core = await corePlan(proxy.host, [leftOut]);
      const want = removeButtonText(core.plan);
      assert.notStrictEqual(want, full.trim(), 'leaving an image out changes the plan');
      await waitForFrameText(page, frame, '#remove', new RegExp(`^\\s*${escapeRe(want)}\\s*$`));
      assert.strictEqual(await frame.locator(':focus').getAttribute('aria-label'), label, 'the focus stays on the checkbox');
      log(`left out ${leftOut}: ${want}`);
    },
  ]);

  steps.push([
    'the plan view in a dark, a light and a high-contrast theme, with no serious or critical axe-core violation',
    async () => {
      // The whole window for the plan: the side bar hidden, the page at its top.
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
      const frame = await waitForPlanView(page, /^Prune all unused images on local$/);
      await (frame.locator('h1').first() as unknown as { scrollIntoViewIfNeeded(): Promise<void> }).scrollIntoViewIfNeeded();
      for (const [theme, picture] of [
        ['Dark Modern', 'plan-view-dark'],
        ['Light Modern', 'plan-view-light'],
        ['Dark High Contrast', undefined],
      ] as const) {
        await setColorTheme(page, theme);
        await waitForPageTheme(frame, theme);
        if (picture) await shot(page, picture, 1000);
        await assertAccessible(frame, `the plan view (${theme})`);
      }
      await setColorTheme(page, 'Dark Modern');
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    },
  ]);

  steps.push([
    'Remove runs the plan on screen through the modal; the image left out stays',
    async () => {
      const frame = await waitForPlanView(page, /^Prune all unused images on local$/);
      await frame.locator('#remove').click();
      const dialog = await waitForText(page, '.monaco-dialog-box', /Remove \d+ unused images? from local, tagged ones included/);
      log(`asked: ${/Remove \d+ unused images?[^?]*\?/.exec(dialog)?.[0]}`);
      await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button:text-matches("^Remove \\\\d+ images?$")').first().click();
      await waitForNotification(page, /^Removed \d+ images?, reclaimed [\d.]+ \w+ on local\./, 60_000);
      const { ids } = await corePlan(proxy.host, [leftOut]);
      assert.strictEqual(ids.length, 1, `the image left out (${leftOut}) is still there`);
      const res = await apiRequest(o.engine.socketPath, 'GET', `/images/${ids[0]}/json`);
      assert.strictEqual(res.status, 200);
      // The view re-plans: the image left out is still there, still unchecked.
      await waitForFrameText(page, frame, 'tr.left-out', new RegExp(leftOut));
    },
  ]);

  steps.push([
    'Show Disk Usage from the palette draws where the space is, the repositories and the prune history',
    async () => {
      await runCommand(page, 'Docker Prune: Show Disk Usage');
      await page.locator('.quick-input-widget .quick-input-box input').fill('local');
      await page.keyboard.press('Enter');
      // The page runs in the webview's nested frames: the workbench's iframe, then the page's own.
      type Frames = { frameLocator(s: string): { frameLocator(s: string): { locator(s: string): PwLocator } } };
      const inPage = (s: string) => (page as unknown as Frames).frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator(s);
      await inPage('h1:has-text("Disk usage of local")').waitFor({ state: 'visible', timeout: 60_000 });
      await inPage('svg.stacked[role="img"]').waitFor({ state: 'visible', timeout: 60_000 });
      await inPage('svg.vbars[role="img"]').waitFor({ state: 'visible', timeout: 30_000 });
      const summary = await inPage('.summary').innerText();
      assert.match(summary, /prunes? reclaimed [\d.]+ \w+/, summary);
      // The page alone, without the result toast over it and with the editor's full width; then as it was.
      await runCommand(page, 'Notifications: Clear All Notifications');
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
      await shot(page, 'disk-usage');
      const frame = planViewFrame(page);
      for (const theme of ['Dark Modern', 'Light Modern', 'Dark High Contrast']) {
        await setColorTheme(page, theme);
        await waitForPageTheme(frame, theme);
        await assertAccessible(frame, `the disk-usage view (${theme})`);
      }
      await setColorTheme(page, 'Dark Modern');
      await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    },
  ]);

  steps.push([
    "a hostile image's hover and plan-view row show its labels and tags as literal text",
    async () => {
      await loadHostilePopulation(o.engine.socketPath);
      await runCommand(page!, 'Docker Prune: Focus on Environments View');
      await runCommand(page!, 'Notifications: Clear All Notifications');
      await page!.locator('.pane-body .monaco-list-row:has-text("Unused")').first().click();
      const row = page!.locator(`.pane-body .monaco-list-row:has-text("${LABELLED_REFERENCE}")`).first();
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      // A person rests the mouse on the image: VS Code resolves and renders its Markdown tooltip.
      await (row as unknown as { hover(): Promise<void> }).hover();
      const hover = page!.locator('.monaco-hover:visible').first();
      await hover.waitFor({ state: 'visible', timeout: 30_000 });
      await waitForText(page!, '.monaco-hover', /evil\.markdown=/);
      const html = await (hover as unknown as { innerHTML(): Promise<string> }).innerHTML();
      const text = await hover.innerText();
      assert.ok(!/<a\b[^>]*href=[^>]*example\.invalid/i.test(html), 'no link to the outside address');
      assert.ok(!/<a\b[^>]*href=[^>]*command:/i.test(html), 'no command link');
      assert.ok(!/<img\b/i.test(html), 'no <img> from the label');
      assert.ok(!/<strong>[^<]*FAKE/i.test(html), 'no bold line from the label');
      for (const literal of [
        '**FAKE: keeps it (protected)**',
        '[click here](https://example.invalid/steal)',
        '<img src=x onerror=alert(1)>',
        '$(alert)',
        '\\x1b[31mRED',
        '\\u202egnp',
      ]) {
        assert.ok(text.includes(literal), `the hover shows ${literal} literally: ${text.slice(0, 1500)}`);
      }
      log(
        `hover: ${text
          .split('\n')
          .find((l: string) => l.startsWith('Labels:'))
          ?.slice(0, 160)}…`,
      );
      await shot(page!, 'hostile-hover', 300);

      // The plan view: the longest reference cut with …, the other shown as it is; text, never markup.
      await runCommand(page!, 'Docker Prune: Preview Prune…');
      await pickQuick(page!, 'All unused images');
      await pickQuick(page!, 'local');
      const frame = await waitForPlanView(page!, /^Prune all unused images on local$/);
      await waitForFrameText(page!, frame, 'td.tags', new RegExp(`^${escapeRe(LABELLED_REFERENCE)}$`));
      const cut = await waitForFrameText(page!, frame, 'td.tags', /^hostile\/r+…$/);
      assert.ok(LONGEST_REFERENCE.startsWith(cut.slice(0, -1)) && cut.length < LONGEST_REFERENCE.length, cut);
    },
  ]);

  steps.push([
    'the build-cache plan view: a row per record, a hostile step as literal text, no serious or critical axe-core violation',
    async () => {
      // A RUN step's record describes its command line: engine text the page must show as text.
      const hostile = '<b>x</b><script>alert(1)</script><img src=x onerror=alert(2)> [a](command:quit)';
      await buildImage({ dockerHost: `unix://${o.engine.socketPath}`, dataDir: path.join(o.scratch, 'ui-buildx') }, 'ui-hostile', [
        { file: 'one.bin', bytes: 40_000, seed: 'ui-one' },
        { hostFile: '/bin/busybox', to: '/bin/busybox' },
        { run: ['/bin/busybox', 'true', hostile] },
      ]);
      await runCommand(page!, 'Notifications: Clear All Notifications');
      await runCommand(page!, 'Docker Prune: Preview Build Cache Prune…');
      await pickQuick(page!, 'local');
      await pickQuick(page!, 'All unused build cache');
      const frame = await waitForPlanView(page!, /^Prune all unused build cache on local$/, 60_000);
      await waitForFrameText(page!, frame, '#remove', /^\s*Remove \d+ records \([\d.]+ \w+\)\s*$/);
      const step = await waitForFrameText(page!, frame, 'td.why', new RegExp(escapeRe(hostile)));
      log(`build-cache step: ${step}`);
      const html = await (frame.locator('body') as unknown as { innerHTML(): Promise<string> }).innerHTML();
      assert.ok(!/<script\b|<b>|<img\b/i.test(html), 'the step is text: no element made from it');
      for (const theme of ['Dark Modern', 'Light Modern', 'Dark High Contrast']) {
        await setColorTheme(page!, theme);
        await waitForPageTheme(frame, theme);
        if (theme === 'Dark Modern') await shot(page!, 'build-cache-plan-view', 1000);
        await assertAccessible(frame, `the build-cache plan view (${theme})`);
      }
      await setColorTheme(page!, 'Dark Modern');
    },
  ]);

  let failed = 0;
  try {
    for (const [name, fn] of steps) {
      const t0 = Date.now();
      try {
        await fn();
        console.log(`  ✔ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(`  ✗ ${name}: ${(e as Error).message}`);
        await failureShot(page, server.runDir);
        failed += steps.length - steps.findIndex(([n]) => n === name) - 1; // the steps after it did not run
        break;
      }
    }
    ok = failed === 0;
  } finally {
    await wb.close();
    await server.stop({ keepRun: !ok });
    await proxy.stop();
    if (!ok) log(`code-server run folder kept: ${server.runDir}`);
  }
  // Mocha-style totals, which scripts/test-all.sh adds up.
  console.log(`\n  ${steps.length - failed} passing`);
  if (failed) console.log(`  ${failed} failing`);
  return ok ? 0 : 1;
}

/** `npm run package` (production bundle + vsce), as the README's install path does. */
function packageExtension(): string {
  const r = spawnSync('npm', ['run', 'package'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  const vsix = path.join(REPO_ROOT, 'docker-prune.vsix');
  if (r.status !== 0 || !fs.existsSync(vsix)) throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  log(`packaged ${path.relative(REPO_ROOT, vsix)} (${(fs.statSync(vsix).size / 1e6).toFixed(2)} MB)`);
  return vsix;
}

/** Untagged images with one large layer of random bytes each (`docker import`): they dangle and free real space. */
async function importLargeImages(socketPath: string, megabytes: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, mb] of megabytes.entries()) {
    const body = tarOf(`data/blob-${i}.bin`, randomBytes(mb * 1_000_000));
    const res = await apiRequest(socketPath, 'POST', '/images/create?fromSrc=-', { body, contentType: 'application/x-tar', timeoutMs: 120_000 });
    const id = /"status":"(sha256:[0-9a-f]{64})"/.exec(res.body.toString())?.[1];
    if (res.status !== 200 || !id) throw new Error(`import failed: HTTP ${res.status} ${res.body.toString().slice(0, 500)}`);
    ids.push(id);
  }
  return ids;
}

/** A one-file ustar archive. */
function tarOf(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write(
    Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0') + '\0',
    136,
  );
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}

async function waitForText(page: PwPage, selector: string, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const texts = await page.locator(selector).allInnerTexts();
    const hit = texts.find((t) => re.test(t));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`nothing matching ${re} in ${selector}; saw: ${texts.join(' | ')}`);
    await page.waitForTimeout(200);
  }
}

/** A failure screenshot goes next to code-server's logs (kept on failure), not into the README's folder. */
async function failureShot(page: PwPage | undefined, dir: string): Promise<void> {
  if (!page) return;
  const file = path.join(dir, `failure-${Date.now()}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  log(`failure screenshot ${file}`);
}

/** A named PNG (SHOTS_DIR/NAME.png): the README's pictures when `npm run screenshots` runs this. */
async function shot(page: PwPage | undefined, name: string, settleMs = 700, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  if (!page) return;
  // Park the mouse where it raises no hover tooltip.
  await (page as unknown as { mouse: { move(x: number, y: number): Promise<void> } }).mouse.move(800, 300);
  await page.waitForTimeout(settleMs);
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name}.png`);
  await (page as unknown as { screenshot(o: { path: string; clip?: typeof clip }): Promise<Buffer> }).screenshot({ path: file, clip });
  log(`screenshot ${path.relative(REPO_ROOT, file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
}

/** Drags the sash between the side bar and the editor, as a person widens the view. */
async function widenSideBar(page: PwPage, x: number): Promise<void> {
  const sideBar = page.locator('.part.sidebar').first();
  const box = await (sideBar as unknown as { boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> }).boundingBox();
  if (!box) return;
  const mouse = (
    page as unknown as { mouse: { move(x: number, y: number, o?: { steps?: number }): Promise<void>; down(): Promise<void>; up(): Promise<void> } }
  ).mouse;
  const y = box.y + box.height / 2;
  await mouse.move(box.x + box.width + 1, y);
  await mouse.down();
  await mouse.move(x, y, { steps: 8 });
  await mouse.up();
}

/** Picks the quick pick row matching `text` (typed into its filter, then Enter). */
async function pickQuick(page: PwPage, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(text);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
