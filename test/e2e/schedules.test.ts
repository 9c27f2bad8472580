/**
 * Temporal Schedules on the real dev server: created idempotently at start-up, a pause survives
 * a restart of the service, and triggering the weekly network report delivers an email with the
 * CSV to the test SMTP server.
 */
import { simpleParser } from 'mailparser';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { ensureSchedules, listSchedules, scheduleDefinitions, SCHEDULE_PREFIX } from '../../client/schedules';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import { backgroundWorker, createTestDb, startSmtp, stopDevStack, until } from '../support/fixtures';

const taskQueue = 'schedules-e2e';
let server: DevServer;
let db: Db;
let catcher: MailCatcher;
let nativeConnection: NativeConnection;
let connection: Connection;
let temporal: Client;
let worker: Awaited<ReturnType<typeof backgroundWorker>>;

beforeAll(async () => {
  server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port: await freePort() });
  ({ db } = createTestDb());
  catcher = await startSmtp();
  nativeConnection = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  temporal = new Client({ connection });
  worker = await backgroundWorker({ connection: nativeConnection, taskQueue, db, catcher });
  const company = await db.company.create({
    data: {
      name: 'Tessitura Milanese',
      vatNumber: '31234567890',
      province: 'MI',
      atsCode: 'ats-milano',
      sector: 'industria',
      size: 'small',
      staff: 25,
    },
  });
  await db.enrollment.create({
    data: {
      idempotencyKey: 'sched-1',
      requestHash: 'x',
      programmeCode: 'demo-2026-2027',
      kind: 'congedo-flessibilita',
      catalogueVersion: 1,
      companyId: company.id,
      consultantEmail: 'giulia@studio.test',
      consultantName: 'Giulia Bianchi',
      workflowId: 'wf-sched-1',
      currentStep: 'needs-analysis',
      currentDueAt: new Date(Date.now() - 2 * 86_400_000),
    },
  });
  await db.user.create({
    data: { email: 'elena@ats-milano.test', name: 'Elena Sala', role: 'coordinator', atsCode: 'ats-milano' },
  });
}, 60_000);

afterAll(() => stopDevStack({ worker, connection, nativeConnection, catcher, db, server }));

test('schedules are created once, keep a pause across restarts, and a triggered report arrives by email', async () => {
  const all = scheduleDefinitions(taskQueue).map((d) => d.scheduleId);
  expect(all).toHaveLength(12); // 2 digests, 8 network reports, 1 regional report, the anonymisation

  const first = await ensureSchedules(temporal, taskQueue);
  expect(first.created.sort()).toEqual([...all].sort());
  expect(first.existing).toEqual([]);

  const region = temporal.schedule.getHandle(`${SCHEDULE_PREFIX}report-region`);
  await region.pause('paused by the Region during the summer');
  const second = await ensureSchedules(temporal, taskQueue);
  expect(second.created).toEqual([]);
  expect(second.existing.sort()).toEqual([...all].sort());
  expect((await region.describe()).state.paused).toBe(true);

  const views = await listSchedules(temporal);
  const regionView = views.find((v) => v.id === `${SCHEDULE_PREFIX}report-region`)!;
  expect(regionView).toMatchObject({ paused: true, note: 'paused by the Region during the summer' });
  const digestView = views.find((v) => v.id === `${SCHEDULE_PREFIX}digest-consultants`)!;
  expect(digestView.paused).toBe(false);
  // Next runs at 08:00 Rome on working weekdays.
  for (const at of digestView.nextRuns) {
    const rome = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(at));
    expect(rome).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 08:00$/);
  }

  await temporal.schedule.getHandle(`${SCHEDULE_PREFIX}report-ats-milano`).trigger();
  const message = await catcher.waitFor((m) => m.to.includes('elena@ats-milano.test'), 30_000);
  expect(message.subject).toContain('Avanzamento settimanale dei percorsi');
  expect(message.text).toContain('1 adesioni: 1 in corso');
  expect(message.text).toContain("1 percorsi a rischio di non concludersi entro la fine dell'edizione");
  const parsed = await simpleParser(message.raw);
  expect(parsed.attachments[0]!.filename).toMatch(/^traguardi-ats-milano-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(parsed.attachments[0]!.content.toString('utf8')).toContain('congedo-flessibilita,');

  // The outbox holds exactly one row for it, sent. SMTP's acceptance reaches the catcher before the
  // sender records it (a loaded CI run read 'queued' in between): wait for the record.
  await until(
    'the report recorded as sent',
    async () => (await db.outboxMessage.count({ where: { template: 'report-delivery', status: 'sent' } })) > 0,
    15_000,
  );
  const rows = await db.outboxMessage.findMany({ where: { template: 'report-delivery' } });
  expect(rows).toHaveLength(1);
  expect(rows[0]!.status).toBe('sent');
}, 60_000);
