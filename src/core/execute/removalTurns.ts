/**
 * Turns for a plan's removals when the engine gets one at a time (DELETE_WIDTH 1): each step takes a turn when it
 * starts, checks what it must check, then waits for its turn before its first removal and keeps it to its end. So
 * the next step's checks run while this one removes, and the removals still go one at a time in the order the steps
 * started (Podman's plan order is the order libimage removes in).
 */
export class RemovalTurns {
  private last: Promise<void> = Promise.resolve();

  /** A turn after every turn taken before it: `ready` once they have all ended; `end` must be called exactly once. */
  take(): { readonly ready: Promise<void>; end(): void } {
    const ready = this.last;
    let end!: () => void;
    this.last = new Promise<void>((resolve) => (end = resolve));
    return { ready, end };
  }
}
