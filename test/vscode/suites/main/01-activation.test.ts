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

  it('contributes every command in the "Docker Prune" category', async () => {
    await api();
    const all = await vscode.commands.getCommands(true);
    for (const id of ['pruneDangling', 'pruneAll', 'preview', 'showAuditLog', 'refresh', 'openAuditFile', 'cancelPrune', 'retry']) {
      assert.ok(all.includes(`dockerPrune.${id}`), `dockerPrune.${id} is registered`);
    }
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: Array<{ command: string; category: string }> } };
    for (const c of pkg.contributes.commands) assert.ok(c.category, `${c.command} has a category`);
  });
});
