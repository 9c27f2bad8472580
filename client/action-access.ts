/**
 * The one read a pathway action makes before its Update: the enrollment with its company, the
 * company's participants and the enrollment's milestones, in ONE hand-written statement sent
 * straight to the driver adapter (infra/direct-sql.ts) instead of the four queries Prisma makes for
 * the same include. The caller's scope is judged on this stored row (canSeeEnrollment in
 * client/auth/principal.ts, unchanged), the role rules on its kind and catalogue version, the
 * document rule on its current step, and the action's answer is built from it.
 *
 * The row has exactly the shape and values of `findForView` (the service's Prisma read):
 * test/e2e/action-access.test.ts compares both on SQLite and PostgreSQL.
 */
import type { Prisma } from '../generated/prisma/client';
import { directSqlOf, dialectOfDb, type Db } from '../infra/db';
import { ident, join, Sql, sql, toDate } from '../infra/direct-sql';

export const actionRowInclude = {
  company: { include: { participants: { orderBy: { createdAt: 'asc' } } } },
  milestones: { orderBy: { seq: 'asc' } },
} satisfies Prisma.EnrollmentInclude;

export type ActionRow = Prisma.EnrollmentGetPayload<{ include: typeof actionRowInclude }>;

type Kind = 'text' | 'date' | 'bool' | 'int' | 'float';

/** Every scalar column of the four models (prisma/schema.prisma), with how it reads back. */
const ENROLLMENT: Record<Prisma.EnrollmentScalarFieldEnum, Kind> = {
  id: 'text',
  idempotencyKey: 'text',
  requestHash: 'text',
  programmeCode: 'text',
  allianceCode: 'text',
  kind: 'text',
  catalogueVersion: 'int',
  companyId: 'text',
  consultantEmail: 'text',
  consultantName: 'text',
  workflowId: 'text',
  workflowStartedAt: 'date',
  status: 'text',
  currentStep: 'text',
  currentDueAt: 'date',
  createdAt: 'date',
  completedAt: 'date',
};
const COMPANY: Record<Prisma.CompanyScalarFieldEnum, Kind> = {
  id: 'text',
  name: 'text',
  searchName: 'text',
  vatNumber: 'text',
  province: 'text',
  atsCode: 'text',
  city: 'text',
  sector: 'text',
  size: 'text',
  staff: 'float',
  peopleEmployed: 'int',
  turnoverCents: 'int',
  balanceSheetCents: 'int',
  relations: 'text',
  atecoCode: 'text',
  craftRegistered: 'bool',
  isCareCompany: 'bool',
  eligibilityReasons: 'text',
  declarantName: 'text',
  declarantRole: 'text',
  declaredByUserId: 'text',
  declaredAt: 'date',
  declaredFromIp: 'text',
  declarationAcceptedAt: 'date',
  registered: 'bool',
  isNetwork: 'bool',
  networkId: 'text',
  createdAt: 'date',
};
const PARTICIPANT: Record<Prisma.ParticipantScalarFieldEnum, Kind> = {
  id: 'text',
  companyId: 'text',
  name: 'text',
  email: 'text',
  role: 'text',
  locale: 'text',
  addedById: 'text',
  optedOutAt: 'date',
  createdAt: 'date',
  linkNonce: 'text',
  removedAt: 'date',
  removedById: 'text',
  gender: 'text',
  careResponsibilities: 'text',
  optionalDataConsentAt: 'date',
  anonymisedAt: 'date',
};
const MILESTONE: Record<Prisma.MilestoneScalarFieldEnum, Kind> = {
  id: 'text',
  enrollmentId: 'text',
  eventKey: 'text',
  seq: 'int',
  type: 'text',
  stepKey: 'text',
  actor: 'text',
  occurredAt: 'date',
  dueAt: 'date',
  onTime: 'bool',
  evidence: 'text',
  note: 'text',
};

/** A value as the adapter (or SQLite's and PostgreSQL's JSON) gives it, read as Prisma reads the column. */
function convert(kind: Kind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'text':
      return String(v);
    case 'date':
      return typeof v === 'number' ? new Date(v) : toDate(v);
    case 'bool':
      return typeof v === 'boolean' ? v : Number(v) !== 0;
    case 'int':
    case 'float':
      return Number(v);
  }
}

function pick<T>(columns: Record<string, Kind>, source: Record<string, unknown>, prefix = ''): T {
  return Object.fromEntries(Object.entries(columns).map(([c, k]) => [c, convert(k, source[prefix + c])])) as T;
}

/** `json_object('a', t."a", …)` (SQLite) or `json_build_object(…)` (PostgreSQL) of every column. */
function jsonObject(dialect: 'sqlite' | 'postgresql', alias: string, columns: Record<string, Kind>): Sql {
  const fn = dialect === 'postgresql' ? 'json_build_object' : 'json_object';
  const pairs = Object.keys(columns).map((c) => new Sql([`'${c}', ${alias}."${c}"`]));
  return new Sql([`${fn}(`, ...join(pairs).parts, ')']);
}

/** A JSON array of rows, in order: as text on both dialects. */
function jsonRows(
  dialect: 'sqlite' | 'postgresql',
  from: Sql,
  alias: string,
  columns: Record<string, Kind>,
  order: string,
) {
  const obj = jsonObject(dialect, alias, columns);
  return dialect === 'postgresql'
    ? sql`(SELECT coalesce(json_agg(${obj} ORDER BY ${ident(alias)}.${ident(order)}), '[]'::json)::text FROM ${from})`
    : sql`(SELECT json_group_array(${obj}) FROM (SELECT * FROM ${from} ORDER BY ${ident(alias)}.${ident(order)}) AS ${ident(alias)})`;
}

function parseRows(v: unknown): Record<string, unknown>[] {
  if (v === null || v === undefined) return [];
  return (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>[];
}

/** The enrollment as a pathway action needs it, or null: one statement. */
export async function readActionRow(db: Db, id: string): Promise<ActionRow | null> {
  const dialect = dialectOfDb(db);
  const columns = (alias: string, cols: Record<string, Kind>, prefix: string) =>
    join(Object.keys(cols).map((c) => new Sql([`${alias}."${c}" AS "${prefix}${c}"`])));
  const participants = jsonRows(
    dialect,
    sql`"Participant" AS "p" WHERE "p"."companyId" = "e"."companyId"`,
    'p',
    PARTICIPANT,
    'createdAt',
  );
  const milestones = jsonRows(
    dialect,
    sql`"Milestone" AS "m" WHERE "m"."enrollmentId" = "e"."id"`,
    'm',
    MILESTONE,
    'seq',
  );
  const direct = await directSqlOf(db);
  const [row] = await direct.query(sql`SELECT ${columns('"e"', ENROLLMENT, 'e_')}, ${columns('"c"', COMPANY, 'c_')},
    ${participants} AS "participants", ${milestones} AS "milestones"
    FROM "Enrollment" AS "e" JOIN "Company" AS "c" ON "c"."id" = "e"."companyId"
    WHERE "e"."id" = ${id}`);
  if (!row) return null;
  const byTime = (a: { createdAt: Date }, b: { createdAt: Date }) => a.createdAt.getTime() - b.createdAt.getTime();
  return {
    ...pick<Omit<ActionRow, 'company' | 'milestones'>>(ENROLLMENT, row, 'e_'),
    company: {
      ...pick<Omit<ActionRow['company'], 'participants'>>(COMPANY, row, 'c_'),
      participants: parseRows(row.participants)
        .map((p) => pick<ActionRow['company']['participants'][number]>(PARTICIPANT, p))
        .sort(byTime),
    },
    milestones: parseRows(row.milestones)
      .map((m) => pick<ActionRow['milestones'][number]>(MILESTONE, m))
      .sort((a, b) => a.seq - b.seq),
  };
}
