/** Prune history as text, for `docker-prune audit` and the extension's "Show Audit Log": a line per prune, more for interrupted ones. */
import { formatBytes } from '../format/units';
import type { EngineCheck, PruneEntry } from './pruneHistory';
import { displayText, MESSAGE_MAX_CHARS } from '../format/displayText';
import type { AuditReadResult } from './auditLog';
import { AUDIT_FORMAT } from './auditFormat';

/** What was learned from an engine about an interrupted prune: its check, or why there is none. */
export type EngineFinding = { readonly engine: string; readonly check: EngineCheck } | { readonly problem: string };

export function historyLines(entry: PruneEntry, finding?: EngineFinding): string[] {
  const when = entry.started.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const unit = entry.target === 'build-cache' ? 'cache record' : 'image';
  const containers = entry.plan?.containers ? `${count(entry.plan.containers, 'stopped container')} and ` : '';
  const planned = entry.plan ? `${containers}${count(entry.plan.images, unit)} planned (${formatBytes(entry.plan.bytes)})` : 'no plan';
  const what = entry.target === 'build-cache' ? `builder ${entry.mode}` : entry.mode;
  const head = `${when}  ${entry.trigger.padEnd(6)} ${what.padEnd(8)} ${displayText(entry.environment)}  ${entry.status === 'interrupted' ? 'INTERRUPTED' : entry.status}`;
  const lines = [`${head}: ${planned}${outcomeText(entry)}`];
  if (entry.status === 'interrupted' || entry.status === 'running') {
    if (entry.reason)
      lines.push(`    why: ${displayText(entry.reason, MESSAGE_MAX_CHARS)}${entry.pid !== undefined ? ` (process ${entry.pid} on ${entry.host})` : ''}`);
    if (entry.status === 'running') lines.push(`    still running: process ${entry.pid} on ${entry.host}`);
    const r = entry.recorded;
    if (entry.steps) {
      lines.push(
        `    its records: ${r.done.length} of ${count(entry.steps.length, 'step')} done${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}, ${formatBytes(r.bytes)} reclaimed (${count(r.checkpoints, 'checkpoint')})`,
      );
    }
    if (finding && 'check' in finding) {
      const c = finding.check;
      const planned = c.gone.length + c.present.length;
      lines.push(
        `    the engine (${displayText(finding.engine)}) shows ${c.gone.length} of ${count(planned, 'planned deletion')} gone${c.present.length ? `, ${c.present.length} still there` : ''}` +
          (c.goneUnrecorded.length ? ` (${c.goneUnrecorded.length} of them after its last record)` : ''),
      );
    } else if (finding) {
      lines.push(`    not checked against an engine: ${displayText(finding.problem, MESSAGE_MAX_CHARS)}`);
    }
  }
  if (entry.error && entry.status !== 'interrupted') lines.push(`    error: ${displayText(entry.error, MESSAGE_MAX_CHARS)}`);
  return lines;
}

function outcomeText(entry: PruneEntry): string {
  const r = entry.result;
  if (!r) return '';
  const parts = [
    ...(r.containersDeleted ? [`${count(r.containersDeleted, 'stopped container')} removed`] : []),
    `${count(r.deleted, entry.target === 'build-cache' ? 'cache record' : 'image')} deleted`,
  ];
  if (r.untagged) parts.push(`${count(r.untagged, 'tag')} removed`);
  if (r.skipped) parts.push(`${r.skipped} skipped`);
  parts.push(`${formatBytes(r.spaceReclaimed)} reclaimed`);
  return `; ${parts.join(', ')}${entry.durationMs !== undefined ? ` in ${(entry.durationMs / 1000).toFixed(1)} s` : ''}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** What a reader of the history should know about the file itself: another user's, lines skipped (by number), a newer format. */
export function readNotes(read: Pick<AuditReadResult, 'corruptLineNumbers' | 'newerFormat' | 'foreignOwner'>, file: string): string[] {
  const notes: string[] = read.foreignOwner ? [read.foreignOwner] : [];
  const bad = read.corruptLineNumbers;
  if (bad.length) {
    const shown = bad.slice(0, 10).join(', ') + (bad.length > 10 ? `, … (${bad.length} in all)` : '');
    notes.push(`${bad.length} unreadable line${bad.length === 1 ? '' : 's'} in ${file} skipped (line${bad.length === 1 ? '' : 's'} ${shown}).`);
  }
  if (read.newerFormat !== undefined) {
    notes.push(
      `${file} has records written by a newer Docker Prune (format ${read.newerFormat}; this version reads up to ${AUDIT_FORMAT}): what is shown may be incomplete, and this version does not append to it. Update Docker Prune.`,
    );
  }
  return notes;
}
