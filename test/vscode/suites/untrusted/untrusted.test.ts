/**
 * Restricted Mode: the folder is opened untrusted (trust on, nothing trusted). Its .vscode/settings.json
 * (written by the runner) turns auto-prune on every 5 s and adds an engine host; both must be ignored.
 * Auto-prune is also turned on in the USER settings here, which Restricted Mode does not restrict: the
 * extension itself must refuse to prune on a schedule in an untrusted workspace.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  api,
  defaultSession,
  engineImageIds,
  logLength,
  readAudit,
  reloadPopulation,
  resetSettings,
  setSetting,
  settled,
  sleep,
  waitForLog,
} from '../lib/host';
import { expectedGroups } from '../lib/population';

describe('Untrusted workspace', () => {
  const expected = expectedGroups();
  const visible = expected.inUse.size + expected.unused.size + expected.dangling.size;

  before(async () => {
    await reloadPopulation();
    const session = await defaultSession();
    await session.refresh('test');
    await settled(session, visible);
  });
  after(resetSettings);

  it('runs in Restricted Mode', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
  });

  it("ignores the workspace's engine hosts (a restricted setting)", async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const settings = JSON.parse(fs.readFileSync(path.join(folder, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.ok(Array.isArray(settings['dockerPrune.environments']), 'the workspace does set a host');
    assert.strictEqual(vscode.workspace.getConfiguration('dockerPrune').get<unknown[]>('environments')?.length ?? 0, 0, 'Restricted Mode hides it');
    const names = (await (await api()).registry.list()).map((s) => s.name);
    assert.ok(!names.includes('from-untrusted-workspace'), `not listed: ${names.join(', ')}`);
  });

  it('never auto-prunes, even with auto-prune on every 5 s in the user settings', async () => {
    const logFrom = await logLength();
    const t = await api();
    const before = await engineImageIds();
    await setSetting('autoPrune.interval', '5s', vscode.ConfigurationTarget.Global);
    await setSetting('autoPrune.enabled', true, vscode.ConfigurationTarget.Global);
    await waitForLog('Auto-prune is enabled, but this workspace is not trusted', logFrom);
    assert.strictEqual(t.scheduler.state, 'untrusted');
    // Three intervals: a trusted workspace would have pruned by now (the trusted suite sees it within one).
    await sleep(16_000);
    assert.strictEqual(t.scheduler.state, 'untrusted');
    assert.deepStrictEqual(
      readAudit(t.auditFile()).filter((r) => r.trigger === 'auto'),
      [],
    );
    assert.deepStrictEqual(await engineImageIds(), before, 'nothing removed');
    for (const id of expected.dangling) assert.ok(before.has(id));
  });

  it('still lets the user look at the engines (the tree works in Restricted Mode)', async () => {
    const roots = await (await api()).tree.getChildren();
    assert.ok(roots.length >= 1);
  });
});
