/**
 * "Show Audit Log": the recent prunes in the audit file — the CLI's from cron as well as this window's — written to
 * the Docker Prune output channel, one entry each (core/audit/pruneHistory.ts). An interrupted prune is flagged,
 * with what its records say went and, when one of the connected environments is its engine, which of its planned
 * deletions that engine no longer has.
 */
import type * as vscode from 'vscode';
import { checkAgainstEngine, historyLines, pruneHistory, ranOn, readNotes, type EngineFinding, type PruneEntry } from '../../core/audit';
import { errorMessage } from '../../core/errors';
import { normalizeImageId } from '../../core/snapshot/records';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { AuditLocation } from './auditLocation';

/** How many of the most recent prunes are shown. */
const HISTORY_LIMIT = 20;
/** An engine that does not answer within this is left unchecked. */
const CHECK_TIMEOUT_MS = 5_000;

export interface HistorySummary {
  readonly file: string;
  readonly shown: readonly PruneEntry[];
  readonly total: number;
  readonly interrupted: number;
  readonly legacyFile?: string;
}

export async function logPruneHistory(audit: AuditLocation, registry: EnvironmentRegistry, log: vscode.LogOutputChannel): Promise<HistorySummary> {
  const file = audit.filePath;
  const read = await audit.log().read();
  const { records } = read;
  const all = pruneHistory(records);
  const shown = all.slice(-HISTORY_LIMIT);
  const findings = await checkInterrupted(shown, registry);
  const legacyFile = audit.legacyFile();
  log.info(
    all.length
      ? `Audit: ${shown.length < all.length ? `the last ${shown.length} of ${all.length}` : all.length} prune(s) recorded in ${file}, oldest first:`
      : `Audit: no prunes recorded in ${file} yet.`,
  );
  for (const e of shown) {
    const lines = historyLines(e, findings.get(e));
    for (const line of lines) {
      if (e.status === 'interrupted') log.warn(line);
      else log.info(line);
    }
  }
  for (const note of readNotes(read, file)) log.warn(`Audit: ${note}`);
  if (legacyFile) log.info(`Audit: prunes recorded before the audit file was shared with the CLI are in ${legacyFile} (left there, not moved).`);
  return { file, shown, total: all.length, interrupted: shown.filter((e) => e.status === 'interrupted').length, legacyFile };
}

async function checkInterrupted(entries: readonly PruneEntry[], registry: EnvironmentRegistry): Promise<Map<PruneEntry, EngineFinding>> {
  const findings = new Map<PruneEntry, EngineFinding>();
  const wanted = entries.filter((e) => (e.status === 'interrupted' || e.status === 'running') && e.steps);
  if (wanted.length === 0) return findings;
  const engines = (
    await Promise.all(
      registry.known
        .filter((s) => s.state.kind === 'ready')
        .map(async (s) => {
          const engine = s.engine();
          if (!engine) return undefined;
          try {
            return await within(CHECK_TIMEOUT_MS, async () => {
              const profile = await engine.profile();
              const ids = new Set((await engine.listImages()).map((i) => normalizeImageId(i.Id)));
              return { name: s.name, engineId: profile.engineId, label: engine.endpoint.label, ids };
            });
          } catch (e) {
            return { name: s.name, problem: errorMessage(e) };
          }
        }),
    )
  ).filter((x) => x !== undefined);
  for (const entry of wanted) {
    const engine = engines.find((g): g is Extract<typeof g, { ids: unknown }> => 'ids' in g && ranOn(entry, g));
    const check = engine && checkAgainstEngine(entry, engine.ids);
    if (engine && check) findings.set(entry, { engine: engine.name, check });
    else if (engine) findings.set(entry, { problem: 'a build-cache prune: its records are not compared with the engine' });
    else findings.set(entry, { problem: 'its engine is not among the connected environments' });
  }
  return findings;
}

function within<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([fn(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms)))]).finally(
    () => clearTimeout(timer),
  );
}
