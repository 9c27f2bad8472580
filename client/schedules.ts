/**
 * The Temporal Schedules of the service, created idempotently at start-up: an existing schedule
 * is left as it is (paused stays paused; an operator's change is kept). Times are Europe/Rome.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { Db } from '../infra/db';
import { DomainError } from '../domain/errors';
import { audit, type AuditActor } from './audit';
import type { Logger } from 'pino';
import { ATS_NETWORKS } from '../domain/territory';
import { toRomeLocal } from '../domain/calendar';
import type { LocalizedMessage } from '../domain/errors';
import {
  MONTHLY_REPORT_RULE,
  monthlyReportCalendars,
  monthlyReportNote,
  monthlyReportRunAt,
} from '../domain/report-calendar';

const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;
/** Years of monthly runs the regional report's calendar lists ahead; start-up extends it. */
const REGION_REPORT_YEARS = 10;

/**
 * The regional report's calendar: one entry a month, on the 1st or, when the 1st is a holiday or a
 * weekend, the next working day (domain/report-calendar.ts), from this year on.
 */
export function regionReportSpec(now = Date.now()): ScheduleOptions['spec'] {
  const calendars = monthlyReportCalendars(toRomeLocal(now).year, REGION_REPORT_YEARS).map((c) => ({
    ...c,
    month: MONTHS[c.month - 1]!,
  }));
  return { calendars, timezone: 'Europe/Rome' };
}

/** Whether a stored spec was built by the current rule and still reaches far enough ahead. */
function regionSpecIsCurrent(calendars: readonly { comment?: string; year?: unknown }[], now: number): boolean {
  const ours = calendars.filter((c) => c.comment?.startsWith(MONTHLY_REPORT_RULE));
  if (ours.length === 0 || ours.length !== calendars.length) return false;
  const years = ours
    .flatMap((c) => (Array.isArray(c.year) ? c.year : [c.year]))
    .map((y) => {
      const v = y as number | { start?: number; end?: number } | undefined;
      return typeof v === 'number' ? v : (v?.end ?? v?.start ?? 0);
    });
  return Math.max(...years) >= toRomeLocal(now).year + REGION_REPORT_YEARS / 2;
}
import { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from '../workflows/scheduled';
import { anonymiseWorkflow } from '../workflows/anonymise';

export const SCHEDULE_PREFIX = 'conciliaflow-';
export const REGION_REPORT_SCHEDULE = `${SCHEDULE_PREFIX}report-region`;

const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] as const;

/** What each schedule does and when; ids are stable so start-up can find them again. */
export function scheduleDefinitions(taskQueue: string): ScheduleOptions[] {
  const common = {
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      // A server or worker that was down at the hour runs a missed digest or report once, within a day.
      catchupWindow: '1 day' as const,
    },
  };
  return [
    {
      scheduleId: `${SCHEDULE_PREFIX}digest-consultants`,
      spec: { calendars: [{ dayOfWeek: [...WEEKDAYS], hour: 8, minute: 0 }], timezone: 'Europe/Rome' },
      action: {
        type: 'startWorkflow',
        workflowType: consultantDigestWorkflow,
        args: [],
        taskQueue,
        workflowId: 'digest-consultants',
      },
      memo: { description: 'Daily digest to each consultant with due or overdue steps (working days, 08:00)' },
      ...common,
    },
    {
      scheduleId: `${SCHEDULE_PREFIX}digest-coordinators`,
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 8, minute: 30 }], timezone: 'Europe/Rome' },
      action: {
        type: 'startWorkflow',
        workflowType: coordinatorDigestWorkflow,
        args: [],
        taskQueue,
        workflowId: 'digest-coordinators',
      },
      memo: { description: "Weekly digest of each network's overdue pathways to its coordinators (Monday 08:30)" },
      ...common,
    },
    ...ATS_NETWORKS.map((ats): ScheduleOptions => ({
      scheduleId: `${SCHEDULE_PREFIX}report-${ats.code}`,
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 7, minute: 0 }], timezone: 'Europe/Rome' },
      action: {
        type: 'startWorkflow',
        workflowType: milestoneReportWorkflow,
        args: [{ scope: 'network', atsCode: ats.code }],
        taskQueue,
        workflowId: `report-${ats.code}`,
      },
      memo: { description: `Weekly milestone report of ${ats.name} to its coordinators (Monday 07:00)` },
      ...common,
    })),
    {
      scheduleId: `${SCHEDULE_PREFIX}report-region`,
      spec: regionReportSpec(),
      action: {
        type: 'startWorkflow',
        workflowType: milestoneReportWorkflow,
        args: [{ scope: 'region' }],
        taskQueue,
        workflowId: 'report-region',
      },
      memo: {
        description:
          'Monthly milestone report of every network to the Region (1st of the month, 07:00; the next working day when the 1st is a holiday or a weekend)',
      },
      ...common,
    },
    {
      scheduleId: `${SCHEDULE_PREFIX}anonymise`,
      spec: { calendars: [{ hour: 3, minute: 0 }], timezone: 'Europe/Rome' },
      action: {
        type: 'startWorkflow',
        workflowType: anonymiseWorkflow,
        args: [],
        taskQueue,
        workflowId: 'anonymise',
      },
      memo: {
        description:
          "Participants' personal data replaced by placeholders ANONYMISE_AFTER_DAYS after their edition ends (daily, 03:00)",
      },
      ...common,
    },
  ];
}

/** Creates the missing schedules; returns the ids created and those already there. */
export async function ensureSchedules(
  client: Client,
  taskQueue: string,
  logger?: Logger,
): Promise<{ created: string[]; existing: string[] }> {
  const created: string[] = [];
  const existing: string[] = [];
  for (const def of scheduleDefinitions(taskQueue)) {
    try {
      await client.schedule.create(def);
      created.push(def.scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      existing.push(def.scheduleId);
      if (def.scheduleId === REGION_REPORT_SCHEDULE) await refreshRegionSpec(client, logger);
    }
  }
  logger?.info({ created: created.length, existing: existing.length }, 'schedules ready');
  return { created, existing };
}

/**
 * A regional report schedule made before the working-day rule (a plain "1st of the month"), or whose
 * calendar runs out within five years, gets the current calendar; its state (paused, note) and
 * everything else are kept.
 */
async function refreshRegionSpec(client: Client, logger?: Logger): Promise<void> {
  const handle = client.schedule.getHandle(REGION_REPORT_SCHEDULE);
  const now = Date.now();
  const d = await handle.describe();
  if (regionSpecIsCurrent(d.spec.calendars ?? [], now)) return;
  await handle.update((prev) => ({ ...prev, spec: regionReportSpec(now) }));
  logger?.info({ scheduleId: REGION_REPORT_SCHEDULE }, 'regional report calendar updated to the working-day rule');
}

export interface ScheduleView {
  id: string;
  description: string;
  paused: boolean;
  note: string | null;
  nextRuns: string[];
  /** Per next run: why it is not on its usual day (a holiday moved it), or null. */
  nextRunNotes: (LocalizedMessage | null)[];
  recentRuns: string[];
}

function runNote(scheduleId: string, at: Date): LocalizedMessage | null {
  if (scheduleId !== REGION_REPORT_SCHEDULE) return null;
  const run = monthlyReportRunAt(at.getTime());
  const it = monthlyReportNote(run, 'it');
  const en = monthlyReportNote(run, 'en');
  return it && en ? { it, en } : null;
}

export async function listSchedules(client: Client): Promise<ScheduleView[]> {
  const out: ScheduleView[] = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith(SCHEDULE_PREFIX)) continue;
    const d = await client.schedule.getHandle(s.scheduleId).describe();
    out.push({
      id: s.scheduleId,
      description: String((d.memo as Record<string, unknown> | undefined)?.description ?? ''),
      paused: d.state.paused,
      note: d.state.note ?? null,
      nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
      nextRunNotes: d.info.nextActionTimes.slice(0, 3).map((t) => runNote(s.scheduleId, t)),
      recentRuns: d.info.recentActions.slice(-3).map((a) => a.takenAt.toISOString()),
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export type ScheduleAction = 'pause' | 'unpause' | 'trigger';

/**
 * Pauses, resumes or triggers one schedule, audited with its state before and after (the API's
 * POST /schedules/:id/:action and the console share it). Unknown schedule: `schedule_not_found`.
 */
export async function controlSchedule(
  client: Client,
  db: Db,
  actor: AuditActor & { email: string },
  id: string,
  action: ScheduleAction,
  note?: string,
): Promise<ScheduleView> {
  const handle = client.schedule.getHandle(id);
  try {
    const before = await handle.describe();
    if (action === 'pause') await handle.pause(note ?? `paused by ${actor.email}`);
    else if (action === 'unpause') await handle.unpause(note ?? `resumed by ${actor.email}`);
    else await handle.trigger();
    await audit(db, {
      actor: { id: actor.id, role: actor.role },
      action: `schedule.${action}`,
      entity: 'schedule',
      entityId: id,
      before: { paused: before.state.paused },
      after: { paused: action === 'trigger' ? before.state.paused : action === 'pause' },
    });
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new DomainError('schedule_not_found', {
        it: `Pianificazione "${id}" inesistente: vedere GET /schedules.`,
        en: `No schedule "${id}": see GET /schedules.`,
      });
    throw err;
  }
  return (await listSchedules(client)).find((s) => s.id === id)!;
}
