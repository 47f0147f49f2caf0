/**
 * The soak test's verdict (test/integration/soak/soakCheck.ts) is only worth its "0 violations" if it sees a
 * violation when there is one: each rule here against a small, hand-written run.
 */
import * as assert from 'assert';
import type { AuditRecord } from '../../src/core/audit/record';
import type { ApiEvent } from '../../src/core/engine/apiTypes';
import type { ChurnContainer } from '../integration/soak/churn';
import { checkSoak } from '../integration/soak/soakCheck';

const A = 'sha256:' + 'a'.repeat(64);
const B = 'sha256:' + 'b'.repeat(64);
const T0 = Date.parse('2026-01-01T00:00:00Z');

function record(pruneId: string, phase: 'start' | 'end', atMs: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    time: new Date(atMs).toISOString(),
    user: 'root',
    host: 'h',
    environment: 'unix:///e.sock',
    trigger: 'cli',
    mode: 'dangling',
    native: false,
    filters: [],
    protect: [],
    plan: null,
    result: phase === 'end' ? { deleted: 1, untagged: 0, skipped: 0, spaceReclaimed: 10, cancelled: false } : null,
    durationMs: 0,
    outcome: phase === 'end' ? 'success' : 'running',
    phase,
    pruneId,
    ...extra,
  };
}

/** An own prune of A (one delete step of 10 bytes) from T0 to T0+100 ms, done. */
const ownPrune = (endExtra: Partial<AuditRecord> = {}) => [
  record('p1', 'start', T0, { steps: [{ id: A, action: 'delete', tags: [], bytes: 10 }] }),
  record('p1', 'end', T0 + 100, { doneIds: [A], ...endExtra }),
];

const SIZES = new Map([[A, 10]]);

const event = (Type: string, Action: string, id: string, atMs: number): ApiEvent => ({
  Type,
  Action,
  Actor: { ID: id },
  timeNano: atMs * 1e6,
  timeNs: BigInt(atMs) * 1_000_000n,
});

describe('soak verdict', () => {
  it('a delete of a planned step inside its prune, audited as done: no violation', () => {
    const v = checkSoak([event('image', 'delete', A, T0 + 50)], ownPrune(), [], SIZES);
    assert.deepStrictEqual(v.violations, []);
    assert.strictEqual(v.figures.deletions, 1);
  });

  it('a delete before the start record, or of an image no plan named: violations', () => {
    assert.match(
      checkSoak([event('image', 'delete', A, T0 - 1)], ownPrune(), [], SIZES).violations.join('\n'),
      /no prune that the audit recorded before it planned it/,
    );
    assert.match(
      checkSoak([event('image', 'delete', B, T0 + 50)], ownPrune(), [], SIZES).violations.join('\n'),
      /no prune that the audit recorded before it planned it/,
    );
  });

  it('a planned delete the audit does not list as done, or counts it wrong: violations', () => {
    const v = checkSoak([event('image', 'delete', A, T0 + 50)], ownPrune({ doneIds: [] }), [], SIZES).violations.join('\n');
    assert.match(v, /does not list it as done/);
    assert.match(checkSoak([], ownPrune(), [], SIZES).violations.join('\n'), /the audit says 1 deleted, the engine reported 0 delete events/);
  });

  it('an untag of a step the audit lists as skipped is in the plan; a delete of one is not', () => {
    const skipped = [
      ownPrune()[0]!,
      record('p1', 'end', T0 + 100, { skippedIds: [A], result: { deleted: 0, untagged: 1, skipped: 1, spaceReclaimed: 0, cancelled: false } }),
    ];
    assert.deepStrictEqual(checkSoak([event('image', 'untag', A, T0 + 50)], skipped, [], SIZES).violations, []);
    assert.match(checkSoak([event('image', 'delete', A, T0 + 50)], skipped, [], SIZES).violations.join('\n'), /does not list it as done/);
  });

  it('more bytes than the images deleted take: a violation', () => {
    const v = checkSoak(
      [event('image', 'delete', A, T0 + 50)],
      ownPrune({ result: { deleted: 1, untagged: 0, skipped: 0, spaceReclaimed: 11, cancelled: false } }),
      [],
      SIZES,
    );
    assert.match(v.violations.join('\n'), /reclaimed 11 bytes, more than the 10 the images it deleted take/);
  });

  it('a dangling native prune that removes a name, a start with no end, an image deleted while a container used it, a container destroyed not by churn', () => {
    const native = [
      record('n1', 'start', T0, { native: true }),
      record('n1', 'end', T0 + 100, { native: true, result: { deleted: 0, untagged: 1, skipped: 0, spaceReclaimed: 0, cancelled: false } }),
    ];
    assert.match(checkSoak([event('image', 'untag', B, T0 + 10)], native, [], SIZES).violations.join('\n'), /dangling-only native prune n1 removed a name/);
    assert.match(checkSoak([], [ownPrune()[0]!], [], SIZES).violations.join('\n'), /has a start record and no end record/);
    const user: ChurnContainer = { id: 'c'.repeat(64), imageId: A, createdMs: T0 - 5 };
    assert.match(checkSoak([event('image', 'delete', A, T0 + 50)], ownPrune(), [user], SIZES).violations.join('\n'), /container cccccccccccc used it/);
    assert.match(checkSoak([event('container', 'destroy', user.id, T0 + 50)], [], [user], SIZES).violations.join('\n'), /destroyed at .*, not by churn/);
    assert.deepStrictEqual(checkSoak([event('container', 'destroy', user.id, T0 + 50)], [], [{ ...user, removedMs: T0 + 40 }], SIZES).violations, []);
  });
});
