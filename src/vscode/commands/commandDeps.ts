/** What the command handlers are given: the prune flow's parts, the environments, the tree and the audit file. */
import type { AuditLocation } from '../audit/auditLocation';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentsTree } from '../tree/environmentsTree';
import type { PruneFlowDeps } from './pruneFlow';

export interface CommandDeps extends PruneFlowDeps {
  readonly registry: EnvironmentRegistry;
  readonly tree: EnvironmentsTree;
  readonly audit: AuditLocation;
}
