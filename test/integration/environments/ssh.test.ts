/**
 * ssh:// against Debian's OpenSSH sshd on 127.0.0.1 (own config, host key, authorized key), reaching a real
 * dockerd through `docker system dial-stdio` on the "remote" side — as `docker -H ssh://…` does.
 */
import * as assert from 'assert';
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { discoverEnvironments, openEnvironment, closeEndpoint, contextDirName } from '../../../src/core/environments';
import { previewPrune, runPrune } from '../../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../../src/core/filters';
import type { PrunePolicy } from '../../../src/core/model';
import { SnapshotReader } from '../../../src/core/snapshot/snapshotReader';
import { startEngine, type TestEngine } from '../../support/dockerd';
import { startSshd, type TestSshd } from '../../support/envServers';
import { generatePopulation, loadPopulation } from '../../support/population';
import { failureOf, sortedIds, withEngine } from './helpers';

describe('environments: ssh:// through a real sshd on 127.0.0.1 to a real dockerd', function () {
  this.timeout(5 * 60_000);
  let engine: TestEngine;
  let sshd: TestSshd;
  const good = () => ({ host: sshd.sshHost, ssh: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile } });
  const dangling: PrunePolicy = { mode: 'dangling', filters: parseFilterArgs([]), protect: [] };
  const logins = () => (fs.readFileSync(path.join(sshd.dataDir, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;

  before(async () => {
    engine = await startEngine({ name: 'sshremote' });
    await loadPopulation(engine.socketPath, generatePopulation({ seed: 31, images: 30 }));
    sshd = await startSshd({ remoteDockerHost: engine.dockerHost });
  });
  after(async () => {
    await sshd?.stop();
    await engine?.stop();
  });

  it('lists and plans exactly as over the unix socket, on ONE ssh connection for the whole snapshot', async () => {
    const before = logins();
    const overSsh = await withEngine(good(), (e) => previewPrune(new SnapshotReader(e), dangling));
    const overUnix = await withEngine({ host: engine.dockerHost }, (e) => previewPrune(new SnapshotReader(e), dangling));
    assert.deepStrictEqual(sortedIds(overSsh.snapshot.images.map((i) => i.id)), sortedIds(overUnix.snapshot.images.map((i) => i.id)));
    assert.deepStrictEqual(overSsh.plan.items, overUnix.plan.items);
    assert.ok(overSsh.snapshot.images.length >= 30);
    // ~60 inspect/history requests went over channels of a single login
    assert.strictEqual(logins() - before, 1);
  });

  it('prunes over ssh', async () => {
    await withEngine(good(), async (e) => {
      const reader = new SnapshotReader(e);
      const preview = await previewPrune(reader, dangling);
      assert.ok(preview.plan.items.length > 0);
      const outcome = await runPrune({ engine: e, policy: dangling, trigger: 'cli', confirmed: preview, reader });
      assert.strictEqual(outcome.outcome, 'success');
      const left = new Set((await e.listImages()).map((i) => i.Id));
      assert.ok(preview.plan.items.every((s) => s.action !== 'delete' || !left.has(s.id)));
    });
  });

  it('a key the server does not accept: an authentication error naming the user and the key tried', async () => {
    const err = await failureOf(() => withEngine({ host: sshd.sshHost, ssh: { identityFile: sshd.wrongIdentityFile, knownHostsFile: sshd.knownHostsFile } }, (e) => e.ping()));
    assert.strictEqual(err.kind, 'permission-denied');
    assert.match(err.message, new RegExp(`SSH authentication as "${sshd.user}" to ssh://.*127\\.0\\.0\\.1:${sshd.port} failed: the server accepted none of key ${sshd.wrongIdentityFile}`));
  });

  it('an unknown host key is refused (with its fingerprint); accept-new lets it through', async () => {
    const none = path.join(sshd.dataDir, 'empty_known_hosts');
    fs.writeFileSync(none, '');
    const err = await failureOf(() => withEngine({ host: sshd.sshHost, ssh: { identityFile: sshd.identityFile, knownHostsFile: none } }, (e) => e.ping()));
    assert.match(err.message, /host key of .* \(SHA256:[A-Za-z0-9+/]+\) is not known/);
    await withEngine({ host: sshd.sshHost, ssh: { identityFile: sshd.identityFile, knownHostsFile: none, strictHostKeyChecking: 'accept-new' } }, (e) => e.ping());
  });

  it('a changed host key is refused, even with accept-new', async () => {
    const err = await failureOf(() =>
      withEngine({ host: sshd.sshHost, ssh: { identityFile: sshd.identityFile, knownHostsFile: sshd.wrongKnownHostsFile, strictHostKeyChecking: 'accept-new' } }, (e) => e.ping()),
    );
    assert.match(err.message, /does not match the one recorded in .*wrong_known_hosts: refusing to connect/);
  });

  it('nothing listening on the port: unreachable, at once', async () => {
    const started = Date.now();
    const err = await failureOf(() => withEngine({ host: 'ssh://root@127.0.0.1:1', ssh: { identityFile: sshd.identityFile } }, (e) => e.ping()));
    assert.strictEqual(err.kind, 'unreachable');
    assert.match(err.message, /connection refused/);
    assert.ok(Date.now() - started < 5000);
  });

  it('no docker CLI on the remote side: says to install it', async () => {
    const err = await failureOf(() => withEngine({ ...good(), ssh: { ...good().ssh, remoteCommand: 'no-such-docker system dial-stdio' } }, (e) => e.ping()));
    assert.match(err.message, /"no-such-docker system dial-stdio" failed on the remote host: .*not found.*Install the docker CLI/);
  });

  it('a password in the URL never shows up (label, errors)', async () => {
    const spec = { host: `ssh://${sshd.user}:hunter2@127.0.0.1:${sshd.port}`, ssh: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile } };
    await withEngine(spec, async (e) => {
      assert.ok(!e.endpoint.label.includes('hunter2'));
      await e.ping(); // the key still works (the server takes no passwords)
    });
    const err = await failureOf(() => withEngine({ ...spec, ssh: { ...spec.ssh, identityFile: sshd.wrongIdentityFile } }, (e) => e.ping()));
    assert.ok(!err.message.includes('hunter2'), err.message);
  });

  it('an ssh:// docker context works with the ssh-agent and ~/.ssh/known_hosts (as the docker CLI would)', async () => {
    const home = fs.mkdtempSync('/tmp/dp-sshhome-');
    const agentSock = path.join(home, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore', detached: true });
    const saved = { HOME: process.env.HOME, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };
    try {
      for (let i = 0; i < 100 && !fs.existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', [sshd.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'ignore' });
      fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
      fs.copyFileSync(sshd.knownHostsFile, path.join(home, '.ssh', 'known_hosts'));
      const cfg = path.join(home, '.docker');
      const meta = path.join(cfg, 'contexts', 'meta', contextDirName('build-box'));
      fs.mkdirSync(meta, { recursive: true });
      fs.writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: 'build-box', Metadata: {}, Endpoints: { docker: { Host: sshd.sshHost, SkipTLSVerify: false } } }));
      process.env.HOME = home;
      process.env.SSH_AUTH_SOCK = agentSock;
      const { environments } = await discoverEnvironments({ env: { HOME: home }, podman: false });
      const ctx = environments.find((e) => e.id === 'context:build-box')!;
      const e = openEnvironment(ctx);
      try {
        assert.ok((await e.listImages()).length > 0);
      } finally {
        closeEndpoint(e.endpoint);
      }
    } finally {
      process.env.HOME = saved.HOME;
      if (saved.SSH_AUTH_SOCK === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved.SSH_AUTH_SOCK;
      try {
        process.kill(-agent.pid!, 'SIGTERM');
      } catch {
        agent.kill();
      }
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
