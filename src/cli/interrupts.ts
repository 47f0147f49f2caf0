/**
 * Signals while prunes run, so that none ends without a record of how it ended:
 * - the first Ctrl-C asks every prune to stop after the image it is on (its end record says `cancelled`);
 * - a second Ctrl-C writes each running prune's end record at once — `interrupted by a second Ctrl-C`, with what was
 *   done so far, synchronously — and exits 130;
 * - SIGTERM (a cron job's time limit, `kill`) and SIGHUP (the terminal went away) do the same at once (143, 129).
 */
import type { RunningPrune } from '../core/audit';

const QUIT: Partial<Record<NodeJS.Signals, { code: number; reason: string }>> = {
  SIGTERM: { code: 143, reason: 'interrupted by SIGTERM' },
  SIGHUP: { code: 129, reason: 'interrupted by SIGHUP (the terminal closed)' },
};

const SECOND_CTRL_C = 'interrupted by a second Ctrl-C';

export class PruneInterrupts {
  private readonly controller = new AbortController();
  private readonly running = new Set<RunningPrune>();

  constructor(
    private readonly warn: (message: string) => void,
    private readonly exit: (code: number) => never = process.exit,
  ) {}

  /** For runPrune's `signal`: aborted by the first Ctrl-C. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** For runPrune's `onStart`. */
  readonly track = (prune: RunningPrune): void => {
    this.running.add(prune);
  };

  /** Listens for the signals until the returned function is called. */
  install(): () => void {
    const onInt = () => {
      if (this.controller.signal.aborted) return this.quit(130, SECOND_CTRL_C);
      this.warn('\nStopping after the current image… (Ctrl-C again to quit at once)');
      this.controller.abort();
    };
    const others = Object.entries(QUIT).map(([signal, { code, reason }]) => [signal, () => this.quit(code, reason)] as const);
    process.on('SIGINT', onInt);
    for (const [signal, handler] of others) process.on(signal, handler);
    return () => {
      process.off('SIGINT', onInt);
      for (const [signal, handler] of others) process.off(signal, handler);
    };
  }

  private quit(code: number, reason: string): never {
    // interrupt() does nothing for a prune that already ended: its own end record is (being) written.
    for (const prune of this.running) prune.interrupt(reason);
    this.warn(`\nQuitting: ${reason}. The audit file records what was done so far.`);
    return this.exit(code);
  }
}
