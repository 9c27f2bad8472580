/**
 * Real dependencies for tests: a fresh database (SQLite, or PostgreSQL with TEST_DATABASE_URL)
 * with migrations applied, a real SMTP server on loopback (the mail catcher), a worker on the
 * shared workflow bundle.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createService } from '../../client/service';
import { buildApi } from '../../client/api/server';
import type { DocumentStore } from '../../infra/document-store';
import { createApiToken, createUser } from '../../client/auth/users';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import pino from 'pino';
import type { PathwayState } from '../../workflows/messages';
import { createDb, type Db } from '../../infra/db';
import { MailCatcher } from '../../mail/mail-catcher';
import { createMailActivities, type MailDeps } from '../../activities/outbox';
import { createTransport } from '../../mail/transport';
import type { NotifyInput } from '../../activities/types';
import { romeToEpochMs } from '../../domain/calendar';
import { migrate } from '../../infra/migrate';
import { createTestDatabaseUrl } from './test-databases';
import { createConfiguredDispatcher, createWorker, runWithDispatcher } from '../../worker/create-worker';
import { pinoTemporalLogger } from '../../worker/temporal-logger';
import type { EnrollRequest } from '../../client/schemas';

export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
// Once per test file (each runs in its own module registry): SDK logs go to the same quiet logger.
try {
  Runtime.install({ logger: pinoTemporalLogger(logger) });
} catch {
  // Already installed by another fixture import in this file.
}
export const PUBLIC_URL = 'http://conciliaflow.test';
export const PREFERENCES_SECRET = 'test-secret-for-opt-out-links-000000000000';
export const MAIL_FROM = 'Conciliazione vita-lavoro <noreply@conciliaflow.test>';

export { createTestDatabaseUrl };

/**
 * A fresh database per test file, migrations applied like in production: a SQLite file, or a
 * database of its own on the TEST_DATABASE_URL PostgreSQL server (test/support/test-databases.ts).
 */
export function createTestDb(): { db: Db; url: string; dir: string } {
  const { url, dir } = createTestDatabaseUrl();
  migrate(url);
  return { db: createDb(url), url, dir };
}

export async function startSmtp(dir?: string): Promise<MailCatcher> {
  return MailCatcher.start({ port: 0, dir });
}

export function transportFor(catcher: MailCatcher) {
  return createTransport({ url: `smtp://127.0.0.1:${catcher.port}`, maxConnections: 2, ratePerSecond: 100 });
}

/** The mail activities as a worker builds them, with the tests' sender, links and secret. */
export function testMailActivities(db: Db, transport: MailDeps['transport'], extra: Partial<MailDeps> = {}) {
  return createMailActivities({
    db,
    transport,
    from: MAIL_FROM,
    publicUrl: PUBLIC_URL,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
    ...extra,
  });
}

/**
 * A micro company with its owner and an enrollment row (no workflow behind it), for the tests that
 * call the outbox directly. Returns the enrollment's id.
 */
export async function seedEnrollment(
  db: Db,
  opts: { company: string; vatNumber: string; owner: { name: string; email: string }; key: string },
): Promise<string> {
  const company = await db.company.create({
    data: {
      name: opts.company,
      vatNumber: opts.vatNumber,
      province: 'MI',
      atsCode: 'ats-milano',
      sector: 'artigianato',
      staff: 3,
      size: 'micro',
    },
  });
  await db.participant.create({ data: { companyId: company.id, ...opts.owner, role: 'owner' } });
  const enrollment = await db.enrollment.create({
    data: {
      idempotencyKey: opts.key,
      requestHash: 'x',
      programmeCode: 'demo-2026-2027',
      kind: 'time-saving',
      catalogueVersion: 1,
      companyId: company.id,
      consultantEmail: 'giulia@consulenti.test',
      consultantName: 'Giulia Bianchi',
      workflowId: `pathway-${opts.key}`,
    },
  });
  return enrollment.id;
}

/**
 * The outbox on its own, as the mail tests use it: the test database, an SMTP server on loopback,
 * a pooled transport to it, the mail activities and a seeded enrollment.
 */
export async function startOutboxBed(seed: Parameters<typeof seedEnrollment>[1]) {
  const { db } = createTestDb();
  const catcher = await startSmtp();
  const transport = transportFor(catcher);
  const mail = testMailActivities(db, transport);
  const enrollmentId = await seedEnrollment(db, seed);
  return {
    db,
    catcher,
    transport,
    mail,
    enrollmentId,
    async stop() {
      transport.close();
      await catcher.stop();
      await db.$disconnect();
    },
  };
}

/**
 * A step reminder as a pathway sends it (the time-saving pathway's activation step, due Friday
 * 4 December 2026 at 18:00 in Rome, consultant Giulia Bianchi); `sendAt` stages it.
 */
export function reminderInput(opts: {
  key: string;
  to: { name: string; email: string };
  companyName: string;
  enrollmentId?: string;
  sendAt?: number;
}): NotifyInput<'step-reminder'> {
  return {
    key: opts.key,
    ...(opts.enrollmentId ? { enrollmentId: opts.enrollmentId } : {}),
    template: 'step-reminder',
    to: [{ ...opts.to, locale: 'it' }],
    context: {
      companyName: opts.companyName,
      pathwayName: { it: 'Time saving', en: 'Time saving' },
      consultantName: 'Giulia Bianchi',
      consultantEmail: 'giulia@consulenti.test',
      stepName: { it: 'Attivazione del servizio', en: 'Service activation' },
      dueAt: romeToEpochMs(2026, 12, 4, 18, 0),
      when: 'before',
    },
    ...(opts.sendAt !== undefined ? { sendAt: opts.sendAt } : {}),
  };
}

export function workflowBundle() {
  const codePath = process.env.CF_WORKFLOW_BUNDLE;
  if (!codePath)
    throw new Error('CF_WORKFLOW_BUNDLE is not set: run the tests through jest (globalSetup bundles the workflows).');
  return { codePath };
}

export async function testWorker(opts: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  db: Db;
  catcher: MailCatcher;
}) {
  const transport = transportFor(opts.catcher);
  const deps = {
    db: opts.db,
    transport,
    from: MAIL_FROM,
    publicUrl: PUBLIC_URL,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
  };
  const worker = await createWorker({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    deps,
    workflowBundle: workflowBundle(),
  });
  // As in the service: the dispatcher of staged emails runs beside the worker (polling faster).
  const dispatcher = createConfiguredDispatcher(deps, 100);
  return { worker, transport, dispatcher };
}

let counter = 0;
/**
 * A valid enrollment request, every call a different company: as parsed (enrollRequestSchema's
 * output, every default spelled out), so a test can hand it to the service as well as post it.
 */
export type TestEnrollRequest = EnrollRequest;

export function enrollRequest(overrides: Partial<TestEnrollRequest> = {}): TestEnrollRequest {
  counter++;
  const vat = String(10_000_000_000 + process.pid * 1000 + counter).slice(-11);
  return {
    programme: 'demo-2026-2027',
    kind: 'congedo-flessibilita',
    company: {
      name: `Tessitura Brianzola ${counter} S.r.l.`,
      vatNumber: vat,
      province: 'MB',
      city: 'monza',
      sector: 'industria',
      staff: 35,
      turnoverCents: 450_000_000,
      balanceSheetCents: 300_000_000,
      declaration: { declarantName: 'Marco Rossi', declarantRole: 'legal-representative' },
    },
    consultant: { name: 'Giulia Bianchi', email: 'giulia.bianchi@consulenti.test' },
    participants: [
      { name: 'Marco Rossi', email: `titolare${counter}@tessitura.test`, role: 'owner', locale: 'it' },
      { name: 'Anna Verdi', email: `hr${counter}@tessitura.test`, role: 'hr', locale: 'en' },
    ],
    ...overrides,
  };
}

/** An eligible request for each pathway kind: time saving needs a micro shop, self-employment a tax code. */
export function requestForKind(kind: string): TestEnrollRequest {
  const base = enrollRequest({ kind });
  if (kind === 'time-saving') {
    return {
      ...base,
      company: {
        ...base.company,
        sector: 'commercio',
        staff: 3,
        peopleEmployed: 3,
        turnoverCents: 25_000_000,
        balanceSheetCents: 15_000_000,
      },
    };
  }
  if (kind === 'autoimprenditorialita-femminile') {
    const { vatNumber, ...company } = base.company;
    const taxCode = `RSSMRA80A41F${vatNumber!.slice(-4)}`;
    return { ...base, company: { ...company, taxCode, sector: 'servizi', staff: 0, turnoverCents: 0 } };
  }
  return base;
}

/**
 * One worker for a whole test file, running in the background. (A worker per test, started and
 * stopped with runUntil, left the time-skipping server handing tasks to pollers that were gone.)
 */
export async function backgroundWorker(opts: Parameters<typeof testWorker>[0]) {
  const { worker, transport, dispatcher } = await testWorker(opts);
  const running = runWithDispatcher(worker, dispatcher);
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      transport.close();
    },
  };
}

/**
 * Waits, in real time, for a workflow to close and returns its result. On the time-skipping
 * server the testing client's `result()` unlocks the clock, which then leaps years ahead (to the
 * server's "infinite" timeouts) when nothing is pending; a plain client keeps the clock where the
 * test put it.
 */
export async function closedResult<T = PathwayState>(
  env: { connection: Connection; namespace?: string },
  workflowId: string,
  timeoutMs = 30_000,
): Promise<T> {
  const handle = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' }).workflow.getHandle(
    workflowId,
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return (await handle.result()) as T;
    if (Date.now() > deadline) throw new Error(`workflow ${workflowId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A time-skipping server, a fresh database, an SMTP server, a background worker and the service. */
export async function startTimeSkippingStack(taskQueue: string) {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.CF_TEST_SERVER! } },
  });
  const { db } = createTestDb();
  const catcher = await startSmtp();
  const worker = await backgroundWorker({ connection: env.nativeConnection, taskQueue, db, catcher });
  const service = createService({ db, temporal: env.client, taskQueue });
  return { env, db, catcher, worker, service };
}

export async function stopTimeSkippingStack(stack: Partial<Awaited<ReturnType<typeof startTimeSkippingStack>>>) {
  await stack.worker?.stop();
  await stack.catcher?.stop();
  await stack.db?.$disconnect();
  await stack.env?.teardown();
}

/**
 * Waits (in real time, up to 10 s) until no activity of the workflow is in flight, such as the email
 * an Update sends after answering. Call it before `env.sleep` or a termination: the Java test
 * server's time-skipping lock miscounts activities that are in flight across those calls (see
 * temporalio/sdk-java#1138 and #2670), and the sleep then waits in real time, for days.
 */
export async function atRest(env: TestWorkflowEnvironment, workflowId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 10_000;
  let calm = 0;
  // At rest twice in a row, 100 ms apart: a completed activity's workflow task has then run too.
  while (calm < 2 && Date.now() < deadline) {
    const busy = await handle
      .describe()
      .then(
        (d) =>
          d.status.name === 'RUNNING' && ((d.raw.pendingActivities?.length ?? 0) > 0 || !!d.raw.pendingWorkflowTask),
      )
      .catch(() => false);
    calm = busy ? 0 : calm + 1;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Terminates the pathways a test left open: their timers would otherwise keep firing on the
 * shared time-skipping server and move the clock under the next test. Each is terminated at rest.
 */
export async function terminateAll(env: TestWorkflowEnvironment, workflowIds: string[]): Promise<void> {
  for (const id of workflowIds.splice(0)) {
    await atRest(env, id);
    await env.client.workflow
      .getHandle(id)
      .terminate('test finished')
      .catch(() => undefined);
  }
}

/**
 * The real stack of the end-to-end tests: a Temporal dev server, a fresh database, an SMTP server on
 * loopback, a worker and the HTTP API listening on a free port.
 */
export async function startDevStack(taskQueue: string, opts: { showMail?: boolean; documents?: DocumentStore } = {}) {
  const server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port: await freePort() });
  const { db, url } = createTestDb();
  const catcher = await startSmtp();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const worker = await backgroundWorker({ connection: nativeConnection, taskQueue, db, catcher });
  const service = createService({ db, temporal, taskQueue });
  const api = await buildApi({
    service,
    db,
    temporal,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
    ...(opts.showMail ? { mailCatcher: catcher } : {}),
    ...(opts.documents ? { documents: opts.documents } : {}),
  });
  const base = await api.listen({ port: 0, host: '127.0.0.1' });
  return { server, db, url, catcher, nativeConnection, connection, temporal, worker, service, api, base };
}

export async function stopDevStack(stack: Partial<Awaited<ReturnType<typeof startDevStack>>>): Promise<void> {
  await stack.api?.close();
  await stack.worker?.stop();
  await stack.connection?.close();
  await stack.nativeConnection?.close();
  await stack.catcher?.stop();
  await stack.db?.$disconnect();
  await stack.server?.stop();
}

/** A user and an API token of theirs, made as the system would (audited as "test"). */
export async function userWithToken(
  db: Db,
  input: Parameters<typeof createUser>[1],
): Promise<{ user: Awaited<ReturnType<typeof createUser>>; token: string }> {
  const system = { id: 'test', role: 'system' };
  const user = await createUser(db, input, system);
  return { user, token: (await createApiToken(db, user.id, 'tests', system)).token };
}

/** Polls `check` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `${base}/health` until the API process there answers 200 (`until`'s timeout). */
export function untilHealthy(base: string, timeoutMs = 60_000): Promise<void> {
  return until(
    'the API process answering /health',
    () =>
      fetch(`${base}/health`)
        .then((r) => r.ok)
        .catch(() => false),
    timeoutMs,
  );
}

/**
 * A program of the service run as its own process, as deployed: `node --import tsx <file>` with
 * `env` on top of this process's environment. Not the tsx CLI: it runs the script in a grandchild,
 * which a signal to the CLI (a SIGKILL above all) would leave running.
 */
export function spawnProgram(
  file: string,
  opts: { env: Record<string, string>; stdio: StdioOptions; cwd?: string },
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, ...opts.env },
    stdio: opts.stdio,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

/** What a test of the service's own processes runs them against: Temporal, a database, an SMTP catcher. */
export interface ProcessStack {
  server: DevServer;
  db: Db;
  url: string;
  catcher: MailCatcher;
}

/** Starts the stack; what started is stopped again if a later part fails. */
export async function startProcessStack(): Promise<ProcessStack> {
  const server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port: await freePort() });
  let made: { db: Db; url: string } | undefined;
  try {
    made = createTestDb();
    const catcher = await startSmtp();
    return { server, db: made.db, url: made.url, catcher };
  } catch (err) {
    await made?.db.$disconnect();
    await server.stop();
    throw err;
  }
}

/** Kills the processes the test spawned, then closes what it opened (any part may be missing after a failed start). */
export async function stopProcessStack(
  children: readonly (ChildProcess | undefined)[],
  s: { connection?: Connection; catcher?: MailCatcher; db?: Db; server?: DevServer },
): Promise<void> {
  for (const c of children) if (c && c.exitCode === null) c.kill('SIGKILL');
  await s.connection?.close();
  await s.catcher?.stop();
  await s.db?.$disconnect();
  await s.server?.stop();
}

/** Starts worker/main.ts as its own process on the stack's servers (the prebuilt bundle, quiet logs). */
export function spawnWorkerProcess(
  children: ChildProcess[],
  opts: { server: DevServer; url: string; catcher: MailCatcher; taskQueue: string; env?: Record<string, string> },
): ChildProcess {
  const child = spawnProgram(path.resolve(__dirname, '../../worker/main.ts'), {
    env: {
      TEMPORAL_ADDRESS: opts.server.address,
      TEMPORAL_TASK_QUEUE: opts.taskQueue,
      DATABASE_URL: opts.url,
      SMTP_URL: `smtp://127.0.0.1:${opts.catcher.port}`,
      SMTP_MAX_CONNECTIONS: '3',
      PREFERENCES_SECRET,
      PUBLIC_URL: 'http://conciliaflow.test',
      WORKFLOW_BUNDLE: process.env.CF_WORKFLOW_BUNDLE!,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}
