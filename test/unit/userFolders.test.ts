/** Docker Prune's per-user folders, resolved in one place (src/core/state/userFolders.ts) for every OS. */
import * as assert from 'assert';
import { defaultAuditFilePath } from '../../src/core/audit/auditPath';
import { lastUsedDirectory } from '../../src/core/lastUsed/lastUseFile';
import { cacheDirectory, configDirectory, lockDirectoryCandidates, stateDirectory } from '../../src/core/state/userFolders';

describe('per-user folders', () => {
  const linux = (env: NodeJS.ProcessEnv = {}) => ({ platform: 'linux' as const, home: '/home/ada', env });
  const windows = (env: NodeJS.ProcessEnv = {}) => ({ platform: 'win32' as const, home: 'C:\\Users\\ada', env });

  it('Linux and macOS: the XDG folders, else their defaults under the home folder', () => {
    assert.strictEqual(stateDirectory(linux()), '/home/ada/.local/state/docker-prune');
    assert.strictEqual(cacheDirectory(linux()), '/home/ada/.cache/docker-prune');
    assert.strictEqual(configDirectory(linux()), '/home/ada/.config/docker-prune');
    const xdg = linux({ XDG_STATE_HOME: '/s', XDG_CACHE_HOME: '/c', XDG_CONFIG_HOME: '/k' });
    assert.strictEqual(stateDirectory(xdg), '/s/docker-prune');
    assert.strictEqual(cacheDirectory(xdg), '/c/docker-prune');
    assert.strictEqual(configDirectory(xdg), '/k/docker-prune');
  });

  it('a relative XDG folder is ignored, as the XDG Base Directory spec says', () => {
    const rel = linux({ XDG_STATE_HOME: 'state', XDG_CACHE_HOME: './c', XDG_CONFIG_HOME: 'k' });
    assert.strictEqual(stateDirectory(rel), '/home/ada/.local/state/docker-prune');
    assert.strictEqual(cacheDirectory(rel), '/home/ada/.cache/docker-prune');
    assert.strictEqual(configDirectory(rel), '/home/ada/.config/docker-prune');
  });

  it('Windows: state, cache and locks under %LOCALAPPDATA%, the config under %APPDATA%', () => {
    const env = { LOCALAPPDATA: 'D:\\Local', APPDATA: 'D:\\Roaming' };
    assert.strictEqual(stateDirectory(windows(env)), 'D:\\Local\\docker-prune');
    assert.strictEqual(cacheDirectory(windows(env)), 'D:\\Local\\docker-prune\\cache');
    assert.strictEqual(configDirectory(windows(env)), 'D:\\Roaming\\docker-prune');
    assert.deepStrictEqual(lockDirectoryCandidates(windows(env)), ['D:\\Local\\docker-prune\\locks']);
    assert.strictEqual(defaultAuditFilePath(windows(env)), 'D:\\Local\\docker-prune\\audit.jsonl');
    assert.strictEqual(stateDirectory(windows()), 'C:\\Users\\ada\\AppData\\Local\\docker-prune');
    assert.strictEqual(configDirectory(windows()), 'C:\\Users\\ada\\AppData\\Roaming\\docker-prune');
  });

  it('the files that live in them follow: the audit file and the last-use records in the state folder', () => {
    assert.strictEqual(defaultAuditFilePath(linux()), '/home/ada/.local/state/docker-prune/audit.jsonl');
    assert.strictEqual(lastUsedDirectory(linux()), '/home/ada/.local/state/docker-prune/last-used');
  });

  it('locks: from the uid and its home in the user database only, whatever the environment says', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000', XDG_CACHE_HOME: '/elsewhere', HOME: '/tmp/fake', TMPDIR: '/var/tmp' };
    assert.deepStrictEqual(lockDirectoryCandidates({ platform: 'linux', env, uid: 1000, home: '/home/ada' }), [
      '/home/ada/.cache/docker-prune/locks',
      '/tmp/docker-prune-1000',
    ]);
    assert.deepStrictEqual(lockDirectoryCandidates({ platform: 'linux', uid: 1000, home: undefined }), ['/tmp/docker-prune-1000']);
  });
});
