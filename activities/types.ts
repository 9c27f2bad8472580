/**
 * The activity surface the workflows see. Workflows import these types only; the implementation
 * is built by createActivities(deps) with real dependencies injected.
 */
import type { Text } from '../domain/catalogue';
import type { Recipient } from '../workflows/messages';

export type TemplateName =
  | 'enrollment-welcome'
  | 'step-reminder'
  | 'step-overdue'
  | 'escalation-consultant'
  | 'step-completed'
  | 'pathway-completed'
  | 'programme-end-warning'
  | 'pathway-expired'
  | 'step-reopened'
  | 'due-date-extended'
  | 'consultant-assigned'
  | 'enrollment-withdrawn'
  | 'delivery-failed'
  | 'digest-consultant'
  | 'digest-coordinator'
  | 'report-delivery';

/** Context values: strings as they are, `{it, en}` picked by the recipient's locale, numbers under keys ending in "At" formatted as Rome date-times. */
export type ContextValue = string | number | boolean | Text | null | readonly unknown[];

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

export interface NotifyInput {
  /** Derived from what caused the message; one outbox row per (key, recipient). */
  key: string;
  /** Absent for messages about no single enrollment (digests, reports). */
  enrollmentId?: string;
  template: TemplateName;
  to: Recipient[];
  context: Record<string, ContextValue>;
  attachments?: MailAttachment[];
  /**
   * Stage the message for this moment (epoch ms) instead of sending it now: the outbox row waits
   * as `scheduled` and the dispatcher sends it when due. Pathways stage reminders ahead of time so
   * a burst due in the same minute leaves on time, whatever the Temporal backlog.
   */
  sendAt?: number;
}

export interface NotifyResult {
  sent: number;
  /** Folded into the recipient's daily digest instead of being sent alone. */
  digested?: number;
  alreadySent: number;
  failed: { email: string; reason: string }[];
  /** Staged for the dispatcher (NotifyInput.sendAt). */
  scheduled?: number;
}

export interface MilestoneInput {
  enrollmentId: string;
  /** Unique per enrollment: a retried activity writes nothing new. */
  eventKey: string;
  /** Position in the workflow's history; orders milestones written at the same instant. */
  seq: number;
  type:
    | 'enrolled'
    | 'step_completed'
    | 'completed'
    | 'expired'
    | 'withdrawn'
    | 'step_reopened'
    | 'due_extended'
    | 'consultant_assigned'
    | 'participation_confirmed';
  stepKey?: string;
  actor: string;
  occurredAt: number;
  dueAt?: number;
  onTime?: boolean;
  evidence?: string;
  note?: string;
  /** Projection of the pathway onto the enrollment row. */
  enrollment: {
    status: string;
    currentStep: string | null;
    /** Due date of the current step; absent from runs recorded before it was projected. */
    currentDueAt?: number | null;
    consultant?: { name: string; email: string };
  };
}

export interface PathwayActivities {
  recordMilestone(input: MilestoneInput): Promise<void>;
  notify(input: NotifyInput): Promise<NotifyResult>;
  /**
   * Withdraws staged messages that have not gone yet (their step changed before they were due).
   * `keys` are NotifyInput keys; rows already sent or being sent are left alone.
   */
  cancelScheduled(input: { keys: string[] }): Promise<{ cancelled: number }>;
}

/** Activities run by the scheduled workflows (digests and reports). */
export interface ScheduledActivities {
  sendConsultantDigests(run: import('./digests').DigestRun): Promise<import('./digests').DigestResult>;
  sendCoordinatorDigests(run: import('./digests').DigestRun): Promise<import('./digests').DigestResult>;
  sendMilestoneReport(
    run: import('./reports/deliver').ReportRun,
  ): Promise<import('./reports/deliver').ReportDeliveryResult>;
}
