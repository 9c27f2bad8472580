import { groupCommit } from '../../infra/group-commit';

test('items that arrive while a write is in progress go together in the next write, each awaiting its own', async () => {
  const writes: number[][] = [];
  let release: () => void = () => undefined;
  const add = groupCommit<number>(async (items) => {
    writes.push(items);
    if (writes.length === 1) await new Promise<void>((r) => (release = r));
  });
  const first = add(1);
  await new Promise((r) => setImmediate(r));
  const later = [add(2), add(3), add(4)];
  let laterDone = false;
  void Promise.all(later).then(() => (laterDone = true));
  await new Promise((r) => setImmediate(r));
  expect(writes).toEqual([[1]]);
  expect(laterDone).toBe(false);
  release();
  await first;
  await Promise.all(later);
  expect(writes).toEqual([[1], [2, 3, 4]]);
});

test('a failed write rejects its own items only', async () => {
  const add = groupCommit<string>(async (items) => {
    if (items.includes('bad')) throw new Error('database down');
  });
  await expect(add('bad')).rejects.toThrow('database down');
  await expect(add('good')).resolves.toBeUndefined();
});

test('with a linger, items within it are written together', async () => {
  const writes: number[][] = [];
  const add = groupCommit<number>(async (items) => void writes.push(items), 30);
  const a = add(1);
  await new Promise((r) => setTimeout(r, 5));
  const b = add(2);
  await Promise.all([a, b]);
  expect(writes).toEqual([[1, 2]]);
});

test('each item gets its own result from the write of its group', async () => {
  const writes: string[][] = [];
  const add = groupCommit<string, string>(async (items) => {
    writes.push(items);
    return items.map((s) => s.toUpperCase());
  });
  const results = await Promise.all(['a', 'b', 'c'].map((s) => add(s)));
  expect(results).toEqual(['A', 'B', 'C']);
  expect(writes).toEqual([['a', 'b', 'c']]);
  // A second group numbers its items from its own start.
  expect(await Promise.all([add('x'), add('y')])).toEqual(['X', 'Y']);
});

test('items added in the same turn of the event loop go together, even after awaits of work already done', async () => {
  const writes: string[][] = [];
  const add = groupCommit<string>(async (items) => void writes.push(items));
  // Two requests whose earlier steps (a token look-up, an edition read) resolved synchronously:
  // each reaches the group a few microtasks after the other.
  const request = async (name: string, steps: number) => {
    for (let i = 0; i < steps; i++) await Promise.resolve();
    return add(name);
  };
  await Promise.all([request('a', 0), request('b', 5), request('c', 12)]);
  // The next turn starts a new group.
  await new Promise((r) => setImmediate(r));
  await add('d');
  expect(writes).toEqual([['a', 'b', 'c'], ['d']]);
});
