/**
 * Docker 20.10 answers a `/system/df` asked while another runs with 500 `a disk usage operation is already
 * running`. The tree, the status bar, the disk-usage picture and the docker CLI may all ask at once: the engine
 * client asks one at a time and waits out another client's (dockerEngine.ts oneDiskUsageAtATime), so none of them
 * shows that as an error.
 */
import * as assert from 'assert';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { apiRequest, startEngine, type TestEngine } from '../support/dockerd';
import { generatePopulation, loadPopulation } from '../support/population';

describe('disk usage asked several times at once (Docker 20.10)', function () {
  this.timeout(5 * 60_000);
  let te: TestEngine;

  before(async () => {
    te = await startEngine({ name: 'df' });
    await loadPopulation(te.socketPath, generatePopulation({ seed: 41, images: 60 }));
  });
  after(async () => te?.stop());

  it('the engine refuses overlapping /system/df calls; the engine client answers every one', async () => {
    const raw = await Promise.all(Array.from({ length: 12 }, () => apiRequest(te.socketPath, 'GET', '/system/df')));
    const refused = raw.filter((r) => r.status === 500 && /disk usage operation is already running/.test(r.body.toString())).length;
    console.log(`      ${refused} of 12 overlapping raw /system/df calls refused by the engine`);
    const engine = new DockerEngine(resolveEndpoint({ host: te.dockerHost }));
    // Another client keeps asking meanwhile.
    const other = Promise.all(
      Array.from({ length: 4 }, (_, i) => new Promise((r) => setTimeout(r, 30 * i)).then(() => apiRequest(te.socketPath, 'GET', '/system/df'))),
    );
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => engine.systemDf()),
      ...Array.from({ length: 4 }, () => engine.buildCacheRecords('1.41').then(() => ({ LayersSize: 0 }))),
    ]);
    assert.strictEqual(answers.length, 12);
    await other;
  });
});
