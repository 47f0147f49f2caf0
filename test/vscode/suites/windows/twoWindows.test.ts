/**
 * Two VS Code windows, each with auto-prune on, on the same engine: one schedule runs. The window that claims the
 * engine first prunes; the other finds the claim (core/schedule/scheduleClaim.ts, in the user's state folder both
 * windows share) and skips the engine without even trying — no refused run, nothing removed twice. The runner starts this suite in two
 * code-server instances at once (two extension hosts, as two windows are), with DP_WINDOW = a | b, a shared
 * folder DP_WINDOWS_DIR for their hand-shake and one shared audit file (the default for every window).
 *
 * Each window reaches the engine through its own proxy socket (so its audit records name that socket), which
 * holds that window's first image delete until the other window has skipped: so the other window's timer surely
 * fires while the winner's prune is under way, whichever window claims first.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EngineProxy } from '../lib/engineProxy';
import { api, engineImageIds, logLength, logText, readAudit, setSetting, socket, waitFor } from '../lib/host';
import { expectedGroups } from '../lib/population';

const me = process.env.DP_WINDOW ?? '';
const other = me === 'a' ? 'b' : 'a';
const dir = process.env.DP_WINDOWS_DIR ?? '';
const marker = (window: string, what: string) => path.join(dir, `${window}.${what}`);
const mark = (what: string) => fs.writeFileSync(marker(me, what), String(process.pid));
const marked = (window: string, what: string) => fs.existsSync(marker(window, what));

describe(`Two windows with auto-prune on the same engine (window ${me})`, function () {
  this.timeout(240_000);
  let proxy: EngineProxy;

  before(() => {
    assert.ok(me === 'a' || me === 'b', 'DP_WINDOW is set by the runner');
    assert.ok(dir && fs.existsSync(dir), 'DP_WINDOWS_DIR is set by the runner');
  });
  after(async () => {
    await setSetting('autoPrune.enabled', undefined);
    await proxy?.stop();
  });

  it('one window runs the schedule, the other skips the claimed engine; nothing outside the plan goes, nothing goes twice', async () => {
    const expected = expectedGroups();
    const audit = (await api()).auditFile();
    proxy = new EngineProxy(path.join(dir, `${me}.sock`), socket());
    let holding = false;
    proxy.hold = (req) => {
      if (req.method !== 'DELETE' || holding) return undefined;
      holding = true;
      mark('holding');
      return waitFor('the other window to skip', () => marked(other, 'skipped'), 180_000, 200).then(() => undefined);
    };
    await proxy.start();
    const logFrom = await logLength();
    await setSetting('environments', [{ name: 'proxied', host: proxy.host }]);
    await setSetting('autoPrune.environments', ['proxied']);
    await setSetting('autoPrune.mode', 'dangling');
    await setSetting('autoPrune.interval', '5s');
    await setSetting('autoPrune.enabled', true);

    // Either this window claimed the engine (its delete is held), or it found the other window's claim.
    const role = await waitFor(
      'this window to prune or skip',
      async () => {
        if (holding) return 'winner';
        return /Auto-prune on proxied skipped: another window \(pid \d+\) runs the schedule on this engine/.test((await logText()).slice(logFrom))
          ? 'loser'
          : undefined;
      },
      120_000,
      200,
    );

    if (role === 'loser') {
      mark('skipped');
      await waitFor('the other window to finish its prune', () => marked(other, 'done'), 180_000, 200);
      await setSetting('autoPrune.enabled', false);
      const records = readAudit(audit).filter((r) => r.trigger === 'auto');
      assert.deepStrictEqual(
        records.filter((r) => r.environment === proxy.host),
        [],
        'this window did not even try: no run, no refusal',
      );
      assert.ok(!/skipped this time/.test((await logText()).slice(logFrom)), 'never refused by the engine lock');
      const removedByMe = records.filter((r) => r.environment === proxy.host && (r.result?.deleted ?? 0) > 0);
      assert.deepStrictEqual(removedByMe, [], 'this window removed nothing: the other one had pruned it all');
    } else {
      const mine = await waitFor(
        "this window's auto-prune to end",
        () => readAudit(audit).find((r) => r.trigger === 'auto' && r.environment === proxy.host && r.outcome === 'success'),
        120_000,
        200,
      );
      assert.strictEqual(mine.result?.deleted, expected.dangling.size, 'the winner removed every dangling image');
      await setSetting('autoPrune.enabled', false);
      mark('done');
      const after = await engineImageIds();
      for (const id of expected.dangling) assert.ok(!after.has(id), 'dangling images removed');
      for (const id of [...expected.inUse, ...expected.unused]) assert.ok(after.has(id), 'nothing outside the plan removed');
    }
    // Across both windows: exactly one auto-prune removed images.
    const removing = readAudit(audit).filter((r) => r.trigger === 'auto' && (r.result?.deleted ?? 0) > 0);
    assert.ok(removing.length <= 1, `at most one auto-prune removed images, saw ${removing.length}`);
  });
});
