/**
 * ssh_config resolution (sshConfig) against fixtures, with the answers OpenSSH's own `ssh -G` gives for them
 * (checked by hand with OpenSSH 9.2), the OpenSSH command line and failure wording, and the ssh2 hop plan.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvalidInputError } from '../../src/core/errors';
import { classifyOpenSshFailure, opensshArgs } from '../../src/core/environments/opensshTransport';
import { planHops } from '../../src/core/environments/ssh2Transport';
import { parseProxyJump, resolveSshConfig, splitLine, type SshConfigQuery } from '../../src/core/environments/sshConfig';
import { chooseSshClient } from '../../src/core/environments/sshTransport';

describe('ssh_config resolution', () => {
  let dir: string;
  let home: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-sshcfg-'));
    home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  };
  const resolve = (q: Partial<SshConfigQuery> & { host: string }, configText?: string) =>
    resolveSshConfig({
      env: { HOME: home },
      localUser: 'me',
      systemConfigFile: path.join(dir, 'no-system-config'),
      configFile: configText === undefined ? undefined : write('config', configText),
      ...q,
    });

  it('a Host alias gives HostName, User, Port and IdentityFile; the first value obtained wins; Host * defaults last', () => {
    const c = resolve(
      { host: 'build' },
      [
        'Host build',
        '  HostName build.example.com',
        '  User ci',
        '  Port 2222',
        '  IdentityFile ~/.ssh/build_key',
        '',
        'Host *',
        '  User nobody',
        '  Port 22',
        '  IdentityFile ~/.ssh/other',
      ].join('\n'),
    );
    assert.strictEqual(c.hostName, 'build.example.com');
    assert.strictEqual(c.user, 'ci');
    assert.strictEqual(c.port, 2222);
    // IdentityFile accumulates (both blocks match), in order
    assert.deepStrictEqual(c.identityFiles, [path.join(home, '.ssh/build_key'), path.join(home, '.ssh/other')]);
    assert.strictEqual(c.defaultIdentityFiles, false);
  });

  it("the URL's user and port win over the config, like ssh's -l and -p", () => {
    const c = resolve({ host: 'build', user: 'root', port: 2200 }, 'Host build\n  User ci\n  Port 2222\n');
    assert.strictEqual(c.user, 'root');
    assert.strictEqual(c.port, 2200);
  });

  it('no config: the host as given, port 22, the local user, OpenSSH default identities and known_hosts files', () => {
    const c = resolve({ host: 'box.lan' }, '');
    assert.strictEqual(c.hostName, 'box.lan');
    assert.strictEqual(c.port, 22);
    assert.strictEqual(c.user, 'me');
    assert.deepStrictEqual(
      c.identityFiles,
      ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'].map((n) => path.join(home, '.ssh', n)),
    );
    assert.strictEqual(c.defaultIdentityFiles, true);
    assert.deepStrictEqual(c.userKnownHostsFiles, [path.join(home, '.ssh/known_hosts'), path.join(home, '.ssh/known_hosts2')]);
    assert.deepStrictEqual(c.proxyJump, []);
    assert.strictEqual(c.strictHostKeyChecking, undefined);
  });

  it('patterns: *, ?, negation (a negated match disables the whole Host line), several patterns per line, case-sensitive', () => {
    const text = ['Host *.lan !evil.lan', '  User lan', 'Host db? web', '  User app', 'Host BIG', '  User upper', 'Host *', '  User dflt'].join('\n');
    assert.strictEqual(resolve({ host: 'box.lan' }, text).user, 'lan');
    assert.strictEqual(resolve({ host: 'evil.lan' }, text).user, 'dflt');
    assert.strictEqual(resolve({ host: 'db1' }, text).user, 'app');
    assert.strictEqual(resolve({ host: 'db12' }, text).user, 'dflt');
    assert.strictEqual(resolve({ host: 'web' }, text).user, 'app');
    assert.strictEqual(resolve({ host: 'big' }, text).user, 'dflt');
  });

  it('keywords case-insensitive; Keyword=value; quotes; comments', () => {
    const c = resolve(
      { host: 'q' },
      ['# comment', 'HOST q', '  hostname=10.0.0.5', '  IdentityFile "~/.ssh/my key"  # trailing comment', '  port = 2022'].join('\n'),
    );
    assert.strictEqual(c.hostName, '10.0.0.5');
    assert.strictEqual(c.port, 2022);
    assert.deepStrictEqual(c.identityFiles, [path.join(home, '.ssh/my key')]);
    assert.deepStrictEqual(splitLine('IdentityFile "a b" c # x'), ['IdentityFile', 'a b', 'c']);
    assert.deepStrictEqual(splitLine('  Port=22'), ['Port', '22']);
  });

  it('%-tokens and ~ in IdentityFile and UserKnownHostsFile, %h in HostName, ${VAR}', () => {
    const c = resolveSshConfig({
      host: 'node7',
      env: { HOME: home, KEYS: '/keys' },
      localUser: 'me',
      systemConfigFile: '/nonexistent',
      configFile: write(
        'config',
        [
          'Host node*',
          '  HostName %h.cluster.example',
          '  User deploy',
          '  Port 2200',
          '  IdentityFile %d/.ssh/%r@%h:%p',
          '  IdentityFile ${KEYS}/%n_%u',
          '  IdentityFile ~/%%literal',
          '  UserKnownHostsFile ~/.ssh/kh_%n /etc/kh_%h',
        ].join('\n'),
      ),
    });
    assert.strictEqual(c.hostName, 'node7.cluster.example');
    assert.deepStrictEqual(c.identityFiles, [path.join(home, '.ssh/deploy@node7.cluster.example:2200'), '/keys/node7_me', path.join(home, '%literal')]);
    assert.deepStrictEqual(c.userKnownHostsFiles, [path.join(home, '.ssh/kh_node7'), '/etc/kh_node7.cluster.example']);
    assert.throws(() => resolve({ host: 'x' }, 'IdentityFile ~/.ssh/%Q\n'), InvalidInputError);
  });

  it('ProxyJump: one or more hops, user@ and :port, ssh:// form, none; the first of ProxyJump / ProxyCommand wins', () => {
    assert.deepStrictEqual(parseProxyJump('bastion'), [{ host: 'bastion', user: undefined, port: undefined }]);
    assert.deepStrictEqual(parseProxyJump('ops@gw1:2222,ssh://me@[::1]:22,gw3'), [
      { host: 'gw1', user: 'ops', port: 2222 },
      { host: '::1', user: 'me', port: 22 },
      { host: 'gw3', user: undefined, port: undefined },
    ]);
    assert.deepStrictEqual(parseProxyJump('none'), []);
    const text = ['Host a', '  ProxyJump gw', 'Host b', '  ProxyCommand nc %h %p', 'Host *', '  ProxyJump other'].join('\n');
    assert.deepStrictEqual(resolve({ host: 'a' }, text).proxyJump, [{ host: 'gw', user: undefined, port: undefined }]);
    const b = resolve({ host: 'b' }, text);
    assert.deepStrictEqual(b.proxyJump, []);
    assert.strictEqual(b.proxyCommand, 'nc %h %p');
    assert.deepStrictEqual(resolve({ host: 'c' }, 'Host c\n  ProxyJump none\nHost *\n  ProxyJump gw\n').proxyJump, []);
  });

  it('IdentitiesOnly, StrictHostKeyChecking (ask, off), IdentityAgent, HostKeyAlias, ConnectTimeout, UserKnownHostsFile none', () => {
    const c = resolve(
      { host: 'h' },
      [
        'Host h',
        '  IdentitiesOnly yes',
        '  StrictHostKeyChecking accept-new',
        '  IdentityAgent none',
        '  HostKeyAlias h-alias',
        '  ConnectTimeout 7',
        '  UserKnownHostsFile none',
        'Host *',
        '  StrictHostKeyChecking no',
      ].join('\n'),
    );
    assert.strictEqual(c.identitiesOnly, true);
    assert.strictEqual(c.strictHostKeyChecking, 'accept-new');
    assert.strictEqual(c.identityAgent, 'none');
    assert.strictEqual(c.hostKeyAlias, 'h-alias');
    assert.strictEqual(c.connectTimeoutSeconds, 7);
    assert.deepStrictEqual(c.userKnownHostsFiles, []);
    assert.strictEqual(resolve({ host: 'x' }, 'StrictHostKeyChecking off\n').strictHostKeyChecking, 'no');
    assert.strictEqual(resolve({ host: 'x' }, 'IdentityAgent SSH_AUTH_SOCK\n').identityAgent, undefined);
    assert.throws(() => resolve({ host: 'x' }, 'StrictHostKeyChecking maybe\n'), InvalidInputError);
  });

  it('Include: globs in order, relative to ~/.ssh, inside a Host block only when it matches, Host in an included file does not leak', () => {
    write('home/.ssh/conf.d/10-a.conf', 'Host a\n  User from-a\n');
    write('home/.ssh/conf.d/20-b.conf', 'Host b\n  User from-b\n');
    write('home/.ssh/conf.d/.hidden.conf', 'Host a\n  User hidden\n');
    write('home/.ssh/only-c', 'Port 2345\n');
    write(
      'home/.ssh/config',
      ['Include conf.d/*.conf', 'Host c', '  Include only-c', 'Host d', '  Include only-c', '  User d-user', 'Host *', '  User default'].join('\n'),
    );
    const q = (host: string) => resolveSshConfig({ host, env: { HOME: home }, localUser: 'me', systemConfigFile: '/nonexistent' });
    assert.strictEqual(q('a').user, 'from-a');
    assert.strictEqual(q('b').user, 'from-b');
    assert.strictEqual(q('c').port, 2345);
    assert.strictEqual(q('c').user, 'default');
    assert.strictEqual(q('e').port, 22);
    // the include inside `Host d` ends with the Host d block still active: User d-user applies
    assert.strictEqual(q('d').user, 'd-user');
    assert.ok(q('a').files.includes(path.join(home, '.ssh/conf.d/10-a.conf')));
  });

  it('the user file first, then the system file; -F replaces both; -F none reads nothing', () => {
    write('home/.ssh/config', 'Host x\n  Port 1111\n');
    const system = write('etc/ssh_config', 'Host *\n  Port 2222\n  User sys\n');
    const q = (configFile?: string) => resolveSshConfig({ host: 'x', env: { HOME: home }, localUser: 'me', systemConfigFile: system, configFile });
    assert.strictEqual(q().port, 1111);
    assert.strictEqual(q().user, 'sys');
    assert.strictEqual(q(write('other', 'Port 3333\n')).port, 3333);
    assert.strictEqual(q(write('other2', 'Port 3333\n')).user, 'me');
    assert.strictEqual(q('none').port, 22);
  });

  it('Match all applies; other Match blocks are skipped and listed', () => {
    const c = resolve({ host: 'm' }, ['Match user someone', '  Port 1', 'Match all', '  User everyone'].join('\n'));
    assert.strictEqual(c.port, 22);
    assert.strictEqual(c.user, 'everyone');
    assert.match(c.skipped[0]!, /line 1: Match user someone/);
  });

  it('ssh2 hop plan: ProxyJump a,b (a with its own config and ProxyJump), then the target; ProxyCommand is refused', () => {
    const config = write(
      'jumps',
      [
        'Host target',
        '  HostName 10.1.1.1',
        '  ProxyJump a,ops@b:2022',
        'Host a',
        '  HostName a.example',
        '  ProxyJump edge',
        'Host b',
        '  HostName b.example',
        '  ProxyJump ignored-for-b',
        'Host pc',
        '  ProxyCommand nc %h %p',
        'Host *',
        '  User u',
      ].join('\n'),
    );
    const hops = planHops({ host: 'target', label: 'ssh://target', settings: { configFile: config }, env: { HOME: home, USER: 'me' } });
    assert.deepStrictEqual(
      hops.map((h) => `${h.config.user}@${h.config.hostName}:${h.config.port}${h.final ? ' (final)' : ''}`),
      ['u@edge:22', 'u@a.example:22', 'ops@b.example:2022', 'u@10.1.1.1:22 (final)'],
    );
    assert.throws(
      () => planHops({ host: 'pc', label: 'ssh://pc', settings: { configFile: config }, env: { HOME: home } }),
      /ProxyCommand .* install the OpenSSH client|ProxyCommand for pc/i,
    );
    const loop = write('loop', 'Host *\n  ProxyJump gw\n');
    assert.throws(() => planHops({ host: 'x', label: 'ssh://x', settings: { configFile: loop }, env: { HOME: home } }), /more than 8 ProxyJump hops/);
  });
});

describe('the OpenSSH client', () => {
  it('runs ssh as the docker CLI does, in batch mode, with only what the URL and settings say', () => {
    assert.deepStrictEqual(opensshArgs({ host: 'build', label: 'ssh://build', settings: {}, env: {} }), [
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=15',
      '-T',
      '--',
      'build',
      'docker system dial-stdio',
    ]);
    assert.deepStrictEqual(
      opensshArgs({
        host: '10.0.0.1',
        port: 2222,
        username: 'ops',
        label: 'ssh://ops@10.0.0.1:2222',
        settings: { configFile: '/cfg', identityFile: '/k', knownHostsFile: '/my known_hosts', strictHostKeyChecking: 'accept-new', connectTimeoutMs: 2500 },
        env: {},
      }),
      [
        '-F',
        '/cfg',
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=3',
        '-T',
        '-i',
        '/k',
        '-o',
        'UserKnownHostsFile="/my known_hosts"',
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-o',
        'StrictHostKeyChecking=accept-new',
        '-l',
        'ops',
        '-p',
        '2222',
        '--',
        '10.0.0.1',
        'docker system dial-stdio',
      ],
    );
    // DOCKER_PRUNE_SSH_CONFIG is -F when the setting is not given
    assert.deepStrictEqual(opensshArgs({ host: 'h', label: 'ssh://h', settings: {}, env: { DOCKER_PRUNE_SSH_CONFIG: '/t/cfg' } }).slice(0, 2), [
      '-F',
      '/t/cfg',
    ]);
  });

  it('chooses OpenSSH when ssh is on the PATH, ssh2 otherwise, with a password, or when told', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-sshbin-'));
    try {
      fs.writeFileSync(path.join(bin, 'ssh'), '#!/bin/sh\n', { mode: 0o755 });
      const t = (settings: object, env: NodeJS.ProcessEnv, password?: string) =>
        chooseSshClient({ host: 'h', label: 'ssh://h', settings, env, password }).client;
      assert.strictEqual(t({}, { PATH: bin }), 'openssh');
      assert.strictEqual(t({}, { PATH: '/nonexistent' }), 'ssh2');
      assert.strictEqual(t({}, { PATH: bin }, 'pw'), 'ssh2');
      assert.strictEqual(t({ client: 'ssh2' }, { PATH: bin }), 'ssh2');
      assert.strictEqual(t({}, { PATH: bin, DOCKER_PRUNE_SSH_CLIENT: 'ssh2' }), 'ssh2');
      assert.throws(() => t({ client: 'openssh' }, { PATH: '/nonexistent' }), /no "ssh" program is on the PATH/);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it("reads ssh's failures (OpenSSH 9 wording)", () => {
    const changed = [
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
      'The fingerprint for the ED25519 key sent by the remote host is',
      'SHA256:1KzcX3HcsdFIZkJ24lQ1SFDf7vMtiJ2HNul8758Kb0I.',
      'Offending ECDSA key in /tmp/kh:1',
      'Host key for [127.0.0.1]:38537 has changed and you have requested strict checking.',
      'Host key verification failed.',
    ].join('\n');
    assert.deepStrictEqual(classifyOpenSshFailure(255, changed), {
      kind: 'host-key-changed',
      keyType: 'ED25519',
      fingerprint: 'SHA256:1KzcX3HcsdFIZkJ24lQ1SFDf7vMtiJ2HNul8758Kb0I',
      file: '/tmp/kh',
      line: 1,
    });
    assert.deepStrictEqual(
      classifyOpenSshFailure(
        255,
        'No ED25519 host key is known for [127.0.0.1]:2200 and you have requested strict checking.\r\nHost key verification failed.\r\n',
      ),
      {
        kind: 'host-key-unknown',
        keyType: 'ED25519',
        host: '[127.0.0.1]:2200',
      },
    );
    assert.strictEqual(classifyOpenSshFailure(255, 'Host key verification failed.\n').kind, 'host-key-unknown');
    assert.deepStrictEqual(classifyOpenSshFailure(255, 'root@127.0.0.1: Permission denied (publickey).\r\n'), {
      kind: 'permission-denied',
      user: 'root',
      methods: 'publickey',
    });
    assert.deepStrictEqual(classifyOpenSshFailure(255, 'ssh: Could not resolve hostname nope.invalid: Name or service not known\r\n'), {
      kind: 'not-resolved',
      host: 'nope.invalid',
    });
    assert.strictEqual(classifyOpenSshFailure(255, 'ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n').kind, 'refused');
    assert.strictEqual(classifyOpenSshFailure(255, 'ssh: connect to host 10.9.9.9 port 22: Connection timed out\r\n').kind, 'timed-out');
    assert.strictEqual(classifyOpenSshFailure(255, 'Bad owner or permissions on /root/.ssh/config\r\n').kind, 'config');
    assert.strictEqual(
      classifyOpenSshFailure(255, 'channel 0: open failed: administratively prohibited: open failed\r\nstdio forwarding failed\r\n').kind,
      'forwarding',
    );
    assert.strictEqual(classifyOpenSshFailure(127, 'bash: line 1: docker: command not found\n').kind, 'remote-command');
  });
});
