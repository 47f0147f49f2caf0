/**
 * A real image registry for the tests: Debian's `docker-registry` (the CNCF distribution registry), on a free
 * loopback port, with its storage in a temp dir of its own and deletes enabled (so a test can delete a manifest
 * upstream). Docker treats 127.0.0.0/8 as an insecure registry by default: no daemon setting is needed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './envServers';
import { signalGroup, trackServer, untrackServer, within } from './processes';

const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** `127.0.0.1:PORT`: the prefix of the image names that live there. */
  readonly host: string;
  readonly pid: number;
  readonly dir: string;
  /** The manifest digest the registry holds for `repo:tag` (HEAD with the manifest media types). */
  manifestDigest(repo: string, tag: string): Promise<string>;
  /** Deletes a manifest upstream (`DELETE /v2/<repo>/manifests/<digest>`); true when the registry said 202. */
  deleteManifest(repo: string, digest: string): Promise<boolean>;
  stop(): Promise<void>;
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

function request(
  port: number,
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function startRegistry(): Promise<TestRegistry> {
  if (!fs.existsSync(REGISTRY_BINARY)) throw new Error(`${REGISTRY_BINARY} is missing: run scripts/install-debian-packages.sh (it installs docker-registry)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${path.join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      '',
    ].join('\n'),
  );
  const log = fs.openSync(path.join(dir, 'registry.log'), 'a');
  const child = spawn(REGISTRY_BINARY, ['serve', config], { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const pid = child.pid!;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const cleanupSync = () => fs.rmSync(dir, { recursive: true, force: true });
  trackServer(pid, cleanupSync);
  const stop = async () => {
    signalGroup(pid, 'SIGTERM');
    if (!(await within(exited, 5000))) signalGroup(pid, 'SIGKILL');
    untrackServer(pid);
    cleanupSync();
  };
  for (let i = 0; ; i++) {
    const up = await request(port, 'GET', '/v2/').then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    if (i >= 100 || child.exitCode !== null) {
      const text = fs.readFileSync(path.join(dir, 'registry.log'), 'utf8');
      await stop();
      throw new Error(`docker-registry did not answer on 127.0.0.1:${port}: ${text.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    pid,
    dir,
    async manifestDigest(repo, tag) {
      const r = await request(port, 'HEAD', `/v2/${repo}/manifests/${tag}`, { Accept: MANIFEST_TYPES });
      const digest = r.headers['docker-content-digest'];
      if (r.status !== 200 || typeof digest !== 'string') throw new Error(`HEAD /v2/${repo}/manifests/${tag}: ${r.status}`);
      return digest;
    },
    async deleteManifest(repo, digest) {
      return (await request(port, 'DELETE', `/v2/${repo}/manifests/${digest}`)).status === 202;
    },
    stop,
  };
}
