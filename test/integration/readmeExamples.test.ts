/**
 * The documents' command lines, run as written: every `docker-prune …` line of the `sh` blocks of README.md and
 * docs/*.md (a cron line without
 * its schedule and redirection, each command of an `&&` chain) through the built CLI against a real engine
 * (Docker 28.5 on overlay2, with images and a BuildKit cache), the way cron would run it: no terminal, its own
 * HOME. Each must exit 0, print JSON where it asks for JSON, and every prune must end in the audit as a success.
 * So an example that drifts from the CLI (a renamed flag, a filter the parser refuses) fails here. An example that
 * cannot run against a test engine (a context, an SSH host, a configured environment) is written in a `bash` block,
 * which is not run; a synopsis line (`[options]`) is not a command.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildImage } from '../support/buildx';
import { startEngine, type TestEngine } from '../support/dockerd';
import { generatePopulation, loadPopulation } from '../support/population';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const KB = 1024;

/** The README's `docker-prune` commands, as argument lists (without the program name). */
export function readmeCommands(readme: string): string[][] {
  const lines: string[] = [];
  let inSh = false;
  for (const line of readme.split('\n')) {
    if (/^```sh\s*$/.test(line)) inSh = true;
    else if (/^```/.test(line)) inSh = false;
    else if (inSh) lines.push(line);
  }
  const commands: string[][] = [];
  for (const line of lines) {
    const words = shellWords(line.replace(/^(\S+\s+){5}(?=docker-prune )/, ''));
    let current: string[] | undefined;
    for (const w of words) {
      if (w === '&&' || w === '>>' || w === '#') {
        if (current) commands.push(current);
        current = undefined;
        if (w !== '&&') break;
      } else if (w === 'docker-prune' && !current) current = [];
      else current?.push(w);
    }
    if (current) commands.push(current);
  }
  // Synopsis lines (`[options]`) are not commands.
  return commands.filter((c) => !c.some((w) => w.startsWith('[')));
}

/** Splits a line as sh would for these examples: single and double quotes, `#` comments, `&&` and `>>`. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(&&|>>|#.*$)|([^\s'"]+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[3]?.startsWith('#')) {
      words.push('#');
      break;
    }
    words.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return words;
}

/** The documents whose examples run: the README, then docs/*.md in name order. */
function exampleDocuments(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

describe('the README and docs/ examples, run as written (Docker 28.5, overlay2)', function () {
  this.timeout(10 * 60_000);
  let te: TestEngine;
  let home: string;
  const perDocument = exampleDocuments().map((f) => ({ file: f, commands: readmeCommands(fs.readFileSync(path.join(ROOT, f), 'utf8')) }));
  const commands = perDocument.flatMap((d) => d.commands);

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-readme-'));
    te = await startEngine({ name: 'readme', suite: 'sid', store: 'graphdriver' });
    await loadPopulation(te.socketPath, generatePopulation({ seed: 31, images: 24, danglingRatio: 0.3, chainRatio: 0.3, now: new Date(), maxAgeDays: 40 }));
    await buildImage(te, 'r', [{ file: 'r.bin', bytes: 200 * KB, seed: 'r' }]);
  });
  after(async () => {
    await te?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('finds the examples: prunes (cron lines too), the build cache and the audit', () => {
    const names = commands.map((c) =>
      c
        .filter((w) => !w.startsWith('-'))
        .slice(0, 2)
        .join(' '),
    );
    for (const expected of ['prune', 'builder plan', 'builder prune', 'audit'])
      assert.ok(
        names.some((n) => n === expected || n.startsWith(`${expected} `)),
        `an example of ${expected}: ${names.join(', ')}`,
      );
    assert.ok(
      commands.some((c) => c.includes('--watermark')),
      'the watermark cron line',
    );
    assert.ok(commands.length >= 15, `${commands.length} commands`);
    const counts = perDocument.filter((d) => d.commands.length > 0).map((d) => `${d.file}: ${d.commands.length}`);
    console.log(`      examples: ${counts.join(', ')}`);
    for (const f of ['README.md', 'docs/cli.md', 'docs/build-cache.md', 'docs/audit.md', 'docs/watermarks.md', 'docs/last-used.md']) {
      assert.ok(perDocument.find((d) => d.file === f)!.commands.length > 0, `${f} has runnable examples`);
    }
  });

  it('every example exits 0 against a real engine, prints JSON where asked, and its prunes end as successes in the audit', () => {
    const audit = path.join(home, 'audit.jsonl');
    for (const args of commands) {
      const r = spawnSync(process.execPath, [CLI, ...args], {
        encoding: 'utf8',
        input: '',
        env: { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: path.join(home, 'state'), DOCKER_HOST: te.dockerHost, DOCKER_PRUNE_AUDIT_FILE: audit },
        timeout: 180_000,
      });
      const shown = `docker-prune ${args.join(' ')}`;
      assert.strictEqual(r.status, 0, `${shown}: exit ${r.status}\n${r.stderr}`);
      if (args.includes('--json')) assert.doesNotThrow(() => JSON.parse(r.stdout), `${shown} prints JSON`);
    }
    const ends = fs
      .readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { phase?: string; outcome?: string })
      .filter((x) => x.phase === 'end');
    const prunes = commands.filter((c) => c.includes('prune')).length;
    assert.strictEqual(ends.length, prunes, 'one end record per prune');
    assert.deepStrictEqual([...new Set(ends.map((e) => e.outcome))], ['success']);
  });
});
