/**
 * The UI harness's own self-test, with test/vscode/fixture-ext packaged as a .vsix and installed like a
 * user would:
 *   1. trusted: a palette command runs and its notification shows (with env from the test), status bar
 *      item visible; screenshot test/ui/screenshots/fixture-notification.png
 *   2. untrusted: the status bar says "restricted"; trusting the folder through the UI flips it.
 *
 *   node out/test/ui/selfTest.js
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../vscode/harness/tools';
import {
  grantWorkspaceTrust,
  openWorkbench,
  packageVsix,
  runCommand,
  screenshot,
  startCodeServer,
  waitForNotification,
  waitForStatusBarItem,
} from './codeServer';

const FIXTURE_EXT = path.join(REPO_ROOT, 'test', 'vscode', 'fixture-ext');

async function withWorkbench(
  opts: { vsix: string; workspace: string; trusted: boolean; env?: Record<string, string> },
  body: (page: Awaited<ReturnType<typeof openWorkbench>>['page']) => Promise<void>,
): Promise<void> {
  const server = await startCodeServer(opts);
  let wb: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  let ok = false;
  try {
    wb = await openWorkbench(server.url);
    await body(wb.page);
    ok = true;
  } finally {
    if (wb && !ok) await screenshot(wb.page, `failure-${Date.now()}`).catch(() => undefined);
    await wb?.close();
    await server.stop({ keepRun: !ok });
    if (!ok) console.error(`code-server run folder kept: ${server.runDir}`);
  }
}

export async function uiSelfTest(): Promise<boolean> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vsharness-uiself-'));
  const workspace = path.join(tmp, 'ws');
  fs.mkdirSync(workspace);
  const checks: [string, () => Promise<void>][] = [];
  let vsix = '';
  checks.push(['fixture packages as a .vsix', async () => void (vsix = packageVsix(FIXTURE_EXT, path.join(tmp, 'fixture.vsix')))]);
  checks.push([
    'trusted: palette command runs, notification shows, status bar item visible',
    () =>
      withWorkbench({ vsix, workspace, trusted: true, env: { DOCKER_PRUNE_FIXTURE_ECHO: 'ui-42' } }, async (page) => {
        await waitForStatusBarItem(page, /Fixture: trusted/);
        await runCommand(page, 'Docker Prune Fixture: Say Hello');
        const note = await waitForNotification(page, /Hello from the Docker Prune harness fixture/);
        assert.match(note, /\(ui-42\)/, 'env reached the extension host');
        const shot = await screenshot(page, 'fixture-notification');
        console.log(`     screenshot: ${path.relative(REPO_ROOT, shot)}`);
      }),
  ]);
  checks.push([
    'untrusted: Restricted Mode, then trusting the folder in the UI reaches the extension',
    () =>
      withWorkbench({ vsix, workspace, trusted: false }, async (page) => {
        await waitForStatusBarItem(page, /Fixture: restricted/);
        await grantWorkspaceTrust(page);
        await waitForStatusBarItem(page, /Fixture: trusted/);
        await screenshot(page, 'fixture-trust-granted');
      }),
  ]);

  let passed = 0;
  let failed = 0;
  try {
    for (const [name, fn] of checks) {
      const t0 = Date.now();
      try {
        await fn();
        passed++;
        console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${name}: ${(e as Error).message}`);
        if (!vsix) break;
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`ui harness: ${passed} passed, ${failed} failed`);
  return failed === 0;
}

if (require.main === module) {
  uiSelfTest().then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
