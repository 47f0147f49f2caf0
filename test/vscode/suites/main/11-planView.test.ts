import * as assert from 'assert';
import * as vscode from 'vscode';
import type { PlanViewState } from '../../../../src/webview/planView/protocol';
import { formatBytes } from '../../../../src/core/format/units';
import { execFileSync } from 'child_process';
import { apiJson } from '../../../support/dockerd';
import { startRegistry } from '../../../support/registry';
import { answerConfirmation, freshSessionEachTest } from '../lib/confirm';
import { api, engineImageIds, readAuditRecords, socket, waitFor, runCommand } from '../lib/host';

/** The plan view, driven through the same messages its page posts (testApi.planView), on the real engine. */
describe('The plan view', () => {
  const fx = freshSessionEachTest();

  const view = async () => (await api()).planView;
  const state = async (): Promise<PlanViewState> => {
    const s = (await view()).state();
    assert.ok(s, 'a plan view is open');
    return s;
  };
  const rows = (s: PlanViewState) => s.groups.flatMap((g) => g.rows);

  it('each row says where its image came from; Check Registries flags a pulled image deleted upstream (a real registry on loopback)', async () => {
    const registry = await startRegistry();
    try {
      await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'all' });
      let s = await state();
      const row = rows(s).find((r) => r.tags.length > 0 && !r.locked)!;
      assert.strictEqual(row.source, 'loaded', 'the population was docker-loaded moments ago');
      assert.strictEqual(s.checkRegistry, undefined, 'nothing pulled: no registry to ask');
      // Pushed, it can be pulled again: the graphdriver gives it a registry digest.
      const repo = `${registry.host}/dp/pushed`;
      const docker = (...args: string[]) => execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${socket()}` }, encoding: 'utf8' });
      docker('tag', row.id, `${repo}:1`);
      docker('push', '-q', `${repo}:1`);
      await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'all' });
      s = await state();
      assert.strictEqual(rows(s).find((r) => r.id === row.id)?.source, `pulled from ${registry.host}`);
      assert.ok(
        s.header.some((h) => h.value.includes('1 can be pulled again')),
        JSON.stringify(s.header),
      );
      assert.ok(s.checkRegistry, 'a pulled image: the check is offered');
      await (await view()).post({ type: 'checkRegistry' });
      assert.strictEqual(rows(await state()).find((r) => r.id === row.id)?.source, `pulled from ${registry.host}`, 'still there');
      assert.ok(await registry.deleteManifest('dp/pushed', await registry.manifestDigest('dp/pushed', '1')));
      await (await view()).post({ type: 'checkRegistry' });
      s = await state();
      assert.strictEqual(rows(s).find((r) => r.id === row.id)?.source, `gone from ${registry.host}`);
      assert.ok(
        s.header.some((h) => h.value.includes('1 no longer on their registry')),
        JSON.stringify(s.header),
      );
    } finally {
      await registry.stop();
    }
  });

  it('Preview opens it; leaving out an image and a repository re-plans; Remove prunes exactly the rest, audited', async () => {
    await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'all' });
    const shownPlan = (await api()).planView.preview()!.plan;
    const shown = { images: shownPlan.items.length };
    let s = await state();
    assert.strictEqual(s.key, `${fx.session.id}/all`);
    assert.match(s.title, /^Prune all unused images on /);
    assert.strictEqual(rows(s).length, shown.images, 'a row per plan step');
    assert.ok(s.remove.enabled && s.remove.label.startsWith(`Remove ${shown.images} images (`), s.remove.label);
    assert.strictEqual(s.groups.at(-1)!.key, 'untagged', 'untagged images last');

    // One image of a repository with several, and a whole other repository.
    const multi = s.groups.find((g) => g.key !== 'untagged' && g.rows.filter((r) => !r.locked).length >= 2)!;
    const whole = s.groups.find((g) => g.key !== 'untagged' && g !== multi && g.toggleable)!;
    assert.ok(multi && whole, 'two repositories to leave out of');
    const image = multi.rows.find((r) => !r.locked)!;
    await (await view()).post({ type: 'toggle', ids: [image.id], include: false });
    s = await state();
    assert.strictEqual(s.groups.find((g) => g.key === multi.key)!.checked, 'some', 'the repository is partly in the plan');
    const wholeIds = whole.rows.filter((r) => !r.locked).map((r) => r.id);
    await (await view()).post({ type: 'toggle', ids: wholeIds, include: false });
    s = await state();
    const group = s.groups.find((g) => g.key === whole.key)!;
    assert.strictEqual(group.checked, 'none');
    const leftOut = [image.id, ...wholeIds];
    for (const id of leftOut) assert.strictEqual(rows(s).find((r) => r.id === id)?.checked, false, `${fx.nameOf(id)} left out`);
    const inPlan = rows(s).filter((r) => r.checked).length;
    assert.ok(s.remove.label.startsWith(`Remove ${inPlan} images (`), s.remove.label);
    assert.ok(s.kept.groups.some((k) => k.reason === 'left-out' && k.count === leftOut.length));

    const calls = await answerConfirmation('prune');
    const before = await engineImageIds();
    const file = (await api()).auditFile();
    const from = readAuditRecords(file).length;
    await (await view()).post({ type: 'remove' });
    assert.strictEqual(calls.length, 1, 'Remove asks once');
    const plan = calls[0]!.plan;
    assert.strictEqual(plan.items.length, inPlan, 'the confirmation names the plan on screen');
    for (const id of leftOut) assert.ok(!plan.items.some((i) => i.id === id), `${fx.nameOf(id)} not in the confirmed plan`);
    assert.ok(s.remove.label.endsWith(`(${formatBytes(plan.spaceReclaimable)})`), `${s.remove.label}: the core's figure`);

    const after = await engineImageIds();
    for (const id of leftOut) assert.ok(after.has(id), `${fx.nameOf(id)} (left out) still exists`);
    const deletes = plan.items.filter((i) => i.action === 'delete').map((i) => i.id);
    for (const id of deletes) assert.ok(!after.has(id), `${fx.nameOf(id)} removed`);
    assert.deepStrictEqual(new Set([...before].filter((id) => !after.has(id))), new Set(deletes), 'removed exactly the plan on screen');

    const records = readAuditRecords(file).slice(from);
    const start = records.find((r) => r.phase === 'start')!;
    assert.deepStrictEqual(start.steps?.map((x) => x.id).sort(), plan.items.map((i) => i.id).sort(), 'the audit lists exactly the plan on screen');
    const end = records.find((r) => r.phase === 'end' || r.phase === undefined)!;
    assert.strictEqual(end.outcome, 'success');
    const done = records.flatMap((r) => r.doneIds ?? []);
    assert.deepStrictEqual(new Set(done), new Set(plan.items.map((i) => i.id)));

    // The view then shows what is left, the same images still left out.
    s = await waitFor('the re-plan after Remove', async () => {
      const x = await state();
      return x.busy === undefined && !rows(x).some((r) => deletes.includes(r.id)) ? x : undefined;
    });
    for (const id of leftOut) assert.strictEqual(rows(s).find((r) => r.id === id)?.checked, false, `${fx.nameOf(id)} still left out`);
  });

  it('Prune Dangling… shows its plan in the view before asking; one panel per environment and mode', async () => {
    await answerConfirmation(undefined);
    const result = (await runCommand('dockerPrune.pruneDangling')) as { status: string };
    assert.strictEqual(result.status, 'declined');
    const s = await state();
    assert.strictEqual(s.key, `${fx.session.id}/dangling`);
    assert.ok(s.remove.enabled, 'declined: the plan stays on screen, Remove still there');
  });

  it('the engine changing under an open plan disables Remove until it is re-planned', async () => {
    await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'dangling' });
    const calls = await answerConfirmation('prune');
    const dangling = rows(await state()).find((r) => r.tags.length === 0 && !r.locked)!;
    // Someone tags a dangling image in a terminal.
    await apiJson(socket(), 'POST', `/images/${dangling.id}/tag?repo=dp/late&tag=1`);
    const s = await waitFor('the stale banner', async () => ((await state()).stale ? state() : undefined), 30_000);
    assert.strictEqual(s.remove.enabled, false);
    assert.strictEqual(s.stale?.action, 'Re-plan');
    const before = await engineImageIds();
    await (await view()).post({ type: 'remove' });
    assert.strictEqual(calls.length, 0, 'a stale plan is never run');
    assert.deepStrictEqual(await engineImageIds(), before);
    await (await view()).post({ type: 'replan' });
    const fresh = await state();
    assert.strictEqual(fresh.stale, undefined);
    assert.ok(fresh.remove.enabled);
    assert.ok(!rows(fresh).some((r) => r.id === dangling.id), 'the tagged image is no longer dangling');
  });

  it('filters edited in place are checked as typed and re-plan on apply', async () => {
    await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'all' });
    const all = rows(await state()).length;
    await (await view()).post({ type: 'applyFilters', text: 'until=banana' });
    let s = await state();
    assert.ok(s.filters.error, 'an invalid filter is refused with a reason');
    assert.strictEqual(rows(s).length, all, 'and the plan is unchanged');
    await (await view()).post({ type: 'applyFilters', text: 'label=dp.team=red' });
    s = await state();
    assert.strictEqual(s.filters.error, undefined);
    assert.strictEqual(s.filters.value, 'label=dp.team=red');
    assert.ok(rows(s).length < all, `fewer images with a label filter (${rows(s).length} of ${all})`);
  });
});
