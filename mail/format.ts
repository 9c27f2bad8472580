import type { Locale } from './render';

/**
 * Dates reach the templates already formatted, so that the wording around them ("entro {{dueAt}}",
 * "il {{completedAt}}") stays grammatical. Deadlines are regional, hence Europe/Rome whatever the
 * time zone of the worker.
 */
export const MAIL_TIME_ZONE = 'Europe/Rome';

const INTL_LOCALE: Record<Locale, string> = { it: 'it-IT', en: 'en-GB' };

function parts(date: Date, locale: Locale, options: Intl.DateTimeFormatOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: MAIL_TIME_ZONE,
    ...options,
  }).formatToParts(date)) {
    out[part.type] = part.value;
  }
  return out;
}

/** A deadline with weekday and time: "venerdì 14 marzo 2025, ore 17:00" / "Friday 14 March 2025 at 17:00". */
export function formatDueAt(date: Date, locale: Locale): string {
  const p = parts(date, locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const day = `${p.weekday} ${p.day} ${p.month} ${p.year}`;
  return locale === 'it' ? `${day}, ore ${p.hour}:${p.minute}` : `${day} at ${p.hour}:${p.minute}`;
}

/** A calendar day: "14 marzo 2025" / "14 March 2025". */
export function formatDate(date: Date, locale: Locale): string {
  const p = parts(date, locale, { day: 'numeric', month: 'long', year: 'numeric' });
  return `${p.day} ${p.month} ${p.year}`;
}
