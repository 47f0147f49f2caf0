/** Which images only stopped containers hold, and how a stopped container is described (containers/stoppedPins.ts). */
import * as assert from 'assert';
import { describeStoppedContainer, imagesKeptOnlyByStoppedContainers } from '../../src/core/containers/stoppedPins';
import { parseFilterArgs } from '../../src/core/filters';
import type { PrunePolicy, Snapshot } from '../../src/core/model';
import { planPrune } from '../../src/core/plan/planner';
import { SnapshotBuilder } from './snapshotBuilder';

describe('images kept only by stopped containers', () => {
  // base ← app (tagged): an exited container on app; base also under web, which a running container uses
  const b = new SnapshotBuilder()
    .image('base', { tags: ['dp/base:1'] })
    .image('app', { tags: ['dp/app:1'], parent: 'base' })
    .image('web', { tags: ['dp/web:1'], parent: 'base' })
    .image('job', { tags: ['dp/job:1'] })
    .image('mixed', { tags: ['dp/mixed:1'] })
    .image('gone', { tags: [] })
    .container('api-test', 'app', 'exited')
    .container('web-1', 'web', 'running')
    .container('base-shell', 'base', 'exited')
    .container('job-a', 'job', 'created')
    .container('job-b', 'job', 'dead')
    .container('mixed-a', 'mixed', 'exited')
    .container('mixed-b', 'mixed', 'paused')
    .container('gone-a', 'gone', 'exited');
  const snapshot = b.build();
  const policy = (mode: 'dangling' | 'all', protect: string[] = []): PrunePolicy => ({ mode, filters: parseFilterArgs([]), protect });
  const pinsFor = (p: PrunePolicy) => {
    const replan = (s: Snapshot) => planPrune(s, p);
    const pins = imagesKeptOnlyByStoppedContainers(snapshot, replan(snapshot), replan);
    return [...pins].map(([id, cs]) => [b.nameOf(id), cs.map((c) => c.id)]).sort();
  };

  it('the images the same plan would remove without the stopped containers (exited, created, dead), each with its own', () => {
    assert.deepStrictEqual(pinsFor(policy('all')), [
      ['app', ['api-test']],
      ['gone', ['gone-a']],
      ['job', ['job-a', 'job-b']],
    ]);
    // base: web, built on it, runs; mixed: one of its containers is paused, which holds it as a running one does
  });

  it("the plan's own rules hold: a dangling prune would take only the untagged one, a protect pattern keeps its image", () => {
    assert.deepStrictEqual(pinsFor(policy('dangling')), [['gone', ['gone-a']]]);
    assert.deepStrictEqual(pinsFor(policy('all', ['dp/app'])), [
      ['gone', ['gone-a']],
      ['job', ['job-a', 'job-b']],
    ]);
  });

  it('says when each exited, how, its own bytes and its Compose project; engine text stays text', () => {
    const now = 100n * 86_400n * 1_000_000_000n;
    const exited = {
      id: 'x',
      name: 'api-test',
      state: 'exited',
      finishedNs: 6n * 86_400n * 1_000_000_000n,
      exitCode: 137,
      ownBytes: 12_000_000,
      composeProject: 'shop',
    };
    assert.strictEqual(
      describeStoppedContainer({ imageId: 'sha256:i', finishedAt: '', ...exited }, now),
      'api-test (exited 3 months ago, exit code 137, 12 MB of its own, Compose project shop)',
    );
    const created = { id: 'y', name: 'job-a', state: 'created', createdNs: now - 3_600_000_000_000n, ownBytes: 0, exitCode: undefined };
    assert.strictEqual(
      describeStoppedContainer({ imageId: 'sha256:i', finishedAt: '', ...created }, now),
      'job-a (created 1 hour ago, never started, 0 B of its own)',
    );
    const hostile = { id: 'z', name: 'w', state: 'exited', composeProject: 'p\x1b[2J\nFAKE', restartPolicy: 'always' };
    assert.strictEqual(
      describeStoppedContainer({ imageId: 'sha256:i', finishedAt: '', ...hostile }, now),
      'w (exited, Compose project p\\x1b[2J\\x0aFAKE, restart policy always)',
    );
  });
});
