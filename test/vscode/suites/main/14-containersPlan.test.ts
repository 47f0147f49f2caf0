/**
 * Stopped containers in the plan view, in the real extension host on the real engine: the option "Also remove
 * stopped containers" (stopped at least … ago) re-plans with them; their rows sit above the images, one can be left
 * out as an image is; Remove removes exactly the containers on screen first, then the images they alone held; the
 * audit's start record lists the container steps. Containers with a restart policy that brings them back, or the
 * `docker-prune.keep` label, stay.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { PlanViewState } from '../../../../src/webview/planView/protocol';
import { apiJson, apiRequest } from '../../../support/dockerd';
import { RAW_HIDDEN } from '../../../support/hostilePopulation';
import { answerConfirmation, freshSessionEachTest } from '../lib/confirm';
import { api, engineImageIds, readAuditRecords, socket } from '../lib/host';
import { expectedGroups } from '../lib/population';

/** A Compose project label the engine stores as it is: escape sequence, newline, markup. */
const HOSTILE_PROJECT = 'shop\x1b[31m\n<b>bold</b>\u202e';

describe('Stopped containers in the plan view', () => {
  const fx = freshSessionEachTest();
  const made: string[] = [];
  afterEach(async () => {
    for (const id of made.splice(0)) await apiRequest(socket(), 'DELETE', `/containers/${id}?force=1`);
  });

  const view = async () => (await api()).planView;
  const state = async (): Promise<PlanViewState> => {
    const s = (await view()).state();
    assert.ok(s, 'a plan view is open');
    return s;
  };

  async function container(name: string, image: string, extra: Record<string, unknown> = {}, hostConfig: Record<string, unknown> = {}): Promise<string> {
    const { Id } = await apiJson<{ Id: string }>(socket(), 'POST', `/containers/create?name=${name}`, {
      Image: image,
      Cmd: ['/bin/busybox', 'sh', '-c', 'echo bye > /bye.txt'],
      HostConfig: { NetworkMode: 'none', ...hostConfig },
      ...extra,
    });
    made.push(Id);
    return Id;
  }

  async function containerIds(): Promise<Set<string>> {
    const list = await apiJson<Array<{ Id: string }>>(socket(), 'GET', '/containers/json?all=1');
    return new Set(list.map((c) => c.Id));
  }

  it('the option re-plans with the stopped containers; one left out stays; Remove takes the rest first, audited', async () => {
    const expected = expectedGroups();
    const { loaded } = fx;
    const unusedTagged = loaded.population.images.filter((g) => g.tags.length > 0 && expected.unused.has(loaded.imageIds.get(g.name)!));
    const runnable = unusedTagged.find((g) => g.runnable)!;
    assert.ok(runnable, 'an unused runnable image');
    const others = unusedTagged.filter((g) => g !== runnable).slice(0, 3);
    assert.strictEqual(others.length, 3, 'three more unused tagged images');
    const [imageA, imageB, imageC, imageD] = [runnable, ...others].map((g) => loaded.imageIds.get(g.name)!);

    // (a) exited: the only user of its image; (b) created, never started; (c) restart policy unless-stopped; (d) labelled to keep.
    const a = await container('dp-plan-exited', imageA!);
    await apiJson(socket(), 'POST', `/containers/${a}/start`);
    await apiJson(socket(), 'POST', `/containers/${a}/wait`);
    const b = await container('dp-plan-created', imageB!, { Labels: { 'com.docker.compose.project': HOSTILE_PROJECT } });
    const c = await container('dp-plan-unless-stopped', imageC!, {}, { RestartPolicy: { Name: 'unless-stopped' } });
    const d = await container('dp-plan-keep', imageD!, { Labels: { 'docker-prune.keep': 'true' } });

    await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'all' });
    let s = await state();
    assert.ok(s.containerOption && !s.containerOption.checked, 'the option is there, off');
    assert.strictEqual(s.containerOption.value, '30d', 'the default duration');
    assert.strictEqual(s.containers, undefined, 'no container rows while off');
    assert.ok(!(await view()).preview()!.plan.items.some((i) => i.id === imageA), "the exited container keeps a's image");

    // An invalid duration: an inline error, the plan as it was.
    const before = (await view()).preview()!.plan;
    await (await view()).post({ type: 'containers', include: true, exitedFor: 'banana' });
    s = await state();
    assert.match(s.containerOption!.error ?? '', /banana/);
    assert.strictEqual(s.containers, undefined);
    assert.strictEqual((await view()).preview()!.plan, before, 'the previous plan stays');

    await (await view()).post({ type: 'containers', include: true, exitedFor: '0s' });
    s = await state();
    assert.strictEqual(s.containerOption!.error, undefined);
    assert.ok(s.containerOption!.checked);
    assert.strictEqual(s.containerOption!.value, '0s');
    const plan = (await view()).preview()!.plan;
    assert.strictEqual(plan.policy.containers?.exitedForRaw, '0s');
    const planned = new Set(plan.containers!.map((x) => x.id));
    assert.ok(planned.has(a) && planned.has(b), 'a and b are planned');
    const kept = new Map(plan.keptContainers!.map((k) => [k.id, k.reason]));
    assert.strictEqual(kept.get(c), 'restart-policy');
    assert.strictEqual(kept.get(d), 'keep-label');
    assert.ok(
      plan.items.some((i) => i.id === imageA && i.action === 'delete'),
      "a's image goes once a is gone",
    );

    const section = s.containers!;
    assert.ok(section, 'the containers have rows of their own');
    const rowA = section.rows.find((r) => r.id === a)!;
    const rowB = section.rows.find((r) => r.id === b)!;
    assert.ok(rowA.checked && rowB.checked);
    assert.ok(!section.rows.some((r) => r.id === c || r.id === d), 'kept containers have no row');
    assert.strictEqual(rowA.name, 'dp-plan-exited');
    assert.strictEqual(rowA.exitCode, '0');
    assert.ok(rowA.stopped && !rowA.stopped.includes('never started'), `when it stopped: ${rowA.stopped}`);
    assert.strictEqual(rowA.image, runnable.tags[0]);
    assert.match(rowB.stopped, /^created .*, never started$/);
    assert.strictEqual(rowB.exitCode, '');
    assert.ok(rowB.project.startsWith('shop\\x1b[31m\\x0a<b>bold</b>'), `the project as visible text: ${rowB.project}`);
    assert.strictEqual(RAW_HIDDEN.exec(JSON.stringify(s)), null, 'nothing raw anywhere in the state');
    assert.match(section.kept ?? '', /restart policy always or unless-stopped \(1\)/);
    assert.match(section.kept ?? '', /labelled docker-prune\.keep \(1\)/);
    const n = plan.containers!.length;
    assert.match(s.totals, new RegExp(`^${n} stopped containers? and ${plan.items.length} images?, `), s.totals);
    assert.ok(s.remove.label.startsWith(`Remove ${n} stopped container`), s.remove.label);

    // Leave out b, and the population's own stopped containers, exactly as an image is left out.
    const leaveOut = [...planned].filter((id) => id !== a);
    await (await view()).post({ type: 'toggle', ids: leaveOut, include: false });
    s = await state();
    assert.strictEqual(s.containers!.rows.find((r) => r.id === b)?.checked, false, 'b shows, left out');
    const onScreen = (await view()).preview()!.plan;
    assert.deepStrictEqual(
      onScreen.containers!.map((x) => x.id),
      [a],
    );
    assert.strictEqual(onScreen.keptContainers!.find((k) => k.id === b)?.reason, 'left-out');
    assert.match(s.totals, /^1 stopped container and \d+ images?, /, s.totals);

    const calls = await answerConfirmation('prune');
    const file = (await api()).auditFile();
    const from = readAuditRecords(file).length;
    await (await view()).post({ type: 'remove' });
    assert.strictEqual(calls.length, 1, 'Remove asks once');
    assert.deepStrictEqual(
      calls[0]!.plan.containers!.map((x) => x.id),
      [a],
      'the confirmation names the containers on screen',
    );

    const containersAfter = await containerIds();
    assert.ok(!containersAfter.has(a), 'a is gone');
    for (const id of [b, c, d]) assert.ok(containersAfter.has(id), `${id.slice(0, 12)} stays`);
    const imagesAfter = await engineImageIds();
    assert.ok(!imagesAfter.has(imageA!), "a's image is gone");
    for (const id of [imageB, imageC, imageD]) assert.ok(imagesAfter.has(id!), `${fx.nameOf(id!)} stays with its container`);

    const records = readAuditRecords(file).slice(from);
    const start = records.find((r) => r.phase === 'start')!;
    const containerSteps = (start.steps ?? []).filter((x) => x.kind === 'container');
    assert.deepStrictEqual(
      containerSteps.map((x) => [x.id, x.tags, x.image]),
      [[a, ['dp-plan-exited'], imageA]],
    );
    const end = records.find((r) => r.phase === 'end' || r.phase === undefined)!;
    assert.strictEqual(end.outcome, 'success');
  });
});
