/**
 * "Show Disk Usage": from an environment's context menu in the tree, the view's title bar or the palette (then it
 * asks which environment when there are several). The command returns what the tests look at: the panel's probe.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { AuditLocation } from '../audit/auditLocation';
import { pickEnvironment, sessionOf } from '../commands/target';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { Notifier } from '../notifier';
import { DiskUsagePanels, type DiskUsageProbe } from './diskUsagePanel';

const SHOW_DISK_USAGE = 'dockerPrune.showDiskUsage';

export interface DiskUsageDeps {
  readonly registry: EnvironmentRegistry;
  readonly audit: AuditLocation;
  readonly notifier: Notifier;
  readonly extensionUri: vscode.Uri;
}

export interface DiskUsageRegistration {
  readonly disposables: vscode.Disposable[];
  /** The open panels (for the tests' seam). */
  readonly panels: DiskUsagePanels;
}

export function registerDiskUsage(deps: DiskUsageDeps): DiskUsageRegistration {
  const panels = new DiskUsagePanels(deps.extensionUri, deps.audit, deps.registry);
  const command = vscode.commands.registerCommand(SHOW_DISK_USAGE, async (arg: unknown): Promise<DiskUsageProbe | undefined> => {
    try {
      const session = (await sessionOf(arg, deps.registry)) ?? (await pickEnvironment(deps.registry, 'all', vscode.l10n.t('Show Disk Usage')));
      if (!session) return undefined;
      return panels.show(session).probe();
    } catch (e) {
      void deps.notifier.error(errorMessage(e));
      return undefined;
    }
  });
  return { disposables: [panels, command], panels };
}
