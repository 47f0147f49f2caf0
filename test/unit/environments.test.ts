/**
 * Environment discovery and configuration, without engines: Docker contexts on disk, DOCKER_HOST & co.,
 * Podman sockets, the configured list, endpoints, known_hosts, per-environment runs, Podman's parenthood.
 */
import * as assert from 'assert';
import { createHash, createHmac } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { defaultEndpointSpec, redactHost, resolveEndpoint } from '../../src/core/engine/endpoint';
import { toEngineError } from '../../src/core/engine/engineError';
import {
  checkKnownHosts,
  contextDirName,
  discoverEnvironments,
  findEnvironment,
  forEachEnvironment,
  loadCliConfig,
  parseConfiguredEnvironments,
  readDockerContexts,
  type EnvironmentDescriptor,
} from '../../src/core/environments';
import { keyTypeOf, knownHostKeyTypes, preferredHostKeyAlgorithms } from '../../src/core/environments/knownHosts';
import { factsOf } from '../../src/core/snapshot/podmanFacts';
import { normalizeImageId } from '../../src/core/snapshot/records';
import { profileOf } from '../../src/core/engine/engineProfile';
import type { DockerPruneError } from '../../src/core/errors';
import { InvalidInputError } from '../../src/core/errors';
import type { ImageRecord } from '../../src/core/model';
import type { PodmanFacts } from '../../src/core/model';
import { podmanLabelsMatch } from '../../src/core/plan/podman4Planner';
import { podmanParentAndChild } from '../../src/core/plan/podmanLayerTree';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dp-envunit-'));
}

/** Writes a context the way `docker context create` stores it. */
function writeContext(
  configDir: string,
  name: string,
  host: string,
  opts: { skipTls?: boolean; tls?: Record<string, string>; description?: string } = {},
): void {
  const dir = contextDirName(name);
  const metaDir = path.join(configDir, 'contexts', 'meta', dir);
  fs.mkdirSync(metaDir, { recursive: true });
  fs.writeFileSync(
    path.join(metaDir, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: { Description: opts.description ?? '' },
      Endpoints: { docker: { Host: host, SkipTLSVerify: opts.skipTls === true } },
    }),
  );
  if (opts.tls) {
    const tlsDir = path.join(configDir, 'contexts', 'tls', dir, 'docker');
    fs.mkdirSync(tlsDir, { recursive: true });
    for (const [f, body] of Object.entries(opts.tls)) fs.writeFileSync(path.join(tlsDir, f), body);
  }
}

describe('Docker contexts on disk', () => {
  let cfg: string;
  beforeEach(() => {
    cfg = tmpdir();
  });
  afterEach(() => fs.rmSync(cfg, { recursive: true, force: true }));

  it('stores contexts under sha256(name), as the docker CLI does', () => {
    assert.strictEqual(contextDirName('default'), createHash('sha256').update('default').digest('hex'));
  });

  it('reads every context, its TLS files and SkipTLSVerify, and the current one from config.json', () => {
    writeContext(cfg, 'remote-tls', 'tcp://10.0.0.5:2376', { tls: { 'ca.pem': 'x', 'cert.pem': 'y', 'key.pem': 'z' }, description: 'build box' });
    writeContext(cfg, 'insecure', 'tcp://10.0.0.6:2376', { skipTls: true });
    writeContext(cfg, 'over-ssh', 'ssh://me@box');
    fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'over-ssh', auths: {} }));
    const r = readDockerContexts({ DOCKER_CONFIG: cfg });
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.current, 'over-ssh');
    assert.deepStrictEqual(
      r.contexts.map((c) => c.name),
      ['insecure', 'over-ssh', 'remote-tls'],
    );
    const tls = r.contexts.find((c) => c.name === 'remote-tls')!;
    assert.strictEqual(tls.description, 'build box');
    const tlsDir = path.join(cfg, 'contexts', 'tls', contextDirName('remote-tls'), 'docker');
    assert.deepStrictEqual(tls.endpoint.tls, {
      ca: path.join(tlsDir, 'ca.pem'),
      cert: path.join(tlsDir, 'cert.pem'),
      key: path.join(tlsDir, 'key.pem'),
      verify: true,
    });
    assert.deepStrictEqual(r.contexts.find((c) => c.name === 'insecure')!.endpoint.tls, { ca: undefined, cert: undefined, key: undefined, verify: false });
    assert.strictEqual(r.contexts.find((c) => c.name === 'over-ssh')!.endpoint.tls, undefined);
  });

  it('current context as the docker CLI has it: "default" when DOCKER_HOST is set, else DOCKER_CONTEXT, else config.json', () => {
    writeContext(cfg, 'a', 'tcp://1.2.3.4:2375');
    writeContext(cfg, 'b', 'tcp://1.2.3.5:2375');
    fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'a' }));
    assert.strictEqual(readDockerContexts({ DOCKER_CONFIG: cfg }).current, 'a');
    assert.strictEqual(readDockerContexts({ DOCKER_CONFIG: cfg, DOCKER_CONTEXT: 'b' }).current, 'b');
    assert.strictEqual(readDockerContexts({ DOCKER_CONFIG: cfg, DOCKER_HOST: 'unix:///x.sock' }).current, 'default');
    // DOCKER_HOST beats DOCKER_CONTEXT (docker/cli resolveContextName); see currentContext.test.ts for every step.
    assert.strictEqual(readDockerContexts({ DOCKER_CONFIG: cfg, DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'b' }).current, 'default');
  });

  it('broken files are problems naming the file; the other contexts are still read', () => {
    writeContext(cfg, 'good', 'unix:///good.sock');
    const bad = path.join(cfg, 'contexts', 'meta', contextDirName('bad'));
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'meta.json'), '{not json');
    writeContext(cfg, 'k8s-only', '');
    fs.writeFileSync(path.join(cfg, 'config.json'), '{');
    const r = readDockerContexts({ DOCKER_CONFIG: cfg });
    assert.deepStrictEqual(
      r.contexts.map((c) => c.name),
      ['good'],
    );
    assert.strictEqual(r.problems.length, 3);
    assert.ok(r.problems.some((p) => p.message.includes('meta.json is not valid JSON')));
    assert.ok(r.problems.some((p) => p.source === 'context:k8s-only' && /no Docker endpoint/.test(p.message)));
    assert.ok(r.problems.some((p) => /config.json is not valid JSON/.test(p.message)));
  });

  it('no ~/.docker at all is not a problem', () => {
    const r = readDockerContexts({ DOCKER_CONFIG: path.join(cfg, 'nothing') });
    assert.deepStrictEqual(r, {
      configDir: path.join(cfg, 'nothing'),
      current: 'default',
      choice: { name: 'default', reason: 'none' },
      configuredContext: undefined,
      contexts: [],
      problems: [],
    });
  });
});

describe('discoverEnvironments', () => {
  let dir: string;
  let servers: net.Server[] = [];
  beforeEach(() => {
    dir = tmpdir();
    servers = [];
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const listen = (sock: string) =>
    new Promise<void>((resolve) => {
      fs.mkdirSync(path.dirname(sock), { recursive: true });
      const s = net.createServer().listen(sock, () => resolve());
      servers.push(s);
    });
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    HOME: dir,
    DOCKER_CONFIG: path.join(dir, 'docker'),
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    ...extra,
  });

  it('the default engine first, marked current, when there is nothing else', async () => {
    const r = await discoverEnvironments({ platform: 'linux', env: env(), podmanRootfulSocket: path.join(dir, 'none.sock') });
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(
      r.environments.map((e) => [e.id, e.name, e.current, e.endpoint.host]),
      [['local', 'local', true, 'unix:///var/run/docker.sock']],
    );
  });

  it('DOCKER_HOST (with TLS vars) replaces the local socket; its name never shows a password', async () => {
    const certs = path.join(dir, 'certs');
    const r = await discoverEnvironments({
      platform: 'linux',
      env: env({ DOCKER_HOST: 'tcp://user:s3cret@10.1.2.3:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }),
      podmanRootfulSocket: path.join(dir, 'none.sock'),
    });
    const e = r.environments[0]!;
    assert.strictEqual(e.id, 'docker-host');
    assert.strictEqual(e.current, true);
    assert.ok(!e.name.includes('s3cret'), e.name);
    assert.deepStrictEqual(e.endpoint.tls, {
      ca: path.join(certs, 'ca.pem'),
      cert: path.join(certs, 'cert.pem'),
      key: path.join(certs, 'key.pem'),
      verify: true,
    });
  });

  it('contexts, the current one first; Podman sockets when present; configured entries last', async () => {
    const cfg = path.join(dir, 'docker');
    writeContext(cfg, 'alpha', 'tcp://127.0.0.1:1');
    writeContext(cfg, 'beta', 'unix:///tmp/beta.sock');
    fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'beta' }));
    const rootful = path.join(dir, 'rootful', 'podman.sock');
    await listen(rootful);
    await listen(path.join(dir, 'run', 'podman', 'podman.sock'));
    const r = await discoverEnvironments({
      platform: 'linux',
      env: env(),
      podmanRootfulSocket: rootful,
      configured: [{ name: 'ci', host: 'ssh://ci@127.0.0.1:2222', protected: true }],
    });
    assert.deepStrictEqual(
      r.environments.map((e) => [e.id, e.name, e.current === true, e.source]),
      [
        ['context:beta', 'beta', true, 'context'],
        ['local', 'local', false, 'local'],
        ['context:alpha', 'alpha', false, 'context'],
        ['podman:rootful', 'podman', false, 'podman'],
        ['podman:rootless', 'podman (rootless)', false, 'podman'],
        ['setting:ci', 'ci', false, 'setting'],
      ],
    );
    assert.strictEqual(r.environments.find((e) => e.id === 'setting:ci')!.protected, true);
    assert.strictEqual(findEnvironment(r.environments, 'ALPHA')!.id, 'context:alpha');
  });

  it('a current context that does not exist is a clear problem, the others still come', async () => {
    fs.mkdirSync(path.join(dir, 'docker'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'docker', 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    const r = await discoverEnvironments({ platform: 'linux', env: env(), podmanRootfulSocket: path.join(dir, 'none.sock') });
    assert.strictEqual(r.environments.length, 1);
    assert.match(r.problems[0]!.message, /current docker context "gone".*does not exist/);
  });

  it('a configured entry with the host of a found environment replaces it (its name, protected and readOnly apply)', async () => {
    const r = await discoverEnvironments({
      platform: 'linux',
      env: env(),
      podmanRootfulSocket: path.join(dir, 'none.sock'),
      configured: [{ name: 'this machine', host: 'unix:///var/run/docker.sock', readOnly: true }],
    });
    assert.deepStrictEqual(
      r.environments.map((e) => [e.id, e.name, e.current, e.readOnly]),
      [['setting:this machine', 'this machine', true, true]],
    );
  });

  it('names stay unique', async () => {
    const cfg = path.join(dir, 'docker');
    writeContext(cfg, 'local', 'tcp://127.0.0.1:1');
    const r = await discoverEnvironments({
      platform: 'linux',
      env: env(),
      podmanRootfulSocket: path.join(dir, 'none.sock'),
      configured: [{ name: 'local', host: 'tcp://127.0.0.1:2' }],
    });
    const names = r.environments.map((e) => e.name);
    assert.strictEqual(new Set(names).size, names.length, names.join(' | '));
  });
});

describe('configured environments (setting / CLI config file)', () => {
  it('validates each entry on its own', () => {
    const r = parseConfiguredEnvironments(
      [
        { name: 'ok', host: 'tcp://h:2376', tls: { ca: '~/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem' }, protected: true },
        { name: 'ok', host: 'tcp://h:2' },
        { host: 'tcp://h:3' },
        { name: 'nohost' },
        { name: 'badtls', host: 'tcp://h', tls: { verify: 'yes' } },
        {
          name: 'ssh',
          host: 'ssh://me@h',
          ssh: { identityFile: '~/.ssh/k', strictHostKeyChecking: 'accept-new', client: 'ssh2', configFile: '~/.ssh/work_config' },
        },
        { name: 'badssh', host: 'ssh://me@h', ssh: { strictHostKeyChecking: 'maybe' } },
        { name: 'badclient', host: 'ssh://me@h', ssh: { client: 'putty' } },
        42,
      ],
      'config.json',
      { HOME: '/home/me' },
    );
    assert.deepStrictEqual(
      r.environments.map((e) => e.name),
      ['ok', 'ssh'],
    );
    assert.strictEqual(r.environments[0]!.tls!.ca, '/home/me/c/ca.pem');
    assert.strictEqual(r.environments[1]!.ssh!.identityFile, '/home/me/.ssh/k');
    assert.strictEqual(r.environments[1]!.ssh!.client, 'ssh2');
    assert.strictEqual(r.environments[1]!.ssh!.configFile, '/home/me/.ssh/work_config');
    assert.strictEqual(r.problems.length, 7);
    assert.ok(r.problems.some((p) => /"ssh.client" must be "openssh" or "ssh2"/.test(p.message)));
    assert.ok(r.problems.some((p) => /used twice/.test(p.message)));
    assert.ok(r.problems.some((p) => /"tls.verify" must be true or false/.test(p.message)));
    assert.ok(r.problems.some((p) => /strictHostKeyChecking/.test(p.message)));
  });

  it('the CLI config file: explicit missing file and invalid JSON are errors; the default one may be absent', () => {
    const d = tmpdir();
    try {
      assert.deepStrictEqual(loadCliConfig(undefined, { HOME: d }).environments, []);
      assert.throws(
        () => loadCliConfig(path.join(d, 'nope.json'), {}),
        (e: Error) => e instanceof InvalidInputError && /does not exist/.test(e.message),
      );
      fs.writeFileSync(path.join(d, 'bad.json'), '{');
      assert.throws(() => loadCliConfig(undefined, { DOCKER_PRUNE_CONFIG: path.join(d, 'bad.json') }), /not valid JSON/);
      fs.writeFileSync(path.join(d, 'ok.json'), JSON.stringify({ environments: [{ name: 'a', host: 'unix:///a.sock' }] }));
      assert.deepStrictEqual(
        loadCliConfig(path.join(d, 'ok.json'), {}).environments.map((e) => e.host),
        ['unix:///a.sock'],
      );
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('endpoints', () => {
  it('redacts passwords and query strings', () => {
    assert.strictEqual(redactHost('ssh://me:hunter2@box:22'), 'ssh://me:***@box:22');
    assert.strictEqual(redactHost('tcp://box:2376?token=abc'), 'tcp://box:2376?***');
    assert.strictEqual(redactHost('unix:///var/run/docker.sock'), 'unix:///var/run/docker.sock');
  });

  it('bad configuration fails with a clear message, before any connection', () => {
    assert.throws(() => resolveEndpoint({ host: 'ftp://x' }), /Unsupported Docker host scheme "ftp:"/);
    assert.throws(() => resolveEndpoint({ host: 'tcp://' }), /Invalid Docker host/);
    assert.throws(
      () => resolveEndpoint({ host: 'tcp://h:2376', tls: { ca: '/nonexistent/ca.pem' } }),
      /The TLS CA certificate for tcp:\/\/h:2376, \/nonexistent\/ca.pem, does not exist/,
    );
    assert.throws(() => resolveEndpoint({ host: 'tcp://u:p@h:2376' }), /take no user or password/);
    assert.throws(
      () => resolveEndpoint({ host: 'ssh://me:pw@h/path' }),
      (e: Error) => /take no path/.test(e.message) && !e.message.includes(':pw@'),
    );
  });

  it('an environment never inherits DOCKER_HOST settings it did not ask for', () => {
    const unix = resolveEndpoint({ host: 'unix:///tmp/a.sock' });
    assert.strictEqual(unix.modemOptions.socketPath, '/tmp/a.sock');
    assert.ok('host' in unix.modemOptions && unix.modemOptions.host === undefined, 'host explicitly unset');
    assert.ok('ca' in unix.modemOptions && unix.modemOptions.ca === undefined, 'ca explicitly unset');
  });

  it('DOCKER_TLS without DOCKER_TLS_VERIFY: TLS with the files that exist, no server verification', () => {
    const d = tmpdir();
    try {
      fs.writeFileSync(path.join(d, 'ca.pem'), 'x');
      const spec = defaultEndpointSpec({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1', DOCKER_CERT_PATH: d });
      assert.deepStrictEqual(spec.tls, { ca: path.join(d, 'ca.pem'), cert: undefined, key: undefined, verify: false });
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('TLS failures say which certificate to fix', () => {
    const ep = resolveEndpoint({ host: 'tcp://127.0.0.1:1' });
    const serverSide = toEngineError(
      Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      ep,
      'list images',
    );
    assert.match(serverSide.message, /engine's certificate cannot be verified.*CA/);
    const clientSide = toEngineError(new Error('ssl3_read_bytes:sslv3 alert bad certificate ... SSL alert number 42'), ep, 'list images');
    assert.match(clientSide.message, /demands a client certificate and none is configured/);
  });
});

/** An SSH wire-format public key blob: string type, then some bytes (enough for type checks). */
function sshBlob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([len(t.length), t, len(b.length), b]);
}

describe('known_hosts', () => {
  const key = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyBlobForTests', 'base64');
  const other = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyBlobForTestz', 'base64');
  let d: string;
  beforeEach(() => (d = tmpdir()));
  afterEach(() => fs.rmSync(d, { recursive: true, force: true }));
  const file = (text: string) => {
    const f = path.join(d, `kh-${Math.random()}`);
    fs.writeFileSync(f, text);
    return f;
  };

  it('plain, bracketed port, wildcard, negation and hashed host patterns', () => {
    const b64 = key.toString('base64');
    assert.strictEqual(checkKnownHosts([file(`box,10.0.0.1 ssh-ed25519 ${b64}\n`)], 'box', 22, key).result, 'match');
    assert.strictEqual(checkKnownHosts([file(`[box]:2222 ssh-ed25519 ${b64}\n`)], 'box', 2222, key).result, 'match');
    assert.strictEqual(checkKnownHosts([file(`box ssh-ed25519 ${b64}\n`)], 'box', 2222, key).result, 'unknown');
    assert.strictEqual(checkKnownHosts([file(`*.lan,!evil.lan ssh-ed25519 ${b64}\n`)], 'box.lan', 22, key).result, 'match');
    assert.strictEqual(checkKnownHosts([file(`*.lan,!evil.lan ssh-ed25519 ${b64}\n`)], 'evil.lan', 22, key).result, 'unknown');
    const salt = Buffer.from('0123456789abcdef0123');
    const hash = createHmac('sha1', salt).update('[127.0.0.1]:2200').digest('base64');
    assert.strictEqual(checkKnownHosts([file(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b64}\n`)], '127.0.0.1', 2200, key).result, 'match');
  });

  it('a different key OF THE SAME TYPE for a known host is a mismatch; @revoked wins', () => {
    const f = file(`box ssh-ed25519 ${other.toString('base64')}\n`);
    assert.deepStrictEqual(checkKnownHosts([f], 'box', 22, key), { result: 'mismatch', file: f, line: 1, keyType: 'ssh-ed25519' });
    assert.strictEqual(
      checkKnownHosts([file(`@revoked box ssh-ed25519 ${key.toString('base64')}\nbox ssh-ed25519 ${key.toString('base64')}\n`)], 'box', 22, key).result,
      'revoked',
    );
    assert.strictEqual(checkKnownHosts([file(`@revoked * ssh-ed25519 ${key.toString('base64')}\n`)], 'box', 22, key).result, 'revoked');
  });

  it('by key type: only other types recorded is "other-types" (unknown for that type), never a mismatch', () => {
    const rsa = sshBlob('ssh-rsa', 'rsa-key-1');
    const ecdsa = sshBlob('ecdsa-sha2-nistp256', 'ec-key-1');
    const f = file(`box ssh-rsa ${rsa.toString('base64')}\n[box]:2222 ecdsa-sha2-nistp256 ${ecdsa.toString('base64')}\n`);
    assert.deepStrictEqual(checkKnownHosts([f], 'box', 22, key), { result: 'other-types', file: f, knownTypes: ['ssh-rsa'] });
    assert.strictEqual(checkKnownHosts([f], 'box', 22, rsa).result, 'match');
    assert.strictEqual(checkKnownHosts([f], 'box', 2222, ecdsa).result, 'match');
    assert.strictEqual(checkKnownHosts([f], 'box', 2222, sshBlob('ecdsa-sha2-nistp256', 'ec-key-2')).result, 'mismatch');
    // several files: a same-type entry in any of them makes it a mismatch
    const g = file(`box ssh-ed25519 ${other.toString('base64')}\n`);
    assert.strictEqual(checkKnownHosts([f, g], 'box', 22, key).result, 'mismatch');
    assert.deepStrictEqual(knownHostKeyTypes([f, g], 'box', 22), ['ssh-rsa', 'ssh-ed25519']);
  });

  it('hashed hosts and @cert-authority lines count by type too; a CA-only host is unknown (certificates unsupported)', () => {
    const rsa = sshBlob('ssh-rsa', 'rsa-key-1');
    const salt = Buffer.from('0123456789abcdef0123');
    const hash = createHmac('sha1', salt).update('[10.0.0.9]:2200').digest('base64');
    const f = file(`|1|${salt.toString('base64')}|${hash} ssh-rsa ${rsa.toString('base64')}\n`);
    assert.strictEqual(checkKnownHosts([f], '10.0.0.9', 2200, key).result, 'other-types');
    assert.strictEqual(checkKnownHosts([f], '10.0.0.9', 2200, rsa).result, 'match');
    assert.deepStrictEqual(checkKnownHosts([file(`@cert-authority *.lan ssh-ed25519 ${other.toString('base64')}\n`)], 'box.lan', 22, key), {
      result: 'unknown',
      certAuthority: true,
    });
  });

  it('the recorded types are asked for first, as OpenSSH orders its host key algorithms', () => {
    const ssh2Order = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    assert.deepStrictEqual(preferredHostKeyAlgorithms(['ssh-rsa'], ssh2Order), [
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
    ]);
    assert.deepStrictEqual(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp384', 'ssh-ed25519'], ssh2Order).slice(0, 2), ['ssh-ed25519', 'ecdsa-sha2-nistp384']);
    assert.deepStrictEqual(preferredHostKeyAlgorithms([], ssh2Order), ssh2Order);
    assert.strictEqual(keyTypeOf(key), 'ssh-ed25519');
  });
});

describe('forEachEnvironment', () => {
  const envs: EnvironmentDescriptor[] = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ id: n, name: n, source: 'setting', endpoint: { host: `tcp://${n}:1` } }));

  it('one outcome per environment, in order; a hung one times out alone, a failing one fails alone', async () => {
    const out = await forEachEnvironment(
      envs,
      async ({ environment, signal }) => {
        if (environment.name === 'b') return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        if (environment.name === 'd') throw new InvalidInputError('bad host');
        await new Promise((r) => setTimeout(r, 20));
        return environment.name.toUpperCase();
      },
      { concurrency: 5, timeoutMs: 300 },
    );
    assert.deepStrictEqual(
      out.map((o) => (o.ok ? o.value : `${o.error.kind}`)),
      ['A', 'timeout', 'C', 'invalid-input', 'E'],
    );
    assert.match((out[1] as { error: DockerPruneError }).error.message, /b did not finish within 0.3 s/);
  });

  it('never more than `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    await forEachEnvironment(
      envs,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 15));
        running--;
      },
      { concurrency: 2 },
    );
    assert.strictEqual(peak, 2);
  });

  it('cancellation ends everything still running', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 30);
    const out = await forEachEnvironment(envs, () => new Promise<void>(() => undefined), { concurrency: 5, timeoutMs: 0, signal: c.signal });
    assert.ok(out.every((o) => !o.ok && o.error.kind === 'cancelled'));
  });
});

describe('Podman', () => {
  it("recognises Podman, and Docker's two image stores, from /version and /info", () => {
    const podman = profileOf({ ID: 'P' }, { Version: '5.4.2', ApiVersion: '1.41', Components: [{ Name: 'Podman Engine', Version: '5.4.2' }] });
    assert.deepStrictEqual([podman.product, podman.store, podman.version], ['podman', 'podman', '5.4.2']);
    const docker = {
      Version: '28.5.2',
      ApiVersion: '1.51',
      Components: [
        { Name: 'Engine', Version: '28.5.2' },
        { Name: 'containerd', Version: '2.1.9' },
      ],
    };
    const c8d = profileOf({ ID: 'D', Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }, docker);
    assert.deepStrictEqual([c8d.product, c8d.store, c8d.engineId], ['docker', 'containerd', 'D']);
    const gd = profileOf(
      {
        ID: 'D',
        Driver: 'overlay2',
        DriverStatus: [
          ['Backing Filesystem', 'extfs'],
          ['Supports d_type', 'true'],
        ],
      },
      docker,
    );
    assert.deepStrictEqual([gd.store, gd.storageDriver], ['graphdriver', 'overlay2']);
  });

  it('ids without sha256: are normalized', () => {
    assert.strictEqual(normalizeImageId('a'.repeat(64)), `sha256:${'a'.repeat(64)}`);
    assert.strictEqual(normalizeImageId(''), '');
  });

  it('parenthood is structural: layer prefix and history plus exactly one entry', () => {
    const h = (n: number) => Array.from({ length: n }, (_, i) => ({ created: `2024-01-0${i + 1}T00:00:00Z`, created_by: `step ${i}` }));
    const img = (id: string, layers: string[]): ImageRecord => ({
      id,
      parentId: '',
      repoTags: [],
      repoDigests: [],
      createdNs: 0n,
      labels: {},
      size: 1,
      layers: layers.map((chainId) => ({ chainId, size: 1 })),
    });
    const base = img('base', ['L1', 'L2']);
    const child = img('child', ['L1', 'L2', 'L3']);
    const labelOnly = img('label-only', ['L1', 'L2']); // same layers + one empty-layer history entry
    const twin = img('twin', ['L1', 'L2']);
    const unrelated = img('unrelated', ['X1', 'X2', 'X3']);
    const facts: PodmanFacts = {
      images: new Map([
        ['base', factsOf({ History: h(2) })],
        ['child', factsOf({ History: h(3) })],
        ['label-only', factsOf({ History: [...h(2), { created: '2024-02-01T00:00:00Z', created_by: 'LABEL a=b', empty_layer: true }] })],
        ['twin', factsOf({ History: h(2) })],
        ['unrelated', factsOf({ History: h(3) })],
      ]),
    };
    assert.ok(podmanParentAndChild(base, child, facts));
    assert.ok(podmanParentAndChild(twin, child, facts), 'a twin of the base is a parent too');
    assert.ok(podmanParentAndChild(base, labelOnly, facts), 'same layers, one more (empty) history entry');
    assert.ok(!podmanParentAndChild(child, base, facts));
    assert.ok(!podmanParentAndChild(base, twin, facts), 'same history length: not parent and child');
    assert.ok(!podmanParentAndChild(base, unrelated, facts), 'history matches but layers do not');
  });

  it('label filters are OR-ed, as Podman does', () => {
    const filters = [
      { negate: false, key: 'a' },
      { negate: false, key: 'b', value: '1' },
    ];
    assert.ok(podmanLabelsMatch(filters, { a: 'x' }));
    assert.ok(podmanLabelsMatch(filters, { b: '1' }));
    assert.ok(!podmanLabelsMatch(filters, { c: '1' }));
    assert.ok(podmanLabelsMatch([{ negate: true, key: 'a' }], null), 'no config: no labels');
  });
});
