/**
 * `--containers exited-for=…` on Podman 5 (its Docker-compatible API), the engine as oracle: see
 * test/support/stoppedContainersOracle.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtCli } from '../../support/builtCli';
import { directorySize } from '../../support/dataRoot';
import { generatePopulation, loadPopulation } from '../../support/population';
import { podman5Available, startPodman5, type TestPodman5 } from '../../support/podman5';
import { checkStoppedContainersOracle } from '../../support/stoppedContainersOracle';

describe('environments: Podman 5 — stopped containers in the plan, the engine as oracle', function () {
  this.timeout(10 * 60_000);
  let pm: TestPodman5 | undefined;
  let home: string;

  before(async function () {
    if (!podman5Available()) throw new Error('no Podman 5 root: run scripts/install-podman5.sh (as root) first');
    pm = await startPodman5({ name: 'pm5ct' });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-pm5ct-'));
  });
  after(async () => {
    await pm?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('plans exactly the long-stopped containers nothing keeps, removes exactly them and their images, and the disk agrees', async () => {
    const loaded = await loadPopulation(
      pm!.socketPath,
      generatePopulation({ seed: 31, images: 40, runnableRatio: 0.8, ownLayerRatio: 1, containers: { created: 0, exited: 0, running: 0 } }),
    );
    const pop = loaded.population;
    const runnable = pop.images
      .filter((i) => i.runnable && i.tags.length > 0 && !pop.images.some((o) => o !== i && builtOn(o.layers, i.layers)))
      .map((i) => loaded.imageIds.get(i.name)!);
    await checkStoppedContainersOracle({
      label: `Podman ${pm!.version}`,
      api: { socketPath: pm!.socketPath },
      cli: builtCli(home, () => pm!.dockerHost),
      images: [...new Set(runnable)],
      diskBytes: () => directorySize(pm!.storagePath),
      tolerance: (reported, containers) => 0.15 * reported + 256 * 1024 + containers * 64 * 1024,
    });
  });
});

/** Whether an image with `layers` is built on one with `base` (its layers start with all of them). */
function builtOn(layers: readonly string[], base: readonly string[]): boolean {
  return layers.length >= base.length && base.every((l, k) => layers[k] === l);
}
