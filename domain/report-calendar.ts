/**
 * When the Region's monthly milestone report runs. Its day is the 1st of the month; a 1st that is
 * not a working day (a national holiday such as New Year's Day or All Saints, or a weekend) moves
 * the run to the next working day, at the same hour, and the run says so. The report is then read
 * the morning it arrives, not left in an inbox over a holiday. Pure: the schedule's calendar is
 * built from these dates, and the console shows the same note.
 */
import {
  addWorkingDays,
  formatRomeDate,
  holidayName,
  isWorkingDay,
  localDateToIso,
  romeToEpochMs,
  toRomeLocal,
  weekdayOf,
  type LocalDate,
} from './calendar';
import type { LocalizedMessage } from './errors';

export const MONTHLY_REPORT_HOUR = 7;
/** Marks a schedule calendar built by this rule (and its version), so start-up can tell an old spec. */
export const MONTHLY_REPORT_RULE = 'first-working-day-v1';

export interface MonthlyReportRun {
  date: LocalDate;
  /** Epoch ms of the run (07:00 Europe/Rome). */
  at: number;
  /** Present when the 1st was not a working day: why the run moved. */
  movedFrom?: { date: LocalDate; reason: LocalizedMessage };
}

function whyNotWorking(d: LocalDate): LocalizedMessage {
  const it = holidayName(d, undefined, 'it');
  const en = holidayName(d, undefined, 'en');
  if (it && en) return { it: `festività nazionale (${it})`, en: `national holiday (${en})` };
  return weekdayOf(d) === 6 ? { it: 'sabato', en: 'Saturday' } : { it: 'domenica', en: 'Sunday' };
}

export function monthlyReportRun(year: number, month: number): MonthlyReportRun {
  const first: LocalDate = { year, month, day: 1 };
  const date = isWorkingDay(first) ? first : addWorkingDays(first, 0);
  const at = romeToEpochMs(date.year, date.month, date.day, MONTHLY_REPORT_HOUR);
  return date.day === 1 ? { date, at } : { date, at, movedFrom: { date: first, reason: whyNotWorking(first) } };
}

/** The runs of `months` months from the given one on. */
export function monthlyReportRuns(fromYear: number, fromMonth: number, months: number): MonthlyReportRun[] {
  const out: MonthlyReportRun[] = [];
  for (let i = 0; i < months; i++) {
    const m = fromMonth - 1 + i;
    out.push(monthlyReportRun(fromYear + Math.floor(m / 12), (m % 12) + 1));
  }
  return out;
}

/** The sentence the console shows next to a moved run, or null for a run on the 1st. */
export function monthlyReportNote(run: MonthlyReportRun, locale: 'it' | 'en'): string | null {
  if (!run.movedFrom) return null;
  const from = formatRomeDate(romeToEpochMs(run.movedFrom.date.year, run.movedFrom.date.month, 1, 12), locale);
  const to = formatRomeDate(run.at, locale);
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return locale === 'it'
    ? `${cap(from)}: ${run.movedFrom.reason.it}. Il rapporto mensile è spostato al primo giorno lavorativo, ${to}.`
    : `${from}: ${run.movedFrom.reason.en}. The monthly report moves to the next working day, ${to}.`;
}

/** The run a scheduled instant belongs to (the month of its Rome date), for notes on Temporal's next runs. */
export function monthlyReportRunAt(epochMs: number): MonthlyReportRun {
  const local = toRomeLocal(epochMs);
  return monthlyReportRun(local.year, local.month);
}

/** Calendar entries, one a month, in the shape of a Temporal CalendarSpec. */
export function monthlyReportCalendars(
  fromYear: number,
  years: number,
): { year: number; month: number; dayOfMonth: number; hour: number; minute: number; comment: string }[] {
  return monthlyReportRuns(fromYear, 1, years * 12).map((r) => ({
    year: r.date.year,
    month: r.date.month,
    dayOfMonth: r.date.day,
    hour: MONTHLY_REPORT_HOUR,
    minute: 0,
    comment: `${MONTHLY_REPORT_RULE}${r.movedFrom ? ` moved from ${localDateToIso(r.movedFrom.date)}` : ''}`,
  }));
}
