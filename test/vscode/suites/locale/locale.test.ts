/**
 * The extension in German, in a real VS Code started with `--locale de` (issue 10): the manifest's titles
 * come from package.nls.de.json, the runtime strings from l10n/bundle.l10n.de.json through vscode.l10n.t,
 * and sizes are formatted by Intl in German (decimal comma), not glued from English pieces.
 *
 * The window has a language pack stub (see installLanguagePackStub): VS Code's own UI stays English, but
 * the display language is `de`, which is all an extension's translations depend on.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { formatBytes } from '../../../../src/core/format/units';
import type { GroupNode, ImageNode } from '../../../../src/vscode/tree/nodes';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import { api, defaultSession, EXTENSION_ID, label, settled, treeChildren, treeItem, waitFor } from '../lib/host';

const ext = () => vscode.extensions.getExtension(EXTENSION_ID)!;
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ext().extensionPath, file), 'utf8')) as Record<string, string>;

describe('German (--locale de)', () => {
  const nls = () => readJson('package.nls.de.json');
  const bundle = () => readJson(path.join('l10n', 'bundle.l10n.de.json'));

  it('the display language is German', () => {
    assert.strictEqual(vscode.env.language, 'de');
  });

  it('command titles and the category come from package.nls.de.json', async () => {
    await api();
    // A localized title keeps the English beside it (the palette finds a command by either).
    type Title = string | { value: string; original: string };
    const pkg = ext().packageJSON as { contributes: { commands: Array<{ command: string; title: Title; category: Title }> } };
    const shown = (t: Title) => (typeof t === 'string' ? t : t.value);
    const preview = pkg.contributes.commands.find((c) => c.command === 'dockerPrune.preview')!;
    assert.strictEqual(shown(preview.title), nls()['command.preview']);
    assert.deepStrictEqual(preview.title, { value: 'Vorschau der Bereinigung…', original: 'Preview Prune…' });
    const audit = pkg.contributes.commands.find((c) => c.command === 'dockerPrune.showAuditLog')!;
    assert.strictEqual(shown(audit.title), 'Auditprotokoll anzeigen');
    assert.strictEqual(shown(audit.category), 'Docker Prune');
  });

  it('the tree and the status bar speak German, with German number formats', async () => {
    const t = await api();
    const session = await defaultSession();
    await session.refresh('test');
    await settled(session);

    const roots = await treeChildren();
    const env = roots.find((n: Node) => n.kind === 'environment' && n.session === session)!;
    // The image groups (the engine, shared with the suites before, may also hold a build cache: its node is German too).
    const children = await treeChildren(env);
    const groups = children.filter((n: Node) => n.kind === 'group') as GroupNode[];
    const cache = children.find((n: Node) => n.kind === 'buildCache');
    if (cache) assert.strictEqual(label(await treeItem(cache)), 'Build-Cache');
    const labels = await Promise.all(groups.map(async (g) => label(await treeItem(g))));
    assert.deepStrictEqual(labels, [bundle()['In use'], bundle()['Unused'], bundle()['Dangling']]);
    assert.deepStrictEqual(labels, ['In Verwendung', 'Unbenutzt', 'Verwaist']);
    // An image's tooltip: German size, and its age as Intl.RelativeTimeFormat says it ("vor 3 Monaten").
    const images = (await treeChildren(groups[1]!)) as ImageNode[];
    assert.ok(images.length > 0, 'the population has unused images');
    assert.match(images[0]!.tooltip().value, /Größe [\d,]+ (B|kB|MB|GB) · erstellt .+ \((vor \d+ \S+|jetzt)\)/);
    const envItem = await treeItem(env);
    assert.match(String(envItem.description), /^\d+ Images · [\d,]+ (B|kB|MB|GB) freigebbar$/);

    const reclaim = session.reclaimable('dangling')!;
    const german = formatBytes(reclaim, 'de');
    await waitFor('the status bar in German', () => t.statusBar.accessibilityInformation?.label === `Docker Prune: ${german} freigebbar`);
    assert.strictEqual(t.statusBar.text, `$(trash) ${german}`);
    assert.strictEqual(t.statusBar.name, 'Docker Prune: freigebbarer Speicher');
    if (reclaim >= 1000) assert.ok(!german.includes('.'), `German sizes use a decimal comma: ${german}`);
  });
});
