/**
 * Pruners as cron runs them, for the soak test: each a loop running the built CLI (`docker-prune prune … --yes`)
 * again and again with a short random pause, until stopped. Several loops on one engine meet through its prune
 * lock: a run that finds another prune under way is refused (exit 1, audited) and simply tried again later.
 */
import type { BuiltCli, CliRun } from '../../support/builtCli';

export interface PrunerTally {
  readonly args: readonly string[];
  runs: number;
  /** Refused by the engine lock (another prune was under way). */
  refused: number;
  /** Runs that ended any other way than done or refused, with their stderr. */
  failures: string[];
}

const REFUSED = /Another prune is already running on this engine/;

export class CliPruners {
  readonly tallies: PrunerTally[];
  private stopped = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly cli: BuiltCli,
    modes: ReadonlyArray<readonly string[]>,
    private readonly random: () => number,
    private readonly maxPauseMs = 3_000,
  ) {
    this.tallies = modes.map((args) => ({ args, runs: 0, refused: 0, failures: [] }));
  }

  start(): void {
    this.loops = this.tallies.map((t) => this.loop(t));
  }

  /** Waits for every run under way to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(tally: PrunerTally): Promise<void> {
    while (!this.stopped) {
      const run: CliRun = await this.cli.start(['prune', ...tally.args, '--yes']);
      tally.runs++;
      if (run.status === 1 && REFUSED.test(run.stderr)) tally.refused++;
      else if (run.status !== 0) tally.failures.push(`docker-prune prune ${tally.args.join(' ')} --yes: exit ${run.status}: ${run.stderr.trim()}`);
      await new Promise((res) => setTimeout(res, this.maxPauseMs * this.random()));
    }
  }
}
