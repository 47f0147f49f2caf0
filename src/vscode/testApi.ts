/**
 * What `activate()` returns when VS Code runs the extension for its tests (ExtensionMode.Test), and only
 * then. Two seams — the modal confirmation and, for a protected environment, the input box where the user
 * types its name; neither can be answered from inside the extension host — and read-only handles on the
 * real objects so the suites can look at what a user would see.
 */
import type * as vscode from 'vscode';
import type { EnvironmentRegistry } from './environments/environmentRegistry';
import type { ConfirmBuildCachePrune } from './buildCache/buildCacheConfirmation';
import type { DiskUsageProbe } from './diskUsage/diskUsagePanel';
import type { AskEnvironmentName, ConfirmPrune } from './prune/confirmation';
import type { AutoPruneScheduler } from './scheduler/autoPruneScheduler';
import type { EnvironmentsTree } from './tree/environmentsTree';
import type { BuildCachePlanViewHandle } from './planView/buildCachePlanViews';
import type { PlanViewHandle } from './planView/planViews';

export interface DockerPruneTestApi {
  /** Replaces the modal confirmation for the next prunes; `undefined` restores the real modal. */
  setConfirmation(confirm: ConfirmPrune | undefined): void;
  /** Replaces the typed-name input box of a protected environment (the flow still compares the name); `undefined` restores it. */
  setEnvironmentNameAnswer(ask: AskEnvironmentName | undefined): void;
  /** Replaces the build-cache prune's modal confirmation; `undefined` restores the real modal. */
  setBuildCacheConfirmation(confirm: ConfirmBuildCachePrune | undefined): void;
  /** The tree's real data provider (read its children and items). */
  readonly tree: EnvironmentsTree;
  /**
   * The plan view shown last: post what its page would post (toggle, sort, remove…) and read what it shows;
   * `buildCache`: the build-cache plan shown last, the same way.
   */
  readonly planView: PlanViewHandle & { readonly buildCache: BuildCachePlanViewHandle };
  /** The real status bar item (read its text and tooltip). */
  readonly statusBar: vscode.StatusBarItem;
  readonly registry: EnvironmentRegistry;
  readonly scheduler: AutoPruneScheduler;
  /** The disk-usage panel of an environment (by id; default the last opened): the state last posted to its page, what the page drew. */
  diskUsage(environmentId?: string): DiskUsageProbe | undefined;
  /**
   * What the last finished run of a command produced (the commands themselves return nothing): a prune's
   * `PruneFlowResult`, a build-cache prune's `BuildCacheFlowResult`, the number of prunes Cancel asked to stop,
   * the disk-usage panel's probe, the audit log's summary; `undefined` when the run failed.
   */
  lastResult(commandId: string): unknown;
  /** The audit file the next prune appends to. */
  auditFile(): string;
  /** The extension's log folder (the "Docker Prune" output channel's file is in it). */
  readonly logUri: vscode.Uri;
  /** Milliseconds `activate()` took. */
  readonly activationMs: number;
}

export interface DockerPruneApi {
  readonly testing?: DockerPruneTestApi;
}
