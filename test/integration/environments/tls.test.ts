/**
 * TCP+TLS against a real dockerd listening on 127.0.0.1 with --tlsverify and certificates made by openssl:
 * the right client lists, plans and prunes exactly as over the unix socket; a wrong CA, a missing or foreign
 * client certificate, a missing file and plain HTTP each fail with a message saying what to fix.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { DockerEngine } from '../../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../../src/core/engine/endpoint';
import { discoverEnvironments, openEnvironment, closeEndpoint } from '../../../src/core/environments';
import { previewPrune, runPrune } from '../../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../../src/core/filters';
import type { PrunePolicy } from '../../../src/core/model';
import { SnapshotReader } from '../../../src/core/snapshot/snapshotReader';
import { startTlsEngine, type TlsEngine } from '../../support/envServers';
import { generatePopulation, loadPopulation } from '../../support/population';
import { failureOf, sortedIds, withEngine } from './helpers';

describe('environments: TCP+TLS to a real dockerd on 127.0.0.1 (--tlsverify)', function () {
  this.timeout(5 * 60_000);
  let eng: TlsEngine;
  const good = () => ({ host: eng.tcpHost, tls: { ca: eng.tls.ca, cert: eng.tls.clientCert, key: eng.tls.clientKey, verify: true } });
  const dangling: PrunePolicy = { mode: 'dangling', filters: parseFilterArgs([]), protect: [] };

  before(async () => {
    eng = await startTlsEngine({ name: 'tls' });
    await loadPopulation(eng.socketPath, generatePopulation({ seed: 21, images: 30 }));
  });
  after(async () => {
    await eng?.stop();
  });

  it('with the right CA and client certificate: lists and plans exactly as over the unix socket', async () => {
    const overTls = await withEngine(good(), async (e) => {
      const v = await e.version();
      assert.ok(v.ApiVersion);
      return previewPrune(new SnapshotReader(e), dangling);
    });
    const overUnix = await withEngine({ host: `unix://${eng.socketPath}` }, (e) => previewPrune(new SnapshotReader(e), dangling));
    assert.ok(overTls.snapshot.images.length >= 30);
    assert.deepStrictEqual(sortedIds(overTls.snapshot.images.map((i) => i.id)), sortedIds(overUnix.snapshot.images.map((i) => i.id)));
    assert.deepStrictEqual(overTls.plan.items, overUnix.plan.items);
    assert.ok(overTls.plan.items.length > 0, 'the population has dangling images');
  });

  it('prunes over TLS: the planned images are gone', async () => {
    await withEngine(good(), async (e) => {
      const reader = new SnapshotReader(e);
      const preview = await previewPrune(reader, dangling);
      const outcome = await runPrune({ engine: e, policy: dangling, trigger: 'cli', confirmed: preview, reader });
      assert.strictEqual(outcome.outcome, 'success');
      const left = new Set((await e.listImages()).map((i) => i.Id));
      for (const step of preview.plan.items) if (step.action === 'delete') assert.ok(!left.has(step.id), `${step.id} removed`);
      assert.strictEqual(outcome.result.SpaceReclaimed, preview.plan.spaceReclaimable);
    });
  });

  it('DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH (the docker CLI convention) work as the default environment', async () => {
    const certDir = fs.mkdtempSync('/tmp/dp-certpath-');
    try {
      fs.copyFileSync(eng.tls.ca, `${certDir}/ca.pem`);
      fs.copyFileSync(eng.tls.clientCert, `${certDir}/cert.pem`);
      fs.copyFileSync(eng.tls.clientKey, `${certDir}/key.pem`);
      const { environments } = await discoverEnvironments({
        env: { HOME: certDir, DOCKER_CONFIG: `${certDir}/none`, DOCKER_HOST: eng.tcpHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir },
        podman: false,
      });
      assert.strictEqual(environments[0]!.id, 'docker-host');
      const engine = openEnvironment(environments[0]!);
      try {
        assert.ok((await engine.listImages()).length > 0);
      } finally {
        closeEndpoint(engine.endpoint);
      }
    } finally {
      fs.rmSync(certDir, { recursive: true, force: true });
    }
  });

  it('a wrong CA: the engine certificate is refused, saying to use the CA that signed it', async () => {
    const err = await failureOf(() => withEngine({ ...good(), tls: { ...good().tls, ca: eng.tls.otherCa } }, (e) => e.listImages()));
    assert.strictEqual(err.kind, 'permission-denied');
    assert.match(err.message, /TLS with Docker at tcp:\/\/127\.0\.0\.1:\d+ failed: the engine's certificate cannot be verified/);
    assert.match(err.message, /CA that signed the engine's certificate/);
  });

  it('no client certificate: the engine demands one, and the message says so', async () => {
    const err = await failureOf(() => withEngine({ host: eng.tcpHost, tls: { ca: eng.tls.ca, verify: true } }, (e) => e.listImages()));
    assert.match(err.message, /the engine demands a client certificate and none is configured/);
  });

  it('a client certificate from another CA: refused by the engine', async () => {
    const err = await failureOf(() =>
      withEngine({ host: eng.tcpHost, tls: { ca: eng.tls.ca, cert: eng.tls.otherClientCert, key: eng.tls.otherClientKey } }, (e) => e.listImages()),
    );
    assert.match(err.message, /refused our client certificate: it is not signed by the CA the engine trusts/);
  });

  it('a missing certificate file: an invalid-input error naming the file, before connecting', async () => {
    const err = await failureOf(async () =>
      resolveEndpoint({ host: eng.tcpHost, tls: { ca: eng.tls.ca, cert: '/nonexistent/cert.pem', key: eng.tls.clientKey } }),
    );
    assert.strictEqual(err.kind, 'invalid-input');
    assert.match(err.message, /The TLS client certificate for tcp:\/\/127\.0\.0\.1:\d+, \/nonexistent\/cert\.pem, does not exist/);
  });

  it('plain HTTP to the TLS port: an engine error, not a hang', async () => {
    const err = await failureOf(() => withEngine({ host: eng.tcpHost.replace('tcp://', 'http://') }, (e) => e.listImages()));
    assert.match(err.message, /HTTPS/);
  });

  it('no secret material in any message', async () => {
    const key = fs.readFileSync(eng.tls.clientKey, 'utf8');
    const body = key.split('\n')[1]!;
    const err = await failureOf(() => withEngine({ ...good(), tls: { ...good().tls, ca: eng.tls.otherCa } }, (e) => e.listImages()));
    assert.ok(!err.message.includes(body));
    assert.ok(!JSON.stringify(new DockerEngine(resolveEndpoint(good())).endpoint.label).includes('PRIVATE'));
  });
});
