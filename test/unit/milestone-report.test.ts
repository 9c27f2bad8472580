/**
 * Milestone reports on a real SQLite database through Prisma: the SQL aggregations are checked
 * against figures computed independently, in plain TypeScript, from the same generated data.
 */
import fs from 'node:fs';
import { createTestDb } from '../support/fixtures';
import type { Db } from '../../infra/db';
import { dialectOf } from '../../infra/db-url';
import { rebuildMilestoneSummary } from '../../reports/milestone-summary';
import {
  enrollmentTimeline,
  milestoneReport,
  programmesNearEnd,
  type MilestoneFigures,
  type ReportDimension,
} from '../../reports/milestones';
import { milestoneReportCsv, milestoneReportHtml } from '../../reports/render-milestones';
import { romeToEpochMs } from '../../domain/calendar';
import { atsForProvince } from '../../domain/territory';
import { EDITION_SEEDS } from '../../domain/editions-seed';
import { ensureProgrammeSeeds } from '../../client/programmes';

const DAY = 86_400_000;
const AS_OF = romeToEpochMs(2026, 11, 23, 10, 0);

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be reproduced. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GenEnrollment {
  id: string;
  province: string;
  atsCode: string;
  kind: string;
  programme: string;
  alliance: string | null;
  status: string;
  createdAt: number;
  currentDueAt: number | null;
  steps: { days: number; onTime: boolean }[];
}

const PROVINCES = ['MI', 'BG', 'BS', 'VA', 'CO', 'PV', 'MN', 'SO'];
const KINDS = ['congedo-flessibilita', 'lavoro-flessibile', 'time-saving', 'defiscalizzazione'];

async function generate(db: Db, count: number, seed: number): Promise<GenEnrollment[]> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: GenEnrollment[] = [];
  for (let i = 0; i < count; i++) {
    const province = pick(PROVINCES);
    const atsCode = atsForProvince(province).code;
    const company = await db.company.create({
      data: {
        name: `Impresa ${i}`,
        vatNumber: String(10_000_000_000 + i),
        province,
        atsCode,
        sector: 'servizi',
        size: 'small',
        staff: 20,
      },
    });
    const programme = r() < 0.2 ? '2017-2018' : 'demo-2026-2027';
    const status = pick(['active', 'active', 'active', 'completed', 'withdrawn', 'expired']);
    const createdAt = AS_OF - Math.floor(r() * 200) * DAY - Math.floor(r() * DAY);
    const stepCount = status === 'completed' ? 4 : Math.floor(r() * 4);
    const steps = Array.from({ length: stepCount }, () => ({
      days: Math.round(r() * 400) / 10 + 0.5,
      onTime: r() < 0.7,
    }));
    const currentDueAt = status === 'active' && r() < 0.9 ? AS_OF + Math.floor((r() - 0.4) * 30 * DAY) : null;
    const alliance = r() < 0.5 ? null : `all-${atsCode}`;
    const enrollment = await db.enrollment.create({
      data: {
        idempotencyKey: `k${i}`,
        requestHash: 'h',
        programmeCode: programme,
        allianceCode: alliance,
        kind: pick(KINDS),
        catalogueVersion: 1,
        companyId: company.id,
        consultantEmail: 'c@studio.it',
        consultantName: 'C',
        workflowId: `wf-${i}`,
        status,
        createdAt: new Date(createdAt),
        currentDueAt: currentDueAt === null ? null : new Date(currentDueAt),
      },
    });
    const rows = [
      {
        enrollmentId: enrollment.id,
        eventKey: 'enrolled',
        seq: 0,
        type: 'enrolled',
        actor: 'system',
        occurredAt: new Date(createdAt),
      },
    ];
    let at = createdAt;
    let seq = 1;
    for (const [k, s] of steps.entries()) {
      // Noise between the completions: milestones that do not start a step must not shift durations.
      rows.push({
        enrollmentId: enrollment.id,
        eventKey: `assign:${k}`,
        seq: seq++,
        type: 'consultant_assigned',
        actor: 'coordinator:x',
        occurredAt: new Date(at + DAY / 10),
      });
      at += Math.round(s.days * DAY);
      rows.push({
        enrollmentId: enrollment.id,
        eventKey: `step:${k}`,
        seq: seq++,
        type: 'step_completed',
        actor: 'consultant:c@studio.it',
        occurredAt: new Date(at),
        ...({ onTime: s.onTime, stepKey: `s${k}`, dueAt: new Date(at) } as object),
      });
    }
    await db.milestone.createMany({ data: rows });
    out.push({
      id: enrollment.id,
      province,
      atsCode,
      kind: enrollment.kind,
      programme,
      alliance,
      status,
      createdAt,
      currentDueAt,
      steps,
    });
  }
  return out;
}

/** The independent computation: sort and index, no SQL. */
function expected(rows: GenEnrollment[]): MilestoneFigures {
  const durations = rows.flatMap((e) => e.steps.map((s) => s.days)).sort((a, b) => a - b);
  const nearest = (p: number) =>
    durations.length === 0 ? null : Math.round(durations[Math.ceil(p * durations.length) - 1]! * 10) / 10;
  const count = (s: string) => rows.filter((e) => e.status === s).length;
  return {
    enrollments: rows.length,
    active: count('active'),
    completed: count('completed'),
    withdrawn: count('withdrawn'),
    expired: count('expired'),
    stepsOnTime: rows.reduce((a, e) => a + e.steps.filter((s) => s.onTime).length, 0),
    stepsLate: rows.reduce((a, e) => a + e.steps.filter((s) => !s.onTime).length, 0),
    completionRate: rows.length === 0 ? null : Math.round((count('completed') / rows.length) * 1000) / 1000,
    medianDaysPerStep: nearest(0.5),
    p90DaysPerStep: nearest(0.9),
    // 2017-2018 ended in January 2019: all its open pathways are at risk; otherwise only the overdue.
    atRisk: rows.filter(
      (e) =>
        e.status === 'active' && (e.programme === '2017-2018' || (e.currentDueAt !== null && e.currentDueAt < AS_OF)),
    ).length,
  };
}

const keyOf: Record<ReportDimension, (e: GenEnrollment) => string> = {
  network: (e) => e.atsCode,
  province: (e) => e.province,
  kind: (e) => e.kind,
  alliance: (e) => e.alliance ?? '-',
  programme: (e) => e.programme,
};

describe('milestone report (SQLite)', () => {
  let db: Db;
  let dir: string;
  let url: string;
  let data: GenEnrollment[];

  beforeAll(async () => {
    ({ db, dir, url } = createTestDb());
    // The report reads the editions' current ends from the Programme table.
    await ensureProgrammeSeeds(db);
    data = await generate(db, 160, 20261123);
    // Milestones written with createMany: the reports' summary is rebuilt from them.
    await rebuildMilestoneSummary(db, dialectOf(url));
  });
  afterAll(async () => {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['network', 'province', 'kind', 'alliance', 'programme'] as ReportDimension[])(
    'by %s matches the independent computation, group by group and in total',
    async (by) => {
      const report = await milestoneReport(db, dialectOf(url), { by, asOf: AS_OF });
      const groups = [...new Set(data.map(keyOf[by]))].sort();
      expect(report.rows.map((r) => r.key).sort()).toEqual(groups);
      for (const row of report.rows) {
        const { key, label, ...figures } = row;
        expect(label.length).toBeGreaterThan(0);
        expect(figures).toEqual(expected(data.filter((e) => keyOf[by](e) === key)));
      }
      expect(report.total).toEqual(expected(data));
    },
  );

  it('filters by programme, network and enrollment period', async () => {
    const from = AS_OF - 90 * DAY;
    const to = AS_OF - 10 * DAY;
    const report = await milestoneReport(db, dialectOf(url), {
      by: 'kind',
      programme: 'demo-2026-2027',
      atsCode: 'ats-milano',
      from,
      to,
      asOf: AS_OF,
    });
    const subset = data.filter(
      (e) => e.programme === 'demo-2026-2027' && e.atsCode === 'ats-milano' && e.createdAt >= from && e.createdAt < to,
    );
    expect(subset.length).toBeGreaterThan(0);
    expect(report.total).toEqual(expected(subset));
    expect(report.filters).toEqual({
      programme: 'demo-2026-2027',
      atsCode: 'ats-milano',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    });
  });

  it('an empty selection gives empty rows and a zero total, not an error', async () => {
    const report = await milestoneReport(db, dialectOf(url), { by: 'province', programme: 'none', asOf: AS_OF });
    expect(report.rows).toEqual([]);
    expect(report.total.enrollments).toBe(0);
    expect(report.total.completionRate).toBeNull();
    expect(report.total.medianDaysPerStep).toBeNull();
  });

  it('refuses an unknown grouping with a clear message', async () => {
    await expect(
      milestoneReport(db, dialectOf(url), { by: 'colour' as ReportDimension, asOf: AS_OF }),
    ).rejects.toMatchObject({ code: 'invalid_dimension' });
  });

  it('CSV has one line per group plus the total, with figures the spreadsheet can compute on', async () => {
    const report = await milestoneReport(db, dialectOf(url), { by: 'province', asOf: AS_OF });
    const lines = milestoneReportCsv(report).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'group,label,enrollments,active,completed,withdrawn,expired,stepsOnTime,stepsLate,completionRate,medianDaysPerStep,p90DaysPerStep,atRisk',
    );
    expect(lines).toHaveLength(report.rows.length + 2);
    const total = lines.at(-1)!.split(',');
    expect(Number(total[2])).toBe(data.length);
  });

  it('HTML is a printable page with a labelled SVG chart and a row per group', async () => {
    const report = await milestoneReport(db, dialectOf(url), { by: 'network', asOf: AS_OF });
    const html = milestoneReportHtml(report, 'en');
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<svg[^>]+role="img"[^>]+aria-label="Enrollments by status"/);
    expect(html).toContain('@media print');
    expect(html.match(/<tr><th scope="row">/g)).toHaveLength(report.rows.length + 1);
    expect(html).toContain('ATS della Città Metropolitana di Milano');
  });

  it('the timeline lists every milestone of an enrollment in order, with who and when', async () => {
    const e = data.find((x) => x.steps.length >= 2)!;
    const timeline = await enrollmentTimeline(db, e.id);
    expect(timeline[0]).toMatchObject({ seq: 0, type: 'enrolled', actor: 'system' });
    expect(timeline.map((t) => t.seq)).toEqual([...timeline.map((t) => t.seq)].sort((a, b) => a - b));
    expect(timeline.filter((t) => t.type === 'step_completed').map((t) => t.onTime)).toEqual(
      e.steps.map((s) => s.onTime),
    );
  });
});

describe('programmes near their end', () => {
  it('counts a programme within 20 working days of its hard end, and one already ended', () => {
    // demo-2026-2027 ends on 15 December 2027.
    expect(programmesNearEnd(romeToEpochMs(2027, 11, 20, 9), EDITION_SEEDS)).toEqual(['2017-2018', 'demo-2026-2027']);
    expect(programmesNearEnd(romeToEpochMs(2027, 10, 1, 9), EDITION_SEEDS)).toEqual(['2017-2018']);
  });
});
