/**
 * Hostile engine data through the built CLI (`node dist/cli.js`) against a real engine: images whose labels hold
 * escape sequences, carriage returns, bidi controls, Markdown and HTML, the longest tag and repository the engine
 * accepts, and a build-cache record whose description (a file name in a COPY step) holds ESC, BEL and a bidi
 * override. The text output of `plan`, `prune`, `audit` and `builder plan` must never carry them raw — only the
 * escaped form (`\x1b`, `\u202e`), long values cut with `…` — while the audit file and `--json` keep them whole.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildImage } from '../support/buildx';
import { startEngine, type TestEngine } from '../support/dockerd';
import { enginesFromEnv } from '../support/engines';
import {
  BIG_LABEL_VALUE,
  CONTROL_LABELS,
  LABELLED_REFERENCE,
  LONGEST_REFERENCE,
  LONGEST_REPOSITORY,
  RAW_HIDDEN,
  loadHostilePopulation,
  type HostileImages,
} from '../support/hostilePopulation';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
/** A COPY step's file name: the engine's build-cache record describes the step with it. */
/** ESC c resets a terminal; BEL rings; U+202E shows `exe.png` as `gnp.exe`. (`[` would be a glob to BuildKit.) */
const HOSTILE_FILE = 'evil\x1bc\x07\u202egnp.exe';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A newer engine: the build-cache part needs BuildKit with buildx, which Docker 20.10 (bookworm) lacks here. */
const flavour = enginesFromEnv({ DP_ENGINES: '28-gd' })[0]!;

describe(`hostile engine data in the CLI's output (${flavour.label})`, function () {
  this.timeout(5 * 60_000);
  let te: TestEngine;
  let tmp: string;
  let auditFile: string;
  let ids: HostileImages;

  const cli = (args: string[]): Run => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      input: '',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: tmp, XDG_CACHE_HOME: path.join(tmp, 'cache'), DOCKER_HOST: te.dockerHost, DOCKER_PRUNE_AUDIT_FILE: auditFile },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const assertSafe = (what: string, r: Run) => {
    const raw = RAW_HIDDEN.exec(r.stdout + r.stderr);
    assert.strictEqual(raw, null, `${what}: a raw U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in\n${r.stdout}${r.stderr}`);
  };

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    te = await startEngine({ name: 'hostile', suite: flavour.suite, store: flavour.store });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-hostile-'));
    auditFile = path.join(tmp, 'audit.jsonl');
    ids = await loadHostilePopulation(te.socketPath);
  });
  after(async () => {
    await te?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('plan: the longest reference is cut with …, nothing raw; --json keeps the exact reference', () => {
    const text = cli(['plan', '--all']);
    assert.strictEqual(text.status, 0, text.stderr);
    assertSafe('plan', text);
    assert.ok(text.stdout.includes(LABELLED_REFERENCE), text.stdout);
    assert.ok(!text.stdout.includes(LONGEST_REFERENCE), 'the 383-character reference is not shown whole');
    const row = text.stdout.split('\n').find((l) => l.includes('hostile/rrrr'));
    assert.ok(row && /hostile\/r+…/.test(row), `cut with an ellipsis: ${row}`);

    const json = cli(['plan', '--all', '--json']);
    assert.strictEqual(json.status, 0, json.stderr);
    const plan = JSON.parse(json.stdout) as { images: Array<{ id: string; tags: string[] }> };
    assert.deepStrictEqual(plan.images.find((i) => i.id === ids.longest)?.tags, [LONGEST_REFERENCE]);
    assert.ok(LONGEST_REPOSITORY.length + 'docker.io/'.length === 255 && LONGEST_REFERENCE.endsWith(`:${'t'}${'a'.repeat(126)}g`));
  });

  it('label filters match the exact hostile values (CR, ESC, bidi, 64 kB): the engine and the CLI keep them whole', () => {
    for (const [key, value] of [...Object.entries(CONTROL_LABELS), ['evil.big', BIG_LABEL_VALUE] as const]) {
      const r = cli(['plan', '--all', '--json', '--filter', `label=${key}=${value}`]);
      assert.strictEqual(r.status, 0, `${key}: ${r.stderr}`);
      const found = (JSON.parse(r.stdout) as { images: Array<{ id: string }> }).images.map((i) => i.id).sort();
      assert.deepStrictEqual(found, [ids.labelled, ids.dangling].sort(), `label=${key}=… selects the two images carrying it`);
      const near = cli(['plan', '--all', '--json', '--filter', `label=${key}=${value.slice(0, -1)}`]);
      assert.deepStrictEqual((JSON.parse(near.stdout) as { images: unknown[] }).images, [], `${key}: one character short matches nothing`);
    }
  });

  it('prune and audit: text output escaped and cut; the audit file keeps the reference whole', () => {
    const prune = cli(['prune', '--all', '--yes']);
    assert.strictEqual(prune.status, 0, prune.stderr);
    assertSafe('prune', prune);
    assert.ok(prune.stdout.includes('untagged: hostile/rrr') && prune.stdout.includes('…'), prune.stdout);
    assert.ok(!prune.stdout.includes(LONGEST_REFERENCE));

    const records = fs
      .readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { phase: string; steps?: Array<{ id: string; tags: string[] }> });
    const start = records.find((r) => r.phase === 'start' && r.steps);
    assert.deepStrictEqual(start?.steps?.find((s) => s.id === ids.longest)?.tags, [LONGEST_REFERENCE], 'the audit keeps the reference whole');

    const audit = cli(['audit']);
    assert.strictEqual(audit.status, 0, audit.stderr);
    assertSafe('audit', audit);
    assert.match(audit.stdout, /success/);
  });

  it('builder plan: a record described with ESC, BEL and U+202E shows them escaped; --json keeps them', async () => {
    await buildImage(te, 'hostile', [{ file: HOSTILE_FILE, bytes: 64 * 1024, seed: 'hostile' }]);
    const text = cli(['builder', 'plan', '--all']);
    assert.strictEqual(text.status, 0, text.stderr);
    assertSafe('builder plan', text);
    assert.ok(text.stdout.includes('evil\\x1bc\\x07\\u202egnp.exe'), text.stdout);

    const json = cli(['builder', 'plan', '--all', '--json']);
    assert.strictEqual(json.status, 0, json.stderr);
    assertSafe('builder plan --json', json);
    const records = (JSON.parse(json.stdout) as { records: Array<{ description: string }> }).records;
    assert.ok(
      records.some((r) => r.description.includes(HOSTILE_FILE)),
      `the exact name in --json: ${json.stdout}`,
    );
  });
});
