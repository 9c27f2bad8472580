import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { PrismaClient } from '../generated/prisma/client';
import { databaseUrl } from './db-url';

export type Db = PrismaClient;
export { databaseUrl };

/** A Prisma client on the configured database (SQLite file through libsql by default). */
export function createDb(url = databaseUrl()): Db {
  if (!url.startsWith('file:') && !url.startsWith('libsql:')) {
    throw new Error(
      `DATABASE_URL=${url.replace(/:[^:@/]*@/, ':***@')} is not a SQLite/libsql URL. This build supports SQLite (file:...); PostgreSQL support is tracked separately.`,
    );
  }
  return new PrismaClient({ adapter: new PrismaLibSQL({ url }) });
}

/** True when the error is a unique-constraint violation (a concurrent writer got there first). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}

/**
 * SQLite tuned for a service: write-ahead logging lets readers run during a write, and
 * synchronous=NORMAL (safe with WAL) avoids an fsync per transaction. busy_timeout makes
 * concurrent writers wait instead of failing.
 */
export async function tuneSqlite(db: Db, url = databaseUrl()): Promise<void> {
  if (!url.startsWith('file:')) return;
  await db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
  await db.$queryRawUnsafe('PRAGMA synchronous=NORMAL');
  await db.$queryRawUnsafe('PRAGMA busy_timeout=5000');
}
