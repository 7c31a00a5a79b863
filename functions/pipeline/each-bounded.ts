/**
 * Runs `task` on every item with at most `limit` running at once (the publish stage's reads and
 * writes: small requests whose time is mostly the round trip). After a failure no further item
 * starts, and the first error is thrown once those already running have settled, so no request
 * is still in flight when the stage reports its failure (a Lambda is frozen after it returns).
 */
export async function eachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}
