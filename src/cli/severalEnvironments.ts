/**
 * `plan` / `prune` over several environments at once (`--all-envs`, several `--env`/`--context`): each is read and
 * planned side by side within its time limit, a failing or hung one reported alone; a prune asks once for all of
 * them, with the question and the signal handling of one environment's (pruneCommand.ts).
 */
import type { AuditLog } from '../core/audit';
import { redactHost } from '../core/engine/endpoint';
import { closeEndpoint, forEachEnvironment, openEnvironment, type EnvironmentDescriptor, type EnvironmentOutcome } from '../core/environments';
import { runPrune, type Preview, type PruneOutcome } from '../core/execute/pruneJob';
import { LastUseTracker } from '../core/lastUsed/lastUseTracker';
import type { ImageDetailsStore } from '../core/snapshot/detailsCache';
import { SnapshotReader } from '../core/snapshot/snapshotReader';
import type { CliOptions } from './args';
import { engineTimeouts } from './environments';
import { EXIT_FAILED, EXIT_OK } from './exitCodes';
import type { CliIo } from './io';
import { previewFor } from './preview';
import { askToPrune, confirmProtected, pruneRefusal, withInterrupts } from './pruneCommand';
import { imagePruneQuestion, planJson, planText, resultJson, resultText } from './render';

interface Planned {
  readonly engine: ReturnType<typeof openEnvironment>;
  readonly reader: SnapshotReader;
  readonly preview: Preview;
}

/** `plan` / `prune` over several environments at once; one report per environment. Returns the exit code. */
export async function runAcrossEnvironments(
  environments: readonly EnvironmentDescriptor[],
  opts: CliOptions,
  io: CliIo,
  deps: { audit: AuditLog; store?: ImageDetailsStore },
): Promise<number> {
  const say = io.say;
  if (environments.length === 0) {
    io.error('no environments found.');
    return EXIT_FAILED;
  }
  const planned = await forEachEnvironment<Planned>(
    environments,
    async ({ environment, signal }) => {
      const engine = openEnvironment(environment, engineTimeouts(opts));
      // At the time limit, drop its connections so nothing keeps waiting on a hung engine.
      signal.addEventListener('abort', () => closeEndpoint(engine.endpoint), { once: true });
      const lastUse = new LastUseTracker(engine, { warn: (m) => io.warning(`${environment.name}: ${m}`) });
      const reader = new SnapshotReader(engine, { ...(deps.store ? { store: deps.store } : {}), lastUse });
      return { engine, reader, preview: await previewFor(reader, engine, opts) };
    },
    { concurrency: 4, timeoutMs: opts.envTimeoutMs },
  );
  try {
    if (opts.command === 'plan') {
      if (opts.json) say(JSON.stringify({ environments: planned.map((o) => planEntry(o)), spaceReclaimable: totalBytes(planned) }));
      else for (const o of planned) say(planSection(o, opts));
      return planned.every((o) => o.ok) ? EXIT_OK : EXIT_FAILED;
    }

    // prune: decide per environment, then prune the accepted ones concurrently.
    if (!opts.json) for (const o of planned) say(planSection(o, opts));
    const refused = new Map<string, string>();
    for (const o of planned) {
      if (!o.ok) continue;
      const why = pruneRefusal(o.environment) ?? (await confirmProtected(o.environment, opts, io));
      if (why) refused.set(o.environment.id, why);
    }
    const toPrune = planned.filter((o): o is Extract<EnvironmentOutcome<Planned>, { ok: true }> => o.ok && !refused.has(o.environment.id));
    const withWork = toPrune.filter((o) => o.value.preview.plan.items.length + (o.value.preview.plan.containers?.length ?? 0) > 0);
    if (withWork.length > 0) {
      const bytes = withWork.reduce((s, o) => s + o.value.preview.plan.spaceReclaimable, 0);
      const where = withWork.map((o) => o.environment.name).join(', ');
      const containers = withWork.reduce((s, o) => s + (o.value.preview.plan.containers?.length ?? 0), 0);
      const question = imagePruneQuestion(opts, where, bytes, undefined, containers);
      const stop = await askToPrune(io, { yes: opts.yes, planCommand: 'docker-prune plan', question });
      if (stop !== undefined) return stop;
    }
    // First Ctrl-C: every prune stops after its current image. Second: each records that it was interrupted, exit 130.
    const pruned = await withInterrupts(io, (interrupts) =>
      forEachEnvironment<PruneOutcome>(
        toPrune.map((o) => o.environment),
        async ({ environment }) => {
          const p = toPrune.find((o) => o.environment.id === environment.id)!.value;
          return runPrune({
            engine: p.engine,
            policy: opts.policy,
            trigger: 'cli',
            native: opts.native,
            confirmed: p.preview,
            reader: p.reader,
            audit: deps.audit,
            // Each was confirmed above (a protected one by its name), or its plan removes nothing.
            nameConfirmed: true,
            signal: interrupts.signal,
            onStart: interrupts.track,
          });
        },
        { concurrency: 4, timeoutMs: 0 },
      ),
    );
    const byId = new Map(pruned.map((o) => [o.environment.id, o]));
    if (opts.json) {
      say(
        JSON.stringify({
          environments: planned.map((o) => {
            const base = { id: o.environment.id, name: o.environment.name, host: redactHost(o.environment.endpoint.host) };
            if (!o.ok) return { ...base, ok: false, error: { kind: o.error.kind, message: o.error.message } };
            const why = refused.get(o.environment.id);
            if (why) return { ...base, ok: false, error: { kind: 'refused', message: why } };
            const r = byId.get(o.environment.id)!;
            if (!r.ok) return { ...base, ok: false, error: { kind: r.error.kind, message: r.error.message } };
            return { ...base, ok: true, ...JSON.parse(resultJson(r.value.result)) };
          }),
          SpaceReclaimed: pruned.reduce((s, o) => s + (o.ok ? o.value.result.SpaceReclaimed : 0), 0),
        }),
      );
    } else {
      for (const o of planned) {
        say(`\n== ${o.environment.name}: prune ==`);
        if (!o.ok) say(`failed: ${o.error.message}`);
        else if (refused.has(o.environment.id)) say(`refused: ${refused.get(o.environment.id)}`);
        else {
          const r = byId.get(o.environment.id)!;
          say(r.ok ? resultText(r.value.result) : `failed: ${r.error.message}`);
        }
      }
    }
    const allOk = planned.every((o) => o.ok) && refused.size === 0 && pruned.every((o) => o.ok && !o.value.result.cancelled);
    return allOk ? EXIT_OK : EXIT_FAILED;
  } finally {
    for (const o of planned) if (o.ok) closeEndpoint(o.value.engine.endpoint);
  }
}

function planEntry(o: EnvironmentOutcome<Planned>): Record<string, unknown> {
  const base = { id: o.environment.id, name: o.environment.name, host: redactHost(o.environment.endpoint.host), current: o.environment.current === true };
  if (!o.ok) return { ...base, ok: false, error: { kind: o.error.kind, message: o.error.message } };
  return { ...base, ok: true, ...JSON.parse(planJson(o.value.preview)) };
}

function planSection(o: EnvironmentOutcome<Planned>, opts: CliOptions): string {
  const flags = [o.environment.current && 'current', o.environment.readOnly && 'read-only', o.environment.protected && 'protected'].filter(Boolean);
  const head = `== ${o.environment.name} (${redactHost(o.environment.endpoint.host)})${flags.length ? ` [${flags.join(', ')}]` : ''} ==`;
  if (!o.ok) return `${head}\nfailed: ${o.error.message}\n`;
  return `${head}\n${planText(o.value.preview, opts.native)}\n`;
}

function totalBytes(outcomes: ReadonlyArray<EnvironmentOutcome<Planned>>): number {
  return outcomes.reduce((s, o) => s + (o.ok ? o.value.preview.plan.spaceReclaimable : 0), 0);
}
