/**
 * The SQL of the enrollment fast path (a new company, a new key), written by hand: on this path each
 * Prisma model query cost about 0.4 ms of CPU in its query compiler, more than the statement itself,
 * and the API spends its one thread there while the Temporal server wants the other core. The same
 * statements run on SQLite and PostgreSQL: identifiers are double-quoted, and the tagged templates
 * bind values the way each driver adapter expects (dates included), so rows written here read back
 * through Prisma exactly like rows Prisma wrote (test/e2e/enrollment-batch.test.ts compares them).
 */
import type { Db } from '../activities/db';
import { Prisma } from '../generated/prisma/client';

type Row = Record<string, string | number | boolean | Date | null>;

/** `INSERT INTO "table" (cols) VALUES (...), (...)` for rows that share the keys of the first. */
function insert(db: Db, table: string, rows: readonly Row[]) {
  const columns = Object.keys(rows[0]!);
  const names = Prisma.raw(columns.map((c) => `"${c}"`).join(', '));
  const values = Prisma.join(rows.map((r) => Prisma.sql`(${Prisma.join(columns.map((c) => r[c] ?? null))})`));
  return db.$executeRaw`INSERT INTO ${Prisma.raw(`"${table}"`)} (${names}) VALUES ${values}`;
}

/** Which of these idempotency keys and fiscal ids (VAT number or tax code) are already stored. */
export async function storedKeysAndCompanies(
  db: Db,
  keys: readonly string[],
  fiscalIds: readonly string[],
): Promise<{ keys: Set<string>; fiscalIds: Set<string> }> {
  const rows = await db.$queryRaw<{ what: string; value: string }[]>`
    SELECT 'key' AS "what", "idempotencyKey" AS "value" FROM "Enrollment"
      WHERE "idempotencyKey" IN (${Prisma.join(keys)})
    UNION ALL
    SELECT 'company' AS "what", "vatNumber" AS "value" FROM "Company"
      WHERE "vatNumber" IN (${Prisma.join(fiscalIds)})`;
  return {
    keys: new Set(rows.filter((r) => r.what === 'key').map((r) => r.value)),
    fiscalIds: new Set(rows.filter((r) => r.what === 'company').map((r) => r.value)),
  };
}

/** Companies, their participants, enrollments and audit entries, in one transaction. */
export async function insertEnrollments(
  db: Db,
  rows: { companies: Row[]; participants: Row[]; enrollments: Row[]; audits: Row[] },
): Promise<void> {
  const statements = [
    insert(db, 'Company', rows.companies),
    ...(rows.participants.length ? [insert(db, 'Participant', rows.participants)] : []),
    insert(db, 'Enrollment', rows.enrollments),
    ...(rows.audits.length ? [insert(db, 'AuditLog', rows.audits)] : []),
  ];
  await db.$transaction(statements);
}
