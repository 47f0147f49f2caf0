/**
 * The refusals of a read-only environment and of a protected one whose name was not typed. The prune runner (execute/pruneRunner.ts) enforces it from the
 * engine's endpoint; the front ends check early only to say so before planning, with this same wording (the
 * extension's copy is this text through vscode.l10n, and test/unit/readOnly.test.ts keeps the two equal).
 */
import { DockerPruneError } from '../errors';

/** Why nothing is pruned on the environment `name`: it is configured `"readOnly": true`. */
export function readOnlyRefusal(name: string): string {
  return `${name} is read-only ("readOnly": true in its settings): nothing is pruned there.`;
}

/** A prune asked of a read-only environment: refused before the lock, nothing deleted (audit outcome `refused`). */
export class ReadOnlyEnvironmentError extends DockerPruneError {
  constructor(name: string, endpoint?: string) {
    super('invalid-input', readOnlyRefusal(name), { endpoint });
    this.name = 'ReadOnlyEnvironmentError';
  }
}

/** Why nothing is pruned on the protected environment `name` this time: its name was not typed to confirm. */
export function protectedRefusal(name: string): string {
  return `${name} is protected ("protected": true in its settings): a prune there needs its name typed to confirm (the CLI: at the prompt or with --confirm ${name}), and an unattended one is refused. Nothing was removed.`;
}

/**
 * A prune asked of a protected environment without its name typed (an auto-prune, a front end that did not ask):
 * refused before the lock, nothing deleted (audit outcome `refused`).
 */
export class ProtectedEnvironmentError extends DockerPruneError {
  constructor(name: string, endpoint?: string) {
    super('invalid-input', protectedRefusal(name), { endpoint });
    this.name = 'ProtectedEnvironmentError';
  }
}
