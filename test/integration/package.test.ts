/**
 * The CLI as CLI users install it: `npm pack` of this repository, then `npm install -g` of that tarball into an
 * empty prefix, with no network and no dependencies to fetch (the CLI is one bundled file). The installed
 * `docker-prune` answers `--version` and previews a real engine.
 *
 * The tarball is packed with --ignore-scripts from the dist/cli.js the test stage built (the `prepack` script's
 * production build would rewrite dist/ while other test stages run it); what it may contain is checked exactly.
 */
import * as assert from 'assert';
import { spawnSync, type SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startEngine, type TestEngine } from '../support/dockerd';
import { generatePopulation, loadPopulation } from '../support/population';

const REPO = path.resolve(__dirname, '../../..');

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000, ...opts });
  assert.strictEqual(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status}): ${String(r.stderr)}`);
  return String(r.stdout);
}

describe('the packed CLI (npm pack, npm install -g into an empty prefix)', function () {
  this.timeout(5 * 60_000);
  let tmp: string;
  let engine: TestEngine;
  let installedCli: string;
  let npmEnv: NodeJS.ProcessEnv;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-pack-'));
    // No npm configuration leaks in from an outer `npm test` (prefix, user agent, scripts): only PATH and a HOME.
    npmEnv = { PATH: process.env.PATH, HOME: path.join(tmp, 'home') };
    fs.mkdirSync(npmEnv.HOME!);
    engine = await startEngine({ name: 'pack' });
    await loadPopulation(engine.socketPath, generatePopulation({ seed: 11, images: 12 }));
  });
  after(async () => {
    await engine?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('packs one bundled file with the manifest, README, CHANGELOG and LICENSE', () => {
    const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: REPO, env: npmEnv });
    const [packed] = JSON.parse(out) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
    assert.deepStrictEqual(packed.files.map((f) => f.path).sort(), ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/cli.js', 'package.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies?: object };
    assert.strictEqual(manifest.dependencies, undefined, 'nothing to download at install: everything the CLI runs is in dist/cli.js');
    console.log(`      packed: ${packed.files.length} files, ${packed.size} bytes (${packed.unpackedSize} unpacked)`);

    const prefix = path.join(tmp, 'prefix');
    run('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, path.join(tmp, packed.filename)], { env: npmEnv });
    installedCli = path.join(prefix, 'bin', 'docker-prune');
    assert.ok(fs.existsSync(installedCli), 'npm linked the docker-prune binary');
  });

  it("the bundles leave out docker-modem's own SSH module, which loads ssh2 up front (SSH hosts use our transport)", () => {
    for (const bundle of ['cli.js', 'extension.js']) {
      const text = fs.readFileSync(path.join(REPO, 'dist', bundle), 'utf8');
      assert.doesNotMatch(text, /conn\.exec\(["']docker system dial-stdio/, `${bundle}: docker-modem's lib/ssh.js is not bundled`);
      assert.match(text, /docker-modem's own ssh protocol is not used/, `${bundle}: its stand-in is`);
    }
  });

  it('the installed docker-prune answers --version and previews a real engine', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const env = { PATH: process.env.PATH, HOME: npmEnv.HOME, DOCKER_HOST: engine.dockerHost };
    assert.strictEqual(run(installedCli, ['--version'], { env }).trim(), version);
    const plan = JSON.parse(run(installedCli, ['plan', '--all', '--json'], { env })) as { images: unknown[]; spaceReclaimable: number };
    assert.ok(plan.images.length > 0, 'the preview lists the unused images');
    assert.ok(plan.spaceReclaimable > 0);
  });
});
