/** The CLI's exit codes, in one place (docs/cli.md lists them; the interrupt codes are in interrupts.ts). */
import { DockerPruneError } from '../core/errors';

/** Done (a plan printed, a prune carried out, nothing to do). */
export const EXIT_OK = 0;
/** Failed: an engine unreachable or erring, a prune cancelled or declined, an environment of several failing. */
export const EXIT_FAILED = 1;
/** Bad usage or input, or refused: unknown options, invalid filters, a read-only or unconfirmed environment. */
export const EXIT_USAGE = 2;

/** The exit code for an error that ended a command: bad input is a usage error, anything else a failure. */
export function exitCodeFor(e: unknown): number {
  return e instanceof DockerPruneError && e.kind === 'invalid-input' ? EXIT_USAGE : EXIT_FAILED;
}
