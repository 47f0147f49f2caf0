/**
 * Where locks live and what is checked there: one folder found from the uid alone (processes with nothing else in
 * common meet there), and a real second user (`nobody`, through setpriv) creating the folders an attacker would:
 * our lock folder in a shared temp folder, a symlink to theirs.
 * Runs as root (the test machine's user); skipped elsewhere.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerPruneError } from '../../src/core/errors';
import { lockDirectory, userHome, type LockDirectoryOptions } from '../../src/core/execute/lockDirectory';

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
  let opts: (more?: Partial<LockDirectoryOptions>) => LockDirectoryOptions;

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
    opts = (more = {}) => ({ home, tmpRoot: shared, ...more });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const refused = (f: () => unknown, pattern: RegExp) =>
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof DockerPruneError && e.kind === 'permission-denied', String(e));
      assert.match(e.message, pattern);
      return true;
    });

  it('the home the user database names, whatever the environment says: processes that share only the uid meet in one folder', () => {
    const module = path.resolve(__dirname, '../../src/core/execute/lockDirectory.js');
    const script = `process.stdout.write(require(${JSON.stringify(module)}).lockDirectory())`;
    const envs: NodeJS.ProcessEnv[] = [
      { PATH: process.env.PATH },
      { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: path.join(root, 'run'), XDG_CACHE_HOME: path.join(root, 'cache'), TMPDIR: shared },
      { PATH: process.env.PATH, HOME: '/nonexistent', XDG_CACHE_HOME: 'relative', TMPDIR: path.join(root, 'elsewhere') },
    ];
    fs.mkdirSync(path.join(root, 'run'), { mode: 0o700 });
    const found = envs.map((env) => execFileSync(process.execPath, ['-e', script], { env, cwd: root, encoding: 'utf8' }));
    const expected = path.join(os.userInfo().homedir, '.cache', 'docker-prune', 'locks');
    assert.deepStrictEqual(
      found,
      envs.map(() => expected),
    );
    assert.strictEqual(modeOf(expected), '0700');
    assert.ok(
      !fs.existsSync(path.join(root, 'run', 'docker-prune')) && !fs.existsSync(path.join(root, 'cache')),
      'nothing created where the environment pointed',
    );
  });

  it("another uid's home comes from /etc/passwd, not from this process's environment", () => {
    assert.strictEqual(
      userHome(NOBODY),
      fs
        .readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .map((l) => l.split(':'))
        .find((f) => f[2] === String(NOBODY))?.[5],
    );
  });

  it('<home>/.cache/docker-prune/locks, mode 0700, created when missing', () => {
    const dir = lockDirectory(opts());
    assert.strictEqual(dir, path.join(home, '.cache', 'docker-prune', 'locks'));
    assert.strictEqual(modeOf(dir), '0700');
  });

  it('a lock folder another user created first is refused, naming it and its owner (never used)', () => {
    // Home unusable (a file), so the shared temp folder is the fallback; nobody got there first.
    const homeFile = path.join(root, 'home-file');
    fs.writeFileSync(homeFile, '');
    const target = path.join(shared, `docker-prune-${uid}`);
    asNobody(`mkdir -m 700 ${target} && echo '{}' > ${target}/planted.lock`);
    refused(
      () => lockDirectory(opts({ home: homeFile })),
      new RegExp(`Cannot use the prune lock folder ${target}: it belongs to user nobody \\(uid 65534\\), not to you`),
    );
  });

  it('a symlink planted where the lock folder goes is refused', () => {
    const homeFile = path.join(root, 'home-file');
    fs.writeFileSync(homeFile, '');
    const target = path.join(shared, `docker-prune-${uid}`);
    asNobody(`mkdir -m 777 ${shared}/theirs && ln -s ${shared}/theirs ${target}`);
    refused(() => lockDirectory(opts({ home: homeFile })), new RegExp(`${target}: it is a symbolic link`));
  });

  it('our own folder with a loose mode is refused with the chmod to run; the home fallback to tmp is 0700', () => {
    const cache = path.join(home, '.cache', 'docker-prune', 'locks');
    fs.mkdirSync(cache, { recursive: true });
    fs.chmodSync(cache, 0o775);
    refused(() => lockDirectory(opts()), new RegExp(`its mode is 0775, not 0700.*chmod 700 ${cache}`));
    const homeFile = path.join(root, 'home-file');
    fs.writeFileSync(homeFile, '');
    const dir = lockDirectory(opts({ home: homeFile }));
    assert.strictEqual(dir, path.join(shared, `docker-prune-${uid}`));
    assert.strictEqual(modeOf(dir), '0700');
    assert.strictEqual(fs.lstatSync(dir).uid, uid);
  });
});
