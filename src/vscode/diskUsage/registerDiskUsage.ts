/**
 * "Show Disk Usage": from an environment's context menu in the tree, the view's title bar or the palette (then it
 * asks which environment when there are several). Its run yields the panel's probe, which the tests' seam keeps.
 */
import * as vscode from 'vscode';
import type { AuditLocation } from '../audit/auditLocation';
import type { RegisterCommand } from '../commands/commandRegistrar';
import { pickEnvironment, sessionOf } from '../commands/target';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import { DiskUsagePanels, type DiskUsageProbe } from './diskUsagePanel';

const SHOW_DISK_USAGE = 'dockerPrune.showDiskUsage';

export interface DiskUsageDeps {
  readonly registry: EnvironmentRegistry;
  readonly audit: AuditLocation;
  readonly extensionUri: vscode.Uri;
}

export interface DiskUsageRegistration {
  readonly disposables: vscode.Disposable[];
  /** The open panels (for the tests' seam). */
  readonly panels: DiskUsagePanels;
}

export function registerDiskUsage(register: RegisterCommand, deps: DiskUsageDeps): DiskUsageRegistration {
  const panels = new DiskUsagePanels(deps.extensionUri, deps.audit, deps.registry);
  const command = register(SHOW_DISK_USAGE, async (arg: unknown): Promise<DiskUsageProbe | undefined> => {
    const session = (await sessionOf(arg, deps.registry)) ?? (await pickEnvironment(deps.registry, 'all', vscode.l10n.t('Show Disk Usage')));
    if (!session) return undefined;
    return panels.show(session).probe();
  });
  return { disposables: [panels, command], panels };
}
