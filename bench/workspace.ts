/**
 * `npm run bench -- workspace`: server time per page of the staff workspace at the scale of a
 * region (BENCH_ENROLLMENTS, default 20,000 enrollments with 10 milestones each: 200,000), seeded
 * by scripts/seed-workspace.ts. Each page is requested through the real server (Fastify inject,
 * signed in with an API token) and its p50/p95 printed: the Region's work list (default, filtered,
 * searched, a deep page), its CSV, a coordinator's network table, a consultant's list, a firm's
 * page. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set. Target p95 under 50 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb, dialectOfDb, tuneSqlite, type Db } from '../infra/db';
import { migrate } from '../infra/migrate';
import { buildApi } from '../client/api/server';
import { createService } from '../client/service';
import { createApiToken, createUser } from '../client/auth/users';
import { seedWorkspace } from '../scripts/seed-workspace';
import { createTestDb, logger, PREFERENCES_SECRET } from '../test/support/fixtures';
import { percentile, print, round } from './common';

const ENROLLMENTS = Number(process.env.BENCH_ENROLLMENTS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);

async function benchOn(label: string, db: Db) {
  const seedStarted = performance.now();
  const seeded = await seedWorkspace(db, { enrollments: ENROLLMENTS, milestonesPer: 10, consultants: 40 });
  const seedMs = performance.now() - seedStarted;
  // As a database in service would have them: the planner's statistics of the tables just filled
  // (autovacuum gets to them only later, and a fresh PostgreSQL plans the work lists blind).
  if (dialectOfDb(db) === 'postgresql')
    await db.$executeRawUnsafe(
      'ANALYZE "Company", "Enrollment", "Milestone", "Participant", "User", "StepOutcomeSummary", "StepDurationSummary"',
    );
  // Nothing here talks to Temporal: a lazy connection that is never used.
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const api = await buildApi({
    service: createService({ db, temporal, taskQueue: 'bench' }),
    db,
    temporal,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
  });
  const system = { id: 'bench', role: 'system' };
  const tokenFor = async (input: Parameters<typeof createUser>[1]) =>
    (await createApiToken(db, (await createUser(db, input, system)).id, 'bench', system)).token;
  const admin = await tokenFor({ role: 'admin', email: 'anna@regione.test', name: 'Anna Regione' });
  const coordinator = await tokenFor({
    role: 'coordinator',
    atsCode: 'ats-milano',
    email: 'elena@ats-milano.test',
    name: 'Elena Sala',
  });
  const consultantEmail = 'consulente3.seed@consulenti.test';
  const consultantUser = await db.user.findUniqueOrThrow({ where: { email: consultantEmail } });
  const consultant = (await createApiToken(db, consultantUser.id, 'bench', system)).token;
  const firm = 'seed-c1234';
  const pages: { name: string; url: string; token: string }[] = [
    { name: 'region work list (default)', url: '/app', token: admin },
    { name: 'region, all statuses by company', url: '/app?status=all&sort=company', token: admin },
    {
      name: 'region, filtered (edition, kind, overdue)',
      url: '/app?edition=demo-2026-2027&kind=time-saving&overdue=1',
      token: admin,
    },
    { name: 'region, search by name', url: '/app?q=Colombo%2012&status=all', token: admin },
    { name: 'region, search by VAT', url: '/app?q=84000001234&status=all', token: admin },
    { name: 'region, page 100 of 50 rows', url: '/app?status=all&size=50&page=100', token: admin },
    {
      name: 'region CSV (100 rows, filtered)',
      url: '/app/export.csv?status=all&size=100&alliance=demo-milano',
      token: admin,
    },
    { name: 'coordinator network table', url: '/app?sort=due&size=100', token: coordinator },
    { name: 'coordinator network page (workload)', url: '/app/network', token: coordinator },
    { name: 'consultant work list', url: '/app', token: consultant },
    { name: 'firm page', url: `/app/companies/${firm}`, token: admin },
  ];
  const results: Record<string, unknown>[] = [];
  for (const pg of pages) {
    const headers = { authorization: `Bearer ${pg.token}`, accept: 'text/html' };
    const first = await api.inject({ method: 'GET', url: pg.url, headers });
    if (first.statusCode !== 200) throw new Error(`${pg.url}: ${first.statusCode} ${first.body.slice(0, 300)}`);
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await api.inject({ method: 'GET', url: pg.url, headers });
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    results.push({
      page: pg.name,
      url: pg.url,
      bytes: first.body.length,
      p50Ms: round(percentile(ms, 0.5), 1),
      p95Ms: round(percentile(ms, 0.95), 1),
    });
  }
  await api.close();
  return { database: label, ...seeded, seedSeconds: round(seedMs / 1000, 1), runsPerPage: RUNS, pages: results };
}

export async function benchWorkspace(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-bench-workspace-'));
  const url = `file:${path.join(dir, 'bench.db')}`;
  migrate(url);
  const db = createDb(url);
  await tuneSqlite(db, url);
  const out: unknown[] = [];
  try {
    out.push(await benchOn('sqlite', db));
  } finally {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.TEST_DATABASE_URL) {
    const pg = createTestDb();
    try {
      out.push(await benchOn('postgresql', pg.db));
    } finally {
      await pg.db.$disconnect();
    }
  }
  print({ benchmark: 'workspace', targetP95Ms: 50, runs: out });
}
