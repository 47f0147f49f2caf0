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
