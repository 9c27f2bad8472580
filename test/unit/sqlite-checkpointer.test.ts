/**
 * Checkpoints of the SQLite log on a thread of their own (infra/sqlite-checkpointer.ts, started by
 * infra/sqlite-client.ts): a connection that has committed enough starts one, its own automatic
 * checkpoint becomes a safety net, the thread copies the log while the writer goes on, a short
 * session never starts one, and a thread that ends hands checkpoints back to the writer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, tuneSqlite, type Db } from '../../infra/db';
import { migrate } from '../../infra/migrate';
import { DEFAULT_AUTOCHECKPOINT_PAGES, SAFETY_AUTOCHECKPOINT_PAGES } from '../../infra/sqlite-checkpointer';
import { CHECKPOINT_THREAD_AFTER_COMMITS, checkpointThreads } from '../../infra/sqlite-client';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-ckpt-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function walDb(opts: { checkpointThread?: boolean } = {}): Promise<{ db: Db; file: string }> {
  const file = path.join(dir, 'db.sqlite');
  const url = `file:${file}`;
  migrate(url);
  const db = createDb(url, { sqliteCheckpointThread: opts.checkpointThread });
  await tuneSqlite(db, url);
  return { db, file: fs.realpathSync(file) };
}

/** `n` commits of one audit row each, through Prisma's interactive transactions. */
async function commit(db: Db, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++)
    await db.$transaction(async (tx) => {
      await tx.auditLog.create({
        data: { actorId: 'test', actorRole: 'system', action: 'test.write', entity: 'test', entityId: `e${i}` },
      });
    });
}

async function autocheckpoint(db: Db): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ wal_autocheckpoint: number | bigint }[]>('PRAGMA wal_autocheckpoint');
  return Number(rows[0]!.wal_autocheckpoint);
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('after enough commits a thread copies the log while the writer goes on; the writer keeps a safety net', async () => {
  const { db, file } = await walDb();
  try {
    await commit(db, CHECKPOINT_THREAD_AFTER_COMMITS - 1);
    expect(checkpointThreads.has(file)).toBe(false);
    expect(await autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    await commit(db, 1, CHECKPOINT_THREAD_AFTER_COMMITS);
    const thread = checkpointThreads.get(file);
    expect(thread).toBeDefined();
    // Set by the first commit after the thread reports its connection open.
    await until('the safety net', async () => {
      await commit(db, 1, 1000 + Date.now());
      return (await autocheckpoint(db)) === SAFETY_AUTOCHECKPOINT_PAGES ? true : undefined;
    });
    await commit(db, 100, 2000);
    const stats = await until('a checkpoint by the thread', async () => {
      const s = await thread!.stats();
      return s.checkpoints > 0 && s.pages > 0 ? s : undefined;
    });
    expect(stats.failures).toBe(0);
    // Everything written is there for another connection.
    const other = createDb(`file:${file}`, { sqliteCheckpointThread: false });
    expect(await other.auditLog.count({ where: { action: 'test.write' } })).toBeGreaterThanOrEqual(
      CHECKPOINT_THREAD_AFTER_COMMITS + 100,
    );
    await other.$disconnect();
  } finally {
    await db.$disconnect();
  }
  // Closing the client ends its thread.
  expect(checkpointThreads.has(file)).toBe(false);
});

test('a thread that ends hands the checkpoints back to the writer, which goes on writing', async () => {
  const { db, file } = await walDb();
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    await commit(db, CHECKPOINT_THREAD_AFTER_COMMITS);
    const thread = checkpointThreads.get(file)!;
    await until('the safety net', async () => {
      await commit(db, 1, 1000 + Date.now());
      return (await autocheckpoint(db)) === SAFETY_AUTOCHECKPOINT_PAGES ? true : undefined;
    });
    await thread.terminate();
    await until('the thread to be gone', async () => (checkpointThreads.has(file) ? undefined : true));
    // The next commit gives the writer SQLite's default back; the writer goes on.
    await commit(db, 3, 5000);
    expect(await autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
    expect(await db.auditLog.count({ where: { entityId: { in: ['e5000', 'e5001', 'e5002'] } } })).toBe(3);
    // Said once, with what it means.
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/checkpoint thread for .* ended; the writer checkpoints itself/),
    ]);
  } finally {
    warn.mockRestore();
    await db.$disconnect();
  }
});

test('a short session (fewer commits) or a client that opts out starts no thread', async () => {
  const { db, file } = await walDb({ checkpointThread: false });
  try {
    await commit(db, CHECKPOINT_THREAD_AFTER_COMMITS + 10);
    expect(checkpointThreads.has(file)).toBe(false);
    expect(await autocheckpoint(db)).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
  } finally {
    await db.$disconnect();
  }
});
