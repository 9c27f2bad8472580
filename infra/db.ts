import { PrismaClient } from '../generated/prisma/client';
import { PrismaClient as PgPrismaClient } from '../generated/prisma-pg/client';
import { databaseUrl, dialectOf, type Dialect } from './db-url';
import { pgAdapter } from './pg-adapter';
import { SqliteAdapter } from './sqlite-client';
import { directSql, type DirectSql, type DriverAdapter } from './direct-sql';

export type Db = PrismaClient;
export { databaseUrl, dialectOf, type Dialect };

const dialects = new WeakMap<Db, Dialect>();

/**
 * A Prisma client on the configured database: SQLite through libsql for file: URLs (the default),
 * PostgreSQL through pg for postgres:// and postgresql:// URLs. `onQuery` sees every SQL statement
 * (the benchmarks count them). SQLite runs on one connection per client (infra/sqlite-client.ts).
 */
export function createDb(
  url = databaseUrl(),
  opts: { onQuery?: (sql: string) => void; sqliteBusyTimeoutMs?: number } = {},
): Db {
  const dialect = dialectOf(url);
  const log: { log: { emit: 'event'; level: 'query' }[] } = {
    log: opts.onQuery ? [{ emit: 'event', level: 'query' }] : [],
  };
  const slot: AdapterSlot = { onQuery: opts.onQuery };
  const db =
    dialect === 'postgresql'
      ? // generated/prisma-pg is generated from prisma/postgres/schema.prisma, itself generated from
        // prisma/schema.prisma with only the provider changed (scripts/pg-schema.ts, checked by the
        // test suite): the models and their API are the same, so the PostgreSQL client is used as a Db.
        (new PgPrismaClient({ adapter: capture(pgAdapter(url), slot), ...log }) as unknown as Db)
      : new PrismaClient({
          adapter: capture(new SqliteAdapter({ url }, { busyTimeoutMs: opts.sqliteBusyTimeoutMs }), slot),
          ...log,
        });
  adapters.set(db, slot);
  if (opts.onQuery) {
    const onQuery = opts.onQuery;
    (db as unknown as { $on(event: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) =>
      onQuery(e.query),
    );
  }
  dialects.set(db, dialect);
  return db;
}

interface AdapterSlot {
  adapter?: DriverAdapter;
  direct?: DirectSql;
  onQuery?: (sql: string) => void;
}
const adapters = new WeakMap<Db, AdapterSlot>();

/** Keeps the driver adapter Prisma connects through, for directSqlOf. */
function capture<F extends { connect(): Promise<unknown> }>(factory: F, slot: AdapterSlot): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = (await connect()) as DriverAdapter & { dispose(): Promise<void> };
    slot.adapter = adapter;
    slot.direct = undefined;
    // After $disconnect the adapter is gone: the next directSqlOf connects the client again.
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = () => {
      if (slot.adapter === adapter) {
        slot.adapter = undefined;
        slot.direct = undefined;
      }
      return dispose();
    };
    return adapter;
  };
  return factory;
}

/**
 * Hand-written SQL on the connection a client made by createDb uses (infra/direct-sql.ts), for
 * the statements every request makes; connects the client if it has not yet.
 */
export async function directSqlOf(db: Db): Promise<DirectSql> {
  const slot = adapters.get(db);
  if (!slot) throw new Error('directSqlOf: this client was not made by createDb');
  if (!slot.adapter) await db.$connect();
  return (slot.direct ??= directSql(slot.adapter!, slot.onQuery));
}

/** The SQL dialect of a client made by createDb (SQLite for any other client). */
export function dialectOfDb(db: Db): Dialect {
  return dialects.get(db) ?? 'sqlite';
}

/** What the driver reported under a Prisma error: the adapter's own error, or a raw query's (P2010). */
function driverCause(err: object): { kind?: string; code?: string } | undefined {
  if ((err as { name?: string }).name === 'DriverAdapterError') return (err as { cause?: { kind?: string } }).cause;
  const e = err as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string } } } };
  return e.code === 'P2010' ? e.meta?.driverAdapterError?.cause : undefined;
}

/**
 * True when the error is a unique-constraint violation (a concurrent writer got there first): P2002
 * from a model query, or the driver reporting one (a raw query, or infra/direct-sql.ts).
 */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  return (err as { code?: string }).code === 'P2002' || driverCause(err)?.kind === 'UniqueConstraintViolation';
}

/**
 * True when the database gave up on a transaction because another one collided with it: a
 * serialization failure or a deadlock (PostgreSQL), from Prisma (P2034) or from the driver.
 */
export function isWriteConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { code?: string }).code === 'P2034') return true;
  const cause = driverCause(err);
  return cause?.kind === 'TransactionWriteConflict' || cause?.code === '40P01' || cause?.code === '40001';
}

/**
 * SQLite tuned for a service: write-ahead logging (kept in the file) lets readers run during a
 * write, and synchronous=NORMAL (safe with WAL) avoids an fsync per transaction. Every connection
 * the client opens later sets both itself, with its busy timeout (infra/sqlite-client.ts).
 * Nothing to do on PostgreSQL.
 */
export async function tuneSqlite(db: Db, url = databaseUrl()): Promise<void> {
  if (!url.startsWith('file:')) return;
  await db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
  await db.$queryRawUnsafe('PRAGMA synchronous=NORMAL');
}
