/**
 * Digests, run by Temporal Schedules: a consultant gets one email a working day listing what is
 * overdue, due today and due in the next working days, instead of a storm of single messages; a
 * network coordinator gets one a week listing the network's overdue pathways. Both read the
 * enrollment projection (current step and its due date), never the workflows.
 */
import {
  addWorkingDays,
  dueAtEndOfDay,
  formatRomeDate,
  formatRomeDateTime,
  isWorkingDay,
  localDateOf,
  localDateToIso,
  addDays,
  weekdayOf,
} from '../domain/calendar';
import { pathwayAndStepNames as names } from '../domain/catalogue-history';
import { ATS_NETWORKS } from '../domain/territory';
import type { Db } from '../infra/db';
import type { DigestStatus } from '../mail/messages';
import type { NotifyInput, NotifyResult, TemplateName } from './types';
import type { Locale } from '../domain/locale';

/** Working days ahead that a consultant digest lists as "due soon". */
export const DIGEST_HORIZON_WORKING_DAYS = 5;

export interface DigestRun {
  /** The instant of the run (the workflow's clock, so a retried activity sees the same day). */
  asOf: number;
}

export interface DigestResult {
  skipped?: string;
  recipients: number;
  sent: number;
  alreadySent: number;
}

type Notify = (input: NotifyInput<TemplateName>) => Promise<NotifyResult>;

const DAY = 86_400_000;

/** Monday of the Rome week containing `at`, as YYYY-MM-DD: the period key of weekly messages. */
export function weekStartIso(at: number): string {
  const day = localDateOf(at);
  const weekday = weekdayOf(day); // 0 Sunday … 6 Saturday
  return localDateToIso(addDays(day, weekday === 0 ? -6 : 1 - weekday));
}

export function createDigestActivities(deps: { db: Db; publicUrl: string; notify: Notify }) {
  const { db, publicUrl, notify } = deps;
  const localeOf = async (email: string): Promise<Locale> => {
    const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
    return user?.locale === 'en' ? 'en' : 'it';
  };
  const tally = (acc: DigestResult, r: NotifyResult) => {
    acc.sent += r.sent;
    acc.alreadySent += r.alreadySent;
  };

  return {
    async sendConsultantDigests(run: DigestRun): Promise<DigestResult> {
      const today = localDateOf(run.asOf);
      if (!isWorkingDay(today)) return { skipped: 'not a working day', recipients: 0, sent: 0, alreadySent: 0 };
      const endOfToday = dueAtEndOfDay(today) + 6 * 3600_000; // any due time today, even after 18:00
      const horizon = dueAtEndOfDay(addWorkingDays(today, DIGEST_HORIZON_WORKING_DAYS)) + 6 * 3600_000;
      const open = await db.enrollment.findMany({
        where: { status: 'active', currentDueAt: { not: null, lt: new Date(horizon) } },
        include: { company: true },
        orderBy: [{ currentDueAt: 'asc' }, { id: 'asc' }],
      });
      const byConsultant = new Map<string, typeof open>();
      for (const e of open) {
        const key = e.consultantEmail.toLowerCase();
        byConsultant.set(key, [...(byConsultant.get(key) ?? []), e]);
      }
      const result: DigestResult = { recipients: byConsultant.size, sent: 0, alreadySent: 0 };
      for (const [email, items] of byConsultant) {
        const locale = await localeOf(email);
        const list = items.map((e) => {
          const due = e.currentDueAt!.getTime();
          const status: DigestStatus = due < run.asOf ? 'overdue' : due <= endOfToday ? 'due-today' : 'due-soon';
          return {
            companyName: e.company.name,
            ...names(e.kind, e.catalogueVersion, e.currentStep, locale),
            dueAt: formatRomeDateTime(due, locale),
            status,
            enrollmentUrl: `${publicUrl}/enrollments/${e.id}`,
          };
        });
        const count = (s: string) => list.filter((i) => i.status === s).length;
        tally(
          result,
          await notify({
            key: `digest:consultant:${localDateToIso(today)}`,
            template: 'digest-consultant',
            to: [{ name: items[0]!.consultantName, email, locale }],
            context: {
              digestDate: formatRomeDate(run.asOf, locale),
              items: list,
              overdueCount: count('overdue'),
              dueTodayCount: count('due-today'),
              dueSoonCount: count('due-soon'),
            },
          }),
        );
      }
      return result;
    },

    async sendCoordinatorDigests(run: DigestRun): Promise<DigestResult> {
      const coordinators = await db.user.findMany({
        where: { role: 'coordinator', disabledAt: null, atsCode: { not: null } },
        orderBy: { email: 'asc' },
      });
      const result: DigestResult = { recipients: coordinators.length, sent: 0, alreadySent: 0 };
      const week = weekStartIso(run.asOf);
      for (const ats of ATS_NETWORKS) {
        const team = coordinators.filter((c) => c.atsCode === ats.code);
        if (team.length === 0) continue;
        const overdue = await db.enrollment.findMany({
          where: { status: 'active', currentDueAt: { lt: new Date(run.asOf) }, company: { atsCode: ats.code } },
          include: { company: true },
          orderBy: [{ currentDueAt: 'asc' }, { id: 'asc' }],
        });
        for (const c of team) {
          const locale = c.locale === 'en' ? 'en' : 'it';
          const items = overdue.map((e) => ({
            companyName: e.company.name,
            ...names(e.kind, e.catalogueVersion, e.currentStep, locale),
            dueAt: formatRomeDateTime(e.currentDueAt!.getTime(), locale),
            daysOverdue: Math.max(1, Math.floor((run.asOf - e.currentDueAt!.getTime()) / DAY)),
            consultantName: e.consultantName,
            enrollmentUrl: `${publicUrl}/enrollments/${e.id}`,
          }));
          tally(
            result,
            await notify({
              key: `digest:coordinator:${ats.code}:${week}`,
              template: 'digest-coordinator',
              to: [{ name: c.name, email: c.email, locale }],
              context: {
                networkName: ats.name,
                weekOf: formatRomeDate(Date.parse(`${week}T12:00:00Z`), locale),
                items,
                overdueCount: items.length,
              },
            }),
          );
        }
      }
      return result;
    },
  };
}
