import * as assert from 'assert';
import { checkAgainstEngine, historyLines, NO_END_RECORD, pruneHistory, ranOn, type AuditRecord } from '../../src/core/audit';
import { defaultAuditFilePath } from '../../src/core/audit/auditPath';

const id = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function rec(over: Partial<AuditRecord>): AuditRecord {
  return {
    time: '2025-01-02T03:00:00.000Z',
    user: 'u',
    host: 'h',
    environment: 'unix:///var/run/docker.sock',
    trigger: 'cli',
    mode: 'all',
    native: false,
    filters: [],
    protect: [],
    plan: { images: 4, bytes: 400 },
    result: null,
    durationMs: 0,
    outcome: 'running',
    ...over,
  };
}

const steps = [1, 2, 3, 4].map((n) => ({ id: id(n), action: n === 4 ? ('untag' as const) : ('delete' as const), tags: [`r:${n}`], bytes: 100 }));
const start = (pruneId: string, extra: Partial<AuditRecord> = {}) => rec({ phase: 'start', pruneId, engineId: 'E1', pid: 4242, steps, ...extra });
const notRunning = { isRunning: () => false };

describe('audit: pruneHistory (records paired into prunes)', () => {
  it('pairs start, checkpoints and end of one prune into one entry; the end decides the outcome', () => {
    const entries = pruneHistory(
      [
        start('a'),
        rec({ phase: 'progress', pruneId: 'a', seq: 1, doneIds: [id(1), id(2)], bytesSoFar: 200 }),
        rec({
          phase: 'end',
          pruneId: 'a',
          time: '2025-01-02T03:00:09.000Z',
          outcome: 'success',
          durationMs: 9000,
          doneIds: [id(3), id(4)],
          result: { deleted: 3, untagged: 4, skipped: 0, spaceReclaimed: 300, cancelled: false },
        }),
      ],
      notRunning,
    );
    assert.strictEqual(entries.length, 1);
    const e = entries[0]!;
    assert.strictEqual(e.status, 'success');
    assert.strictEqual(e.started, '2025-01-02T03:00:00.000Z');
    assert.strictEqual(e.ended, '2025-01-02T03:00:09.000Z');
    assert.strictEqual(e.engineId, 'E1');
    assert.deepStrictEqual(e.recorded, { done: [id(1), id(2), id(3), id(4)], skipped: [], bytes: 300, checkpoints: 1 });
    assert.deepStrictEqual(e.steps, steps);
  });

  it('a prune with no end record is interrupted, with what its checkpoints say went', () => {
    const [e] = pruneHistory(
      [start('k'), rec({ phase: 'progress', pruneId: 'k', seq: 1, doneIds: [id(1)], skippedIds: [id(2)], bytesSoFar: 100 })],
      notRunning,
    );
    assert.strictEqual(e!.status, 'interrupted');
    assert.strictEqual(e!.reason, NO_END_RECORD);
    assert.deepStrictEqual(e!.recorded.done, [id(1)]);
    assert.deepStrictEqual(e!.recorded.skipped, [id(2)]);
    assert.strictEqual(e!.result, null);
    assert.match(historyLines(e!).join('\n'), /INTERRUPTED[\s\S]*no end record[\s\S]*process 4242 on h[\s\S]*1 of 4 steps done, 1 skipped/);
  });

  it('…unless its process still runs it: then it is running', () => {
    const [e] = pruneHistory([start('r')], { isRunning: (s) => s.pid === 4242 });
    assert.strictEqual(e!.status, 'running');
    // the default check: this very process, on this host, is alive
    const [mine] = pruneHistory([start('m', { pid: process.pid, host: require('os').hostname() })]);
    assert.strictEqual(mine!.status, 'running');
    const [dead] = pruneHistory([start('d', { pid: 2 ** 22 + 7, host: require('os').hostname() })]);
    assert.strictEqual(dead!.status, 'interrupted');
  });

  it('an end record that says interrupted gives its reason; progress after it still counts', () => {
    const [e] = pruneHistory(
      [
        start('i'),
        rec({ phase: 'end', pruneId: 'i', outcome: 'interrupted', error: 'interrupted: VS Code window closed or reloaded', doneIds: [id(1)] }),
        rec({ phase: 'progress', pruneId: 'i', seq: 1, doneIds: [id(1), id(2)] }),
      ],
      notRunning,
    );
    assert.strictEqual(e!.status, 'interrupted');
    assert.strictEqual(e!.reason, 'interrupted: VS Code window closed or reloaded');
    assert.deepStrictEqual(e!.recorded.done, [id(1), id(2)], 'merged, each once');
  });

  it('records from before phases are one prune each; interleaved prunes stay apart', () => {
    const entries = pruneHistory(
      [
        rec({ outcome: 'success', result: { deleted: 1, untagged: 0, skipped: 0, spaceReclaimed: 1, cancelled: false } }),
        start('x'),
        start('y', { environment: 'ssh://b' }),
        rec({ phase: 'end', pruneId: 'y', outcome: 'refused', plan: null }),
        rec({ outcome: 'failed', error: 'boom' }),
      ],
      notRunning,
    );
    assert.deepStrictEqual(
      entries.map((e) => e.status),
      ['success', 'interrupted', 'refused', 'failed'],
    );
    assert.strictEqual(entries[2]!.environment, 'ssh://b');
    assert.strictEqual(entries[0]!.steps, undefined);
  });

  it('checkAgainstEngine: planned deletions the engine no longer has, and which went after the last record', () => {
    const [e] = pruneHistory([start('c'), rec({ phase: 'progress', pruneId: 'c', seq: 1, doneIds: [id(1)] })], notRunning);
    const check = checkAgainstEngine(e!, new Set([id(3), id(4), id(99)]));
    assert.deepStrictEqual(check, { gone: [id(1), id(2)], present: [id(3)], goneUnrecorded: [id(2)] });
    assert.match(
      historyLines(e!, { engine: 'local', check: check! }).join('\n'),
      /the engine \(local\) shows 2 of 3 planned deletions gone, 1 still there \(1 of them after its last record\)/,
    );
    assert.strictEqual(checkAgainstEngine(pruneHistory([rec({ outcome: 'success' })])[0]!, new Set()), undefined);
  });

  it('a prune with stopped containers: the engine check compares image steps only; the history counts the containers', () => {
    const steps = [
      { id: 'c0ffee', action: 'delete' as const, tags: ['api-test'], bytes: 12, kind: 'container' as const, image: id(1) },
      { id: id(1), action: 'delete' as const, tags: [], bytes: 100 },
    ];
    const [e] = pruneHistory(
      [
        rec({ phase: 'start', pruneId: 'k', outcome: 'running', steps, pid: 1, plan: { images: 1, bytes: 112, containers: 1 } }),
        rec({
          phase: 'end',
          pruneId: 'k',
          outcome: 'success',
          doneIds: ['c0ffee', id(1)],
          result: { containersDeleted: 1, deleted: 1, untagged: 0, skipped: 0, spaceReclaimed: 112, cancelled: false },
        }),
      ],
      notRunning,
    );
    assert.deepStrictEqual(checkAgainstEngine(e!, new Set()), { gone: [id(1)], present: [], goneUnrecorded: [] });
    assert.match(historyLines(e!).join('\n'), /1 stopped container removed, 1 image deleted, 112 B reclaimed/);
  });

  it('ranOn: by engine identity, else by endpoint', () => {
    const [e] = pruneHistory([start('e')], notRunning);
    assert.ok(ranOn(e!, { engineId: 'E1', label: 'anything' }));
    assert.ok(!ranOn(e!, { engineId: 'E2', label: 'unix:///var/run/docker.sock' }));
    const [anon] = pruneHistory([start('n', { engineId: '' })], notRunning);
    assert.ok(ranOn(anon!, { engineId: '', label: 'unix:///var/run/docker.sock' }));
  });
});

describe('audit: the default audit file, shared by the CLI and the extension', () => {
  it('XDG_STATE_HOME, else ~/.local/state; %LOCALAPPDATA% on Windows', () => {
    assert.strictEqual(defaultAuditFilePath({ env: { XDG_STATE_HOME: '/s' }, platform: 'linux', home: '/home/u' }), '/s/docker-prune/audit.jsonl');
    assert.strictEqual(defaultAuditFilePath({ env: {}, platform: 'linux', home: '/home/u' }), '/home/u/.local/state/docker-prune/audit.jsonl');
    assert.strictEqual(
      defaultAuditFilePath({ env: { XDG_STATE_HOME: 'relative' }, platform: 'darwin', home: '/Users/u' }),
      '/Users/u/.local/state/docker-prune/audit.jsonl',
    );
    assert.strictEqual(
      defaultAuditFilePath({ env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', home: 'C:\\Users\\u' }),
      'C:\\Users\\u\\AppData\\Local\\docker-prune\\audit.jsonl',
    );
    assert.strictEqual(defaultAuditFilePath({ env: {}, platform: 'win32', home: 'C:\\Users\\u' }), 'C:\\Users\\u\\AppData\\Local\\docker-prune\\audit.jsonl');
  });
});
