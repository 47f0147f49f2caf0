/**
 * Every state file one version writes and the next reads, against the bad copies it may find (issue 18 §5): a
 * truncated copy, garbage in the middle, a newer format, another user's file, a read-only file system — and an
 * older format, read without loss. The five JSON files go through one table; the audit log (JSON lines, append-only)
 * has its own cases below. Another user's file and the read-only file system need root (chown, a tmpfs mounted
 * read-only once for this file); without root those cases are skipped.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuditLog, type AuditRecordInput } from '../../src/core/audit';
import { loadCliConfig } from '../../src/core/environments/configured';
import { lastUseFilePath, readLastUseFile, writeLastUseFile } from '../../src/core/lastUsed/lastUseFile';
import { claimScheduledRun, readClaim, scheduleClaimPath } from '../../src/core/schedule/scheduleClaim';
import { FileImageDetailsStore, type ImageDetails } from '../../src/core/snapshot/detailsCache';

const NOBODY = 65_534;
const isRoot = process.getuid?.() === 0;

/** What the product made of a file: the value it read (if any) and what it told the user. */
interface Outcome {
  readonly value?: unknown;
  readonly problem?: string;
}

interface StateCase {
  readonly name: string;
  readonly formatField: 'version' | 'format';
  readonly format: number;
  /** Damaged files are set aside (Docker Prune's own state) rather than refused (the user's config). */
  readonly setsAside: boolean;
  /** Writes a good current file through the product; its path. */
  seed(dir: string): string;
  /** What the product does with the file when it needs it (reading; a claim also writes). */
  load(dir: string): Outcome;
  /** The value as read, without writing anything. */
  peek(dir: string): unknown;
  /** What the product does to save its state there (undefined: it never writes this file); the message shown. */
  store?(dir: string): string | undefined;
  /** A file as an earlier version wrote it, and what it must read as. */
  readonly older: { readonly text: string; readonly value: unknown };
}

const details: ImageDetails = { parentId: '', createdNs: 1_700_000_000_000_000_001n, labels: { a: 'b' }, chain: ['sha256:c'], sizes: [7], exact: true };
const lastUse = (dir: string) => lastUseFilePath(dir, 'ENGINE');

const CASES: StateCase[] = [
  {
    name: 'last-use file',
    formatField: 'version',
    format: 1,
    setsAside: true,
    seed: (dir) => {
      writeLastUseFile(lastUse(dir), { engineKey: 'ENGINE', coveredSinceNs: 5n, images: new Map([['sha256:aa', { atNs: 6n, source: 'event' }]]) });
      return lastUse(dir);
    },
    load: (dir) => {
      const r = readLastUseFile(lastUse(dir), 'ENGINE');
      return { value: r.state && [...r.state.images.keys()], problem: r.problem };
    },
    peek: (dir) => readLastUseFile(lastUse(dir), 'ENGINE').state?.images.size,
    // As the tracker does (lastUseTracker.ts): it writes only over a file it may write.
    store: (dir) => {
      const r = readLastUseFile(lastUse(dir), 'ENGINE');
      return r.writable ? failure(() => writeLastUseFile(lastUse(dir), { engineKey: 'ENGINE', images: new Map() })) : r.problem;
    },
    // What 0.x wrote (version 1, the only one so far).
    older: {
      text: '{"version":1,"engine":"ENGINE","coveredSince":"5","seenUntil":"9","images":{"sha256:aa":{"at":"6","source":"event"}}}\n',
      value: ['sha256:aa'],
    },
  },
  {
    name: 'image details cache',
    formatField: 'format',
    format: 3,
    setsAside: true,
    seed: (dir) => {
      new FileImageDetailsStore(dir).save('ENGINE', new Map([['sha256:x', details]]));
      return path.join(dir, 'images-ENGINE.json');
    },
    load: (dir) => {
      const warnings: string[] = [];
      const map = new FileImageDetailsStore(dir, (m) => warnings.push(m)).load('ENGINE');
      return { value: map.size ? [...map.keys()] : undefined, problem: warnings.join(' ') || undefined };
    },
    peek: (dir) => new FileImageDetailsStore(dir).load('ENGINE').size,
    store: (dir) => {
      const warnings: string[] = [];
      const store = new FileImageDetailsStore(dir, (m) => warnings.push(m));
      store.load('ENGINE');
      store.save('ENGINE', new Map([['sha256:y', details]]));
      return warnings.join(' ') || undefined;
    },
    // Format 2, before the images' provenance was kept: read as empty, quietly — derived data the engine gives back
    // (the details are read from it again), so nothing is lost.
    older: {
      text: '{"format":2,"images":{"sha256:x":{"parentId":"","createdNs":"1","labels":null,"chain":["sha256:c"],"sizes":[7],"exact":true}}}',
      value: undefined,
    },
  },
  {
    name: 'schedule claim',
    formatField: 'format',
    format: 1,
    setsAside: true,
    seed: (dir) => {
      claimScheduledRun({ dir, engineKey: 'ENGINE', owner: 'w1', intervalMs: 60_000, now: 1_000 });
      return scheduleClaimPath(dir, 'ENGINE');
    },
    load: (dir) => {
      try {
        const r = claimScheduledRun({ dir, engineKey: 'ENGINE', owner: 'w2', intervalMs: 1, now: 10_000_000_000_000 });
        return { value: r.claimed, problem: r.claimed ? r.problem : undefined };
      } catch (e) {
        return { problem: (e as Error).message };
      }
    },
    peek: (dir) => readClaim(scheduleClaimPath(dir, 'ENGINE'))?.by,
    store: (dir) => failure(() => claimScheduledRun({ dir, engineKey: 'ENGINE', owner: 'w3', intervalMs: 1, now: 20_000_000_000_000 })),
    // Claims had no format field before: format 1.
    older: { text: '{"at":1000,"by":"old-window","pid":1}', value: true },
  },
  {
    name: 'CLI config file',
    formatField: 'format',
    format: 1,
    setsAside: false,
    seed: (dir) => {
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, JSON.stringify({ environments: [{ name: 'build-box', host: 'tcp://127.0.0.1:2376', protected: true }] }, null, 2));
      return file;
    },
    load: (dir) => {
      try {
        return { value: loadCliConfig(path.join(dir, 'config.json')).environments.map((e) => `${e.name}:${e.protected}`) };
      } catch (e) {
        return { problem: (e as Error).message };
      }
    },
    peek: (dir) => loadCliConfig(path.join(dir, 'config.json')).environments.length,
    older: { text: '{"environments":[{"name":"old","host":"unix:///var/run/docker.sock","readOnly":true}]}', value: ['old:false'] },
  },
];

describe('state files: bad copies (issue 18 §5)', () => {
  let root: string;
  let roDir: string;
  let mounted = false;
  const seededOnRo = new Map<string, unknown>();

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-state-'));
    if (!isRoot) return;
    roDir = path.join(root, 'ro');
    fs.mkdirSync(roDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', roDir]);
    mounted = true;
    for (const c of CASES) {
      const dir = path.join(roDir, slug(c.name));
      fs.mkdirSync(dir);
      c.seed(dir);
      seededOnRo.set(c.name, c.peek(dir));
    }
    new AuditLog(path.join(roDir, 'audit', 'audit.jsonl')).appendSync(sample(1));
    execFileSync('mount', ['-o', 'remount,ro', roDir]);
  });

  after(() => {
    if (mounted) execFileSync('umount', [roDir]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  let n = 0;
  const freshDir = (name: string) => fs.mkdtempSync(path.join(root, `${slug(name)}-${n++}-`));

  for (const c of CASES) {
    describe(c.name, () => {
      const damaged = (label: string, spoil: (text: string) => string) =>
        it(`${label}: ${c.setsAside ? 'set aside with a message naming where it went; a fresh file is started' : 'refused with a message, the file left as it is'}`, () => {
          const dir = freshDir(c.name);
          const file = c.seed(dir);
          const bad = spoil(fs.readFileSync(file, 'utf8'));
          fs.writeFileSync(file, bad);
          const out = c.load(dir);
          assert.ok(out.problem?.includes(file), `${c.name}: ${out.problem}`);
          if (!c.setsAside) {
            assert.ok(/not valid JSON/.test(out.problem!), out.problem);
            assert.strictEqual(fs.readFileSync(file, 'utf8'), bad);
            return;
          }
          const aside = fs.readdirSync(dir).filter((f) => f.startsWith(`${path.basename(file)}.corrupt-`));
          assert.strictEqual(aside.length, 1, fs.readdirSync(dir).join(', '));
          assert.ok(out.problem!.includes(aside[0]!), out.problem);
          assert.strictEqual(fs.readFileSync(path.join(dir, aside[0]!), 'utf8'), bad, 'kept byte for byte');
          assert.strictEqual(c.store?.(dir), undefined);
          assert.ok(c.peek(dir) !== undefined, 'a fresh file is readable');
        });
      damaged('a truncated copy', (t) => t.slice(0, Math.floor(t.length / 2)));
      damaged('garbage in the middle', (t) => t.slice(0, Math.floor(t.length / 2)) + '\u0000\u0007garbage' + t.slice(Math.floor(t.length / 2)));

      it('a newer format: not used, not written over, and the message says to update or move it aside', () => {
        const dir = freshDir(c.name);
        const file = c.seed(dir);
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
        const newer = JSON.stringify({ ...json, [c.formatField]: c.format + 1, futureField: 1 });
        fs.writeFileSync(file, newer);
        const out = c.load(dir);
        assert.strictEqual(out.value === true || (Array.isArray(out.value) && out.value.length > 0), false, 'not used');
        assert.ok(
          out.problem?.includes(
            `was written by a newer Docker Prune (format ${c.format + 1}; this version reads up to ${c.format}): update Docker Prune, or move the file aside`,
          ),
          out.problem,
        );
        if (c.store) assert.ok(c.store(dir)?.includes('newer Docker Prune'));
        assert.strictEqual(fs.readFileSync(file, 'utf8'), newer);
      });

      it("another user's file: not trusted, not written over, and the message says whose and what to do", function () {
        if (!isRoot) this.skip();
        const dir = freshDir(c.name);
        const file = c.seed(dir);
        const before = fs.readFileSync(file, 'utf8');
        fs.chownSync(file, NOBODY, NOBODY);
        const out = c.load(dir);
        assert.ok(out.problem?.includes(`belongs to another user (uid ${NOBODY}`) && out.problem.includes('chown'), out.problem);
        if (c.store) assert.ok(c.store(dir)?.includes('belongs to another user'));
        assert.strictEqual(fs.readFileSync(file, 'utf8'), before);
        assert.strictEqual(fs.statSync(file).uid, NOBODY);
      });

      it('a read-only file system: reading works; writing fails saying the file system is read-only', function () {
        if (!mounted) this.skip();
        const dir = path.join(roDir, slug(c.name));
        assert.deepStrictEqual(c.peek(dir), seededOnRo.get(c.name));
        if (c.store) assert.ok(/file system is read-only/.test(c.store(dir) ?? ''), c.store(dir));
      });

      it('an older format is read without loss', () => {
        const dir = freshDir(c.name);
        const file = c.seed(dir);
        fs.writeFileSync(file, c.older.text);
        const out = c.load(dir);
        assert.deepStrictEqual([out.value, out.problem], [c.older.value, undefined]);
      });
    });
  }

  describe('audit log (JSON lines, append-only)', () => {
    const fresh = async (records = 3) => {
      const file = path.join(freshDir('audit'), 'audit.jsonl');
      const log = new AuditLog(file, { warn: () => assert.fail('nothing is set aside') });
      for (let i = 1; i <= records; i++) await log.append(sample(i));
      return { file, log };
    };

    it('a truncated copy (torn last line): read skips it by line number, the next append starts a fresh line; nothing set aside', async () => {
      const { file, log } = await fresh();
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.slice(0, text.length - 40));
      await log.append(sample(4));
      const read = await log.read();
      assert.deepStrictEqual(
        read.records.map((r) => r.durationMs),
        [1, 2, 4],
      );
      assert.deepStrictEqual(read.corruptLineNumbers, [3]);
      assert.deepStrictEqual(
        fs.readdirSync(path.dirname(file)).filter((f) => f.includes('corrupt')),
        [],
      );
    });

    it('garbage in the middle: that line is reported by number and skipped; every other record is kept', async () => {
      const { file, log } = await fresh();
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.splice(1, 0, '\u0000\u0007garbage{"time"');
      fs.writeFileSync(file, lines.join('\n'));
      await log.append(sample(4));
      const read = await log.read();
      assert.deepStrictEqual(
        read.records.map((r) => r.durationMs),
        [1, 2, 3, 4],
      );
      assert.deepStrictEqual(read.corruptLineNumbers, [2]);
    });

    it('a file that is not an audit file at all is set aside with a message, and a new audit log started', async () => {
      const file = path.join(freshDir('audit'), 'audit.jsonl');
      fs.writeFileSync(file, '\u0000\u0001not an audit file\n');
      const warned: string[] = [];
      const log = new AuditLog(file, { warn: (m) => warned.push(m) });
      await log.append(sample(1));
      assert.strictEqual(warned.length, 1);
      const aside = fs.readdirSync(path.dirname(file)).find((f) => f.startsWith('audit.jsonl.corrupt-'))!;
      assert.ok(warned[0]!.includes(aside) && warned[0]!.includes('not an audit file'), warned[0]);
      assert.strictEqual(fs.readFileSync(path.join(path.dirname(file), aside), 'utf8'), '\u0000\u0001not an audit file\n');
      assert.deepStrictEqual(
        (await log.read()).records.map((r) => r.durationMs),
        [1],
      );
    });

    it('a newer format: nothing is appended (append and the pre-prune check refuse, saying so); reading still works and says so', async () => {
      const { file, log } = await fresh(1);
      fs.appendFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), durationMs: 9, format: 3 }) + '\n');
      const before = fs.readFileSync(file, 'utf8');
      const message = `was written by a newer Docker Prune (format 3; this version reads up to 1): update Docker Prune, or move the file aside`;
      await assert.rejects(log.checkAppendable(), (e: Error) => e.message.includes(message) && e.message.includes(file));
      await assert.rejects(log.append(sample(2)), (e: Error) => e.message.includes(message));
      assert.throws(
        () => log.appendSync(sample(2)),
        (e: Error) => e.message.includes(message),
      );
      assert.strictEqual(fs.readFileSync(file, 'utf8'), before);
      const read = await log.read();
      assert.deepStrictEqual([read.records.length, read.newerFormat], [2, 3]);
    });

    it("another user's file: nothing is appended, and the message says whose; reading it says so too", async function () {
      if (!isRoot) this.skip();
      const { file, log } = await fresh(1);
      fs.chownSync(file, NOBODY, NOBODY);
      const before = fs.readFileSync(file, 'utf8');
      await assert.rejects(log.checkAppendable(), (e: Error) => e.message.includes(`belongs to another user (uid ${NOBODY}`));
      await assert.rejects(log.append(sample(2)), (e: Error) => e.message.includes('belongs to another user'));
      assert.strictEqual(fs.readFileSync(file, 'utf8'), before);
      const read = await log.read();
      assert.ok(read.records.length === 1 && read.foreignOwner?.includes('belongs to another user'), 'read, and said whose it is');
    });

    it('a read-only file system: reading works; the pre-prune check and appends fail saying so', async function () {
      if (!mounted) this.skip();
      const log = new AuditLog(path.join(roDir, 'audit', 'audit.jsonl'));
      assert.deepStrictEqual(
        (await log.read()).records.map((r) => r.durationMs),
        [1],
      );
      await assert.rejects(log.checkAppendable(), (e: Error) => /file system is read-only/.test(e.message));
      await assert.rejects(log.append(sample(2)), (e: Error) => /file system is read-only/.test(e.message));
    });

    it('an older format (records without a format field, as every earlier version wrote) is read and appended to without loss', async () => {
      const file = path.join(freshDir('audit'), 'audit.jsonl');
      const old = { time: '2025-01-01T00:00:00.000Z', user: 'u', host: 'h', ...sample(1) };
      fs.writeFileSync(file, JSON.stringify(old) + '\n');
      const log = new AuditLog(file, { warn: () => assert.fail('nothing is set aside') });
      await log.checkAppendable();
      await log.append(sample(2));
      const read = await log.read();
      assert.deepStrictEqual(read.records[0], old);
      assert.deepStrictEqual([read.records.map((r) => r.format), read.corruptLines, read.newerFormat], [[undefined, 1], 0, undefined]);
    });
  });
});

function sample(durationMs: number): AuditRecordInput {
  return {
    environment: 'local',
    trigger: 'manual',
    mode: 'dangling',
    native: false,
    filters: [],
    protect: [],
    plan: null,
    result: null,
    durationMs,
    outcome: 'success',
  };
}

/** The message `fn` throws; undefined when it does not. */
function failure(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, '-');
}
