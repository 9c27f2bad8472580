/**
 * Past one machine: the end-to-end pathway on a full Temporal server (go.temporal.io/server) that
 * persists to PostgreSQL, with TWO worker processes (worker/main.ts, as deployed) polling one task
 * queue. Checks that the work is spread over both (the worker identity the server records in every
 * workflow and activity task), that nothing is sent twice (one message per outbox row, unique
 * Message-IDs), and that the pathways finish on the survivor when one worker is killed (SIGKILL).
 *
 * Run with `npm run test:cluster` (builds the server once; PostgreSQL from TEMPORAL_PG_*). Not part
 * of `npm test`: jest.config.js ignores test/cluster/.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { tuneSqlite, type Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { buildApi } from '../../client/api/server';
import { documentStoreFromEnv } from '../../infra/document-store';
import { createApiToken, createUser } from '../../client/auth/users';
import { createService } from '../../client/service';
import { congedoFlessibilita } from '../../domain/catalogue';
import { DOCUMENT_EVIDENCE_KINDS } from '../../client/documents/documents';
import { samplePdf } from '../support/sample-documents';
import { pgTargetFromEnv, startTemporalPostgres, type TemporalPgServer } from '../../scripts/temporal-pg';
import {
  createTestDb,
  enrollRequest,
  logger,
  MAIL_FROM,
  PREFERENCES_SECRET,
  PUBLIC_URL,
  startSmtp,
  type TestEnrollRequest,
  spawnProgram,
} from '../support/fixtures';

const repo = path.resolve(__dirname, '../..');
// A queue of its own per run: nothing a previous run left on the server reaches these workers.
const taskQueue = `cluster-${Date.now().toString(36)}`;
const steps = congedoFlessibilita.steps;
/** Welcome, one per step, completion: for each of the two participants of every enrollment. */
const MAILS_PER_ENROLLMENT = 2 * (1 + steps.length + 1);

interface WorkerProc {
  name: string;
  child: ChildProcess;
  identity: string;
  logFile: string;
  exited: Promise<number | null>;
}

let server: TemporalPgServer;
let db: Db;
let dbUrl: string;
let catcher: MailCatcher;
let connection: Connection;
let temporalClient: Client;
let api: Awaited<ReturnType<typeof buildApi>>;
let base: string;
let token: string;
let logDir: string;
const workers: WorkerProc[] = [];
const started: string[] = [];
const timings: Record<string, number> = {};

/** A worker process as deployed (worker/main.ts), configured through the environment. */
function spawnWorker(name: string): WorkerProc {
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  // spawnProgram runs node itself: the pid is the worker's, and so is the default identity the SDK
  // reports to the server, `${pid}@${hostname}`.
  const child = spawnProgram(path.join(repo, 'worker', 'main.ts'), {
    cwd: repo,
    stdio: ['ignore', out, out],
    env: {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: dbUrl,
      SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
      PUBLIC_URL,
      MAIL_FROM,
      PREFERENCES_SECRET,
      LOG_LEVEL: 'info',
    },
  });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, identity: `${child.pid}@${os.hostname()}`, logFile, exited };
}

/** Both kinds of pollers of these identities are on the task queue (workflow and activity). */
async function waitForPollers(identities: string[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = new Set<string>();
    for (const taskQueueType of [1, 2]) {
      const r = await connection.workflowService.describeTaskQueue({
        namespace: server.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType,
      });
      for (const p of r.pollers ?? []) if (p.identity) seen.add(`${taskQueueType}:${p.identity}`);
    }
    if (identities.every((id) => seen.has(`1:${id}`) && seen.has(`2:${id}`))) return;
    for (const w of workers) {
      if (w.child.exitCode !== null && identities.includes(w.identity)) {
        throw new Error(`${w.name} exited with ${w.child.exitCode}:\n${tail(w.logFile)}`);
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`workers not polling ${taskQueue} after ${timeoutMs} ms; seen ${[...seen].join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '';
  }
}

beforeAll(async () => {
  const t0 = Date.now();
  // Databases of the test's own, dropped and made anew: a clean server, whatever else uses PostgreSQL.
  const pg = pgTargetFromEnv();
  const database = process.env.TEMPORAL_PG_TEST_DATABASE ?? 'conciliaflow_cluster_test';
  server = await startTemporalPostgres({
    pg: { ...pg, database, visibilityDatabase: `${database}_visibility` },
    reset: true,
    quiet: true,
  });
  timings.serverStartMs = Date.now() - t0;
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-cluster-'));
  // Migrated like every test database, and tuned as the service does: three processes write it
  // (this API and two workers), each queueing behind the others' writes (infra/sqlite-client.ts).
  const fresh = createTestDb();
  dbUrl = fresh.url;
  db = fresh.db;
  await tuneSqlite(db, dbUrl);
  const dir = fresh.dir;
  catcher = await startSmtp(path.join(dir, 'mail'));
  connection = await Connection.connect({ address: server.address });
  temporalClient = new Client({ connection, namespace: server.namespace });
  const service = createService({ db, temporal: temporalClient, taskQueue });
  api = await buildApi({
    service,
    db,
    temporal: temporalClient,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
    // Uploaded evidence goes to a folder of this run, not the repository's var/.
    documents: documentStoreFromEnv({}, fs.mkdtempSync(path.join(os.tmpdir(), 'cf-cluster-docs-'))),
  });
  base = await api.listen({ port: 0, host: '127.0.0.1' });
  const system = { id: 'test', role: 'system' };
  const giulia = await createUser(
    db,
    { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' },
    system,
  );
  token = (await createApiToken(db, giulia.id, 'cluster test', system)).token;

  const t1 = Date.now();
  workers.push(spawnWorker('worker-a'), spawnWorker('worker-b'));
  await waitForPollers(workers.map((w) => w.identity));
  timings.workersReadyMs = Date.now() - t1;
}, 600_000);

afterAll(async () => {
  // Pathways a failed test left open would keep timers on the server: end them.
  if (temporalClient) {
    for (const id of started) {
      await temporalClient.workflow
        .getHandle(id)
        .terminate('cluster test finished')
        .catch(() => undefined);
    }
  }
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  }
  await Promise.all(workers.map((w) => w.exited));
  await api?.close();
  await connection?.close();
  await catcher?.stop();
  await db?.$disconnect();
  await server?.stop();
  process.stderr.write(`[cluster] timings ${JSON.stringify(timings)}; worker logs in ${logDir}\n`);
}, 120_000);

async function http(method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
  return { status: res.status, body: (await res.json()) as any };
}

const consultant = { role: 'consultant' as const, id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };

async function enroll(n: number): Promise<{ id: string; workflowId: string; req: TestEnrollRequest }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const req = enrollRequest();
    const r = await http('POST', '/enrollments', req);
    expect(r.status).toBe(201);
    started.push(r.body.workflowId);
    out.push({ id: r.body.id as string, workflowId: r.body.workflowId as string, req });
  }
  return out;
}

async function completeStep(id: string, index: number): Promise<void> {
  const step = steps[index]!;
  // A step whose evidence is a document is completed only once one is uploaded on it.
  if (step.evidence && DOCUMENT_EVIDENCE_KINDS.has(step.evidence.kind)) {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(samplePdf(step.key))], { type: 'application/pdf' }), `${step.key}.pdf`);
    const up = await fetch(`${base}/enrollments/${id}/steps/${step.key}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(up.status).toBe(201);
  }
  const r = await http('POST', `/enrollments/${id}/steps/${step.key}/complete`, {
    actor: consultant,
    evidence: step.evidence ? `PROT-${step.key}-2026` : undefined,
  });
  expect([r.status, r.body.error?.code]).toEqual([200, undefined]);
}

function mailsFor(req: TestEnrollRequest) {
  return catcher.messages().filter((m) => req.participants.some((p) => m.to.includes(p.email)));
}

async function waitForMails(reqs: TestEnrollRequest[], perEnrollment: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (reqs.some((r) => mailsFor(r).length < perEnrollment)) {
    if (Date.now() > deadline) {
      const counts = reqs.map((r) => mailsFor(r).length);
      throw new Error(`expected ${perEnrollment} emails per enrollment, have ${counts.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Quiet: at least this many outbox rows per enrollment are sent, and none is waiting. */
async function waitForOutbox(list: { id: string }[], perEnrollment: number, timeoutMs = 30_000): Promise<void> {
  const where = { enrollmentId: { in: list.map((e) => e.id) } };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sent = await db.outboxMessage.count({ where: { ...where, status: 'sent' } });
    const waiting = await db.outboxMessage.count({ where: { ...where, status: { not: 'sent' } } });
    if (sent >= list.length * perEnrollment && waiting === 0) return;
    if (Date.now() > deadline) throw new Error(`outbox: ${sent} sent, ${waiting} waiting after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function emailsSentBy(w: WorkerProc): number {
  return (fs.readFileSync(w.logFile, 'utf8').match(/"msg":"email sent"/g) ?? []).length;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function historyOf(workflowId: string): Promise<HistoryEvent[]> {
  return (await temporalClient.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** The identities of the workers that ran a workflow's tasks, in order. */
async function workflowTaskWorkers(workflowId: string): Promise<string[]> {
  return (await historyOf(workflowId)).flatMap((e) => e.workflowTaskStartedEventAttributes?.identity ?? []);
}

/** Who ran what, as the server recorded it: workflow tasks and activity tasks per worker identity. */
function tasksByIdentity(events: HistoryEvent[]): Map<string, { workflowTasks: number; activities: number }> {
  const by = new Map<string, { workflowTasks: number; activities: number }>();
  const entry = (id: string) => by.get(id) ?? by.set(id, { workflowTasks: 0, activities: 0 }).get(id)!;
  for (const e of events) {
    const wt = e.workflowTaskStartedEventAttributes?.identity;
    if (wt) entry(wt).workflowTasks++;
    const at = e.activityTaskStartedEventAttributes?.identity;
    if (at) entry(at).activities++;
  }
  return by;
}

/**
 * Nothing lost, nothing sent twice: every outbox row of these enrollments (participants' and the
 * consultant's) sent once at the first attempt, and caught exactly once by its Message-ID.
 */
async function expectSentOnce(list: { id: string; req: TestEnrollRequest }[]): Promise<number> {
  // The rows are marked sent just after SMTP accepted them: wait for the last ones.
  await waitForOutbox(list, MAILS_PER_ENROLLMENT);
  const where = { enrollmentId: { in: list.map((e) => e.id) } };
  const rows = await db.outboxMessage.findMany({ where });
  expect(rows.filter((o) => o.status !== 'sent' || o.attempts !== 1)).toEqual([]);
  for (const { req } of list) expect(mailsFor(req)).toHaveLength(MAILS_PER_ENROLLMENT);
  const ids = new Set(rows.map((o) => o.messageId));
  expect(ids.size).toBe(rows.length);
  const caught = catcher.messages().filter((m) => ids.has(m.messageId));
  expect(caught.map((m) => m.messageId).sort()).toEqual([...ids].sort());
  const all = catcher.messages().map((m) => m.messageId);
  expect(new Set(all).size).toBe(all.length);
  return rows.length;
}

test('pathways end to end on Temporal with PostgreSQL persistence, spread over two worker processes', async () => {
  const t0 = Date.now();
  expect((await http('GET', '/health')).body).toMatchObject({ status: 'ok', temporal: { ok: true } });
  // A pathway's first workflow task goes to whichever worker polls first; then it sticks to that
  // worker (and, with eager activity execution, so do most of its activities). Enroll until both
  // workers hold pathways: six at least, sixteen at most.
  const list: Awaited<ReturnType<typeof enroll>> = [];
  const holders = new Set<string>();
  while (list.length < 6 || (holders.size < 2 && list.length < 16)) {
    const [e] = await enroll(1);
    list.push(e!);
    await waitForMails([e!.req], 2);
    holders.add((await workflowTaskWorkers(e!.workflowId))[0]!);
  }
  const owner = list[0]!.req.participants[0]!;
  const welcome = catcher.messages().find((m) => m.to.includes(owner.email))!;
  expect(welcome.subject).toMatch(/benvenut/i);
  // A participant's copy carries their personal link (enrollment.participant.signature).
  expect(welcome.text).toContain(`http://conciliaflow.test/p/${list[0]!.id}.`);

  // Steps in rounds over every pathway: updates and email activities from all of them at once.
  for (let i = 0; i < steps.length; i++) {
    await Promise.all(list.map((e) => completeStep(e.id, i)));
  }
  for (const e of list) {
    const result = await temporalClient.workflow.getHandle(e.workflowId).result();
    expect(result.status).toBe('completed');
    const view = await http('GET', `/enrollments/${e.id}`);
    expect(view.body.status).toBe('completed');
    expect(view.body.milestones.map((m: { type: string }) => m.type)).toEqual([
      'enrolled',
      ...steps.map(() => 'step_completed'),
      'completed',
    ]);
  }
  await waitForMails(
    list.map((e) => e.req),
    MAILS_PER_ENROLLMENT,
  );
  timings.pathways = list.length;
  timings.pathwaysMs = Date.now() - t0;

  // The server's own record of who ran what: both workers took tasks.
  const totals = new Map<string, { workflowTasks: number; activities: number }>();
  for (const e of list) {
    for (const [id, n] of tasksByIdentity(await historyOf(e.workflowId))) {
      const t = totals.get(id) ?? { workflowTasks: 0, activities: 0 };
      totals.set(id, { workflowTasks: t.workflowTasks + n.workflowTasks, activities: t.activities + n.activities });
    }
  }
  const [a, b] = workers;
  expect([...totals.keys()].sort()).toEqual([a!.identity, b!.identity].sort());
  expect(totals.get(a!.identity)!.activities).toBeGreaterThan(0);
  expect(totals.get(b!.identity)!.activities).toBeGreaterThan(0);
  const sent = await expectSentOnce(list);
  // And their own logs agree: each process sent some of the emails, and together all of them.
  const sentBy = workers.map(emailsSentBy);
  expect(sentBy.every((n) => n > 0)).toBe(true);
  expect(sentBy.reduce((x, y) => x + y, 0)).toBe(sent);
  process.stderr.write(
    `[cluster] tasks by worker ${JSON.stringify(Object.fromEntries(totals))}; emails sent by worker ${sentBy.join('/')}\n`,
  );

  const runs = await connection.workflowService.listWorkflowExecutions({
    namespace: server.namespace,
    query: `WorkflowId = "${list[0]!.workflowId}"`,
  });
  expect(runs.executions).toHaveLength(1);
});

test('a worker killed mid-pathway (SIGKILL): the other finishes its pathways, nothing lost or sent twice', async () => {
  const t0 = Date.now();
  const list = await enroll(4);
  await Promise.all(list.map((e) => completeStep(e.id, 0)));
  // Welcome + first step for both participants: all sent and recorded before the kill (the only
  // window where a crash can double-send is between SMTP's 250 and the outbox update).
  await waitForMails(
    list.map((e) => e.req),
    2 * 2,
  );
  await waitForOutbox(list, 2 * 2);

  // The worker that last ran a workflow task of some pathway holds it in its cache and on its
  // sticky queue: kill that one, without letting it say goodbye to the server.
  const owners = await Promise.all(list.map(async (e) => (await workflowTaskWorkers(e.workflowId)).at(-1)!));
  const counts = workers.map((w) => owners.filter((o) => o === w.identity).length);
  const victim = workers[counts[0]! >= counts[1]! ? 0 : 1]!;
  const survivor = workers.find((w) => w !== victim)!;
  const orphaned = list.filter((_, i) => owners[i] === victim.identity);
  expect(orphaned.length).toBeGreaterThan(0);
  victim.child.kill('SIGKILL');
  await victim.exited;
  const eventsBefore = new Map(
    await Promise.all(orphaned.map(async (e) => [e.workflowId, (await historyOf(e.workflowId)).length] as const)),
  );

  const rounds: number[] = [];
  for (let i = 1; i < steps.length; i++) {
    const roundStart = Date.now();
    await Promise.all(list.map((e) => completeStep(e.id, i)));
    rounds.push(Date.now() - roundStart);
  }
  timings.firstRoundAfterKillMs = rounds[0]!;
  timings.laterRoundsMs = Math.max(...rounds.slice(1));
  for (const e of list) {
    expect((await temporalClient.workflow.getHandle(e.workflowId).result()).status).toBe('completed');
  }
  await waitForMails(
    list.map((e) => e.req),
    MAILS_PER_ENROLLMENT,
  );
  timings.killRunMs = Date.now() - t0;

  // The orphaned pathways went on on the survivor: everything after the kill ran there.
  for (const e of orphaned) {
    const after = (await historyOf(e.workflowId)).slice(eventsBefore.get(e.workflowId)!);
    const by = tasksByIdentity(after);
    expect([...by.keys()]).toEqual([survivor.identity]);
    expect(by.get(survivor.identity)!.workflowTasks).toBeGreaterThan(0);
  }
  await expectSentOnce(list);
  process.stderr.write(
    `[cluster] killed ${victim.name} holding ${orphaned.length}/${list.length} pathways; ` +
      `first step round after the kill took ${timings.firstRoundAfterKillMs} ms, later ones at most ${timings.laterRoundsMs} ms\n`,
  );
});
