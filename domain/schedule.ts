/**
 * Due dates and reminder times of a step, computed from the catalogue entry, the working-day
 * calendar and the programme's hard end. Pure, so the workflow can call it deterministically.
 */
import { addWorkingDays, dueAtEndOfDay, localDateOf, parseIsoDate, workingDayAt, nextSendWindow } from './calendar';
import type { ReminderPolicy } from './catalogue';

export type NotificationType = 'reminder-before' | 'reminder-due-today' | 'overdue' | 'escalation';

export interface PlannedNotification {
  type: NotificationType;
  /** Epoch ms, always inside a send window (working day, office hours, Europe/Rome). */
  at: number;
  /** Working days before (negative) or after (positive) the due date; part of the idempotency key. */
  offset: number;
}

/** 18:00 Rome on the programme's last day: nothing may be due later. */
export function programmeHardEnd(endsOnIso: string): number {
  return dueAtEndOfDay(parseIsoDate(endsOnIso));
}

/** Due at close of office hours, `durationWorkingDays` working days after the step starts, capped by the programme end. */
export function stepDueAt(startedAt: number, durationWorkingDays: number, hardEnd: number, city?: string): number {
  const due = dueAtEndOfDay(addWorkingDays(localDateOf(startedAt), durationWorkingDays, city));
  return Math.min(due, hardEnd);
}

/** Every notification of one step, in time order; those already in the past at `from` are dropped. */
export function notificationPlan(
  policy: ReminderPolicy,
  dueAt: number,
  from: number,
  city?: string,
): PlannedNotification[] {
  const dueDay = localDateOf(dueAt);
  const morning = (offset: number) => nextSendWindow(workingDayAt(addWorkingDays(dueDay, offset, city), 9), city);
  const plan: PlannedNotification[] = [];
  for (const before of policy.beforeDueWorkingDays) {
    if (before > 0) plan.push({ type: 'reminder-before', at: morning(-before), offset: -before });
  }
  if (policy.onDueDay) plan.push({ type: 'reminder-due-today', at: morning(0), offset: 0 });
  plan.push({ type: 'overdue', at: morning(policy.overdueAfterWorkingDays), offset: policy.overdueAfterWorkingDays });
  plan.push({
    type: 'escalation',
    at: morning(policy.escalateAfterWorkingDays),
    offset: policy.escalateAfterWorkingDays,
  });
  return plan.filter((n) => n.at > from).sort((a, b) => a.at - b.at);
}

/** Working days before the programme's hard end at which open pathways are warned. */
export const PROGRAMME_END_WARNINGS_WORKING_DAYS = [20, 5] as const;

/** Morning send-window instants of the programme-end warnings still ahead of `from`. */
export function programmeWarningPlan(
  endsOnIso: string,
  from: number,
  city?: string,
): { workingDaysLeft: number; at: number }[] {
  const end = parseIsoDate(endsOnIso);
  return PROGRAMME_END_WARNINGS_WORKING_DAYS.map((w) => ({
    workingDaysLeft: w,
    at: nextSendWindow(workingDayAt(addWorkingDays(end, -w, city), 9), city),
  })).filter((x) => x.at > from);
}

/** Due date of a step, from its start, its duration and an optional deadline relative to the programme end. */
export function stepDueAtFor(
  step: { durationWorkingDays: number; dueWorkingDaysBeforeProgrammeEnd?: number },
  startedAt: number,
  endsOnIso: string,
  city?: string,
): number {
  const hardEnd = programmeHardEnd(endsOnIso);
  const due = stepDueAt(startedAt, step.durationWorkingDays, hardEnd, city);
  if (step.dueWorkingDaysBeforeProgrammeEnd === undefined) return due;
  const relative = dueAtEndOfDay(addWorkingDays(parseIsoDate(endsOnIso), -step.dueWorkingDaysBeforeProgrammeEnd, city));
  return Math.max(Math.min(due, relative), startedAt);
}
