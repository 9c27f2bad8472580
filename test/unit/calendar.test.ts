import {
  OFFICE_HOURS,
  addWorkingDays,
  compareLocalDate,
  dueAtEndOfDay,
  formatRomeDate,
  formatRomeDateTime,
  holidayName,
  isDomainError,
  isHoliday,
  isWorkingDay,
  localDateOf,
  localDateToIso,
  nextSendWindow,
  parseIsoDate,
  romeToEpochMs,
  toRomeLocal,
  toRomeLocalByIntl,
  workingDayAt,
  type LocalDate,
} from '../../domain';

const HOUR = 3_600_000;
const d = (iso: string): LocalDate => parseIsoDate(iso);
const rome = (iso: string, hour: number, minute = 0): number => {
  const { year, month, day } = parseIsoDate(iso);
  return romeToEpochMs(year, month, day, hour, minute);
};

function* everyDay(fromYear: number, toYear: number): Generator<LocalDate> {
  for (let t = Date.UTC(fromYear, 0, 1); t < Date.UTC(toYear + 1, 0, 1); t += 24 * HOUR) {
    const date = new Date(t);
    yield { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
  }
}

const isoWeekday = (date: LocalDate): number => {
  const js = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return js === 0 ? 7 : js;
};

describe('holidays', () => {
  it.each([
    ['2019-04-22', '2019-04-21'],
    ['2024-04-01', '2024-03-31'],
    ['2026-04-06', '2026-04-05'],
    ['2027-03-29', '2027-03-28'],
  ])('Easter Monday %s is a holiday and the day after is not', (monday, sunday) => {
    expect(holidayName(d(monday), undefined, 'en')).toBe('Easter Monday');
    expect(holidayName(d(sunday), undefined, 'it')).toBe('Pasqua');
    expect(isWorkingDay(d(monday))).toBe(false);
    const tuesday = d(monday);
    tuesday.day += 1;
    expect(isHoliday(tuesday)).toBe(false);
  });

  it('treats 4 October as a national holiday only from 2026', () => {
    expect(isoWeekday(d('2025-10-04'))).toBe(6);
    expect(isoWeekday(d('2027-10-04'))).toBe(1);
    expect(holidayName(d('2027-10-04'), undefined, 'it')).toBe("San Francesco d'Assisi");
    expect(isWorkingDay(d('2027-10-04'))).toBe(false);
    expect(isHoliday(d('2024-10-04'))).toBe(false);
    expect(isWorkingDay(d('2024-10-04'))).toBe(true);
  });

  it("makes 7 December (Sant'Ambrogio) a holiday only in Milan", () => {
    const santAmbrogio = d('2026-12-07'); // a Monday
    expect(holidayName(santAmbrogio, 'milano', 'it')).toBe("Sant'Ambrogio");
    expect(isWorkingDay(santAmbrogio, 'Milano')).toBe(false);
    expect(isHoliday(santAmbrogio)).toBe(false);
    expect(isWorkingDay(santAmbrogio)).toBe(true);
    expect(isWorkingDay(santAmbrogio, 'bergamo')).toBe(true);
    expect(isWorkingDay(santAmbrogio, 'a-town-not-in-the-table')).toBe(true);
  });

  it('knows the fixed national holidays and their historical ranges', () => {
    expect(holidayName(d('2026-12-25'), undefined, 'it')).toBe('Natale');
    expect(holidayName(d('2026-12-26'), undefined, 'en')).toBe("Saint Stephen's Day");
    expect(isHoliday(d('2026-04-25'))).toBe(true);
    expect(isHoliday(d('2026-06-02'))).toBe(true);
    expect(isHoliday(d('2000-06-02'))).toBe(false);
    expect(isHoliday(d('2011-03-17'))).toBe(true);
    expect(isHoliday(d('2012-03-17'))).toBe(false);
    expect(holidayName(d('2026-11-23'))).toBeUndefined();
  });
});

describe('Rome time conversion', () => {
  it('converts across daylight saving time', () => {
    expect(romeToEpochMs(2026, 3, 29, 9, 0)).toBe(Date.UTC(2026, 2, 29, 7, 0));
    expect(romeToEpochMs(2026, 10, 25, 9, 0)).toBe(Date.UTC(2026, 9, 25, 8, 0));
    expect(romeToEpochMs(2026, 1, 15, 0, 0)).toBe(Date.UTC(2026, 0, 14, 23, 0));
    expect(romeToEpochMs(2026, 7, 15, 12, 30)).toBe(Date.UTC(2026, 6, 15, 10, 30));
  });

  it('pushes a time in the spring-forward gap to the later instant', () => {
    // 02:30 does not exist on 29 March 2026: clocks jump from 02:00 CET to 03:00 CEST.
    expect(romeToEpochMs(2026, 3, 29, 2, 30)).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(toRomeLocal(romeToEpochMs(2026, 3, 29, 2, 30))).toMatchObject({ hour: 3, minute: 30 });
  });

  it('picks the first occurrence of an ambiguous autumn time', () => {
    // 02:30 happens twice on 25 October 2026: first in CEST (00:30Z), then in CET (01:30Z).
    expect(romeToEpochMs(2026, 10, 25, 2, 30)).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('round-trips every hour of 2026 except the repeated autumn hour', () => {
    const repeated = Date.UTC(2026, 9, 25, 1, 0); // second 02:00, CET
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += HOUR) {
      const l = toRomeLocal(t);
      expect(l.hour).toBeGreaterThanOrEqual(0);
      expect(l.hour).toBeLessThan(24);
      const back = romeToEpochMs(l.year, l.month, l.day, l.hour, l.minute);
      if (t === repeated) expect(back).toBe(t - HOUR);
      else if (back !== t) throw new Error(`round trip failed for ${new Date(t).toISOString()}: got ${back}`);
    }
  });

  it('reads the wall clock and ISO weekday in Rome', () => {
    expect(toRomeLocal(Date.UTC(2026, 10, 23, 8, 5, 7))).toEqual({
      year: 2026,
      month: 11,
      day: 23,
      hour: 9,
      minute: 5,
      second: 7,
      weekday: 1,
    });
    // 23:30Z on 31 December is already New Year's Day in Rome.
    expect(localDateOf(Date.UTC(2026, 11, 31, 23, 30))).toEqual({ year: 2027, month: 1, day: 1 });
    expect(toRomeLocal(Date.UTC(2026, 10, 29, 12)).weekday).toBe(7);
  });

  it('rejects impossible wall-clock times with a domain error', () => {
    expect(() => romeToEpochMs(2026, 2, 29, 9)).toThrow(/Invalid date/);
    expect(() => romeToEpochMs(2026, 13, 1)).toThrow(/Invalid date/);
    expect(() => romeToEpochMs(2026, 1, 1, 24)).toThrow(/hour must be 0-23/);
  });
});

describe('local dates', () => {
  it('parses and prints ISO dates', () => {
    expect(parseIsoDate('2026-11-23')).toEqual({ year: 2026, month: 11, day: 23 });
    expect(localDateToIso({ year: 2026, month: 3, day: 5 })).toBe('2026-03-05');
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it.each(['2026-02-29', '2026-13-01', '2026-1-5', '23/11/2026', '', '2026-11-23T10:00', 'abcd-ef-gh'])(
    'rejects %j with a clear domain error',
    (input) => {
      let caught: unknown;
      try {
        parseIsoDate(input);
      } catch (e) {
        caught = e;
      }
      expect(isDomainError(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'invalid_date' });
      expect((caught as Error).message).toContain(JSON.stringify(input));
    },
  );

  it('compares dates', () => {
    expect(compareLocalDate(d('2026-11-23'), d('2026-11-24'))).toBe(-1);
    expect(compareLocalDate(d('2027-01-01'), d('2026-12-31'))).toBe(1);
    expect(compareLocalDate(d('2026-11-23'), { year: 2026, month: 11, day: 23 })).toBe(0);
  });
});

describe('working days', () => {
  it('adds and subtracts working days around Christmas', () => {
    expect(localDateToIso(addWorkingDays(d('2026-12-24'), 1))).toBe('2026-12-28');
    expect(localDateToIso(addWorkingDays(d('2026-12-28'), -1))).toBe('2026-12-24');
    expect(localDateToIso(addWorkingDays(d('2026-12-25'), 0))).toBe('2026-12-28');
    expect(localDateToIso(addWorkingDays(d('2026-12-23'), 0))).toBe('2026-12-23');
    expect(localDateToIso(addWorkingDays(d('2026-12-31'), 1))).toBe('2027-01-04');
    expect(localDateToIso(addWorkingDays(d('2026-11-23'), 5))).toBe('2026-11-30');
    expect(localDateToIso(addWorkingDays(d('2026-12-04'), 1, 'milano'))).toBe('2026-12-09');
    expect(localDateToIso(addWorkingDays(d('2026-12-04'), 1))).toBe('2026-12-07');
  });

  it('never lands on a weekend or holiday, and counts exactly k working days (2017-2030)', () => {
    for (const day of everyDay(2017, 2030)) {
      for (const city of [undefined, 'milano']) {
        for (const k of [0, 1, 3, -1, -4]) {
          const result = addWorkingDays(day, k, city);
          const weekday = isoWeekday(result);
          if (weekday > 5 || isHoliday(result, city)) {
            throw new Error(`addWorkingDays(${localDateToIso(day)}, ${k}, ${city}) = ${localDateToIso(result)}`);
          }
          const direction = compareLocalDate(result, day);
          if ((k > 0 && direction !== 1) || (k < 0 && direction !== -1) || (k === 0 && direction === -1)) {
            throw new Error(`addWorkingDays(${localDateToIso(day)}, ${k}) went the wrong way`);
          }
          if (k !== 0) {
            // Stepping one working day at a time must reach the same date.
            let step = day;
            for (let i = 0; i < Math.abs(k); i++) step = addWorkingDays(step, Math.sign(k), city);
            if (compareLocalDate(step, result) !== 0) throw new Error(`not composable at ${localDateToIso(day)}`);
          }
        }
      }
    }
  });
});

describe('send windows', () => {
  it.each([
    ['Saturday 10:00 -> Monday 09:00', rome('2026-11-28', 10), rome('2026-11-30', 9)],
    ['Friday 18:30 -> Monday 09:00', rome('2026-11-27', 18, 30), rome('2026-11-30', 9)],
    ['Friday 18:00 is already closed', rome('2026-11-27', 18), rome('2026-11-30', 9)],
    ['Friday 17:59 stays', rome('2026-11-27', 17, 59), rome('2026-11-27', 17, 59)],
    ['Monday 07:00 -> Monday 09:00', rome('2026-11-30', 7), rome('2026-11-30', 9)],
    ['24 Dec 17:00 (Thursday) stays', rome('2026-12-24', 17), rome('2026-12-24', 17)],
    ['24 Dec 19:00 -> 28 Dec 09:00', rome('2026-12-24', 19), rome('2026-12-28', 9)],
    ['Easter Monday -> Tuesday 09:00', rome('2026-04-06', 11), rome('2026-04-07', 9)],
  ])('%s', (_label, input, expected) => {
    expect(nextSendWindow(input)).toBe(expected);
  });

  it('skips the patron saint only for that city', () => {
    expect(nextSendWindow(rome('2026-12-07', 10), 'milano')).toBe(rome('2026-12-09', 9));
    expect(nextSendWindow(rome('2026-12-07', 10), 'brescia')).toBe(rome('2026-12-07', 10));
  });

  it('always returns the first working-hours instant at or after the input', () => {
    const starts = [
      Date.UTC(2026, 2, 23), // week of the spring DST change
      Date.UTC(2026, 9, 19), // week of the autumn DST change
      Date.UTC(2026, 11, 21), // Christmas
      Date.UTC(2026, 11, 1), // Sant'Ambrogio and Immacolata
      Date.UTC(2027, 2, 22), // Easter 2027
    ];
    const inWindow = (t: number, city?: string): boolean => {
      const l = toRomeLocal(t);
      return isWorkingDay(l, city) && l.hour >= OFFICE_HOURS.startHour && l.hour < OFFICE_HOURS.endHour;
    };
    let checked = 0;
    for (const start of starts) {
      for (let t = start; t < start + 21 * 24 * HOUR; t += HOUR) {
        for (const city of [undefined, 'milano']) {
          const result = nextSendWindow(t, city);
          const local = toRomeLocal(result);
          expect(isWorkingDay(local, city)).toBe(true);
          expect(local.hour).toBeGreaterThanOrEqual(9);
          expect(local.hour).toBeLessThan(18);
          // Windows open on the hour, so scanning hour by hour finds the true first window.
          let oracle = t;
          while (!inWindow(oracle, city)) oracle += HOUR;
          expect(result).toBe(oracle);
          checked++;
        }
      }
    }
    expect(checked).toBe(5 * 21 * 24 * 2);
  });
});

describe('due dates and formatting', () => {
  it('is due at 18:00 Rome time', () => {
    expect(dueAtEndOfDay(d('2026-11-23'))).toBe(Date.UTC(2026, 10, 23, 17, 0));
    expect(dueAtEndOfDay(d('2026-07-15'))).toBe(Date.UTC(2026, 6, 15, 16, 0));
    expect(workingDayAt(d('2026-11-23'), 9, 30)).toBe(Date.UTC(2026, 10, 23, 8, 30));
  });

  it('formats dates in Italian and English', () => {
    const t = rome('2026-11-23', 9);
    expect(formatRomeDate(t, 'it')).toBe('lunedì 23 novembre 2026');
    expect(formatRomeDate(t, 'en')).toBe('Monday, 23 November 2026');
    expect(formatRomeDateTime(t, 'it')).toBe('lunedì 23 novembre 2026 ore 09:00');
    expect(formatRomeDateTime(t, 'en')).toBe('Monday, 23 November 2026 09:00');
    // 23:30Z is already the next day in Rome.
    expect(formatRomeDateTime(Date.UTC(2026, 11, 31, 23, 30), 'it')).toBe('venerdì 1 gennaio 2027 ore 00:30');
  });
});

describe('toRomeLocal through its per-hour offset cache', () => {
  const intl = (ms: number) => toRomeLocalByIntl(ms);
  it('agrees with Intl minute by minute across both 2026 clock changes, and at every second of the changes', () => {
    for (const [from, to] of [
      [Date.UTC(2026, 2, 28, 22), Date.UTC(2026, 2, 29, 4)],
      [Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 4)],
    ] as const) {
      for (let t = from; t < to; t += 60_000) expect(toRomeLocal(t)).toEqual(intl(t));
      const change = from + 3 * 3_600_000; // 01:00 UTC
      for (let t = change - 5_000; t < change + 5_000; t += 250) expect(toRomeLocal(t)).toEqual(intl(t));
    }
  });
  it('agrees with Intl at random instants from 1583 to 9999, milliseconds included, and before 1970', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lo = Date.UTC(1583, 0, 1);
    const hi = Date.UTC(9999, 11, 31);
    for (let i = 0; i < 3000; i++) {
      const t = Math.floor(lo + random() * (hi - lo));
      expect(toRomeLocal(t)).toEqual(intl(t));
    }
    expect(toRomeLocal(-1)).toEqual(intl(-1));
    // Outside the calendar's years, straight from Intl: year 50 (Date.UTC would read 1950) and the
    // last instant Date can hold (the end of its hour is past Date's range).
    const y50 = new Date(0);
    y50.setUTCFullYear(50, 5, 1);
    expect(toRomeLocal(y50.getTime())).toMatchObject({ year: 50, month: 6, day: 1 });
    expect(toRomeLocal(8.64e15)).toEqual(intl(8.64e15));
    expect(toRomeLocal(Date.UTC(1916, 5, 3, 23, 30))).toEqual(intl(Date.UTC(1916, 5, 3, 23, 30)));
  });
  it('agrees with Intl around the change from Rome mean time (UTC+0:49:56) in 1893', () => {
    const change = Date.UTC(1893, 9, 31, 23); // 1893-11-01 00:00 CET
    expect(intl(change - 1_000)).toMatchObject({ day: 31, hour: 23, minute: 49, second: 55 });
    expect(intl(change)).toMatchObject({ month: 11, day: 1, hour: 0, minute: 0, second: 0 });
    for (let t = change - 120_000; t < change + 120_000; t += 1_000) expect(toRomeLocal(t)).toEqual(intl(t));
  });
});
