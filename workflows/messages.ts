/**
 * Messages of the pathway workflow, shared by the worker and every client (API, CLI, dashboard).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ActorRole, PathwayDefinition, Text } from '../domain/catalogue';

export const TASK_QUEUE_DEFAULT = 'conciliaflow';

export interface Recipient {
  name: string;
  email: string;
  locale: 'it' | 'en';
}

export interface Actor {
  role: ActorRole;
  /** Email or user id of the person acting; recorded in every milestone. */
  id: string;
  name?: string;
}

export interface PathwayInput {
  enrollmentId: string;
  definition: PathwayDefinition;
  programme: { code: string; endsOn: string; name?: string };
  company: { name: string; city?: string };
  consultant: { name: string; email: string };
  participants: Recipient[];
  /** Set when the workflow continues as new: the state so far. */
  carried?: PathwayState;
  /** Continue as new once the history has this many events (default 2000); tests set it low. */
  continueAsNewAfterEvents?: number;
  /**
   * Stage each reminder and programme-end warning in the outbox this long before it is due, for
   * the dispatcher to send on time (REMINDER_LEAD_MINUTES). Absent or 0: each is sent by its own
   * activity when its timer fires (runs started before staging existed).
   */
  reminderLeadMs?: number;
}

export type PathwayStatus = 'active' | 'completed' | 'withdrawn' | 'expired';

export interface StepState {
  key: string;
  name: Text;
  status: 'pending' | 'active' | 'done';
  startedAt?: number;
  dueAt?: number;
  completedAt?: number;
  completedBy?: Actor;
  evidence?: string;
  onTime?: boolean;
  /** Times the step was reopened; part of notification keys so a reopened step is reminded again. */
  round?: number;
  /** Times its due date was re-planned (extension); idem. */
  plan?: number;
  /** When the current reminder plan was made (start, reopen or extension). */
  plannedFrom?: number;
}

export interface HistoryEntry {
  at: number;
  type:
    | 'enrolled'
    | 'step-started'
    | 'step-completed'
    | 'notification'
    | 'completed'
    | 'expired'
    | 'step-reopened'
    | 'due-extended'
    | 'consultant-assigned'
    | 'withdrawn'
    | 'participation-confirmed';
  stepKey?: string;
  actor?: Actor;
  detail?: string;
}

export interface PathwayState {
  enrollmentId: string;
  kind: string;
  catalogueVersion: number;
  status: PathwayStatus;
  currentStep: string | null;
  steps: StepState[];
  history: HistoryEntry[];
  /** Idempotency keys of notifications already sent, so a replay or continue-as-new never repeats one. */
  sent: string[];
  /** The consultant now following the pathway (absent in runs started before reassignment existed). */
  consultant?: { name: string; email: string };
  confirmedAt?: number;
  /** How many runs (continue-as-new) this pathway has lived through. */
  runs?: number;
  /** Messages staged in the outbox and the time each is due: withdrawn if the pathway moves first. */
  staged?: { key: string; at: number }[];
}

export interface CompleteStepRequest {
  stepKey: string;
  actor: Actor;
  evidence?: string;
}

export interface ReopenStepRequest {
  stepKey: string;
  reason: string;
  actor: Actor;
}

export interface ExtendDueDateRequest {
  stepKey: string;
  /** New due day, ISO YYYY-MM-DD (Europe/Rome); the step is due at close of office hours. */
  newDueDate: string;
  reason: string;
  actor: Actor;
}

export interface AssignConsultantRequest {
  consultant: { name: string; email: string };
  actor: Actor;
}

export interface WithdrawRequest {
  reason: string;
  actor: Actor;
}

export interface ConfirmParticipationRequest {
  actor: Actor;
}

export const getStateQuery = defineQuery<PathwayState>('getState');
export const completeStepUpdate = defineUpdate<PathwayState, [CompleteStepRequest]>('completeStep');

export const reopenStepUpdate = defineUpdate<PathwayState, [ReopenStepRequest]>('reopenStep');
export const extendDueDateUpdate = defineUpdate<PathwayState, [ExtendDueDateRequest]>('extendDueDate');
export const assignConsultantUpdate = defineUpdate<PathwayState, [AssignConsultantRequest]>('assignConsultant');
export const withdrawUpdate = defineUpdate<PathwayState, [WithdrawRequest]>('withdraw');
export const confirmParticipationUpdate = defineUpdate<PathwayState, [ConfirmParticipationRequest]>(
  'confirmParticipation',
);

export function pathwayWorkflowId(enrollmentId: string): string {
  return `pathway-${enrollmentId}`;
}
