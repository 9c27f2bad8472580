/**
 * Messages of the pathway workflow, shared by the worker and every client (API, CLI, dashboard).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  Actor,
  Milestone,
  PathwayState,
  PathwayStatus,
  PathwayTerms,
  RevivalRequest,
  StepState,
} from '../domain/pathway';

export const TASK_QUEUE_DEFAULT = 'conciliaflow';

// The pathway's state belongs to its entity; the messages carry it as is.
export type { Actor, HistoryEntry, PathwayState, PathwayStatus, Recipient, StepState } from '../domain/pathway';

/** What the pathway is about (the entity's terms), and how this run carries on. */
export interface PathwayInput extends Omit<PathwayTerms, 'definition'> {
  /**
   * The catalogue version the pathway follows, by reference: the workflow reads the definition from
   * the published versions it is built with (domain/catalogue-history.ts), which never change once
   * published (test/unit/catalogue-frozen.test.ts). Runs started before carry `definition` instead.
   */
  catalogue?: { kind: string; version: number };
  /** The definition itself, as runs started before `catalogue` carry it (and tests may pass it). */
  definition?: PathwayTerms['definition'];
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
  /**
   * With `carried`, the closed state of a pathway that expired: this run revives it (an admin's
   * POST /enrollments/{id}/revive) before carrying on. Never carried into a continued run.
   */
  revival?: RevivalRequest;
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

/** The pathway as it stood just before a change: what an audit entry keeps as "before". */
export interface PathwayBefore {
  status: PathwayStatus;
  currentStep: string | null;
  steps: Pick<StepState, 'key' | 'status' | 'dueAt'>[];
}

/**
 * A decree moved the edition's end (sent by the decree fan-out, one per open pathway). The pathway
 * re-plans its due date, warnings and expiry; the same decree sent again changes nothing.
 */
export interface ProgrammeEndChangedRequest {
  /** The new last day, ISO YYYY-MM-DD (Europe/Rome). */
  newEndsOn: string;
  /** The decree as the Region names it, e.g. "DGR XI/1017 del 17/12/2018". */
  decree: string;
  /** An earlier end (a shortening) is refused unless forced. */
  forced?: boolean;
}

/**
 * What every action Update answers: the state after the change (a PathwayState, as before), with
 * the change itself, so the caller needs no Query and no read-back. `change` is absent from
 * workers that predate it; a client then reads the projection and the state itself.
 */
export interface PathwayAnswer extends PathwayState {
  change?: {
    before: PathwayBefore;
    /** The milestones the Update wrote to the projection before answering, in order. */
    milestones: Milestone[];
  };
}

export const getStateQuery = defineQuery<PathwayState>('getState');
export const completeStepUpdate = defineUpdate<PathwayAnswer, [CompleteStepRequest]>('completeStep');

export const reopenStepUpdate = defineUpdate<PathwayAnswer, [ReopenStepRequest]>('reopenStep');
export const extendDueDateUpdate = defineUpdate<PathwayAnswer, [ExtendDueDateRequest]>('extendDueDate');
export const assignConsultantUpdate = defineUpdate<PathwayAnswer, [AssignConsultantRequest]>('assignConsultant');
export const withdrawUpdate = defineUpdate<PathwayAnswer, [WithdrawRequest]>('withdraw');
export const confirmParticipationUpdate = defineUpdate<PathwayAnswer, [ConfirmParticipationRequest]>(
  'confirmParticipation',
);

export const programmeEndChangedUpdate = defineUpdate<PathwayState, [ProgrammeEndChangedRequest]>(
  'programmeEndChanged',
);

/** What the decree fan-out (workflows/programme-decree.ts) is given: one recorded ProgrammeDecree. */
export interface DecreeFanOutInput {
  taskQueue: string;
  programmeCode: string;
  decreeId: string;
  decree: string;
  /** Null for an edition that had no end on record. */
  previousEndsOn: string | null;
  newEndsOn: string;
  forced: boolean;
}

/** How far the fan-out has come: pathways told (or already knowing), refused, and not reached yet. */
export interface DecreeProgress {
  /** Open pathways of the edition when the fan-out began. */
  total: number;
  /** Pathways that have applied the decree (or had already). */
  done: number;
  /** Pathways not reached yet; retried later. */
  failed: number;
  /** Pathways that answered with a refusal (closed meanwhile, or an engine that cannot move its end). */
  refused: number;
  phase: 'paging' | 'retrying' | 'finished';
}

export const decreeProgressQuery = defineQuery<DecreeProgress>('progress');

export function pathwayWorkflowId(enrollmentId: string): string {
  return `pathway-${enrollmentId}`;
}
