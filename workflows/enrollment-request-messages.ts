/** The request workflow's messages, shared by the workflow and the API (no workflow code here). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export interface DecisionActor {
  id: string;
  role: string;
  name: string;
}

/** The coordinator's (or an admin's) decision on a confirmed request. */
export type RequestDecision =
  | { decision: 'accept'; consultantEmail: string; by: DecisionActor }
  | { decision: 'decline'; reason: string; by: DecisionActor };

export interface RequestOutcome {
  status: 'accepted' | 'declined';
  enrollmentId: string | null;
  consultantEmail: string | null;
  reason: string | null;
}

export interface RequestWorkflowInput {
  requestId: string;
  /** When the declarant confirmed the address (epoch ms): reminder and escalation count from it. */
  confirmedAt: number;
  /** Working days before the coordinators' reminder and the escalation to the Region. */
  remindAfterWorkingDays?: number;
  escalateAfterWorkingDays?: number;
}

export const decideUpdate = defineUpdate<RequestOutcome, [RequestDecision]>('decide');
export const decideSignal = defineSignal<[RequestDecision]>('decide');
export const requestStageQuery = defineQuery<'waiting' | 'reminded' | 'escalated' | 'deciding' | 'decided'>('stage');

export const requestWorkflowId = (requestId: string) => `request-${requestId}`;
