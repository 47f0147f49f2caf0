/**
 * The soak test's verdict, from the engine's own event stream (followed for the whole run), the shared audit file
 * and churn's ledger. Nothing here trusts a pruner's word alone:
 * - every image `untag` and `delete` the engine reported happened while a prune that the audit had already
 *   recorded (start record, written ahead) was running — churn never removes images or tags, so there is no other
 *   explanation;
 * - in an own prune (a plan carried out) the image was a step of that prune's start record (a `delete` event only
 *   for a delete step), and the audit lists it as done; every delete step the audit lists as done was deleted;
 * - a native prune (the engine's own, which decides itself what goes): its deletions fall inside its start and end
 *   records; a dangling-only one removed no name;
 * - every prune's `untagged` count equals the untag events in its window; an own prune's `deleted`, its delete
 *   events; a native one's `deleted` (images its preview knew) at most its delete events;
 * - no image went while a container used it, and no container was destroyed but by churn;
 * - every start record has its end record; a refused prune has none (it never held the lock);
 * - disk: an own prune's `spaceReclaimed` is at most the bytes its plan gave the steps it did. Under churn a new
 *   build may share a layer a step expected to free, so less can go, never more (churn adds images, never
 *   removes them). The exact figure, audit bytes = the engine's layer bytes gone, is checked by the quiet prune
 *   after the churn (see soak.test.ts).
 */
import type { AuditRecord } from '../../../src/core/audit/record';
import type { ApiEvent } from '../../../src/core/engine/apiTypes';
import { eventTimeNs } from '../../../src/core/engine/eventTime';
import { normalizeImageId } from '../../../src/core/snapshot/records';
import type { ChurnContainer } from './churn';

export interface SoakFigures {
  prunes: number;
  ownPrunes: number;
  nativePrunes: number;
  refusedPrunes: number;
  deletions: number;
  untags: number;
  bytesReclaimed: number;
}

export interface SoakVerdict {
  readonly figures: SoakFigures;
  readonly violations: string[];
}

interface Prune {
  readonly id: string;
  start?: AuditRecord;
  end?: AuditRecord;
  readonly done: Set<string>;
  startMs: number;
  endMs: number;
  deletes: number;
  untags: number;
}

const ms = (iso: string) => Date.parse(iso);

export function checkSoak(events: readonly ApiEvent[], records: readonly AuditRecord[], containers: readonly ChurnContainer[]): SoakVerdict {
  const violations: string[] = [];
  const prunes = new Map<string, Prune>();
  for (const r of records) {
    if (!r.pruneId) {
      violations.push(`an audit record without a prune id: ${JSON.stringify(r)}`);
      continue;
    }
    let p = prunes.get(r.pruneId);
    if (!p) prunes.set(r.pruneId, (p = { id: r.pruneId, done: new Set(), startMs: Infinity, endMs: Infinity, deletes: 0, untags: 0 }));
    if (r.phase === 'start') (p.start = r), (p.startMs = ms(r.time));
    if (r.phase === 'end') (p.end = r), (p.endMs = ms(r.time));
    for (const id of r.doneIds ?? []) p.done.add(normalizeImageId(id));
  }
  const all = [...prunes.values()];
  const running = all.filter((p) => p.start);
  for (const p of all) {
    if (!p.end) violations.push(`prune ${p.id} (${p.start?.trigger} ${p.start?.mode}${p.start?.native ? ' native' : ''}) has a start record and no end record`);
    if (p.end?.outcome === 'refused' && p.start) violations.push(`prune ${p.id} was refused but has a start record`);
  }

  const removedByChurn = new Set(containers.filter((c) => c.removedMs !== undefined).map((c) => c.id));
  let deletions = 0;
  let untags = 0;
  for (const e of events) {
    const atNs = eventTimeNs(e) ?? 0n;
    const at = Number(atNs / 1_000_000n);
    const id = e.Actor?.ID ?? e.id ?? '';
    if (e.Type === 'container' && e.Action === 'destroy' && !removedByChurn.has(id)) violations.push(`container ${id.slice(0, 12)} destroyed at ${iso(at)}, not by churn`);
    if (e.Type !== 'image' || (e.Action !== 'delete' && e.Action !== 'untag')) continue;
    const image = normalizeImageId(id);
    if (e.Action === 'delete') deletions++;
    else untags++;
    const what = `${e.Action} of ${image.slice(7, 19)} at ${iso(at)}`;
    if (e.Action === 'delete') {
      const user = containers.find((c) => c.imageId === image && c.createdMs <= at && (c.removedMs === undefined || c.removedMs >= at));
      if (user) violations.push(`${what}: container ${user.id.slice(0, 12)} used it`);
    }
    // Prunes take turns (the engine lock), but a prune's end record is written after it let go of the lock, so
    // two windows may touch: the one that planned this image, else a native one, explains it.
    const candidates = running.filter((p) => p.startMs <= at && at <= p.endMs);
    const own = candidates.find((p) => !p.start!.native && p.start!.steps?.some((s) => normalizeImageId(s.id) === image && (e.Action === 'untag' || s.action === 'delete')));
    const native = candidates.find((p) => p.start!.native);
    const by = own ?? native;
    if (!by) {
      violations.push(`${what}: no prune that the audit recorded before it planned it${candidates.length ? ` (running: ${candidates.map((p) => p.id).join(', ')})` : ''}`);
      continue;
    }
    if (e.Action === 'delete') by.deletes++;
    else by.untags++;
    if (by === own && !own.done.has(image)) violations.push(`${what}: a step of prune ${own.id}, which does not list it as done`);
    if (by === native && e.Action === 'untag' && native.start!.mode === 'dangling') violations.push(`${what}: the dangling-only native prune ${native.id} removed a name`);
  }

  let bytesReclaimed = 0;
  for (const p of running) {
    const result = p.end?.result;
    if (!result) continue;
    bytesReclaimed += result.spaceReclaimed;
    const name = `prune ${p.id} (${p.start!.mode}${p.start!.native ? ', native' : ''})`;
    if (result.untagged !== p.untags) violations.push(`${name}: the audit says ${result.untagged} untagged, the engine reported ${p.untags} untag events`);
    if (p.start!.native) {
      if (result.deleted > p.deletes) violations.push(`${name}: the audit says ${result.deleted} deleted, the engine reported ${p.deletes} delete events`);
      continue;
    }
    if (result.deleted !== p.deletes) violations.push(`${name}: the audit says ${result.deleted} deleted, the engine reported ${p.deletes} delete events`);
    const steps = p.start!.steps ?? [];
    const doneDeletes = steps.filter((s) => s.action === 'delete' && p.done.has(normalizeImageId(s.id)));
    if (doneDeletes.length !== p.deletes) violations.push(`${name}: ${doneDeletes.length} delete steps listed as done, ${p.deletes} delete events`);
    const doneBytes = steps.filter((s) => p.done.has(normalizeImageId(s.id))).reduce((n, s) => n + s.bytes, 0);
    if (result.spaceReclaimed > doneBytes) violations.push(`${name}: reclaimed ${result.spaceReclaimed} bytes, more than the ${doneBytes} its plan gave the steps it did`);
  }

  const ended = all.filter((p) => p.end);
  return {
    violations,
    figures: {
      prunes: ended.length,
      ownPrunes: running.filter((p) => !p.start!.native).length,
      nativePrunes: running.filter((p) => p.start!.native).length,
      refusedPrunes: ended.filter((p) => p.end!.outcome === 'refused').length,
      deletions,
      untags,
      bytesReclaimed,
    },
  };
}

function iso(atMs: number): string {
  return new Date(atMs).toISOString();
}
