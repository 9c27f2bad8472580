/**
 * Every idempotency key a pathway makes: the event key of each milestone (unique per enrollment in
 * the projection, so a retried activity writes nothing new) and the outbox key of each email (one
 * row per key and recipient, so nothing is sent twice). Running pathways have recorded these keys
 * in their state (`sent`, `staged`) and the database holds rows under them: a template here never
 * changes; a new cause gets a new function. Anything outside the workflow that needs one of these
 * keys (a test, a repair script) builds it here rather than by hand.
 */

/** A step's reopen count and re-plan count (absent: 0); part of the keys so a new round is told anew. */
interface StepRound {
  key: string;
  round?: number;
  plan?: number;
}

export const milestoneKeys = {
  enrolled: () => 'enrolled',
  stepCompleted: ({ key, round = 0 }: StepRound) => (round === 0 ? `step:${key}` : `step:${key}:r${round}`),
  stepReopened: ({ key, round = 0 }: StepRound) => `reopen:${key}:${round}`,
  dueExtended: ({ key, round = 0, plan = 0 }: StepRound) => `extend:${key}:r${round}p${plan}`,
  /** `n`: this is the n-th assignment of the pathway (1-based). */
  consultantAssigned: (n: number) => `assign:${n}`,
  participationConfirmed: () => 'confirmed',
  withdrawn: () => 'withdrawn',
  expired: () => 'expired',
  /** An expiry after the n-th revival (1-based): the first expiry's row stays as it was. */
  expiredAfterRevival: (n: number) => `expired:r${n}`,
  /** The n-th revival (1-based) by an admin. */
  revived: (n: number) => `revived:${n}`,
  completed: () => 'completed',
  /** One per decree: the same decree applied again writes nothing new. */
  programmeEndChanged: (decree: string) => `programme-end:${decree}`,
} as const;

export const mailKeys = {
  welcome: (enrollmentId: string) => `${enrollmentId}:welcome`,
  stepCompleted: (enrollmentId: string, { key, round = 0 }: StepRound) =>
    round === 0 ? `${enrollmentId}:step-completed:${key}` : `${enrollmentId}:step-completed:${key}:r${round}`,
  stepReopened: (enrollmentId: string, { key, round = 0 }: StepRound) => `${enrollmentId}:reopened:${key}:${round}`,
  dueExtended: (enrollmentId: string, { key, round = 0, plan = 0 }: StepRound) =>
    `${enrollmentId}:extended:${key}:r${round}p${plan}`,
  consultantAssigned: (enrollmentId: string, n: number) => `${enrollmentId}:assigned:${n}`,
  withdrawn: (enrollmentId: string) => `${enrollmentId}:withdrawn`,
  completed: (enrollmentId: string) => `${enrollmentId}:completed`,
  expired: (enrollmentId: string) => `${enrollmentId}:expired`,
  expiredAfterRevival: (enrollmentId: string, n: number) => `${enrollmentId}:expired:r${n}`,
  revived: (enrollmentId: string, n: number) => `${enrollmentId}:revived:${n}`,
  /**
   * A reminder, overdue notice or escalation of one step. The first plan of a step keeps the short
   * form (the only one the first engine ever made); a reopened or extended step is planned anew.
   */
  stepNotification: (enrollmentId: string, { key, round = 0, plan = 0 }: StepRound, type: string, offset: number) =>
    round === 0 && plan === 0
      ? `${enrollmentId}:${key}:${type}:${offset}`
      : `${enrollmentId}:${key}:r${round}p${plan}:${type}:${offset}`,
  programmeEndWarning: (enrollmentId: string, workingDaysLeft: number) =>
    `${enrollmentId}:programme-end:${workingDaysLeft}`,
  /** A warning before an end a decree set: a new end is warned of anew, whatever went before the old one. */
  programmeEndWarningFor: (enrollmentId: string, endsOn: string, workingDaysLeft: number) =>
    `${enrollmentId}:programme-end:${endsOn}:${workingDaysLeft}`,
  programmeEndChanged: (enrollmentId: string, decree: string) => `${enrollmentId}:programme-end-changed:${decree}`,
  /** Programme-end warnings belong to the pathway, not to a step: a step's change leaves them staged. */
  isProgrammeEndWarning: (enrollmentId: string, key: string) => key.startsWith(`${enrollmentId}:programme-end:`),
} as const;
