/**
 * Where locks live and what is checked there, with a real second user (`nobody`, through setpriv) creating the
 * folders an attacker would: their runtime folder, our lock folder in a shared temp folder, a symlink to theirs.
 * Runs as root (the test machine's user); skipped elsewhere.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerPruneError } from '../../src/core/errors';
import { lockDirectory, type LockDirectoryOptions } from '../../src/core/execute/lockDirectory';

const NOBODY = 65534;

/** Runs a shell command as `nobody` (real uid/gid 65534, no groups). */
function asNobody(script: string): void {
  execFileSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'sh', '-c', script], { stdio: 'inherit' });
}

function modeOf(p: string): string {
  return (fs.lstatSync(p).mode & 0o777).toString(8).padStart(4, '0');
}

describe('lock folder', () => {
  let root: string;
  let uid: number;
  let shared: string;
  let home: string;
  let opts: (env: NodeJS.ProcessEnv, more?: Partial<LockDirectoryOptions>) => LockDirectoryOptions;

  before(function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) this.skip();
    try {
      execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    } catch {
      this.skip();
    }
  });
  beforeEach(() => {
    uid = process.getuid!();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-lockdir-'));
    fs.chmodSync(root, 0o755); // nobody may walk through it
    shared = path.join(root, 'tmp'); // a /tmp of our own: everyone may create, sticky
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    home = path.join(root, 'home');
    fs.mkdirSync(home, { mode: 0o700 });
    opts = (env, more = {}) => ({ env, home, tmpdir: shared, runUserRoot: path.join(root, 'no-run-user'), ...more });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const refused = (f: () => unknown, pattern: RegExp) =>
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof DockerPruneError && e.kind === 'permission-denied', String(e));
      assert.match(e.message, pattern);
      return true;
    });

  it('XDG_RUNTIME_DIR when it is ours and private: <it>/docker-prune/locks, mode 0700', () => {
    const run = path.join(root, 'run');
    fs.mkdirSync(run, { mode: 0o700 });
    const dir = lockDirectory(opts({ XDG_RUNTIME_DIR: run }));
    assert.strictEqual(dir, path.join(run, 'docker-prune', 'locks'));
    assert.strictEqual(modeOf(dir), '0700');
  });

  it('/run/user/<uid> when XDG_RUNTIME_DIR is unset (cron): the same folder as the desktop session', () => {
    const runUser = path.join(root, 'run-user');
    fs.mkdirSync(path.join(runUser, String(uid)), { recursive: true, mode: 0o700 });
    assert.strictEqual(lockDirectory(opts({}, { runUserRoot: runUser })), path.join(runUser, String(uid), 'docker-prune', 'locks'));
  });

  it("an XDG_RUNTIME_DIR that is another user's, group/world-writable or a symlink is passed over for ~/.cache", () => {
    const theirs = path.join(shared, 'their-run');
    asNobody(`mkdir -m 700 ${theirs}`);
    const loose = path.join(root, 'loose-run');
    fs.mkdirSync(loose);
    fs.chmodSync(loose, 0o777);
    const ours = path.join(root, 'our-run');
    fs.mkdirSync(ours, { mode: 0o700 });
    const link = path.join(root, 'link-run');
    fs.symlinkSync(ours, link);
    const cache = path.join(home, '.cache', 'docker-prune', 'locks');
    for (const run of [theirs, loose, link, 'relative/run']) assert.strictEqual(lockDirectory(opts({ XDG_RUNTIME_DIR: run })), cache, run);
    assert.strictEqual(modeOf(cache), '0700');
    assert.ok(!fs.existsSync(path.join(theirs, 'docker-prune')), 'nothing created in their folder');
  });

  it("a lock folder another user created first is refused, naming it and its owner (never used)", () => {
    // Home unusable (a file), so the shared temp folder is the fallback; nobody got there first.
    const homeFile = path.join(root, 'home-file');
    fs.writeFileSync(homeFile, '');
    const target = path.join(shared, `docker-prune-${uid}`);
    asNobody(`mkdir -m 700 ${target} && echo '{}' > ${target}/planted.lock`);
    refused(() => lockDirectory(opts({}, { home: homeFile })), new RegExp(`Cannot use the prune lock folder ${target}: it belongs to user nobody \\(uid 65534\\), not to you`));
  });

  it('a symlink planted where the lock folder goes is refused', () => {
    const homeFile = path.join(root, 'home-file');
    fs.writeFileSync(homeFile, '');
    const target = path.join(shared, `docker-prune-${uid}`);
    asNobody(`mkdir -m 777 ${shared}/theirs && ln -s ${shared}/theirs ${target}`);
    refused(() => lockDirectory(opts({}, { home: homeFile })), new RegExp(`${target}: it is a symbolic link`));
  });

  it('our own folder with a loose mode is refused with the chmod to run; the home fallback to tmp is 0700', () => {
    const cache = path.join(home, '.cache', 'docker-prune', 'locks');
    fs.mkdirSync(cache, { recursive: true });
    fs.chmodSync(cache, 0o775);
    refused(() => lockDirectory(opts({})), new RegExp(`its mode is 0775, not 0700.*chmod 700 ${cache}`));
    const homeFile = path.join(root, 'home-file');
    fs.writeFileSync(homeFile, '');
    const dir = lockDirectory(opts({}, { home: homeFile }));
    assert.strictEqual(dir, path.join(shared, `docker-prune-${uid}`));
    assert.strictEqual(modeOf(dir), '0700');
    assert.strictEqual(fs.lstatSync(dir).uid, uid);
  });
});
