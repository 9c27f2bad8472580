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
  programme: { code: string; endsOn: string };
  company: { name: string; city?: string };
  consultant: { name: string; email: string };
  participants: Recipient[];
  /** Set when the workflow continues as new: the state so far. */
  carried?: PathwayState;
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
}

export interface HistoryEntry {
  at: number;
  type: 'enrolled' | 'step-started' | 'step-completed' | 'notification' | 'completed' | 'expired';
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
}

export interface CompleteStepRequest {
  stepKey: string;
  actor: Actor;
  evidence?: string;
}

export const getStateQuery = defineQuery<PathwayState>('getState');
export const completeStepUpdate = defineUpdate<PathwayState, [CompleteStepRequest]>('completeStep');

export function pathwayWorkflowId(enrollmentId: string): string {
  return `pathway-${enrollmentId}`;
}
