/**
 * The CLI picks the engine `docker` would pick: chooseEnvironments with the environment, platform and home
 * injected (every step of --context, -H, DOCKER_HOST, DOCKER_CONTEXT, config.json, default, and docker's errors),
 * main()'s exit code 2 for the flags docker refuses, and the tsc-built CLI run as a process against sockets that
 * do not exist, so the error names the engine it chose (no engine needed).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { parseCliArgs } from '../../src/cli/args';
import { chooseEnvironments } from '../../src/cli/environments';
import { main } from '../../src/cli/main';
import { contextDirName } from '../../src/core/environments';
import { InvalidInputError } from '../../src/core/errors';

function writeContext(configDir: string, name: string, host: string): void {
  const metaDir = path.join(configDir, 'contexts', 'meta', contextDirName(name));
  fs.mkdirSync(metaDir, { recursive: true });
  fs.writeFileSync(path.join(metaDir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host } } }));
}

describe('CLI: which engine (chooseEnvironments, environment injected)', () => {
  let home: string;
  let cfg: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-clienv-'));
    cfg = path.join(home, '.docker');
    writeContext(cfg, 'ctx-env', 'unix:///run/ctx-env.sock');
    writeContext(cfg, 'ctx-file', 'unix:///run/ctx-file.sock');
    fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'ctx-file' }));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  // XDG_RUNTIME_DIR points into the temp home so no real Podman socket is found.
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_RUNTIME_DIR: home,
    ...extra,
  });
  const choose = async (args: string[], extra: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = 'linux') => {
    const choice = await chooseEnvironments(parseCliArgs(['plan', ...args]), env(extra), { platform, home });
    return { ...choice, ids: choice.environments.map((e) => e.id), hosts: choice.environments.map((e) => e.endpoint.host) };
  };
  const HOST = { DOCKER_HOST: 'unix:///run/host.sock' };

  it("5. config.json's current context", async () => {
    assert.deepStrictEqual((await choose([])).hosts, ['unix:///run/ctx-file.sock']);
  });

  it('4. DOCKER_CONTEXT over config.json', async () => {
    assert.deepStrictEqual((await choose([], { DOCKER_CONTEXT: 'ctx-env' })).hosts, ['unix:///run/ctx-env.sock']);
  });

  it('3. DOCKER_HOST over DOCKER_CONTEXT, with a warning that DOCKER_CONTEXT is not used', async () => {
    const c = await choose([], { ...HOST, DOCKER_CONTEXT: 'ctx-env' });
    assert.deepStrictEqual([c.ids, c.hosts], [['docker-host'], ['unix:///run/host.sock']]);
    assert.deepStrictEqual(
      c.problems.map((p) => p.source),
      ['DOCKER_CONTEXT'],
    );
    assert.match(c.problems[0]!.message, /DOCKER_CONTEXT="ctx-env" is not used: DOCKER_HOST is set/);
  });

  it('2. -H over DOCKER_HOST and DOCKER_CONTEXT; its TLS still from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH', async () => {
    const c = await choose(['-H', 'tcp://box:2376'], { ...HOST, DOCKER_CONTEXT: 'ctx-env', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' });
    assert.deepStrictEqual([c.ids, c.hosts], [['host'], ['tcp://box:2376']]);
    assert.deepStrictEqual(c.environments[0]!.endpoint.tls, { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true });
  });

  it('1. --context over DOCKER_HOST', async () => {
    assert.deepStrictEqual((await choose(['--context', 'ctx-env'], HOST)).hosts, ['unix:///run/ctx-env.sock']);
  });

  it('--context default is DOCKER_HOST when it is set, else the local engine', async () => {
    assert.deepStrictEqual((await choose(['--context', 'default'], HOST)).ids, ['docker-host']);
    assert.deepStrictEqual((await choose(['--context', 'default'])).hosts, ['unix:///var/run/docker.sock']);
    assert.deepStrictEqual((await choose(['--context', 'default'], {}, 'win32')).hosts, ['npipe:////./pipe/docker_engine']);
  });

  it("6. nothing set: the platform's local engine (Windows: the named pipe)", async () => {
    fs.writeFileSync(path.join(cfg, 'config.json'), '{}');
    assert.deepStrictEqual((await choose([], {}, 'linux')).hosts, ['unix:///var/run/docker.sock']);
    assert.deepStrictEqual((await choose([], {}, 'darwin')).hosts, ['unix:///var/run/docker.sock']);
    assert.deepStrictEqual((await choose([], {}, 'win32')).hosts, ['npipe:////./pipe/docker_engine']);
  });

  it('DOCKER_HOST with DOCKER_CONTEXT=default: DOCKER_HOST, no warning', async () => {
    const c = await choose([], { ...HOST, DOCKER_CONTEXT: 'default' });
    assert.deepStrictEqual([c.ids, c.problems], [['docker-host'], []]);
  });

  it('DOCKER_CONTEXT naming a missing context: a usage error, never another engine', async () => {
    await assert.rejects(
      choose([], { DOCKER_CONTEXT: 'gone' }),
      (e: Error) =>
        e instanceof InvalidInputError &&
        /^DOCKER_CONTEXT names the docker context "gone", which does not exist .*\(there are: default, ctx-env, ctx-file\)/.test(e.message),
    );
  });

  it('config.json naming a missing context: a usage error naming config.json', async () => {
    fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    await assert.rejects(
      choose([]),
      (e: Error) => e instanceof InvalidInputError && /The current docker context "gone" \(currentContext in .*config\.json\) does not exist/.test(e.message),
    );
  });

  it('DOCKER_HOST with DOCKER_CONTEXT naming a missing context: DOCKER_HOST (docker never looks at it)', async () => {
    assert.deepStrictEqual((await choose([], { ...HOST, DOCKER_CONTEXT: 'gone' })).ids, ['docker-host']);
  });

  it('--context naming a missing context: a usage error naming what exists', async () => {
    await assert.rejects(choose(['--context', 'gone'], HOST), /No docker context named "gone" in .*\.docker \(there are: default, ctx-env, ctx-file\)/);
  });

  it('a configured entry standing in for a context or the local engine is still found by --context', async () => {
    const config = path.join(home, 'envs.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        environments: [
          { name: 'mine', host: 'unix:///run/ctx-env.sock', protected: true },
          { name: 'here', host: 'unix:///var/run/docker.sock' },
        ],
      }),
    );
    const c = await choose(['--config', config, '--context', 'ctx-env', '--context', 'default']);
    assert.deepStrictEqual(c.ids, ['setting:mine', 'setting:here']);
    assert.strictEqual(c.environments[0]!.protected, true);
  });
});

describe('CLI: the flags docker refuses exit 2', () => {
  const run = async (args: string[]) => {
    const out = new PassThrough();
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (d) => (stderr += d));
    const stdin = Object.assign(new PassThrough(), { isTTY: false });
    const code = await main(args, { out, err, stdin } as unknown as Parameters<typeof main>[1]);
    return { code, stderr };
  };

  it('--context with --host: "conflicting options", as the docker CLI', async () => {
    const r = await run(['plan', '--context', 'a', '-H', 'unix:///x.sock']);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /conflicting options: cannot specify both --host and --context/);
  });

  it('-H twice: "specify only one -H", as the docker CLI', async () => {
    const r = await run(['plan', '-H', 'unix:///a.sock', '--host', 'unix:///b.sock']);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /specify only one -H/);
  });
});

describe('CLI process (tsc-built): the engine it reaches is the one docker would', function () {
  this.timeout(60_000);
  const CLI = path.resolve(__dirname, '../../src/cli/index.js');
  let home: string;
  let cfg: string;
  beforeEach(() => {
    home = fs.mkdtempSync('/tmp/dp-cliproc-');
    cfg = path.join(home, 'docker');
    writeContext(cfg, 'ctx-env', `unix://${home}/ctx-env.sock`);
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const cli = (args: string[], extra: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      input: '',
      env: {
        PATH: process.env.PATH,
        HOME: home,
        DOCKER_CONFIG: cfg,
        XDG_RUNTIME_DIR: home,
        XDG_CONFIG_HOME: home,
        XDG_CACHE_HOME: path.join(home, 'cache'),
        DOCKER_PRUNE_AUDIT_FILE: path.join(home, 'audit.jsonl'),
        ...extra,
      },
    });

  it('DOCKER_HOST and DOCKER_CONTEXT: DOCKER_HOST is used, and said to win', () => {
    const r = cli(['plan'], { DOCKER_HOST: `unix://${home}/host.sock`, DOCKER_CONTEXT: 'ctx-env' });
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /No Docker socket at .*\/host\.sock/);
    assert.doesNotMatch(r.stderr, /ctx-env\.sock/);
    assert.match(r.stderr, /warning: DOCKER_CONTEXT="ctx-env" is not used: DOCKER_HOST is set/);
  });

  it('--context beats DOCKER_HOST', () => {
    const r = cli(['plan', '--context', 'ctx-env'], { DOCKER_HOST: `unix://${home}/host.sock` });
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /No Docker socket at .*\/ctx-env\.sock/);
  });

  it('DOCKER_CONTEXT alone', () => {
    const r = cli(['plan'], { DOCKER_CONTEXT: 'ctx-env' });
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /No Docker socket at .*\/ctx-env\.sock/);
  });

  it('a DOCKER_CONTEXT that does not exist: exit 2 and why', () => {
    const r = cli(['plan'], { DOCKER_CONTEXT: 'gone' });
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /DOCKER_CONTEXT names the docker context "gone", which does not exist/);
  });

  it('--context with -H: exit 2', () => {
    const r = cli(['plan', '--context', 'ctx-env', '-H', `unix://${home}/x.sock`], {});
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /conflicting options/);
  });
});
