/**
 * The prune lock per engine: keyed by the engine's identity whichever endpoint reaches it, by the endpoint only for
 * an engine without one (and the record says so), one process refused like another, and Podman's identity (its
 * /info ID changes on every call).
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Endpoint } from '../../src/core/engine/endpoint';
import { profileOf, type EngineProfile } from '../../src/core/engine/engineProfile';
import { DockerPruneError } from '../../src/core/errors';
import { acquireEngineLock, type EngineLock } from '../../src/core/execute/engineLock';
import { readLockHolder } from '../../src/core/execute/lockFile';

function engine(name: string, label: string, engineId: string, product: EngineProfile['product'] = 'docker') {
  const endpoint = { name, label, kind: 'unix', modemOptions: {} } as Endpoint;
  const profile: EngineProfile = {
    product,
    store: product === 'podman' ? 'podman' : 'graphdriver',
    version: '1',
    apiVersion: '1.41',
    engineId,
    storageDriver: 'overlay2',
  };
  return { endpoint, profile: async () => profile };
}

const busy = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof DockerPruneError && e.kind === 'busy', String(e));
  assert.match(e.message, pattern);
  return true;
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('prune lock per engine', () => {
  let dir: string;
  const held: EngineLock[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-enginelock-'));
  });
  afterEach(() => {
    for (const l of held.splice(0)) l.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const take = async (e: ReturnType<typeof engine>, trigger: 'manual' | 'auto' | 'cli' = 'manual') => {
    const l = await acquireEngineLock(e, trigger, { dir });
    held.push(l);
    return l;
  };

  it('the same engine through two endpoints in one process: the second is refused, naming the lock and its holder', async () => {
    const local = engine('local', 'unix:///var/run/docker.sock', 'ABCD:EFGH');
    const context = engine('work-context', 'tcp://127.0.0.1:2375', 'ABCD:EFGH');
    const first = await take(local, 'manual');
    assert.strictEqual(first.key, 'engine:ABCD:EFGH');
    await assert.rejects(
      acquireEngineLock(context, 'auto', { dir }),
      busy(
        new RegExp(
          `^Another prune is already running on this engine \\(Docker engine ABCD:EFGH\\): process ${process.pid} of user ${escape(os.userInfo().username)} on host ${escape(os.hostname())} ` +
            `\\(this same window or process\\), trigger manual \\(started by hand in VS Code\\), since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(\\d+ s ago\\), through environment "local" \\(unix:///var/run/docker.sock\\)\\. ` +
            `Lock file: ${escape(first.file)} \\(process ${process.pid} is running\\)\\. Wait for that prune to finish .*If process ${process.pid} is stuck, stop it`,
        ),
      ),
    );
    first.release();
    held.splice(0);
    await take(context, 'auto'); // free again
  });

  it('different engines do not block each other', async () => {
    await take(engine('a', 'unix:///a.sock', 'ID-A'));
    await take(engine('b', 'unix:///a.sock', 'ID-B'));
  });

  it('an engine without an ID is locked by its endpoint label, and the record says so', async () => {
    const l = await take(engine('odd', 'tcp://10.0.0.9:2375', ''));
    assert.strictEqual(l.key, 'endpoint:tcp://10.0.0.9:2375');
    assert.match(path.basename(l.file), /^endpoint-[0-9a-f]{32}\.lock$/);
    const record = readLockHolder(l.file)!.record!;
    assert.strictEqual(record.keyedBy, 'endpoint-label');
    assert.match(
      String(record.note),
      /reports no ID: this lock is keyed by the endpoint tcp:\/\/10\.0\.0\.9:2375, so the same engine reached through another endpoint is not covered/,
    );
    await assert.rejects(
      acquireEngineLock(engine('odd again', 'tcp://10.0.0.9:2375', ''), 'cli', { dir }),
      busy(/no engine ID, locked by its endpoint tcp:\/\/10\.0\.0\.9:2375/),
    );
  });

  it('another process holding the engine: refused with its pid, trigger and environment', async () => {
    const mod = path.resolve(__dirname, '../../src/core/execute/engineLock.js');
    const script = `
      const e = { endpoint: { name: 'cron', label: 'unix:///run/docker.sock' }, profile: async () => ({ product: 'docker', engineId: 'SHARED' }) };
      require(${JSON.stringify(mod)}).acquireEngineLock(e, 'cli', { dir: ${JSON.stringify(dir)} }).then(() => { console.log('HELD'); setInterval(() => {}, 1000); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('HELD') && resolve());
        child.on('exit', () => reject(new Error('child exited')));
      });
      await assert.rejects(
        acquireEngineLock(engine('local', 'unix:///var/run/docker.sock', 'SHARED'), 'manual', { dir }),
        busy(
          new RegExp(
            `process ${child.pid} of user .* on host .*, trigger cli \\(the docker-prune CLI\\), since .*, through environment "cron" \\(unix:///run/docker.sock\\)\\. Lock file: ${escape(dir)}/engine-[0-9a-f]{32}\\.lock`,
          ),
        ),
      );
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // its process is gone: the lock is taken over
    const l = await take(engine('local', 'unix:///var/run/docker.sock', 'SHARED'));
    assert.match(l.tookOver!.why, new RegExp(`process ${child.pid} no longer exists`));
  });

  it('Podman: one identity per engine (host name + storage root), though its /info ID changes on every call', () => {
    const version = { Version: '5.4.2', ApiVersion: '1.41', Components: [{ Name: 'Podman Engine', Version: '5.4.2' }] };
    const a = profileOf({ ID: 'b1c3a7e2-0000-4000-8000-000000000001', Name: 'box', DockerRootDir: '/var/lib/containers/storage' }, version);
    const b = profileOf({ ID: 'f00dfeed-0000-4000-8000-000000000002', Name: 'box', DockerRootDir: '/var/lib/containers/storage' }, version);
    assert.strictEqual(a.engineId, 'podman:box:/var/lib/containers/storage');
    assert.strictEqual(a.engineId, b.engineId);
    const rootless = profileOf({ ID: 'x', Name: 'box', DockerRootDir: '/home/me/.local/share/containers/storage' }, version);
    assert.notStrictEqual(rootless.engineId, a.engineId);
    assert.strictEqual(profileOf({ ID: 'x' }, version).engineId, '', 'nothing stable to go by: no identity (the endpoint label is used)');
  });
});
