/**
 * "Docker Desktop's default engine, on every platform": the docker CLI's default host per platform (docker/cli
 * opts/hosts.go, hosts_unix.go, hosts_windows.go), the default environment it makes on Windows, macOS and Linux
 * (platform and home injected — nothing here depends on the platform the tests run on), the named-pipe transport as
 * far as Linux allows (endpoint → modem options → a request over the pipe-shaped path), and what a missing engine
 * is said to be.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { defaultEndpointSpec, resolveEndpoint } from '../../src/core/engine/endpoint';
import { toEngineError } from '../../src/core/engine/engineError';
import {
  defaultDockerHost,
  describeDefaultEngine,
  dockerDesktopSocket,
  missingEngineMessage,
  permissionDeniedMessage,
} from '../../src/core/engine/localEngine';
import { contextDirName, defaultEngine, discoverEnvironments } from '../../src/core/environments';
import { DockerPruneError } from '../../src/core/errors';

const PIPE = '\\\\.\\pipe\\docker_engine'; // \\.\pipe\docker_engine

describe("the docker CLI's default engine per platform", () => {
  it('Windows: the named pipe //./pipe/docker_engine; everywhere else: /var/run/docker.sock', () => {
    assert.strictEqual(defaultDockerHost('win32'), 'npipe:////./pipe/docker_engine');
    for (const p of ['linux', 'darwin', 'freebsd'] as const) assert.strictEqual(defaultDockerHost(p), 'unix:///var/run/docker.sock', p);
  });

  it('with TLS on and no host: tcp://localhost:2376 (127.0.0.1 on Windows), as opts.ParseHost(defaultToTLS)', () => {
    assert.strictEqual(defaultDockerHost('linux', true), 'tcp://localhost:2376');
    assert.strictEqual(defaultDockerHost('darwin', true), 'tcp://localhost:2376');
    assert.strictEqual(defaultDockerHost('win32', true), 'tcp://127.0.0.1:2376');
  });

  it("Docker Desktop's own socket (its desktop-linux context): ~/.docker/run on macOS, ~/.docker/desktop on Linux, none on Windows", () => {
    assert.strictEqual(dockerDesktopSocket('darwin', '/Users/me'), '/Users/me/.docker/run/docker.sock');
    assert.strictEqual(dockerDesktopSocket('linux', '/home/me'), '/home/me/.docker/desktop/docker.sock');
    assert.strictEqual(dockerDesktopSocket('win32', 'C:\\Users\\me'), undefined);
  });

  it("defaultEndpointSpec: the platform's default, DOCKER_HOST over it, the -H host over both", () => {
    assert.deepStrictEqual(defaultEndpointSpec({}, { platform: 'win32', home: '/nowhere' }), { host: 'npipe:////./pipe/docker_engine', tls: undefined });
    assert.deepStrictEqual(defaultEndpointSpec({}, { platform: 'darwin', home: '/nowhere' }), { host: 'unix:///var/run/docker.sock', tls: undefined });
    assert.deepStrictEqual(defaultEndpointSpec({}, { platform: 'linux', home: '/nowhere' }), { host: 'unix:///var/run/docker.sock', tls: undefined });
    assert.strictEqual(defaultEndpointSpec({ DOCKER_HOST: 'tcp://h:2375' }, { platform: 'win32' }).host, 'tcp://h:2375');
    assert.strictEqual(
      defaultEndpointSpec({ DOCKER_HOST: '   ' }, { platform: 'win32', home: '/nowhere' }).host,
      'npipe:////./pipe/docker_engine',
      'blank DOCKER_HOST: the default',
    );
    assert.strictEqual(defaultEndpointSpec({ DOCKER_HOST: 'tcp://h:2375' }, { platform: 'linux', host: 'unix:///f.sock' }).host, 'unix:///f.sock');
  });

  it("DOCKER_TLS_VERIFY without DOCKER_HOST: tcp://localhost:2376 with ~/.docker's certificates (home injected)", () => {
    const spec = defaultEndpointSpec({ DOCKER_TLS_VERIFY: '1' }, { platform: 'linux', home: '/home/me' });
    assert.deepStrictEqual(spec, {
      host: 'tcp://localhost:2376',
      tls: { ca: '/home/me/.docker/ca.pem', cert: '/home/me/.docker/cert.pem', key: '/home/me/.docker/key.pem', verify: true },
    });
  });

  it("the -H host keeps the TLS variables (they are the docker CLI's flag defaults)", () => {
    const spec = defaultEndpointSpec({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, { platform: 'linux', host: 'tcp://box:2376' });
    assert.deepStrictEqual(spec, { host: 'tcp://box:2376', tls: { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true } });
  });

  it('the default environment: named and described per platform', () => {
    const win = defaultEngine({}, { platform: 'win32', home: '/nowhere' });
    assert.deepStrictEqual([win.id, win.name, win.endpoint.host], ['local', 'local', 'npipe:////./pipe/docker_engine']);
    assert.match(win.description!, /named pipe \\\\\.\\pipe\\docker_engine \(Docker Desktop\)/);
    const mac = defaultEngine({}, { platform: 'darwin', home: '/nowhere' });
    assert.deepStrictEqual([mac.id, mac.endpoint.host], ['local', 'unix:///var/run/docker.sock']);
    assert.match(mac.description!, /default Docker socket \/var\/run\/docker\.sock \(Docker Desktop's engine is the "desktop-linux" context\)/);
    assert.strictEqual(defaultEngine({}, { platform: 'linux', home: '/nowhere' }).description, 'the local Docker socket');
    const host = defaultEngine({ DOCKER_HOST: 'tcp://u:pw@h:2376' }, { platform: 'win32' });
    assert.deepStrictEqual([host.id, host.name], ['docker-host', 'DOCKER_HOST (tcp://u:***@h:2376)']);
    const flag = defaultEngine({ DOCKER_HOST: 'tcp://h:2376' }, { platform: 'win32', host: 'unix:///f.sock' });
    assert.deepStrictEqual([flag.id, flag.name, flag.endpoint.host], ['host', 'unix:///f.sock', 'unix:///f.sock']);
    assert.strictEqual(describeDefaultEngine('tcp://localhost:2376', 'linux'), "the docker CLI's default engine (tcp://localhost:2376)");
  });
});

describe('discovery on each platform (platform and home injected)', () => {
  let home: string;
  beforeEach(() => (home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-platform-'))));
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  /** What Docker Desktop leaves in ~/.docker: its desktop-linux context, made current. */
  const dockerDesktopInstalled = (socket: string) => {
    const cfg = path.join(home, '.docker');
    const meta = path.join(cfg, 'contexts', 'meta', contextDirName('desktop-linux'));
    fs.mkdirSync(meta, { recursive: true });
    fs.writeFileSync(
      path.join(meta, 'meta.json'),
      JSON.stringify({
        Name: 'desktop-linux',
        Metadata: { Description: 'Docker Desktop' },
        Endpoints: { docker: { Host: `unix://${socket}`, SkipTLSVerify: false } },
      }),
    );
    fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ currentContext: 'desktop-linux' }));
  };
  const discover = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) =>
    discoverEnvironments({ env: { HOME: home, ...env }, home, platform, podman: false });

  it('Windows: the named pipe is the local engine and current', async () => {
    const r = await discover('win32');
    assert.deepStrictEqual(
      r.environments.map((e) => [e.id, e.current, e.endpoint.host]),
      [['local', true, 'npipe:////./pipe/docker_engine']],
    );
  });

  it('macOS with Docker Desktop: its desktop-linux context (~/.docker/run/docker.sock) is current; /var/run/docker.sock is listed too', async () => {
    dockerDesktopInstalled(dockerDesktopSocket('darwin', home)!);
    const r = await discover('darwin');
    assert.deepStrictEqual(
      r.environments.map((e) => [e.id, e.current === true, e.endpoint.host]),
      [
        ['context:desktop-linux', true, `unix://${home}/.docker/run/docker.sock`],
        ['local', false, 'unix:///var/run/docker.sock'],
      ],
    );
  });

  it("macOS, DOCKER_HOST set: DOCKER_HOST, not Docker Desktop's context", async () => {
    dockerDesktopInstalled(dockerDesktopSocket('darwin', home)!);
    const r = await discover('darwin', { DOCKER_HOST: 'unix:///Users/me/.colima/docker.sock' });
    assert.deepStrictEqual([r.environments[0]!.id, r.environments[0]!.current], ['docker-host', true]);
  });

  it('Linux with Docker Desktop: desktop-linux (~/.docker/desktop/docker.sock) current; DOCKER_CONTEXT=default picks /var/run/docker.sock', async () => {
    dockerDesktopInstalled(dockerDesktopSocket('linux', home)!);
    const r = await discover('linux');
    assert.deepStrictEqual([r.environments[0]!.id, r.environments[0]!.endpoint.host], ['context:desktop-linux', `unix://${home}/.docker/desktop/docker.sock`]);
    const d = await discover('linux', { DOCKER_CONTEXT: 'default' });
    assert.deepStrictEqual(
      [d.environments[0]!.id, d.environments[0]!.current, d.environments[0]!.endpoint.host],
      ['local', true, 'unix:///var/run/docker.sock'],
    );
  });

  it('the home folder given is where ~/.docker is read (not the real one)', async () => {
    dockerDesktopInstalled('/somewhere/docker.sock');
    const r = await discoverEnvironments({ env: {}, home, platform: 'linux', podman: false });
    assert.strictEqual(r.environments[0]!.id, 'context:desktop-linux');
  });
});

describe('the named-pipe transport (as far as Linux allows)', () => {
  it('npipe:////./pipe/docker_engine → socketPath \\\\.\\pipe\\docker_engine, nothing else set', () => {
    const ep = resolveEndpoint({ host: 'npipe:////./pipe/docker_engine' });
    assert.strictEqual(ep.kind, 'npipe');
    assert.strictEqual(ep.label, 'npipe:////./pipe/docker_engine');
    assert.strictEqual(ep.modemOptions.socketPath, PIPE);
    assert.ok(ep.modemOptions.agent instanceof http.Agent, 'its own agent');
    for (const k of ['host', 'port', 'protocol', 'ca', 'cert', 'key', 'username', 'sshOptions'] as const) {
      assert.ok(k in ep.modemOptions && ep.modemOptions[k] === undefined, `${k} explicitly unset (docker-modem would fill it from DOCKER_HOST)`);
    }
  });

  it('other pipes keep their name; npipe:// alone is the default pipe; unix:// alone the default socket (opts.parseSimpleProtoAddr)', () => {
    assert.strictEqual(resolveEndpoint({ host: 'npipe:////./pipe/dockerDesktopLinuxEngine' }).modemOptions.socketPath, '\\\\.\\pipe\\dockerDesktopLinuxEngine');
    assert.strictEqual(resolveEndpoint({ host: 'npipe://' }).modemOptions.socketPath, PIPE);
    assert.strictEqual(resolveEndpoint({ host: 'unix://' }).modemOptions.socketPath, '/var/run/docker.sock');
    assert.strictEqual(resolveEndpoint(defaultEndpointSpec({}, { platform: 'win32', home: '/nowhere' })).modemOptions.socketPath, PIPE);
  });

  it('no pipe there: a real request fails with "Docker Desktop is not running" naming the pipe', async () => {
    // On Linux, Node opens the pipe name as a (relative) unix socket path: a fresh directory has none.
    const cwd = process.cwd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-pipe-'));
    process.chdir(dir);
    try {
      const engine = new DockerEngine(resolveEndpoint({ host: 'npipe:////./pipe/docker_engine' }));
      await assert.rejects(engine.ping(), (e: unknown) => {
        assert.ok(e instanceof DockerPruneError, String(e));
        assert.strictEqual(e.kind, 'unreachable');
        assert.match(e.message, /^No Docker engine at the named pipe \\\\\.\\pipe\\docker_engine: Docker Desktop is not running/);
        return true;
      });
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a server at the pipe's name answers: the modem options reach it", async () => {
    const cwd = process.cwd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-pipe-'));
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    });
    process.chdir(dir);
    try {
      await new Promise<void>((resolve) => server.listen(PIPE, resolve));
      const engine = new DockerEngine(resolveEndpoint({ host: 'npipe:////./pipe/docker_engine' }));
      await engine.ping();
      assert.deepStrictEqual(seen, ['GET /_ping']);
    } finally {
      process.chdir(cwd);
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('permission denied on the pipe: the docker-users group', () => {
    const ep = resolveEndpoint({ host: 'npipe:////./pipe/docker_engine' });
    const e = toEngineError(Object.assign(new Error(`connect EACCES ${PIPE}`), { code: 'EACCES' }), ep, 'list images');
    assert.strictEqual(e.kind, 'permission-denied');
    assert.match(e.message, /named pipe \\\\\.\\pipe\\docker_engine\. Add your user to the "docker-users" group/);
  });
});

describe('what a missing engine is said to be, per platform', () => {
  it("Windows' default pipe: Docker Desktop is not running; another pipe: that engine", () => {
    assert.match(
      missingEngineMessage({ kind: 'npipe', socketPath: PIPE, platform: 'win32' }),
      /named pipe \\\\\.\\pipe\\docker_engine: Docker Desktop is not running.*Start Docker Desktop/,
    );
    assert.match(
      missingEngineMessage({ kind: 'npipe', socketPath: '//./pipe/docker_engine', platform: 'win32' }),
      /\\\\\.\\pipe\\docker_engine: Docker Desktop/,
      'either slash',
    );
    assert.match(
      missingEngineMessage({ kind: 'npipe', socketPath: '\\\\.\\pipe\\other', platform: 'win32' }),
      /^No named pipe \\\\\.\\pipe\\other: no Docker engine is serving it/,
    );
  });

  it('macOS, /var/run/docker.sock: Docker Desktop\'s socket, its desktop-linux context and the "default socket" setting', () => {
    const m = missingEngineMessage({ kind: 'unix', socketPath: '/var/run/docker.sock', platform: 'darwin' });
    assert.match(m, /~\/\.docker\/run\/docker\.sock/);
    assert.match(m, /docker context use desktop-linux/);
    assert.match(m, /Allow the default Docker socket to be used/);
  });

  it("Docker Desktop's own sockets (macOS, Linux): Docker Desktop is not running", () => {
    assert.match(
      missingEngineMessage({ kind: 'unix', socketPath: '/Users/me/.docker/run/docker.sock', platform: 'darwin' }),
      /Docker Desktop is not running.*"desktop-linux" context/,
    );
    assert.match(
      missingEngineMessage({ kind: 'unix', socketPath: '/home/me/.docker/desktop/docker.sock', platform: 'linux' }),
      /Docker Desktop is not running/,
    );
  });

  it("Linux, /var/run/docker.sock: start the daemon, or Docker Desktop for Linux's context", () => {
    const m = missingEngineMessage({ kind: 'unix', socketPath: '/var/run/docker.sock', platform: 'linux' });
    assert.match(
      m,
      /^No Docker socket at \/var\/run\/docker\.sock: the Docker daemon is not running there\. Start it \(for example "sudo systemctl start docker"\)/,
    );
    assert.match(m, /Docker Desktop for Linux.*desktop-linux.*~\/\.docker\/desktop\/docker\.sock/);
  });

  it('any other socket: the message as before', () => {
    assert.strictEqual(
      missingEngineMessage({ kind: 'unix', socketPath: '/tmp/x.sock', platform: 'linux' }),
      'No Docker socket at /tmp/x.sock: the Docker daemon is not running there. Start it (for example "sudo systemctl start docker"), or point DOCKER_HOST / the environment\'s host at a running engine.',
    );
    assert.match(permissionDeniedMessage({ kind: 'unix', socketPath: '/var/run/docker.sock' }), /Add your user to the "docker" group/);
  });
});
