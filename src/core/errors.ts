/**
 * Errors the core raises. Each says what failed, where, and what to do; `kind` lets callers
 * (CLI exit codes, the extension's messages) react without parsing text.
 */
export type ErrorKind =
  /** The user's input (filter, setting, host, flag) is not valid. Nothing was attempted. */
  | 'invalid-input'
  /** The engine could not be reached: socket missing, connection refused, host unknown. */
  | 'unreachable'
  /** The socket or endpoint exists but we may not use it. */
  | 'permission-denied'
  /** The engine did not answer in time. */
  | 'timeout'
  /** The engine answered with an error status. */
  | 'api'
  /** Another prune is already running on this environment. */
  | 'busy'
  /** The operation was cancelled by the user. */
  | 'cancelled';

export class DockerPruneError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: {
      readonly endpoint?: string;
      readonly status?: number;
      readonly cause?: unknown;
      /** The engine's state changed since the preview (a name moved or was added): what was planned no longer holds. */
      readonly changed?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'DockerPruneError';
  }
}

export class InvalidInputError extends DockerPruneError {
  constructor(message: string) {
    super('invalid-input', message);
    this.name = 'InvalidInputError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether the engine answered 404: the image or container asked about is not there (gone meanwhile). */
export function isNotFound(e: unknown): boolean {
  return (e as { details?: { status?: number } } | undefined)?.details?.status === 404;
}
