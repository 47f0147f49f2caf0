/**
 * The status bar: its number is what a prune really reclaims, it follows the engine's events (an external
 * `docker rmi`) without being refreshed, it reconnects when the event stream drops, and an unreachable
 * engine shows as such.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as vscode from 'vscode';
import { formatBytes } from '../../../../src/core/format/units';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import { EngineProxy } from '../lib/engineProxy';
import {
  api,
  markdownText,
  readAudit,
  removeImageExternally,
  resetSettings,
  setSetting,
  settled,
  sleep,
  socket,
  waitFor,
  freshDefaultSession,
  runCommand,
} from '../lib/host';
import { danglingWithOwnLayer, expectedGroups } from '../lib/population';

type Done = Extract<PruneFlowResult, { status: 'done' }>;

const BYTES = /^\$\(trash\) ([\d.]+ (?:B|kB|MB|GB))$/;

describe('Status bar', () => {
  let session: EnvironmentSession;
  const expected = expectedGroups();
  const visible = expected.inUse.size + expected.unused.size + expected.dangling.size;

  beforeEach(async () => {
    ({ session } = await freshDefaultSession());
  });
  afterEach(async () => {
    await restoreConfirmation();
    await resetSettings();
  });

  async function statusText(): Promise<string> {
    return (await api()).statusBar.text;
  }
  async function statusTooltip(): Promise<string> {
    return markdownText((await api()).statusBar.tooltip);
  }

  it('shows the bytes a dangling prune reclaims; follows an external docker rmi; drops to 0 B after the prune', async () => {
    const start = await waitFor('status bar bytes', async () => BYTES.exec(await statusText())?.[1]);
    assert.ok((await statusTooltip()).includes(`${session.name}: ${start} (${expected.dangling.size} images)`), await statusTooltip());
    assert.deepStrictEqual((await api()).statusBar.command, { command: 'dockerPrune.preview', title: 'Preview Prune', arguments: [{ mode: 'dangling' }] });
    const reclaimBefore = session.reclaimable('dangling')!;
    assert.strictEqual(start, formatBytes(reclaimBefore));

    // Someone runs `docker rmi` in a terminal: the engine's event stream, not a refresh, updates the item.
    const victim = danglingWithOwnLayer()[0]!;
    await removeImageExternally(victim.id);
    const afterRmi = formatBytes(reclaimBefore - victim.bytes);
    await waitFor(
      `status bar ${afterRmi} after the external rmi`,
      async () => (await statusText()) === `$(trash) ${afterRmi}` && (await statusTooltip()).includes(`(${expected.dangling.size - 1} images)`),
    );

    // The number is what the prune really reclaims.
    await answerConfirmation('prune');
    const shownBytes = session.reclaimable('dangling')!;
    const result = (await runCommand('dockerPrune.pruneDangling')) as Done;
    assert.strictEqual(result.status, 'done');
    const rec = readAudit((await api()).auditFile()).pop()!;
    assert.strictEqual(rec.result?.spaceReclaimed, shownBytes, 'the status bar showed what the prune reclaimed');
    await waitFor('status bar 0 B after the prune', async () => (await statusText()) === '$(trash) 0 B');
  });

  it('counts all unused images when dockerPrune.statusBar.mode is "all"', async () => {
    await setSetting('statusBar.mode', 'all');
    await waitFor(
      'the all-unused figure',
      async () => (await statusText()) === `$(trash) ${formatBytes(session.reclaimable('all')!)}` && (await statusTooltip()).includes('all unused images'),
    );
    assert.deepStrictEqual(((await api()).statusBar.command as vscode.Command | undefined)?.arguments, [{ mode: 'all' }]);
  });

  it('reconnects when the event stream drops, and keeps following the engine', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-sbproxy-'));
    const proxy = new EngineProxy(path.join(dir, 'engine.sock'), socket());
    await proxy.start();
    try {
      await setSetting('environments', [{ name: 'proxied', host: proxy.host }]);
      await setSetting('statusBar.environments', ['proxied']);
      const proxied = await waitFor('the proxied environment', async () => (await api()).registry.find('proxied'));
      await settled(proxied, visible);
      await waitFor('the status bar to follow the proxied engine', () => proxy.openEventStreams > 0);
      const before = await waitFor('status bar bytes', async () => (await statusTooltip()).includes('proxied:') && BYTES.exec(await statusText())?.[1]);

      const stateBefore = proxied.state;
      assert.ok(proxy.dropEventStreams() > 0);
      await waitFor('the event stream to reconnect', () => proxy.openEventStreams > 0, 30_000);
      // The drop and the reconnect each refresh (events may have been missed): let the engine connection go quiet,
      // so that only the new event stream can explain what follows.
      await waitFor(
        'quiet after the reconnect',
        async () => {
          const requests = proxy.seen.length;
          await sleep(1500);
          return proxy.seen.length === requests && proxied.state !== stateBefore && proxied.state.kind === 'ready' && !proxied.state.reclaimPending;
        },
        30_000,
      );

      const victim = danglingWithOwnLayer()[0]!;
      await removeImageExternally(victim.id);
      await waitFor('the status bar to see the rmi through the new stream', async () => {
        const now = BYTES.exec(await statusText())?.[1];
        return now !== undefined && now !== before && (await statusTooltip()).includes(`(${expected.dangling.size - 1} images)`);
      });
    } finally {
      await proxy.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays quiet when its engine cannot be reached: a dimmed icon, no warning colour, the reason in the tooltip', async () => {
    const gone = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dp-gone-')), 'docker.sock');
    await setSetting('environments', [{ name: 'gone', host: `unix://${gone}` }]);
    await setSetting('statusBar.environments', ['gone']);
    await waitFor('the quiet unreachable state', async () => (await statusText()) === '$(debug-disconnect)');
    const item = (await api()).statusBar;
    assert.strictEqual((item.color as unknown as { id?: string } | undefined)?.id, 'disabledForeground', 'dimmed');
    assert.strictEqual(item.backgroundColor, undefined, 'no warning background');
    assert.strictEqual(item.accessibilityInformation?.label, 'Docker Prune: no engine answers');
    const tip = await statusTooltip();
    assert.ok(tip.includes('gone: unreachable'), tip);
    assert.ok(tip.includes(gone), 'the reason names the socket');
  });
});
