/**
 * The SQL of the enrollment fast path (a new company, a new key), written by hand and sent straight
 * to the driver adapter (infra/direct-sql.ts): through Prisma each statement cost more CPU in
 * its query compiler and runtime than the statement itself. The same statements run on SQLite and
 * PostgreSQL; rows written here read back through Prisma exactly like rows Prisma wrote
 * (test/e2e/enrollment-writes.test.ts compares every column).
 */
import { directSqlOf, type Db } from '../infra/db';
import { insertRows, join, sql } from '../infra/direct-sql';

type Row = Record<string, string | number | boolean | Date | null>;

/** Which of these idempotency keys and fiscal ids (VAT number or tax code) are already stored. */
export async function storedKeysAndCompanies(
  db: Db,
  keys: readonly string[],
  fiscalIds: readonly string[],
): Promise<{ keys: Set<string>; fiscalIds: Set<string> }> {
  const rows = await (
    await directSqlOf(db)
  ).query<{ what: string; value: string }>(sql`
    SELECT 'key' AS "what", "idempotencyKey" AS "value" FROM "Enrollment"
      WHERE "idempotencyKey" IN (${join(keys)})
    UNION ALL
    SELECT 'company' AS "what", "vatNumber" AS "value" FROM "Company"
      WHERE "vatNumber" IN (${join(fiscalIds)})`);
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
  await (
    await directSqlOf(db)
  ).transaction([
    ...insertRows('Company', rows.companies),
    ...insertRows('Participant', rows.participants),
    ...insertRows('Enrollment', rows.enrollments),
    ...insertRows('AuditLog', rows.audits),
  ]);
}

/** Ids per UPDATE: a group of requests rarely holds more, and each statement stays well under the bound. */
const MARK_CHUNK = 5_000;

/**
 * Records that these enrollments' workflows are known to run. A row already marked keeps its first
 * time; one statement per chunk, all in one transaction (one per group of requests, group-committed).
 */
export async function markWorkflowsStarted(db: Db, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  const statements = [];
  for (let i = 0; i < ids.length; i += MARK_CHUNK)
    statements.push(sql`UPDATE "Enrollment" SET "workflowStartedAt" = ${at}
      WHERE "workflowStartedAt" IS NULL AND "id" IN (${join(ids.slice(i, i + MARK_CHUNK))})`);
  await (await directSqlOf(db)).transaction(statements);
}

/**
 * Enrollments written before `before` whose workflow start was never recorded, by id from `after`
 * (exclusive). Dates are bound as Prisma binds them, so the comparison holds on both databases.
 */
export async function unmarkedEnrollments(
  db: Db,
  opts: { before: Date; after?: string; limit: number },
): Promise<{ id: string; workflowId: string }[]> {
  return (await directSqlOf(db)).query<{ id: string; workflowId: string }>(sql`
    SELECT "id", "workflowId" FROM "Enrollment"
      WHERE "workflowStartedAt" IS NULL AND "createdAt" < ${opts.before}
        ${opts.after === undefined ? sql`` : sql`AND "id" > ${opts.after}`}
      ORDER BY "id" LIMIT ${opts.limit}`);
}
