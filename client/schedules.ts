/**
 * The Temporal Schedules of the service, created idempotently at start-up: an existing schedule
 * is left as it is (paused stays paused; an operator's change is kept). Times are Europe/Rome.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from 'pino';
import { ATS_NETWORKS } from '../domain/territory';
import { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from '../workflows/scheduled';
import { anonymiseWorkflow } from '../workflows/anonymise';

export const SCHEDULE_PREFIX = 'conciliaflow-';

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
      spec: { calendars: [{ dayOfMonth: 1, hour: 7, minute: 0 }], timezone: 'Europe/Rome' },
      action: {
        type: 'startWorkflow',
        workflowType: milestoneReportWorkflow,
        args: [{ scope: 'region' }],
        taskQueue,
        workflowId: 'report-region',
      },
      memo: { description: 'Monthly milestone report of every network to the Region (1st of the month, 07:00)' },
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
    }
  }
  logger?.info({ created: created.length, existing: existing.length }, 'schedules ready');
  return { created, existing };
}

export interface ScheduleView {
  id: string;
  description: string;
  paused: boolean;
  note: string | null;
  nextRuns: string[];
  recentRuns: string[];
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
      recentRuns: d.info.recentActions.slice(-3).map((a) => a.takenAt.toISOString()),
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
