/**
 * The reporting projection: milestones and the enrollment's status, written idempotently.
 */
import crypto from 'node:crypto';
import { dialectOfDb, directSqlOf, isUniqueViolation, type Db } from '../infra/db';
import { insertRows, join, sql, type Sql } from '../infra/direct-sql';
import { summaryStatements } from '../reports/milestone-summary';
import type { MilestoneInput } from './types';

export function createRecordActivities(db: Db) {
  return {
    async recordMilestone(input: MilestoneInput): Promise<void> {
      const terminal = input.enrollment.status !== 'active';
      const set: Sql[] = [
        sql`"status" = ${input.enrollment.status}`,
        sql`"currentStep" = ${input.enrollment.currentStep}`,
      ];
      if (input.enrollment.currentDueAt !== undefined)
        set.push(
          sql`"currentDueAt" = ${input.enrollment.currentDueAt === null ? null : new Date(input.enrollment.currentDueAt)}`,
        );
      if (input.enrollment.consultant)
        set.push(
          sql`"consultantEmail" = ${input.enrollment.consultant.email}`,
          sql`"consultantName" = ${input.enrollment.consultant.name}`,
        );
      if (terminal) set.push(sql`"completedAt" = ${new Date(input.occurredAt)}`);
      // A revived pathway is open again: it has no closing time any more.
      if (input.type === 'revived') set.push(sql`"completedAt" = ${null}`);
      // This attempt's own id: the summary statements find the row by it, so they count it only
      // when this insert really wrote it (reports/milestone-summary.ts).
      const id = `mil_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
      const [insert] = insertRows('Milestone', [
        {
          id,
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
        },
      ]);
      try {
        // One transaction: the milestone, the projection and the reports' summary land together or not
        // at all. Hand-written SQL straight to the driver adapter (infra/direct-sql.ts): the Update that
        // writes it waits for it, and Prisma's upsert cost more CPU than both statements. A retry
        // inserts nothing new, and its summary statements find no row with its id.
        await (
          await directSqlOf(db)
        ).transaction(
          [
            sql`UPDATE "Enrollment" SET ${join(set)} WHERE "id" = ${input.enrollmentId}`,
            sql`${insert!} ON CONFLICT ("enrollmentId", "eventKey") DO NOTHING`,
            ...summaryStatements(dialectOfDb(db), id),
          ],
          ([updated]) => {
            // As Prisma's update did: no enrollment, no milestone (the activity fails and retries).
            if (updated === 0) throw new Error(`recordMilestone: no enrollment ${input.enrollmentId}`);
          },
        );
      } catch (err) {
        // A concurrent retry inserted the same milestone first: the outcome is the same.
        if (!isUniqueViolation(err)) throw err;
      }
    },
  };
}
