/**
 * The CLI through the built binary (`node dist/cli.js`), against a real engine: previews, prunes, JSON shapes,
 * confirmation rules, exit codes, the audit file, and every bad input the CLI can be given.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { apiJson, freshEngine, startEngine, type TestEngine } from '../support/dockerd';
import { generatePopulation, loadPopulation } from '../support/population';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('docker-prune CLI (built binary, real engine)', function () {
  this.timeout(5 * 60_000);
  let testEngine: TestEngine;
  let tmp: string;
  let auditFile: string;

  const cli = (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Run => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      input: opts.input ?? '',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: tmp, DOCKER_HOST: testEngine.dockerHost, DOCKER_PRUNE_AUDIT_FILE: auditFile, ...opts.env },
      timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const imageCount = async () => (JSON.parse(cli(['plan', '--all', '--json']).stdout) as { images: unknown[] }).images.length;

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    testEngine = await startEngine({ name: 'cli' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-cli-'));
  });
  after(async () => {
    await testEngine?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    testEngine = await freshEngine(testEngine, { name: 'cli' });
    await loadPopulation(testEngine.socketPath, generatePopulation({ seed: 7, images: 40, multiTagRatio: 0.3 }));
    auditFile = path.join(tmp, `audit-${Date.now()}.jsonl`);
  });

  it('--help documents every command and option, exit 0', () => {
    const r = cli(['--help']);
    assert.strictEqual(r.status, 0);
    for (const word of [
      'plan',
      'prune',
      '--all',
      '--filter',
      'until=',
      'label=',
      'label!=',
      '--protect',
      '--keep-latest',
      '--native',
      '--json',
      '--yes',
      '--host',
      '--audit-file',
      'Exit codes',
    ]) {
      assert.ok(r.stdout.includes(word), `help mentions ${word}`);
    }
  });

  it('plan --json prints the preview shape and changes nothing', async () => {
    const r = cli(['plan', '--all', '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { images: Array<Record<string, unknown>>; spaceReclaimable: number };
    assert.ok(plan.images.length > 0);
    for (const i of plan.images) {
      assert.deepStrictEqual(Object.keys(i).sort(), ['action', 'bytes', 'id', 'source', 'tags']);
      assert.ok(['pulled', 'built', 'loaded', 'unknown'].includes((i.source as { kind: string }).kind), JSON.stringify(i.source));
      assert.match(String(i.id), /^sha256:[0-9a-f]{64}$/);
      assert.ok(i.action === 'delete' || i.action === 'untag');
    }
    assert.strictEqual(
      plan.spaceReclaimable,
      plan.images.reduce((s, i) => s + Number(i.bytes), 0),
    );
    assert.strictEqual(await imageCount(), plan.images.length, 'nothing was removed');
  });

  it('plan names the kept images that only stopped containers hold, with each container as the engine describes it', async () => {
    testEngine = await freshEngine(testEngine, { name: 'cli' });
    const loaded = await loadPopulation(testEngine.socketPath, generatePopulation({ seed: 8, images: 30, containers: { created: 2, exited: 2, running: 1 } }));
    // One more exited container that wrote a file, on a tagged image no container uses yet: its own bytes show.
    // (Not an ancestor of a running container's image either: that container holds it too.)
    const images = await apiJson<Array<{ Id: string; ParentId: string }>>(testEngine.socketPath, 'GET', '/images/json?all=1');
    const parentOf = new Map(images.map((i) => [i.Id, i.ParentId]));
    const heldByRunning = new Set<string>();
    for (const c of loaded.containers) if (c.state === 'running') for (let id: string | undefined = c.imageId; id; id = parentOf.get(id)) heldByRunning.add(id);
    const used = new Set(loaded.containers.map((c) => c.imageId));
    const free = loaded.population.images.find((i) => {
      const id = loaded.imageIds.get(i.name)!;
      return i.runnable && i.tags.length > 0 && !used.has(id) && !heldByRunning.has(id);
    })!;
    const writer = await apiJson<{ Id: string }>(testEngine.socketPath, 'POST', '/containers/create?name=dp-wrote-a-file', {
      Image: loaded.imageIds.get(free.name),
      Cmd: ['/bin/busybox', 'sh', '-c', 'echo kept-by-a-stopped-container > /note.txt'],
      Labels: { 'com.docker.compose.project': 'shop' },
      HostConfig: { NetworkMode: 'none' },
    });
    await apiJson(testEngine.socketPath, 'POST', `/containers/${writer.Id}/start`);
    await apiJson(testEngine.socketPath, 'POST', `/containers/${writer.Id}/wait`);

    // The engine's own view: every container with its writable bytes; an image qualifies when every container on it is stopped.
    const all = await apiJson<Array<{ Id: string; Names: string[]; ImageID: string; State: string; SizeRw?: number }>>(
      testEngine.socketPath,
      'GET',
      '/containers/json?all=1&size=1',
    );
    const byImage = new Map<string, typeof all>();
    for (const c of all) byImage.set(c.ImageID, [...(byImage.get(c.ImageID) ?? []), c]);
    // A running container holds its image and every ancestor of it too.
    const heldLive = new Set<string>();
    for (const c of all) if (c.State === 'running') for (let id: string | undefined = c.ImageID; id; id = parentOf.get(id)) heldLive.add(id);
    const expected = [...byImage]
      .filter(([id, cs]) => !heldLive.has(id) && cs.every((c) => c.State === 'exited' || c.State === 'created'))
      .map(([id]) => id)
      .sort();
    assert.ok(expected.length >= 2 && byImage.size > expected.length, 'the population has images held by stopped containers and by a running one');

    const r = cli(['plan', '--all', '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    type Pin = {
      image: string;
      containers: Array<{ id: string; name: string; state: string; finishedAt?: string; exitCode?: number; ownBytes?: number; composeProject?: string }>;
    };
    const pins = (JSON.parse(r.stdout) as { keptByStoppedContainers: Pin[] }).keptByStoppedContainers;
    assert.deepStrictEqual(pins.map((p) => p.image).sort(), expected);
    for (const pin of pins) {
      assert.deepStrictEqual(
        pin.containers.map((c) => c.id).sort(),
        byImage
          .get(pin.image)!
          .map((c) => c.Id)
          .sort(),
      );
      for (const c of pin.containers) {
        const engineView = all.find((x) => x.Id === c.id)!;
        assert.strictEqual(c.ownBytes, engineView.SizeRw ?? 0, `${c.name}: its own bytes are the engine's SizeRw (left out of its list when 0)`);
        assert.strictEqual(`/${c.name}`, engineView.Names[0]);
        assert.strictEqual(c.state, engineView.State);
        if (c.state === 'exited') {
          assert.match(c.finishedAt ?? '', /^\d{4}-\d\d-\d\dT/);
          assert.strictEqual(c.exitCode, 0);
        } else assert.strictEqual(c.exitCode, undefined, 'a container never started has no exit code');
      }
    }
    const wrote = pins.flatMap((p) => p.containers).find((c) => c.name === 'dp-wrote-a-file')!;
    assert.ok(wrote.ownBytes! > 0, 'the container that wrote a file has bytes of its own');
    assert.strictEqual(wrote.composeProject, 'shop');

    const text = cli(['plan', '--all']);
    assert.strictEqual(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Kept only by stopped containers \\(${expected.length} images; removing the containers would let them go\\):$`, 'm'));
    assert.match(text.stdout, /kept by dp-wrote-a-file \(exited (now|\d+ seconds? ago), exit code 0, \d+ B of its own, Compose project shop\)/);
    assert.match(text.stdout, /dp-created-\d+ \(created (now|\d+ seconds? ago), never started, 0 B of its own\)/);
  });

  it('plan prints a readable table and a summary', () => {
    const r = cli(['plan']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Engine: Docker 20\.10\.\d+\S* \(overlay2\)$/m, 'the plan names the engine and its store');
    assert.match(r.stdout, /ACTION\s+IMAGE ID\s+TAGS\s+CREATED\s+SOURCE\s+FREES/);
    assert.match(r.stdout, /dangling images? would be removed from unix:\/\/.*, reclaiming/);
  });

  it('prune --yes --json carries out the plan and prints the engine-shaped result; the audit file records it', async () => {
    const plan = JSON.parse(cli(['plan', '--all', '--json']).stdout) as {
      images: Array<{ id: string; action: string; source: { kind: string } }>;
      spaceReclaimable: number;
    };
    const r = cli(['prune', '--all', '--yes', '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { ImagesDeleted: Array<Record<string, string>>; SpaceReclaimed: number; skipped: unknown[] };
    assert.strictEqual(result.SpaceReclaimed, plan.spaceReclaimable);
    assert.deepStrictEqual(result.skipped, []);
    const deleted = new Set(result.ImagesDeleted.map((i) => i.Deleted).filter(Boolean));
    for (const i of plan.images.filter((x) => x.action === 'delete')) assert.ok(deleted.has(i.id));
    assert.strictEqual(await imageCount(), 0);
    const lines = fs
      .readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.strictEqual(lines[0].phase, 'start', 'a start record before anything was removed');
    assert.deepStrictEqual(
      lines[0].steps.map((s: { id: string }) => s.id),
      plan.images.map((i) => i.id),
      'with the whole plan',
    );
    assert.deepStrictEqual(
      lines[0].steps.map((s: { source?: string }) => s.source),
      plan.images.map((i) => i.source.kind),
      'each step with where its image came from (what getting it back would take)',
    );
    assert.ok(
      lines[0].steps.every((s: { source?: string }) => s.source === 'loaded'),
      'the population was docker-loaded',
    );
    assert.ok(
      lines.every((l) => l.pruneId === lines[0].pruneId),
      'all records of one prune',
    );
    const records = lines.filter((l) => l.phase === 'end');
    assert.strictEqual(records.length, 1);
    assert.strictEqual(records[0].trigger, 'cli');
    assert.strictEqual(records[0].mode, 'all');
    assert.strictEqual(records[0].outcome, 'success');
    assert.strictEqual(records[0].result.spaceReclaimed, plan.spaceReclaimable);
    assert.strictEqual(records[0].user, os.userInfo().username);
  });

  it('prune prints docker-like lines and the total', () => {
    const r = cli(['prune', '--yes']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /deleted: sha256:[0-9a-f]{64}/);
    assert.match(r.stdout, /Total reclaimed space: /);
  });

  it('refuses to prune without --yes when not on a terminal, and removes nothing', async () => {
    const before = await imageCount();
    const r = cli(['prune', '--all']);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /not on a terminal.*--yes/);
    assert.strictEqual(await imageCount(), before);
    assert.ok(!fs.existsSync(auditFile), 'no prune, no audit record');
  });

  it('asks on a terminal: "n" keeps everything, "y" prunes', async function () {
    if (spawnSync('script', ['--version']).status !== 0) this.skip();
    const before = await imageCount();
    const inTty = (answer: string) =>
      spawnSync('script', ['-qfec', `${process.execPath} ${CLI} prune --all`, '/dev/null'], {
        input: `${answer}\n`,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: tmp, DOCKER_HOST: testEngine.dockerHost, DOCKER_PRUNE_AUDIT_FILE: auditFile },
        timeout: 60_000,
      });
    const no = inTty('n');
    assert.match(no.stdout, /Continue\? \[y\/N\]/);
    assert.match(no.stdout, /Nothing was removed/);
    assert.strictEqual(await imageCount(), before);
    const yes = inTty('y');
    assert.strictEqual(yes.status, 0, yes.stdout);
    assert.match(yes.stdout, /Total reclaimed space/);
    assert.strictEqual(await imageCount(), 0);
  });

  it('--native prunes through the engine and prints its result', () => {
    const plan = JSON.parse(cli(['plan', '--native', '--json']).stdout) as { spaceReclaimable: number };
    const r = cli(['prune', '--native', '--yes', '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(JSON.parse(r.stdout).SpaceReclaimed, plan.spaceReclaimable);
  });

  it('filters, protect and keep-latest shape the plan', () => {
    const all = JSON.parse(cli(['plan', '--all', '--json']).stdout).images.length;
    const old = JSON.parse(cli(['plan', '--all', '--json', '--filter', 'until=2000-01-01']).stdout).images.length;
    assert.strictEqual(old, 0, 'the population is younger than 2000');
    const prot = JSON.parse(cli(['plan', '--all', '--json', '--protect', 'dp/**', '--protect', 'localhost:5000/**', '--protect', 'run-*']).stdout)
      .images as Array<{ tags: string[] }>;
    assert.ok(prot.length < all);
    assert.ok(prot.every((i) => i.tags.every((t) => !t.startsWith('dp/'))));
    const keep = JSON.parse(cli(['plan', '--all', '--json', '--keep-latest', '1']).stdout).images.length;
    assert.ok(keep < all);
  });

  const badInputs: Array<[string, string[], RegExp]> = [
    ['no command', [], /Missing command/],
    ['unknown command', ['purge'], /Unknown command "purge"/],
    ['unknown option', ['plan', '--everything'], /Unknown option '--everything'/],
    ['bad until', ['plan', '--filter', 'until=yesterday'], /Invalid until value "yesterday".*duration/],
    ['two untils', ['plan', '--filter', 'until=1h', '--filter', 'until=2h'], /until/],
    ['unknown filter', ['plan', '--filter', 'dangling=true'], /dangling/],
    ['filter without =', ['plan', '--filter', 'label'], /label/],
    ['empty label key', ['plan', '--filter', 'label='], /label/],
    ['bad keep-latest', ['plan', '--keep-latest', 'three'], /Invalid --keep-latest "three"/],
    ['zero keep-latest', ['plan', '--keep-latest', '0'], /Invalid --keep-latest "0"/],
    ['empty protect', ['plan', '--protect', ''], /protect/],
    ['native with protect', ['prune', '--native', '--protect', 'x:*', '--yes'], /native.*protect/i],
    ['unsupported host scheme', ['plan', '--host', 'ftp://x'], /Unsupported Docker host scheme "ftp:"/],
    ['malformed host', ['plan', '--host', 'tcp://'], /Invalid Docker host/],
    ['--yes on plan', ['plan', '--yes'], /--yes only applies to "prune"/],
  ];
  for (const [name, args, message] of badInputs) {
    it(`bad input (${name}) exits 2 with a clear message and deletes nothing`, async () => {
      const before = await imageCount();
      const r = cli(args);
      assert.strictEqual(r.status, 2, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, message);
      assert.strictEqual(await imageCount(), before);
    });
  }

  it('an unreachable engine exits 1 with what failed and where', () => {
    const r = cli(['plan'], { env: { DOCKER_HOST: `unix://${tmp}/nothing.sock` } });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /No Docker socket at .*nothing\.sock/);
    const refused = cli(['plan'], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    assert.strictEqual(refused.status, 1);
    assert.match(refused.stderr, /Nothing answers at tcp:\/\/127\.0\.0\.1:1/);
  });

  it('an unreachable engine on prune still leaves an audit record', () => {
    const r = cli(['prune', '--yes'], { env: { DOCKER_HOST: `unix://${tmp}/nothing.sock` } });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /No Docker socket/);
    const records = fs
      .readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.strictEqual(records.length, 1, 'nothing started: an end record only');
    assert.strictEqual(records[0].phase, 'end');
    assert.strictEqual(records[0].outcome, 'failed');
    assert.match(records[0].error, /No Docker socket/);
  });
});
