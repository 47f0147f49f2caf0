/**
 * A broken or hostile engine fails alone (issue 18 §2): a fault-injecting proxy on a unix socket stands in front of a
 * real engine and answers wrongly — malformed JSON, wrong shapes, a 500 MB or endless body, one byte a second, a reset
 * mid-body, an API version it does not speak, a changing or impossible `/info`. For each: `plan --all --all-envs`
 * over the proxy and a second, healthy engine reports the healthy one in full and the faulty one with a clear error,
 * `prune --all --yes` over the faulty one fails with that error, no image is deleted on either engine, and the CLI's
 * peak memory stays bounded.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { apiJson, apiRequest, startEngine, type TestEngine } from '../support/dockerd';
import { runBuiltCli, CLI, type MeasuredRun } from '../support/builtCli';
import { answering, bent, drip, flood, resetMidBody } from '../support/hostileFaults';
import { generatePopulation, loadPopulation } from '../support/population';
import { EngineProxy, type Fault } from '../vscode/suites/lib/engineProxy';

/** Peak memory the CLI may reach while an engine floods it (its answer cap is 256 MiB). */
const MEMORY_BOUND_BYTES = 600 * 1024 * 1024;
const IMAGES = /^\/images\/json$/;

interface FaultCase {
  name: string;
  fault: () => Fault;
  /** The faulty environment's error. */
  error: RegExp;
  args?: string[];
  /** Record and bound the CLI's peak memory. */
  measureMemory?: boolean;
}

let changingId = 0;
const CASES: FaultCase[] = [
  {
    name: 'malformed JSON',
    fault: () => answering(IMAGES, '[{"Id": "sha256:ab", "RepoTags": ['),
    error: /sent an answer to "list images" that is not JSON \(.*\)\. Nothing was done with it\. .*check it with "docker -H <host> info"/,
  },
  {
    name: 'an object where the list belongs',
    fault: () => answering(IMAGES, '{"message": "ok"}'),
    error: /malformed answer to "list images": the answer should be a list, but is an object/,
  },
  {
    name: 'a string where a list belongs',
    fault: () => bent(IMAGES, (l: any[]) => l.map((i, n) => (n === 1 ? { ...i, RepoTags: 'dp/alpha:latest' } : i))),
    error: /malformed answer to "list images": \[1\]\.RepoTags should be a list, but is the string "dp\/alpha:latest"/,
  },
  {
    name: 'a missing Id',
    fault: () => bent(IMAGES, (l: any[]) => l.map((i, n) => (n === 0 ? { ...i, Id: undefined } : i))),
    error: /\[0\]\.Id should be an id \(a non-empty string\), but is missing/,
  },
  {
    name: 'a negative size',
    fault: () => bent(IMAGES, (l: any[]) => l.map((i, n) => (n === 2 ? { ...i, Size: -5 } : i))),
    error: /\[2\]\.Size should be a size in bytes \(0 to 1 PiB\), but is -5/,
  },
  {
    name: 'a size above a pebibyte',
    fault: () => bent(IMAGES, (l: any[]) => l.map((i, n) => (n === 2 ? { ...i, Size: 2 ** 60 } : i))),
    error: /\[2\]\.Size should be a size in bytes \(0 to 1 PiB\), but is 1152921504606847000/,
  },
  {
    name: 'a container without its image id',
    fault: () => bent(/^\/containers\/json$/, (l: any[]) => l.map((c) => ({ ...c, ImageID: undefined }))),
    error: /malformed answer to "list containers": \[0\]\.ImageID should be a string, but is missing/,
  },
  {
    name: 'a 500 MB image list',
    fault: () => flood(IMAGES, 500 * 1024 * 1024),
    error: /sent more than 256 MiB answering "list images": the answer was cut off there and not used/,
    measureMemory: true,
  },
  {
    name: 'an endless image list',
    fault: () => flood(IMAGES, Infinity),
    error: /sent more than 256 MiB answering "list images": the answer was cut off there and not used/,
    measureMemory: true,
  },
  { name: 'one byte a second', fault: () => drip(IMAGES), error: /did not answer "list images" within 5 s/, args: ['--request-timeout', '5'] },
  {
    name: 'a reset mid-body',
    fault: () => resetMidBody(IMAGES),
    error: /connection to Docker at .* closed in the middle of its answer to "list images" \(after \d+ bytes\)/,
  },
  {
    name: 'an API version it does not speak',
    fault: () => bent(/^\/version$/, (v) => ({ ...v, ApiVersion: '0.5' })),
    error: /claims Engine API version "0\.5", which Docker Prune does not speak/,
  },
  {
    name: 'a changing engine ID',
    fault: () => bent(/^\/info$/, (i) => ({ ...i, ID: `lie-${++changingId}` })),
    error: /changed its engine ID from "lie-\d+" to "lie-\d+"/,
  },
  {
    name: 'a store it does not have',
    fault: () => bent(/^\/info$/, (i) => ({ ...i, DriverStatus: [...(i.DriverStatus ?? []), ['driver-type', 'io.containerd.snapshotter.v1']] })),
    error: /claims to keep images in the containerd image store, which Docker 20\.10[^ ]* does not have/,
  },
  {
    name: 'a wrong /info shape',
    fault: () => bent(/^\/info$/, (i) => ({ ...i, DriverStatus: 'overlay2' })),
    error: /malformed answer to "report system info": DriverStatus should be a list, but is the string "overlay2"/,
  },
];

async function imageIds(socket: string): Promise<string[]> {
  return (await apiJson<Array<{ Id: string }>>(socket, 'GET', '/images/json?all=1')).map((i) => i.Id).sort();
}

describe('hostile engine: a broken or lying engine fails alone, deletes nothing, and cannot exhaust memory', function () {
  this.timeout(30 * 60_000);
  let faulty: TestEngine;
  let healthy: TestEngine;
  let proxy: EngineProxy;
  let tmp: string;
  let configFile: string;
  let healthyPlan: string[];
  const memory: string[] = [];
  const env = () => ({
    HOME: tmp,
    DOCKER_CONFIG: path.join(tmp, 'docker-config'),
    XDG_RUNTIME_DIR: tmp,
    XDG_CACHE_HOME: path.join(tmp, 'cache'),
    XDG_STATE_HOME: path.join(tmp, 'state'),
    DOCKER_PRUNE_AUDIT_FILE: path.join(tmp, 'audit.jsonl'),
  });
  const cli = (args: string[]) => runBuiltCli(args, env(), tmp);
  const planIds = (images: Array<{ id: string }> | undefined) => (images ?? []).map((i) => i.id).sort();

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built (node esbuild.mjs)`);
    tmp = fs.mkdtempSync('/tmp/dp-hostile-');
    [faulty, healthy] = await Promise.all([startEngine({ name: 'hostile' }), startEngine({ name: 'healthy' })]);
    const shape = { images: 16, danglingRatio: 0.4, containers: { created: 1, exited: 1, running: 0 } };
    await Promise.all([
      loadPopulation(faulty.socketPath, generatePopulation({ seed: 181, ...shape })),
      loadPopulation(healthy.socketPath, generatePopulation({ seed: 182, ...shape })),
    ]);
    proxy = new EngineProxy(path.join(tmp, 'proxy.sock'), faulty.socketPath);
    await proxy.start();
    configFile = path.join(tmp, 'environments.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        environments: [
          { name: 'faulty', host: proxy.host },
          { name: 'healthy', host: healthy.dockerHost },
        ],
      }),
    );
    const plan = await cli(['plan', '--all', '--json', '--config', configFile, '--env', 'healthy']);
    assert.strictEqual(plan.status, 0, plan.stderr);
    healthyPlan = planIds((JSON.parse(plan.stdout) as { images: Array<{ id: string }> }).images);
    assert.ok(healthyPlan.length > 0, 'the healthy engine has images to plan');
    // What a real image list costs per image, to size the answer cap from (figures for the report).
    const listed = await apiRequest(healthy.socketPath, 'GET', '/images/json?all=1');
    const count = (JSON.parse(listed.body.toString()) as unknown[]).length;
    memory.push(`/images/json: ${listed.body.length} bytes for ${count} images = ${Math.round(listed.body.length / count)} bytes per image`);
  });
  afterEach(() => {
    if (proxy) proxy.fault = undefined;
  });
  after(async () => {
    for (const line of memory) console.log(`      ${line}`);
    await proxy?.stop();
    await Promise.all([faulty?.stop(), healthy?.stop()]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const bounded = (what: string, run: MeasuredRun) => {
    memory.push(`${what}: peak RSS ${(run.maxRssBytes / 1024 / 1024).toFixed(0)} MiB`);
    assert.ok(run.maxRssBytes < MEMORY_BOUND_BYTES, `${what}: the CLI peaked at ${run.maxRssBytes} bytes`);
  };

  for (const c of CASES) {
    it(`${c.name}: that environment fails with a clear error, the healthy one is fully reported, nothing is deleted`, async () => {
      const [faultyBefore, healthyBefore] = await Promise.all([imageIds(faulty.socketPath), imageIds(healthy.socketPath)]);
      proxy.fault = c.fault();

      const plan = await cli(['plan', '--all', '--all-envs', '--config', configFile, '--json', ...(c.args ?? [])]);
      assert.strictEqual(plan.status, 1, plan.stdout + plan.stderr);
      const out = JSON.parse(plan.stdout) as {
        environments: Array<{ name: string; ok: boolean; images?: Array<{ id: string }>; error?: { kind: string; message: string } }>;
      };
      const by = new Map(out.environments.map((e) => [e.name, e]));
      assert.strictEqual(by.get('faulty')?.ok, false, JSON.stringify(by.get('faulty')));
      assert.match(by.get('faulty')!.error!.message, c.error);
      assert.ok(by.get('healthy')?.ok, JSON.stringify(by.get('healthy')));
      assert.deepStrictEqual(planIds(by.get('healthy')!.images), healthyPlan, 'the healthy engine is reported in full');

      const prune = await cli(['prune', '--all', '--yes', '--json', '--config', configFile, '--env', 'faulty', ...(c.args ?? [])]);
      assert.strictEqual(prune.status, 1, prune.stdout + prune.stderr);
      assert.match(prune.stderr, c.error);

      assert.deepStrictEqual(await imageIds(faulty.socketPath), faultyBefore, 'nothing deleted behind the proxy');
      assert.deepStrictEqual(await imageIds(healthy.socketPath), healthyBefore, 'nothing deleted on the healthy engine');
      if (c.measureMemory) {
        bounded(`${c.name}, plan --all-envs`, plan);
        bounded(`${c.name}, prune --yes`, prune);
      }
    });
  }

  it('the engine ID changes between the plan and the prune: the confirmed plan is refused before anything is deleted', async () => {
    const before = await imageIds(faulty.socketPath);
    // A prune asks /info as often as a plan does (profile, snapshot…), then once more when the prune begins.
    const seen = proxy.seen.length;
    assert.strictEqual((await cli(['plan', '--all', '--config', configFile, '--env', 'faulty'])).status, 0);
    const planInfos = proxy.seen.slice(seen).filter((r) => r === 'GET /info').length;
    let infos = 0;
    proxy.fault = bent(/^\/info$/, (i) => (++infos <= planInfos ? i : { ...i, ID: 'another-engine' }));
    const prune = await cli(['prune', '--all', '--yes', '--config', configFile, '--env', 'faulty']);
    assert.strictEqual(prune.status, 1, prune.stdout + prune.stderr);
    assert.match(prune.stderr, /changed its engine ID from "[^"]+" to "another-engine" since it was planned: .*Nothing was done; plan again/);
    assert.deepStrictEqual(await imageIds(faulty.socketPath), before);
    const audit = fs
      .readFileSync(env().DOCKER_PRUNE_AUDIT_FILE, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { phase?: string; status?: string });
    assert.strictEqual(audit.at(-1)?.phase, 'end', 'the refused prune is audited');
  });

  it('null RepoTags on every image: the list is read, and the verified delete leaves every really tagged image alone', async () => {
    const tagged = (await apiJson<Array<{ Id: string; RepoTags: string[] | null }>>(faulty.socketPath, 'GET', '/images/json?all=1'))
      .filter((i) => (i.RepoTags ?? []).some((t) => t !== '<none>:<none>'))
      .map((i) => i.Id);
    assert.ok(tagged.length > 0);
    proxy.fault = bent(IMAGES, (l: any[]) => l.map((i) => ({ ...i, RepoTags: null })));
    const prune = await cli(['prune', '--yes', '--json', '--config', configFile, '--env', 'faulty']);
    assert.ok(prune.status === 0 || prune.status === 1, prune.stderr);
    const after = new Set(await imageIds(faulty.socketPath));
    for (const id of tagged) assert.ok(after.has(id), `${id} is tagged in truth and stays`);
  });
});
