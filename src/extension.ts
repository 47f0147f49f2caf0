/**
 * Docker Prune for VS Code. This file only wires the parts together; each lives in src/vscode/.
 * Activation is cheap: no engine is contacted and docker-modem is not loaded until the tree is shown, a
 * command runs, or the status bar / auto-prune (when enabled) need an engine.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { FileImageDetailsStore } from './core/snapshot/detailsCache';
import { AuditLocation } from './vscode/audit/auditLocation';
import { modalBuildCacheConfirmation, type ConfirmBuildCachePrune } from './vscode/buildCache/buildCacheConfirmation';
import { pruneBuildCacheFlow, registerBuildCacheCommands, type BuildCacheCommandDeps } from './vscode/buildCache/buildCacheCommands';
import { CommandResults, commandRegistrar } from './vscode/commands/commandRegistrar';
import { pruneFlow, type PruneFlowDeps } from './vscode/commands/pruneFlow';
import { registerCommands } from './vscode/commands/registerCommands';
import { registerDiskUsage } from './vscode/diskUsage/registerDiskUsage';
import { EnvironmentRegistry } from './vscode/environments/environmentRegistry';
import { Notifier } from './vscode/notifier';
import { environmentNameInput, modalConfirmation, type AskEnvironmentName, type ConfirmPrune } from './vscode/prune/confirmation';
import { BuildCachePlanViews } from './vscode/planView/buildCachePlanViews';
import { PlanViews } from './vscode/planView/planViews';
import { PruneService, RUNNING_CONTEXT_KEY, WINDOW_CLOSED } from './vscode/prune/pruneService';
import { escapedLog } from './vscode/log/escapedLog';
import { AutoPruneScheduler } from './vscode/scheduler/autoPruneScheduler';
import { StatusBarController } from './vscode/statusBar/statusBarController';
import type { DockerPruneApi } from './vscode/testApi';
import { EnvironmentsTree } from './vscode/tree/environmentsTree';

/** The running extension's prune service, for `deactivate`. */
let activeService: PruneService | undefined;

export function activate(context: vscode.ExtensionContext): DockerPruneApi {
  const started = performance.now();
  const log = escapedLog(vscode.window.createOutputChannel('Docker Prune', { log: true }));
  const notifier = new Notifier(log);
  const registry = new EnvironmentRegistry(log, new FileImageDetailsStore(path.join(context.globalStorageUri.fsPath, 'image-details'), (m) => log.warn(m)));
  // A state file set aside (damaged, not an audit file) is shown once; the channel keeps every such message.
  const audit = new AuditLocation(context.globalStorageUri, (m) => void notifier.once(`state:${m}`, 'warn', vscode.l10n.t('Docker Prune state file: {0}', m)));
  const service = new PruneService(log, () => audit.log());
  activeService = service;
  // The plan view's Remove runs the prune flow on exactly the plan on screen.
  const planViews = new PlanViews({
    extensionUri: context.extensionUri,
    service,
    log,
    findSession: (id) => registry.find(id),
    remove: (s) => pruneFlow(flowDeps, s.session, s.mode, s.filters, s.watermarks, s.preview),
  });
  // The build-cache plan view's Remove runs the build-cache prune flow on exactly the plan on screen.
  const buildCachePlanViews = new BuildCachePlanViews({
    extensionUri: context.extensionUri,
    log,
    findSession: (id) => registry.find(id),
    remove: (s) => pruneBuildCacheFlow(buildCacheDeps, s.session, s.preview.plan.policy, s.preview),
  });
  const tree = new EnvironmentsTree(registry);
  const statusBar = new StatusBarController(registry);
  const scheduler = new AutoPruneScheduler(registry, service, notifier, log, context.workspaceState);
  // What each command produced is kept only when VS Code runs the extension for its tests (testApi.ts).
  const results = context.extensionMode === vscode.ExtensionMode.Test ? new CommandResults() : undefined;
  const register = commandRegistrar(notifier, results);
  const diskUsage = registerDiskUsage(register, { registry, audit, extensionUri: context.extensionUri });
  let confirm: ConfirmPrune = modalConfirmation;
  let askEnvironmentName: AskEnvironmentName = environmentNameInput;
  let confirmBuildCache: ConfirmBuildCachePrune = modalBuildCacheConfirmation;
  const flowDeps: PruneFlowDeps = { service, planViews, notifier, log, confirm: () => confirm, askEnvironmentName: () => askEnvironmentName };
  const buildCacheDeps: BuildCacheCommandDeps = {
    registry,
    notifier,
    log,
    service,
    confirm: () => confirmBuildCache,
    askEnvironmentName: () => askEnvironmentName,
    planViews: buildCachePlanViews,
  };

  context.subscriptions.push(
    log,
    registry,
    service,
    planViews,
    buildCachePlanViews,
    tree,
    statusBar,
    scheduler,
    ...registerCommands(register, { ...flowDeps, registry, tree, audit }),
    ...registerBuildCacheCommands(register, buildCacheDeps),
    ...diskUsage.disposables,
  );
  void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, false);
  void statusBar.reconfigure();
  scheduler.evaluate();

  const activationMs = performance.now() - started;
  log.info(`Docker Prune ${context.extension.packageJSON.version} activated in ${activationMs.toFixed(1)} ms`);
  if (!results) return {};
  return {
    testing: {
      setConfirmation: (fn) => (confirm = fn ?? modalConfirmation),
      setEnvironmentNameAnswer: (fn) => (askEnvironmentName = fn ?? environmentNameInput),
      setBuildCacheConfirmation: (fn) => (confirmBuildCache = fn ?? modalBuildCacheConfirmation),
      tree,
      planView: { ...planViews.handle, buildCache: buildCachePlanViews.handle },
      statusBar: statusBar.item,
      registry,
      scheduler,
      auditFile: () => audit.filePath,
      diskUsage: (environmentId) => diskUsage.panels.probe(environmentId),
      lastResult: (commandId) => results.last(commandId),
      logUri: context.logUri,
      activationMs,
    },
  };
}

/**
 * The window closes or reloads: a prune still running gets its end record now (`interrupted: VS Code window closed
 * or reloaded`, with what it had done) and is asked to stop; this returns within about a second. Everything else is
 * in context.subscriptions.
 */
export function deactivate(): Promise<void> | undefined {
  return activeService?.shutdown(WINDOW_CLOSED);
}
