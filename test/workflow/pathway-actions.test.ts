/**
 * Consultant and SME actions on a running pathway (time-skipping server, real activities):
 * extend, reopen, reassign, confirm, withdraw, and a long pathway that continues as new.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { createService, type Service } from '../../client/service';
import { localDateOf, localDateToIso, addWorkingDays } from '../../domain/calendar';
import { congedoFlessibilita } from '../../domain/catalogue';
import { getStateQuery } from '../../workflows/messages';
import type { pathwayWorkflow } from '../../workflows/pathway';
import {
  atRest,
  enrollRequest,
  closedResult,
  startTimeSkippingStack,
  stopTimeSkippingStack,
  terminateAll,
} from '../support/fixtures';

let env: TestWorkflowEnvironment;
let db: Db;
let catcher: MailCatcher;
let service: Service;
let worker: Awaited<ReturnType<typeof startTimeSkippingStack>>['worker'];
const taskQueue = 'actions-test';
const consultant = { role: 'consultant' as const, id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };

beforeAll(async () => {
  ({ env, db, catcher, worker, service } = await startTimeSkippingStack(taskQueue));
});

afterAll(() => stopTimeSkippingStack({ env, db, catcher, worker }));

const started: string[] = [];
afterEach(() => terminateAll(env, started));

test('extending a due date re-plans the reminders and records who, when and why', async () => {
  const req = enrollRequest();
  const { enrollment } = await service.enroll(req);
  started.push(enrollment.workflowId);
  const before = await env.client.workflow
    .getHandle<typeof pathwayWorkflow>(enrollment.workflowId)
    .query(getStateQuery);
  const oldDue = before.steps[0]!.dueAt!;
  const newDate = localDateToIso(addWorkingDays(localDateOf(oldDue), 10));
  const view = await service.extendDueDate(enrollment.id, {
    stepKey: 'intake',
    newDueDate: newDate,
    reason: 'Titolare in ferie fino a fine mese',
    actor: consultant,
  });
  const intake = view.pathway!.steps[0]!;
  expect(intake.dueAt!.slice(0, 10) <= newDate).toBe(true);
  expect(Date.parse(intake.dueAt!)).toBeGreaterThan(oldDue);
  const milestone = await db.milestone.findFirstOrThrow({
    where: { enrollmentId: enrollment.id, type: 'due_extended' },
  });
  expect(milestone).toMatchObject({
    actor: consultant.id,
    note: 'Titolare in ferie fino a fine mese',
    stepKey: 'intake',
  });
  const mail = await catcher.waitFor(
    (m) => m.to.includes(req.participants[0]!.email) && /prorog|scadenza/i.test(m.subject),
  );
  expect(mail.text).toContain('Titolare in ferie fino a fine mese');
  // The old plan's "5 days before" reminder would fall about now; the new plan sends it two weeks later.
  await atRest(env, enrollment.workflowId);
  await env.sleep('12 days');
  const reminders = await db.outboxMessage.findMany({
    where: { enrollmentId: enrollment.id, template: 'step-reminder' },
  });
  expect(reminders.every((r) => r.idempotencyKey.includes(':r0p1:'))).toBe(true);
});

test('reopening the last completed step sends the pathway back, and completing it again is recorded anew', async () => {
  const { enrollment } = await service.enroll(enrollRequest());
  started.push(enrollment.workflowId);
  await service.completeStep(enrollment.id, { stepKey: 'intake', actor: consultant });
  const reopened = await service.reopenStep(enrollment.id, {
    stepKey: 'intake',
    reason: 'Manca il referente HR al colloquio',
    actor: { role: 'coordinator', id: 'rete@ats-brianza.test' },
  });
  expect(reopened.pathway!.steps.map((s) => s.status)).toEqual(['active', 'pending', 'pending', 'pending', 'pending']);
  await service.completeStep(enrollment.id, { stepKey: 'intake', actor: consultant });
  const keys = (await db.milestone.findMany({ where: { enrollmentId: enrollment.id }, orderBy: { seq: 'asc' } })).map(
    (m) => m.eventKey,
  );
  expect(keys).toEqual(['enrolled', 'step:intake', 'reopen:intake:1', 'step:intake:r1']);
});

test('a new consultant receives the escalation; the SME confirms once; withdrawal ends the pathway', async () => {
  const req = enrollRequest();
  const { enrollment } = await service.enroll(req);
  await service.confirmParticipation(enrollment.id, { actor: { role: 'sme', id: req.participants[0]!.email } });
  await service.assignConsultant(enrollment.id, {
    consultant: { name: 'Paolo Neri', email: 'paolo.neri@consulenti.test' },
    actor: { role: 'coordinator', id: 'rete@ats-brianza.test' },
  });
  const row = await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } });
  expect(row.consultantEmail).toBe('paolo.neri@consulenti.test');
  await catcher.waitFor((m) => m.to.includes('paolo.neri@consulenti.test'));
  await atRest(env, enrollment.workflowId);
  await env.sleep('25 days');
  const escalations = await db.outboxMessage.findMany({
    where: { enrollmentId: enrollment.id, template: 'escalation-consultant' },
  });
  expect(escalations.map((e) => e.toAddress)).toEqual(['paolo.neri@consulenti.test']);
  await service.withdraw(enrollment.id, {
    reason: 'Cessata attività',
    actor: { role: 'sme', id: req.participants[0]!.email },
  });
  const result = await closedResult(env, enrollment.workflowId);
  expect(result.status).toBe('withdrawn');
  const final = await db.enrollment.findUniqueOrThrow({
    where: { id: enrollment.id },
    include: { milestones: true },
  });
  expect(final.status).toBe('withdrawn');
  expect(final.milestones.map((m) => m.type)).toEqual(
    expect.arrayContaining(['participation_confirmed', 'consultant_assigned', 'withdrawn']),
  );
});

test('a long pathway continues as new with its state, and still completes exactly once', async () => {
  const small = createService({ db, temporal: env.client, taskQueue, continueAsNewAfterEvents: 40 });
  const req = enrollRequest();
  const { enrollment } = await small.enroll(req);
  for (const step of congedoFlessibilita.steps) {
    await atRest(env, enrollment.workflowId);
    await env.sleep('9 days');
    await small.completeStep(enrollment.id, { stepKey: step.key, actor: consultant, evidence: `DOC-${step.key}` });
  }
  const state = await closedResult(env, enrollment.workflowId);
  expect(state.status).toBe('completed');
  expect(state.runs ?? 1).toBeGreaterThan(1);
  const keys = (await db.outboxMessage.findMany({ where: { enrollmentId: enrollment.id } })).map(
    (o) => o.idempotencyKey,
  );
  expect(new Set(keys).size).toBe(keys.length);
  expect(await db.milestone.count({ where: { enrollmentId: enrollment.id, type: 'completed' } })).toBe(1);
});
