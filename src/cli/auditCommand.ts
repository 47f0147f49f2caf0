/**
 * `docker-prune audit`: the recent prunes in the audit file, one entry each (start, checkpoints and end paired),
 * with how each ended. An interrupted prune — killed, or stopped by a second Ctrl-C — is flagged, with what its
 * records say went and, when its engine can be reached (the engine chosen as for `plan`: -H, --context, --env,
 * --all-envs), which of its planned deletions the engine no longer has.
 */
import { AuditLog, checkAgainstEngine, historyLines, pruneHistory, readNotes, ranOn, type EngineFinding, type PruneEntry } from '../core/audit';
import { closeEndpoint, forEachEnvironment, openEnvironment } from '../core/environments';
import { errorMessage } from '../core/errors';
import { normalizeImageId } from '../core/snapshot/records';
import { DEFAULT_AUDIT_LIMIT, DEFAULT_ENV_TIMEOUT_MS, type CliOptions } from './args';
import { chooseEnvironments } from './environments';
import { EXIT_OK } from './exitCodes';
import type { CliIo } from './io';

/** The engine check's own time limit unless --env-timeout says otherwise: a report should not hang on a dead host. */
const CHECK_TIMEOUT_MS = 15_000;

interface EngineImages {
  readonly engineId: string;
  readonly label: string;
  readonly ids: ReadonlySet<string>;
}

export async function runAuditCommand(opts: CliOptions, auditFile: string, io: CliIo): Promise<number> {
  const { say } = io;
  const read = await new AuditLog(auditFile).read();
  const { records, corruptLines } = read;
  for (const note of readNotes(read, auditFile)) io.warning(note);
  const all = pruneHistory(records);
  const shown = all.slice(-(opts.limit ?? DEFAULT_AUDIT_LIMIT));
  const findings = await checkInterrupted(shown, opts);

  if (opts.json) {
    say(
      JSON.stringify({
        file: auditFile,
        corruptLines,
        corruptLineNumbers: read.corruptLineNumbers,
        ...(read.newerFormat ? { newerFormat: read.newerFormat } : {}),
        total: all.length,
        prunes: shown.map((e) => entryJson(e, findings.get(e))),
      }),
    );
    return EXIT_OK;
  }
  if (all.length === 0) {
    say(`No prunes recorded in ${auditFile}.`);
    return EXIT_OK;
  }
  say(`Prunes recorded in ${auditFile} (${shown.length < all.length ? `the last ${shown.length} of ${all.length}` : all.length}, oldest first):`);
  for (const e of shown) say(historyLines(e, findings.get(e)).join('\n'));
  const interrupted = shown.filter((e) => e.status === 'interrupted').length;
  if (interrupted)
    say(`\n${interrupted} interrupted: ${interrupted === 1 ? 'it' : 'they'} stopped before ${interrupted === 1 ? 'its' : 'their'} end; see what went above.`);
  return EXIT_OK;
}

/** For each interrupted (or still running) prune with a plan, what its engine shows — or why that is not known. */
async function checkInterrupted(entries: readonly PruneEntry[], opts: CliOptions): Promise<Map<PruneEntry, EngineFinding>> {
  const findings = new Map<PruneEntry, EngineFinding>();
  const wanted = entries.filter((e) => (e.status === 'interrupted' || e.status === 'running') && e.steps);
  if (wanted.length === 0) return findings;
  let engines: EngineImages[];
  const problems: string[] = [];
  try {
    const choice = await chooseEnvironments(opts);
    const outcomes = await forEachEnvironment(
      choice.environments,
      async ({ environment, signal }) => {
        const engine = openEnvironment(environment);
        signal.addEventListener('abort', () => closeEndpoint(engine.endpoint), { once: true });
        try {
          const profile = await engine.profile();
          const ids = new Set((await engine.listImages()).map((i) => normalizeImageId(i.Id)));
          return { engineId: profile.engineId, label: engine.endpoint.label, ids };
        } finally {
          closeEndpoint(engine.endpoint);
        }
      },
      { concurrency: 4, timeoutMs: opts.envTimeoutMs === DEFAULT_ENV_TIMEOUT_MS ? CHECK_TIMEOUT_MS : opts.envTimeoutMs },
    );
    engines = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
    for (const o of outcomes) if (!o.ok) problems.push(`${o.environment.name}: ${o.error.message}`);
  } catch (e) {
    engines = [];
    problems.push(errorMessage(e));
  }
  for (const entry of wanted) {
    const engine = engines.find((g) => ranOn(entry, g));
    const check = engine && checkAgainstEngine(entry, engine.ids);
    if (engine && check) findings.set(entry, { engine: engine.label, check });
    else if (engine) findings.set(entry, { problem: 'a build-cache prune: its records are not compared with the engine' });
    else
      findings.set(entry, {
        problem: problems.length
          ? problems.join('; ')
          : `its engine${entry.engineId ? ` (${entry.engineId})` : ''} is not the one asked (use -H, --context, --env or --all-envs)`,
      });
  }
  return findings;
}

function entryJson(e: PruneEntry, finding: EngineFinding | undefined): Record<string, unknown> {
  const unfinished = e.status === 'interrupted' || e.status === 'running';
  return {
    pruneId: e.pruneId,
    status: e.status,
    reason: e.reason,
    error: e.error,
    started: e.started,
    ended: e.ended,
    durationMs: e.durationMs,
    environment: e.environment,
    engineId: e.engineId,
    trigger: e.trigger,
    mode: e.mode,
    ...(e.target ? { target: e.target } : {}),
    native: e.native,
    user: e.user,
    host: e.host,
    pid: e.pid,
    plan: e.plan,
    result: e.result,
    recorded: {
      done: e.recorded.done.length,
      skipped: e.recorded.skipped.length,
      bytes: e.recorded.bytes,
      checkpoints: e.recorded.checkpoints,
      // The ids only where they matter: what an unfinished prune is known to have done.
      ...(unfinished ? { doneIds: e.recorded.done, skippedIds: e.recorded.skipped } : {}),
    },
    ...(unfinished && e.steps ? { plannedIds: e.steps.map((s) => s.id) } : {}),
    ...(finding
      ? {
          engine:
            'check' in finding
              ? {
                  checked: true,
                  endpoint: finding.engine,
                  gone: finding.check.gone,
                  present: finding.check.present.length,
                  goneUnrecorded: finding.check.goneUnrecorded.length,
                }
              : { checked: false, problem: finding.problem },
        }
      : {}),
  };
}
