/**
 * Milestone reports: SQL aggregations over the reporting projection (Enrollment, Milestone,
 * Company), grouped by programme, ATS network, alliance, province or pathway kind, optionally
 * restricted to a programme, a network and an enrollment period. Never a loop over workflows.
 * Step outcomes and durations come from the summary tables (reports/milestone-summary.ts) unless an
 * enrollment period is asked, which only the milestones themselves can answer.
 *
 * Definitions (also in the README):
 * - completion rate: completed enrollments / all enrollments of the group (withdrawn included);
 * - days per step: calendar days from the step's start (enrollment, previous completion or
 *   reopening) to its completion, in tenths of a day; median and 90th percentile by nearest rank;
 * - at risk: active, and either the current step is past its due date or the programme's hard
 *   end is at most 20 working days away.
 */
import { Prisma } from '../generated/prisma/client';
import { addWorkingDays, localDateOf, romeToEpochMs } from '../domain/calendar';
import { CATALOGUE } from '../domain/catalogue';
import { DomainError } from '../domain/errors';
import type { Alliance } from '../domain/programmes';
import { programmeHardEnd } from '../domain/schedule';
import { ATS_NETWORKS, PROVINCES } from '../domain/territory';
import type { Db } from '../infra/db';
import type { Dialect } from '../infra/db-url';
import { REPORT_DIMENSIONS, type ReportDimension } from './dimensions';
import { SUMMARY_GROUP, tenthsBetween } from './milestone-summary';

export { REPORT_DIMENSIONS, type ReportDimension };

/** Working days before a programme's hard end from which its open pathways count as at risk. */
export const AT_RISK_WORKING_DAYS = 20;

export interface MilestoneReportQuery {
  by: ReportDimension;
  programme?: string;
  atsCode?: string;
  /** Enrollments created in [from, to): epoch ms. */
  from?: number;
  to?: number;
  /** The instant "now" of the report (overdue and at-risk are judged against it). */
  asOf: number;
  /**
   * Steps from every milestone even where the summary could answer (reports/milestone-summary.ts):
   * the reference its test compares with. An enrollment period (from, to) always reads them.
   */
  fromMilestones?: boolean;
}

export interface MilestoneFigures {
  enrollments: number;
  active: number;
  completed: number;
  withdrawn: number;
  expired: number;
  stepsOnTime: number;
  stepsLate: number;
  /** completed / enrollments, 0..1 rounded to 3 decimals; null for an empty group. */
  completionRate: number | null;
  /** Calendar days per completed step, 1 decimal; null when no step was completed. */
  medianDaysPerStep: number | null;
  p90DaysPerStep: number | null;
  atRisk: number;
}

export interface MilestoneReportRow extends MilestoneFigures {
  key: string;
  label: string;
}

export interface MilestoneReport {
  by: ReportDimension;
  filters: { programme?: string; atsCode?: string; from?: string; to?: string };
  asOf: string;
  rows: MilestoneReportRow[];
  total: MilestoneFigures;
}

const GROUP_EXPR: Record<ReportDimension, string> = {
  network: 'c."atsCode"',
  province: 'c."province"',
  kind: 'e."kind"',
  alliance: `COALESCE(e."allianceCode", '-')`,
  programme: 'e."programmeCode"',
};

/** `column < instant`, comparing instants whatever the storage (ISO text in SQLite). */
export function before(dialect: Dialect, column: string, at: Date): Prisma.Sql {
  return dialect === 'postgresql'
    ? Prisma.sql`${Prisma.raw(column)} < ${at}`
    : Prisma.sql`julianday(${Prisma.raw(column)}) < julianday(${at.toISOString()})`;
}

function atOrAfter(dialect: Dialect, column: string, at: Date): Prisma.Sql {
  return dialect === 'postgresql'
    ? Prisma.sql`${Prisma.raw(column)} >= ${at}`
    : Prisma.sql`julianday(${Prisma.raw(column)}) >= julianday(${at.toISOString()})`;
}

function filters(dialect: Dialect, q: MilestoneReportQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`1 = 1`];
  if (q.programme) parts.push(Prisma.sql`e."programmeCode" = ${q.programme}`);
  if (q.atsCode) parts.push(Prisma.sql`c."atsCode" = ${q.atsCode}`);
  if (q.from !== undefined) parts.push(atOrAfter(dialect, 'e."createdAt"', new Date(q.from)));
  if (q.to !== undefined) parts.push(before(dialect, 'e."createdAt"', new Date(q.to)));
  return Prisma.join(parts, ' AND ');
}

/** What the report reads of each edition: its current end (as amended by decrees), names, alliances. */
export interface ReportProgramme {
  code: string;
  name: string;
  endsOn: string | null;
  alliances: Alliance[];
}

/** The editions as the Programme table has them now: the at-risk figures follow its current end. */
export async function loadReportProgrammes(db: Db): Promise<ReportProgramme[]> {
  const rows = await db.programme.findMany({ select: { code: true, name: true, endsOn: true, alliances: true } });
  return rows.map((r) => ({ ...r, alliances: JSON.parse(r.alliances) as Alliance[] }));
}

/**
 * Programmes whose hard end is at most AT_RISK_WORKING_DAYS working days after `asOf` (or already
 * past). An edition with no end on record is never near it.
 */
export function programmesNearEnd(asOf: number, programmes: readonly ReportProgramme[]): string[] {
  const horizon = addWorkingDays(localDateOf(asOf), AT_RISK_WORKING_DAYS);
  const horizonEnd = romeToEpochMs(horizon.year, horizon.month, horizon.day, 23, 59);
  return programmes.filter((p) => p.endsOn !== null && programmeHardEnd(p.endsOn) <= horizonEnd).map((p) => p.code);
}

const EMPTY = (): MilestoneFigures => ({
  enrollments: 0,
  active: 0,
  completed: 0,
  withdrawn: 0,
  expired: 0,
  stepsOnTime: 0,
  stepsLate: 0,
  completionRate: null,
  medianDaysPerStep: null,
  p90DaysPerStep: null,
  atRisk: 0,
});

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const tenthsToDays = (v: unknown) => (v === null || v === undefined ? null : Number(v) / 10);

type StepRows = { stepRows: Record<string, unknown>[]; durationRows: Record<string, unknown>[] };

/** Steps on time and late, median and p90 tenths of a day per step: from every milestone. */
async function stepsFromMilestones(db: Db, dialect: Dialect, g: Prisma.Sql, where: Prisma.Sql): Promise<StepRows> {
  const stepRows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT ${g} AS grp,
      SUM(CASE WHEN m."onTime" = true THEN 1 ELSE 0 END) AS "onTime",
      SUM(CASE WHEN m."onTime" = false THEN 1 ELSE 0 END) AS late
    FROM "Milestone" m
      JOIN "Enrollment" e ON e."id" = m."enrollmentId"
      JOIN "Company" c ON c."id" = e."companyId"
    WHERE m."type" = 'step_completed' AND ${where}
    GROUP BY 1`);

  // A step lasts from the previous start-like event of its pathway (enrollment, completion of the
  // step before, reopening) to its completion. Nearest-rank percentiles with window functions:
  // rank ceil(n/2) for the median, ceil(9n/10) for p90, in integer arithmetic on both dialects,
  // over whole tenths of a day (what the report shows, and what the summary counts).
  const spanTenths = Prisma.raw(tenthsBetween(dialect, 'ev."occurredAt"', 'ev.prev'));
  const durationRows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    WITH ev AS (
      SELECT m."enrollmentId", m."type", m."occurredAt",
        LAG(m."occurredAt") OVER (PARTITION BY m."enrollmentId" ORDER BY m."seq") AS prev
      FROM "Milestone" m
      WHERE m."type" IN ('enrolled', 'step_completed', 'step_reopened')
    ), d AS (
      SELECT ${g} AS grp, ${spanTenths} AS days
      FROM ev JOIN "Enrollment" e ON e."id" = ev."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
      WHERE ev."type" = 'step_completed' AND ev.prev IS NOT NULL AND ${where}
    ), r AS (
      SELECT grp, days,
        ROW_NUMBER() OVER (PARTITION BY grp ORDER BY days) AS rn,
        COUNT(*) OVER (PARTITION BY grp) AS cnt,
        ROW_NUMBER() OVER (ORDER BY days) AS arn,
        COUNT(*) OVER () AS acnt
      FROM d
    )
    SELECT grp,
      MAX(CASE WHEN rn = (cnt + 1) / 2 THEN days END) AS median,
      MAX(CASE WHEN rn = (9 * cnt + 9) / 10 THEN days END) AS p90
    FROM r GROUP BY grp
    UNION ALL
    SELECT '*' AS grp,
      MAX(CASE WHEN arn = (acnt + 1) / 2 THEN days END) AS median,
      MAX(CASE WHEN arn = (9 * acnt + 9) / 10 THEN days END) AS p90
    FROM r`);

  return { stepRows, durationRows };
}

/**
 * The same rows from the summary tables (reports/milestone-summary.ts): outcomes summed, and the
 * nearest-rank median and p90 walked over the histogram of tenths, per group and overall.
 */
async function stepsFromSummary(db: Db, q: MilestoneReportQuery): Promise<StepRows> {
  const g = Prisma.raw(SUMMARY_GROUP[q.by]);
  const parts: Prisma.Sql[] = [Prisma.sql`1 = 1`];
  if (q.programme) parts.push(Prisma.sql`s."programmeCode" = ${q.programme}`);
  if (q.atsCode) parts.push(Prisma.sql`s."atsCode" = ${q.atsCode}`);
  const where = Prisma.join(parts, ' AND ');
  const [stepRows, histogram] = await Promise.all([
    db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
      SELECT ${g} AS grp, SUM(s."onTime") AS "onTime", SUM(s."late") AS late
      FROM "StepOutcomeSummary" s WHERE ${where} GROUP BY 1`),
    db.$queryRaw<{ grp: unknown; tenths: unknown; steps: unknown }[]>(Prisma.sql`
      SELECT ${g} AS grp, s."tenths" AS tenths, SUM(s."steps") AS steps
      FROM "StepDurationSummary" s WHERE ${where}
      GROUP BY 1, 2 HAVING SUM(s."steps") > 0 ORDER BY 2`),
  ]);
  const byGroup = new Map<string, [number, number][]>();
  const all = new Map<number, number>();
  for (const r of histogram) {
    const t = Number(r.tenths);
    const c = Number(r.steps);
    const key = String(r.grp);
    let list = byGroup.get(key);
    if (!list) byGroup.set(key, (list = []));
    list.push([t, c]);
    all.set(t, (all.get(t) ?? 0) + c);
  }
  const ranks = (buckets: [number, number][]) => {
    const cnt = buckets.reduce((a, [, c]) => a + c, 0);
    const at = (rank: number) => {
      let seen = 0;
      for (const [t, c] of buckets) if ((seen += c) >= rank) return t;
      return null;
    };
    return { median: at(Math.floor((cnt + 1) / 2)), p90: at(Math.floor((9 * cnt + 9) / 10)) };
  };
  const durationRows: Record<string, unknown>[] = [...byGroup.entries()].map(([grp, b]) => ({ grp, ...ranks(b) }));
  if (all.size > 0) durationRows.push({ grp: '*', ...ranks([...all.entries()].sort((a, b) => a[0] - b[0])) });
  return { stepRows, durationRows };
}

async function figuresBy(
  db: Db,
  dialect: Dialect,
  q: MilestoneReportQuery,
  group: ReportDimension,
  programmes: readonly ReportProgramme[],
): Promise<{ groups: Map<string, MilestoneFigures>; total: MilestoneFigures }> {
  const g = Prisma.raw(GROUP_EXPR[group]);
  const where = filters(dialect, q);
  const nearEnd = programmesNearEnd(q.asOf, programmes);
  const nearEndSql =
    nearEnd.length > 0 ? Prisma.sql`e."programmeCode" IN (${Prisma.join(nearEnd)})` : Prisma.sql`1 = 0`;
  const overdue = before(dialect, 'e."currentDueAt"', new Date(q.asOf));

  const statusRows = await db.$queryRaw<Record<string, unknown>[]>(Prisma.sql`
    SELECT ${g} AS grp,
      COUNT(*) AS enrollments,
      SUM(CASE WHEN e."status" = 'active' THEN 1 ELSE 0 END) AS active,
      SUM(CASE WHEN e."status" = 'completed' THEN 1 ELSE 0 END) AS completed,
      SUM(CASE WHEN e."status" = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn,
      SUM(CASE WHEN e."status" = 'expired' THEN 1 ELSE 0 END) AS expired,
      SUM(CASE WHEN e."status" = 'active' AND ((e."currentDueAt" IS NOT NULL AND ${overdue}) OR ${nearEndSql})
          THEN 1 ELSE 0 END) AS "atRisk"
    FROM "Enrollment" e JOIN "Company" c ON c."id" = e."companyId"
    WHERE ${where}
    GROUP BY 1`);

  const { stepRows, durationRows } =
    q.fromMilestones || q.from !== undefined || q.to !== undefined
      ? await stepsFromMilestones(db, dialect, g, where)
      : await stepsFromSummary(db, q);

  const out = new Map<string, MilestoneFigures>();
  const get = (key: string): MilestoneFigures => {
    let f = out.get(key);
    if (!f) {
      f = EMPTY();
      out.set(key, f);
    }
    return f;
  };
  for (const r of statusRows) {
    const f = get(String(r.grp));
    f.enrollments = n(r.enrollments);
    f.active = n(r.active);
    f.completed = n(r.completed);
    f.withdrawn = n(r.withdrawn);
    f.expired = n(r.expired);
    f.atRisk = n(r.atRisk);
    f.completionRate = f.enrollments === 0 ? null : Math.round((f.completed / f.enrollments) * 1000) / 1000;
  }
  for (const r of stepRows) {
    const f = get(String(r.grp));
    f.stepsOnTime = n(r.onTime);
    f.stepsLate = n(r.late);
  }
  // Totals: counts add up over the groups; percentiles come from the '*' row of the same query.
  const total = EMPTY();
  for (const f of out.values()) {
    total.enrollments += f.enrollments;
    total.active += f.active;
    total.completed += f.completed;
    total.withdrawn += f.withdrawn;
    total.expired += f.expired;
    total.atRisk += f.atRisk;
    total.stepsOnTime += f.stepsOnTime;
    total.stepsLate += f.stepsLate;
  }
  total.completionRate =
    total.enrollments === 0 ? null : Math.round((total.completed / total.enrollments) * 1000) / 1000;
  for (const r of durationRows) {
    const f = String(r.grp) === '*' ? total : get(String(r.grp));
    f.medianDaysPerStep = tenthsToDays(r.median);
    f.p90DaysPerStep = tenthsToDays(r.p90);
  }
  return { groups: out, total };
}

export function groupLabel(by: ReportDimension, key: string, programmes: readonly ReportProgramme[] = []): string {
  switch (by) {
    case 'network':
      return ATS_NETWORKS.find((a) => a.code === key)?.name ?? key;
    case 'province':
      return PROVINCES.find((p) => p.code === key)?.name ?? key;
    case 'kind':
      return CATALOGUE[key]?.name.it ?? key;
    case 'programme':
      return programmes.find((p) => p.code === key)?.name ?? key;
    case 'alliance':
      if (key === '-') return 'Nessuna alleanza';
      return programmes.flatMap((p) => p.alliances).find((a) => a.code === key)?.name ?? key;
  }
}

export function assertDimension(by: string): asserts by is ReportDimension {
  if (!(REPORT_DIMENSIONS as readonly string[]).includes(by)) {
    throw new DomainError(
      'invalid_dimension',
      {
        it: `Raggruppamento "${by}" non valido: usare ${REPORT_DIMENSIONS.join(', ')}`,
        en: `Invalid grouping "${by}": use ${REPORT_DIMENSIONS.join(', ')}`,
      },
      { by },
    );
  }
}

export async function milestoneReport(db: Db, dialect: Dialect, q: MilestoneReportQuery): Promise<MilestoneReport> {
  assertDimension(q.by);
  const programmes = await loadReportProgrammes(db);
  const { groups, total } = await figuresBy(db, dialect, q, q.by, programmes);
  const rows = [...groups.entries()]
    .map(([key, f]) => ({ key, label: groupLabel(q.by, key, programmes), ...f }))
    .sort((a, b) => a.label.localeCompare(b.label, 'it'));
  const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    by: q.by,
    filters: {
      ...(q.programme ? { programme: q.programme } : {}),
      ...(q.atsCode ? { atsCode: q.atsCode } : {}),
      ...(q.from !== undefined ? { from: iso(q.from) } : {}),
      ...(q.to !== undefined ? { to: iso(q.to) } : {}),
    },
    asOf: new Date(q.asOf).toISOString(),
    rows,
    total,
  };
}

export interface TimelineEntry {
  seq: number;
  type: string;
  stepKey: string | null;
  actor: string;
  occurredAt: string;
  dueAt: string | null;
  onTime: boolean | null;
  evidence: string | null;
  note: string | null;
}

/** Every milestone of one enrollment, in the order the pathway lived them, with who and when. */
export async function enrollmentTimeline(db: Db, enrollmentId: string): Promise<TimelineEntry[]> {
  const rows = await db.milestone.findMany({
    where: { enrollmentId },
    orderBy: [{ seq: 'asc' }, { occurredAt: 'asc' }],
  });
  return rows.map((m) => ({
    seq: m.seq,
    type: m.type,
    stepKey: m.stepKey,
    actor: m.actor,
    occurredAt: m.occurredAt.toISOString(),
    dueAt: m.dueAt ? m.dueAt.toISOString() : null,
    onTime: m.onTime,
    evidence: m.evidence,
    note: m.note,
  }));
}
