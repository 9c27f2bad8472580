/**
 * Reviving a pathway that expired under the old end before a decree moved it, end to end on the
 * time-skipping server with real activities, the real SMTP catcher and the HTTP route: the pathway
 * expires, a decree extends the edition, the admin revives it (once: a second call is a 409 and no
 * second email), it carries on from the same step and expires again at the new end.
 */
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { buildApi } from '../../client/api/server';
import { createService } from '../../client/service';
import { mailKeys } from '../../domain/pathway-keys';
import { programmeHardEnd } from '../../domain/schedule';
import { getStateQuery } from '../../workflows/messages';
import type { pathwayWorkflow } from '../../workflows/pathway';
import {
  PREFERENCES_SECRET,
  atRest,
  backgroundWorker,
  closedResult,
  createTestDb,
  enrollRequest,
  logger,
  startSmtp,
  userWithToken,
} from '../support/fixtures';

const DAY = 24 * 3600_000;
const decree = 'DGR XII/2000 del 20/12/2027';
const newEndsOn = '2028-03-31';
let db: Db;
let catcher: MailCatcher;
let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof backgroundWorker>>;
let api: Awaited<ReturnType<typeof buildApi>>;
let base: string;
/** The service's clock follows the test server's, which leaps ahead of the wall clock. */
let clock = Date.now();
/**
 * A plain client for the service: the testing client lets the clock run free while a workflow it
 * started waits (the decree's fan-out), which would leap the test years ahead.
 */
let temporal: Client;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  ({ db } = createTestDb());
  catcher = await startSmtp();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.CF_TEST_SERVER! } },
  });
  const taskQueue = 'revival';
  worker = await backgroundWorker({ connection: env.nativeConnection, taskQueue, db, catcher });
  temporal = new Client({ connection: env.connection });
  const service = createService({ db, temporal, taskQueue, now: () => new Date(clock) });
  api = await buildApi({ service, db, temporal, logger, preferencesSecret: PREFERENCES_SECRET });
  base = await api.listen({ port: 0, host: '127.0.0.1' });
  tokens.admin = (
    await userWithToken(db, { role: 'admin', email: 'regione@regione.test', name: 'Anna Regione' })
  ).token;
  tokens.coordinator = (
    await userWithToken(db, { role: 'coordinator', atsCode: 'ats-brianza', email: 'c@ats.test', name: 'Carla' })
  ).token;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  await catcher?.stop();
  await db?.$disconnect();
});

async function http(who: string, method: 'GET' | 'POST', url: string, body?: unknown, lang = 'it') {
  clock = await env.currentTimeMs();
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      'accept-language': lang,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  return { status: res.status, body: (await res.json()) as any };
}

const revive = (id: string, body: unknown = { reason: 'Proroga DGR XII/2000: il percorso riprende' }, who = 'admin') =>
  http(who, 'POST', `/enrollments/${id}/revive`, body);

test('an expired pathway is revived after an extension, once, and carries on from its step to the new end', async () => {
  const req = enrollRequest();
  const service = createService({ db, temporal, taskQueue: 'revival', now: () => new Date(clock) });
  const { enrollment } = await service.enroll(req);
  const id = enrollment.id;
  const handle = temporal.workflow.getHandle<typeof pathwayWorkflow>(enrollment.workflowId);
  await atRest(env, enrollment.workflowId);

  // Nothing done: the pathway expires at the edition's end with its first step open. (The clock is
  // moved by sleeping: waiting on the testing client's result() would let it leap years ahead.)
  const oldEndsOn = (await service.programmes.findEdition(enrollment.programme))!.endsOn!;
  await env.sleep(programmeHardEnd(oldEndsOn) + 3600_000 - (await env.currentTimeMs()));
  await atRest(env, enrollment.workflowId);
  const expired = await closedResult(env, enrollment.workflowId);
  expect(expired.status).toBe('expired');
  expect(expired.currentStep).toBe('intake');
  expect((await db.enrollment.findUniqueOrThrow({ where: { id } })).status).toBe('expired');

  // Before a decree the edition's end has passed: refused, nothing written.
  const audits = () => db.auditLog.count({ where: { action: 'enrollment.revive' } });
  const early = await revive(id);
  expect(early.status).toBe(409);
  expect(early.body.error.code).toBe('programme_ended');
  // Only an admin, and with a reason.
  expect((await revive(id, undefined, 'coordinator')).status).toBe(403);
  const noReason = await http('admin', 'POST', `/enrollments/${id}/revive`, {}, 'en');
  expect(noReason.status).toBe(400);
  expect(noReason.body.error.message).toMatch(/reason/);
  expect(await audits()).toBe(0);

  // The decree extends the edition; its fan-out finds no open pathway to tell.
  const extended = await service.programmes.extend(
    enrollment.programme,
    { endsOn: newEndsOn, decree },
    { id: 'regione', role: 'admin' },
  );
  expect(extended.programme.endsOn).toBe(newEndsOn);

  const revived = await revive(id);
  expect([revived.status, revived.body.error]).toEqual([200, undefined]);
  expect(revived.body.revival).toMatchObject({ n: 1, programmeEndsOn: newEndsOn });
  expect(revived.body.enrollment).toMatchObject({ status: 'active', currentStep: 'intake', completedAt: null });
  expect(revived.body.enrollment.milestones.map((m: { type: string }) => m.type)).toContain('revived');
  const audit = await db.auditLog.findFirstOrThrow({ where: { action: 'enrollment.revive', entityId: id } });
  expect(audit.actorRole).toBe('admin');
  expect(JSON.parse(audit.after!)).toMatchObject({ status: 'active', programmeEndsOn: newEndsOn });

  // Again: already active, no second run, no second email.
  const again = await revive(id);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('already_active');
  await atRest(env, enrollment.workflowId);
  const told = await db.outboxMessage.findMany({ where: { enrollmentId: id, template: 'pathway-revived' } });
  expect(told.map((o) => o.toAddress).sort()).toEqual(
    [...req.participants.map((p) => p.email), req.consultant.email].sort(),
  );
  expect(told.every((o) => o.idempotencyKey.startsWith(mailKeys.revived(id, 1)))).toBe(true);
  const mail = await catcher.waitFor((m) => m.to.includes(req.participants[0]!.email) && /riattivato/i.test(m.subject));
  expect(mail.text).toContain('31 marzo 2028');
  const en = await catcher.waitFor((m) => m.to.includes(req.participants[1]!.email) && /revived/i.test(m.subject));
  expect(en.text).toMatch(/carries on from the step where it stopped/);

  // The same step, planned afresh from the revival; the pathway goes on.
  const state = await handle.query(getStateQuery);
  expect(state.status).toBe('active');
  expect(state.currentStep).toBe('intake');
  const intake = state.steps.find((s) => s.key === 'intake')!;
  expect(intake.dueAt!).toBeGreaterThan(await env.currentTimeMs());
  expect(state.steps.filter((s) => s.status === 'done').map((s) => s.key)).toEqual(
    expired.steps.filter((s) => s.status === 'done').map((s) => s.key),
  );
  await service.completeStep(id, {
    stepKey: 'intake',
    actor: { role: 'consultant', id: req.consultant.email },
  });
  await atRest(env, enrollment.workflowId);

  // Then it expires at the new end, told anew, with its second expiry recorded beside the first.
  await env.sleep(programmeHardEnd(newEndsOn) + 3600_000 - (await env.currentTimeMs()));
  await atRest(env, enrollment.workflowId);
  const final = await closedResult(env, enrollment.workflowId);
  expect(final.status).toBe('expired');
  expect(final.currentStep).toBe('needs-analysis');
  const expiries = final.history.filter((h) => h.type === 'expired');
  expect(expiries).toHaveLength(2);
  expect(expiries[1]!.at).toBeGreaterThanOrEqual(programmeHardEnd(newEndsOn));
  expect(expiries[1]!.at).toBeLessThan(programmeHardEnd(newEndsOn) + DAY);
  const milestones = await db.milestone.findMany({ where: { enrollmentId: id }, orderBy: { seq: 'asc' } });
  expect(milestones.filter((m) => m.type === 'expired').map((m) => m.eventKey)).toEqual(['expired', 'expired:r1']);
  expect(milestones.filter((m) => m.type === 'revived')).toHaveLength(1);
  const row = await db.enrollment.findUniqueOrThrow({ where: { id } });
  expect(row.status).toBe('expired');
  expect(row.completedAt!.getTime()).toBeGreaterThanOrEqual(programmeHardEnd(newEndsOn));
  const expiryMails = await db.outboxMessage.findMany({ where: { enrollmentId: id, template: 'pathway-expired' } });
  expect(expiryMails).toHaveLength(2 * 3);
  expect(await db.outboxMessage.count({ where: { enrollmentId: id, template: 'pathway-revived' } })).toBe(3);

  // Past the new end, a revival is refused again.
  const late = await revive(id);
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('programme_ended');
  expect(await audits()).toBe(1);
}, 180_000);
