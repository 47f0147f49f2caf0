/**
 * Auto-prune in a trusted workspace, and what happens with invalid settings (for auto-prune and for a
 * manual prune): a message naming the setting and the value, and nothing deleted.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import { apiJson } from '../../../support/dockerd';
import {
  api,
  engineImageIds,
  logLength,
  readAudit,
  resetSettings,
  setSetting,
  socket,
  waitFor,
  waitForLog,
  freshDefaultSession,
  runCommand,
} from '../lib/host';
import { expectedGroups } from '../lib/population';

describe('Auto-prune (trusted workspace) and invalid settings', () => {
  let session: EnvironmentSession;
  const expected = expectedGroups();

  beforeEach(async () => {
    ({ session } = await freshDefaultSession());
  });
  afterEach(async () => {
    await restoreConfirmation();
    await resetSettings();
    await waitFor('auto-prune off', async () => (await api()).scheduler.state === 'off');
  });

  function autoRecords() {
    return api().then((t) => readAudit(t.auditFile()).filter((r) => r.trigger === 'auto'));
  }

  it('fires on a short interval, removes the dangling images, audits trigger "auto" and tells the user', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, true);
    const before = (await autoRecords()).length;
    const logFrom = await logLength();
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.mode', 'dangling');
    await setSetting('autoPrune.enabled', true);
    const records = await waitFor(
      'an auto-prune audit record',
      async () => {
        const r = await autoRecords();
        return r.length > before ? r : undefined;
      },
      45_000,
    );
    const rec = records[before]!;
    assert.strictEqual(rec.mode, 'dangling');
    assert.strictEqual(rec.outcome, 'success');
    assert.strictEqual(rec.environment, session.location);
    assert.strictEqual(rec.result?.deleted, expected.dangling.size);
    const after = await engineImageIds();
    for (const id of expected.dangling) assert.ok(!after.has(id), 'dangling images removed');
    for (const id of [...expected.inUse, ...expected.unused]) assert.ok(after.has(id), 'nothing else removed');
    await waitForLog(`[shown] Auto-prune: Removed ${expected.dangling.size} images`, logFrom);
  });

  it('with containersExitedFor, a run also removes the stopped containers first, audited', async () => {
    const stopped = async () =>
      (await apiJson<Array<{ Id: string; State: string }>>(socket(), 'GET', '/containers/json?all=1')).filter(
        (c) => c.State === 'exited' || c.State === 'created',
      );
    const before = (await stopped()).map((c) => c.Id);
    assert.ok(before.length > 0, 'the population has stopped containers');
    const records = (await autoRecords()).length;
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.mode', 'dangling');
    await setSetting('autoPrune.containersExitedFor', '0s');
    await setSetting('autoPrune.enabled', true);
    const rec = (
      await waitFor(
        'an auto-prune audit record',
        async () => {
          const r = await autoRecords();
          return r.length > records ? r : undefined;
        },
        45_000,
      )
    )[records]!;
    assert.strictEqual(rec.outcome, 'success');
    assert.strictEqual(rec.plan?.containers, before.length);
    assert.strictEqual(rec.result?.containersDeleted, before.length);
    assert.deepStrictEqual(await stopped(), [], 'every stopped container of the population is gone');
  });

  it('a threshold above what the images take skips the run and removes nothing', async () => {
    const before = await engineImageIds();
    const logFrom = await logLength();
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.threshold', '1TB');
    await setSetting('autoPrune.enabled', true);
    const log = await waitForLog(/Auto-prune on .* skipped: images take [\d.]+ \w+, threshold 1 TB/, logFrom, 45_000);
    assert.ok(!log.includes('Prune started on'), 'no prune started');
    assert.deepStrictEqual(await engineImageIds(), before);
  });

  for (const [setting, value, words] of [
    ['autoPrune.interval', 'soon', 'use a duration such as 30m, 24h or 7d'],
    ['autoPrune.threshold', '12 parsecs', 'use a number of bytes'],
    ['autoPrune.until', 'the day before yesterday', 'Invalid until value'],
    ['autoPrune.mode', 'everything', 'use "dangling" or "all"'],
    ['autoPrune.containersExitedFor', 'a while', 'Invalid exited-for value'],
  ] as const) {
    it(`an invalid dockerPrune.${setting} (${JSON.stringify(value)}) stops auto-prune with a message naming the setting and the value`, async () => {
      const before = await engineImageIds();
      const records = (await autoRecords()).length;
      const logFrom = await logLength();
      await setSetting('autoPrune.interval', '5s');
      await setSetting(setting, value);
      await setSetting('autoPrune.enabled', true);
      const log = await waitForLog(`The setting "dockerPrune.${setting}" has an invalid value ${JSON.stringify(value)}`, logFrom);
      assert.ok(log.includes(words), log);
      assert.ok(log.includes('Nothing was pruned.'));
      assert.match(log, /\[error\] \[shown\] The setting "dockerPrune\./, 'shown to the user as an error');
      assert.strictEqual((await api()).scheduler.state, 'invalid');
      assert.deepStrictEqual(await engineImageIds(), before);
      assert.strictEqual((await autoRecords()).length, records);
    });
  }

  it('an invalid protect pattern stops a manual prune before anything is planned or removed', async () => {
    const calls = await answerConfirmation('prune');
    const before = await engineImageIds();
    await setSetting('protect', ['has space']);
    const result = (await runCommand('dockerPrune.pruneDangling')) as PruneFlowResult;
    assert.strictEqual(result.status, 'failed');
    assert.ok(result.status === 'failed' && result.message.includes('"dockerPrune.protect" has an invalid value "has space"'), result.status);
    assert.strictEqual(calls.length, 0, 'never asked: there was no plan');
    assert.deepStrictEqual(await engineImageIds(), before);
  });

  it('an auto-prune environment that does not exist is named in the message, and nothing is removed', async () => {
    const before = await engineImageIds();
    const logFrom = await logLength();
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.environments', ['nowhere']);
    await setSetting('autoPrune.enabled', true);
    const log = await waitForLog('The setting "dockerPrune.autoPrune.environments" has an invalid value ["nowhere"]', logFrom, 45_000);
    assert.ok(log.includes('there is no environment named "nowhere"'), log);
    assert.deepStrictEqual(await engineImageIds(), before);
  });
});
