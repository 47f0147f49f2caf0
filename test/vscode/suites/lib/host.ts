/**
 * Helpers for the suites that run inside the real extension host: the extension's test API, waiting for
 * conditions (no fixed sleeps as assertions), the test engine (its socket comes from the runner through
 * DP_TEST_SOCKET), the population, settings, the output channel's log file and the audit file.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { apiJson, apiRequest, resetEngine } from '../../../support/dockerd';
import { loadPopulation, type LoadedPopulation } from '../../../support/population';
import type { AuditRecord } from '../../../../src/core/audit';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { DockerPruneApi, DockerPruneTestApi } from '../../../../src/vscode/testApi';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import { expectedGroups, testPopulation } from './population';

export const EXTENSION_ID = 'docker-prune.docker-prune';

export async function api(): Promise<DockerPruneTestApi> {
  const ext = vscode.extensions.getExtension<DockerPruneApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  const exported = ext.isActive ? ext.exports : await ext.activate();
  assert.ok(exported.testing, 'the extension runs in test mode (ExtensionMode.Test)');
  return exported.testing;
}

/**
 * Runs a command as the palette or a keybinding would and returns what that run produced. Commands return
 * nothing; the extension's test seam keeps each command's last result (`lastResult`).
 */
export async function runCommand<T = unknown>(id: string, ...args: unknown[]): Promise<T> {
  await vscode.commands.executeCommand(id, ...args);
  return (await api()).lastResult(id) as T;
}

export function socket(): string {
  const s = process.env.DP_TEST_SOCKET;
  assert.ok(s, 'DP_TEST_SOCKET is set by the runner');
  return s;
}

/** Polls `probe` until it returns a truthy value; fails with `what` (and the last value) after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      assert.fail(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)?.slice(0, 500)}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Engine

export async function engineImageIds(): Promise<Set<string>> {
  const list = await apiJson<Array<{ Id: string }>>(socket(), 'GET', '/images/json?all=1');
  return new Set(list.map((i) => i.Id));
}

/** `docker rmi` through the engine API (no force): what a user does in a terminal. */
export async function removeImageExternally(id: string): Promise<void> {
  const res = await apiRequest(socket(), 'DELETE', `/images/${id}`);
  assert.ok(res.status < 300, `DELETE /images/${id}: HTTP ${res.status} ${res.body.toString()}`);
}

/** An empty engine, then the known population again (each file starts from the same state). */
export async function reloadPopulation(): Promise<LoadedPopulation> {
  await resetEngine(socket());
  return loadPopulation(socket(), testPopulation());
}

// ---------------------------------------------------------------------------------------------------
// Extension state

/** The default environment's session (the test engine, through DOCKER_HOST). */
export async function defaultSession(): Promise<EnvironmentSession> {
  const t = await api();
  const s = await t.registry.defaultEnvironment();
  assert.ok(s, 'a default environment');
  return s;
}

/** Waits until the session shows exactly `count` images and has measured the reclaimable bytes for that state. */
/**
 * The known population, freshly loaded on the default engine, and the default environment's session once it
 * shows every visible image: the starting point of each test that prunes or reads the tree.
 */
export async function freshDefaultSession(): Promise<{ session: EnvironmentSession; loaded: LoadedPopulation }> {
  const loaded = await reloadPopulation();
  const session = await defaultSession();
  await session.refresh('test');
  const expected = expectedGroups();
  await settled(session, expected.inUse.size + expected.unused.size + expected.dangling.size);
  return { session, loaded };
}

export async function settled(session: EnvironmentSession, count?: number, timeoutMs?: number): Promise<void> {
  await waitFor(
    `${session.name} to settle${count === undefined ? '' : ` on ${count} images`}`,
    () => {
      const s = session.state;
      if (s.kind !== 'ready' || s.reclaimPending || !s.reclaim) return false;
      if (count !== undefined && s.listing.images.length !== count) return false;
      return s.reclaim.snapshot.images.length >= s.listing.images.length;
    },
    timeoutMs,
  );
}

export async function treeChildren(node?: Node): Promise<Node[]> {
  return (await api()).tree.getChildren(node);
}

export async function treeItem(node: Node): Promise<vscode.TreeItem> {
  const t = await api();
  const item = t.tree.getTreeItem(node);
  return t.tree.resolveTreeItem(item, node);
}

export function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** The tooltip as text (Markdown escapes removed). */
export function tooltipText(item: vscode.TreeItem): string {
  return markdownText(item.tooltip);
}

/** A tooltip (Markdown or plain) as the text it shows: Markdown's backslash escapes removed. */
export function markdownText(t: string | vscode.MarkdownString | undefined): string {
  return (typeof t === 'string' ? t : (t?.value ?? '')).replace(/\\(.)/g, '$1');
}

// ---------------------------------------------------------------------------------------------------
// Settings

const KEYS = [
  'environments',
  'defaultMode',
  'groupBy',
  'statusBar.enabled',
  'statusBar.mode',
  'statusBar.environments',
  'statusBar.includeBuildCache',
  'auditFile',
  'protect',
  'keepLatest',
  'autoPrune.enabled',
  'autoPrune.mode',
  'autoPrune.interval',
  'autoPrune.threshold',
  'autoPrune.until',
  'autoPrune.unusedFor',
  'autoPrune.environments',
  'autoPrune.highWatermark',
  'autoPrune.lowWatermark',
  'autoPrune.minimumAge',
  'autoPrune.includeLoaded',
  'autoPrune.containersExitedFor',
];

export async function setSetting(key: string, value: unknown, target = vscode.ConfigurationTarget.Workspace): Promise<void> {
  await vscode.workspace.getConfiguration('dockerPrune').update(key, value, target);
}

/** Removes every dockerPrune.* value the tests wrote (workspace and user). */
export async function resetSettings(): Promise<void> {
  const c = vscode.workspace.getConfiguration('dockerPrune');
  for (const key of KEYS) {
    const i = c.inspect(key);
    if (i?.workspaceValue !== undefined) await c.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    if (i?.globalValue !== undefined) await c.update(key, undefined, vscode.ConfigurationTarget.Global);
  }
}

// ---------------------------------------------------------------------------------------------------
// Output channel and audit

/** The "Docker Prune" log output channel's file (VS Code writes log channels under the extension's log folder). */
async function logFile(): Promise<string> {
  const dir = (await api()).logUri.fsPath;
  return waitFor('the Docker Prune log file', () => {
    const direct = path.join(dir, 'Docker Prune.log');
    if (fs.existsSync(direct)) return direct;
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.log'))
          .map((f) => path.join(dir, f))[0]
      : undefined;
  });
}

export async function logText(): Promise<string> {
  return fs.readFileSync(await logFile(), 'utf8');
}

/** Waits until the log contains `needle` after `fromOffset` (characters); returns the new part. */
export async function waitForLog(needle: string | RegExp, fromOffset = 0, timeoutMs = 20_000): Promise<string> {
  return waitFor(
    `log line ${needle}`,
    async () => {
      const text = (await logText()).slice(fromOffset);
      return (typeof needle === 'string' ? text.includes(needle) : needle.test(text)) ? text : '';
    },
    timeoutMs,
  );
}

export async function logLength(): Promise<number> {
  return (await logText()).length;
}

/** Every line of the audit file: start, progress and end records alike. */
export function readAuditRecords(file: string): AuditRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** One record per prune: its end record (start and progress records left out). */
export function readAudit(file: string): AuditRecord[] {
  return readAuditRecords(file).filter((r) => r.phase === undefined || r.phase === 'end');
}

/**
 * The window closes or reloads: calls the real `deactivate` of the module this extension host loaded (same file,
 * same module cache). It interrupts running prunes; the prune service itself lives on.
 */
export function deactivateExtension(): Promise<void> | undefined {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const main = require(path.join(ext.extensionPath, ext.packageJSON.main as string)) as { deactivate(): Promise<void> | undefined };
  return main.deactivate();
}
