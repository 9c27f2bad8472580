/**
 * The reconciler on its own, on real servers (dev server, worker, SMTP): an enrollment row left
 * without its workflow (the start failed as a crash would leave it) is started with the input the
 * request would have built, and its welcome email goes once; a row whose workflow exists is only
 * marked; a pathway that has closed is never started again; a row still within the grace period is
 * left to its request.
 */
import type { Client } from '@temporalio/client';
import { directSqlOf } from '../../infra/db';
import { sql } from '../../infra/direct-sql';
import { createReconciler } from '../../client/reconciler';
import { createService } from '../../client/service';
import { closedResult, enrollRequest, logger, startDevStack, stopDevStack, until } from '../support/fixtures';

jest.setTimeout(120_000);

const taskQueue = 'reconciler';
let stack: Awaited<ReturnType<typeof startDevStack>>;

beforeAll(async () => {
  stack = await startDevStack(taskQueue);
}, 90_000);
afterAll(() => stopDevStack(stack));

/** The column the stale shared Prisma client may not know yet, read with plain SQL. */
async function startedAt(id: string): Promise<unknown> {
  const rows = await (
    await directSqlOf(stack.db)
  ).query<{ at: unknown }>(sql`SELECT "workflowStartedAt" AS "at" FROM "Enrollment" WHERE "id" = ${id}`);
  return rows[0]!.at;
}
const unmark = async (id: string) =>
  (await directSqlOf(stack.db)).transaction([
    sql`UPDATE "Enrollment" SET "workflowStartedAt" = NULL WHERE "id" = ${id}`,
  ]);

/** A service whose Temporal client fails every start, as a process killed at that instant would. */
function crashingService(groupWrites: boolean) {
  const temporal = {
    ...stack.temporal,
    workflow: {
      start: () => Promise.reject(new Error('killed between the row and the start')),
    },
  } as unknown as Client;
  return createService({ db: stack.db, temporal, taskQueue, groupWrites });
}

async function runsOf(workflowId: string) {
  const runs = [];
  for await (const w of stack.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w);
  return runs;
}

const welcomesOf = (enrollmentId: string) =>
  stack.catcher
    .messages()
    .filter((m) => (m.headers['x-conciliaflow-key'] ?? '').startsWith(`${enrollmentId}:welcome:`));

/** A reconciler that sees every row as past the grace period (a minute later than now). */
const later = () =>
  createReconciler({
    db: stack.db,
    service: stack.service,
    logger,
    graceMs: 10_000,
    now: () => new Date(Date.now() + 60_000),
  });

test.each([
  ['the grouped fast path', true],
  ['the one-by-one path', false],
])('a row written by %s with no workflow gets its pathway started, and one welcome email each', async (_, grouped) => {
  const req = enrollRequest();
  await expect(crashingService(grouped).enroll(req)).rejects.toThrow(/killed between/);
  const row = await stack.db.enrollment.findFirstOrThrow({ where: { company: { vatNumber: req.company.vatNumber } } });
  expect(await startedAt(row.id)).toBeNull();
  expect(await runsOf(row.workflowId)).toHaveLength(0);

  // Within the grace period the row belongs to its request: left alone.
  const now = await createReconciler({ db: stack.db, service: stack.service, logger, graceMs: 10_000 }).reconcileOnce();
  expect(now.started).not.toContain(row.id);
  expect(await startedAt(row.id)).toBeNull();

  const outcome = await later().reconcileOnce();
  expect(outcome.started).toContain(row.id);
  expect(outcome.failed).toEqual([]);
  expect(await startedAt(row.id)).not.toBeNull();
  const description = await stack.temporal.workflow.getHandle(row.workflowId).describe();
  expect(description.status.name).toBe('RUNNING');
  expect(description.type).toBe('pathwayWorkflow');
  // The input the request would have built, from the stored rows.
  const state = await stack.service.getEnrollment(row.id);
  expect(state.pathway?.currentStep).toBe('intake');

  await until('the welcome emails', () => welcomesOf(row.id).length >= req.participants.length, 30_000);
  // A second pass and a second reconciler (another API process) change nothing.
  expect((await later().reconcileOnce()).started).not.toContain(row.id);
  await unmark(row.id);
  expect((await later().reconcileOnce()).running).toContain(row.id);
  await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
  expect(
    welcomesOf(row.id)
      .map((m) => m.to[0])
      .sort(),
  ).toEqual(req.participants.map((p) => p.email).sort());
  expect(await runsOf(row.workflowId)).toHaveLength(1);
});

test('a row whose workflow exists is marked, and nothing is started twice', async () => {
  const req = enrollRequest();
  const { enrollment } = await stack.service.enroll(req);
  // A new enrollment's mark follows its answer (client/service.ts, markStartedLater).
  await stack.service.flushStartMarks();
  expect(await startedAt(enrollment.id)).not.toBeNull();
  await unmark(enrollment.id);
  // Two processes' reconcilers at once.
  const [a, b] = await Promise.all([later().reconcileOnce(), later().reconcileOnce()]);
  expect([...a.running, ...b.running]).toContain(enrollment.id);
  expect([...a.started, ...b.started]).not.toContain(enrollment.id);
  expect(await startedAt(enrollment.id)).not.toBeNull();
  await until('the welcome emails', () => welcomesOf(enrollment.id).length >= req.participants.length, 30_000);
  await new Promise((r) => setTimeout(r, 1500));
  expect(welcomesOf(enrollment.id)).toHaveLength(req.participants.length);
  expect(await runsOf(enrollment.workflowId)).toHaveLength(1);
});

test('a pathway that has closed is not started again', async () => {
  const req = enrollRequest();
  const { enrollment } = await stack.service.enroll(req);
  await stack.service.withdraw(enrollment.id, {
    reason: 'Cessata attività',
    actor: { role: 'consultant', id: req.consultant.email },
  });
  expect((await closedResult({ connection: stack.connection }, enrollment.workflowId)).status).toBe('withdrawn');
  await until(
    'the withdrawn status',
    async () => (await stack.db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).status === 'withdrawn',
  );

  // Its status says it ended: marked without a start.
  await unmark(enrollment.id);
  expect((await later().reconcileOnce()).closed).toContain(enrollment.id);
  expect(await startedAt(enrollment.id)).not.toBeNull();

  // Even with the row still saying active, Temporal refuses a second run of a closed workflow id.
  await unmark(enrollment.id);
  await stack.db.enrollment.update({ where: { id: enrollment.id }, data: { status: 'active' } });
  const outcome = await later().reconcileOnce();
  expect(outcome.running).toContain(enrollment.id);
  expect(outcome.started).not.toContain(enrollment.id);
  const runs = await runsOf(enrollment.workflowId);
  expect(runs).toHaveLength(1);
  expect(runs[0]!.status.name).toBe('COMPLETED');
  await new Promise((r) => setTimeout(r, 1000));
  expect(welcomesOf(enrollment.id)).toHaveLength(req.participants.length);
});
