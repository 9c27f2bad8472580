import { DomainError } from './errors';
import { assertCents, formatEuro, type Cents } from './money';

export type SmeSize = 'micro' | 'small' | 'medium' | 'large';

export interface SmeInput {
  /** Headcount in annual work units (ULA); may be fractional for part-time and seasonal staff. */
  staff: number;
  turnoverCents?: Cents;
  balanceSheetCents?: Cents;
}

export interface SmeClassification {
  size: SmeSize;
  reasons: string[];
}

// Thresholds of Commission Recommendation 2003/361/EC, Annex art. 2. Staff limits are exclusive ("fewer than"),
// financial ceilings inclusive ("does not exceed").
export const MICRO_STAFF_LIMIT = 10;
export const MICRO_TURNOVER_MAX_CENTS: Cents = 2_000_000_00;
export const MICRO_BALANCE_SHEET_MAX_CENTS: Cents = 2_000_000_00;
export const SMALL_STAFF_LIMIT = 50;
export const SMALL_TURNOVER_MAX_CENTS: Cents = 10_000_000_00;
export const SMALL_BALANCE_SHEET_MAX_CENTS: Cents = 10_000_000_00;
export const MEDIUM_STAFF_LIMIT = 250;
export const MEDIUM_TURNOVER_MAX_CENTS: Cents = 50_000_000_00;
export const MEDIUM_BALANCE_SHEET_MAX_CENTS: Cents = 43_000_000_00;

interface Tier {
  size: Exclude<SmeSize, 'large'>;
  staffLimit: number;
  turnoverMax: Cents;
  balanceSheetMax: Cents;
}

const TIERS: readonly Tier[] = [
  {
    size: 'micro',
    staffLimit: MICRO_STAFF_LIMIT,
    turnoverMax: MICRO_TURNOVER_MAX_CENTS,
    balanceSheetMax: MICRO_BALANCE_SHEET_MAX_CENTS,
  },
  {
    size: 'small',
    staffLimit: SMALL_STAFF_LIMIT,
    turnoverMax: SMALL_TURNOVER_MAX_CENTS,
    balanceSheetMax: SMALL_BALANCE_SHEET_MAX_CENTS,
  },
  {
    size: 'medium',
    staffLimit: MEDIUM_STAFF_LIMIT,
    turnoverMax: MEDIUM_TURNOVER_MAX_CENTS,
    balanceSheetMax: MEDIUM_BALANCE_SHEET_MAX_CENTS,
  },
];

const eur = (cents: Cents): string => formatEuro(cents, 'en');

/**
 * Sizes a firm per Recommendation 2003/361/EC: the smallest tier whose staff limit it is under and for which it meets
 * either financial ceiling. A figure that is not known cannot disqualify the firm, so with missing figures the
 * financial test passes unless a known figure settles it, and the reasons say the result rests on staff alone.
 */
export function classifySme(input: SmeInput): SmeClassification {
  const { staff, turnoverCents, balanceSheetCents } = input;
  if (typeof staff !== 'number' || !Number.isFinite(staff) || staff < 0) {
    throw new DomainError(
      'invalid_sme_input',
      {
        it: `Numero di addetti non valido ${JSON.stringify(staff)}: serve un numero non negativo di ULA`,
        en: `Invalid staff headcount ${JSON.stringify(staff)}: expected a non-negative number of annual work units`,
      },
      { staff },
    );
  }
  if (turnoverCents !== undefined) assertCents(turnoverCents);
  if (balanceSheetCents !== undefined) assertCents(balanceSheetCents);

  const reasons: string[] = [];
  if (turnoverCents === undefined && balanceSheetCents === undefined) {
    reasons.push('Turnover and balance sheet total not known: classified on staff headcount alone');
  } else if (turnoverCents === undefined) {
    reasons.push('Turnover not known: only the balance sheet total can rule a size out');
  } else if (balanceSheetCents === undefined) {
    reasons.push('Balance sheet total not known: only turnover can rule a size out');
  }

  for (const tier of TIERS) {
    if (staff >= tier.staffLimit) {
      reasons.push(`Staff ${staff} is not below ${tier.staffLimit}: not ${tier.size}`);
      continue;
    }
    const turnoverOk = turnoverCents !== undefined && turnoverCents <= tier.turnoverMax;
    const balanceOk = balanceSheetCents !== undefined && balanceSheetCents <= tier.balanceSheetMax;
    const allKnown = turnoverCents !== undefined && balanceSheetCents !== undefined;
    if (turnoverOk) {
      reasons.push(
        `Staff ${staff} < ${tier.staffLimit} and turnover ${eur(turnoverCents)} <= ${eur(tier.turnoverMax)}: ${tier.size}`,
      );
      return { size: tier.size, reasons };
    }
    if (balanceOk) {
      reasons.push(
        `Staff ${staff} < ${tier.staffLimit} and balance sheet total ${eur(balanceSheetCents)} <= ${eur(tier.balanceSheetMax)}: ${tier.size}`,
      );
      return { size: tier.size, reasons };
    }
    if (!allKnown) {
      const missing = turnoverCents === undefined ? 'turnover' : 'balance sheet total';
      reasons.push(
        `Staff ${staff} < ${tier.staffLimit} and the ${missing} that could still meet its ceiling is not known: ${tier.size}`,
      );
      return { size: tier.size, reasons };
    }
    reasons.push(
      `Turnover ${eur(turnoverCents)} > ${eur(tier.turnoverMax)} and balance sheet total ${eur(balanceSheetCents)} > ${eur(tier.balanceSheetMax)}: not ${tier.size}`,
    );
  }
  reasons.push('Exceeds the medium-sized enterprise limits: large');
  return { size: 'large', reasons };
}
