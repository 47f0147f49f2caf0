import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuditLog, PruneJournal, pruneHistory, type AuditRecord, type PruneAuditBase } from '../../src/core/audit';
import type { Plan, PlannedImage, PruneProgress } from '../../src/core/model';

const BASE: PruneAuditBase = {
  environment: 'unix:///x.sock',
  trigger: 'cli',
  mode: 'all',
  native: false,
  filters: ['until=1h'],
  protect: [],
  keepLatest: undefined,
};

function step(i: number, action: 'delete' | 'untag' = 'delete'): PlannedImage {
  return { id: `sha256:${i.toString(16).padStart(64, '0')}`, action, tags: [`repo:${i}`], bytes: 100 + i, reason: 'unused', createdNs: 0n };
}

function planOf(n: number): Plan {
  const items = Array.from({ length: n }, (_, i) => step(i + 1, i % 10 === 9 ? 'untag' : 'delete'));
  return {
    environment: 'x',
    policy: { mode: 'all', filters: { labels: [] }, protect: [] },
    items,
    spaceReclaimable: items.reduce((s, i) => s + i.bytes, 0),
    kept: [],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('audit: PruneJournal (write-ahead records of one prune)', () => {
  let dir: string;
  let log: AuditLog;
  let reported: Array<{ error: unknown; line: string }>;
  const journal = (o: Partial<ConstructorParameters<typeof PruneJournal>[0]> = {}) =>
    new PruneJournal({ log, base: BASE, report: (error, line) => reported.push({ error, line }), ...o });
  const records = async () => (await log.read()).records;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dp-journal-'));
    log = new AuditLog(path.join(dir, 'audit.jsonl'));
    reported = [];
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('start: the whole plan, the engine, the process, before anything else; with the fields older readers use', async () => {
    const j = journal();
    const plan = planOf(3);
    await j.start(plan, 'ENGINE-ID');
    const [r] = await records();
    assert.strictEqual(r!.phase, 'start');
    assert.strictEqual(r!.pruneId, j.pruneId);
    assert.strictEqual(r!.engineId, 'ENGINE-ID');
    assert.strictEqual(r!.pid, process.pid);
    assert.strictEqual(r!.outcome, 'running');
    assert.deepStrictEqual(r!.plan, { images: 3, bytes: plan.spaceReclaimable });
    assert.deepStrictEqual(
      r!.steps,
      plan.items.map((s) => ({ id: s.id, action: s.action, tags: s.tags, bytes: s.bytes })),
    );
    for (const k of ['time', 'user', 'host', 'environment', 'trigger', 'mode', 'native', 'filters', 'protect', 'result', 'durationMs']) assert.ok(k in r!, k);
  });

  it('checkpoints every 25 steps, each naming only steps since the previous record; the end takes the rest', async () => {
    const j = journal({ checkpointMs: 60_000 });
    const plan = planOf(60);
    await j.start(plan, 'E');
    let bytes = 0;
    plan.items.forEach((s, i) => {
      bytes += s.bytes;
      j.progress({ done: i + 1, total: 60, bytes, current: s });
    });
    // Faster than the disk: one checkpoint write at a time, each with at most 25 steps; the next follows it.
    await sleep(300);
    await j.end({
      plan: { images: 60, bytes },
      result: { deleted: 54, untagged: 60, skipped: 0, spaceReclaimed: bytes, cancelled: false },
      durationMs: 5,
      outcome: 'success',
    });
    const rs = await records();
    assert.deepStrictEqual(
      rs.map((r) => r.phase),
      ['start', 'progress', 'progress', 'end'],
    );
    const progress = rs.filter((r) => r.phase === 'progress');
    assert.deepStrictEqual(
      progress.map((r) => r.doneIds!.length),
      [25, 25],
    );
    assert.deepStrictEqual(
      progress.map((r) => r.seq),
      [1, 2],
    );
    assert.strictEqual(progress[1]!.stepsDone, 60, 'steps done when it was written');
    assert.strictEqual(rs[3]!.doneIds!.length, 10);
    assert.deepStrictEqual(
      rs.flatMap((r) => r.doneIds ?? []),
      plan.items.map((s) => s.id),
      'every step once, in order',
    );
    assert.ok(rs.every((r) => r.pruneId === j.pruneId));
    const [entry] = pruneHistory(rs);
    assert.strictEqual(entry!.status, 'success');
    assert.strictEqual(entry!.recorded.done.length, 60);
  });

  it('checkpoints after CHECKPOINT_MS when steps are slow', async () => {
    const j = journal({ checkpointMs: 50 });
    const plan = planOf(3);
    await j.start(plan, 'E');
    j.progress({ done: 1, total: 3, bytes: 101, current: plan.items[0] });
    await sleep(300);
    const rs = await records();
    assert.strictEqual(rs.length, 2);
    assert.strictEqual(rs[1]!.phase, 'progress');
    assert.deepStrictEqual(rs[1]!.doneIds, [plan.items[0]!.id]);
    assert.strictEqual(rs[1]!.bytesSoFar, 101);
  });

  it('skipped steps are named apart; a jump in `done` (the executor stopping) is not a finished step; the result corrects the tail', async () => {
    const j = journal({ checkpointMs: 60_000 });
    const plan = planOf(5);
    await j.start(plan, 'E');
    const [a, b, c] = plan.items;
    j.progress({ done: 1, total: 5, bytes: 1, current: a });
    j.progress({ done: 2, total: 5, bytes: 1, current: b, skipped: { id: b!.id, tags: [], reason: 'in-use', message: 'x' } });
    j.progress({ done: 5, total: 5, bytes: 1, current: c }); // engine gone at c: the rest reported at once
    await j.end({ plan: null, result: null, durationMs: 1, outcome: 'failed', error: 'gone', skippedIds: new Set(plan.items.slice(2).map((s) => s.id)) });
    const end = (await records()).pop()!;
    assert.deepStrictEqual(end.doneIds, [a!.id]);
    assert.deepStrictEqual(end.skippedIds, [b!.id]);
    assert.deepStrictEqual(end.plan, { images: 5, bytes: plan.spaceReclaimable }, 'the plan from the start record when the end has none');
  });

  it('interrupt writes the end record at once, synchronously, with what was done; the normal end is then not written', async () => {
    const j = journal({ checkpointMs: 60_000 });
    const plan = planOf(4);
    await j.start(plan, 'E');
    j.progress({ done: 1, total: 4, bytes: 101, current: plan.items[0] });
    j.progress({ done: 2, total: 4, bytes: 203, current: plan.items[1] });
    j.interrupt('interrupted by a second Ctrl-C');
    // on disk before any await
    const text = await fs.readFile(log.filePath, 'utf8');
    const end = JSON.parse(text.trim().split('\n').pop()!) as AuditRecord;
    assert.strictEqual(end.phase, 'end');
    assert.strictEqual(end.outcome, 'interrupted');
    assert.strictEqual(end.error, 'interrupted by a second Ctrl-C');
    assert.deepStrictEqual(end.doneIds, [plan.items[0]!.id, plan.items[1]!.id]);
    assert.deepStrictEqual(end.result, { deleted: 2, untagged: 2, skipped: 0, spaceReclaimed: 203, cancelled: true });
    await j.end({ plan: null, result: null, durationMs: 1, outcome: 'cancelled' });
    const rs = await records();
    assert.strictEqual(rs.filter((r) => r.phase === 'end').length, 1);
    const [entry] = pruneHistory(rs);
    assert.strictEqual(entry!.status, 'interrupted');
    assert.strictEqual(entry!.reason, 'interrupted by a second Ctrl-C');
  });

  it('interrupt right after the prune ended writes its pending end record synchronously', async () => {
    const j = journal();
    await j.start(planOf(1), 'E');
    const ending = j.end({
      plan: null,
      result: { deleted: 1, untagged: 1, skipped: 0, spaceReclaimed: 1, cancelled: false },
      durationMs: 1,
      outcome: 'success',
    });
    j.interrupt('interrupted by SIGTERM');
    const lines = (await fs.readFile(log.filePath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    // The end's own asynchronous append may land too (its write runs on libuv's thread pool): a duplicate reads the same.
    assert.ok(lines.filter((r) => r.phase === 'end' && r.outcome === 'success').length >= 1, 'the success end is on disk already');
    await ending;
    assert.strictEqual(pruneHistory(await records())[0]!.status, 'success');
  });

  it('a record that cannot be written is reported in full and the prune goes on (start included)', async () => {
    const blocker = path.join(dir, 'file');
    await fs.writeFile(blocker, '');
    const bad = new AuditLog(path.join(blocker, 'audit.jsonl'));
    const j = new PruneJournal({ log: bad, base: BASE, report: (error, line) => reported.push({ error, line }), checkpointSteps: 1 });
    const plan = planOf(2);
    await j.start(plan, 'E');
    j.progress({ done: 1, total: 2, bytes: 1, current: plan.items[0] } as PruneProgress);
    j.interrupt('interrupted by a second Ctrl-C');
    await sleep(50);
    const phases = reported.map((r) => (JSON.parse(r.line) as AuditRecord).phase);
    assert.deepStrictEqual(phases.sort(), ['end', 'progress', 'start', 'start'], 'start (async, then again before the sync end), progress, end');
    for (const r of reported) assert.match(String(r.error), /Cannot write the audit log/);
  });

  it('no audit log: nothing is written and nothing fails', async () => {
    const j = new PruneJournal({ base: BASE, report: () => assert.fail('nothing to report') });
    await j.start(planOf(1), 'E');
    j.interrupt('x');
    await j.end({ plan: null, result: null, durationMs: 0, outcome: 'success' });
  });
});
