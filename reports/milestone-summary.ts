/**
 * The milestone reports' summary: step outcomes (on time, late) and a histogram of days per step
 * in tenths of a day, summed by the groups the reports show (edition, network, province, kind,
 * alliance). At 200,000 milestones the full aggregation walks every milestone (about half a
 * second on SQLite); these two tables hold a few hundred rows.
 *
 * Kept in the same transaction as the milestone insert (activities/records.ts), by statements that
 * do something only when the row with this attempt's own id was really inserted: a retried
 * activity, whose insert hit the unique (enrollmentId, eventKey) and did nothing, counts nothing.
 * A step lasts from the previous start-like milestone of its pathway (enrollment, completion of
 * the step before, reopening) by `seq` to its completion, so a milestone inserted between two
 * others changes at most the span that crosses it: the update moves that one (inserted out of
 * order or not, the histogram stays what the full query computes). Bulk loaders (seeds, benches,
 * tests writing milestones with createMany) call rebuildMilestoneSummary afterwards. The migration
 * `milestone_summary_search_name` backfilled the rows existing then with the same SQL.
 *
 * test/unit/milestone-summary.test.ts compares the figures with the full query's.
 */
import type { Db } from '../infra/db';
import type { Dialect } from '../infra/db-url';
import { sql, Sql } from '../infra/direct-sql';

/** SQL text of this module (no values), inlined. */
const raw = (text: string) => new Sql([text]);

/** The milestone types that start a step (their next step_completed ends it). */
export const STEP_START_TYPES = ['enrolled', 'step_completed', 'step_reopened'] as const;
const START_TYPES_SQL = `'enrolled', 'step_completed', 'step_reopened'`;

/** Tenths of a day from `earlier` to `later`, rounded, as an integer: the report's days per step ×10. */
export function tenthsBetween(dialect: Dialect, later: string, earlier: string): string {
  return dialect === 'postgresql'
    ? `CAST(ROUND(EXTRACT(EPOCH FROM (${later} - ${earlier})) / 8640) AS BIGINT)`
    : `CAST(ROUND((julianday(${later}) - julianday(${earlier})) * 10) AS INTEGER)`;
}

const DIM_COLUMNS = `"programmeCode", "atsCode", "province", "kind", "allianceCode"`;
const DIM_VALUES = `e."programmeCode", c."atsCode", c."province", e."kind", COALESCE(e."allianceCode", '-')`;

/** The summary column each report dimension groups by (the same keys as reports/milestones.ts). */
export const SUMMARY_GROUP = {
  network: 's."atsCode"',
  province: 's."province"',
  kind: 's."kind"',
  alliance: 's."allianceCode"',
  programme: 's."programmeCode"',
} as const;

/**
 * The statements that add milestone `id` to the summary, to run after its insert in the same
 * transaction. Each reads the row by this id: when the insert did nothing they change nothing.
 */
export function summaryStatements(dialect: Dialect, id: string): Sql[] {
  const span = (later: string, earlier: string) => raw(tenthsBetween(dialect, later, earlier));
  const outcome = sql`INSERT INTO "StepOutcomeSummary" (${raw(DIM_COLUMNS)}, "onTime", "late")
    SELECT ${raw(DIM_VALUES)},
      CASE WHEN m."onTime" = true THEN 1 ELSE 0 END, CASE WHEN m."onTime" = false THEN 1 ELSE 0 END
    FROM "Milestone" m JOIN "Enrollment" e ON e."id" = m."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
    WHERE m."id" = ${id} AND m."type" = 'step_completed'
    ON CONFLICT (${raw(DIM_COLUMNS)}) DO UPDATE SET
      "onTime" = "StepOutcomeSummary"."onTime" + excluded."onTime",
      "late" = "StepOutcomeSummary"."late" + excluded."late"`;
  // p: the start-like milestone before the new one, nx: the one after. The new milestone ends the
  // span from p (if it completes a step) and, when nx completes a step, splits p→nx into m→nx.
  const durations = sql`WITH m AS (
      SELECT "id", "enrollmentId", "seq", "type", "occurredAt" FROM "Milestone"
      WHERE "id" = ${id} AND "type" IN (${raw(START_TYPES_SQL)})
    ), p AS (
      SELECT x."occurredAt" FROM "Milestone" x, m
      WHERE x."enrollmentId" = m."enrollmentId" AND x."type" IN (${raw(START_TYPES_SQL)}) AND x."seq" < m."seq"
      ORDER BY x."seq" DESC LIMIT 1
    ), nx AS (
      SELECT x."type", x."occurredAt" FROM "Milestone" x, m
      WHERE x."enrollmentId" = m."enrollmentId" AND x."type" IN (${raw(START_TYPES_SQL)}) AND x."seq" > m."seq"
      ORDER BY x."seq" ASC LIMIT 1
    ), d AS (
      SELECT ${span('m."occurredAt"', 'p."occurredAt"')} AS tenths, 1 AS delta FROM m, p WHERE m."type" = 'step_completed'
      UNION ALL
      SELECT ${span('nx."occurredAt"', 'm."occurredAt"')} AS tenths, 1 AS delta FROM m, nx WHERE nx."type" = 'step_completed'
      UNION ALL
      SELECT ${span('nx."occurredAt"', 'p."occurredAt"')} AS tenths, -1 AS delta FROM m, nx, p WHERE nx."type" = 'step_completed'
    )
    INSERT INTO "StepDurationSummary" (${raw(DIM_COLUMNS)}, "tenths", "steps")
    SELECT ${raw(DIM_VALUES)}, d.tenths, SUM(d.delta)
    FROM d, m JOIN "Enrollment" e ON e."id" = m."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
    WHERE 1 = 1
    GROUP BY e."programmeCode", c."atsCode", c."province", e."kind", COALESCE(e."allianceCode", '-'), d.tenths
    ON CONFLICT (${raw(DIM_COLUMNS)}, "tenths") DO UPDATE SET
      "steps" = "StepDurationSummary"."steps" + excluded."steps"`;
  return [outcome, durations];
}

/** The whole summary recomputed from every milestone (what the migration's backfill does). */
export function rebuildStatements(dialect: Dialect): string[] {
  return [
    `DELETE FROM "StepOutcomeSummary"`,
    `DELETE FROM "StepDurationSummary"`,
    `INSERT INTO "StepOutcomeSummary" (${DIM_COLUMNS}, "onTime", "late")
    SELECT ${DIM_VALUES},
      SUM(CASE WHEN m."onTime" = true THEN 1 ELSE 0 END), SUM(CASE WHEN m."onTime" = false THEN 1 ELSE 0 END)
    FROM "Milestone" m JOIN "Enrollment" e ON e."id" = m."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
    WHERE m."type" = 'step_completed'
    GROUP BY 1, 2, 3, 4, 5`,
    `WITH ev AS (
      SELECT m."enrollmentId", m."type", m."occurredAt",
        LAG(m."occurredAt") OVER (PARTITION BY m."enrollmentId" ORDER BY m."seq") AS prev
      FROM "Milestone" m
      WHERE m."type" IN (${START_TYPES_SQL})
    )
    INSERT INTO "StepDurationSummary" (${DIM_COLUMNS}, "tenths", "steps")
    SELECT ${DIM_VALUES}, ${tenthsBetween(dialect, 'ev."occurredAt"', 'ev.prev')}, COUNT(*)
    FROM ev JOIN "Enrollment" e ON e."id" = ev."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
    WHERE ev."type" = 'step_completed' AND ev.prev IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6`,
  ];
}

/** Recomputes the summary from every milestone, in one transaction: for bulk loaders. */
export async function rebuildMilestoneSummary(db: Db, dialect: Dialect): Promise<void> {
  await db.$transaction(rebuildStatements(dialect).map((s) => db.$executeRawUnsafe(s)));
}
