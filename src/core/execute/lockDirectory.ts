/**
 * Where prune locks live: one folder per user, found from the user id alone, so that every process of that user
 * meets every other there — a VS Code window, a cron job on a server without systemd-logind (no XDG_RUNTIME_DIR, no
 * /run/user/<uid>), a CI step started with a cleaned environment. Nothing in the environment moves it: not HOME,
 * not XDG_RUNTIME_DIR or XDG_CACHE_HOME, not TMPDIR. (Two processes that read their folder from the environment
 * could otherwise find two folders, and both prune one engine at once.)
 * 1. `<home>/.cache/docker-prune/locks`, where `<home>` is the user's home in the user database (getpwuid, as
 *    `os.userInfo()` asks it; never `$HOME`);
 * 2. `/tmp/docker-prune-<uid>` when that home cannot hold it (missing, read-only, not a directory): the same for
 *    every process of the user, since it too follows from the uid.
 * The folder is created with mode 0700 and checked: a directory, not a symbolic link, owned by this user, mode 0700.
 * When that fails the prune is refused with the folder's name: a folder someone else made is never used, and a
 * folder of ours that is unsafe is never passed over for the fallback (that would split our processes over two
 * folders).
 * On Windows the folder is `%LOCALAPPDATA%\docker-prune\locks` (per-user already; no POSIX modes to check).
 * The paths themselves are resolved with the other per-user folders (state/userFolders.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import { DockerPruneError } from '../errors';
import { lockDirectoryCandidates } from '../state/userFolders';

export interface LockDirectoryOptions {
  readonly platform?: NodeJS.Platform;
  /** Defaults to process.getuid(). */
  readonly uid?: number;
  /** Defaults to the uid's home in the user database. For tests. */
  readonly home?: string;
  /** Where the fallback folder goes; defaults to `/tmp`. For tests. */
  readonly tmpRoot?: string;
}

/** Home-folder errors that send the locks to the `/tmp` fallback: the home cannot hold a folder at all. */
const HOME_UNUSABLE = new Set(['EACCES', 'EROFS', 'ENOENT', 'ENOTDIR', 'EPERM']);

/** The lock folder (created if need be), or a DockerPruneError naming the folder that is not safe to use. */
export function lockDirectory(options: LockDirectoryOptions = {}): string {
  const platform = options.platform ?? process.platform;
  if (platform === 'win32' || typeof process.getuid !== 'function') {
    const [dir] = lockDirectoryCandidates({ platform: 'win32', home: os.userInfo().homedir });
    fs.mkdirSync(dir!, { recursive: true });
    return dir!;
  }
  const uid = options.uid ?? process.getuid();
  const [preferred, fallback] = lockDirectoryCandidates({ platform, uid, home: options.home ?? userHome(uid), tmpRoot: options.tmpRoot });
  if (fallback === undefined) return ensurePrivateDir(preferred!, uid);
  try {
    return ensurePrivateDir(preferred!, uid);
  } catch (e) {
    const code = ((e as DockerPruneError).details?.cause as NodeJS.ErrnoException | undefined)?.code;
    if (!code || !HOME_UNUSABLE.has(code)) throw e;
  }
  return ensurePrivateDir(fallback, uid);
}

/** The uid's home folder as the user database has it (not `$HOME`), or undefined when it has none. */
export function userHome(uid: number): string | undefined {
  if (uid === process.getuid?.()) {
    try {
      return os.userInfo().homedir || undefined;
    } catch {
      return undefined; // a uid the user database does not know (a container's arbitrary uid)
    }
  }
  return passwdEntry(uid)?.[5];
}

/** Creates `dir` (mode 0700) if need be and checks it is ours alone; throws a DockerPruneError naming it otherwise. */
function ensurePrivateDir(dir: string, uid: number): string {
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
  if (mode !== 0o700)
    throw unsafe(
      dir,
      `its mode is ${mode.toString(8).padStart(4, '0')}, not 0700: other users could plant or remove locks in it (if it is yours, run: chmod 700 ${dir})`,
    );
  return dir;
}

function unsafe(dir: string, why: string, cause?: unknown): DockerPruneError {
  return new DockerPruneError('permission-denied', `Cannot use the prune lock folder ${dir}: ${why}. Nothing was pruned.`, { cause });
}

/** The `/etc/passwd` fields of `uid`, if it has a line there. */
function passwdEntry(uid: number): string[] | undefined {
  try {
    return fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f[2] === String(uid));
  } catch {
    return undefined; // no passwd file
  }
}

function userName(uid: number): string {
  const name = passwdEntry(uid)?.[0];
  return name ? `user ${name} (uid ${uid})` : `uid ${uid}`;
}
