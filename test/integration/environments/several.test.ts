/**
 * Several environments at once — a real dockerd, a real Podman, a socket nobody serves, a closed TCP port and
 * a TCP server that accepts and never answers: the live ones are listed and pruned concurrently, the dead ones
 * fail alone with clear errors, and the hung one fails at its own time limit without holding up the others.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import { closeEndpoint, forEachEnvironment, openEnvironment, type EnvironmentDescriptor } from '../../../src/core/environments';
import { previewPrune, runPrune, type Preview } from '../../../src/core/execute/pruneJob';
import { parseFilterArgs } from '../../../src/core/filters';
import type { PrunePolicy } from '../../../src/core/model';
import { SnapshotReader } from '../../../src/core/snapshot/snapshotReader';
import { startEngine, type TestEngine } from '../../support/dockerd';
import { freePort } from '../../support/envServers';
import { generatePopulation, loadPopulation } from '../../support/population';
import { startPodman, type TestPodman } from '../../support/podman';

/** Each environment's time limit: long enough for a loaded machine, short enough that waiting on the hung one is cheap. */
const LIMIT_MS = 30_000;
const PRUNE_LIMIT_MS = 180_000;

describe('environments: several at once, some dead', function () {
  this.timeout(10 * 60_000);
  let docker: TestEngine;
  let podman: TestPodman;
  let hung: net.Server;
  const held: net.Socket[] = [];
  let tmp: string;
  let envs: EnvironmentDescriptor[];
  const policy: PrunePolicy = { mode: 'dangling', filters: parseFilterArgs([]), protect: [] };

  before(async () => {
    tmp = fs.mkdtempSync('/tmp/dp-several-');
    [docker, podman] = await Promise.all([startEngine({ name: 'several' }), startPodman({ name: 'several' })]);
    await Promise.all([
      loadPopulation(docker.socketPath, generatePopulation({ seed: 51, images: 30 })),
      loadPopulation(podman.socketPath, generatePopulation({ seed: 52, images: 30, danglingRatio: 0.6 })),
    ]);
    hung = net.createServer((s) => held.push(s)); // accepts, never answers
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    const closedPort = await freePort();
    const hungPort = (hung.address() as net.AddressInfo).port;
    envs = [
      { id: 'setting:docker', name: 'docker', source: 'setting', endpoint: { host: docker.dockerHost } },
      { id: 'setting:gone', name: 'gone', source: 'setting', endpoint: { host: `unix://${tmp}/no-engine.sock` } },
      { id: 'setting:podman', name: 'podman', source: 'setting', endpoint: { host: podman.dockerHost } },
      { id: 'setting:refused', name: 'refused', source: 'setting', endpoint: { host: `tcp://127.0.0.1:${closedPort}` } },
      { id: 'setting:hung', name: 'hung', source: 'setting', endpoint: { host: `tcp://127.0.0.1:${hungPort}` } },
      { id: 'setting:bad', name: 'bad', source: 'setting', endpoint: { host: 'ftp://127.0.0.1' } },
    ];
  });
  after(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => hung?.close(r));
    await Promise.all([docker?.stop(), podman?.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists and plans every live one; each dead one fails alone, the hung one at its own time limit', async () => {
    const settled: string[] = [];
    const outcomes = await forEachEnvironment(
      envs,
      async ({ environment, signal }) => {
        const engine = openEnvironment(environment);
        signal.addEventListener('abort', () => closeEndpoint(engine.endpoint), { once: true });
        return { engine, preview: await previewPrune(new SnapshotReader(engine), policy) };
      },
      { concurrency: 6, timeoutMs: LIMIT_MS, onSettled: (o) => settled.push(o.environment.name) },
    );
    const by = new Map(outcomes.map((o) => [o.environment.name, o]));
    for (const live of ['docker', 'podman']) {
      const o = by.get(live)!;
      assert.ok(o.ok, `${live}: ${!o.ok ? o.error.message : ''}`);
      assert.ok(o.value.preview.snapshot.images.length >= 30);
      assert.ok(o.value.preview.plan.items.length > 0);
      closeEndpoint(o.value.engine.endpoint);
    }
    const failure = (name: string) => {
      const o = by.get(name)!;
      assert.ok(!o.ok, `${name} should fail`);
      return o.error;
    };
    assert.match(failure('gone').message, /No Docker socket at .*no-engine\.sock/);
    assert.match(failure('refused').message, /Nothing answers at tcp:\/\/127\.0\.0\.1:\d+/);
    assert.strictEqual(failure('hung').kind, 'timeout');
    assert.match(failure('hung').message, new RegExp(`hung did not finish within ${LIMIT_MS / 1000} s`));
    assert.strictEqual(failure('bad').kind, 'invalid-input');
    assert.match(failure('bad').message, /Unsupported Docker host scheme "ftp:"/);
    // Nobody waited for the hung one: it settled last, at its time limit.
    assert.strictEqual(settled[settled.length - 1], 'hung', settled.join(', '));
  });

  it('prunes the live ones concurrently while the dead ones fail', async () => {
    const outcomes = await forEachEnvironment(
      envs,
      async ({ environment, signal }) => {
        const engine = openEnvironment(environment);
        signal.addEventListener('abort', () => closeEndpoint(engine.endpoint), { once: true });
        try {
          const reader = new SnapshotReader(engine);
          const preview: Preview = await previewPrune(reader, policy);
          const result = await runPrune({ engine, policy, trigger: 'cli', confirmed: preview, reader });
          const left = new Set((await engine.listImages()).map((i) => i.Id));
          return { preview, result, left };
        } finally {
          closeEndpoint(engine.endpoint);
        }
      },
      // A whole preview and prune per environment: not a test of time limits, so one a loaded machine meets.
      { concurrency: 6, timeoutMs: PRUNE_LIMIT_MS },
    );
    const ok = outcomes.filter((o) => o.ok).map((o) => o.environment.name);
    const why = outcomes.map((o) => `${o.environment.name}: ${o.ok ? 'ok' : o.error.message}`).join('; ');
    assert.deepStrictEqual(ok, ['docker', 'podman'], why);
    for (const o of outcomes) {
      if (!o.ok) continue;
      assert.strictEqual(o.value.result.result.skipped.length, 0);
      for (const step of o.value.preview.plan.items)
        if (step.action === 'delete') assert.ok(!o.value.left.has(step.id), `${o.environment.name}: ${step.id} gone`);
    }
  });
});
