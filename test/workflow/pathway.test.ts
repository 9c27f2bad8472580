/**
 * The pathway workflow on the time-skipping test server, with real activities: a SQLite database
 * and an SMTP server on loopback. Days pass in seconds.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { createService, type Service } from '../../client/service';
import { createDispatcher } from '../../activities/dispatcher';
import { isWithinSendWindow } from '../../domain/calendar';
import { congedoFlessibilita } from '../../domain/catalogue';
import { notificationPlan } from '../../domain/schedule';
import { getStateQuery } from '../../workflows/messages';
import {
  atRest,
  backgroundWorker,
  enrollRequest,
  closedResult,
  logger,
  MAIL_FROM,
  startTimeSkippingStack,
  stopTimeSkippingStack,
  terminateAll,
  transportFor,
} from '../support/fixtures';

let env: TestWorkflowEnvironment;
let db: Db;
let catcher: MailCatcher;
let service: Service;
let worker: Awaited<ReturnType<typeof startTimeSkippingStack>>['worker'];
const taskQueue = 'pathway-test';

beforeAll(async () => {
  ({ env, db, catcher, worker, service } = await startTimeSkippingStack(taskQueue));
});

afterAll(() => stopTimeSkippingStack({ env, db, catcher, worker }));

/** Workflows started by the current test. */
const started: string[] = [];
afterEach(() => terminateAll(env, started));
async function enroll() {
  const req = enrollRequest();
  const { enrollment } = await service.enroll(req);
  started.push(enrollment.workflowId);
  return { req, enrollment };
}

const consultant = { role: 'consultant' as const, id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };

test('a reminder due days ahead fires without waiting, on a working day in office hours', async () => {
  const { req, enrollment } = await enroll();
  const welcome = await catcher.waitFor(
    (m) => m.to.includes(req.participants[0]!.email) && /benvenut/i.test(m.subject),
  );
  expect(welcome.text).toContain(req.company.name);
  const handle = env.client.workflow.getHandle(enrollment.workflowId);
  const before = await handle.query(getStateQuery);
  const dueAt = before.steps[0]!.dueAt!;
  const startedAt = before.steps[0]!.startedAt!;
  // Intake lasts 10 working days: at least 12 calendar days pass before it is due.
  expect(dueAt - startedAt).toBeGreaterThan(12 * 24 * 3600_000);

  await env.sleep('9 days');
  const reminder = await catcher.waitFor(
    (m) =>
      m.to.includes(req.participants[0]!.email) &&
      m.subject.includes('Colloquio di avvio') &&
      /promemoria/i.test(m.subject),
  );
  // A participant's link opens their personal page (no account needed).
  expect(reminder.text).toMatch(new RegExp(`http://conciliaflow\\.test/p/${enrollment.id}\\.[A-Za-z0-9_-]+\\.`));
  const english = await catcher.waitFor(
    (m) => m.to.includes(req.participants[1]!.email) && /reminder/i.test(m.subject),
  );
  expect(english.subject).toContain('Intake meeting');

  const after = await handle.query(getStateQuery);
  const notes = after.history.filter((h) => h.type === 'notification');
  expect(notes.length).toBeGreaterThanOrEqual(1);
  for (const n of notes) expect(isWithinSendWindow(n.at, 'monza')).toBe(true);
  const outbox = await db.outboxMessage.findMany({
    where: { enrollmentId: enrollment.id, template: 'step-reminder' },
  });
  expect(outbox.map((o) => o.status)).toEqual(['sent', 'sent']);
});

test('completing every step in order ends the workflow and the enrollment', async () => {
  const { enrollment } = await enroll();
  for (const step of congedoFlessibilita.steps) {
    await atRest(env, enrollment.workflowId);
    await env.sleep('2 days');
    const view = await service.completeStep(enrollment.id, {
      stepKey: step.key,
      actor: consultant,
      evidence: step.evidence ? `DOC-${step.key}` : undefined,
    });
    expect(view.pathway?.steps.find((s) => s.key === step.key)?.status).toBe('done');
  }
  const result = await closedResult(env, enrollment.workflowId);
  expect(result.status).toBe('completed');
  const row = await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id }, include: { milestones: true } });
  expect(row.status).toBe('completed');
  expect(row.completedAt).not.toBeNull();
  const types = row.milestones.map((m) => `${m.type}:${m.stepKey ?? ''}`).sort();
  expect(types).toEqual(
    ['enrolled:', 'completed:', ...congedoFlessibilita.steps.map((s) => `step_completed:${s.key}`)].sort(),
  );
  expect(row.milestones.every((m) => m.type !== 'step_completed' || m.onTime === true)).toBe(true);
});

test('a step completed the instant its pathway starts is accepted (the Update reaches the first activation)', async () => {
  // A queue with no worker yet: the workflow starts on the server but has not run when the Update comes.
  const queue = 'first-activation';
  const early = createService({ db, temporal: env.client, taskQueue: queue });
  const { enrollment } = await early.enroll(enrollRequest());
  started.push(enrollment.workflowId);
  const completing = early.completeStep(enrollment.id, { stepKey: 'intake', actor: consultant });
  await new Promise((r) => setTimeout(r, 500));
  const late = await backgroundWorker({ connection: env.nativeConnection, taskQueue: queue, db, catcher });
  try {
    const view = await completing;
    expect(view.pathway!.steps.slice(0, 2).map((s) => s.status)).toEqual(['done', 'active']);
    await atRest(env, enrollment.workflowId);
    const milestones = await db.milestone.findMany({
      where: { enrollmentId: enrollment.id },
      orderBy: { seq: 'asc' },
    });
    expect(milestones.map((m) => m.eventKey)).toEqual(['enrolled', 'step:intake']);
  } finally {
    await atRest(env, enrollment.workflowId);
    await late.stop();
  }
});

test('with a reminder lead, reminders are staged ahead of their time, sent by the dispatcher, and withdrawn when the step moves', async () => {
  const lead = 15 * 60_000;
  const staging = createService({ db, temporal: env.client, taskQueue, reminderLeadMs: lead });
  const req = enrollRequest();
  const { enrollment } = await staging.enroll(req);
  started.push(enrollment.workflowId);
  const handle = env.client.workflow.getHandle(enrollment.workflowId);
  await atRest(env, enrollment.workflowId);
  const first = (await handle.query(getStateQuery)).steps[0]!;
  const plan = notificationPlan(congedoFlessibilita.reminders, first.dueAt!, first.startedAt!, req.company.city);
  const [r1, r2] = plan;
  expect(r2).toBeDefined();

  // Just past the first reminder's staging time: staged for its planned moment, not sent.
  await env.sleep(r1!.at - lead + 60_000 - (await env.currentTimeMs()));
  await atRest(env, enrollment.workflowId);
  const reminderRows = () =>
    db.outboxMessage.findMany({
      where: { enrollmentId: enrollment.id, template: 'step-reminder' },
      orderBy: { toAddress: 'asc' },
    });
  const staged = await reminderRows();
  expect(staged.map((r) => [r.status, r.sendAt?.getTime()])).toEqual([
    ['scheduled', r1!.at],
    ['scheduled', r1!.at],
  ]);
  const state = await handle.query(getStateQuery);
  expect(state.staged).toEqual([{ key: expect.stringContaining(`:intake:${r1!.type}:`), at: r1!.at }]);
  expect(state.history.at(-1)).toMatchObject({ type: 'notification', detail: expect.stringMatching(/2 staged for/) });

  // At its time the dispatcher sends it, rendered for each participant's language. (The dispatcher
  // runs on the wall clock; this server's clock is days ahead, so the test moves it.)
  const transport = transportFor(catcher);
  const dispatcherAt = (now: number) =>
    createDispatcher({ db, transport, from: MAIL_FROM, logger, notify: async () => undefined, now: () => now });
  try {
    expect(await dispatcherAt(r1!.at - 1).tick()).toMatchObject({ claimed: 0 });
    expect(await dispatcherAt(r1!.at).tick()).toMatchObject({ claimed: 2, sent: 2 });
  } finally {
    transport.close();
  }
  const english = await catcher.waitFor(
    (m) => m.to.includes(req.participants[1]!.email) && /reminder/i.test(m.subject),
  );
  expect(english.subject).toContain('Intake meeting');

  // The second reminder is staged next; completing the step before it is due withdraws it.
  await env.sleep(r2!.at - lead + 60_000 - (await env.currentTimeMs()));
  await atRest(env, enrollment.workflowId);
  expect((await reminderRows()).filter((r) => r.sendAt?.getTime() === r2!.at).map((r) => r.status)).toEqual([
    'scheduled',
    'scheduled',
  ]);
  await staging.completeStep(enrollment.id, { stepKey: 'intake', actor: consultant });
  await atRest(env, enrollment.workflowId);
  expect((await reminderRows()).filter((r) => r.sendAt?.getTime() === r2!.at).map((r) => r.status)).toEqual([
    'cancelled',
    'cancelled',
  ]);
  expect((await handle.query(getStateQuery)).staged).toEqual([]);
});
