// Harness fixture: the smallest extension that exercises what the real one will need from the harness —
// a palette command, a notification, a status bar item, env from the test, and an automatic action
// gated on workspace trust (the way auto-prune must be).
'use strict';
const vscode = require('vscode');

let autoActionRan = false;

function activate(context) {
  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 100);
  const render = () => (item.text = `$(beaker) Fixture: ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'}`);
  render();
  item.show();
  context.subscriptions.push(item);

  // The "automatic" action: never in an untrusted workspace; runs once trust is granted.
  if (vscode.workspace.isTrusted) autoActionRan = true;
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      autoActionRan = true;
      render();
    }),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('dockerPruneFixture.hello', () => {
      const echo = process.env.DOCKER_PRUNE_FIXTURE_ECHO;
      void vscode.window.showInformationMessage(`Hello from the Docker Prune harness fixture${echo ? ` (${echo})` : ''}`);
      return 'hello';
    }),
    vscode.commands.registerCommand('dockerPruneFixture.state', () => ({
      trusted: vscode.workspace.isTrusted,
      autoActionRan,
      echo: process.env.DOCKER_PRUNE_FIXTURE_ECHO,
      folder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    })),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
