/**
 * What the code relies on from either database (SQLite by default, PostgreSQL with
 * TEST_DATABASE_URL): the same values fit, and a duplicate is recognised as such.
 */
import { createClient } from '@libsql/client';
import { createDb, dialectOfDb, directSqlOf, isUniqueViolation, isWriteConflict, type Db } from '../../infra/db';
import { sql } from '../../infra/direct-sql';
import { dialectOf } from '../../infra/db-url';
import { createTestDb } from '../support/fixtures';
import { testPostgresUrl } from '../support/test-databases';

let db: Db;
let url: string;

beforeAll(() => {
  ({ db, url } = createTestDb());
});
afterAll(() => db?.$disconnect());

const company = (vatNumber: string, turnoverCents?: number) => ({
  name: `Azienda ${vatNumber}`,
  vatNumber,
  province: 'MI',
  atsCode: 'ATS-MI',
  sector: 'industria',
  size: 'medium',
  staff: 180,
  turnoverCents,
});

test('the suite runs on the database family it was asked for', () => {
  expect(dialectOf(url)).toBe(testPostgresUrl() ? 'postgresql' : 'sqlite');
  expect(dialectOfDb(db)).toBe(dialectOf(url));
});

test('amounts in cents beyond 32 bits (a medium firm: 45 million euros) are stored and compared as numbers', async () => {
  const created = await db.company.create({ data: company('01234567890', 4_500_000_000) });
  const read = await db.company.findUniqueOrThrow({ where: { id: created.id } });
  expect(read.turnoverCents).toBe(4_500_000_000);
  expect(await db.company.count({ where: { turnoverCents: { gt: 2 ** 31 } } })).toBe(1);
  const { _max } = await db.company.aggregate({ _max: { turnoverCents: true } });
  expect(_max.turnoverCents).toBe(4_500_000_000);
});

test('a duplicate unique key is a unique violation; another failure is not', async () => {
  await db.company.create({ data: company('09876543210') });
  const duplicate = await db.company.create({ data: company('09876543210') }).catch((err: unknown) => err);
  expect(isUniqueViolation(duplicate)).toBe(true);
  const missingCompany = await db.participant
    .create({ data: { companyId: 'no-such-company', name: 'Anna', email: 'anna@example.test', role: 'hr' } })
    .catch((err: unknown) => err);
  expect(missingCompany).toBeInstanceOf(Error);
  expect(isUniqueViolation(missingCompany)).toBe(false);
});

test('hand-written SQL reaches the database after $disconnect too (the client connects again)', async () => {
  const local = createDb(url);
  try {
    const one = async () => (await (await directSqlOf(local)).query<{ one: unknown }>(sql`SELECT 1 AS "one"`))[0]!.one;
    expect(Number(await one())).toBe(1);
    await local.$disconnect();
    expect(Number(await one())).toBe(1);
    expect(await local.company.count()).toBeGreaterThanOrEqual(0); // Prisma and the direct path agree
    expect(Number(await one())).toBe(1);
  } finally {
    await local.$disconnect();
  }
});

test('a collision between transactions is told apart from other failures', () => {
  const fromAdapter = (cause: object) => Object.assign(new Error('x'), { name: 'DriverAdapterError', cause });
  expect(isWriteConflict(fromAdapter({ kind: 'postgres', code: '40P01' }))).toBe(true); // deadlock
  expect(isWriteConflict(fromAdapter({ kind: 'TransactionWriteConflict' }))).toBe(true);
  expect(isWriteConflict({ code: 'P2034' })).toBe(true);
  expect(isWriteConflict({ code: 'P2010', meta: { driverAdapterError: { cause: { code: '40001' } } } })).toBe(true);
  expect(isWriteConflict(fromAdapter({ kind: 'UniqueConstraintViolation' }))).toBe(false);
  expect(isWriteConflict(new Error('connection refused'))).toBe(false);
});

(testPostgresUrl() ? describe.skip : describe)('SQLite: one connection per client', () => {
  test('settings hold on every transaction, and a statement that met a lock leaves no transaction stuck', async () => {
    const local = createDb(url, { sqliteBusyTimeoutMs: 50 });
    try {
      // The settings are the connection's own, so a transaction sees them too.
      const inTx = await local.$transaction(async (tx) =>
        tx.$queryRawUnsafe<{ timeout: unknown }[]>('PRAGMA busy_timeout'),
      );
      expect(Number(Object.values(inTx[0]!)[0])).toBe(50);

      // Another connection holds the write lock: a write fails with "database is locked"...
      const locker = createClient({ url });
      const lock = await locker.transaction('write');
      await lock.execute("UPDATE Company SET name = name WHERE id = 'none'");
      const refused = await local.company.create({ data: company('11111111111') }).catch((err: unknown) => err);
      expect(String(refused)).toMatch(/locked|timed out/i);
      await lock.rollback();
      locker.close();

      // ...and afterwards transactions and plain writes commit, visible to another client. (libsql
      // keeps the failed statement in progress, which made every later COMMIT on that connection fail.)
      await local.$transaction(async (tx) => {
        await tx.company.create({ data: company('22222222222') });
      });
      await local.company.create({ data: company('33333333333') });
      const other = createDb(url);
      expect(
        await other.company.count({ where: { vatNumber: { in: ['11111111111', '22222222222', '33333333333'] } } }),
      ).toBe(2);
      await other.$disconnect();
    } finally {
      await local.$disconnect();
    }
  });

  test('a connection whose settings met a lock is replaced, not kept failing', async () => {
    const locker = createClient({ url });
    await locker.execute('BEGIN EXCLUSIVE');
    const local = createDb(url, { sqliteBusyTimeoutMs: 50 });
    try {
      // Its first statement configures the connection, which the exclusive lock refuses.
      await expect(local.company.count()).rejects.toThrow();
      await locker.execute('ROLLBACK');
      expect(await local.company.count()).toBeGreaterThanOrEqual(0);
      await local.company.create({ data: company('44444444444') });
      expect(await local.company.count({ where: { vatNumber: '44444444444' } })).toBe(1);
    } finally {
      locker.close();
      await local.$disconnect();
    }
  });
});
