/**
 * The reporting projection: milestones and the enrollment's status, written idempotently.
 */
import type { Db } from '../infra/db';
import { isUniqueViolation } from '../infra/db';
import type { MilestoneInput } from './types';

export function createRecordActivities(db: Db) {
  return {
    async recordMilestone(input: MilestoneInput): Promise<void> {
      const data = {
        enrollmentId: input.enrollmentId,
        eventKey: input.eventKey,
        seq: input.seq,
        type: input.type,
        stepKey: input.stepKey ?? null,
        actor: input.actor,
        occurredAt: new Date(input.occurredAt),
        dueAt: input.dueAt === undefined ? null : new Date(input.dueAt),
        onTime: input.onTime ?? null,
        evidence: input.evidence ?? null,
        note: input.note ?? null,
      };
      const terminal = input.enrollment.status !== 'active';
      try {
        // One transaction: the milestone and the projection land together or not at all.
        await db.$transaction([
          db.milestone.upsert({
            where: { enrollmentId_eventKey: { enrollmentId: input.enrollmentId, eventKey: input.eventKey } },
            create: data,
            update: {},
          }),
          db.enrollment.update({
            where: { id: input.enrollmentId },
            data: {
              status: input.enrollment.status,
              currentStep: input.enrollment.currentStep,
              ...(input.enrollment.currentDueAt !== undefined
                ? {
                    currentDueAt:
                      input.enrollment.currentDueAt === null ? null : new Date(input.enrollment.currentDueAt),
                  }
                : {}),
              ...(input.enrollment.consultant
                ? {
                    consultantEmail: input.enrollment.consultant.email,
                    consultantName: input.enrollment.consultant.name,
                  }
                : {}),
              ...(terminal ? { completedAt: new Date(input.occurredAt) } : {}),
              // A revived pathway is open again: it has no closing time any more.
              ...(input.type === 'revived' ? { completedAt: null } : {}),
            },
          }),
        ]);
      } catch (err) {
        // A concurrent retry inserted the same milestone first: the outcome is the same.
        if (!isUniqueViolation(err)) throw err;
      }
    },
  };
}
