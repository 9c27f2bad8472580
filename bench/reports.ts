/**
 * `npm run bench -- reports`: milestone report queries at 100,000 milestone rows (10,000
 * enrollments), each grouping timed, against a baseline `SELECT COUNT(*)` over the same table in
 * the same run. SQLite by default; BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL.
 */
import { createDb, tuneSqlite, type Db } from '../infra/db';
import { dialectOf } from '../infra/db-url';
import { milestoneReport, REPORT_DIMENSIONS } from '../reports/milestones';
import { rebuildMilestoneSummary } from '../reports/milestone-summary';
import { atsForProvince } from '../domain/territory';
import { migrate } from '../infra/migrate';
import { createTestDb } from '../test/support/fixtures';
import { print, progress, round } from './common';

const ENROLLMENTS = Number(process.env.BENCH_ENROLLMENTS ?? 10_000);
const PER_ENROLLMENT = 10; // 1 enrolled + up to 9 step/assignment milestones
const DAY = 86_400_000;

async function seed(db: Db): Promise<number> {
  const provinces = ['MI', 'BG', 'BS', 'VA', 'CO', 'PV', 'MN', 'SO', 'MB', 'LC', 'CR', 'LO'];
  const kinds = ['congedo-flessibilita', 'lavoro-flessibile', 'time-saving', 'defiscalizzazione'];
  const statuses = ['active', 'active', 'active', 'completed', 'withdrawn', 'expired'];
  const now = Date.now();
  let milestones = 0;
  const batch = 500;
  for (let start = 0; start < ENROLLMENTS; start += batch) {
    const n = Math.min(batch, ENROLLMENTS - start);
    const companies = Array.from({ length: n }, (_, j) => {
      const i = start + j;
      const province = provinces[i % provinces.length]!;
      return {
        id: `c${i}`,
        name: `Impresa ${i}`,
        vatNumber: String(50_000_000_000 + i),
        province,
        atsCode: atsForProvince(province).code,
        sector: 'servizi',
        size: 'small',
        staff: 10,
      };
    });
    await db.company.createMany({ data: companies });
    await db.enrollment.createMany({
      data: companies.map((c, j) => {
        const i = start + j;
        return {
          id: `e${i}`,
          idempotencyKey: `bench-${i}`,
          requestHash: 'x',
          programmeCode: 'demo-2026-2027',
          kind: kinds[i % kinds.length]!,
          catalogueVersion: 1,
          companyId: c.id,
          consultantEmail: `consultant${i % 50}@bench.test`,
          consultantName: 'C',
          workflowId: `wf-${i}`,
          status: statuses[i % statuses.length]!,
          createdAt: new Date(now - (i % 300) * DAY),
          currentDueAt: new Date(now + ((i % 40) - 20) * DAY),
        };
      }),
    });
    const rows = companies.flatMap((_, j) => {
      const i = start + j;
      const created = now - (i % 300) * DAY;
      return Array.from({ length: PER_ENROLLMENT }, (_, k) => ({
        enrollmentId: `e${i}`,
        eventKey: `k${k}`,
        seq: k,
        type: k === 0 ? 'enrolled' : k % 3 === 0 ? 'consultant_assigned' : 'step_completed',
        stepKey: k === 0 ? null : `s${k}`,
        actor: 'bench',
        occurredAt: new Date(created + k * ((i % 7) + 3) * DAY),
        onTime: k === 0 ? null : (i + k) % 4 !== 0,
      }));
    });
    await db.milestone.createMany({ data: rows });
    milestones += rows.length;
    progress('seeding enrollments', start + n, ENROLLMENTS);
  }
  return milestones;
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function benchReports(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  let db: Db;
  if (url) {
    migrate(url);
    db = createDb(url);
  } else {
    const t = createTestDb();
    db = t.db;
    await tuneSqlite(db, t.url);
  }
  const dialect = dialectOf(url ?? 'file:');
  const milestones = await seed(db);
  // Written with createMany, not by recordMilestone: the reports' summary is recomputed from them.
  await rebuildMilestoneSummary(db, dialect);
  const asOf = Date.now();
  // Warm the connection and the query compiler once.
  await milestoneReport(db, dialect, { by: 'network', asOf });
  const baselineMs = await time(() => db.$queryRawUnsafe('SELECT COUNT(*) FROM "Milestone"'));
  const byDimension: Record<string, number> = {};
  for (const by of REPORT_DIMENSIONS)
    byDimension[by] = round(await time(() => milestoneReport(db, dialect, { by, asOf })));
  const filtered = round(
    await time(() =>
      milestoneReport(db, dialect, { by: 'kind', atsCode: 'ats-milano', from: asOf - 90 * DAY, to: asOf, asOf }),
    ),
  );
  const slowest = Math.max(...Object.values(byDimension));
  print({
    benchmark: 'milestone report queries',
    database: dialect,
    enrollments: ENROLLMENTS,
    milestones,
    baselineCountMs: round(baselineMs),
    reportMs: byDimension,
    filteredByNetworkAndPeriodMs: filtered,
    slowestMs: slowest,
    slowestOverBaseline: round(slowest / Math.max(baselineMs, 0.001)),
    targetMs: 1000,
  });
  await db.$disconnect();
}
