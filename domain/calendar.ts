import { DomainError } from './errors';
import {
  MOVABLE_HOLIDAYS,
  NATIONAL_FIXED_HOLIDAYS,
  fixedHolidayApplies,
  movableHolidayDate,
  patronSaintOf,
} from './holidays';

export const TIME_ZONE = 'Europe/Rome';

/** The send window: weekdays from startHour (inclusive) to endHour (exclusive), Rome wall-clock time. */
export const OFFICE_HOURS = { startHour: 9, endHour: 18 } as const;

/** A calendar date with no time zone attached; month is 1-12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface RomeLocalTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  weekday: number;
}

export type { Locale } from './locale';
import type { Locale } from './locale';

// Years outside this range either precede the Gregorian calendar (Easter rule) or do not fit the ISO 'YYYY' form.
const MIN_YEAR = 1583;
const MAX_YEAR = 9999;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function invalidDate(en: string, it: string, details?: unknown): DomainError {
  return new DomainError('invalid_date', { it, en }, details);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidLocalDate(d: LocalDate): boolean {
  return (
    Number.isInteger(d.year) &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    d.year >= MIN_YEAR &&
    d.year <= MAX_YEAR &&
    d.month >= 1 &&
    d.month <= 12 &&
    d.day >= 1 &&
    d.day <= daysInMonth(d.year, d.month)
  );
}

function assertLocalDate(d: LocalDate): void {
  if (!isValidLocalDate(d)) {
    throw invalidDate(
      `Invalid date ${JSON.stringify(d)}: expected an existing calendar date between years ${MIN_YEAR} and ${MAX_YEAR}`,
      `Data non valida ${JSON.stringify(d)}: serve una data esistente tra gli anni ${MIN_YEAR} e ${MAX_YEAR}`,
      d,
    );
  }
}

/** Day number since the Unix epoch, independent of any time zone; the basis of all date arithmetic here. */
function epochDay(d: LocalDate): number {
  return Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
}

function fromEpochDay(n: number): LocalDate {
  const date = new Date(n * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function addDays(d: LocalDate, n: number): LocalDate {
  assertLocalDate(d);
  if (!Number.isInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  return fromEpochDay(epochDay(d) + n);
}

/** ISO weekday of a calendar date: 1 = Monday ... 7 = Sunday. */
export function weekdayOf(d: LocalDate): number {
  const jsDay = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return jsDay === 0 ? 7 : jsDay;
}

let romeFormatter: Intl.DateTimeFormat | undefined;

function getRomeFormatter(): Intl.DateTimeFormat {
  romeFormatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: TIME_ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return romeFormatter;
}

function assertEpochMs(epochMs: number, fn: string): void {
  if (!Number.isFinite(epochMs)) throw new RangeError(`${fn}: expected a finite epoch in milliseconds, got ${epochMs}`);
}

/** Rome's wall time at `epochMs` from Intl (the reference: toRomeLocal reads it through a cache). */
export function toRomeLocalByIntl(epochMs: number): RomeLocalTime {
  assertEpochMs(epochMs, 'toRomeLocal');
  const fields: Record<string, number> = {};
  for (const part of getRomeFormatter().formatToParts(epochMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields['year'];
  const month = fields['month'];
  const day = fields['day'];
  const hour = fields['hour'];
  const minute = fields['minute'];
  const second = fields['second'];
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    throw new Error(`toRomeLocal: Intl did not return all date fields for ${epochMs}`);
  }
  // Some ICU versions render midnight as 24 even with h23; normalising keeps the result a valid wall time.
  const h = hour === 24 ? 0 : hour;
  return { year, month, day, hour: h, minute, second, weekday: weekdayOf({ year, month, day }) };
}

/** Rome's offset from UTC (ms) per UTC hour whose start and end share it; bounded. */
const romeOffsets = new Map<number, number>();
const ROME_OFFSETS_MAX = 20_000;
const CACHED_FROM_MS = Date.UTC(MIN_YEAR, 0, 1);
const CACHED_UNTIL_MS = Date.UTC(MAX_YEAR + 1, 0, 1);

/** Rome's offset from UTC at `epochMs`, in whole seconds as Intl reports the wall time. */
function romeOffsetByIntl(epochMs: number): number {
  const t = toRomeLocalByIntl(epochMs);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(epochMs / 1000) * 1000;
}

/**
 * Rome's wall time at `epochMs`. Intl's formatToParts costs about 20 microseconds a call and every
 * request asks for "today" more than once, so the offset is kept per UTC hour. Under the EU rules
 * Rome's clock changes at 01:00 UTC, on an hour's edge; an hour whose start and end differ (a change
 * within the hour, as older rules had) is always read from Intl.
 */
export function toRomeLocal(epochMs: number): RomeLocalTime {
  assertEpochMs(epochMs, 'toRomeLocal');
  // Outside the calendar's years Date.UTC maps years 0-99 to 1900-1999 and the hour's end may pass
  // Date's range: Intl, unchanged.
  if (epochMs < CACHED_FROM_MS || epochMs >= CACHED_UNTIL_MS) return toRomeLocalByIntl(epochMs);
  const hour = Math.floor(epochMs / HOUR_MS);
  let offset = romeOffsets.get(hour);
  if (offset === undefined) {
    const start = romeOffsetByIntl(hour * HOUR_MS);
    if (start !== romeOffsetByIntl(hour * HOUR_MS + HOUR_MS - 1)) return toRomeLocalByIntl(epochMs);
    if (romeOffsets.size >= ROME_OFFSETS_MAX) romeOffsets.clear();
    romeOffsets.set(hour, (offset = start));
  }
  const wall = new Date(Math.floor(epochMs / 1000) * 1000 + offset);
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth() + 1;
  const day = wall.getUTCDate();
  return {
    year,
    month,
    day,
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: weekdayOf({ year, month, day }),
  };
}

/** Offset of Rome from UTC at an instant, in ms (3_600_000 in winter, 7_200_000 in summer). */
function romeOffsetMs(epochMs: number): number {
  const wholeSecond = epochMs - (((epochMs % 1000) + 1000) % 1000);
  const l = toRomeLocal(wholeSecond);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - wholeSecond;
}

/**
 * The instant at which Rome's wall clock shows the given time. In the spring-forward gap (e.g. 02:30 on the last
 * Sunday of March) the later of the two candidate instants is used, i.e. the clock reading is pushed forward by the
 * gap (02:30 -> 03:30 CEST); in the autumn overlap the first occurrence (still CEST) is used. These are the same
 * choices as java.time and the Temporal proposal's 'compatible' disambiguation.
 */
export function romeToEpochMs(year: number, month: number, day: number, hour = 0, minute = 0): number {
  assertLocalDate({ year, month, day });
  if (!Number.isInteger(hour) || hour < 0 || hour > 23 || !Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw invalidDate(
      `Invalid time ${hour}:${minute}: hour must be 0-23 and minute 0-59`,
      `Orario non valido ${hour}:${minute}: l'ora deve essere tra 0 e 23 e i minuti tra 0 e 59`,
      { hour, minute },
    );
  }
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  // DST transitions are months apart, so the offsets a day either side cover every offset that can apply here.
  const offsets = new Set([
    romeOffsetMs(wallAsUtc - DAY_MS),
    romeOffsetMs(wallAsUtc),
    romeOffsetMs(wallAsUtc + DAY_MS),
  ]);
  const candidates = [...offsets].map((offset) => wallAsUtc - offset);
  const valid = candidates.filter((t) => romeOffsetMs(t) === wallAsUtc - t);
  if (valid.length > 0) return Math.min(...valid);
  return Math.max(...candidates);
}

export function localDateOf(epochMs: number): LocalDate {
  const { year, month, day } = toRomeLocal(epochMs);
  return { year, month, day };
}

export function compareLocalDate(a: LocalDate, b: LocalDate): -1 | 0 | 1 {
  const diff = a.year - b.year || a.month - b.month || a.day - b.day;
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function localDateToIso(d: LocalDate): string {
  assertLocalDate(d);
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

export function parseIsoDate(s: string): LocalDate {
  const match = typeof s === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim()) : null;
  if (!match) {
    throw invalidDate(
      `Invalid date ${JSON.stringify(s)}: expected the format YYYY-MM-DD, e.g. 2026-11-23`,
      `Data non valida ${JSON.stringify(s)}: il formato atteso è AAAA-MM-GG, ad esempio 2026-11-23`,
      { input: s },
    );
  }
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (!isValidLocalDate(date)) {
    throw invalidDate(
      `Invalid date ${JSON.stringify(s)}: this day does not exist or the year is outside ${MIN_YEAR}-${MAX_YEAR}`,
      `Data non valida ${JSON.stringify(s)}: il giorno non esiste o l'anno è fuori dall'intervallo ${MIN_YEAR}-${MAX_YEAR}`,
      { input: s },
    );
  }
  return date;
}

/** The name of the holiday falling on a date, if any; the city's patron saint counts only when a city is given. */
export function holidayName(date: LocalDate, city?: string, locale: Locale = 'it'): string | undefined {
  assertLocalDate(date);
  for (const holiday of NATIONAL_FIXED_HOLIDAYS) {
    if (holiday.month === date.month && holiday.day === date.day && fixedHolidayApplies(holiday, date.year)) {
      return holiday.name[locale];
    }
  }
  for (const holiday of MOVABLE_HOLIDAYS) {
    if (compareLocalDate(movableHolidayDate(holiday.rule, date.year), date) === 0) return holiday.name[locale];
  }
  if (city !== undefined) {
    const patron = patronSaintOf(city);
    if (patron && patron.month === date.month && patron.day === date.day) return patron.name[locale];
  }
  return undefined;
}

export function isHoliday(date: LocalDate, city?: string): boolean {
  return holidayName(date, city) !== undefined;
}

export function isWorkingDay(date: LocalDate, city?: string): boolean {
  return weekdayOf(date) <= 5 && !isHoliday(date, city);
}

// Italy never has more than a handful of consecutive non-working days; the bound only guards against a corrupt table.
const MAX_SCAN_DAYS = 366;

function nextWorkingDayFrom(date: LocalDate, step: 1 | -1, city?: string): LocalDate {
  let current = date;
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    current = addDays(current, step);
    if (isWorkingDay(current, city)) return current;
  }
  throw new Error(`No working day found within ${MAX_SCAN_DAYS} days of ${localDateToIso(date)}`);
}

/**
 * Moves by n working days. n = 0 normalises the date to itself or the next working day; n > 0 returns the n-th working
 * day after the date and n < 0 the |n|-th working day before it (the date itself is never counted).
 */
export function addWorkingDays(date: LocalDate, n: number, city?: string): LocalDate {
  assertLocalDate(date);
  if (!Number.isSafeInteger(n)) throw new RangeError(`addWorkingDays: n must be an integer, got ${n}`);
  if (n === 0) return isWorkingDay(date, city) ? { ...date } : nextWorkingDayFrom(date, 1, city);
  const step = n > 0 ? 1 : -1;
  let current = date;
  for (let i = 0; i < Math.abs(n); i++) current = nextWorkingDayFrom(current, step, city);
  return current;
}

export function workingDayAt(date: LocalDate, hour: number, minute = 0): number {
  return romeToEpochMs(date.year, date.month, date.day, hour, minute);
}

/** A step "due on" a date is due when offices close that day, not at midnight. */
export function dueAtEndOfDay(date: LocalDate): number {
  return workingDayAt(date, OFFICE_HOURS.endHour, 0);
}

export function isWithinSendWindow(epochMs: number, city?: string): boolean {
  const local = toRomeLocal(epochMs);
  return isWorkingDay(local, city) && local.hour >= OFFICE_HOURS.startHour && local.hour < OFFICE_HOURS.endHour;
}

/** The instant itself if it falls in a send window, otherwise the opening of the next one. */
export function nextSendWindow(epochMs: number, city?: string): number {
  const local = toRomeLocal(epochMs);
  const today: LocalDate = { year: local.year, month: local.month, day: local.day };
  if (isWorkingDay(today, city)) {
    if (local.hour < OFFICE_HOURS.startHour) return workingDayAt(today, OFFICE_HOURS.startHour);
    if (local.hour < OFFICE_HOURS.endHour) return epochMs;
  }
  return workingDayAt(nextWorkingDayFrom(today, 1, city), OFFICE_HOURS.startHour);
}

const dateFormatters: Partial<Record<Locale, Intl.DateTimeFormat>> = {};

function getDateFormatter(locale: Locale): Intl.DateTimeFormat {
  return (dateFormatters[locale] ??= new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
    timeZone: TIME_ZONE,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }));
}

/**
 * "lunedì 23 novembre 2026" / "Monday, 23 November 2026". The pieces are reassembled by hand because ICU releases
 * disagree on the punctuation between them, and these strings end up in e-mails and snapshot tests.
 */
export function formatRomeDate(epochMs: number, locale: Locale): string {
  assertEpochMs(epochMs, 'formatRomeDate');
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of getDateFormatter(locale).formatToParts(epochMs)) parts[part.type] = part.value;
  const { weekday, day, month, year } = parts;
  if (!weekday || !day || !month || !year) throw new Error(`formatRomeDate: Intl returned incomplete parts`);
  return locale === 'it' ? `${weekday} ${day} ${month} ${year}` : `${weekday}, ${day} ${month} ${year}`;
}

/** "lunedì 23 novembre 2026 ore 09:00" / "Monday, 23 November 2026 09:00" (Rome time). */
export function formatRomeDateTime(epochMs: number, locale: Locale): string {
  const { hour, minute } = toRomeLocal(epochMs);
  const time = `${pad(hour)}:${pad(minute)}`;
  return locale === 'it'
    ? `${formatRomeDate(epochMs, locale)} ore ${time}`
    : `${formatRomeDate(epochMs, locale)} ${time}`;
}
