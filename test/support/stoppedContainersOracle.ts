/**
 * The engine as oracle for `--containers exited-for=…` (plan/containerPlan.ts), on any engine with the Docker API
 * (Docker on either image store, Podman's compatible API): containers stopped on either side of one instant T, some
 * of them of the kinds Docker Prune keeps by rule. Then:
 * 1. `plan` names exactly the old stopped containers nothing keeps, and the documented reason for each other one;
 * 2. `prune` removes exactly those containers and exactly the planned images, and the bytes it reports equal what
 *    the disk loses;
 * 3. the engine's own `POST /containers/prune` with `until=T` (which judges by creation: every container here ran at
 *    once) then removes exactly the documented exceptions that remain — so on the same state it would have removed
 *    Docker Prune's plan plus those;
 * 4. the engine's own image prune then removes only what those exceptions held.
 */
import * as assert from 'assert';
import { apiJson } from './dockerd';
import type { BuiltCli } from './builtCli';

interface Api {
  readonly socketPath: string;
  /** The API path prefix (`''` for Docker; Podman's compatible API answers without one too). */
  readonly prefix?: string;
}

interface ContainerSummary {
  Id: string;
  Names: string[];
  ImageID: string;
  State: string;
}

interface PlanJson {
  images: Array<{ id: string; action: string }>;
  spaceReclaimable: number;
  containers: Array<{ id: string; name: string; bytes: number; state: string }>;
  keptContainers: Array<{ id: string; name: string; reason: string }>;
}

export interface StoppedContainersOracleOptions {
  /** The engine, for the figures printed. */
  readonly label: string;
  readonly api: Api;
  readonly cli: BuiltCli;
  /** Runnable images (busybox inside), at least 7, none used by a container yet; each gets its own container(s). */
  readonly images: readonly string[];
  /** Bytes the engine's storage uses on disk now (the drop is compared with the bytes a prune reports). */
  readonly diskBytes: () => number;
  /** How far the disk drop may be from the reported bytes (container metadata: config, hosts files, logs). */
  readonly tolerance: (reported: number, containers: number) => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function checkStoppedContainersOracle(o: StoppedContainersOracleOptions): Promise<void> {
  const { socketPath } = o.api;
  const img = o.images;
  assert.ok(img.length >= 7, `seven runnable images (${img.length})`);
  const create = async (name: string, image: string, extra: Record<string, unknown> = {}, hostConfig: Record<string, unknown> = {}) =>
    (
      await apiJson<{ Id: string }>(socketPath, 'POST', `/containers/create?name=${name}`, {
        Image: image,
        Cmd: ['/bin/busybox', 'sh', '-c', 'head -c 200000 /dev/zero > /scratch.bin'],
        HostConfig: { NetworkMode: 'none', ...hostConfig },
        ...extra,
      })
    ).Id;
  const run = async (id: string) => {
    await apiJson(socketPath, 'POST', `/containers/${id}/start`);
    await apiJson(socketPath, 'POST', `/containers/${id}/wait`);
  };
  const daemonNow = async () => (await apiJson<{ SystemTime: string }>(socketPath, 'GET', '/info')).SystemTime;

  // Before T: what goes, and one of each kind Docker Prune keeps.
  const ids: Record<string, string> = {};
  ids['dp-old-exited'] = await create('dp-old-exited', img[0]!, { Labels: { 'com.docker.compose.project': 'shop' } });
  await run(ids['dp-old-exited']);
  ids['dp-old-created'] = await create('dp-old-created', img[1]!);
  ids['dp-old-restart'] = await create('dp-old-restart', img[2]!, {}, { RestartPolicy: { Name: 'unless-stopped' } });
  ids['dp-old-labelled'] = await create('dp-old-labelled', img[3]!, { Labels: { 'docker-prune.keep': 'true' } });
  await run(ids['dp-old-labelled']);
  ids['keepme-db'] = await create('keepme-db', img[4]!);
  await run(ids['keepme-db']);
  // Its image is also under a running container: the container goes, the image stays.
  ids['dp-old-shared'] = await create('dp-old-shared', img[5]!);
  await run(ids['dp-old-shared']);
  const running = await create('dp-running', img[5]!, { Cmd: ['/bin/busybox', 'sleep', '3600'] });
  await apiJson(socketPath, 'POST', `/containers/${running}/start`);
  await sleep(2500);
  const t = await daemonNow();
  await sleep(2500);
  // After T: too recent.
  ids['dp-young'] = await create('dp-young', img[6]!);
  await run(ids['dp-young']);

  // The cutoff stays at T: each run says how long ago that was (on the daemon's clock), rounded to a second.
  const argsNow = async () => {
    const exitedFor = `${Math.round((Date.parse(await daemonNow()) - Date.parse(t)) / 1000)}s`;
    return ['--all', '--containers', `exited-for=${exitedFor}`, '--protect', 'keepme-*'];
  };
  try {
    let args = await argsNow();
    const plan = JSON.parse(o.cli.run(['plan', ...args, '--json']).stdout) as PlanJson;
    const names = (list: Array<{ name: string }>) => list.map((c) => c.name).sort();
    assert.deepStrictEqual(names(plan.containers), ['dp-old-created', 'dp-old-exited', 'dp-old-shared'], `planned with ${args.join(' ')}`);
    assert.deepStrictEqual(
      Object.fromEntries(plan.keptContainers.map((k) => [k.name, k.reason])),
      { 'dp-old-restart': 'restart-policy', 'dp-old-labelled': 'keep-label', 'keepme-db': 'protected', 'dp-young': 'recently-stopped' },
      'the others stay, each for its documented reason',
    );
    const exited = plan.containers.find((c) => c.name === 'dp-old-exited')!;
    assert.ok(exited.bytes >= 200_000, `its own writable bytes count (${exited.bytes})`);
    const planned = new Set(plan.images.filter((i) => i.action === 'delete').map((i) => i.id));
    const imageId = async (ref: string) => (await apiJson<{ Id: string }>(socketPath, 'GET', `/images/${encodeURIComponent(ref)}/json`)).Id;
    assert.ok(
      planned.has(await imageId(img[0]!)) && planned.has(await imageId(img[1]!)),
      `the images only they held go with them:\n${o.cli.run(['plan', ...args]).stdout}`,
    );
    assert.ok(!planned.has(await imageId(img[5]!)), 'an image a running container uses stays');

    // 2. Docker Prune's prune does exactly that, and the disk agrees with its bytes.
    const containersBefore = await apiJson<ContainerSummary[]>(socketPath, 'GET', '/containers/json?all=1');
    const imagesBefore = new Set((await apiJson<Array<{ Id: string }>>(socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
    const diskBefore = o.diskBytes();
    args = await argsNow();
    const result = JSON.parse(o.cli.run(['prune', ...args, '--yes', '--json']).stdout) as {
      ContainersDeleted: string[];
      ImagesDeleted: Array<{ Deleted?: string }>;
      SpaceReclaimed: number;
      skipped: unknown[];
    };
    const drop = diskBefore - o.diskBytes();
    assert.deepStrictEqual(result.skipped, []);
    assert.deepStrictEqual([...result.ContainersDeleted].sort(), plan.containers.map((c) => c.id).sort());
    const containersAfter = await apiJson<ContainerSummary[]>(socketPath, 'GET', '/containers/json?all=1');
    const gone = containersBefore.filter((c) => !containersAfter.some((a) => a.Id === c.Id)).map((c) => c.Id);
    const named = (list: string[]) => list.map((id) => `${containersBefore.find((c) => c.Id === id)?.Names[0] ?? '?'} ${id}`).sort();
    assert.deepStrictEqual(named(gone), named(plan.containers.map((c) => c.id)), 'exactly the planned containers left the engine');
    const imagesAfter = new Set((await apiJson<Array<{ Id: string }>>(socketPath, 'GET', '/images/json?all=1')).map((i) => i.Id));
    assert.deepStrictEqual([...imagesBefore].filter((i) => !imagesAfter.has(i)).sort(), [...planned].sort(), 'exactly the planned images left the engine');
    assert.strictEqual(result.SpaceReclaimed, plan.spaceReclaimable, 'the reported bytes are the previewed ones');
    assert.ok(
      Math.abs(drop - result.SpaceReclaimed) <= o.tolerance(result.SpaceReclaimed, plan.containers.length),
      `reported ${result.SpaceReclaimed} vs the disk's drop ${drop}`,
    );

    console.log(
      `      containers (${o.label}): ${plan.containers.length} planned and removed, ${planned.size} images with them; reported ${result.SpaceReclaimed} bytes, data root dropped ${drop}`,
    );

    // 3. The engine's own container prune on what is left: exactly the exceptions created before T.
    const engine = await apiJson<{ ContainersDeleted: string[] | null }>(
      socketPath,
      'POST',
      `/containers/prune?filters=${encodeURIComponent(JSON.stringify({ until: [t] }))}`,
    );
    const byId = new Map(containersBefore.map((c) => [c.Id, c.Names[0]!.replace(/^\//, '')]));
    assert.deepStrictEqual(
      (engine.ContainersDeleted ?? []).map((id) => byId.get(id) ?? id).sort(),
      ['dp-old-labelled', 'dp-old-restart', 'keepme-db'],
      "the engine's own prune takes Docker Prune's plan plus the documented exceptions, and never the young one",
    );

    // 4. The engine's image prune then frees only what the exceptions held.
    const held = new Set(await Promise.all([img[2]!, img[3]!, img[4]!].map(imageId)));
    const parentsBefore = await apiJson<Array<{ Id: string; ParentId?: string }>>(socketPath, 'GET', '/images/json?all=1');
    const images = await apiJson<{ ImagesDeleted: Array<{ Deleted?: string }> | null }>(
      socketPath,
      'POST',
      `/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: ['false'] }))}`,
    );
    // (and the untagged parents that go with them, on the graphdriver)
    const parentOf = new Map(parentsBefore.map((i) => [i.Id, i.ParentId ?? '']));
    for (const id of [...held]) for (let p = parentOf.get(id); p; p = parentOf.get(p)) held.add(p);
    const deletedImages = (images.ImagesDeleted ?? []).flatMap((i) => (i.Deleted && imagesAfter.has(i.Deleted) ? [i.Deleted] : []));
    for (const id of deletedImages) assert.ok(held.has(id), `the engine's image prune took ${id}, which no exception held`);
  } finally {
    await apiJson(socketPath, 'POST', `/containers/${running}/kill`).catch(() => undefined);
  }
}
