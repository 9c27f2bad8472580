/**
 * Every pathway kind of the catalogue, on the time-skipping server with real activities: one run
 * from enrollment to completion, one left alone until the programme's hard end.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { createService, type Service } from '../../client/service';
import { isWithinSendWindow } from '../../domain/calendar';
import { CATALOGUE } from '../../domain/catalogue';
import { findProgramme } from '../../domain/programmes';
import { programmeHardEnd } from '../../domain/schedule';
import type { pathwayWorkflow } from '../../workflows/pathway';
import {
  atRest,
  requestForKind,
  backgroundWorker,
  closedResult,
  startTimeSkippingStack,
  stopTimeSkippingStack,
} from '../support/fixtures';

let env: TestWorkflowEnvironment;
let db: Db;
let catcher: MailCatcher;
let service: Service;
let worker: Awaited<ReturnType<typeof startTimeSkippingStack>>['worker'];
const taskQueue = 'catalogue-test';
const hardEnd = programmeHardEnd(findProgramme('demo-2026-2027')!.endsOn);

beforeAll(async () => {
  ({ env, db, catcher, worker, service } = await startTimeSkippingStack(taskQueue));
});

afterAll(() => stopTimeSkippingStack({ env, db, catcher, worker }));

const kinds = Object.values(CATALOGUE);

test.each(kinds.map((d) => [d.kind, d] as const))('%s: enrollment to completion', async (_kind, definition) => {
  const { enrollment } = await service.enroll(requestForKind(definition.kind));
  expect(enrollment.catalogueVersion).toBe(definition.version);
  for (const step of definition.steps) {
    await atRest(env, enrollment.workflowId);
    await env.sleep('4 days');
    const role = step.completedBy.includes('consultant') ? 'consultant' : step.completedBy[0]!;
    await service.completeStep(enrollment.id, {
      stepKey: step.key,
      actor: { role, id: `${role}@test.it` },
      evidence: step.evidence ? `DOC-${step.key}` : undefined,
    });
  }
  const state = await closedResult(env, enrollment.workflowId);
  expect(state.status).toBe('completed');
  expect(state.steps.every((s) => s.status === 'done' && s.dueAt! <= hardEnd)).toBe(true);
  const row = await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } });
  expect(row.status).toBe('completed');
  expect(await db.milestone.count({ where: { enrollmentId: enrollment.id, type: 'step_completed' } })).toBe(
    definition.steps.length,
  );
});

// Each kind gets its own server: waiting on a result lets the clock run to the programme end,
// and afterwards the server's clock leaps years ahead, so no later enrollment could share it.
test.each(kinds.map((d) => [d.kind, d] as const))(
  '%s: left open, it is warned before the programme end and then expires',
  async (_kind, definition) => {
    const own = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: process.env.CF_TEST_SERVER! } },
    });
    const ownQueue = `expiry-${definition.kind}`;
    const ownWorker = await backgroundWorker({ connection: own.nativeConnection, taskQueue: ownQueue, db, catcher });
    try {
      const ownService = createService({ db, temporal: own.client, taskQueue: ownQueue });
      const req = requestForKind(definition.kind);
      const { enrollment } = await ownService.enroll(req);
      const state = await own.client.workflow.getHandle<typeof pathwayWorkflow>(enrollment.workflowId).result();
      expect(state.status).toBe('expired');
      const row = await db.enrollment.findUniqueOrThrow({
        where: { id: enrollment.id },
        include: { milestones: true },
      });
      expect(row.status).toBe('expired');
      expect(row.milestones.map((m) => m.type)).toEqual(expect.arrayContaining(['enrolled', 'expired']));
      // Every notification went out on a working day in office hours, and none after the hard end.
      const notes = state.history.filter((h) => h.type === 'notification');
      expect(notes.length).toBeGreaterThanOrEqual(definition.reminders.beforeDueWorkingDays.length + 3);
      for (const n of notes) {
        expect(isWithinSendWindow(n.at, req.company.city)).toBe(true);
        expect(n.at).toBeLessThan(hardEnd);
      }
      const to = req.participants[0]!.email;
      const outbox = await db.outboxMessage.findMany({ where: { enrollmentId: enrollment.id, toAddress: to } });
      const templates = outbox.map((o) => o.template);
      expect(templates.filter((t) => t === 'programme-end-warning')).toHaveLength(2);
      expect(templates).toContain('pathway-expired');
      expect(templates).toContain('step-overdue');
      expect(outbox.every((o) => o.status === 'sent')).toBe(true);
      const escalation = await db.outboxMessage.findMany({
        where: { enrollmentId: enrollment.id, template: 'escalation-consultant' },
      });
      expect(escalation.map((e) => e.toAddress)).toEqual([req.consultant.email]);
      const expiredRow = outbox.find((o) => o.template === 'pathway-expired')!;
      const expiredMail = await catcher.waitFor((m) => m.messageId === expiredRow.messageId);
      expect(expiredMail.to).toEqual([to]);
      expect(expiredMail.text).toContain(req.company.name);
    } finally {
      await ownWorker.stop();
      await own.teardown();
    }
  },
);
