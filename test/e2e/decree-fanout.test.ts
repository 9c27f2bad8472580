/**
 * The decree fan-out on real servers: a Temporal dev server, worker processes as deployed, SQLite,
 * SMTP on loopback. The worker is killed with SIGKILL halfway through the fan-out and another one
 * started: every open pathway learns the new end, and each person gets exactly one email about it.
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { startDecreeFanOut } from '../../client/decree-fanout';
import { createService } from '../../client/service';
import { mailKeys } from '../../domain/pathway-keys';
import type { DevServer } from '../../scripts/dev-server';
import { decreeProgressQuery, getStateQuery, type DecreeFanOutInput } from '../../workflows/messages';
import type { programmeDecreeWorkflow } from '../../workflows/programme-decree';
import {
  closedResult,
  enrollRequest,
  until,
  startProcessStack,
  stopProcessStack,
  spawnWorkerProcess,
} from '../support/fixtures';

const N = 40;
const taskQueue = 'decree-fanout';
const decree = 'DGR XI/1017 del 17/12/2018';
let server: DevServer;
let db: Db;
let url: string;
let catcher: MailCatcher;
let connection: Connection;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ({ server, db, url, catcher } = await startProcessStack());
  connection = await Connection.connect({ address: server.address });
}, 60_000);
afterAll(() => stopProcessStack(children, { connection, catcher, db, server }));

const startWorkerProcess = () =>
  spawnWorkerProcess(children, { server, url, catcher, taskQueue, env: { SMTP_MAX_CONNECTIONS: '5' } });

const applied = () => db.milestone.count({ where: { type: 'programme_end_changed' } });

test('a fan-out killed halfway resumes: every open pathway gets the new end, and one email per person', async () => {
  const temporal = new Client({ connection });
  const service = createService({ db, temporal, taskQueue });
  const requests = Array.from({ length: N }, () => enrollRequest());
  const enrollments = [];
  for (const r of requests) enrollments.push((await service.enroll(r)).enrollment);
  const first = startWorkerProcess();
  // Every pathway running (its welcome recorded) before the decree.
  await until('every pathway enrolled', async () => (await db.milestone.count({ where: { type: 'enrolled' } })) === N);

  const input: DecreeFanOutInput = {
    taskQueue,
    programmeCode: requests[0]!.programme!,
    decreeId: 'dec-1',
    decree,
    previousEndsOn: '2027-12-15',
    newEndsOn: '2028-03-31',
    forced: false,
  };
  // Small pages told one at a time, so the kill lands in the middle; a lost worker is noticed in 3 s.
  const handle = await temporal.workflow.start<typeof programmeDecreeWorkflow>('programmeDecreeWorkflow', {
    taskQueue,
    workflowId: `decree-${input.decreeId}`,
    args: [{ ...input, pageSize: 5, concurrency: 1, pagesPerRun: 3, heartbeatTimeoutMs: 3000 }],
  });
  const { workflowId } = handle;
  // The service's start is the same workflow id: starting the same decree again answers that run
  // and starts nothing new (so a route repeated after a failed start is safe).
  const firstRun = (await handle.describe()).runId;
  expect(await startDecreeFanOut(temporal, input)).toEqual({ workflowId });
  expect((await temporal.workflow.getHandle(workflowId).describe()).runId).toBe(firstRun);
  await until('a few pathways told', async () => (await applied()) >= 5, 60_000);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = await applied();
  expect(atKill).toBeLessThan(N);

  startWorkerProcess();
  const result = await closedResult<Awaited<ReturnType<typeof programmeDecreeWorkflow>>>(
    { connection },
    workflowId,
    240_000,
  );
  expect(result).toMatchObject({ total: N, done: N, failed: 0, refused: 0, phase: 'finished', unreached: [] });
  expect(await handle.query(decreeProgressQuery)).toMatchObject({ done: N, failed: 0 });

  for (const e of enrollments) {
    const state = await temporal.workflow.getHandle(e.workflowId).query(getStateQuery);
    expect(state.programmeEndsOn).toBe('2028-03-31');
    expect(state.decrees!.map((d) => d.decree)).toEqual([decree]);
  }
  expect(await applied()).toBe(N);
  // One outbox row per person and pathway under the decree's key, each sent once.
  await until(
    'every email of the decree sent',
    async () =>
      (await db.outboxMessage.count({ where: { template: 'programme-end-changed', status: 'sent' } })) === 3 * N,
    120_000,
  );
  const rows = await db.outboxMessage.findMany({ where: { template: 'programme-end-changed' } });
  expect(rows).toHaveLength(3 * N);
  for (const e of enrollments) {
    const mine = rows.filter((r) => r.enrollmentId === e.id);
    expect(mine).toHaveLength(3);
    expect(mine.every((r) => r.idempotencyKey.startsWith(`${mailKeys.programmeEndChanged(e.id, decree)}:`))).toBe(true);
  }
  await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up
  for (const r of requests) {
    for (const p of r.participants) {
      const got = catcher.messages().filter((m) => m.to.includes(p.email) && m.text.includes(decree));
      expect(new Set(got.map((m) => m.messageId)).size).toBe(1);
    }
  }
}, 420_000);
