/**
 * The soak test's verdict, from the engine's own event stream (followed for the whole run), the shared audit file
 * and churn's ledger. Nothing here trusts a pruner's word alone:
 * - every image `untag` and `delete` the engine reported happened while a prune that the audit had already
 *   recorded (start record, written ahead) was running — churn never removes images or tags, so there is no other
 *   explanation;
 * - in an own prune (a plan carried out) the image was a step of that prune's start record (a `delete` event only
 *   for a delete step); the audit lists a deleted image's step as done, an untagged one's as done or skipped (a
 *   step whose image gained a name loses its other names first, then is left alone); every delete step the audit
 *   lists as done was deleted;
 * - a native prune (the engine's own, which decides itself what goes): its deletions fall inside its start and end
 *   records; a dangling-only one removed no name;
 * - every prune's `untagged` count equals the untag events in its window; an own prune's `deleted`, its delete
 *   events; a native one's `deleted` (images its preview knew) at most its delete events;
 * - no image went while a container used it, and no container was destroyed but by churn;
 * - every start record has its end record; a refused prune has none (it never held the lock);
 * - disk: a prune's `spaceReclaimed` (own or the engine's) is at most the sizes of the images the engine reported
 *   deleted in its window: removing an image frees at most its own layers. The plan's bytes bound nothing under
 *   churn: a confirmed plan is made before the lock is taken, and a prune before it may remove an image that shared
 *   a layer, so more can go than planned. The exact figure, audit bytes = the engine's layer bytes gone, is checked
 *   by the quiet prune after the churn (see soak.test.ts).
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
  /** The extension's (trigger `auto`), of the own and native ones. */
  autoPrunes: number;
  refusedPrunes: number;
  deletions: number;
  untags: number;
  bytesReclaimed: number;
  /** Prunes whose bytes could not be bounded: an image they deleted was of unknown size. */
  unboundedPrunes: number;
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
  readonly skipped: Set<string>;
  startMs: number;
  endMs: number;
  deletes: number;
  untags: number;
  /** Sum of the sizes of the images deleted in its window (NaN when one was of unknown size). */
  deletedBytes: number;
}

const ms = (iso: string) => Date.parse(iso);

/** `sizes`: every image id the run could delete → its size (`/images/json` Size: the sum of its layers). */
export function checkSoak(
  events: readonly ApiEvent[],
  records: readonly AuditRecord[],
  containers: readonly ChurnContainer[],
  sizes: ReadonlyMap<string, number>,
): SoakVerdict {
  const violations: string[] = [];
  const prunes = new Map<string, Prune>();
  for (const r of records) {
    if (!r.pruneId) {
      violations.push(`an audit record without a prune id: ${JSON.stringify(r)}`);
      continue;
    }
    let p = prunes.get(r.pruneId);
    if (!p)
      prunes.set(
        r.pruneId,
        (p = { id: r.pruneId, done: new Set(), skipped: new Set(), startMs: Infinity, endMs: Infinity, deletes: 0, untags: 0, deletedBytes: 0 }),
      );
    if (r.phase === 'start') {
      p.start = r;
      p.startMs = ms(r.time);
    }
    if (r.phase === 'end') {
      p.end = r;
      p.endMs = ms(r.time);
    }
    for (const id of r.doneIds ?? []) p.done.add(normalizeImageId(id));
    for (const id of r.skippedIds ?? []) p.skipped.add(normalizeImageId(id));
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
    if (e.Type === 'container' && e.Action === 'destroy' && !removedByChurn.has(id))
      violations.push(`container ${id.slice(0, 12)} destroyed at ${iso(at)}, not by churn`);
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
    const own = candidates.find(
      (p) => !p.start!.native && p.start!.steps?.some((s) => normalizeImageId(s.id) === image && (e.Action === 'untag' || s.action === 'delete')),
    );
    const native = candidates.find((p) => p.start!.native);
    const by = own ?? native;
    if (!by) {
      violations.push(
        `${what}: no prune that the audit recorded before it planned it${candidates.length ? ` (running: ${candidates.map((p) => p.id).join(', ')})` : ''}`,
      );
      continue;
    }
    if (e.Action === 'delete') {
      by.deletes++;
      by.deletedBytes += sizes.get(image) ?? NaN;
    } else by.untags++;
    const listed = own && (own.done.has(image) || (e.Action === 'untag' && own.skipped.has(image)));
    if (own && !listed) violations.push(`${what}: a step of prune ${own.id}, which does not list it as ${e.Action === 'delete' ? 'done' : 'done or skipped'}`);
    if (by === native && e.Action === 'untag' && native.start!.mode === 'dangling')
      violations.push(`${what}: the dangling-only native prune ${native.id} removed a name`);
  }

  let bytesReclaimed = 0;
  for (const p of running) {
    const result = p.end?.result;
    if (!result) continue;
    bytesReclaimed += result.spaceReclaimed;
    const name = `prune ${p.id} (${p.start!.mode}${p.start!.native ? ', native' : ''})`;
    if (result.spaceReclaimed > p.deletedBytes)
      violations.push(`${name}: reclaimed ${result.spaceReclaimed} bytes, more than the ${p.deletedBytes} the images it deleted take`);
    if (result.untagged !== p.untags) violations.push(`${name}: the audit says ${result.untagged} untagged, the engine reported ${p.untags} untag events`);
    if (p.start!.native) {
      if (result.deleted > p.deletes) violations.push(`${name}: the audit says ${result.deleted} deleted, the engine reported ${p.deletes} delete events`);
      continue;
    }
    if (result.deleted !== p.deletes) violations.push(`${name}: the audit says ${result.deleted} deleted, the engine reported ${p.deletes} delete events`);
    const steps = p.start!.steps ?? [];
    const doneDeletes = steps.filter((s) => s.action === 'delete' && p.done.has(normalizeImageId(s.id)));
    if (doneDeletes.length !== p.deletes) violations.push(`${name}: ${doneDeletes.length} delete steps listed as done, ${p.deletes} delete events`);
  }

  const ended = all.filter((p) => p.end);
  return {
    violations,
    figures: {
      prunes: ended.length,
      ownPrunes: running.filter((p) => !p.start!.native).length,
      nativePrunes: running.filter((p) => p.start!.native).length,
      autoPrunes: running.filter((p) => p.start!.trigger === 'auto').length,
      refusedPrunes: ended.filter((p) => p.end!.outcome === 'refused').length,
      deletions,
      untags,
      bytesReclaimed,
      unboundedPrunes: running.filter((p) => Number.isNaN(p.deletedBytes)).length,
    },
  };
}

function iso(atMs: number): string {
  return new Date(atMs).toISOString();
}
