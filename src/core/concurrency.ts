/**
 * Runs `fn` over `items` with at most `limit` calls in flight, in order of the items; resolves when all are done
 * and rejects with the first error (the calls already running are left to finish). The one worker pool of the core.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}

/**
 * Runs `fn` over `count` items with at most `limit` calls in flight, each item only after every item it waits for
 * (`waitsFor(i)`: indices of items that must finish first) has finished; ready items start in the order they became
 * ready, the first ones in index order. `stop()` is asked before each start: once it answers true nothing more
 * starts, and the calls in flight are left to finish. `fn` must not reject. Resolves with the indices never started,
 * in index order.
 */
export async function forEachInDependencyOrder(
  count: number,
  waitsFor: (index: number) => readonly number[],
  limit: number,
  fn: (index: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number[]> {
  const pending = new Array<number>(count).fill(0);
  const dependents: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < count; i++) {
    for (const j of waitsFor(i)) {
      pending[i]!++;
      dependents[j]!.push(i);
    }
  }
  const ready: number[] = [];
  for (let i = 0; i < count; i++) if (pending[i] === 0) ready.push(i);
  const started = new Array<boolean>(count).fill(false);
  let head = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (head < ready.length && !stopped) {
      if (stop()) {
        stopped = true;
        break;
      }
      const i = ready[head++]!;
      started[i] = true;
      await fn(i);
      for (const d of dependents[i]!) if (--pending[d]! === 0) ready.push(d);
      fill();
    }
  };
  // A worker that finds nothing ready ends; finishing an item starts workers for what it made ready.
  const running = new Set<Promise<void>>();
  const width = Math.max(1, limit);
  const fill = () => {
    while (running.size < width && head < ready.length && !stopped) {
      const w = worker().then(() => {
        running.delete(w);
        fill();
      });
      running.add(w);
    }
  };
  fill();
  while (running.size > 0) await Promise.race(running);
  return started.flatMap((s, i) => (s ? [] : [i]));
}
