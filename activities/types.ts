/**
 * The activity surface the workflows see. Workflows import these types only; the implementation
 * is built by createActivities(deps) with real dependencies injected.
 */
import type { Text } from '../domain/catalogue';
import type { Milestone } from '../domain/pathway';
import type { Recipient } from '../workflows/messages';
import type { ContextOf, TemplateName } from '../mail/messages';

export type { ContextOf, TemplateName };

/** Context values: strings as they are, `{it, en}` picked by the recipient's locale, numbers under keys ending in "At" formatted as Rome date-times. */
export type ContextValue = string | number | boolean | Text | null | readonly unknown[];

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

/** What every message to send carries, whatever its template. */
interface NotifyEnvelope {
  /** Derived from what caused the message; one outbox row per (key, recipient). */
  key: string;
  /** Absent for messages about no single enrollment (digests, reports). */
  enrollmentId?: string;
  to: Recipient[];
  attachments?: MailAttachment[];
  /**
   * Stage the message for this moment (epoch ms) instead of sending it now: the outbox row waits
   * as `scheduled` and the dispatcher sends it when due. Pathways stage reminders ahead of time so
   * a burst due in the same minute leaves on time, whatever the Temporal backlog.
   */
  sendAt?: number;
  /**
   * The roles of the firm's participants the message is for (a step's reminders: those the step
   * involves). The outbox resolves the participants from the database when it writes the rows, so
   * one added to a running pathway is reached and one removed is not; absent, a message addressed to
   * participants reaches every current one (runs started before roles existed).
   */
  participantRoles?: string[];
}

/**
 * A message to send: its template and the context that template's declaration asks for
 * (mail/messages/<template>.ts), as a union over N discriminated by `template`, so a
 * wrong or missing variable fails `tsc`. `NotifyInput<TemplateName>` is any message.
 *
 * Without N, the envelope the workflows hand over (UntypedNotifyInput): the pathway's emails are
 * built by the Pathway entity (domain/pathway.ts), whose `notice()` checks each context against
 * ContextOf<template> where it is written, so the workflow only carries them to the activity.
 */
export type NotifyInput<N extends TemplateName = never> = [N] extends [never]
  ? UntypedNotifyInput
  : { [K in N]: NotifyEnvelope & { template: K; context: ContextOf<K> } }[N];

/** Any template with any context: what the workflows' proxy of `notify` accepts (the serialized shape is the same). */
export type UntypedNotifyInput = NotifyEnvelope & { template: TemplateName; context: Record<string, ContextValue> };

export interface NotifyResult {
  sent: number;
  /** Folded into the recipient's daily digest instead of being sent alone. */
  digested?: number;
  alreadySent: number;
  failed: { email: string; reason: string }[];
  /** Staged for the dispatcher (NotifyInput.sendAt). */
  scheduled?: number;
}

/**
 * The recordMilestone activity's input: the entity's Milestone (domain/pathway.ts), with its
 * projection read as recorded histories carry it (status as stored; `currentDueAt` absent from
 * runs recorded before it was projected).
 */
export interface MilestoneInput extends Omit<Milestone, 'enrollment'> {
  enrollment: Omit<Milestone['enrollment'], 'status' | 'currentDueAt'> & {
    status: string;
    currentDueAt?: number | null;
  };
}

export interface PathwayActivities {
  recordMilestone(input: MilestoneInput): Promise<void>;
  /** Implemented for the typed NotifyInput<TemplateName>; the workflows pass contexts typed where the entity built them. */
  notify(input: UntypedNotifyInput): Promise<NotifyResult>;
  /**
   * Withdraws staged messages that have not gone yet (their step changed before they were due).
   * `keys` are NotifyInput keys; rows already sent or being sent are left alone.
   */
  cancelScheduled(input: { keys: string[] }): Promise<{ cancelled: number }>;
}

/** One open pathway of an edition, as the decree fan-out reaches it. */
export interface DecreeTarget {
  enrollmentId: string;
  workflowId: string;
}

/** The decree a fan-out tells every open pathway of its edition. */
export interface DecreeDelivery {
  programmeCode: string;
  decreeId: string;
  decree: string;
  newEndsOn: string;
  forced: boolean;
  /** Updates in flight at once (default 20). */
  concurrency?: number;
}

export interface DecreeDeliveryResult {
  /** The last enrollment id of the page (the next page starts after it); null when none. */
  cursor: string | null;
  /** Pathways in the page. */
  count: number;
  done: number;
  refused: number;
  /** Not reached (no answer in time, not started yet): tried again later. */
  failed: (DecreeTarget & { reason: string })[];
}

/** Activities of the decree fan-out (activities/decree.ts). */
export interface DecreeActivities {
  countOpenPathways(input: { programmeCode: string }): Promise<number>;
  deliverDecreePage(input: DecreeDelivery & { after: string | null; limit: number }): Promise<DecreeDeliveryResult>;
  deliverDecreeTo(input: DecreeDelivery & { targets: DecreeTarget[] }): Promise<DecreeDeliveryResult>;
}

/** Activities run by the scheduled workflows (digests and reports). */
/** The anonymisation after an edition's retention period (client/anonymise.ts). */
export interface AnonymiseActivities {
  anonymiseEndedEditions(run: { asOf: number }): Promise<AnonymiseResult>;
}

export interface AnonymiseResult {
  participants: number;
  messages: number;
  programmes: string[];
}

export interface ScheduledActivities {
  sendConsultantDigests(run: import('./digests').DigestRun): Promise<import('./digests').DigestResult>;
  sendCoordinatorDigests(run: import('./digests').DigestRun): Promise<import('./digests').DigestResult>;
  sendMilestoneReport(
    run: import('./report-delivery').ReportRun,
  ): Promise<import('./report-delivery').ReportDeliveryResult>;
}
