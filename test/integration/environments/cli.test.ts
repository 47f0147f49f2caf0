/**
 * The CLI's environment flags through the built binary (`node dist/cli.js`): --context (contexts made by the
 * docker CLI) and the docker CLI's order of --context / DOCKER_HOST / DOCKER_CONTEXT, --env and --config (TCP+TLS,
 * SSH, read-only, protected, dead), --all-envs with per-environment reports (text and JSON) and a hung host at its
 * own time limit, and no secret in any output or audit line.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { resetEngine } from '../../support/dockerd';
import { startSshd, startTlsEngine, type TestSshd, type TlsEngine } from '../../support/envServers';
import { generatePopulation, loadPopulation } from '../../support/population';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

describe('docker-prune CLI: environment flags (built binary, real servers on loopback)', function () {
  this.timeout(10 * 60_000);
  let eng: TlsEngine;
  let sshd: TestSshd;
  let hung: net.Server;
  const held: net.Socket[] = [];
  let tmp: string;
  let cfgDir: string;
  let configFile: string;
  let auditFile: string;

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Run => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      input: '',
      env: {
        PATH: process.env.PATH,
        HOME: tmp,
        DOCKER_CONFIG: cfgDir,
        XDG_RUNTIME_DIR: tmp,
        XDG_CACHE_HOME: path.join(tmp, 'cache'),
        DOCKER_PRUNE_AUDIT_FILE: auditFile,
        ...env,
      },
      timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
  };
  const docker = (...args: string[]) =>
    execFileSync('docker', ['--config', cfgDir, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  const repopulate = async () => {
    await resetEngine(eng.socketPath);
    await loadPopulation(eng.socketPath, generatePopulation({ seed: 61, images: 25 }));
  };
  const secretsIn = (text: string) => {
    const key = fs.readFileSync(eng.tls.clientKey, 'utf8').split('\n')[1]!;
    return text.includes('hunter2') || text.includes(key);
  };

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    tmp = fs.mkdtempSync('/tmp/dp-envcli-');
    cfgDir = path.join(tmp, 'docker-config');
    eng = await startTlsEngine({ name: 'envcli' });
    sshd = await startSshd({ remoteDockerHost: `unix://${eng.socketPath}` });
    hung = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    const hungPort = (hung.address() as net.AddressInfo).port;
    const t = eng.tls;
    docker('context', 'create', 'tls-ctx', '--docker', `host=${eng.tcpHost},ca=${t.ca},cert=${t.clientCert},key=${t.clientKey}`);
    docker('context', 'create', 'hung-ctx', '--docker', `host=tcp://127.0.0.1:${hungPort}`);
    configFile = path.join(tmp, 'environments.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        environments: [
          { name: 'tls-box', host: eng.tcpHost, tls: { ca: t.ca, cert: t.clientCert, key: t.clientKey } },
          {
            name: 'ssh-box',
            host: `ssh://${sshd.user}:hunter2@127.0.0.1:${sshd.port}`,
            ssh: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile },
            protected: true,
          },
          { name: 'ro-box', host: `unix://${eng.socketPath}`, readOnly: true },
          { name: 'dead-box', host: `unix://${tmp}/nothing.sock` },
        ],
      }),
    );
  });
  after(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => hung?.close(r));
    await sshd?.stop();
    await eng?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await repopulate();
    auditFile = path.join(tmp, `audit-${Date.now()}.jsonl`);
  });

  it('--context NAME plans on that context (TLS material from the context store)', () => {
    const r = cli(['plan', '--context', 'tls-ctx', '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { images: unknown[]; spaceReclaimable: number };
    assert.ok(plan.images.length > 0);
  });

  it('without flags: the current docker context, as the docker CLI would use it (and it is not changed)', () => {
    docker('context', 'use', 'tls-ctx');
    try {
      const r = cli(['plan']);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /would be removed from tls-ctx, reclaiming/);
      assert.match(docker('context', 'show'), /tls-ctx/);
    } finally {
      docker('context', 'use', 'default');
    }
  });

  it('DOCKER_HOST beats DOCKER_CONTEXT and --context beats DOCKER_HOST, as the docker CLI resolves them', () => {
    const dead = `unix://${tmp}/nothing.sock`;
    // What docker itself resolves with the same variables.
    const dockerUses = (env: NodeJS.ProcessEnv, flags: string[] = []) =>
      execFileSync('docker', ['--config', cfgDir, ...flags, 'context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: tmp, ...env },
      }).trim();
    assert.strictEqual(dockerUses({ DOCKER_HOST: dead, DOCKER_CONTEXT: 'tls-ctx' }), dead);
    assert.strictEqual(dockerUses({ DOCKER_HOST: dead }, ['--context', 'tls-ctx']), eng.tcpHost);

    const viaHost = cli(['plan'], { DOCKER_HOST: dead, DOCKER_CONTEXT: 'tls-ctx' });
    assert.strictEqual(viaHost.status, 1, viaHost.stderr);
    assert.match(viaHost.stderr, /No Docker socket at .*nothing\.sock/);
    assert.match(viaHost.stderr, /warning: DOCKER_CONTEXT="tls-ctx" is not used: DOCKER_HOST is set/);
    const viaFlag = cli(['plan', '--context', 'tls-ctx'], { DOCKER_HOST: dead });
    assert.strictEqual(viaFlag.status, 0, viaFlag.stderr);
    assert.match(viaFlag.stdout, /would be removed from tls-ctx, reclaiming/);
    const viaEnv = cli(['plan'], { DOCKER_CONTEXT: 'tls-ctx' });
    assert.strictEqual(viaEnv.status, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout, /would be removed from tls-ctx, reclaiming/);
    const missing = cli(['plan'], { DOCKER_CONTEXT: 'gone' });
    assert.strictEqual(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /DOCKER_CONTEXT names the docker context "gone", which does not exist .*\(there are: default, hung-ctx, tls-ctx\)/);
    const both = cli(['plan', '--context', 'tls-ctx', '-H', dead]);
    assert.strictEqual(both.status, 2, both.stderr);
    assert.match(both.stderr, /conflicting options: cannot specify both --host and --context/);
  });

  it('an unknown context or environment is a usage error naming what exists', () => {
    const a = cli(['plan', '--context', 'nope']);
    assert.strictEqual(a.status, 2);
    assert.match(a.stderr, /No docker context named "nope" in .*docker-config \(there are: default, hung-ctx, tls-ctx\)/);
    const b = cli(['plan', '--config', configFile, '--env', 'nope']);
    assert.strictEqual(b.status, 2);
    assert.match(b.stderr, /No environment named "nope" \(there are: .*tls-box, ssh-box, ro-box, dead-box/);
    const c = cli(['plan', '--host', 'unix:///x.sock', '--env', 'tls-box']);
    assert.strictEqual(c.status, 2);
    assert.match(c.stderr, /Use only one of --host, --env/);
    fs.writeFileSync(path.join(tmp, 'bad.json'), '{"environments": [');
    const d = cli(['plan', '--env', 'x'], { DOCKER_PRUNE_CONFIG: path.join(tmp, 'bad.json') });
    assert.strictEqual(d.status, 2);
    assert.match(d.stderr, /bad\.json is not valid JSON/);
  });

  it('--env from the config file: TCP+TLS and SSH give the same plan', () => {
    const tls = cli(['plan', '--config', configFile, '--env', 'tls-box', '--json']);
    const ssh = cli(['plan', '--config', configFile, '--env', 'ssh-box', '--json']);
    assert.strictEqual(tls.status, 0, tls.stderr);
    assert.strictEqual(ssh.status, 0, ssh.stderr);
    assert.deepStrictEqual(JSON.parse(ssh.stdout), JSON.parse(tls.stdout));
    assert.ok(!secretsIn(ssh.stdout + ssh.stderr));
  });

  it('--all-envs plans everywhere at once; dead and hung environments fail alone, the hung one at --env-timeout', () => {
    const r = cli(['plan', '--all-envs', '--config', configFile, '--json', '--env-timeout', '20']);
    assert.strictEqual(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as {
      environments: Array<{ name: string; ok: boolean; images?: unknown[]; error?: { kind: string; message: string } }>;
      spaceReclaimable: number;
    };
    const by = new Map(out.environments.map((e) => [e.name, e]));
    for (const name of ['tls-box', 'ssh-box', 'ro-box']) assert.ok(by.get(name)?.ok, `${name}: ${JSON.stringify(by.get(name))}`);
    // tls-box is configured with tls-ctx's host: one engine, one entry — the configured one (its settings apply).
    assert.ok(!by.has('tls-ctx'));
    assert.deepStrictEqual(by.get('ssh-box')!.images, by.get('tls-box')!.images);
    assert.strictEqual(by.get('hung-ctx')!.error!.kind, 'timeout');
    assert.match(by.get('dead-box')!.error!.message, /No Docker socket at .*nothing\.sock/);
    assert.strictEqual(by.get('local')!.ok, false, 'no engine at /var/run/docker.sock here');
    assert.ok(!secretsIn(r.stdout + r.stderr));
    const text = cli(['plan', '--all-envs', '--config', configFile, '--env-timeout', '20']);
    assert.match(text.stdout, /== tls-box \(tcp:\/\/127\.0\.0\.1:\d+\) ==\nEngine: Docker [^\n]*\n.*IMAGE ID/);
    assert.match(text.stdout, /== ssh-box \(ssh:\/\/.*:\*\*\*@127\.0\.0\.1:\d+\) \[protected\] ==/);
    assert.match(text.stdout, /== hung-ctx \(tcp:\/\/127\.0\.0\.1:\d+\) ==\nfailed: hung-ctx did not finish within 20 s/);
  });

  it('prune --all-envs: read-only and unconfirmed protected environments are refused, the others pruned, each reported and audited', () => {
    const r = cli(['prune', '--all-envs', '--config', configFile, '--yes', '--json', '--env-timeout', '20'], { DOCKER_CONFIG: path.join(tmp, 'no-contexts') });
    assert.strictEqual(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as {
      environments: Array<{ name: string; ok: boolean; ImagesDeleted?: unknown[]; error?: { kind: string; message: string } }>;
    };
    const by = new Map(out.environments.map((e) => [e.name, e]));
    assert.ok(by.get('tls-box')!.ok && by.get('tls-box')!.ImagesDeleted!.length > 0, JSON.stringify(by.get('tls-box')));
    assert.match(by.get('ro-box')!.error!.message, /ro-box is read-only/);
    assert.match(by.get('ssh-box')!.error!.message, /ssh-box is protected: add --confirm "ssh-box"/);
    assert.strictEqual(by.get('dead-box')!.ok, false);
    const audit = fs.readFileSync(auditFile, 'utf8').trim().split('\n');
    assert.strictEqual(audit.filter((l) => JSON.parse(l).phase === 'end').length, 1, 'one prune ran');
    assert.ok(!secretsIn(r.stdout + r.stderr + audit.join('\n')));
  });

  it('a protected environment prunes with --confirm NAME; a read-only one never', () => {
    const refused = cli(['prune', '--config', configFile, '--env', 'ssh-box', '--yes']);
    assert.strictEqual(refused.status, 2);
    assert.match(refused.stderr, /ssh-box is protected/);
    const ok = cli(['prune', '--config', configFile, '--env', 'ssh-box', '--yes', '--confirm', 'ssh-box']);
    assert.strictEqual(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Total reclaimed space/);
    const audit = fs.readFileSync(auditFile, 'utf8');
    assert.match(audit, /ssh:\/\/.*:\*\*\*@127\.0\.0\.1/);
    assert.ok(!secretsIn(ok.stdout + ok.stderr + audit));
    const ro = cli(['prune', '--config', configFile, '--env', 'ro-box', '--yes']);
    assert.strictEqual(ro.status, 2);
    assert.match(ro.stderr, /ro-box is read-only/);
  });
});
