/**
 * ssh:// against Debian's OpenSSH sshd on 127.0.0.1 (own config, host keys, authorized keys), reaching a real
 * dockerd through `docker system dial-stdio` on the "remote" side — as `docker -H ssh://…` does — with both
 * SSH clients: the OpenSSH client (`ssh`, as the docker CLI runs it) and the bundled ssh2 library.
 *
 * Every ssh and ssh-agent process started here carries DP_SSH_TEST_RUN in its environment; after each test
 * none may be left.
 */
import * as assert from 'assert';
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { closeEndpoint, contextDirName, discoverEnvironments, openEnvironment, type SshClientKind } from '../../../src/core/environments';
import { DockerEngine } from '../../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../../src/core/engine/endpoint';
import { previewPrune, runPrune } from '../../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../../src/core/filters';
import type { PrunePolicy } from '../../../src/core/model';
import { SnapshotReader } from '../../../src/core/snapshot/snapshotReader';
import { startEngine, type TestEngine } from '../../support/dockerd';
import { startSshd, type TestSshd } from '../../support/envServers';
import { generatePopulation, loadPopulation } from '../../support/population';
import { failureOf, sortedIds, withEngine } from './helpers';

const RUN_MARK = randomUUID();

/** ssh / ssh-agent processes started by this test run (any parent) that are still alive. */
function leftoverProcesses(): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = /\((.*)\)/.exec(stat)?.[1];
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if ((comm !== 'ssh' && comm !== 'ssh-agent') || state === 'Z') continue;
      if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DP_SSH_TEST_RUN=${RUN_MARK}`)) out.push(`${pid} ${comm}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Puts process.env back as `saved` was (keys added since are removed). */
function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
}

async function assertNoLeftovers(): Promise<void> {
  for (let i = 0; i < 100 && leftoverProcesses().length; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepStrictEqual(leftoverProcesses(), [], 'ssh processes left behind');
}

/** A private ssh-agent (its own socket) holding `keys`; stop() kills it and waits until it is gone. */
async function startAgent(dir: string, keys: string[]): Promise<{ socket: string; stop(): Promise<void> }> {
  const socket = path.join(dir, `agent-${randomUUID().slice(0, 8)}.sock`);
  const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore', detached: true, env: { ...process.env, DP_SSH_TEST_RUN: RUN_MARK } });
  const gone = new Promise<void>((r) => agent.once('exit', () => r()));
  for (let i = 0; i < 200 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
  for (const k of keys) execFileSync('ssh-add', [k], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  return {
    socket,
    async stop() {
      try {
        process.kill(-agent.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      await gone;
    },
  };
}

describe('environments: ssh:// through a real sshd on 127.0.0.1 to a real dockerd', function () {
  this.timeout(5 * 60_000);
  let engine: TestEngine;
  let sshd: TestSshd;
  let jump: TestSshd;
  let work: string;
  const dangling: PrunePolicy = { mode: 'dangling', filters: parseFilterArgs([]), protect: [] };
  const logins = (s: TestSshd) => (fs.readFileSync(path.join(s.dataDir, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length;
  const savedEnv = { ...process.env };

  before(async () => {
    process.env.DP_SSH_TEST_RUN = RUN_MARK;
    // nothing of the machine's own ssh setup may take part
    delete process.env.SSH_AUTH_SOCK;
    delete process.env.DOCKER_PRUNE_SSH_CONFIG;
    delete process.env.DOCKER_PRUNE_SSH_CLIENT;
    engine = await startEngine({ name: 'sshremote' });
    await loadPopulation(engine.socketPath, generatePopulation({ seed: 31, images: 30 }));
    sshd = await startSshd({ remoteDockerHost: engine.dockerHost, rsaHostKey: true });
    jump = await startSshd({ remoteDockerHost: engine.dockerHost, name: 'sshjump', allowTcpForwarding: true });
    work = fs.mkdtempSync('/tmp/dp-sshwork-');
  });
  after(async () => {
    await sshd?.stop();
    await jump?.stop();
    await engine?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    restoreEnv(savedEnv);
  });

  for (const client of ['openssh', 'ssh2'] as const satisfies readonly SshClientKind[]) {
    describe(`with the ${client} client`, () => {
      const good = () => ({ host: sshd.sshHost, ssh: { client, identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile } });
      const file = (name: string, text: string) => {
        const f = path.join(work, `${client}-${name}`);
        fs.writeFileSync(f, text, { mode: 0o600 });
        return f;
      };
      afterEach(assertNoLeftovers);

      it('uses the client it was told to', async () => {
        await withEngine(good(), async (e) => {
          assert.strictEqual((e.endpoint.modemOptions.agent as unknown as { sshClient: string }).sshClient, client);
          await e.ping();
        });
      });

      it('lists and plans exactly as over the unix socket, on few logins for the whole snapshot', async () => {
        const before = logins(sshd);
        let mostProcesses = 0;
        const overSsh = await withEngine(good(), async (e) => {
          const agent = e.endpoint.modemOptions.agent as unknown as { processIds?: number[] };
          const sample = setInterval(() => (mostProcesses = Math.max(mostProcesses, agent.processIds?.length ?? 0)), 10);
          try {
            return await previewPrune(new SnapshotReader(e), dangling);
          } finally {
            clearInterval(sample);
          }
        });
        const overUnix = await withEngine({ host: engine.dockerHost }, (e) => previewPrune(new SnapshotReader(e), dangling));
        assert.deepStrictEqual(sortedIds(overSsh.snapshot.images.map((i) => i.id)), sortedIds(overUnix.snapshot.images.map((i) => i.id)));
        assert.deepStrictEqual(overSsh.plan.items, overUnix.plan.items);
        // 30 images, fewer once the other client's prune test ran
        assert.ok(overSsh.snapshot.images.length > 10);
        // ~60 inspect/history requests: ssh2 runs them as channels of ONE login; OpenSSH on at most 4 ssh
        // processes at once, kept alive and reused (a connection the engine closes is replaced by a new one)
        const used = logins(sshd) - before;
        if (client === 'ssh2') assert.strictEqual(used, 1);
        else {
          assert.ok(mostProcesses >= 1 && mostProcesses <= 4, `${mostProcesses} ssh processes at once`);
          assert.ok(used >= 1 && used <= 12, `${used} logins`);
        }
      });

      it('prunes over ssh', async () => {
        // some dangling images of its own (no containers: their names are taken)
        await loadPopulation(
          engine.socketPath,
          generatePopulation({ seed: client === 'openssh' ? 41 : 42, images: 10, danglingRatio: 0.6, containers: { created: 0, exited: 0, running: 0 } }),
        );
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
        const err = await failureOf(() =>
          withEngine({ host: sshd.sshHost, ssh: { client, identityFile: sshd.wrongIdentityFile, knownHostsFile: sshd.knownHostsFile } }, (e) => e.ping()),
        );
        assert.strictEqual(err.kind, 'permission-denied');
        assert.match(
          err.message,
          new RegExp(
            `SSH authentication as "${sshd.user}" to ssh://.*127\\.0\\.0\\.1:${sshd.port} failed: the server accepted none of key ${sshd.wrongIdentityFile}`,
          ),
        );
      });

      it('an unknown host key is refused; accept-new lets it through', async () => {
        const none = file('empty_known_hosts', '');
        const err = await failureOf(() =>
          withEngine({ host: sshd.sshHost, ssh: { client, identityFile: sshd.identityFile, knownHostsFile: none } }, (e) => e.ping()),
        );
        assert.strictEqual(err.kind, 'permission-denied');
        // ssh2 sees the key and shows its fingerprint; OpenSSH in batch mode does not print it
        assert.match(
          err.message,
          client === 'ssh2'
            ? /host key of .* \(ED25519 SHA256:[A-Za-z0-9+/]+\) is not known/
            : /host key of ssh:\/\/\S+ is not known: it is not in .*empty_known_hosts/,
        );
        await withEngine(
          { host: sshd.sshHost, ssh: { client, identityFile: sshd.identityFile, knownHostsFile: none, strictHostKeyChecking: 'accept-new' } },
          (e) => e.ping(),
        );
      });

      it('a changed host key is refused, even with accept-new', async () => {
        const err = await failureOf(() =>
          withEngine(
            {
              host: sshd.sshHost,
              ssh: { client, identityFile: sshd.identityFile, knownHostsFile: sshd.wrongKnownHostsFile, strictHostKeyChecking: 'accept-new' },
            },
            (e) => e.ping(),
          ),
        );
        assert.strictEqual(err.kind, 'permission-denied');
        assert.match(err.message, /does not match the one recorded in .*wrong_known_hosts: refusing to connect/);
      });

      it('known_hosts records only the RSA key: that type is negotiated and the host is known', async () => {
        const rsaOnly = file('rsa_known_hosts', `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.rsa}\n`);
        await withEngine({ host: sshd.sshHost, ssh: { client, identityFile: sshd.identityFile, knownHostsFile: rsaOnly } }, (e) => e.ping());
      });

      it('known_hosts records only a type the server lacks: "not known", never "changed"', async () => {
        const ecdsa = path.join(work, `${client}-ecdsa`);
        execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', ecdsa], { stdio: 'ignore' });
        const pub = fs.readFileSync(`${ecdsa}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
        const other = file('ecdsa_known_hosts', `[127.0.0.1]:${sshd.port} ${pub}\n`);
        for (const strict of ['yes', 'accept-new'] as const) {
          const err = await failureOf(() =>
            withEngine({ host: sshd.sshHost, ssh: { client, identityFile: sshd.identityFile, knownHostsFile: other, strictHostKeyChecking: strict } }, (e) =>
              e.ping(),
            ),
          );
          assert.strictEqual(err.kind, 'permission-denied');
          assert.match(
            err.message,
            /is not known: .*ecdsa_known_hosts records only ECDSA key\(s\) for \[127\.0\.0\.1\]:\d+, and the server offers no key of that type/,
          );
          assert.doesNotMatch(err.message, /does not match|has changed|changed key/i);
        }
      });

      it('nothing listening on the port: unreachable, at once', async () => {
        const started = Date.now();
        const err = await failureOf(() => withEngine({ host: 'ssh://root@127.0.0.1:1', ssh: { client, identityFile: sshd.identityFile } }, (e) => e.ping()));
        assert.strictEqual(err.kind, 'unreachable');
        assert.match(err.message, /connection refused/);
        assert.ok(Date.now() - started < 5000);
      });

      it('no docker CLI on the remote side: says to install it', async () => {
        const err = await failureOf(() =>
          withEngine({ ...good(), ssh: { ...good().ssh, remoteCommand: 'no-such-docker system dial-stdio' } }, (e) => e.ping()),
        );
        assert.match(err.message, /"no-such-docker system dial-stdio" failed on the remote host: .*not found.*Install the docker CLI/);
      });

      it('a password in the URL never shows up (label, errors)', async () => {
        const spec = {
          host: `ssh://${sshd.user}:hunter2@127.0.0.1:${sshd.port}`,
          ssh: { client, identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile },
        };
        await withEngine(spec, async (e) => {
          assert.ok(!e.endpoint.label.includes('hunter2'));
          await e.ping(); // the key still works (the server takes no passwords)
        });
        const err = await failureOf(() => withEngine({ ...spec, ssh: { ...spec.ssh, identityFile: sshd.wrongIdentityFile } }, (e) => e.ping()));
        assert.ok(!err.message.includes('hunter2'), err.message);
      });

      it('a Host alias from the ssh config: HostName, Port, User, IdentityFile, IdentitiesOnly, UserKnownHostsFile', async () => {
        const config = file(
          'ssh_config',
          [
            'Host dp-build-box',
            '  HostName 127.0.0.1',
            `  Port ${sshd.port}`,
            `  User ${sshd.user}`,
            `  IdentityFile ${sshd.wrongIdentityFile}`,
            `  IdentityFile ${sshd.identityFile}`,
            '  IdentitiesOnly yes',
            `  UserKnownHostsFile ${sshd.knownHostsFile}`,
            'Host *',
            '  Port 1',
            '  User nobody-at-all',
            '',
          ].join('\n'),
        );
        const before = logins(sshd);
        await withEngine({ host: 'ssh://dp-build-box', ssh: { client, configFile: config } }, async (e) => assert.ok((await e.listImages()).length > 0));
        assert.ok(logins(sshd) > before);
      });

      it('ProxyJump: through a second sshd on loopback', async () => {
        const config = file(
          'jump_config',
          [
            'Host dp-target',
            '  HostName 127.0.0.1',
            `  Port ${sshd.port}`,
            '  ProxyJump dp-bastion',
            'Host dp-bastion',
            '  HostName 127.0.0.1',
            `  Port ${jump.port}`,
            'Host *',
            `  User ${sshd.user}`,
            `  IdentityFile ${sshd.identityFile}`,
            `  IdentityFile ${jump.identityFile}`,
            `  UserKnownHostsFile ${sshd.knownHostsFile} ${jump.knownHostsFile}`,
            '',
          ].join('\n'),
        );
        const [viaJump, atTarget] = [logins(jump), logins(sshd)];
        await withEngine({ host: 'ssh://dp-target', ssh: { client, configFile: config } }, async (e) => assert.ok((await e.listImages()).length > 0));
        assert.ok(logins(jump) > viaJump, 'no login on the jump host');
        assert.ok(logins(sshd) > atTarget, 'no login on the target');
      });

      it('a passphrase-protected key with a decrypted copy in the ssh-agent: the agent authenticates, nothing prompts', async () => {
        const home = fs.mkdtempSync(path.join(work, `${client}-home-`));
        fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
        const key = path.join(home, '.ssh', 'id_ed25519');
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dp-encrypted', '-f', key], { stdio: 'ignore' });
        fs.appendFileSync(sshd.authorizedKeysFile, fs.readFileSync(`${key}.pub`));
        const plain = path.join(home, 'decrypted_copy');
        fs.copyFileSync(key, plain);
        fs.chmodSync(plain, 0o600);
        execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse battery staple', '-f', key], { stdio: 'ignore' });
        fs.copyFileSync(sshd.knownHostsFile, path.join(home, '.ssh', 'known_hosts'));
        // Anything that tried to ask for the passphrase would run this and leave a mark.
        const askpass = path.join(home, 'askpass.sh');
        const asked = path.join(home, 'asked');
        fs.writeFileSync(askpass, `#!/bin/sh\necho asked >> ${asked}\necho wrong\n`, { mode: 0o755 });
        const agent = await startAgent(home, [plain]);
        fs.rmSync(plain);
        try {
          // ssh2 reads the default key from $HOME/.ssh; OpenSSH takes ~ from the passwd entry, not $HOME, so it
          // gets the same key and known_hosts through a config file.
          const config = path.join(home, 'config');
          fs.writeFileSync(config, `Host *\n  IdentityFile ${key}\n  UserKnownHostsFile ${path.join(home, '.ssh', 'known_hosts')}\n`);
          const saved = { ...process.env };
          Object.assign(process.env, { HOME: home, SSH_AUTH_SOCK: agent.socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' });
          const target = `ssh://${sshd.user}@127.0.0.1:${sshd.port}`;
          try {
            for (const settings of client === 'ssh2' ? [{}, { configFile: config }] : [{ configFile: config }]) {
              await withEngine({ host: target, ssh: { client, ...settings } }, async (e) => assert.ok((await e.listImages()).length > 0));
            }
            assert.ok(!fs.existsSync(asked), 'something asked for a passphrase');
            // Without the agent: the encrypted key is skipped (not an error of its own) and the failure says so.
            process.env.SSH_AUTH_SOCK = '';
            const err = await failureOf(() => withEngine({ host: target, ssh: { client, configFile: config } }, (e) => e.ping()));
            assert.strictEqual(err.kind, 'permission-denied');
            assert.match(
              err.message,
              client === 'ssh2'
                ? /Skipped .*id_ed25519: protected by a passphrase and not in the ssh-agent/
                : /need a passphrase are used only through the ssh-agent/,
            );
            assert.ok(!err.message.includes('correct horse'), err.message);
          } finally {
            restoreEnv(saved);
          }
          assert.ok(!fs.existsSync(asked), 'something asked for a passphrase');
        } finally {
          await agent.stop();
        }
      });

      it('closing the endpoint ends a request in flight and its ssh processes', async () => {
        // The remote command never answers, like a hung engine, and does not end when its input does (so
        // ssh would stay until killed); it ends on its own after 20 s.
        const e = new DockerEngine(resolveEndpoint({ ...good(), ssh: { ...good().ssh, remoteCommand: 'sleep 20' } }));
        const started = Date.now();
        const pending = e.ping().then(
          () => assert.fail('the ping answered'),
          (err: Error) => err,
        );
        await new Promise((r) => setTimeout(r, 1500));
        closeEndpoint(e.endpoint);
        const err = await pending;
        assert.ok(err instanceof Error);
        assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
      });
    });
  }

  for (const client of ['openssh', 'ssh2'] as const) {
    it(`an ssh:// docker context works with the ssh-agent and the user's known_hosts (as the docker CLI would), ${client}`, async () => {
      const home = fs.mkdtempSync(path.join(work, 'ctxhome-'));
      const agent = await startAgent(home, [sshd.identityFile]);
      const saved = { ...process.env };
      try {
        fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
        fs.copyFileSync(sshd.knownHostsFile, path.join(home, '.ssh', 'known_hosts'));
        const cfg = path.join(home, '.docker');
        const meta = path.join(cfg, 'contexts', 'meta', contextDirName('build-box'));
        fs.mkdirSync(meta, { recursive: true });
        fs.writeFileSync(
          path.join(meta, 'meta.json'),
          JSON.stringify({ Name: 'build-box', Metadata: {}, Endpoints: { docker: { Host: sshd.sshHost, SkipTLSVerify: false } } }),
        );
        process.env.HOME = home;
        process.env.SSH_AUTH_SOCK = agent.socket;
        process.env.DOCKER_PRUNE_SSH_CLIENT = client;
        // OpenSSH reads ~ from the passwd entry, not $HOME: its known_hosts comes through a config file here.
        if (client === 'openssh') {
          const config = path.join(home, 'ssh_config');
          fs.writeFileSync(config, `Host *\n  UserKnownHostsFile ${path.join(home, '.ssh', 'known_hosts')}\n  IdentitiesOnly no\n`);
          process.env.DOCKER_PRUNE_SSH_CONFIG = config;
        }
        const { environments } = await discoverEnvironments({ env: { HOME: home }, podman: false });
        const ctx = environments.find((e) => e.id === 'context:build-box')!;
        const e = openEnvironment(ctx);
        try {
          assert.strictEqual((e.endpoint.modemOptions.agent as unknown as { sshClient: string }).sshClient, client);
          assert.ok((await e.listImages()).length > 0);
        } finally {
          closeEndpoint(e.endpoint);
        }
      } finally {
        restoreEnv(saved);
        await agent.stop();
      }
      await assertNoLeftovers();
    });
  }
});
