/**
 * Runner side of the environments suite (called from run.ts, never loaded in the extension host): starts the
 * extra real servers — a dockerd with `--tlsverify` on 127.0.0.1 loaded with a small population, a Podman
 * service when podman is installed, a "dead" host (a unix path nobody serves) and a hostile one (a proxy in front
 * of the TLS dockerd's socket that answers its image list in a wrong shape) — and returns the
 * `dockerPrune.environments` entries pointing at them, for the suite workspace's .vscode/settings.json.
 * Only names, hosts and certificate paths are logged; certificates and keys stay in files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startTlsEngine, type TlsEngine } from '../../../support/envServers';
import { bent } from '../../../support/hostileFaults';
import { EngineProxy } from '../lib/engineProxy';
import { podmanAvailable, startPodman, type TestPodman } from '../../../support/podman';
import { generatePopulation, loadPopulation } from '../../../support/population';
import { DEAD_ENV, HOSTILE_ENV, PODMAN_ENV, PODMAN_POPULATION, TLS_ENV, TLS_POPULATION } from './fixture';

export interface EnvironmentServers {
  workspaceSettings: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startEnvironmentServers(scratch: string, log: (m: string) => void): Promise<EnvironmentServers> {
  const up: { tls?: TlsEngine; podman?: TestPodman; hostile?: EngineProxy } = {};
  const stop = async () => {
    await up.hostile?.stop();
    await Promise.all([up.tls?.stop(), up.podman?.stop()]);
  };
  try {
    const withPodman = podmanAvailable();
    // Assigned as each comes up, so a failure of one still stops the other.
    const started = await Promise.allSettled([
      startTlsEngine({ name: 'vsx-tls' }).then((t) => (up.tls = t)),
      withPodman ? startPodman({ name: 'vsx-pm' }).then((p) => (up.podman = p)) : undefined,
    ]);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    const { tls, podman } = up;
    if (!tls) throw new Error('the TLS engine did not start');
    await Promise.all([
      loadPopulation(tls.socketPath, generatePopulation(TLS_POPULATION)),
      podman ? loadPopulation(podman.socketPath, generatePopulation(PODMAN_POPULATION)) : undefined,
    ]);
    const deadDir = path.join(scratch, 'dead');
    fs.mkdirSync(deadDir);
    const hostile = (up.hostile = new EngineProxy(path.join(scratch, 'hostile.sock'), tls.socketPath));
    hostile.fault = bent(/^\/images\/json$/, (list: Array<Record<string, unknown>>) =>
      list.map((i, n) => (n === 0 ? { ...i, RepoTags: 'dp/alpha:latest' } : i)),
    );
    await hostile.start();
    const environments: Array<Record<string, unknown>> = [
      { name: TLS_ENV, host: tls.tcpHost, tls: { ca: tls.tls.ca, cert: tls.tls.clientCert, key: tls.tls.clientKey, verify: true } },
      ...(podman ? [{ name: PODMAN_ENV, host: podman.dockerHost }] : []),
      { name: DEAD_ENV, host: `unix://${path.join(deadDir, 'docker.sock')}` },
      { name: HOSTILE_ENV, host: hostile.host },
    ];
    log(
      `environments: ${TLS_ENV} ${tls.tcpHost} (pid ${tls.pid}); ${podman ? `${PODMAN_ENV} ${podman.dockerHost} (pid ${podman.pid})` : 'podman not installed: its part is skipped'}; ${DEAD_ENV} (no socket); ${HOSTILE_ENV} ${hostile.host} (wrong-shaped image list)`,
    );
    return { workspaceSettings: { 'dockerPrune.environments': environments }, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
