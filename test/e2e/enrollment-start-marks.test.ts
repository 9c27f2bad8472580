/**
 * What a new enrollment leaves for after its answer (client/service.ts, markStartedLater): the row
 * and its audit entry are committed and the pathway started before the answer; the record that the
 * start happened (`workflowStartedAt`, what the reconciler reads) follows, one UPDATE for every start
 * of a window. Checked on both write paths, with a repeated request, with the mark lost (the
 * reconciler sets it and starts nothing), and the edition the path now reads with hand-written SQL.
 * Runs on SQLite, and on PostgreSQL through scripts/test-postgres.ts.
 */
import { Client, Connection } from '@temporalio/client';
import { createDb, directSqlOf, type Db } from '../../infra/db';
import { sql } from '../../infra/direct-sql';
import { createReconciler } from '../../client/reconciler';
import { createService } from '../../client/service';
import { createProgrammeStore, editionOf } from '../../client/programmes';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import { createTestDb, enrollRequest, logger } from '../support/fixtures';

jest.setTimeout(60_000);

let server: DevServer;
let connection: Connection;
let temporal: Client;
const taskQueue = 'enrollment-start-marks'; // no worker: the pathways are started, not run
const actor = { id: 'usr_test', role: 'admin' };
const dbs: Db[] = [];
/** Longer than any test here: a mark is written only when flushed (or by the reconciler). */
const NEVER_ON_ITS_OWN = 10 * 60_000;

beforeAll(async () => {
  server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.$disconnect()));
  await connection?.close();
  await server?.stop();
});

/** A database whose UPDATEs of enrollment rows are counted. */
function countingDb() {
  const { url } = createTestDb();
  const counts = { markUpdates: 0 };
  const db = createDb(url, {
    onQuery: (text) => void (/^\s*UPDATE "Enrollment" SET "workflowStartedAt"/.test(text) && counts.markUpdates++),
  });
  dbs.push(db);
  return { db, counts };
}

async function startedAt(db: Db, id: string): Promise<unknown> {
  const rows = await (
    await directSqlOf(db)
  ).query<{ at: unknown }>(sql`SELECT "workflowStartedAt" AS "at" FROM "Enrollment" WHERE "id" = ${id}`);
  return rows[0]!.at;
}

async function runsOf(workflowId: string) {
  const runs = [];
  for await (const w of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w);
  return runs;
}

test.each([
  ['the grouped fast path', true],
  ['the one-by-one path', false],
])(
  'by %s: rows and pathways before the answer, the start marks after it, all of a window in one UPDATE',
  async (_, groupWrites) => {
    const { db, counts } = countingDb();
    const service = createService({ db, temporal, taskQueue, groupWrites, startMarkLingerMs: NEVER_ON_ITS_OWN });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await service.enroll(enrollRequest(), undefined, { actor }));
    for (const { created, enrollment } of results) {
      expect(created).toBe(true);
      expect((await temporal.workflow.getHandle(enrollment.workflowId).describe()).status.name).toBe('RUNNING');
      expect(await db.auditLog.count({ where: { entityId: enrollment.id, action: 'enrollment.create' } })).toBe(1);
      expect(await startedAt(db, enrollment.id)).toBeNull();
    }
    expect(counts.markUpdates).toBe(0);

    await service.flushStartMarks();
    expect(counts.markUpdates).toBe(1);
    for (const { enrollment } of results) expect(await startedAt(db, enrollment.id)).not.toBeNull();
    // Nothing more to write: a second flush sends nothing.
    await service.flushStartMarks();
    expect(counts.markUpdates).toBe(1);
  },
);

test('a repeated request before its mark is written answers the same enrollment: no second row, no second start', async () => {
  const { db } = countingDb();
  const service = createService({ db, temporal, taskQueue, startMarkLingerMs: NEVER_ON_ITS_OWN });
  const req = enrollRequest();
  const key = `repeat-${Date.now()}`;
  const first = await service.enroll(req, key, { actor });
  const again = await service.enroll(req, key, { actor });
  expect(first.created).toBe(true);
  expect(again.created).toBe(false);
  expect(again.enrollment.id).toBe(first.enrollment.id);
  expect(await db.enrollment.count({ where: { company: { vatNumber: req.company.vatNumber } } })).toBe(1);
  expect(await db.auditLog.count({ where: { action: 'enrollment.create' } })).toBe(1);
  expect(await runsOf(first.enrollment.workflowId)).toHaveLength(1);
  // The repeat met the running workflow and recorded it at once (its own mark is awaited).
  expect(await startedAt(db, first.enrollment.id)).not.toBeNull();
});

test('a mark lost with its process (never flushed) is set by the reconciler, which starts nothing', async () => {
  const { db } = countingDb();
  const gone = createService({ db, temporal, taskQueue, startMarkLingerMs: NEVER_ON_ITS_OWN });
  const { enrollment } = await gone.enroll(enrollRequest(), undefined, { actor });
  expect(await startedAt(db, enrollment.id)).toBeNull();

  const survivor = createService({ db, temporal, taskQueue });
  const outcome = await createReconciler({
    db,
    service: survivor,
    logger,
    graceMs: 10_000,
    now: () => new Date(Date.now() + 60_000),
  }).reconcileOnce();
  expect(outcome.running).toEqual([enrollment.id]);
  expect(outcome.started).toEqual([]);
  expect(await startedAt(db, enrollment.id)).not.toBeNull();
  expect(await runsOf(enrollment.workflowId)).toHaveLength(1);
});

test('the edition enrollment reads with hand-written SQL is the one Prisma reads, for every stored edition', async () => {
  const { db } = createTestDb();
  dbs.push(db);
  const store = createProgrammeStore({ db, temporal, taskQueue });
  const { items } = await store.list();
  expect(items.some((e) => e.demo)).toBe(true);
  expect(items.some((e) => !e.demo)).toBe(true);
  for (const { code } of items) {
    const row = await db.programme.findUniqueOrThrow({ where: { code } });
    expect(await store.findEdition(code)).toEqual(editionOf(row));
  }
  expect(await store.findEdition('no-such-edition')).toBeUndefined();
});

test.each([
  ['the grouped fast path', true],
  ['the one-by-one path', false],
])('by %s: a refused enrollment writes nothing, starts nothing and leaves no mark to write', async (_, groupWrites) => {
  const { db, counts } = countingDb();
  const service = createService({ db, temporal, taskQueue, groupWrites, startMarkLingerMs: NEVER_ON_ITS_OWN });
  const outside = enrollRequest({ company: { ...enrollRequest().company, province: 'RM', city: 'roma' } });
  await expect(service.enroll(outside, undefined, { actor })).rejects.toMatchObject({ code: 'territory_not_covered' });
  const unknown = enrollRequest({ programme: 'no-such-edition' });
  await expect(service.enroll(unknown, undefined, { actor })).rejects.toMatchObject({ code: 'unknown_programme' });
  expect(await db.enrollment.count()).toBe(0);
  expect(await db.company.count()).toBe(0);
  expect(await db.participant.count()).toBe(0);
  expect(await db.auditLog.count({ where: { action: 'enrollment.create' } })).toBe(0);
  await service.flushStartMarks();
  expect(counts.markUpdates).toBe(0);
});
