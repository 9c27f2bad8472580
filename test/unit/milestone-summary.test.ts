/**
 * The reports' summary (reports/milestone-summary.ts) against the full query over every milestone:
 * on a seeded database, after milestones written by the real recordMilestone activity (odd
 * durations, a reopening, one written out of order), and after a retried write that must count
 * nothing. SQLite here; PostgreSQL through scripts/test-postgres.ts (createTestDb follows
 * TEST_DATABASE_URL).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRecordActivities } from '../../activities/records';
import type { MilestoneInput } from '../../activities/types';
import { dialectOfDb, type Db } from '../../infra/db';
import { milestoneReport, REPORT_DIMENSIONS, type MilestoneReportQuery } from '../../reports/milestones';
import { rebuildMilestoneSummary } from '../../reports/milestone-summary';
import { seededWorkspaceDb } from '../support/workspace-db';

const DAY = 86_400_000;
const MIGRATION = '20261202022809_milestone_summary_search_name';
const NOW = Date.UTC(2026, 11, 1, 9, 0);

describe('milestone summary', () => {
  let db: Db;
  const record = () => createRecordActivities(db).recordMilestone;

  seededWorkspaceDb({ enrollments: 240, milestonesPer: 8, consultants: 6, now: NOW }, (made) => (db = made));

  /** Every dimension, with and without the network and edition filters: summary = full query. */
  async function expectSameAsFullQuery() {
    const dialect = dialectOfDb(db);
    const queries: Omit<MilestoneReportQuery, 'asOf'>[] = [];
    for (const by of REPORT_DIMENSIONS) {
      queries.push({ by }, { by, atsCode: 'ats-milano' }, { by, programme: 'demo-2026-2027' });
    }
    for (const q of queries) {
      const fast = await milestoneReport(db, dialect, { ...q, asOf: NOW });
      const full = await milestoneReport(db, dialect, { ...q, asOf: NOW, fromMilestones: true });
      expect({ q, report: fast }).toEqual({ q, report: full });
    }
  }

  async function summaryTables() {
    const outcomes = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT * FROM "StepOutcomeSummary" ORDER BY 1, 2, 3, 4, 5`,
    );
    const durations = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT * FROM "StepDurationSummary" WHERE "steps" <> 0 ORDER BY 1, 2, 3, 4, 5, 6`,
    );
    const plain = (rows: Record<string, unknown>[]) =>
      rows.map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
      );
    return { outcomes: plain(outcomes), durations: plain(durations) };
  }

  it('the seeded database: every dimension and filter gives the full query figures', async () => {
    const report = await milestoneReport(db, dialectOfDb(db), { by: 'network', asOf: NOW });
    expect(report.total.stepsOnTime + report.total.stepsLate).toBeGreaterThan(100);
    expect(report.total.medianDaysPerStep).not.toBeNull();
    await expectSameAsFullQuery();
  });

  it('milestones written by recordMilestone, out of order and retried, keep the same figures', async () => {
    const open = await db.enrollment.findMany({
      where: { status: 'active' },
      orderBy: { id: 'asc' },
      take: 12,
      include: { milestones: { orderBy: { seq: 'desc' }, take: 1 } },
    });
    expect(open.length).toBe(12);
    const writes: MilestoneInput[] = [];
    open.forEach((e, i) => {
      const last = e.milestones[0]!;
      const base = last.occurredAt.getTime();
      const projection = {
        status: 'active',
        currentStep: e.currentStep,
        currentDueAt: e.currentDueAt ? e.currentDueAt.getTime() : null,
      } as MilestoneInput['enrollment'];
      const step = (k: number, at: number, onTime: boolean, type: MilestoneInput['type'] = 'step_completed') =>
        ({
          enrollmentId: e.id,
          eventKey: `summary-test-${k}`,
          seq: last.seq + 10 * k,
          type,
          stepKey: e.currentStep ?? 'x',
          actor: 'consultant:test',
          occurredAt: at,
          ...(type === 'step_completed' ? { onTime } : {}),
          enrollment: projection,
        }) as MilestoneInput;
      // Odd durations: 72 minutes × an odd number lands on the half tenth; some a few seconds on.
      writes.push(step(1, base + (2 * i + 1) * 72 * 60_000, i % 3 !== 0));
      writes.push(step(2, base + (2 * i + 1) * 72 * 60_000 + 5 * DAY + 1_234 * i, i % 2 === 0));
      if (i % 4 === 0) writes.push(step(3, base + 6 * DAY + 17 * 60_000, true, 'step_reopened'));
      if (i % 4 === 0) writes.push(step(4, base + 9 * DAY + 45 * 60_000 * i, false));
    });
    for (const w of writes) await record()(w);
    await expectSameAsFullQuery();

    // Out of order: a reopening written after the completion that follows it (seq between the two).
    const e0 = open[0]!;
    const first = writes.find((w) => w.enrollmentId === e0.id && w.eventKey === 'summary-test-1')!;
    await record()({
      ...first,
      eventKey: 'summary-test-between',
      seq: first.seq + 5,
      type: 'step_reopened',
      occurredAt: first.occurredAt + 2 * DAY + 11 * 60_000,
      onTime: undefined,
    });
    await expectSameAsFullQuery();

    // A retried activity: the same milestone again (and once more) counts nothing.
    const before = await summaryTables();
    const milestones = await db.milestone.count();
    for (const w of writes.slice(0, 6)) {
      await record()(w);
      await record()(w);
    }
    expect(await db.milestone.count()).toBe(milestones);
    expect(await summaryTables()).toEqual(before);
    await expectSameAsFullQuery();

    // Rebuilt from every milestone, the tables are the same.
    await rebuildMilestoneSummary(db, dialectOfDb(db));
    expect(await summaryTables()).toEqual(before);

    // And so they are from the migration's own backfill, run on the emptied tables.
    const dialect = dialectOfDb(db);
    const file = path.join(
      __dirname,
      '../../prisma',
      dialect === 'postgresql' ? 'postgres/migrations' : 'migrations',
      MIGRATION,
      'migration.sql',
    );
    const backfill = fs.readFileSync(file, 'utf8').split('-- Backfill')[1]!.replace(/^.*\n/, '');
    await db.$executeRawUnsafe(`DELETE FROM "StepOutcomeSummary"`);
    await db.$executeRawUnsafe(`DELETE FROM "StepDurationSummary"`);
    for (const statement of backfill.split(/;\s*\n/).map((t) => t.replace(/^--.*$/gm, '').trim()))
      if (statement) await db.$executeRawUnsafe(statement);
    expect(await summaryTables()).toEqual(before);
  });
});
