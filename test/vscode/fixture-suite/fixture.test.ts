/**
 * The harness's own self-test, run inside a real extension host against test/vscode/fixture-ext.
 * Expectations come from the launching side through the extension host's env:
 *   DOCKER_PRUNE_EXPECT_TRUSTED (1/0), DOCKER_PRUNE_FIXTURE_ECHO, DOCKER_PRUNE_EXPECT_FOLDER,
 *   DOCKER_PRUNE_FIXTURE_FAIL=1 to fail on purpose (proves a failure gives a non-zero exit).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';

interface FixtureState {
  trusted: boolean;
  autoActionRan: boolean;
  echo?: string;
  folder?: string;
}

describe('harness fixture extension', () => {
  it('runs a contributed command in the real extension host', async () => {
    assert.strictEqual(await vscode.commands.executeCommand('dockerPruneFixture.hello'), 'hello');
  });

  it('sees the env, folder and workspace trust it was launched with', async () => {
    const state = await vscode.commands.executeCommand<FixtureState>('dockerPruneFixture.state');
    assert.strictEqual(state.echo, process.env.DOCKER_PRUNE_FIXTURE_ECHO);
    const expectTrusted = process.env.DOCKER_PRUNE_EXPECT_TRUSTED !== '0';
    assert.strictEqual(vscode.workspace.isTrusted, expectTrusted, 'vscode.workspace.isTrusted');
    assert.strictEqual(state.autoActionRan, expectTrusted, 'trust-gated action');
    if (process.env.DOCKER_PRUNE_EXPECT_FOLDER) assert.strictEqual(state.folder, process.env.DOCKER_PRUNE_EXPECT_FOLDER);
    assert.notStrictEqual(process.env.DOCKER_PRUNE_FIXTURE_FAIL, '1', 'deliberate failure (DOCKER_PRUNE_FIXTURE_FAIL=1)');
  });
});
