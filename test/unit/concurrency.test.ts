import * as assert from 'assert';
import { forEachInDependencyOrder } from '../../src/core/concurrency';

/** Resolves on a later turn of the event loop, so calls in flight overlap. */
const later = () => new Promise<void>((r) => setImmediate(r));

describe('forEachInDependencyOrder: the executor pool', () => {
  it('runs each item after every item it waits for, and never more than the width at once', async () => {
    // 0..9 are children; 10 waits for 0..4, 11 for 5..9, 12 for 10 and 11 (a parent chain).
    const waits: number[][] = [...Array.from({ length: 10 }, () => []), [0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]];
    const finished = new Set<number>();
    let inFlight = 0;
    let widest = 0;
    const left = await forEachInDependencyOrder(
      waits.length,
      (i) => waits[i]!,
      3,
      async (i) => {
        for (const j of waits[i]!) assert.ok(finished.has(j), `${i} started before ${j} finished`);
        widest = Math.max(widest, ++inFlight);
        await later();
        inFlight--;
        finished.add(i);
      },
    );
    assert.deepStrictEqual(left, []);
    assert.strictEqual(finished.size, waits.length);
    assert.strictEqual(widest, 3);
  });

  it('keeps the width busy with items that become ready as others finish', async () => {
    // One root that four wait for: once it is done, the four run side by side.
    const waits = [[], [0], [0], [0], [0]];
    let inFlight = 0;
    let widest = 0;
    await forEachInDependencyOrder(
      waits.length,
      (i) => waits[i]!,
      4,
      async () => {
        widest = Math.max(widest, ++inFlight);
        await later();
        inFlight--;
      },
    );
    assert.strictEqual(widest, 4);
  });

  it('width 1 runs the items in index order when each waits only for earlier ones (a plan: children first)', async () => {
    const order: number[] = [];
    // 2 waits for 0 and 1, 5 for 2 and 4: readiness comes out of order, the lowest ready index still goes first.
    const waits: number[][] = [[], [], [0, 1], [], [], [2, 4]];
    await forEachInDependencyOrder(
      6,
      (i) => waits[i]!,
      1,
      async (i) => {
        order.push(i);
        await later();
      },
    );
    assert.deepStrictEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it('starts nothing once stop() says so, lets the calls in flight finish, and returns the rest', async () => {
    let stopNow = false;
    const done: number[] = [];
    const left = await forEachInDependencyOrder(
      10,
      () => [],
      2,
      async (i) => {
        if (i === 3) stopNow = true;
        await later();
        done.push(i);
      },
      () => stopNow,
    );
    assert.deepStrictEqual(
      done.sort((a, b) => a - b),
      [0, 1, 2, 3],
    );
    assert.deepStrictEqual(left, [4, 5, 6, 7, 8, 9]);
  });
});
