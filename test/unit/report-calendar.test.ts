import { localDateToIso, toRomeLocal } from '../../domain/calendar';
import {
  monthlyReportCalendars,
  monthlyReportNote,
  monthlyReportRun,
  monthlyReportRunAt,
  monthlyReportRuns,
} from '../../domain/report-calendar';

describe('the monthly report never runs on a holiday without saying so', () => {
  it('moves 1 January 2027 (New Year, a Friday; the 2nd and 3rd a weekend) to Monday 4 January, 07:00 Rome', () => {
    const run = monthlyReportRun(2027, 1);
    expect(localDateToIso(run.date)).toBe('2027-01-04');
    expect(toRomeLocal(run.at)).toMatchObject({ year: 2027, month: 1, day: 4, hour: 7, minute: 0 });
    expect(run.movedFrom && localDateToIso(run.movedFrom.date)).toBe('2027-01-01');
    expect(run.movedFrom?.reason.en).toBe("national holiday (New Year's Day)");
    expect(monthlyReportNote(run, 'it')).toBe(
      'Venerdì 1 gennaio 2027: festività nazionale (Capodanno). Il rapporto mensile è spostato al primo giorno lavorativo, lunedì 4 gennaio 2027.',
    );
    expect(monthlyReportNote(run, 'en')).toContain('moves to the next working day, Monday, 4 January 2027');
  });

  it('keeps a working 1st and says nothing', () => {
    const run = monthlyReportRun(2027, 2); // Monday 1 February 2027
    expect(localDateToIso(run.date)).toBe('2027-02-01');
    expect(run.movedFrom).toBeUndefined();
    expect(monthlyReportNote(run, 'it')).toBeNull();
  });

  it('moves All Saints and Labour Day, and a 1st on a weekend', () => {
    expect(localDateToIso(monthlyReportRun(2027, 11).date)).toBe('2027-11-02'); // Monday 1 Nov: All Saints
    expect(localDateToIso(monthlyReportRun(2026, 5).date)).toBe('2026-05-04'); // Friday 1 May, then a weekend
    const sunday = monthlyReportRun(2027, 8); // Sunday 1 August 2027
    expect(localDateToIso(sunday.date)).toBe('2027-08-02');
    expect(sunday.movedFrom?.reason).toEqual({ it: 'domenica', en: 'Sunday' });
  });

  it('no run of ten years falls on a holiday or a weekend, and each month has exactly one', () => {
    const runs = monthlyReportRuns(2026, 1, 120);
    expect(new Set(runs.map((r) => `${r.date.year}-${r.date.month}`)).size).toBe(120);
    for (const r of runs) {
      const weekday = new Date(Date.UTC(r.date.year, r.date.month - 1, r.date.day)).getUTCDay();
      expect([0, 6]).not.toContain(weekday);
      expect(r.date.day === 1 || r.movedFrom !== undefined).toBe(true);
    }
  });

  it('the schedule calendar lists the same dates, marked with the rule', () => {
    const cal = monthlyReportCalendars(2027, 1);
    expect(cal).toHaveLength(12);
    expect(cal[0]).toEqual({
      year: 2027,
      month: 1,
      dayOfMonth: 4,
      hour: 7,
      minute: 0,
      comment: 'first-working-day-v1 moved from 2027-01-01',
    });
    expect(cal[1]!.comment).toBe('first-working-day-v1');
  });

  it('finds the run of a scheduled instant', () => {
    expect(monthlyReportRunAt(monthlyReportRun(2027, 1).at).movedFrom).toBeDefined();
  });
});
