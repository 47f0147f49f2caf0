/**
 * An engine that is not there: tree state with the reason and a Retry action, no notification storm; Retry
 * connects once it is back; a prune on it says why it cannot run.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PruneFlowResult } from '../../../../src/vscode/commands/pruneFlow';
import type { EnvironmentNode, MessageNode } from '../../../../src/vscode/tree/nodes';
import { answerConfirmation, restoreConfirmation } from '../lib/confirm';
import { EngineProxy } from '../lib/engineProxy';
import { api, label, logLength, logText, resetSettings, setSetting, socket, treeChildren, treeItem, waitFor, runCommand } from '../lib/host';

describe('An unreachable daemon', () => {
  let dir: string;
  let sock: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-gone-'));
    sock = path.join(dir, 'docker.sock');
  });
  after(async () => {
    await restoreConfirmation();
    await resetSettings();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function goneNode(): Promise<EnvironmentNode> {
    return waitFor(
      'the "gone" environment in the tree',
      async () => (await treeChildren()).find((n) => n.kind === 'environment' && n.session.name === 'gone') as EnvironmentNode | undefined,
    );
  }

  it('is shown in the tree as unreachable, with the reason and a Retry action, and no notification', async () => {
    const logFrom = await logLength();
    await setSetting('environments', [{ name: 'gone', host: `unix://${sock}` }]);
    const node = await goneNode();
    // The tree asks for an environment's children as it shows it (expanded): that is the first look.
    const children = (await treeChildren(node)) as MessageNode[];
    assert.strictEqual(node.session.state.kind, 'failed');
    const item = await treeItem(node);
    assert.strictEqual(item.contextValue, 'environment.unreachable');
    assert.strictEqual(item.description, 'unreachable');
    assert.strictEqual(children.length, 2);
    const reason = await treeItem(children[0]!);
    assert.ok(label(reason).includes(`No Docker socket at ${sock}`), label(reason));
    const retry = await treeItem(children[1]!);
    assert.strictEqual(label(retry), 'Retry');
    assert.strictEqual(retry.command?.command, 'dockerPrune.retry');

    // Other parts keep looking at it (refreshes, the tree's observation); still no toast.
    await node.session.refresh('test');
    await node.session.refresh('test');
    const log = (await logText()).slice(logFrom);
    const shown = log.split('\n').filter((l) => l.includes('[shown]') && l.includes(sock));
    assert.deepStrictEqual(shown, [], 'no notification about the unreachable engine');
    assert.strictEqual(log.split('\n').filter((l) => l.includes('gone: No Docker socket')).length, 1, 'logged once, not on every attempt');
  });

  it('a prune on it fails with the reason and asks nothing', async () => {
    const calls = await answerConfirmation('prune');
    const result = (await runCommand('dockerPrune.pruneDangling', { environment: 'gone' })) as PruneFlowResult;
    assert.strictEqual(result.status, 'failed');
    assert.ok(result.status === 'failed' && result.message.includes(`No Docker socket at ${sock}`), result.status);
    assert.strictEqual(calls.length, 0);
  });

  it('Retry connects once the daemon is back', async () => {
    const proxy = new EngineProxy(sock, socket());
    await proxy.start();
    try {
      const node = await goneNode();
      await vscode.commands.executeCommand('dockerPrune.retry', node);
      await waitFor('connected after Retry', () => node.session.state.kind === 'ready');
      const item = await treeItem(node);
      assert.strictEqual(item.contextValue, 'environment.connected');
      const groups = await treeChildren(node);
      assert.strictEqual(groups.length, 3);
      assert.ok((await api()).registry.known.includes(node.session));
    } finally {
      await proxy.stop();
    }
  });
});
