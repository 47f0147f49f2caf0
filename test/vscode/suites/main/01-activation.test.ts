import * as assert from 'assert';
import { report } from '../lib/report';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, waitForLog } from '../lib/host';

describe('Activation', () => {
  it('activates in the real extension host and says so in its output channel', async () => {
    const t = await api();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    assert.ok(t.activationMs > 0);
    await waitForLog(/Docker Prune [\d.]+ activated in [\d.]+ ms/);
    report(`      activation took ${t.activationMs.toFixed(1)} ms`);
  });

  it('registers every command package.json contributes, each in a category, and no command it does not contribute', async () => {
    await api();
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: Array<{ command: string; category?: string }>; views: Record<string, Array<{ id: string }>> };
    };
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes commands');
    const all = await vscode.commands.getCommands(true);
    const missing = contributed.filter((id) => !all.includes(id));
    assert.deepStrictEqual(missing, [], 'every contributed command is registered');
    for (const c of pkg.contributes.commands) assert.ok(c.category, `${c.command} has a category`);
    // VS Code itself registers commands under each view's id (focus, toggle visibility, …): those are not ours.
    const views = Object.values(pkg.contributes.views)
      .flat()
      .map((v) => `${v.id}.`);
    const unlisted = all.filter((id) => id.startsWith('dockerPrune.') && !contributed.includes(id) && !views.some((v) => id.startsWith(v)));
    assert.deepStrictEqual(unlisted, [], 'every registered dockerPrune command is in contributes.commands');
  });
});
