/**
 * A decree reaching a running pathway on the time-skipping test server, with real activities: an
 * extension arriving a month before the old end, and a shortening that is refused unless forced.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { createService } from '../../client/service';
import { mailKeys } from '../../domain/pathway-keys';
import { findProgramme } from '../../domain/programmes';
import { programmeHardEnd } from '../../domain/schedule';
import { getStateQuery, programmeEndChangedUpdate } from '../../workflows/messages';
import type { pathwayWorkflow } from '../../workflows/pathway';
import { atRest, backgroundWorker, createTestDb, enrollRequest, startSmtp } from '../support/fixtures';

const DAY = 24 * 3600_000;
const decree = 'DGR XI/1017 del 17/12/2018';
let db: Db;
let catcher: MailCatcher;

beforeAll(async () => {
  ({ db } = createTestDb());
  catcher = await startSmtp();
});
afterAll(async () => {
  await catcher.stop();
  await db.$disconnect();
});

/** Each test gets its own server: waiting on a result lets the clock leap past every timer. */
async function stack(taskQueue: string) {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.CF_TEST_SERVER! } },
  });
  const worker = await backgroundWorker({ connection: env.nativeConnection, taskQueue, db, catcher });
  const service = createService({ db, temporal: env.client, taskQueue });
  return {
    env,
    service,
    async stop() {
      await worker.stop();
      await env.teardown();
    },
  };
}

test('an extension a month before the old end: no warning nor expiry at the old date, expiry at the new one', async () => {
  const { env, service, stop } = await stack('decree-extension');
  try {
    const req = enrollRequest();
    const { enrollment } = await service.enroll(req);
    const handle = env.client.workflow.getHandle<typeof pathwayWorkflow>(enrollment.workflowId);
    const oldEndsOn = findProgramme(req.programme!)!.endsOn;
    const oldEnd = programmeHardEnd(oldEndsOn);
    const newEndsOn = '2028-03-31';
    const newEnd = programmeHardEnd(newEndsOn);
    // A month and a bit before the old end: before its 20-working-day warning.
    await atRest(env, enrollment.workflowId);
    await env.sleep(oldEnd - 35 * DAY - (await env.currentTimeMs()));
    await atRest(env, enrollment.workflowId);
    const warnedBefore = await db.outboxMessage.count({
      where: { enrollmentId: enrollment.id, template: 'programme-end-warning' },
    });
    expect(warnedBefore).toBe(0);

    const state = await handle.executeUpdate(programmeEndChangedUpdate, { args: [{ newEndsOn, decree }] });
    expect(state.programmeEndsOn).toBe(newEndsOn);
    // Sent again (the fan-out retrying): nothing changes.
    await handle.executeUpdate(programmeEndChangedUpdate, { args: [{ newEndsOn, decree }] });
    await atRest(env, enrollment.workflowId);

    // Past the old end: the pathway is still open, never warned for the old end, not expired.
    await env.sleep(oldEnd + 2 * DAY - (await env.currentTimeMs()));
    await atRest(env, enrollment.workflowId);
    const midway = await handle.query(getStateQuery);
    expect(midway.status).toBe('active');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const oldKeys = [20, 5].map((w) => mailKeys.programmeEndWarning(enrollment.id, w));
    const underKeys = (keys: string[]) => ({ OR: keys.map((k) => ({ idempotencyKey: { startsWith: `${k}:` } })) });
    expect(await db.outboxMessage.count({ where: underKeys(oldKeys) })).toBe(0);
    expect(await db.outboxMessage.count({ where: { enrollmentId: enrollment.id, template: 'pathway-expired' } })).toBe(
      0,
    );
    const told = await db.outboxMessage.findMany({
      where: { enrollmentId: enrollment.id, template: 'programme-end-changed' },
    });
    expect(told.map((o) => o.toAddress).sort()).toEqual(
      [...req.participants.map((p) => p.email), req.consultant.email].sort(),
    );
    const mail = await catcher.waitFor((m) => m.to.includes(req.participants[0]!.email) && m.text.includes(decree));
    expect(mail.subject).toMatch(/prorogata/i);
    expect(mail.text).toContain('31 marzo 2028');

    // Then it expires at the new end, warned before it.
    const result = await handle.result();
    expect(result.status).toBe('expired');
    expect(result.history.find((h) => h.type === 'expired')!.at).toBeGreaterThanOrEqual(newEnd);
    const expired = await db.milestone.findFirstOrThrow({ where: { enrollmentId: enrollment.id, type: 'expired' } });
    expect(expired.occurredAt.getTime()).toBeGreaterThanOrEqual(newEnd);
    expect(expired.occurredAt.getTime()).toBeLessThan(newEnd + DAY);
    const changed = await db.milestone.findMany({
      where: { enrollmentId: enrollment.id, type: 'programme_end_changed' },
    });
    expect(changed.map((m) => m.note)).toEqual([`${decree}: ${oldEndsOn} -> ${newEndsOn}`]);
    const newKeys = [20, 5].map((w) => mailKeys.programmeEndWarningFor(enrollment.id, newEndsOn, w));
    const warnings = await db.outboxMessage.findMany({ where: underKeys(newKeys) });
    expect(warnings).toHaveLength(2 * 3);
    expect(warnings.every((w) => w.status === 'sent')).toBe(true);
    expect(
      await db.outboxMessage.count({ where: { enrollmentId: enrollment.id, template: 'programme-end-changed' } }),
    ).toBe(3);
  } finally {
    await stop();
  }
});

test('a shortening is refused unless forced, and then moves the due date and warns everyone affected', async () => {
  const { env, service, stop } = await stack('decree-shortening');
  try {
    const req = enrollRequest();
    const { enrollment } = await service.enroll(req);
    const handle = env.client.workflow.getHandle<typeof pathwayWorkflow>(enrollment.workflowId);
    await atRest(env, enrollment.workflowId);
    const before = await handle.query(getStateQuery);
    const dueAt = before.steps[0]!.dueAt!;
    // The new end falls before the intake step is due.
    const now = await env.currentTimeMs();
    const newEndsOn = new Date(now + 5 * DAY).toISOString().slice(0, 10);
    await expect(
      handle.executeUpdate(programmeEndChangedUpdate, { args: [{ newEndsOn, decree: 'DGR XII/1 del 01/01/2027' }] }),
    ).rejects.toMatchObject({ cause: { type: 'programme_shortening_not_forced' } });
    await expect(
      handle.executeUpdate(programmeEndChangedUpdate, { args: [{ newEndsOn: '2027-13-01', decree }] }),
    ).rejects.toMatchObject({ cause: { type: 'invalid_date' } });
    expect((await handle.query(getStateQuery)).steps[0]!.dueAt).toBe(dueAt);

    const state = await handle.executeUpdate(programmeEndChangedUpdate, {
      args: [{ newEndsOn, decree: 'DGR XII/1 del 01/01/2027', forced: true }],
    });
    expect(state.steps[0]!.dueAt).toBe(programmeHardEnd(newEndsOn));
    await atRest(env, enrollment.workflowId);
    const mail = await catcher.waitFor(
      (m) => m.to.includes(req.participants[1]!.email) && m.text.includes('DGR XII/1 del 01/01/2027'),
    );
    expect(mail.subject).toMatch(/brought forward/i);
    expect(mail.text).toMatch(/is now due earlier/);
    const result = await handle.result();
    expect(result.status).toBe('expired');
    expect(result.history.find((h) => h.type === 'expired')!.at).toBeLessThan(dueAt);
  } finally {
    await stop();
  }
});
