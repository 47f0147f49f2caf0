import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { shortImageId } from '../../../../src/core/format/units';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { GroupNode, ImageNode } from '../../../../src/vscode/tree/nodes';
import { apiJson } from '../../../support/dockerd';
import type { LoadedPopulation } from '../../../support/population';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import {
  api,
  engineImageIds,
  logLength,
  readAudit,
  readAuditRecords,
  resetSettings,
  setSetting,
  socket,
  treeChildren,
  waitFor,
  waitForLog,
  freshDefaultSession,
  runCommand,
} from '../lib/host';
import { expectedGroups } from '../lib/population';

type Done = Extract<PruneFlowResult, { status: 'done' }>;

describe('Prune commands', () => {
  let session: EnvironmentSession;
  let loaded: LoadedPopulation;
  const expected = expectedGroups();
  const nameOf = (id: string) => loaded.imageNames.get(id) ?? id;

  beforeEach(async () => {
    ({ session, loaded } = await freshDefaultSession());
  });
  afterEach(async () => {
    await restoreConfirmation();
    await resetSettings();
  });

  function auditFile(): Promise<string> {
    return api().then((t) => t.auditFile());
  }

  it('Prune Dangling Images… plans, shows the plan, asks, removes exactly the plan, reports and audits', async () => {
    const calls = await answerConfirmation('prune');
    const before = await engineImageIds();
    const file = await auditFile();
    const records = readAudit(file).length;
    const logFrom = await logLength();

    const result = (await runCommand('dockerPrune.pruneDangling')) as Done;

    assert.strictEqual(result?.status, 'done', result?.status === 'done' ? '' : (result as { message?: string })?.message);
    assert.strictEqual(calls.length, 1, 'asked once');
    const asked = calls[0]!;
    assert.strictEqual(asked.mode, 'dangling');
    assert.strictEqual(asked.environment, session.name);
    const planned = new Set(asked.plan.items.map((i) => i.id));
    for (const id of expected.dangling) assert.ok(planned.has(id), `dangling ${nameOf(id)} planned`);
    for (const id of [...expected.inUse, ...expected.unused]) assert.ok(!planned.has(id), `${nameOf(id)} not planned`);

    const after = await engineImageIds();
    assert.deepStrictEqual(new Set([...before].filter((id) => !after.has(id))), planned, 'removed exactly the confirmed plan');

    const s = result.outcome.summary;
    assert.strictEqual(s.removed, planned.size);
    assert.strictEqual(s.bytes, asked.plan.spaceReclaimable, 'reclaimed what the plan said');
    assert.match(result.outcome.message, new RegExp(`^Removed ${planned.size} images, reclaimed [\\d.]+ (B|kB|MB) on ${escapeRe(session.name)}\\.$`));

    // The plan was shown in the plan view before the question.
    const view = (await api()).planView.state();
    assert.strictEqual(view?.key, `${session.id}/dangling`, 'the plan view shows this plan');
    const shownIds = new Set(view.groups.flatMap((g) => g.rows.map((r) => r.id)));
    for (const id of planned) assert.ok(shownIds.has(id), `${shortImageId(id)} in the plan view`);

    // Audit file: one new record for this run.
    const audit = readAudit(file);
    assert.strictEqual(audit.length, records + 1);
    const rec = audit[audit.length - 1]!;
    assert.strictEqual(rec.trigger, 'manual');
    assert.strictEqual(rec.mode, 'dangling');
    assert.strictEqual(rec.outcome, 'success');
    assert.strictEqual(rec.environment, session.location);
    assert.deepStrictEqual(rec.plan, { images: planned.size, bytes: asked.plan.spaceReclaimable });
    assert.strictEqual(rec.result?.deleted, planned.size);
    assert.strictEqual(rec.result?.spaceReclaimed, s.bytes);

    // Output channel: start, one line per image, result.
    const log = await waitForLog('Prune finished on', logFrom);
    assert.ok(log.includes(`Prune started on ${session.name}`), log);
    for (let k = 1; k <= planned.size; k++) assert.ok(log.includes(`[${k}/${planned.size}] removed`), `line ${k}/${planned.size}`);
    assert.ok(log.includes(`[shown] ${result.outcome.message}`), 'the result message is logged as shown');
  });

  it('declining the confirmation removes nothing and writes no audit record', async () => {
    const calls = await answerConfirmation(undefined);
    const before = await engineImageIds();
    const file = await auditFile();
    const records = readAudit(file).length;
    const logFrom = await logLength();
    const result = (await runCommand('dockerPrune.pruneDangling')) as PruneFlowResult;
    assert.strictEqual(result.status, 'declined');
    assert.strictEqual(calls.length, 1);
    assert.deepStrictEqual(await engineImageIds(), before);
    assert.strictEqual(readAudit(file).length, records);
    await waitForLog('not confirmed: nothing was removed', logFrom);
  });

  it('Prune All Unused Images… asks about tagged images too, and keeps every in-use image with all its tags', async () => {
    const calls = await answerConfirmation('prune');
    const result = (await runCommand('dockerPrune.pruneAll')) as Done;
    assert.strictEqual(result.status, 'done');
    assert.strictEqual(calls[0]!.mode, 'all');
    const after = await engineImageIds();
    for (const id of expected.unused) assert.ok(!after.has(id), `unused ${nameOf(id)} removed`);
    for (const id of expected.dangling) assert.ok(!after.has(id), `dangling ${nameOf(id)} removed`);
    for (const id of expected.inUse) assert.ok(after.has(id), `in-use ${nameOf(id)} kept`);
    const tags = (await apiJson<{ RepoTags: string[] }>(socket(), 'GET', `/images/${loaded.imageIds.get('run-app')}/json`)).RepoTags.sort();
    assert.deepStrictEqual(tags, ['dp/run:app', 'dp/run:app-latest'], 'in-use images keep all their tags');
  });

  it('a tag moved to a new build while the confirmation is open is left alone; only the planned image goes', async () => {
    // Two lone images (no parent, no child), one tag each: the rebuild must not be the planned image's relative.
    const images = loaded.population.images;
    const lone = (id: string) => {
      const img = images.find((i) => i.id === id)!;
      return img.tags.length === 1 && !img.parent && !images.some((i) => i.parent === img.name);
    };
    const tagged = [...expected.unused].filter(lone);
    const [planned, rebuild] = tagged;
    assert.ok(planned && rebuild, 'two unused images with one tag each');
    const moved = loaded.population.images.find((i) => i.id === planned)!.tags[0]!;
    const at = moved.lastIndexOf(':');
    (await api()).setConfirmation(async () => {
      // The user rebuilds while the modal waits: the tag now names another image.
      await apiJson(socket(), 'POST', `/images/${rebuild}/tag?repo=${encodeURIComponent(moved.slice(0, at))}&tag=${encodeURIComponent(moved.slice(at + 1))}`);
      return 'prune';
    });
    const result = (await runCommand('dockerPrune.pruneAll')) as Done;
    assert.strictEqual(result.status, 'done');
    const after = await engineImageIds();
    assert.ok(!after.has(planned), `${nameOf(planned)} (planned) removed`);
    assert.ok(after.has(rebuild), `the new build ${nameOf(rebuild)} kept: it gained ${moved} after the preview`);
    const now = await apiJson<{ Id: string }>(socket(), 'GET', `/images/${encodeURIComponent(moved)}/json`);
    assert.strictEqual(now.Id, rebuild, `${moved} still names the new build`);
    const skipped = result.outcome.outcome?.result.skipped ?? [];
    // The new build (itself in the plan as an unused image) gained the moved name: left alone and said so.
    assert.ok(
      skipped.some((x) => x.id === rebuild && x.reason === 'changed' && x.message.includes(moved)),
      `reported: ${JSON.stringify(skipped)}`,
    );
  });

  it('per-run filters (labels, until) narrow the plan; images outside them stay', async () => {
    const calls = await answerConfirmation('prune');
    const before = await engineImageIds();
    const result = (await runCommand('dockerPrune.pruneAll', { filters: ['label=dp.team=red', 'until=24h'] })) as Done;
    assert.strictEqual(result.status, 'done');
    const asked = calls[0]!;
    assert.deepStrictEqual(asked.filters.labels, [{ negate: false, key: 'dp.team', value: 'red' }]);
    assert.strictEqual(asked.filters.until?.raw, '24h');
    const after = await engineImageIds();
    const removed = new Set([...before].filter((id) => !after.has(id)));
    assert.deepStrictEqual(removed, new Set(asked.plan.items.filter((i) => i.action === 'delete').map((i) => i.id)), 'removed exactly the plan');
    assert.ok(removed.size > 0);
    const byId = new Map(loaded.population.images.map((i) => [i.id, i]));
    for (const item of asked.plan.items) {
      const img = byId.get(item.id)!;
      if (item.reason !== 'parent') assert.ok(img.labels === null || img.labels['dp.team'] === 'red', `${img.name} matches label=dp.team=red`);
    }
    for (const img of loaded.population.images) {
      const notRed = img.labels !== null && img.labels['dp.team'] !== 'red';
      if (notRed && !expected.hidden.has(img.id)) assert.ok(after.has(img.id), `${img.name} (not red) kept`);
    }
  });

  it('Preview Prune… shows the plan without removing anything; its Remove button then prunes it', async () => {
    const before = await engineImageIds();
    await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'dangling' });
    const t = await api();
    assert.strictEqual(t.planView.preview()?.plan.items.length, expected.dangling.size);
    const view = t.planView.state();
    assert.strictEqual(view?.key, `${session.id}/dangling`);
    assert.match(view.title, /^Prune dangling images on /);
    const ids = new Set(view.groups.flatMap((g) => g.rows.map((r) => r.id)));
    for (const id of expected.dangling) assert.ok(ids.has(id), shortImageId(id));
    assert.ok(view.totals.startsWith(`${expected.dangling.size} images, `), view.totals);
    assert.deepStrictEqual(await engineImageIds(), before, 'a preview removes nothing');

    const calls = await answerConfirmation('prune');
    await t.planView.post({ type: 'remove' });
    assert.strictEqual(calls[0]!.mode, 'dangling');
    const after = await engineImageIds();
    for (const id of expected.dangling) assert.ok(!after.has(id));
  });

  it('Protect This Repository adds a protect pattern; Prune All then keeps that repository', async () => {
    const env = (await treeChildren()).find((n) => n.kind === 'environment' && n.session === session)!;
    const unused = ((await treeChildren(env)) as GroupNode[]).find((g) => 'usage' in g.key && g.key.usage === 'unused')!;
    const node = ((await treeChildren(unused)) as ImageNode[]).find((n) => n.image.tags.length === 1 && n.image.tags[0]!.startsWith('dp/alpha:'));
    assert.ok(node, 'an unused dp/alpha image');
    await vscode.commands.executeCommand('dockerPrune.protectRepository', node);
    const protect = vscode.workspace.getConfiguration('dockerPrune').get<string[]>('protect');
    assert.deepStrictEqual(protect, ['dp/alpha']);
    await waitFor(
      'the tree marks dp/alpha protected',
      () => session.state.kind === 'ready' && session.state.listing.images.some((i) => i.tags[0]?.startsWith('dp/alpha:') && i.protected),
    );

    const calls = await answerConfirmation('prune');
    const result = (await runCommand('dockerPrune.pruneAll')) as Done;
    assert.strictEqual(result.status, 'done');
    assert.ok(calls[0]!.plan.kept.some((k) => k.reason === 'protected'));
    const after = await engineImageIds();
    for (const img of loaded.population.images) {
      if (img.tags.some((t) => t.startsWith('dp/alpha:'))) assert.ok(after.has(img.id), `${img.name} (dp/alpha) kept`);
    }
  });

  it('Open Audit File opens the JSONL audit; dockerPrune.auditFile sends records elsewhere', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-audit-'));
    const custom = path.join(dir, 'nested', 'prunes.jsonl');
    await setSetting('auditFile', custom);
    assert.strictEqual((await api()).auditFile(), custom);
    await answerConfirmation('prune');
    await vscode.commands.executeCommand('dockerPrune.pruneDangling');
    const records = await waitFor('an end record in the configured audit file', () => (readAudit(custom).length ? readAudit(custom) : undefined));
    assert.strictEqual(records.length, 1);
    assert.strictEqual(records[0]!.trigger, 'manual');
    const all = readAuditRecords(custom);
    assert.strictEqual(all[0]!.phase, 'start', 'a start record came first');
    assert.ok(
      all.every((r) => r.pruneId === records[0]!.pruneId),
      'every record is of that one prune',
    );
    await vscode.commands.executeCommand('dockerPrune.openAuditFile');
    await waitFor('the audit file in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === custom);
    await vscode.commands.executeCommand('dockerPrune.showAuditLog');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an audit file of a newer format refuses the prune, saying so, and nothing is removed; one that is not an audit file is set aside with a warning', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-audit-'));
    const custom = path.join(dir, 'prunes.jsonl');
    const newer =
      JSON.stringify({
        time: '2026-01-01T00:00:00.000Z',
        user: 'u',
        host: 'h',
        environment: 'x',
        trigger: 'manual',
        mode: 'all',
        native: false,
        filters: [],
        protect: [],
        plan: null,
        result: null,
        durationMs: 1,
        outcome: 'success',
        format: 3,
      }) + '\n';
    fs.writeFileSync(custom, newer);
    await setSetting('auditFile', custom);
    await answerConfirmation('prune');
    const before = await engineImageIds();
    const logFrom = await logLength();
    const refused = (await runCommand('dockerPrune.pruneDangling')) as PruneFlowResult;
    const message = 'was written by a newer Docker Prune (format 3; this version reads up to 1): update Docker Prune, or move the file aside';
    assert.ok(refused.status === 'failed' && refused.message.includes(message), JSON.stringify(refused));
    assert.deepStrictEqual(await engineImageIds(), before, 'nothing removed');
    assert.strictEqual(fs.readFileSync(custom, 'utf8'), newer, 'the audit file untouched');
    await waitForLog(message, logFrom);

    fs.writeFileSync(custom, 'not an audit file\n');
    const done = (await runCommand('dockerPrune.pruneDangling')) as PruneFlowResult;
    assert.strictEqual(done.status, 'done');
    await waitForLog(/\[shown\] Docker Prune state file: The audit log .* was not an audit file: it was moved to .*\.corrupt-/, logFrom);
    assert.strictEqual(fs.readdirSync(dir).filter((f) => f.startsWith('prunes.jsonl.corrupt-')).length, 1);
    assert.ok(readAudit(custom).length === 1, 'a new audit file holds the prune');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a read-only environment refuses to prune', async () => {
    await setSetting('environments', [{ name: 'ro', host: session.location, readOnly: true }]);
    const ro = await waitFor('the read-only environment', async () => (await api()).registry.find('ro'));
    const calls = await answerConfirmation('prune');
    const before = await engineImageIds();
    const result = (await runCommand('dockerPrune.pruneDangling', { environment: 'ro' })) as PruneFlowResult;
    assert.strictEqual(result.status, 'failed');
    assert.ok(ro.readOnly);
    assert.strictEqual(calls.length, 0);
    assert.deepStrictEqual(await engineImageIds(), before);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
