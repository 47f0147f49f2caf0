/**
 * The plan view's page at 20,000 images, in headless Chromium: the real page script and style sheet
 * (dist/webview/planView.*) showing a state the extension's own builder made (buildPlanViewState on a plan of
 * 20,000 images), with this test as the extension on the other side of `acquireVsCodeApi` (it keeps what the
 * page posts and posts states to it). The workbench around the page is the other UI tests' business.
 *
 * A long table builds only the rows near the screen (windowedTable.ts): the page shows its first rows at once,
 * every row lands where its place in the table says when scrolled to, a row far down can be left out, and a
 * new state keeps the place and the focus. Times are printed, not asserted.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { replanLeavingOut, type Preview } from '../../src/core/execute/pruneJob';
import { buildPlanViewState, type PlanViewInput } from '../../src/vscode/planView/planViewState';
import type { PageMessage, PlanViewState } from '../../src/webview/planView/protocol';
import { plainPlanViewWords } from '../unit/planViewWords';
import { SnapshotBuilder } from '../unit/snapshotBuilder';
import { ensureTools, loadPlaywright, REPO_ROOT, type PwPage } from '../vscode/harness/tools';

// The functions handed to page.evaluate run in the page; this program has no DOM types, so its globals are loose here.
declare const window: any;
declare const document: any;
declare function requestAnimationFrame(callback: () => void): number;

const log = (m: string) => process.stderr.write(`[ui:plan-view-page] ${m}\n`);
const BIG = 15_000;
/** Just over the size built whole (rowWindow.ts WHOLE_TABLE_ROWS), and just at it. */
const MID = 101;
const SMALL = 100;
const UNTAGGED = 20_000 - BIG - MID - SMALL;

interface Page extends PwPage {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/**
 * A plan of 20,000 unused images: 15,000 in `big/app` (every seventh also named in scripts whose glyphs come from
 * fallback fonts, which must not make its row taller), 101 in `mid/web`, 100 in `small/db`, the rest untagged.
 */
function bigPreview(): Preview {
  const b = new SnapshotBuilder();
  for (let i = 0; i < BIG; i++) {
    const tag = `big/app:${String(i).padStart(5, '0')}`;
    b.image(`big${i}`, { tags: i % 7 === 3 ? [tag, `big/app:名前-😀-${i}`] : [tag], layers: [[`big${i}`, 1_000 + i]] });
  }
  for (let i = 0; i < MID; i++) b.image(`mid${i}`, { tags: [`mid/web:${i}`], layers: [[`mid${i}`, 20]] });
  for (let i = 0; i < SMALL; i++) b.image(`small${i}`, { tags: [`small/db:${i}`], layers: [[`small${i}`, 10]] });
  for (let i = 0; i < UNTAGGED; i++) b.image(`none${i}`, { layers: [[`none${i}`, 500]] });
  const snapshot = b.build();
  const policy: PrunePolicy = { mode: 'all', filters: parseFilterArgs([]), protect: [] };
  return { snapshot, plan: planPrune(snapshot, policy) };
}

function stateOf(preview: Preview): PlanViewState {
  const input: PlanViewInput = {
    key: 'big/all',
    environmentName: 'big',
    location: 'unix:///big',
    profile: preview.snapshot.profile,
    mode: 'all',
    filters: parseFilterArgs([]),
    filtersText: '',
    containersText: '30d',
    preview,
    sort: 'name',
    stale: false,
    readOnly: false,
  };
  return buildPlanViewState(input, plainPlanViewWords);
}

/** The page as the extension writes it (webviewHtml.ts), with file URLs and this test as VS Code. */
function pageHtml(state: PlanViewState): string {
  const dist = path.join(REPO_ROOT, 'dist', 'webview');
  const attr = JSON.stringify(state).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // The workbench's fonts as VS Code hands them to a webview (its theme variables), and the icon font.
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<style>:root { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; }</style>
<link rel="stylesheet" href="file://${dist}/codicons/codicon.css">
<link rel="stylesheet" href="file://${dist}/planView.css"><title>plan</title></head>
<body data-state="${attr}">
<script>window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => {} });
window.started = performance.now();</script>
<script src="file://${dist}/planView.js"></script>
</body></html>`;
}

export async function runPlanViewPageTests(scratch: string): Promise<number> {
  const tools = ensureTools();
  const preview = bigPreview();
  const state = stateOf(preview);
  assert.strictEqual(
    state.groups.reduce((n, g) => n + g.rows.length, 0),
    20_000,
  );
  const file = path.join(scratch, 'plan-view-page.html');
  fs.writeFileSync(file, pageHtml(state));
  const context = await loadPlaywright(tools).chromium.launchPersistentContext(path.join(scratch, 'plan-view-page-profile'), {
    executablePath: tools.chromium,
    headless: true,
    args: ['--no-sandbox', '--allow-file-access-from-files'],
    viewport: { width: 1200, height: 800 },
  });
  const page = (context.pages()[0] ?? (await context.newPage())) as Page;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let passed = 0;
  let failed = 0;
  console.log('\n  the plan view page at 20,000 images (Chromium)');
  // Reported as mocha does, so the test command counts these with the rest.
  const step = async (name: string, body: () => Promise<void>) => {
    const t0 = Date.now();
    try {
      await body();
      passed++;
      console.log(`  ✔ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`  ✘ ${name}`);
      log(`FAIL ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  };
  /** What the page has built: rows per table, and where the rows of a table sit. */
  const built = () =>
    page.evaluate(
      () =>
        ([...document.querySelectorAll('table[aria-rowcount]')] as Array<{ getAttribute(n: string): string; querySelector(s: string): any }>).map((t) => {
          const body = t.querySelector('tbody')!;
          const rows = [...body.querySelectorAll('tr:not(.spacer)')] as Array<{
            getAttribute(n: string): string;
            getBoundingClientRect(): { top: number; height: number };
          }>;
          const top = body.getBoundingClientRect().top;
          return {
            count: Number(t.getAttribute('aria-rowcount')) - 1,
            rows: rows.map((r) => ({
              index: Number(r.getAttribute('aria-rowindex')) - 2,
              top: r.getBoundingClientRect().top - top,
              height: r.getBoundingClientRect().height,
            })),
          };
        }),
      undefined,
    );
  const nextFrame = () => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r))), undefined);

  try {
    await step('the first rows show at once, and only the rows near the screen are built', async () => {
      await page.goto(`file://${file}`);
      await page.locator('tbody tr:not(.spacer)').first().waitFor({ state: 'visible', timeout: 30_000 });
      const shownMs = await page.evaluate(() => performance.now() - (window as unknown as { started: number }).started, undefined);
      log(`first rows shown ${shownMs.toFixed(0)} ms after the page script started (20,000 rows)`);
      const tables = await built();
      assert.deepStrictEqual(
        tables.map((t) => t.count),
        [BIG, MID, SMALL, UNTAGGED],
      );
      const rows = tables.reduce((n, t) => n + t.rows.length, 0);
      assert.ok(rows > 0 && rows <= 3 * 100 + SMALL, `${rows} rows built of 20,000`);
      assert.strictEqual(tables[2]!.rows.length, SMALL, 'a table of 100 rows is built whole, even off screen');
      assert.ok(tables[1]!.rows.length < MID, 'one of 101 rows, off screen, is not');
      assert.deepStrictEqual(errors, []);
    });

    await step('every row sits where its place in the table says, wherever the page is scrolled', async () => {
      for (const fraction of [0.37, 0.999, 0.5, 0]) {
        await page.evaluate((f) => window.scrollTo(0, f * (document.documentElement.scrollHeight - window.innerHeight)), fraction);
        await nextFrame();
        const tables = await built();
        // The pitch of the built rows.
        const run = tables.find((t) => t.rows.length > 1)!.rows;
        const pitch = (run.at(-1)!.top - run[0]!.top) / (run.at(-1)!.index - run[0]!.index);
        for (const t of tables) {
          for (const r of t.rows) {
            assert.ok(Math.abs(r.height - run[0]!.height) < 0.5, `row ${r.index}: ${r.height} px high, others ${run[0]!.height} px`);
            assert.ok(Math.abs(r.top - r.index * pitch) < 1, `row ${r.index} at ${r.top} px, its place is ${r.index * pitch} px`);
          }
        }
        // What is on screen is built: the viewport shows rows, not a spacer's blank.
        const blank = await page.evaluate(() => {
          const hit = document.elementFromPoint(600, window.innerHeight / 2);
          return hit?.closest('tr')?.classList.contains('spacer') ?? false;
        }, undefined);
        assert.ok(!blank, `scrolled to ${fraction}: the middle of the screen is a spacer`);
      }
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight), undefined);
      await nextFrame();
      const last = (await built())[3]!.rows.at(-1)!;
      assert.strictEqual(last.index, UNTAGGED - 1, 'the last row of the last table is there at the bottom');
    });

    const far = state.groups[0]!.rows[9_000]!;
    await step('a row far down is left out with its own checkbox, and the new state keeps the place and the focus', async () => {
      await page.evaluate(() => window.scrollTo(0, 0), undefined);
      await nextFrame();
      const y = await page.evaluate((index) => {
        const body = document.querySelector('table[aria-rowcount] tbody')!;
        const h = body.querySelector('tr:not(.spacer)')!.getBoundingClientRect().height;
        const y = window.scrollY + body.getBoundingClientRect().top + index * h - 200;
        window.scrollTo(0, y);
        return window.scrollY;
      }, 9_000);
      await nextFrame();
      const box = page.locator(`input[aria-label="${far.checkboxLabel}"]`);
      await box.click({ timeout: 5_000 });
      const posted = await page.evaluate(() => (window as unknown as { posted: PageMessage[] }).posted.filter((m) => m.type === 'toggle'), undefined);
      assert.deepStrictEqual(posted, [{ type: 'toggle', ids: [far.id], include: false }]);
      // The new state takes a moment at this size: scrolling meanwhile keeps the row as the user left it.
      const meanwhile = await page.evaluate(async (label) => {
        window.scrollBy(0, 650); // about 25 rows: past half the margin, so the rows are rebuilt
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
        window.scrollBy(0, -650);
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
        const box = document.querySelector(`input[aria-label="${label}"]`);
        return { checked: box?.checked, focused: document.activeElement === box };
      }, far.checkboxLabel);
      assert.deepStrictEqual(meanwhile, { checked: false, focused: true });
      const yAfterScroll = await page.evaluate(() => window.scrollY, undefined);
      // The extension re-plans without it and sends the new state, as planPanel.ts does.
      const next = stateOf(replanLeavingOut(preview, new Set([far.id])));
      const took = await page.evaluate(
        (s) =>
          new Promise<number>((resolve) => {
            const t0 = performance.now();
            window.postMessage({ type: 'state', state: s }, '*');
            setTimeout(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
          }),
        next,
      );
      log(`a new state of 20,000 rows shown in ${took.toFixed(0)} ms`);
      const after = await page.evaluate(
        (label) => ({
          scrollY: window.scrollY,
          focused: document.activeElement?.getAttribute('aria-label'),
          leftOut: document.querySelector(`input[aria-label="${label}"]`)?.closest('tr')?.classList.contains('left-out'),
        }),
        far.checkboxLabel,
      );
      assert.ok(Math.abs(after.scrollY - yAfterScroll) < 2 && Math.abs(after.scrollY - y) < 2, `scrolled from ${y} to ${after.scrollY}`);
      assert.strictEqual(after.focused, far.checkboxLabel, 'the focus is back on the checkbox');
      assert.strictEqual(after.leftOut, true, 'the row shows as left out');
      assert.deepStrictEqual(errors, []);
    });
  } finally {
    await context.close();
  }
  console.log(`\n  ${passed} passing`);
  if (failed) console.log(`  ${failed} failing`);
  return failed === 0 ? 0 : 1;
}

// `node out/test/ui/planViewPage.ui.js` (after `npx tsc -p . && node esbuild.mjs`) runs these alone.
if (require.main === module) {
  const scratch = fs.mkdtempSync(path.join(require('os').tmpdir() as string, 'dp-plan-page-'));
  runPlanViewPageTests(scratch)
    .then((code) => {
      fs.rmSync(scratch, { recursive: true, force: true });
      process.exit(code);
    })
    .catch((e: unknown) => {
      log(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(1);
    });
}
