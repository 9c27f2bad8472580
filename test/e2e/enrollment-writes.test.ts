/**
 * The enrollment fast path (client/enrollment-writes.ts): new companies are written in groups, with
 * hand-written SQL, on SQLite and on PostgreSQL. It must store exactly what the one-by-one path
 * (Prisma model queries) stores, answer what a read gives, and hand back to the one-by-one path any
 * request whose key or company is already taken.
 */
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db } from '../../infra/db';
import { createService } from '../../client/service';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import { createTestDb, enrollRequest, requestForKind } from '../support/fixtures';

jest.setTimeout(60_000);

let server: DevServer;
let connection: Connection;
let temporal: Client;
const taskQueue = 'enrollment-writes'; // no worker: the pathways are started, not run
const actor = { id: 'usr_test', role: 'admin' };
const dbs: Db[] = [];

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

function testDb() {
  const made = createTestDb();
  dbs.push(made.db);
  return made;
}

/** Everything one enrollment wrote, read back through Prisma, without generated ids and times. */
async function storedRows(db: Db, enrollmentId: string) {
  const e = await db.enrollment.findUniqueOrThrow({
    where: { id: enrollmentId },
    include: { company: { include: { participants: { orderBy: { createdAt: 'asc' } } } } },
  });
  const audits = await db.auditLog.findMany({ where: { entityId: enrollmentId } });
  const { id: _i, companyId: _c, workflowId, createdAt: _t, workflowStartedAt, company, ...enrollment } = e;
  // The declaration's time is the request's, like createdAt: compared as present, not equal.
  const { id: _ci, createdAt: _ct, declaredAt, participants, ...companyColumns } = company;
  expect(declaredAt).toBeInstanceOf(Date);
  return {
    enrollment,
    workflowIdFollowsId: workflowId.endsWith(enrollmentId),
    // Set once the start is known to have happened (the reconciler relies on it).
    workflowStartRecorded: workflowStartedAt instanceof Date,
    company: companyColumns,
    // Prisma's nested create gives a request's participants one creation time (their order ties).
    participants: participants
      .map(({ id: _pi, companyId: _pc, createdAt: _pt, ...p }) => p)
      .sort((a, b) => a.email.localeCompare(b.email)),
    audits: audits.map(({ id: _ai, at: _aa, entityId: _ae, ...a }) => a),
  };
}

test('a group write stores what a one-by-one write stores, and answers what a read gives', async () => {
  const grouped = testDb().db;
  const single = testDb().db;
  const fast = createService({ db: grouped, temporal, taskQueue });
  const reference = createService({ db: single, temporal, taskQueue, groupWrites: false });
  const base = enrollRequest();
  const requests = [
    base,
    // A project not yet registered (tax code, not VAT number), no city given.
    requestForKind('autoimprenditorialita-femminile'),
    // The same address twice is one participant; an alliance; amounts past 32 bits.
    {
      ...enrollRequest(),
      alliance: 'demo-brianza',
      company: { ...enrollRequest().company, city: undefined, turnoverCents: 4_500_000_000 },
      participants: [base.participants![0]!, { ...base.participants![0]!, name: 'Other name' }],
    },
  ];
  for (const [i, req] of requests.entries()) {
    const key = `same-request-${i}-${Date.now()}`;
    const a = await fast.enroll(req, key, { actor });
    const b = await reference.enroll(req, key, { actor });
    expect(a.created).toBe(true);
    expect(b.created).toBe(true);
    // A new enrollment's start is marked after its answer (client/service.ts, markStartedLater).
    await Promise.all([fast.flushStartMarks(), reference.flushStartMarks()]);
    const [rowsA, rowsB] = [await storedRows(grouped, a.enrollment.id), await storedRows(single, b.enrollment.id)];
    expect(rowsA).toEqual(rowsB);
    expect(rowsA.audits).toHaveLength(1);
    expect(rowsA.workflowIdFollowsId).toBe(true);
    expect(rowsA.workflowStartRecorded).toBe(true);
    // The answer was built from what was written; a read of the row gives the same.
    expect(a.enrollment).toEqual(await fast.getEnrollment(a.enrollment.id, false));
    // And the pathway was started with it.
    const described = await temporal.workflow.getHandle(a.enrollment.workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
  }
});

test('concurrent new companies go in groups: fewer transactions than requests, every row and pathway there', async () => {
  const { url } = testDb();
  let enrollmentInserts = 0;
  const db = createDb(url, { onQuery: (sql) => void (/INSERT INTO "Enrollment"/.test(sql) && enrollmentInserts++) });
  dbs.push(db);
  const service = createService({ db, temporal, taskQueue });
  const results = await Promise.all(
    Array.from({ length: 25 }, () => service.enroll(enrollRequest(), undefined, { actor })),
  );
  expect(results.every((r) => r.created)).toBe(true);
  expect(new Set(results.map((r) => r.enrollment.id)).size).toBe(25);
  expect(enrollmentInserts).toBeGreaterThan(0);
  expect(enrollmentInserts).toBeLessThan(5);
  expect(await db.enrollment.count()).toBe(25);
  expect(await db.participant.count()).toBe(50);
  expect(await db.auditLog.count({ where: { action: 'enrollment.create' } })).toBe(25);
  for (const r of results) {
    const described = await temporal.workflow.getHandle(r.enrollment.workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
  }
});

test('requests of one group that share a key or a company, or meet a stored company, go one by one', async () => {
  const { db } = testDb();
  const service = createService({ db, temporal, taskQueue });

  // The same request twice at once: one enrollment, the second answer says it was seen before.
  const twice = enrollRequest({ idempotencyKey: `twice-${Date.now()}` });
  const [first, second] = await Promise.all([service.enroll(twice), service.enroll(twice)]);
  expect([first.created, second.created].sort()).toEqual([false, true]);
  expect(second.enrollment.id).toBe(first.enrollment.id);
  expect(await db.enrollment.count({ where: { idempotencyKey: twice.idempotencyKey } })).toBe(1);

  // One new company in two pathways at once: one company row, two enrollments.
  const company = enrollRequest().company;
  const both = await Promise.all([
    service.enroll({ ...enrollRequest(), company }),
    service.enroll({ ...enrollRequest({ kind: 'lavoro-flessibile' }), company }),
  ]);
  expect(both.map((r) => r.created)).toEqual([true, true]);
  expect(await db.company.count({ where: { vatNumber: company.vatNumber } })).toBe(1);
  expect(both[0].enrollment.company.id).toBe(both[1].enrollment.company.id);

  // A company stored earlier enrolls in a third pathway: its row is kept, it gains the new people.
  const third = enrollRequest({ kind: 'contrattazione-secondo-livello' });
  const later = await service.enroll({ ...third, company });
  expect(later.created).toBe(true);
  expect(later.enrollment.company.id).toBe(both[0].enrollment.company.id);
  const people = await db.participant.count({ where: { companyId: later.enrollment.company.id } });
  expect(people).toBe(6); // two from each of the three requests, all different addresses
});

test('a group larger than one statement may bind (20 firms of 250 people) is written in several', async () => {
  const { db } = testDb();
  const service = createService({ db, temporal, taskQueue });
  // 250 participants is the most any firm may list: a medium enterprise's (client/service.ts).
  const requests = Array.from({ length: 20 }, (_, r) => {
    const req = enrollRequest();
    return {
      ...req,
      company: { ...req.company, staff: 249 },
      participants: Array.from({ length: 250 }, (_, i) => ({
        name: `Persona ${i}`,
        email: `p${i}.r${r}.${Date.now()}@grande.test`,
        role: 'employee' as const,
        locale: 'it' as const,
      })),
    };
  });
  // 5,000 participant rows of 9 columns: 45,000 values, past SQLite's 32,766 in one statement.
  const results = await Promise.all(requests.map((req) => service.enroll(req)));
  expect(results.every((r) => r.created)).toBe(true);
  expect(await db.participant.count()).toBe(5000);
  expect(results[0]!.enrollment.participants).toHaveLength(250);
});
