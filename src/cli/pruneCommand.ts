/**
 * The one run of a `plan` or `prune` command on one environment, for images and the build cache alike: the refusal
 * of a read-only environment, the preview (a failed one still audited for `prune`), the plan as text or JSON, the
 * protected-name check, the terminal check and the question, the signal handling while it runs, the result and the
 * exit code. What differs between kinds of prune is in the spec; several environments at once
 * (environments.ts) share the question and the signal handling below.
 */
import type { RunningPrune } from '../core/audit';
import { errorMessage } from '../core/errors';
import { formatBytes } from '../core/format/units';
import { readOnlyRefusal, type EnvironmentDescriptor } from '../core/environments';
import type { CliOptions } from './args';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitCodeFor } from './exitCodes';
import { PruneInterrupts } from './interrupts';
import type { CliIo } from './io';

/** What a run needs to steer a prune: the first Ctrl-C aborts `signal`; `onStart` lets a second one end it recorded. */
export interface PruneControls {
  /** The protected-name check passed (or the environment is not protected): see PruneJobRequest.nameConfirmed. */
  readonly nameConfirmed: true;
  readonly signal: AbortSignal;
  readonly onStart: (prune: RunningPrune) => void;
  readonly onProgress?: (p: { done: number; total: number; bytes: number }) => void;
}

export interface PruneCommandSpec<P, O> {
  readonly command: 'plan' | 'prune';
  readonly target: EnvironmentDescriptor;
  /** The options that decide how it runs. */
  readonly options: { readonly json: boolean; readonly yes: boolean; readonly confirm: readonly string[] };
  /** The command that shows the plan, named when a prune is refused off a terminal (`docker-prune plan`). */
  readonly planCommand: string;
  /** What is counted as the prune goes (`images`, `records`). */
  readonly unit: string;
  preview(): Promise<P>;
  /** Records a prune whose preview failed in the audit, then the error is reported. */
  auditFailedPreview(error: unknown, elapsedMs: number): Promise<void>;
  planText(preview: P): string;
  planJson(preview: P): string;
  /** Warnings about the plan: for `plan` only in text, for `prune` always. */
  warnings(preview: P, command: 'plan' | 'prune'): readonly string[];
  /** How many steps the prune would take: with none, nothing is asked. */
  steps(preview: P): number;
  /** The question before a prune, when there is something to remove. */
  question(preview: P): string;
  run(preview: P, controls: PruneControls): Promise<O>;
  resultText(outcome: O): string;
  resultJson(outcome: O): string;
  cancelled(outcome: O): boolean;
  /** What an error that stopped the prune part-way says was done (the images' PruneInterruptedError), to print. */
  partial?(error: unknown): { readonly text: string; readonly json: string } | undefined;
}

/** Runs `spec` on its environment; returns the exit code. The caller opens and closes the engine. */
export async function runPruneCommand<P, O>(io: CliIo, spec: PruneCommandSpec<P, O>): Promise<number> {
  const { json } = spec.options;
  try {
    const refusal = spec.command === 'prune' ? pruneRefusal(spec.target) : undefined;
    if (refusal) {
      io.error(refusal);
      return EXIT_USAGE;
    }
    const started = Date.now();
    let preview: P;
    try {
      preview = await spec.preview();
    } catch (e) {
      if (spec.command === 'prune') await spec.auditFailedPreview(e, Date.now() - started);
      throw e;
    }

    if (spec.command === 'plan') {
      io.say(json ? spec.planJson(preview) : spec.planText(preview));
      if (!json) for (const w of spec.warnings(preview, 'plan')) io.warning(w);
      return EXIT_OK;
    }

    if (!json) io.say(spec.planText(preview));
    for (const w of spec.warnings(preview, 'prune')) io.warning(w);
    // A protected environment's name is asked even for an empty plan: a native prune removes what is prunable when
    // it runs, which may be more than the preview showed.
    if (spec.steps(preview) > 0 || spec.target.protected) {
      const notConfirmed = await confirmProtected(spec.target, spec.options, io);
      if (notConfirmed) {
        io.error(notConfirmed);
        return EXIT_USAGE;
      }
    }
    if (spec.steps(preview) > 0) {
      const stop = await askToPrune(io, { yes: spec.options.yes, planCommand: spec.planCommand, question: spec.question(preview) });
      if (stop !== undefined) return stop;
    }
    const outcome = await withInterrupts(io, (interrupts) =>
      spec.run(preview, {
        nameConfirmed: true,
        signal: interrupts.signal,
        onStart: interrupts.track,
        onProgress: json ? undefined : (p) => io.progress(`${p.done}/${p.total} ${spec.unit}, ${formatBytes(p.bytes)} reclaimed`, p.done === p.total),
      }),
    );
    io.say(json ? spec.resultJson(outcome) : spec.resultText(outcome));
    return spec.cancelled(outcome) ? EXIT_FAILED : EXIT_OK;
  } catch (e) {
    const partial = spec.partial?.(e);
    if (partial) io.say(json ? partial.json : partial.text);
    io.error(errorMessage(e));
    return exitCodeFor(e);
  }
}

/**
 * Before a prune: without `--yes`, refuses off a terminal (exit 2) and otherwise asks; a "no" ends it (exit 1).
 * Returns undefined to go on, else the exit code, with the reason said.
 */
export async function askToPrune(
  io: CliIo,
  ask: { readonly yes: boolean; readonly planCommand: string; readonly question: string },
): Promise<number | undefined> {
  if (ask.yes) return undefined;
  if (!io.interactive) {
    io.error(`refusing to prune without confirmation: not on a terminal. Add --yes (after checking "${ask.planCommand}").`);
    return EXIT_USAGE;
  }
  if (await io.confirm(ask.question)) return undefined;
  io.warn('Nothing was removed.');
  return EXIT_FAILED;
}

/** Runs `fn` with Ctrl-C, SIGTERM and SIGHUP handled (interrupts.ts): no prune ends without its end record. */
export async function withInterrupts<T>(io: CliIo, fn: (interrupts: PruneInterrupts) => Promise<T>): Promise<T> {
  const interrupts = new PruneInterrupts(io.warn);
  const uninstall = interrupts.install();
  try {
    return await fn(interrupts);
  } finally {
    uninstall();
  }
}

/**
 * Why a prune may not run on this environment, or undefined. Read-only: never. Protected: only when its name
 * was given with --confirm, or typed at the prompt (see confirmProtected).
 */
export function pruneRefusal(e: EnvironmentDescriptor): string | undefined {
  if (e.readOnly) return readOnlyRefusal(e.name);
  return undefined;
}

/** Protected environments need their name typed: from --confirm NAME, or at the terminal. */
export async function confirmProtected(e: EnvironmentDescriptor, opts: Pick<CliOptions, 'confirm'>, io: CliIo): Promise<string | undefined> {
  if (!e.protected) return undefined;
  if (opts.confirm.includes(e.name)) return undefined;
  if (!io.interactive) return `${e.name} is protected: add --confirm "${e.name}" to prune it without a terminal.`;
  const typed = await io.ask(`${e.name} is protected. Type its name to prune it: `);
  return typed === e.name ? undefined : `${e.name} is protected and its name was not typed: nothing was removed there.`;
}
