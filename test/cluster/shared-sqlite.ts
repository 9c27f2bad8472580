/**
 * One SQLite file written by several processes (the API here and two worker processes).
 *
 * The service's own createDb() is made for one process: its libsql client opens a new connection
 * after every transaction (without the busy_timeout that tuneSqlite set on the first one) and
 * Prisma begins transactions DEFERRED, so a second process writing at the same moment makes a
 * write fail at once with "database is locked" (seen here on the first enrollment). This client
 * sets the busy timeout on every connection and begins transactions IMMEDIATE, so writers queue
 * instead. Past one machine the service needs a shared server database (PostgreSQL) anyway; this
 * keeps the cluster test about Temporal while the service runs on SQLite.
 */
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { PrismaClient } from '../../generated/prisma/client';
import type { Db } from '../../activities/db';

const BUSY_TIMEOUT_MS = 10_000;

type LibsqlClient = ReturnType<PrismaLibSQL['createClient']>;

function queuedWriters(client: LibsqlClient): LibsqlClient {
  const prime = () => client.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  let primed: Promise<unknown> = prime();
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'transaction') {
        return async (mode?: 'write' | 'read' | 'deferred') => {
          await primed;
          const tx = await target.transaction(!mode || mode === 'deferred' ? 'write' : mode);
          // The client hands that connection to the transaction and opens another on next use:
          // open it now, with the timeout.
          primed = prime();
          await primed;
          return tx;
        };
      }
      if (prop === 'execute') {
        return async (...args: Parameters<LibsqlClient['execute']>) => {
          await primed;
          return target.execute(...args);
        };
      }
      // The client keeps its connection in a private field: call its methods on it, not the proxy.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

class SharedFileLibSQL extends PrismaLibSQL {
  override createClient(config: Parameters<PrismaLibSQL['createClient']>[0]): LibsqlClient {
    return queuedWriters(super.createClient(config));
  }
}

export async function sharedSqliteDb(url: string): Promise<Db> {
  if (!url.startsWith('file:')) throw new Error(`sharedSqliteDb expects a file: URL, got ${url}`);
  const db = new PrismaClient({ adapter: new SharedFileLibSQL({ url }) });
  // Readers never block the writer and the other way round.
  await db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
  await db.$queryRawUnsafe('PRAGMA synchronous=NORMAL');
  return db;
}
