/**
 * "The engine chosen is the one `docker` would use": the docker CLI's order (docker/cli cli/command/cli.go
 * resolveContextName — --context, -H, DOCKER_HOST, DOCKER_CONTEXT, config.json currentContext, default), each step
 * with the environment injected, through resolveCurrentContext, readDockerContexts and discoverEnvironments; the
 * errors docker has (both flags, a context that does not exist); and, where the docker CLI is installed, every case
 * compared with what `docker context inspect` itself resolves.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  contextDirName,
  discoverEnvironments,
  missingContextMessage,
  overriddenContextNotice,
  readDockerContexts,
  resolveCurrentContext,
  type CurrentContext,
} from '../../src/core/environments';
import { InvalidInputError } from '../../src/core/errors';

function writeContext(configDir: string, name: string, host: string): void {
  const metaDir = path.join(configDir, 'contexts', 'meta', contextDirName(name));
  fs.mkdirSync(metaDir, { recursive: true });
  fs.writeFileSync(path.join(metaDir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
}

function setCurrent(configDir: string, name: string | undefined): void {
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify(name === undefined ? {} : { currentContext: name }));
}

describe("resolveCurrentContext: the docker CLI's order, step by step", () => {
  const pick = (i: Parameters<typeof resolveCurrentContext>[0]): [string, string] => {
    const c = resolveCurrentContext(i);
    return [c.name, c.reason];
  };

  it('6. nothing set: "default"', () => {
    assert.deepStrictEqual(pick({ env: {} }), ['default', 'none']);
  });

  it("5. config.json's currentContext", () => {
    assert.deepStrictEqual(pick({ env: {}, configured: 'ctx-file' }), ['ctx-file', 'currentContext']);
  });

  it('4. DOCKER_CONTEXT beats config.json', () => {
    assert.deepStrictEqual(pick({ env: { DOCKER_CONTEXT: 'ctx-env' }, configured: 'ctx-file' }), ['ctx-env', 'DOCKER_CONTEXT']);
  });

  it('3. DOCKER_HOST beats DOCKER_CONTEXT and config.json: the "default" context', () => {
    assert.deepStrictEqual(pick({ env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'ctx-env' }, configured: 'ctx-file' }), ['default', 'DOCKER_HOST']);
    assert.deepStrictEqual(pick({ env: { DOCKER_HOST: 'tcp://h:2375' }, configured: 'ctx-file' }), ['default', 'DOCKER_HOST']);
  });

  it('2. the -H flag beats the environment', () => {
    assert.deepStrictEqual(pick({ hostFlag: 'unix:///f.sock', env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'ctx-env' }, configured: 'ctx-file' }), [
      'default',
      '--host',
    ]);
  });

  it('1. the --context flag beats DOCKER_HOST and everything else', () => {
    assert.deepStrictEqual(pick({ contextFlag: 'ctx-flag', env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'ctx-env' }, configured: 'ctx-file' }), [
      'ctx-flag',
      '--context',
    ]);
  });

  it('--context with -H is refused, as the docker CLI does ("conflicting options")', () => {
    assert.throws(
      () => resolveCurrentContext({ contextFlag: 'x', hostFlag: 'unix:///f.sock', env: {} }),
      (e: Error) => e instanceof InvalidInputError && /conflicting options: cannot specify both --host and --context/.test(e.message),
    );
  });

  it('empty variables count as unset; a DOCKER_HOST of spaces still selects "default" (docker tests != "")', () => {
    assert.deepStrictEqual(pick({ env: { DOCKER_HOST: '', DOCKER_CONTEXT: '' }, configured: 'ctx-file' }), ['ctx-file', 'currentContext']);
    assert.deepStrictEqual(pick({ env: { DOCKER_HOST: '  ', DOCKER_CONTEXT: 'ctx-env' } }), ['default', 'DOCKER_HOST']);
  });

  it('DOCKER_CONTEXT=default with DOCKER_HOST set is DOCKER_HOST; without it, the local engine', () => {
    assert.deepStrictEqual(pick({ env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'default' } }), ['default', 'DOCKER_HOST']);
    assert.deepStrictEqual(pick({ env: { DOCKER_CONTEXT: 'default' }, configured: 'ctx-file' }), ['default', 'DOCKER_CONTEXT']);
  });

  it('says what DOCKER_HOST overrode; a notice only for a DOCKER_CONTEXT naming another context', () => {
    const over = resolveCurrentContext({ env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'ctx-env' } });
    assert.deepStrictEqual(over.overridden, { name: 'ctx-env', reason: 'DOCKER_CONTEXT' });
    assert.match(overriddenContextNotice(over)!, /DOCKER_CONTEXT="ctx-env" is not used: DOCKER_HOST is set.*Unset DOCKER_HOST/);
    assert.strictEqual(
      overriddenContextNotice(resolveCurrentContext({ env: { DOCKER_HOST: 'tcp://h:2375' }, configured: 'ctx-file' })),
      undefined,
      'config.json under DOCKER_HOST: usual, not repeated',
    );
    assert.strictEqual(overriddenContextNotice(resolveCurrentContext({ env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_CONTEXT: 'default' } })), undefined);
    assert.strictEqual(
      overriddenContextNotice(resolveCurrentContext({ contextFlag: 'x', env: { DOCKER_CONTEXT: 'ctx-env' } })),
      undefined,
      'a flag beating the environment is no news',
    );
  });

  it('a missing context: the message names what chose it and what exists', () => {
    const cfg = '/home/me/.docker';
    const m = (c: CurrentContext) => missingContextMessage(c, cfg, ['b', 'a']);
    assert.match(
      m({ name: 'gone', reason: 'DOCKER_CONTEXT' }),
      /^DOCKER_CONTEXT names the docker context "gone", which does not exist in \/home\/me\/.docker\/contexts \(there are: default, b, a\)\. The docker CLI fails the same way/,
    );
    assert.match(
      m({ name: 'gone', reason: 'currentContext' }),
      /The current docker context "gone" \(currentContext in \/home\/me\/.docker\/config.json\) does not exist .*docker context use default/,
    );
    assert.match(m({ name: 'gone', reason: '--context' }), /^No docker context named "gone" in \/home\/me\/.docker \(there are: default, b, a\)/);
  });
});

describe('readDockerContexts and discoverEnvironments follow the same order', () => {
  let dir: string;
  let cfg: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-curctx-'));
    cfg = path.join(dir, 'docker');
    writeContext(cfg, 'ctx-env', 'unix:///run/ctx-env.sock');
    writeContext(cfg, 'ctx-file', 'unix:///run/ctx-file.sock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HOME: dir, DOCKER_CONFIG: cfg, ...extra });
  const discover = (extra: NodeJS.ProcessEnv = {}) => discoverEnvironments({ env: env(extra), podman: false, platform: 'linux' });
  /** The current environment's id and host, and that it comes first. */
  const current = async (extra: NodeJS.ProcessEnv = {}) => {
    const r = await discover(extra);
    const marked = r.environments.filter((e) => e.current);
    assert.ok(marked.length <= 1, 'at most one is current');
    if (marked[0]) assert.strictEqual(r.environments[0], marked[0], 'the current one comes first');
    return marked[0] && [marked[0].id, marked[0].endpoint.host];
  };

  it('readDockerContexts: DOCKER_HOST beats DOCKER_CONTEXT (the order the docker CLI has)', () => {
    setCurrent(cfg, 'ctx-file');
    assert.strictEqual(readDockerContexts(env()).current, 'ctx-file');
    assert.strictEqual(readDockerContexts(env({ DOCKER_CONTEXT: 'ctx-env' })).current, 'ctx-env');
    assert.strictEqual(readDockerContexts(env({ DOCKER_HOST: 'unix:///x.sock' })).current, 'default');
    const both = readDockerContexts(env({ DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'ctx-env' }));
    assert.strictEqual(both.current, 'default');
    assert.strictEqual(both.choice.reason, 'DOCKER_HOST');
    assert.strictEqual(both.configuredContext, 'ctx-file');
  });

  it('nothing set: the local engine', async () => {
    assert.deepStrictEqual(await current(), ['local', 'unix:///var/run/docker.sock']);
  });

  it("config.json's currentContext", async () => {
    setCurrent(cfg, 'ctx-file');
    assert.deepStrictEqual(await current(), ['context:ctx-file', 'unix:///run/ctx-file.sock']);
  });

  it('DOCKER_CONTEXT over config.json', async () => {
    setCurrent(cfg, 'ctx-file');
    assert.deepStrictEqual(await current({ DOCKER_CONTEXT: 'ctx-env' }), ['context:ctx-env', 'unix:///run/ctx-env.sock']);
  });

  it('DOCKER_HOST over DOCKER_CONTEXT and config.json, with a notice that DOCKER_CONTEXT is not used', async () => {
    setCurrent(cfg, 'ctx-file');
    assert.deepStrictEqual(await current({ DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'ctx-env' }), ['docker-host', 'unix:///run/host.sock']);
    const r = await discover({ DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'ctx-env' });
    assert.deepStrictEqual(
      r.problems.map((p) => p.source),
      ['DOCKER_CONTEXT'],
    );
    assert.strictEqual(r.currentContext.reason, 'DOCKER_HOST');
    assert.strictEqual(r.currentProblem, undefined);
    assert.ok(
      r.environments.some((e) => e.id === 'context:ctx-env' && !e.current),
      'the context is still listed, not current',
    );
  });

  it('DOCKER_HOST with DOCKER_CONTEXT=default: DOCKER_HOST, no notice', async () => {
    const r = await discover({ DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'default' });
    assert.deepStrictEqual([r.environments[0]!.id, r.environments[0]!.current], ['docker-host', true]);
    assert.deepStrictEqual(r.problems, []);
  });

  it('DOCKER_CONTEXT=default without DOCKER_HOST: the local engine, whatever config.json says', async () => {
    setCurrent(cfg, 'ctx-file');
    assert.deepStrictEqual(await current({ DOCKER_CONTEXT: 'default' }), ['local', 'unix:///var/run/docker.sock']);
  });

  it('DOCKER_HOST set and DOCKER_CONTEXT naming a missing context: DOCKER_HOST, no error (docker never looks)', async () => {
    const r = await discover({ DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'gone' });
    assert.strictEqual(r.environments[0]!.id, 'docker-host');
    assert.strictEqual(r.currentProblem, undefined);
  });

  it('DOCKER_CONTEXT naming a missing context: nothing is current (never another engine) and the problem says so', async () => {
    setCurrent(cfg, 'ctx-file');
    const r = await discover({ DOCKER_CONTEXT: 'gone' });
    assert.strictEqual(r.environments.filter((e) => e.current).length, 0);
    assert.strictEqual(r.currentProblem?.source, 'context:gone');
    assert.match(
      r.currentProblem!.message,
      /^DOCKER_CONTEXT names the docker context "gone", which does not exist in .*contexts \(there are: default, ctx-env, ctx-file\)/,
    );
    assert.ok(r.problems.includes(r.currentProblem!));
  });

  it('config.json naming a missing context: the same, naming config.json', async () => {
    setCurrent(cfg, 'gone');
    const r = await discover();
    assert.strictEqual(r.environments.filter((e) => e.current).length, 0);
    assert.match(r.currentProblem!.message, /The current docker context "gone" \(currentContext in .*config\.json\) does not exist/);
  });

  it('a current context that is stored but has no Docker endpoint: that problem, not "does not exist"', async () => {
    writeContext(cfg, 'k8s-only', '');
    const r = await discover({ DOCKER_CONTEXT: 'k8s-only' });
    assert.strictEqual(r.environments.filter((e) => e.current).length, 0);
    assert.match(r.currentProblem!.message, /"k8s-only" has no Docker endpoint/);
    assert.strictEqual(r.problems.filter((p) => p.source === 'context:k8s-only').length, 1, 'said once');
  });

  it('a stored context called "default" is ignored, as the docker CLI reserves the name', async () => {
    writeContext(cfg, 'default', 'unix:///run/impostor.sock');
    assert.deepStrictEqual(await current({ DOCKER_CONTEXT: 'default' }), ['local', 'unix:///var/run/docker.sock']);
  });

  it('a configured entry standing in for the current context keeps the mark and says what it replaces', async () => {
    const r = await discoverEnvironments({
      env: env({ DOCKER_CONTEXT: 'ctx-env' }),
      podman: false,
      platform: 'linux',
      configured: [{ name: 'mine', host: 'unix:///run/ctx-env.sock' }],
    });
    assert.deepStrictEqual([r.environments[0]!.id, r.environments[0]!.current, r.environments[0]!.replaces], ['setting:mine', true, 'context:ctx-env']);
  });
});

/** Every case, checked against the docker CLI installed here (`docker context inspect` needs no engine). */
describe('the same choice as the docker CLI installed here', function () {
  this.timeout(60_000);
  const hasDocker = spawnSync('docker', ['--version'], { encoding: 'utf8' }).status === 0;
  let dir: string;
  let cfg: string;
  before(function () {
    if (!hasDocker) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-oracle-'));
    cfg = path.join(dir, 'docker');
    fs.mkdirSync(cfg, { recursive: true });
    // Made by the docker CLI itself, so the store layout is the real one.
    for (const name of ['ctx-env', 'ctx-file']) {
      execFileSync('docker', ['context', 'create', name, '--docker', `host=unix:///run/${name}.sock`], {
        env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: cfg },
        stdio: 'ignore',
      });
    }
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  /** What the docker CLI resolves: the current context's name and host, or its error. */
  const dockerSays = (flags: string[], extra: NodeJS.ProcessEnv): string => {
    const r = spawnSync('docker', [...flags, 'context', 'inspect', '--format', '{{.Name}} {{.Endpoints.docker.Host}}'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: cfg, ...extra },
    });
    return r.status === 0 ? r.stdout.trim() : 'error';
  };
  const weSay = async (flags: { context?: string; host?: string }, extra: NodeJS.ProcessEnv): Promise<string> => {
    const env = { HOME: dir, DOCKER_CONFIG: cfg, ...extra };
    const choice = resolveCurrentContext({ contextFlag: flags.context, hostFlag: flags.host, env, configured: readDockerContexts(env).configuredContext });
    const r = await discoverEnvironments({ env, podman: false, platform: process.platform });
    if (choice.name === 'default') return `default ${flags.host ?? r.environments.find((e) => e.id === 'local' || e.id === 'docker-host')!.endpoint.host}`;
    const e = r.environments.find((x) => x.id === `context:${choice.name}`);
    return e ? `${choice.name} ${e.endpoint.host}` : 'error';
  };

  const cases: Array<[string, string | undefined, { context?: string; host?: string }, NodeJS.ProcessEnv]> = [
    ['nothing set', undefined, {}, {}],
    ['config.json', 'ctx-file', {}, {}],
    ['DOCKER_CONTEXT over config.json', 'ctx-file', {}, { DOCKER_CONTEXT: 'ctx-env' }],
    ['DOCKER_HOST over DOCKER_CONTEXT', 'ctx-file', {}, { DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'ctx-env' }],
    ['DOCKER_HOST with DOCKER_CONTEXT=default', undefined, {}, { DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'default' }],
    ['DOCKER_CONTEXT=default over config.json', 'ctx-file', {}, { DOCKER_CONTEXT: 'default' }],
    ['DOCKER_HOST with a missing DOCKER_CONTEXT', undefined, {}, { DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'gone' }],
    ['a missing DOCKER_CONTEXT', undefined, {}, { DOCKER_CONTEXT: 'gone' }],
    ['a missing config.json context', 'gone', {}, {}],
    ['--context over DOCKER_HOST', undefined, { context: 'ctx-env' }, { DOCKER_HOST: 'unix:///run/host.sock' }],
    ['--context default with DOCKER_HOST', 'ctx-file', { context: 'default' }, { DOCKER_HOST: 'unix:///run/host.sock' }],
    [
      '-H over DOCKER_HOST and DOCKER_CONTEXT',
      'ctx-file',
      { host: 'unix:///run/flag.sock' },
      { DOCKER_HOST: 'unix:///run/host.sock', DOCKER_CONTEXT: 'ctx-env' },
    ],
  ];
  for (const [title, configured, flags, extra] of cases) {
    it(title, async () => {
      setCurrent(cfg, configured);
      const dockerFlags = [...(flags.context ? ['--context', flags.context] : []), ...(flags.host ? ['-H', flags.host] : [])];
      assert.strictEqual(await weSay(flags, extra), dockerSays(dockerFlags, extra));
    });
  }

  it('--context with -H: both refuse', () => {
    assert.strictEqual(dockerSays(['--context', 'ctx-env', '-H', 'unix:///run/flag.sock'], {}), 'error');
    assert.throws(() => resolveCurrentContext({ contextFlag: 'ctx-env', hostFlag: 'unix:///run/flag.sock', env: {} }), /conflicting options/);
  });
});
