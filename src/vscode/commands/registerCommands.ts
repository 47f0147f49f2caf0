/**
 * Every `dockerPrune.*` command, one line each, through one wrapper that shows a failure as an error notification
 * (with **Open Settings** when a setting is at fault). The handlers live in files of their own (handlers/).
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { parseFilterArgs } from '../../core/filters';
import type { PruneFilters, PruneMode } from '../../core/model';
import { modeTitle } from '../prune/describe';
import { SettingError } from '../settings/settingError';
import { openAuditFile, showAuditLog } from './handlers/auditCommands';
import { previewPrune, previewWatermarkPrune } from './handlers/previewCommands';
import { copyImageId, groupBy, protectImageRepository } from './handlers/treeCommands';
import type { CommandDeps } from './commandDeps';
import { pruneFlow, type PruneFlowResult } from './pruneFlow';
import { optionsOf, sessionOf, targetSession } from './target';

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const register = (id: string, handler: (arg: unknown) => unknown) =>
    vscode.commands.registerCommand(id, async (arg: unknown) => {
      try {
        return await handler(arg);
      } catch (e) {
        showFailure(deps, e);
        return undefined;
      }
    });

  return [
    register('dockerPrune.pruneDangling', (arg) => prune(deps, 'dangling', arg)),
    register('dockerPrune.pruneAll', (arg) => prune(deps, 'all', arg)),
    register('dockerPrune.preview', (arg) => previewPrune(deps, arg, filtersOf(arg))),
    register('dockerPrune.previewWatermark', (arg) => previewWatermarkPrune(deps, arg)),
    register('dockerPrune.refresh', (arg) => refresh(deps, arg)),
    register('dockerPrune.retry', (arg) => retry(deps, arg)),
    register('dockerPrune.showAuditLog', () => showAuditLog(deps)),
    register('dockerPrune.openAuditFile', () => openAuditFile(deps)),
    register('dockerPrune.cancelPrune', () => cancelPrunes(deps)),
    register('dockerPrune.copyImageId', (arg) => copyImageId(arg)),
    register('dockerPrune.protectRepository', (arg) => protectImageRepository(deps, arg)),
    register('dockerPrune.groupByRepository', () => groupBy('repository')),
    register('dockerPrune.groupByUsage', () => groupBy('usage')),
  ];
}

function showFailure(deps: CommandDeps, e: unknown): void {
  const open = vscode.l10n.t('Open Settings');
  const shown = deps.notifier.error(errorMessage(e), ...(e instanceof SettingError ? [open] : []));
  if (e instanceof SettingError) void shown.then((c) => c === open && vscode.commands.executeCommand('workbench.action.openSettings', e.setting));
}

const filtersOf = (arg: unknown): PruneFilters => parseFilterArgs(optionsOf(arg).filters ?? []);

/** Prune Dangling / Prune All Unused: on the node's environment (or the options'), else the one the user picks. */
async function prune(deps: CommandDeps, mode: PruneMode, arg: unknown): Promise<PruneFlowResult | undefined> {
  const filters = filtersOf(arg);
  const session = await targetSession(arg, deps.registry, mode, vscode.l10n.t('Prune {0}', modeTitle(mode)));
  if (!session) return undefined;
  return pruneFlow(deps, session, mode, filters);
}

async function refresh(deps: CommandDeps, arg: unknown): Promise<void> {
  const session = await sessionOf(arg, deps.registry);
  if (session) return session.refresh('refresh command');
  await deps.registry.rediscover();
  await Promise.all(deps.registry.known.map((s) => s.refresh('refresh command')));
  deps.tree.refresh();
}

async function retry(deps: CommandDeps, arg: unknown): Promise<void> {
  const session = await sessionOf(arg, deps.registry);
  if (session) return session.retry();
  await Promise.all(deps.registry.known.map((s) => s.retry()));
}

/** Asks every running prune to stop after its current step; returns how many were asked. */
function cancelPrunes(deps: CommandDeps): number {
  const n = deps.service.cancelAll();
  deps.log.info(n ? `Cancel requested for ${n} running prune(s): they stop after the current image.` : 'Cancel requested, but no prune is running.');
  return n;
}
