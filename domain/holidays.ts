import type { LocalDate } from './calendar';
import type { LocalizedMessage } from './errors';

export type LocalizedName = LocalizedMessage;

/** A holiday on the same day every year, optionally only within a range of years (both bounds inclusive). */
export interface FixedHoliday {
  month: number;
  day: number;
  name: LocalizedName;
  fromYear?: number;
  untilYear?: number;
}

export type MovableHolidayRule = 'easter-sunday' | 'easter-monday';

export interface MovableHoliday {
  rule: MovableHolidayRule;
  name: LocalizedName;
}

export interface PatronSaint {
  /** Display name of the city the holiday applies to. */
  city: string;
  month: number;
  day: number;
  name: LocalizedName;
}

/**
 * National fixed holidays (law 260/1949 as amended). The table describes the calendar from the 1977 reform
 * (law 54/1977) onwards: holidays abolished before then are not modelled, which is why the later reinstatements carry
 * a `fromYear`.
 */
export const NATIONAL_FIXED_HOLIDAYS: readonly FixedHoliday[] = [
  { month: 1, day: 1, name: { it: 'Capodanno', en: "New Year's Day" } },
  // Abolished by law 54/1977, reinstated by DPR 792/1985.
  { month: 1, day: 6, name: { it: 'Epifania', en: 'Epiphany' }, fromYear: 1986 },
  // One-off holiday for the 150th anniversary of the unification of Italy (DL 5/2011).
  {
    month: 3,
    day: 17,
    name: { it: "Anniversario dell'Unità d'Italia", en: 'Anniversary of the Unification of Italy' },
    fromYear: 2011,
    untilYear: 2011,
  },
  { month: 4, day: 25, name: { it: 'Festa della Liberazione', en: 'Liberation Day' } },
  { month: 5, day: 1, name: { it: 'Festa dei Lavoratori', en: 'Labour Day' } },
  // Moved to the first Sunday of June from 1977 to 2000; back on 2 June by law 336/2000.
  { month: 6, day: 2, name: { it: 'Festa della Repubblica', en: 'Republic Day' }, fromYear: 2001 },
  { month: 8, day: 15, name: { it: 'Ferragosto', en: 'Assumption Day (Ferragosto)' } },
  // Reinstated as a national holiday by law 151/2025, effective from 2026.
  {
    month: 10,
    day: 4,
    name: { it: "San Francesco d'Assisi", en: 'Saint Francis of Assisi' },
    fromYear: 2026,
  },
  { month: 11, day: 1, name: { it: 'Ognissanti', en: "All Saints' Day" } },
  { month: 12, day: 8, name: { it: 'Immacolata Concezione', en: 'Immaculate Conception' } },
  { month: 12, day: 25, name: { it: 'Natale', en: 'Christmas Day' } },
  { month: 12, day: 26, name: { it: 'Santo Stefano', en: "Saint Stephen's Day" } },
];

/** Easter Sunday is listed even though it is a Sunday, so that calendars can show its name. */
export const MOVABLE_HOLIDAYS: readonly MovableHoliday[] = [
  { rule: 'easter-sunday', name: { it: 'Pasqua', en: 'Easter Sunday' } },
  { rule: 'easter-monday', name: { it: "Lunedì dell'Angelo", en: 'Easter Monday' } },
];

/**
 * Patron saints of the Lombard provincial capitals, keyed by lower-case unaccented city key. The patron saint's day
 * is a holiday only in that municipality, so it affects firms located there and nowhere else.
 */
export const PATRON_SAINTS: Readonly<Record<string, PatronSaint>> = {
  bergamo: { city: 'Bergamo', month: 8, day: 26, name: { it: "Sant'Alessandro", en: 'Saint Alexander' } },
  brescia: {
    city: 'Brescia',
    month: 2,
    day: 15,
    name: { it: 'Santi Faustino e Giovita', en: 'Saints Faustinus and Jovita' },
  },
  como: { city: 'Como', month: 8, day: 31, name: { it: "Sant'Abbondio", en: 'Saint Abundius' } },
  cremona: { city: 'Cremona', month: 11, day: 13, name: { it: "Sant'Omobono", en: 'Saint Homobonus' } },
  lecco: { city: 'Lecco', month: 12, day: 6, name: { it: 'San Nicolò', en: 'Saint Nicholas' } },
  lodi: { city: 'Lodi', month: 1, day: 19, name: { it: 'San Bassiano', en: 'Saint Bassianus' } },
  mantova: { city: 'Mantova', month: 3, day: 18, name: { it: "Sant'Anselmo", en: 'Saint Anselm' } },
  milano: { city: 'Milano', month: 12, day: 7, name: { it: "Sant'Ambrogio", en: 'Saint Ambrose' } },
  monza: { city: 'Monza', month: 6, day: 24, name: { it: 'San Giovanni Battista', en: 'Saint John the Baptist' } },
  pavia: { city: 'Pavia', month: 12, day: 9, name: { it: 'San Siro', en: 'Saint Syrus' } },
  sondrio: {
    city: 'Sondrio',
    month: 6,
    day: 19,
    name: { it: 'Santi Gervasio e Protasio', en: 'Saints Gervasius and Protasius' },
  },
  varese: { city: 'Varese', month: 5, day: 8, name: { it: 'San Vittore', en: 'Saint Victor' } },
};

/** Lower-cases and strips accents so that 'Milano', ' MILANO ' and 'milanò' find the same entry. */
export function normalizeCityKey(city: string): string {
  return city
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s'-]+/g, '-');
}

/** Unknown cities have no patron saint in the table, so they get no extra holiday. */
export function patronSaintOf(city: string): PatronSaint | undefined {
  const key = normalizeCityKey(city);
  return Object.prototype.hasOwnProperty.call(PATRON_SAINTS, key) ? PATRON_SAINTS[key] : undefined;
}

/** Easter Sunday in the Gregorian calendar (anonymous Gregorian / Meeus-Jones-Butcher algorithm). */
export function easterSunday(year: number): LocalDate {
  if (!Number.isInteger(year) || year < 1583) {
    throw new RangeError(`easterSunday: year must be an integer >= 1583 (Gregorian calendar), got ${year}`);
  }
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return { year, month: Math.floor(n / 31), day: (n % 31) + 1 };
}

export function movableHolidayDate(rule: MovableHolidayRule, year: number): LocalDate {
  const easter = easterSunday(year);
  switch (rule) {
    case 'easter-sunday':
      return easter;
    case 'easter-monday': {
      // Easter falls between 22 March and 25 April, so the Monday never crosses a month end other than March->April.
      const monthLength = easter.month === 3 ? 31 : 30;
      return easter.day === monthLength
        ? { year, month: easter.month + 1, day: 1 }
        : { year, month: easter.month, day: easter.day + 1 };
    }
  }
}

export function fixedHolidayApplies(holiday: FixedHoliday, year: number): boolean {
  if (holiday.fromYear !== undefined && year < holiday.fromYear) return false;
  if (holiday.untilYear !== undefined && year > holiday.untilYear) return false;
  return true;
}
