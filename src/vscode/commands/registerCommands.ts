/**
 * Every `dockerPrune.*` command of the tree and the palette, one line each, through the one registrar
 * (commandRegistrar.ts). The handlers live in files of their own (handlers/).
 */
import * as vscode from 'vscode';
import { parseFilterArgs } from '../../core/filters';
import type { PruneFilters, PruneMode } from '../../core/model';
import { modeTitle } from '../prune/describe';
import { openAuditFile, showAuditLog } from './handlers/auditCommands';
import { previewPrune, previewWatermarkPrune } from './handlers/previewCommands';
import { copyImageId, groupBy, protectImageRepository } from './handlers/treeCommands';
import type { CommandDeps } from './commandDeps';
import type { RegisterCommand } from './commandRegistrar';
import { pruneFlow, type PruneFlowResult } from './pruneFlow';
import { optionsOf, sessionOf, targetSession } from './target';

export function registerCommands(register: RegisterCommand, deps: CommandDeps): vscode.Disposable[] {
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
