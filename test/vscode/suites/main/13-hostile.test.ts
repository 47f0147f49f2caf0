/**
 * Hostile engine data in the real extension host: images whose labels hold backticks and blank lines, Markdown
 * bold and links, HTML, `command:` URIs, theme icons, escape sequences, CR, bidi controls and 64 kB, and the longest
 * reference the engine accepts. The tooltips' Markdown must render all of it as literal text (no link, no bold line
 * of the label's, untrusted, one line, cut), the tree labels and the plan view show it visible and cut, and the
 * output channel never gets it raw.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { DISPLAY_MAX_CHARS } from '../../../../src/core/format/displayText';
import type { ImageNode } from '../../../../src/vscode/tree/nodes';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import { resetEngine } from '../../../support/dockerd';
import { LABELLED_REFERENCE, LONGEST_REFERENCE, RAW_HIDDEN, loadHostilePopulation, type HostileImages } from '../../../support/hostilePopulation';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import {
  api,
  defaultSession,
  logLength,
  logText,
  reloadPopulation,
  resetSettings,
  settled,
  socket,
  treeChildren,
  treeItem,
  label,
  runCommand,
} from '../lib/host';

/** Markdown syntax that is not backslash-escaped: what would render as markup. */
const unescaped = (md: string, syntax: RegExp) => md.replace(/\\[!-/:-@[-`{-~]/g, '').match(syntax);

describe('Hostile engine data', () => {
  let ids: HostileImages;
  let images: ImageNode[];

  before(async () => {
    await resetEngine(socket());
    ids = await loadHostilePopulation(socket());
    const session = await defaultSession();
    await session.refresh('test');
    await settled(session, 3);
    const env = (await treeChildren()).find((n) => n.kind === 'environment' && n.session === session)!;
    const groups = await treeChildren(env);
    images = (await Promise.all(groups.filter((g) => g.kind === 'group').map((g) => treeChildren(g))))
      .flat()
      .filter((n: Node): n is ImageNode => n.kind === 'image');
    assert.strictEqual(images.length, 3, 'the three hostile images are listed');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await resetSettings();
    await reloadPopulation();
  });

  const nodeOf = (id: string) => images.find((n) => n.image.id === id)!;

  it('a tooltip shows every hostile label as literal text: no link, no bold line, no HTML, untrusted, one line, cut', async () => {
    for (const id of [ids.labelled, ids.dangling]) {
      const item = await treeItem(nodeOf(id));
      const md = item.tooltip as vscode.MarkdownString;
      assert.ok(md instanceof vscode.MarkdownString, 'a Markdown tooltip');
      assert.ok(!md.isTrusted, 'untrusted: no command link can run');
      assert.ok(!md.supportHtml, 'no HTML');
      const v = md.value;
      assert.strictEqual(RAW_HIDDEN.exec(v), null, 'no raw control or bidi character');
      assert.strictEqual(
        unescaped(v, /\]\(|<[a-z]|https?:\/\/|command:|`|\$\(/gi),
        null,
        `no link, HTML, autolink, code span or icon from the label:\n${v.slice(0, 2000)}`,
      );
      const lines = v.split('\n').filter(Boolean);
      const labelsLine = lines.find((l) => l.startsWith('Labels: '));
      assert.ok(labelsLine, 'one line holds the labels');
      assert.ok(!lines.some((l) => l.replace(/\\(.)/g, '$1').startsWith('**FAKE')), 'no bold line written by a label');
      assert.ok(!unescaped(v, /\*\*FAKE/), 'the label’s ** is escaped');
      assert.ok(labelsLine.includes('evil\\.markdown\\=x\\`\\\\x0a\\\\x0a\\*\\*FAKE'), `the label's newlines shown as \\x0a: ${labelsLine.slice(0, 300)}`);
      assert.ok(labelsLine.includes('\\\\x1b\\[31mRED'), 'ESC shown escaped');
      assert.ok(labelsLine.includes('\\\\u202egnp'), 'U+202E shown escaped');
      assert.ok(
        labelsLine.length < 4 * 1024 && labelsLine.includes(`evil\\.big\\=${'B'.repeat(DISPLAY_MAX_CHARS - 'evil.big='.length - 1)}…`),
        'the 64 kB value cut with …',
      );
    }
  });

  it('the longest reference: cut with … in the tree label and the tooltip, whole in the plan view data it came from', async () => {
    const node = nodeOf(ids.longest);
    const item = await treeItem(node);
    assert.ok(label(item).endsWith('…') && label(item).length === DISPLAY_MAX_CHARS, label(item));
    assert.ok(LONGEST_REFERENCE.startsWith(label(item).slice(0, -1)));
    const v = (item.tooltip as vscode.MarkdownString).value;
    assert.ok(v.startsWith('**hostile\\/rrr') && v.split('\n')[0]!.endsWith('…**'), v.split('\n')[0]);
    assert.ok(!v.includes(LONGEST_REFERENCE));
  });

  it('the plan view state carries the text as display data: visible, cut, never markup', async () => {
    await vscode.commands.executeCommand('dockerPrune.preview', { mode: 'all' });
    const state = (await api()).planView.state();
    assert.ok(state, 'a plan view is open');
    const rows = state.groups.flatMap((g) => g.rows);
    assert.deepStrictEqual(rows.find((r) => r.id === ids.labelled)?.tags, [LABELLED_REFERENCE]);
    const longest = rows.find((r) => r.id === ids.longest)!;
    assert.strictEqual(longest.tags.length, 1);
    assert.ok(longest.tags[0]!.endsWith('…') && longest.tags[0]!.length === DISPLAY_MAX_CHARS && LONGEST_REFERENCE.startsWith(longest.tags[0]!.slice(0, -1)));
    assert.strictEqual(RAW_HIDDEN.exec(JSON.stringify(state)), null, 'nothing raw anywhere in the state');
  });

  it('the output channel shows no raw control characters after a prune of hostile images', async () => {
    const from = await logLength();
    await answerConfirmation('prune');
    try {
      const r = (await runCommand('dockerPrune.pruneDangling')) as { status: string };
      assert.strictEqual(r?.status, 'done');
    } finally {
      await restoreConfirmation();
    }
    const text = (await logText()).slice(from);
    assert.ok(text.includes('Prune finished'), text);
    assert.strictEqual(RAW_HIDDEN.exec(text), null, 'no raw control or bidi character in the channel');
  });
});
