import { DomainError, type LocalizedMessage } from './errors';
import type { Locale } from './locale';

/**
 * An amount in euro cents. Always a non-negative safe integer: amounts are never held as fractional euros, so sums
 * and percentages stay exact.
 */
export type Cents = number;

export class MoneyError extends DomainError {
  constructor(messages: LocalizedMessage, details?: unknown) {
    super('invalid_amount', messages, details);
  }
}

function reject(input: unknown, en: string, it: string): MoneyError {
  const shown = JSON.stringify(input) ?? String(input);
  return new MoneyError({ it: `Importo non valido ${shown}: ${it}`, en: `Invalid amount ${shown}: ${en}` }, { input });
}

export function assertCents(n: number): asserts n is Cents {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw reject(
      n,
      'expected a non-negative whole number of euro cents',
      'serve un numero intero non negativo di centesimi di euro',
    );
  }
}

// Accepted spellings. Dots as thousands separators must come in complete groups of three and need a comma decimal
// part or more than one group, since a lone '1.234' could be either 1234 euros (Italian) or 1.234 euros (English).
const PLAIN_DOT = /^(\d+)(?:\.(\d+))?$/;
const PLAIN_COMMA = /^(\d+),(\d+)$/;
const ITALIAN_GROUPED = /^(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?$/;

/**
 * Parses a euro amount into cents. Accepts '1234', '1234.5', '1234,56' and Italian grouping '1.234,56' or '1.234.567'.
 * A comma is always the decimal separator, so '1,234' is rejected for having three decimals rather than read as 1234.
 */
export function eurosToCents(input: string | number): Cents {
  let text: string;
  if (typeof input === 'number') {
    if (Number.isNaN(input)) throw reject(input, 'not a number', 'non è un numero');
    if (!Number.isFinite(input)) throw reject(input, 'not a finite number', 'non è un numero finito');
    if (input < 0) {
      throw reject(input, 'negative amounts are not allowed', 'gli importi negativi non sono ammessi');
    }
    // String() gives the shortest decimal that round-trips, so 0.29 stays '0.29' rather than 0.28999... in cents.
    text = String(input);
  } else if (typeof input === 'string') {
    text = input
      .replace(/[\s\u00a0\u202f]+/g, ' ')
      .trim()
      .replace(/^€\s?|\s?€$/g, '')
      .trim();
  } else {
    throw reject(input, 'expected a string or a number', 'serve una stringa o un numero');
  }

  if (text === '') throw reject(input, 'the amount is empty', "l'importo è vuoto");
  if (text.startsWith('-')) {
    throw reject(input, 'negative amounts are not allowed', 'gli importi negativi non sono ammessi');
  }
  if (typeof input === 'string' && /^\d{1,3}\.\d{3}$/.test(text)) {
    throw reject(
      input,
      "ambiguous: write 1234 or 1.234,00 for euros, or 1,23 for a decimal amount (',' is the decimal separator)",
      "ambiguo: scrivere 1234 o 1.234,00 per gli euro, oppure 1,23 per un importo con decimali (il separatore decimale è ',')",
    );
  }

  // A number's string form only ever uses '.' as a decimal point, never as a thousands separator.
  const match =
    typeof input === 'number'
      ? PLAIN_DOT.exec(text)
      : (ITALIAN_GROUPED.exec(text) ?? PLAIN_COMMA.exec(text) ?? PLAIN_DOT.exec(text));
  if (!match) {
    throw reject(
      input,
      'expected a number of euros such as 1234, 1234.56, 1234,56 or 1.234,56',
      'serve un importo in euro come 1234, 1234,56 o 1.234,56',
    );
  }
  const euros = (match[1] ?? '').replace(/\./g, '');
  const decimals = match[2] ?? '';
  if (decimals.length > 2) {
    throw reject(
      input,
      `it has ${decimals.length} decimal digits, at most 2 are allowed (',' is the decimal separator)`,
      `ha ${decimals.length} cifre decimali, al massimo ne sono ammesse 2 (il separatore decimale è ',')`,
    );
  }
  const cents = BigInt(euros) * 100n + BigInt(decimals.padEnd(2, '0'));
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw reject(input, 'the amount is too large', "l'importo è troppo grande");
  }
  return Number(cents);
}

const formatters: Partial<Record<Locale, Intl.NumberFormat>> = {};

function getFormatter(locale: Locale): Intl.NumberFormat {
  return (formatters[locale] ??= new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
    style: 'currency',
    currency: 'EUR',
    // Italian CLDR data skips grouping for four-digit amounts ('1234,56 €'); grant documents always group. The lib
    // target predates the string values of useGrouping, hence the cast.
    useGrouping: 'always' as unknown as boolean,
  }));
}

/**
 * '1.234,56 €' (it) / '€1,234.56' (en). The whole euros are formatted as a BigInt and the cents spliced in, so no
 * amount ever passes through floating-point division.
 */
export function formatEuro(cents: Cents, locale: Locale): string {
  assertCents(cents);
  // The same amounts come back (the SME thresholds every enrollment's reasons quote), and
  // formatToParts costs about as much CPU as the rest of the eligibility rules together.
  const memoKey = `${locale}:${cents}`;
  const memo = formatted.get(memoKey);
  if (memo !== undefined) return memo;
  const whole = BigInt(cents) / 100n;
  const fraction = String(cents % 100).padStart(2, '0');
  const text = getFormatter(locale)
    .formatToParts(whole)
    .map((part) => (part.type === 'fraction' ? fraction : part.value))
    .join('')
    .replace(/[\u00a0\u202f]/g, ' ');
  if (formatted.size >= FORMATTED_MAX) formatted.clear();
  formatted.set(memoKey, text);
  return text;
}
/** Amounts already formatted, per locale; emptied when full (bounded memory whatever the amounts). */
const formatted = new Map<string, string>();
const FORMATTED_MAX = 1000;

/** cents × numerator / denominator, rounded down to the cent (e.g. an 80% co-funding cap never exceeds 80%). */
export function percentOf(cents: Cents, numerator: number, denominator: number): Cents {
  assertCents(cents);
  if (!Number.isSafeInteger(numerator) || numerator < 0) {
    throw new RangeError(`percentOf: numerator must be a non-negative integer, got ${numerator}`);
  }
  if (!Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(`percentOf: denominator must be a positive integer, got ${denominator}`);
  }
  const result = (BigInt(cents) * BigInt(numerator)) / BigInt(denominator);
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`percentOf: result exceeds the safe integer range`);
  }
  return Number(result);
}
