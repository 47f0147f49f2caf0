import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuditLog, AuditLogError, redact, type AuditRecord, type AuditRecordInput } from '../../src/core/audit';
import { lockPathFor } from '../../src/core/audit/appendLock';
import { DockerPruneError } from '../../src/core/errors';

function sample(overrides: Partial<AuditRecordInput> = {}): AuditRecordInput {
  return {
    environment: 'local',
    trigger: 'manual',
    mode: 'dangling',
    native: false,
    filters: ['until=168h', 'label!=keep'],
    protect: ['postgres:*'],
    keepLatest: 2,
    plan: { images: 3, bytes: 1234 },
    result: { deleted: 3, untagged: 1, skipped: 0, spaceReclaimed: 1234, cancelled: false },
    durationMs: 42,
    outcome: 'success',
    ...overrides,
  };
}

describe('audit: redact', () => {
  it('strips passwords in URLs, keeping the user', () => {
    assert.strictEqual(redact('tcp://user:pass@host:2376'), 'tcp://user:***@host:2376');
    assert.strictEqual(redact('ssh://deploy:s3cr:et@box.example.com'), 'ssh://deploy:***@box.example.com');
    assert.strictEqual(redact('https://:tok@registry/x'), 'https://:***@registry/x');
    assert.strictEqual(redact('connect tcp://a:b@h1 failed, then tcp://c:d@h2'), 'connect tcp://a:***@h1 failed, then tcp://c:***@h2');
  });

  it('strips password=/token= values', () => {
    assert.strictEqual(redact('GET /x?token=abc&y=1'), 'GET /x?token=***&y=1');
    assert.strictEqual(redact('password=hunter2 rest'), 'password=*** rest');
  });

  it('leaves text without secrets alone', () => {
    for (const s of ['unix:///var/run/docker.sock', 'tcp://host:2376', 'ssh://user@host', 'npipe:////./pipe/docker_engine', 'local', '']) {
      assert.strictEqual(redact(s), s);
    }
  });
});

describe('audit: AuditLog', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'docker-prune-audit-'));
    file = path.join(dir, 'nested', 'deeper', 'audit.jsonl');
  });

  afterEach(async () => {
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads an absent log as empty', async () => {
    assert.deepStrictEqual(await new AuditLog(file).read(), { records: [], corruptLines: 0, corruptLineNumbers: [] });
  });

  it('round-trips a record, creating parent folders and filling time, user and host', async () => {
    const log = new AuditLog(file);
    const before = Date.now();
    await log.append(sample());
    const { records, corruptLines } = await log.read();
    assert.strictEqual(corruptLines, 0);
    assert.strictEqual(records.length, 1);
    const r = records[0];
    const t = Date.parse(r.time);
    assert.ok(t >= before - 1000 && t <= Date.now() + 1000, r.time);
    assert.strictEqual(r.time, new Date(t).toISOString());
    assert.strictEqual(typeof r.user, 'string');
    assert.ok(r.user.length > 0);
    assert.strictEqual(r.host, os.hostname());
    const { time: _t, user: _u, host: _h, ...rest } = r;
    assert.deepStrictEqual(rest, { ...sample(), format: 1 });
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.strictEqual(text.split('\n').length, 2);
    assert.deepStrictEqual(JSON.parse(text.split('\n')[0]), r);
  });

  it('keeps given time, user and host; omits undefined optional fields; allows null plan/result', async () => {
    const log = new AuditLog(file);
    await log.append(
      sample({
        time: '2024-01-02T03:04:05.000Z',
        user: 'alice',
        host: 'box',
        keepLatest: undefined,
        plan: null,
        result: null,
        outcome: 'refused',
        error: 'busy',
      }),
    );
    const [r] = (await log.read()).records;
    assert.strictEqual(r.time, '2024-01-02T03:04:05.000Z');
    assert.strictEqual(r.user, 'alice');
    assert.strictEqual(r.host, 'box');
    assert.strictEqual(r.plan, null);
    assert.strictEqual(r.result, null);
    assert.strictEqual(r.error, 'busy');
    assert.ok(!('keepLatest' in r));
    const line = (await fs.readFile(file, 'utf8')).trim();
    assert.ok(!line.includes('keepLatest'));
  });

  it('redacts the environment and the error', async () => {
    const log = new AuditLog(file);
    await log.append(
      sample({ environment: 'tcp://admin:hunter2@build-host:2376', outcome: 'failed', error: 'connect tcp://admin:hunter2@build-host:2376: refused' }),
    );
    const [r] = (await log.read()).records;
    assert.strictEqual(r.environment, 'tcp://admin:***@build-host:2376');
    assert.strictEqual(r.error, 'connect tcp://admin:***@build-host:2376: refused');
    assert.ok(!(await fs.readFile(file, 'utf8')).includes('hunter2'));
  });

  it('serializes concurrent appends: every line intact, in call order', async () => {
    const log = new AuditLog(file);
    const n = 60;
    const big = 'x'.repeat(20_000);
    await Promise.all(Array.from({ length: n }, (_, i) => log.append(sample({ durationMs: i, protect: [`${i}-${big}`] }))));
    const { records, corruptLines } = await log.read();
    assert.strictEqual(corruptLines, 0);
    assert.deepStrictEqual(
      records.map((r) => r.durationMs),
      Array.from({ length: n }, (_, i) => i),
    );
    for (const r of records) assert.strictEqual(r.protect[0], `${r.durationMs}-${big}`);
  });

  it('read waits for appends already under way', async () => {
    const log = new AuditLog(file);
    const appends = [log.append(sample({ durationMs: 1 })), log.append(sample({ durationMs: 2 }))];
    const { records } = await log.read();
    await Promise.all(appends);
    assert.deepStrictEqual(
      records.map((r) => r.durationMs),
      [1, 2],
    );
  });

  it('survives a truncated last line: read skips and counts it, the next append starts a fresh line', async () => {
    const log = new AuditLog(file);
    await log.append(sample({ durationMs: 1 }));
    // a crash in the middle of writing the second record
    const full = JSON.stringify({ ...sample({ durationMs: 2 }), time: new Date().toISOString(), user: 'u', host: 'h' });
    await fs.appendFile(file, full.slice(0, Math.floor(full.length / 2)));
    let read = await log.read();
    assert.strictEqual(read.records.length, 1);
    assert.strictEqual(read.corruptLines, 1);

    await log.append(sample({ durationMs: 3 }));
    read = await log.read();
    assert.deepStrictEqual(
      read.records.map((r) => r.durationMs),
      [1, 3],
    );
    assert.strictEqual(read.corruptLines, 1);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    assert.strictEqual(lines.length, 4); // record, fragment, record, ''
    assert.strictEqual(JSON.parse(lines[2]).durationMs, 3);
  });

  it('skips and counts any unparseable or foreign line by its number, ignores blank lines', async () => {
    const log = new AuditLog(file);
    await log.append(sample());
    await fs.appendFile(file, 'garbage\n\n[1,2]\n{"time":"x"}\nnull\n');
    await log.append(sample());
    const { records, corruptLines, corruptLineNumbers } = await log.read();
    assert.strictEqual(records.length, 2);
    assert.strictEqual(corruptLines, 4);
    assert.deepStrictEqual(corruptLineNumbers, [2, 4, 5, 6]);
  });

  it('survives re-opening: a new AuditLog on the same file reads and extends it', async () => {
    await new AuditLog(file).append(sample({ durationMs: 1 }));
    await new AuditLog(file).append(sample({ durationMs: 2 }));
    const { records } = await new AuditLog(file).read();
    assert.deepStrictEqual(
      records.map((r: AuditRecord) => r.durationMs),
      [1, 2],
    );
  });

  it('an unwritable path gives a clear error naming the path, and later appends still work', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    await fs.writeFile(blocker, 'a file where the folder should be');
    const bad = path.join(blocker, 'audit.jsonl');
    const log = new AuditLog(bad);
    await assert.rejects(log.append(sample()), (e: unknown) => {
      assert.ok(e instanceof AuditLogError);
      assert.ok(e instanceof DockerPruneError);
      assert.strictEqual(e.path, bad);
      assert.ok(e.message.includes(bad), e.message);
      assert.ok(/Cannot write the audit log/.test(e.message), e.message);
      return true;
    });
    // the failure does not poison the queue
    await fs.rm(blocker);
    await fs.mkdir(blocker);
    await log.append(sample({ durationMs: 7 }));
    assert.deepStrictEqual(
      (await log.read()).records.map((r) => r.durationMs),
      [7],
    );
  });

  it('a folder where the file should be gives a clear error too', async () => {
    await fs.mkdir(file, { recursive: true });
    const log = new AuditLog(file);
    await assert.rejects(log.append(sample()), (e: unknown) => e instanceof AuditLogError && e.message.includes(file));
    await assert.rejects(log.read(), (e: unknown) => e instanceof AuditLogError && e.message.includes('Cannot read the audit log'));
  });

  it('permission denied is reported as such (when not running as root)', async function () {
    if (process.getuid?.() === 0 || process.platform === 'win32') this.skip();
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.chmod(path.dirname(file), 0o500);
    await assert.rejects(new AuditLog(file).append(sample()), (e: unknown) => e instanceof AuditLogError && e.kind === 'permission-denied');
  });

  it('appendSync writes a whole record before it returns, repairing a torn last line too', async () => {
    const log = new AuditLog(file);
    await log.append(sample({ durationMs: 1 }));
    await fs.appendFile(file, '{"time":"torn');
    log.appendSync(sample({ durationMs: 2 }));
    const { records, corruptLines } = await log.read();
    assert.deepStrictEqual(
      records.map((r) => r.durationMs),
      [1, 2],
    );
    assert.strictEqual(corruptLines, 1);
    assert.ok(!(await exists(lockPathFor(file))), 'the lock is gone after the append');
  });

  it('waits while another live process holds the lock, then appends', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const lock = lockPathFor(file);
    await fs.writeFile(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), token: 'someone-else', since: new Date().toISOString() }));
    const log = new AuditLog(file);
    let done = false;
    const appending = log.append(sample({ durationMs: 5 })).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(done, false, 'held back by the lock');
    await fs.rm(lock);
    await appending;
    assert.deepStrictEqual(
      (await log.read()).records.map((r) => r.durationMs),
      [5],
    );
  });

  it('a lock left by a dead process is broken at once', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const lock = lockPathFor(file);
    await fs.writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 11, host: os.hostname(), token: 'dead', since: new Date(0).toISOString() }));
    const log = new AuditLog(file);
    const t0 = Date.now();
    await log.append(sample({ durationMs: 6 }));
    log.appendSync(sample({ durationMs: 7 }));
    assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
    assert.deepStrictEqual(
      (await log.read()).records.map((r) => r.durationMs),
      [6, 7],
    );
    assert.ok(!(await exists(lock)));
  });

  it('appendSync gives up on a lock a live process keeps, with an error naming the holder (the caller prints the record)', async function () {
    this.timeout(10_000);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(lockPathFor(file), JSON.stringify({ pid: process.ppid, host: os.hostname(), token: 'parent', since: new Date().toISOString() }));
    assert.throws(
      () => new AuditLog(file).appendSync(sample()),
      (e: unknown) => e instanceof AuditLogError && /locked by process/.test(e.message),
    );
  });
});

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}
