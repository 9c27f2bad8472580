/**
 * The message registry: one declaration per email (messages/<name>.ts), collected here. The name
 * of a message, its context type and every per-message table the service uses follow from it.
 */
import type { z } from 'zod';
import accountInvitation from './account-invitation';
import consultantAssigned from './consultant-assigned';
import type { MessageDefinition } from './define';
import deliveryFailed from './delivery-failed';
import digestConsultant from './digest-consultant';
import digestCoordinator from './digest-coordinator';
import dueDateExtended from './due-date-extended';
import enrollmentWelcome from './enrollment-welcome';
import enrollmentWithdrawn from './enrollment-withdrawn';
import escalationConsultant from './escalation-consultant';
import passwordReset from './password-reset';
import pathwayCompleted from './pathway-completed';
import pathwayExpired from './pathway-expired';
import pathwayRevived from './pathway-revived';
import programmeEndChanged from './programme-end-changed';
import programmeEndWarning from './programme-end-warning';
import reportDelivery from './report-delivery';
import requestConfirm from './request-confirm';
import requestEscalated from './request-escalated';
import requestOutcome from './request-outcome';
import requestReceived from './request-received';
import stepCompleted from './step-completed';
import stepOverdue from './step-overdue';
import stepReminder from './step-reminder';
import stepReopened from './step-reopened';

const DEFINITIONS = [
  enrollmentWelcome,
  stepReminder,
  stepOverdue,
  escalationConsultant,
  stepCompleted,
  pathwayCompleted,
  programmeEndWarning,
  pathwayExpired,
  stepReopened,
  dueDateExtended,
  consultantAssigned,
  enrollmentWithdrawn,
  programmeEndChanged,
  pathwayRevived,
  deliveryFailed,
  digestConsultant,
  digestCoordinator,
  reportDelivery,
  accountInvitation,
  passwordReset,
  requestConfirm,
  requestReceived,
  requestEscalated,
  requestOutcome,
] as const;

type Definition = (typeof DEFINITIONS)[number];
export type Messages = { readonly [D in Definition as D['name']]: D };
export type TemplateName = keyof Messages;
/** What a sender passes as the context of message N, before the outbox localises it. */
export type ContextOf<N extends TemplateName> = z.input<Messages[N]['context']>;

export const MESSAGES = Object.freeze(Object.fromEntries(DEFINITIONS.map((d) => [d.name, d]))) as Messages;
export const MESSAGE_NAMES: readonly TemplateName[] = DEFINITIONS.map((d) => d.name);

/** The declaration of a message, or undefined for a name that is none (a row's template, a CLI argument). */
export function messageOf(name: string): MessageDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(MESSAGES, name)
    ? (MESSAGES[name as TemplateName] as MessageDefinition)
    : undefined;
}

export const isTemplateName = (name: string): name is TemplateName => messageOf(name) !== undefined;

export * from './define';
export { DIGEST_STATUSES, type DigestStatus } from './digest-consultant';
