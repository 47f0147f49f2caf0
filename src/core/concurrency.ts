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
 * (`waitsFor(i)`: indices of items that must finish first) has finished; of the ready items the lowest index starts
 * first, so with width 1 and items that wait only for earlier ones the order is the items' own. `stop()` is asked
 * before each start: once it answers true nothing more starts, and the calls in flight are left to finish. `fn` must
 * not reject. Resolves with the indices never started, in index order.
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
  const ready = new MinHeap();
  for (let i = 0; i < count; i++) if (pending[i] === 0) ready.push(i);
  const started = new Array<boolean>(count).fill(false);
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (ready.size > 0 && !stopped) {
      if (stop()) {
        stopped = true;
        break;
      }
      const i = ready.pop();
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
    while (running.size < width && ready.size > 0 && !stopped) {
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

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    for (let i = a.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (a[up]! <= a[i]!) break;
      [a[up], a[i]] = [a[i]!, a[up]!];
      i = up;
    }
  }

  /** Removes and returns the smallest value; the heap must not be empty. */
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < a.length && a[l]! < a[min]!) min = l;
        if (r < a.length && a[r]! < a[min]!) min = r;
        if (min === i) break;
        [a[min], a[i]] = [a[i]!, a[min]!];
        i = min;
      }
    }
    return top;
  }
}
