/**
 * Docker contexts made by the real docker CLI (`docker --config DIR context create/use`) in a generated config
 * dir: every context is found with its TLS material, the current one is marked and first, each is listed
 * concurrently against a real dockerd (TLS and unix), broken ones fail alone, and nothing is ever written to
 * the user's config (the current context stays as it was).
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { closeEndpoint, discoverEnvironments, forEachEnvironment, openEnvironment, readDockerContexts } from '../../../src/core/environments';
import { startTlsEngine, type TlsEngine } from '../../support/envServers';
import { generatePopulation, loadPopulation } from '../../support/population';

describe('environments: Docker contexts (made by the docker CLI) against a real dockerd', function () {
  this.timeout(5 * 60_000);
  let eng: TlsEngine;
  let home: string;
  let cfg: string;
  const docker = (...args: string[]) =>
    execFileSync('docker', ['--config', cfg, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  const snapshotOfConfig = () => {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(cfg, p)] = fs.readFileSync(p, 'utf8') + String(fs.statSync(p).mtimeMs);
      }
    };
    walk(cfg);
    return out;
  };

  before(async () => {
    eng = await startTlsEngine({ name: 'ctx' });
    await loadPopulation(eng.socketPath, generatePopulation({ seed: 41, images: 12 }));
    home = fs.mkdtempSync('/tmp/dp-ctxhome-');
    cfg = path.join(home, 'docker-config');
    const t = eng.tls;
    docker(
      'context',
      'create',
      'tls-ctx',
      '--description',
      'TLS on loopback',
      '--docker',
      `host=${eng.tcpHost},ca=${t.ca},cert=${t.clientCert},key=${t.clientKey}`,
    );
    docker('context', 'create', 'unix-ctx', '--docker', `host=unix://${eng.socketPath}`);
    docker('context', 'create', 'skip-verify', '--docker', `host=${eng.tcpHost},cert=${t.clientCert},key=${t.clientKey},skip-tls-verify=true`);
    docker('context', 'create', 'wrong-ca', '--docker', `host=${eng.tcpHost},ca=${t.otherCa},cert=${t.clientCert},key=${t.clientKey}`);
    docker('context', 'create', 'dead', '--docker', `host=unix://${home}/nothing-here.sock`);
    docker('context', 'use', 'unix-ctx');
  });
  after(async () => {
    await eng?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('finds every context the docker CLI lists, with TLS material and SkipTLSVerify; the current one first', async () => {
    const cliNames = docker('context', 'ls', '--format', '{{.Name}}')
      .split('\n')
      .map((s) => s.replace(/\s*\*$/, '').trim())
      .filter(Boolean)
      .sort();
    const { environments, problems } = await discoverEnvironments({ env: { HOME: home, DOCKER_CONFIG: cfg }, podman: false });
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(environments.map((e) => (e.source === 'context' ? e.name : 'default')).sort(), cliNames);
    assert.strictEqual(environments[0]!.id, 'context:unix-ctx');
    assert.strictEqual(environments[0]!.current, true);
    assert.strictEqual(environments.filter((e) => e.current).length, 1);
    const tls = environments.find((e) => e.id === 'context:tls-ctx')!;
    assert.strictEqual(tls.description, 'TLS on loopback');
    assert.strictEqual(tls.endpoint.tls?.verify, true);
    assert.ok(tls.endpoint.tls?.ca && fs.readFileSync(tls.endpoint.tls.ca, 'utf8') === fs.readFileSync(eng.tls.ca, 'utf8'), 'the CA the CLI stored');
    assert.strictEqual(environments.find((e) => e.id === 'context:skip-verify')!.endpoint.tls?.verify, false);
  });

  it('DOCKER_CONTEXT overrides the current context, like the docker CLI', async () => {
    const { environments } = await discoverEnvironments({ env: { HOME: home, DOCKER_CONFIG: cfg, DOCKER_CONTEXT: 'tls-ctx' }, podman: false });
    assert.strictEqual(environments[0]!.id, 'context:tls-ctx');
    assert.strictEqual(readDockerContexts({ DOCKER_CONFIG: cfg }).current, 'unix-ctx');
  });

  it('lists all contexts at once: the good ones agree, the broken ones fail alone with clear errors; the config is untouched', async () => {
    const before = snapshotOfConfig();
    const { environments } = await discoverEnvironments({ env: { HOME: home, DOCKER_CONFIG: cfg }, podman: false });
    const contexts = environments.filter((e) => e.source === 'context');
    const outcomes = await forEachEnvironment(
      contexts,
      async ({ environment }) => {
        const engine = openEnvironment(environment);
        try {
          return (await engine.listImages()).map((i) => i.Id).sort();
        } finally {
          closeEndpoint(engine.endpoint);
        }
      },
      { concurrency: 5, timeoutMs: 30_000 },
    );
    const byName = new Map(outcomes.map((o) => [o.environment.name, o]));
    const reference = byName.get('unix-ctx')!;
    assert.ok(reference.ok && reference.value.length >= 12);
    for (const name of ['tls-ctx', 'skip-verify']) {
      const o = byName.get(name)!;
      assert.ok(o.ok, `${name}: ${!o.ok ? o.error.message : ''}`);
      assert.deepStrictEqual(o.value, reference.ok ? reference.value : undefined);
    }
    const dead = byName.get('dead')!;
    assert.ok(!dead.ok && dead.error.kind === 'unreachable' && /No Docker socket at .*nothing-here\.sock/.test(dead.error.message));
    const wrongCa = byName.get('wrong-ca')!;
    assert.ok(!wrongCa.ok && /engine's certificate cannot be verified/.test(wrongCa.error.message));
    assert.deepStrictEqual(snapshotOfConfig(), before, 'nothing in the docker config dir changed');
    assert.match(docker('context', 'show'), /unix-ctx/);
  });
});
