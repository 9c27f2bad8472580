/**
 * The SQLite connection under Prisma: one libsql connection per process, replaced only after an
 * error.
 *
 * @libsql/client (under @prisma/adapter-libsql 6.19) hands its connection to every interactive
 * transaction and opens a new one on the next statement. Measured on the enrollment path, that cost
 * more than the statements themselves: each new connection reopens the file and parses the schema,
 * the abandoned one stays open until garbage collection, and the new one has lost the connection's
 * settings (busy_timeout, synchronous), so a second process writing at that moment failed at once
 * with "database is locked" and every commit paid an fsync.
 *
 * Prisma's adapter already serialises all work on a client behind one lock, held from the start of a
 * transaction to its end, so one connection is enough: here a transaction is BEGIN IMMEDIATE on the
 * same connection and COMMIT or ROLLBACK leaves it ready for the next statement. IMMEDIATE takes the
 * write lock at the start, so writers in other processes (API and workers on one file) queue behind
 * busy_timeout instead of failing when a read-then-write transaction tries to upgrade its lock.
 *
 * One catch, measured here: libsql leaves a statement that failed with SQLITE_BUSY (or another
 * error, but not a constraint violation, which ends its statement cleanly) in progress, and from then
 * on every COMMIT on that connection fails with "cannot commit transaction - SQL statements in
 * progress" (a plain write would stay uncommitted, holding the lock). So after any such failure the
 * connection is replaced before the next statement, outside a transaction; a COMMIT that fails is
 * rolled back, so the connection never stays inside a transaction.
 */
import type { InStatement, ResultSet, Transaction, TransactionMode } from '@libsql/client';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { cacheSqliteStatements } from './sqlite-statements';

/** How long a statement waits for another connection's lock before "database is locked". */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export interface SqliteOptions {
  /** Default SQLITE_BUSY_TIMEOUT_MS; tests that provoke "database is locked" set less. */
  busyTimeoutMs?: number;
}

type LibsqlClient = ReturnType<PrismaLibSQL['createClient']>;

/** The connection's settings, before its first statement (WAL itself is kept in the file). */
async function configure(client: LibsqlClient, busyTimeoutMs: number): Promise<void> {
  await client.execute(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // With write-ahead logging, NORMAL is safe and saves an fsync per commit; without it, keep FULL.
  const mode = (await client.execute('PRAGMA journal_mode')).rows[0]?.[0];
  if (String(mode).toLowerCase() === 'wal') await client.execute('PRAGMA synchronous = NORMAL');
}

function oneConnection(open: () => LibsqlClient, opts: SqliteOptions): LibsqlClient {
  let client = open();
  let ready: Promise<void> | undefined;
  let inTransaction = false;
  let failed = false;
  let closed = false;

  /** The connection for a statement outside a transaction: a new one if the last had an error. */
  const current = async (): Promise<LibsqlClient> => {
    // A closed client (Prisma's $disconnect) opens nothing more: the next connect makes a new one.
    if (closed) throw new Error('This SQLite client is closed');
    if (failed && !inTransaction) {
      const old = client;
      client = open();
      ready = undefined;
      failed = false;
      try {
        old.close();
      } catch {
        // Its failed statement may keep it from closing now; it goes with garbage collection.
      }
    }
    const c = client;
    // Settings that failed (another process held an exclusive lock past the timeout) are tried
    // again on a new connection, not remembered as failed.
    await (ready ??= configure(c, opts.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS).catch((err: unknown) => {
      if (client === c) {
        ready = undefined;
        failed = true;
      }
      throw err;
    }));
    return c;
  };
  /** Rethrows, marking the connection for replacement unless the statement ended cleanly. */
  const failedWith = (err: unknown): never => {
    // A constraint violation ends its statement cleanly (checked); anything else may not.
    if (!/^SQLITE_CONSTRAINT/.test(String((err as { code?: unknown }).code))) failed = true;
    throw err;
  };
  const run = (c: LibsqlClient, stmt: InStatement): Promise<ResultSet> => c.execute(stmt).catch(failedWith);

  const transaction = async (mode: TransactionMode = 'write'): Promise<Transaction> => {
    const c = await current();
    await run(c, mode === 'read' ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
    inTransaction = true;
    let open = true;
    const rollback = async () => {
      if (!open) return;
      open = false;
      try {
        await c.execute('ROLLBACK');
      } catch (err) {
        // SQLite may already have rolled back after certain errors (SQLITE_FULL, SQLITE_IOERR).
        if (!/no transaction is active/i.test((err as Error).message)) {
          failed = true; // whatever state it is in, the next statement gets a new connection
          throw err;
        }
      } finally {
        inTransaction = false;
      }
    };
    const tx = {
      execute: (stmt: InStatement) => (open ? run(c, stmt) : Promise.reject(new Error('The transaction is closed'))),
      batch: async (stmts: InStatement[]) => {
        const results: ResultSet[] = [];
        for (const stmt of stmts) results.push(await tx.execute(stmt));
        return results;
      },
      executeMultiple: () => Promise.reject(new Error('executeMultiple is not available inside a transaction')),
      commit: async () => {
        if (!open) return;
        try {
          await run(c, 'COMMIT');
          open = false;
          inTransaction = false;
        } catch (err) {
          await rollback().catch(() => undefined);
          throw err;
        }
      },
      rollback,
      close: () => void rollback().catch(() => undefined),
      get closed() {
        return !open;
      },
    };
    return tx as unknown as Transaction;
  };

  const methods: Record<string, unknown> = {
    execute: async (stmt: InStatement) => run(await current(), stmt),
    transaction,
    batch: async (stmts: InStatement[], mode?: TransactionMode) =>
      (await current()).batch(stmts, mode).catch(failedWith),
    executeMultiple: async (sql: string) => (await current()).executeMultiple(sql).catch(failedWith),
    close: () => {
      closed = true;
      client.close();
    },
  };
  return new Proxy({} as LibsqlClient, {
    get(_target, prop) {
      if (typeof prop === 'string' && prop in methods) return methods[prop];
      // Anything else (closed, protocol) from the connection in use.
      const value: unknown = Reflect.get(client, prop, client);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(client) : value;
    },
  });
}

/** The Prisma adapter factory for SQLite files: see the comment at the top. */
export class SqliteAdapter extends PrismaLibSQL {
  readonly #opts: SqliteOptions;
  constructor(config: Parameters<PrismaLibSQL['createClient']>[0], opts: SqliteOptions = {}) {
    super(config);
    this.#opts = opts;
    // Statements prepared once per connection, not once per execution (infra/sqlite-statements.ts).
    cacheSqliteStatements();
  }
  override createClient(config: Parameters<PrismaLibSQL['createClient']>[0]): LibsqlClient {
    return oneConnection(() => super.createClient(config), this.#opts);
  }
}
