/**
 * Faults, each on real servers: a worker process killed with SIGKILL while emails are in flight,
 * the Temporal dev server restarted mid-pathway, the SMTP server down for a while, the database
 * locked for a while, a flood of duplicate API requests, and the API process killed with SIGKILL
 * between enrollment rows and their workflow starts.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pg from 'pg';
import { directSqlOf, tuneSqlite, type Db } from '../../infra/db';
import { sql } from '../../infra/direct-sql';
import { dialectOf } from '../../infra/db-url';
import { MailCatcher } from '../../mail/mail-catcher';
import { buildApi } from '../../client/api/server';
import { createService } from '../../client/service';
import { congedoFlessibilita } from '../../domain/catalogue';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import {
  backgroundWorker,
  closedResult,
  createTestDb,
  enrollRequest,
  logger,
  PREFERENCES_SECRET,
  reminderInput,
  spawnProgram,
  startSmtp,
  stopDevStack,
  testMailActivities,
  transportFor,
  until,
  untilHealthy,
  userWithToken,
  startProcessStack,
  stopProcessStack,
  spawnWorkerProcess,
} from '../support/fixtures';

const consultant = { role: 'consultant' as const, id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };

/** Holds the database's write lock from another connection until the returned function is called. */
async function lockDatabase(url: string): Promise<() => Promise<void>> {
  if (dialectOf(url) === 'postgresql') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE "Milestone", "Enrollment", "OutboxMessage" IN EXCLUSIVE MODE');
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  }
  const locker = createClient({ url });
  const tx = await locker.transaction('write');
  await tx.execute("UPDATE Enrollment SET status = status WHERE id = 'none'");
  return async () => {
    await tx.rollback(); // the locker changed nothing
    locker.close();
  };
}

describe('a worker process killed with SIGKILL while sending', () => {
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

  const startWorkerProcess = () => spawnWorkerProcess(children, { server, url, catcher, taskQueue: 'sigkill' });

  it('loses no message and sends none twice', async () => {
    const temporal = new Client({ connection });
    const service = createService({ db, temporal, taskQueue: 'sigkill' });
    // A slow relay: every message spends 400 ms waiting for its RCPT answer, so the kill lands mid-transaction.
    catcher.setRcptDelay(400);
    const requests = Array.from({ length: 10 }, () => enrollRequest());
    const expected = requests.flatMap((r) => r.participants.map((p) => p.email));
    for (const r of requests) await service.enroll(r);

    const first = startWorkerProcess();
    await until('a few welcome emails', () => catcher.messages().length >= 4);
    // Kill while transactions wait in RCPT, and not in the instant between an SMTP "250" and the
    // outbox update (the documented gap where a resend with the same Message-ID is possible): the
    // relay stops answering, so once the delayed answers are in no message can be accepted.
    catcher.holdRcpt();
    await until(
      'a transaction in flight',
      () => catcher.activity().waitingRcpt > 0 && Date.now() - catcher.activity().lastAcceptedAt > 150,
    );
    const deliveredBeforeKill = catcher.messages().length;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(deliveredBeforeKill).toBeLessThan(expected.length);

    catcher.setRcptDelay(0);
    catcher.releaseRcpt();
    startWorkerProcess();
    // The killed worker's activities are retried once their 1-minute start-to-close timeout expires.
    await until('every welcome email', () => catcher.messages().length >= expected.length, 150_000);
    await new Promise((r) => setTimeout(r, 2000)); // room for a duplicate to show up
    const received = catcher.messages().flatMap((m) => m.to);
    expect([...received].sort()).toEqual([...expected].sort());
    const ids = catcher.messages().map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const rows = await db.outboxMessage.findMany({ where: { template: 'enrollment-welcome' } });
    expect(rows).toHaveLength(expected.length);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(await db.milestone.count({ where: { type: 'enrolled' } })).toBe(requests.length);
  }, 200_000);
});

describe('a worker process killed with SIGKILL while its dispatcher sends staged reminders', () => {
  let server: DevServer;
  let db: Db;
  let url: string;
  let catcher: MailCatcher;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    ({ server, db, url, catcher } = await startProcessStack());
  }, 60_000);
  afterAll(() => stopProcessStack(children, { catcher, db, server }));

  const startWorkerProcess = () =>
    spawnWorkerProcess(children, {
      server,
      url,
      catcher,
      taskQueue: 'sigkill-dispatch',
      env: { DISPATCH_POLL_MS: '100', DISPATCH_LEASE_SECONDS: '3' },
    });

  it('loses no reminder and sends none twice: the claims of the killed worker are taken back', async () => {
    // 24 reminders staged as pathways stage them, all due now.
    const transport = transportFor(catcher);
    const mail = testMailActivities(db, transport);
    const expected = Array.from({ length: 24 }, (_, i) => `r${i}@tessitura.test`);
    for (const [i, email] of expected.entries()) {
      await mail.notify(
        reminderInput({
          key: `kill-reminder-${i}`,
          to: { name: `Persona ${i}`, email },
          companyName: 'Tessitura Brianzola S.r.l.',
          sendAt: Date.now(),
        }),
      );
    }
    transport.close();
    catcher.setRcptDelay(400);
    const first = startWorkerProcess();
    await until('a few reminders', () => catcher.messages().length >= 4, 90_000);
    // Kill while transactions wait in RCPT, not in the instant between an SMTP "250" and its record.
    catcher.holdRcpt();
    await until(
      'a transaction in flight',
      () => catcher.activity().waitingRcpt > 0 && Date.now() - catcher.activity().lastAcceptedAt > 150,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const deliveredBeforeKill = catcher.messages().length;
    expect(deliveredBeforeKill).toBeLessThan(expected.length);
    expect(await db.outboxMessage.count({ where: { status: 'sending' } })).toBeGreaterThan(0);

    catcher.setRcptDelay(0);
    catcher.releaseRcpt();
    startWorkerProcess();
    await until('every reminder', () => catcher.messages().length >= expected.length, 90_000);
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
    expect(
      catcher
        .messages()
        .flatMap((m) => m.to)
        .sort(),
    ).toEqual([...expected].sort());
    const ids = catcher.messages().map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const rows = await db.outboxMessage.findMany({ where: { template: 'step-reminder' } });
    expect(rows.map((r) => r.status)).toEqual(expected.map(() => 'sent'));
  }, 200_000);
});

describe('servers and database failing for a while, with an in-process worker', () => {
  let server: DevServer;
  let port: number;
  let dbFile: string;
  let db: Db;
  let url: string;
  let catcher: MailCatcher;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let temporal: Client;
  let worker: Awaited<ReturnType<typeof backgroundWorker>>;
  let service: ReturnType<typeof createService>;
  const taskQueue = 'faults';

  beforeAll(async () => {
    port = await freePort();
    let dir: string;
    ({ db, url, dir } = createTestDb());
    await tuneSqlite(db, url); // as the service runs it: WAL, busy timeout
    // The dev server's own file, in the test's temporary directory (on PostgreSQL too).
    dbFile = path.join(dir, 'temporal.db');
    server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port, dbFile });
    catcher = await startSmtp();
    nativeConnection = await NativeConnection.connect({ address: server.address });
    connection = await Connection.connect({ address: server.address });
    temporal = new Client({ connection });
    worker = await backgroundWorker({ connection: nativeConnection, taskQueue, db, catcher });
    service = createService({ db, temporal, taskQueue });
  }, 60_000);
  afterAll(() => stopDevStack({ worker, connection, nativeConnection, catcher, db, server }));

  it('the Temporal dev server restarted mid-pathway: state persisted, the pathway resumes', async () => {
    const { enrollment } = await service.enroll(enrollRequest());
    await service.completeStep(enrollment.id, { stepKey: 'intake', actor: consultant });
    await server.stop();
    server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port, dbFile });
    // The same clients reconnect on their own.
    for (const step of congedoFlessibilita.steps.slice(1)) {
      await until(
        `step ${step.key} accepted`,
        () =>
          service
            .completeStep(enrollment.id, { stepKey: step.key, actor: consultant, evidence: `DOC-${step.key}` })
            .then(() => true)
            .catch((err: Error) => {
              if (/step_already_completed/.test(String((err as { code?: string }).code))) return true;
              if (/UNAVAILABLE|connect|ECONNREFUSED|deadline/i.test(err.message)) return false;
              throw err;
            }),
        30_000,
      );
    }
    const result = await closedResult({ connection }, enrollment.workflowId);
    expect(result.status).toBe('completed');
    const kinds = (await db.milestone.findMany({ where: { enrollmentId: enrollment.id } })).map((m) => m.type);
    expect(kinds.filter((k) => k === 'step_completed')).toHaveLength(congedoFlessibilita.steps.length);
  }, 120_000);

  it('SMTP down for a while: messages wait, then go exactly once; Updates answer meanwhile', async () => {
    const smtpPort = catcher.port;
    await catcher.stop();
    const req = enrollRequest();
    const { enrollment } = await service.enroll(req);
    await until(
      'a refused attempt',
      async () => (await db.outboxMessage.count({ where: { enrollmentId: enrollment.id, attempts: { gt: 0 } } })) > 0,
      30_000,
    );
    // The consultant completes a step while SMTP is still down: the answer does not wait for the
    // step-completed emails (they would otherwise hold the request until SMTP returns).
    const view = await Promise.race([
      service.completeStep(enrollment.id, { stepKey: 'intake', actor: consultant }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the Update waited for SMTP: still no answer after 20 s')), 20_000),
      ),
    ]);
    expect(view.pathway!.steps[0]!.status).toBe('done');
    // Answered while nothing could be sent: every email of the enrollment is still waiting.
    expect(await db.outboxMessage.count({ where: { enrollmentId: enrollment.id, status: 'sent' } })).toBe(0);
    catcher = await MailCatcher.start({ port: smtpPort });
    // The worker's transport points at the same port; the next retries deliver.
    // This enrollment's messages only (a pathway of an earlier test may still send its own).
    const caughtHere = () =>
      catcher
        .messages()
        .map((m) => ({ to: m.to[0], key: m.headers['x-conciliaflow-key'] ?? '' }))
        .filter((m) => m.key.startsWith(`${enrollment.id}:`));
    await until('welcome and step-completed emails', () => caughtHere().length >= 4, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const emails = req.participants.map((p) => p.email).sort();
    const caught = caughtHere();
    expect(
      caught
        .filter((m) => m.key.includes(':welcome:'))
        .map((m) => m.to)
        .sort(),
    ).toEqual(emails);
    expect(
      caught
        .filter((m) => m.key.includes(':step-completed:intake:'))
        .map((m) => m.to)
        .sort(),
    ).toEqual(emails);
    const rows = await db.outboxMessage.findMany({ where: { enrollmentId: enrollment.id } });
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    // The first recipient's message was refused at least once, then sent on a retry.
    expect(Math.max(...rows.map((r) => r.attempts))).toBeGreaterThanOrEqual(2);
    expect(caught).toHaveLength(4);
  }, 120_000);

  it('the database locked for a while: activities retry, nothing is half-written', async () => {
    catcher.clear();
    await worker.stop();
    const req = enrollRequest();
    const { enrollment } = await service.enroll(req);
    // Another process holds a write lock: on SQLite every write of the worker fails with
    // SQLITE_BUSY after the busy timeout; on PostgreSQL writes wait on the table lock.
    const release = await lockDatabase(url);
    worker = await backgroundWorker({ connection: nativeConnection, taskQueue, db, catcher });
    await new Promise((r) => setTimeout(r, 6000));
    expect(await db.milestone.count({ where: { enrollmentId: enrollment.id } })).toBe(0);
    await release();
    await until('the welcome emails', () => catcher.messages().length >= 2, 60_000);
    await until(
      'the milestone',
      async () => (await db.milestone.count({ where: { enrollmentId: enrollment.id } })) === 1,
    );
    const row = await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } });
    expect(row.currentDueAt).not.toBeNull(); // the projection landed with its milestone
    const rows = await db.outboxMessage.findMany({ where: { enrollmentId: enrollment.id } });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
  }, 120_000);

  it('a flood of duplicate API requests makes one enrollment, one workflow, one email each', async () => {
    const api = await buildApi({ service, db, temporal, logger, preferencesSecret: PREFERENCES_SECRET });
    const base = await api.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { token } = await userWithToken(db, { role: 'admin', email: 'flood@regione.test', name: 'Flood' });
      catcher.clear();
      const req = enrollRequest();
      const post = (key?: string) =>
        fetch(`${base}/enrollments`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: JSON.stringify(req),
        }).then((r) => r.status);
      const statuses = await Promise.all([
        ...Array.from({ length: 25 }, () => post('flood-key-1')),
        ...Array.from({ length: 25 }, () => post()),
      ]);
      // One 201; the copies with the same key get 200; those without a key are the same company,
      // kind and programme: 409 already_enrolled or the same enrollment.
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.every((s) => [200, 201, 409].includes(s))).toBe(true);
      const rows = await db.enrollment.findMany({ where: { company: { vatNumber: req.company.vatNumber } } });
      expect(rows).toHaveLength(1);
      await until('welcome emails', () => catcher.messages().length >= 2, 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(catcher.messages()).toHaveLength(2);
      const runs = [];
      for await (const w of temporal.workflow.list({ query: `WorkflowId = '${rows[0]!.workflowId}'` })) runs.push(w);
      expect(runs).toHaveLength(1);
    } finally {
      await api.close();
    }
  }, 120_000);

  it('two pathways of one new company requested at the same moment: both enrolled, one company row', async () => {
    for (let round = 0; round < 5; round++) {
      const first = enrollRequest();
      const second = { ...first, kind: 'lavoro-flessibile' };
      const results = await Promise.allSettled([service.enroll(first), service.enroll(second)]);
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
        'fulfilled',
        'fulfilled',
      ]);
      const companies = await db.company.findMany({
        where: { vatNumber: first.company.vatNumber },
        include: { enrollments: true, participants: true },
      });
      expect(companies).toHaveLength(1);
      expect(companies[0]!.enrollments.map((e) => e.kind).sort()).toEqual([
        'congedo-flessibilita',
        'lavoro-flessibile',
      ]);
      expect(companies[0]!.participants).toHaveLength(first.participants.length);
    }
  }, 120_000);
});

describe('the API process killed with SIGKILL mid-flood of enrollments', () => {
  let server: DevServer;
  let db: Db;
  let url: string;
  let catcher: MailCatcher;
  let connection: Connection;
  const children: ChildProcess[] = [];
  const taskQueue = 'sigkill-api';
  let port: number;
  let base: string;

  beforeAll(async () => {
    ({ server, db, url, catcher } = await startProcessStack());
    connection = await Connection.connect({ address: server.address });
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  }, 60_000);
  afterAll(() => stopProcessStack(children, { connection, catcher, db, server }));

  /** client/api/main.ts as deployed, with the default reconciler settings; its JSON log lines collected. */
  const startApiProcess = (log: Record<string, unknown>[]) => {
    const child = spawnProgram(path.resolve(__dirname, '../../client/api/main.ts'), {
      env: {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        DATABASE_URL: url,
        PORT: String(port),
        PUBLIC_URL: base,
        SCHEDULES: 'off',
        PREFERENCES_SECRET,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    child.stdout!.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop()!;
      for (const l of lines) if (l.startsWith('{')) log.push(JSON.parse(l) as Record<string, unknown>);
    });
    children.push(child);
    return child;
  };
  const answering = () => untilHealthy(base);

  it('every enrollment row it wrote gets its pathway and one welcome email each after a restart, with no client retry', async () => {
    spawnWorkerProcess(children, { server, url, catcher, taskQueue });
    const { token } = await userWithToken(db, { role: 'admin', email: 'kill@regione.test', name: 'Kill' });
    const direct = await directSqlOf(db);
    const written = async () =>
      Number((await direct.query<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM "Enrollment"`))[0]!.n);
    const temporal = new Client({ connection });
    const exists = (workflowId: string) =>
      temporal.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => true,
          () => false,
        );
    const orphansNow = async () => {
      const orphans = [];
      for (const r of await db.enrollment.findMany()) if (!(await exists(r.workflowId))) orphans.push(r.id);
      return orphans;
    };

    // 40 concurrent enrollments of 40 new companies, none retried, and the API killed mid-flood. The
    // kill must land between a group's rows and its workflow starts; when it lands just after (it is
    // a race), the flood is sent again to a new process, at most four times in all.
    let orphans: string[] = [];
    for (let attempt = 0; attempt < 4 && orphans.length === 0; attempt++) {
      const first = startApiProcess([]);
      await answering();
      const before = await written();
      const answers = Array.from({ length: 40 }, () => enrollRequest()).map((req) =>
        fetch(`${base}/enrollments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(req),
        }).then(
          (r) => r.status,
          () => 'no answer',
        ),
      );
      // Requests are written in groups as they arrive: kill the moment a group's rows are committed
      // with some already behind them, while that group's workflow starts are in flight.
      for (;;) {
        if ((await written()) >= before + 10) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(await Promise.all(answers)).toContain('no answer');
      orphans = await orphansNow();
    }
    const rows = await db.enrollment.findMany({ include: { company: { include: { participants: true } } } });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // The crash left what it left in production: rows written, no pathway behind them.
    expect(orphans.length).toBeGreaterThan(0);

    const secondLog: Record<string, unknown>[] = [];
    startApiProcess(secondLog);
    await answering();
    const restartedAt = Date.now();
    const welcomes = () =>
      catcher.messages().filter((m) => (m.headers['x-conciliaflow-key'] ?? '').includes(':welcome:'));
    const expected = rows.flatMap((r) => r.company.participants.map((p) => `${r.id}:welcome:${p.email}`)).sort();
    await until(
      'a pathway and the welcome emails for every written row',
      async () => {
        for (const r of rows) if (!(await exists(r.workflowId))) return false;
        return new Set(welcomes().map((m) => m.headers['x-conciliaflow-key'])).size >= expected.length;
      },
      60_000,
    );
    expect(Date.now() - restartedAt).toBeLessThan(60_000);
    await new Promise((r) => setTimeout(r, 2000)); // room for a duplicate to show up
    for (const r of rows) {
      const d = await temporal.workflow.getHandle(r.workflowId).describe();
      expect(d.status.name).toBe('RUNNING');
      expect(d.type).toBe('pathwayWorkflow');
    }
    // Exactly once each: one message per enrollment and participant, none repeated.
    expect(
      welcomes()
        .map((m) => m.headers['x-conciliaflow-key'])
        .sort(),
    ).toEqual(expected);
    const ids = catcher.messages().map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const unmarked = await direct.query(sql`SELECT "id" FROM "Enrollment" WHERE "workflowStartedAt" IS NULL`);
    expect(unmarked).toEqual([]);
    // The restarted process says what it repaired, one line per pathway it started.
    const repaired = secondLog
      .filter((l) => l.msg === 'reconciler: started the pathway of an enrollment left without one')
      .map((l) => l.enrollmentId);
    expect([...repaired].sort()).toEqual([...orphans].sort());
  }, 200_000);
});
