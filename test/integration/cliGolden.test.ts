/**
 * The CLI's text output, held against golden files in test/golden/ (as docker/cli tests its prune output): `plan`,
 * `plan --all`, `prune --yes`, `audit`, `builder plan`, and the errors a user meets first, from the built binary
 * against a real engine with a fixed population (seed 7, created times before 2025-01-01).
 * What varies from run to run is masked first (normalise): socket and home paths, durations, timestamps, ages
 * relative to now (and so the padding of the columns they sit in), version numbers, prune ids.
 * UPDATE_GOLDEN=1 rewrites the files instead of comparing; without it the test never writes a tracked file.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtCli, type BuiltCli, type CliRun } from '../support/builtCli';
import { startEngine, type TestEngine } from '../support/dockerd';
import { generatePopulation, loadPopulation } from '../support/population';

const GOLDEN_DIR = path.resolve(__dirname, '../../../test/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The run as the golden file holds it: exit code, stdout, stderr, with what varies masked. */
function normalise(run: CliRun, masks: ReadonlyArray<readonly [string, string]>): string {
  const mask = (text: string) => {
    let t = text;
    for (const [literal, name] of masks) t = t.split(literal).join(name);
    return (
      t
        .replace(/\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?/g, '<time>')
        .replace(/\b(in|took|after) \d+(\.\d+)? ?(ns|µs|us|ms|s|min|m|h)\b/g, '$1 <duration>')
        .replace(/\b(\d+|an?) (second|minute|hour|day|week|month|year)s?\b/g, '<age>')
        // Relative times: a container that exited a moment ago exited "now", or "<age> ago" on a slower run.
        .replace(/\b(exited|created) now\b/g, '$1 <age> ago')
        .replace(/\b(Docker|Podman|API|version) v?\d+\.\d+(\.\d+)?[^\s,)]*/g, '$1 <version>')
        .replace(/\b(pid|process) \d+/g, '$1 <pid>')
        .replace(/\bprune [0-9a-f]{8,}\b/g, 'prune <id>')
        // Columns are padded to their widest cell, and the ages in them change with the day: compare the cells.
        .replace(/ {2,}/g, '  ')
        .replace(/[ \t]+$/gm, '')
    );
  };
  return `exit ${run.status}\n--- stdout\n${mask(run.stdout)}\n--- stderr\n${mask(run.stderr)}\n`;
}

describe('docker-prune CLI text output (golden files, real engine)', function () {
  this.timeout(10 * 60_000);
  let engine: TestEngine;
  let home: string;
  let cli: BuiltCli;
  let masks: Array<readonly [string, string]>;

  before(async () => {
    engine = await startEngine({ name: 'golden' });
    await loadPopulation(engine.socketPath, generatePopulation({ seed: 7, images: 24, multiTagRatio: 0.3 }));
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-golden-'));
    cli = builtCli(home, () => engine.dockerHost);
    masks = [
      [engine.dockerHost, '<engine>'],
      [engine.socketPath, '<socket>'],
      [home, '<home>'],
      [os.hostname(), '<host>'],
    ];
  });
  after(async () => {
    await engine?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const golden = (name: string, args: string[]) =>
    it(`docker-prune ${args.join(' ')} → test/golden/${name}.txt`, async () => {
      const text = `$ docker-prune ${args.join(' ')}\n${normalise(await cli.start(args), masks)}`;
      const file = path.join(GOLDEN_DIR, `${name}.txt`);
      if (UPDATE) {
        fs.mkdirSync(GOLDEN_DIR, { recursive: true });
        fs.writeFileSync(file, text);
        return;
      }
      assert.ok(fs.existsSync(file), `${file} exists (UPDATE_GOLDEN=1 writes it)`);
      assert.strictEqual(text, fs.readFileSync(file, 'utf8'), `the output differs from ${file} (UPDATE_GOLDEN=1 rewrites it, then read the diff)`);
    });

  // In this order: the prune changes what the audit and the later plans see.
  golden('plan', ['plan']);
  golden('plan-all', ['plan', '--all']);
  golden('prune-yes', ['prune', '--yes']);
  golden('audit', ['audit']);
  golden('builder-plan', ['builder', 'plan']);
  golden('error-bad-filter', ['plan', '--filter', 'colour=red']);
  golden('error-unknown-flag', ['plan', '--colour']);
  golden('error-unreachable-host', ['plan', '-H', 'unix:///nonexistent/docker-prune-golden.sock']);
  golden('error-native-unused-for', ['prune', '--native', '--filter', 'unused-for=7d', '--yes']);
});
