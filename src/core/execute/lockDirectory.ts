/**
 * Where prune locks live: a folder only this user can write to, so nobody else can plant a lock that blocks our
 * prunes (or read who runs them). In order:
 * 1. `$XDG_RUNTIME_DIR/docker-prune/locks`, when XDG_RUNTIME_DIR is set, is a directory (not a symlink) owned by
 *    this user and not writable by group or others;
 * 2. `/run/user/<uid>/docker-prune/locks` under the same conditions (the same folder as 1. for a login session; a
 *    cron job has no XDG_RUNTIME_DIR but must still meet the extension's locks);
 * 3. `$XDG_CACHE_HOME/docker-prune/locks` (default `~/.cache/docker-prune/locks`);
 * 4. `<tmpdir>/docker-prune-<uid>` when the home folder cannot hold it (read-only, missing).
 * The folder itself is created with mode 0700 and checked: a directory, not a symlink, owned by this user, mode 0700.
 * When that fails the prune is refused with the folder's name: a folder someone else made is never used.
 * On Windows the folder is `%LOCALAPPDATA%\docker-prune\locks` (per-user already; no POSIX modes to check).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerPruneError } from '../errors';

export interface LockDirectoryOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  /** Defaults to process.getuid(). */
  readonly uid?: number;
  /** Defaults to $HOME, else os.homedir(). */
  readonly home?: string;
  readonly tmpdir?: string;
  /** Where the runtime folder of 2. lives; defaults to `/run/user`. */
  readonly runUserRoot?: string;
}

/** The lock folder (created if need be), or a DockerPruneError naming the folder that is not safe to use. */
export function lockDirectory(options: LockDirectoryOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  if (platform === 'win32' || typeof process.getuid !== 'function') {
    const dir = path.join(env.LOCALAPPDATA || options.tmpdir || os.tmpdir(), 'docker-prune', 'locks');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }
  const uid = options.uid ?? process.getuid();
  for (const runtime of [env.XDG_RUNTIME_DIR, path.join(options.runUserRoot ?? '/run/user', String(uid))]) {
    if (runtime && path.isAbsolute(runtime) && isPrivateRuntimeDir(runtime, uid)) return ensurePrivateDir(path.join(runtime, 'docker-prune', 'locks'), uid);
  }
  const home = options.home ?? (env.HOME || os.homedir());
  const cacheRoot = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
  const cache = path.join(cacheRoot, 'docker-prune', 'locks');
  try {
    return ensurePrivateDir(cache, uid);
  } catch (e) {
    // A home that cannot hold the folder (read-only, missing, not a directory): the temp folder. A folder that
    // exists but is not safe is refused: falling back then would split our processes over two lock folders.
    const code = ((e as DockerPruneError).details?.cause as NodeJS.ErrnoException | undefined)?.code;
    if (!code || !['EACCES', 'EROFS', 'ENOENT', 'ENOTDIR', 'EPERM'].includes(code)) throw e;
  }
  return ensurePrivateDir(path.join(options.tmpdir ?? os.tmpdir(), `docker-prune-${uid}`), uid);
}

/** XDG_RUNTIME_DIR as the spec wants it: ours, a real directory, nobody else may write to it. */
function isPrivateRuntimeDir(dir: string, uid: number): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Creates `dir` (mode 0700) if need be and checks it is ours alone; throws a DockerPruneError naming it otherwise. */
export function ensurePrivateDir(dir: string, uid: number): string {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw unsafe(dir, `it cannot be created (${(e as Error).message})`, e);
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    throw unsafe(dir, `it cannot be examined (${(e as Error).message})`, e);
  }
  if (st.isSymbolicLink()) throw unsafe(dir, 'it is a symbolic link (someone may be redirecting our locks)');
  if (!st.isDirectory()) throw unsafe(dir, 'it is not a directory');
  if (st.uid !== uid) throw unsafe(dir, `it belongs to ${userName(st.uid)}, not to you (${userName(uid)}): someone else created it`);
  const mode = st.mode & 0o777;
  if (mode !== 0o700) throw unsafe(dir, `its mode is ${mode.toString(8).padStart(4, '0')}, not 0700: other users could plant or remove locks in it (if it is yours, run: chmod 700 ${dir})`);
  return dir;
}

function unsafe(dir: string, why: string, cause?: unknown): DockerPruneError {
  return new DockerPruneError('permission-denied', `Cannot use the prune lock folder ${dir}: ${why}. Nothing was pruned.`, { cause });
}

function userName(uid: number): string {
  try {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(uid));
    if (line) return `user ${line.split(':')[0]} (uid ${uid})`;
  } catch {
    /* no passwd file */
  }
  return `uid ${uid}`;
}
