/**
 * Bad state files through the built CLI (`node dist/cli.js`) against a real engine (issue 18 §5):
 * - a damaged last-use file and a damaged image details cache: `plan` still works, the same plan, and says on
 *   stderr where each file was set aside;
 * - an audit file this version must not append to — a newer format's, another user's, one on a read-only file
 *   system: `prune --yes` is refused with the message and not one image is deleted, the audit file untouched.
 * The unit tests (test/unit/stateFiles.test.ts) go through every case for every file; this is the product end to end.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtCli, CLI } from '../support/builtCli';
import { startEngine, type TestEngine } from '../support/dockerd';
import { generatePopulation, loadPopulation } from '../support/population';

describe('state files through the built CLI (real engine)', function () {
  this.timeout(5 * 60_000);
  let engine: TestEngine;
  let home: string;
  const cli = () => builtCli(home, () => engine.dockerHost);
  const planIds = () => cli().planIds();

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-statefiles-'));
    engine = await startEngine({ name: 'statefiles' });
    await loadPopulation(engine.socketPath, generatePopulation({ seed: 18, images: 12, multiTagRatio: 0.2 }));
  });
  after(async () => {
    await engine?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('with a damaged last-use file and a damaged details cache, plan still works and says where each was set aside', () => {
    const before = planIds(); // writes both files
    const lastUseDir = path.join(home, 'state', 'docker-prune', 'last-used');
    const cacheDir = path.join(home, '.cache', 'docker-prune', 'images');
    const lastUse = path.join(lastUseDir, fs.readdirSync(lastUseDir)[0]!);
    const cache = path.join(
      cacheDir,
      fs.readdirSync(cacheDir).find((f) => f.endsWith('.json'))!,
    );
    const text = fs.readFileSync(lastUse, 'utf8');
    fs.writeFileSync(lastUse, text.slice(0, text.length / 2));
    const cached = fs.readFileSync(cache, 'utf8');
    fs.writeFileSync(cache, cached.slice(0, 100) + '\u0000garbage\u0000' + cached.slice(100));

    const r = cli().tryRun(['plan', '--all', '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual((JSON.parse(r.stdout) as { images: Array<{ id: string }> }).images.map((i) => i.id).sort(), before);
    for (const [file, what] of [
      [lastUse, 'The last-use file'],
      [cache, 'The image details cache'],
    ] as const) {
      const aside = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(`${path.basename(file)}.corrupt-`));
      assert.strictEqual(aside.length, 1, `${what} set aside once`);
      assert.ok(r.stderr.includes(`${what} ${file} is damaged`) && r.stderr.includes(aside[0]!), r.stderr);
      assert.ok(fs.existsSync(file), `${what}: a fresh one is written`);
    }
  });

  /** Refuses `prune --all --yes` with `message` on stderr; nothing deleted, the audit file as it was. */
  const refusesPrune = (message: string) => {
    const before = planIds();
    assert.ok(before.length > 0);
    const audit = fs.readFileSync(cli().auditFile, 'utf8');
    const r = cli().tryRun(['prune', '--all', '--yes']);
    assert.notStrictEqual(r.status, 0, r.stdout);
    assert.ok(r.stderr.includes(message), r.stderr);
    assert.deepStrictEqual(planIds(), before, 'not one image deleted');
    assert.strictEqual(fs.readFileSync(cli().auditFile, 'utf8'), audit, 'the audit file untouched');
  };

  it('with an audit file of a newer format, prune --yes is refused with the message and nothing is deleted', () => {
    const record = {
      time: '2026-01-01T00:00:00.000Z',
      user: 'u',
      host: 'h',
      environment: 'x',
      trigger: 'manual',
      mode: 'all',
      native: false,
      filters: [],
      protect: [],
      plan: null,
      result: null,
      durationMs: 1,
      outcome: 'success',
    };
    fs.writeFileSync(cli().auditFile, JSON.stringify(record) + '\n' + JSON.stringify({ ...record, format: 3 }) + '\n');
    refusesPrune(
      `The audit log ${cli().auditFile} was written by a newer Docker Prune (format 3; this version reads up to 1): update Docker Prune, or move the file aside.`,
    );
    const audit = cli().tryRun(['audit']);
    assert.strictEqual(audit.status, 0, audit.stderr);
    assert.ok(audit.stderr.includes('has records written by a newer Docker Prune (format 3'), audit.stderr);
  });

  it("with another user's audit file, prune --yes is refused with the message and nothing is deleted", function () {
    if (process.getuid?.() !== 0) this.skip();
    fs.writeFileSync(cli().auditFile, '');
    fs.chownSync(cli().auditFile, 65_534, 65_534);
    refusesPrune(`The audit log ${cli().auditFile} belongs to another user (uid 65534`);
    fs.rmSync(cli().auditFile);
  });

  it('with the audit file on a read-only file system, prune --yes is refused with the message and nothing is deleted', function () {
    if (process.getuid?.() !== 0) this.skip();
    const dir = path.join(home, 'ro');
    fs.mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    try {
      const file = path.join(dir, 'audit.jsonl');
      fs.writeFileSync(file, '');
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      fs.rmSync(cli().auditFile, { force: true });
      fs.symlinkSync(file, cli().auditFile);
      refusesPrune('Its file system is read-only');
    } finally {
      execFileSync('umount', [dir]);
    }
  });
});
