/**
 * Group commit: `add(item)` resolves once a `write` that includes the item has finished, with the
 * item's own result (`write` returns one per item, in order, or nothing). Items that arrive while a
 * write is in progress, in the same turn of the event loop as the first (requests whose data came in
 * together: the write waits for the loop's check phase, not for time), or within `lingerMs` of the
 * first, go together, so a busy caller pays one statement (or one transaction) per group instead of
 * one per item. A write that throws rejects the items of its own group only.
 */
export function groupCommit<T, R = void>(
  write: (items: T[]) => Promise<R[] | void>,
  lingerMs = 0,
): (item: T) => Promise<R> {
  let queue: T[] = [];
  let inFlight: Promise<unknown> = Promise.resolve();
  let next: Promise<R[] | void> | null = null;
  const linger = () =>
    new Promise<void>((resolve) => (lingerMs > 0 ? setTimeout(resolve, lingerMs) : setImmediate(resolve)));
  return (item: T) => {
    const index = queue.push(item) - 1;
    if (!next) {
      next = Promise.all([inFlight, linger()]).then(() => {
        const items = queue;
        queue = [];
        next = null;
        return write(items);
      });
      inFlight = next.catch(() => undefined);
    }
    return next.then((results) => (results ? results[index]! : (undefined as R)));
  };
}
