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

type Text = { it: string; en: string };

/** An enterprise related to the declaring one (Recommendation 2003/361/EC, Annex art. 3). */
export interface RelatedEnterprise {
  name: string;
  /** partner: 25% to 50% of capital or voting rights, either way; linked: more than 50%, or dominant influence. */
  relation: 'partner' | 'linked';
  /** The share held (by it in the declaring firm, or by the declaring firm in it), in percent. */
  sharePercent: number;
  staff: number;
  turnoverCents: Cents;
  balanceSheetCents: Cents;
}

export interface EnterpriseRelations {
  enterprises?: RelatedEnterprise[];
  /** Share of capital or voting rights held, jointly or individually, by public bodies, in percent. */
  publicBodiesSharePercent?: number;
}

export interface DeclaredSmeInput {
  staff: number;
  turnoverCents: Cents;
  balanceSheetCents: Cents;
  relations?: EnterpriseRelations;
}

export interface DeclaredSmeClassification {
  size: SmeSize;
  /** Why, rule by rule, in both languages. */
  reasons: Text[];
  /** The figures the size was decided on: the firm's own plus its partners' (pro rata) and linked enterprises'. */
  counted: { staff: number; turnoverCents: Cents; balanceSheetCents: Cents };
  /** 25% or more held by public bodies: not an SME whatever the figures (art. 3(4)). */
  publicControl: boolean;
  /** The threshold steps of classifySme on the counted figures, as it words them. */
  steps: string[];
}

/** Public bodies holding this share or more make the enterprise not an SME (Annex art. 3(4)). */
export const PUBLIC_BODIES_SHARE_LIMIT = 25;
export const PARTNER_SHARE_MIN = 25;
export const PARTNER_SHARE_MAX = 50;

const eurIt = (cents: Cents): string => formatEuro(cents, 'it');
const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * The SME size of a firm on its declared figures and relations (Recommendation 2003/361/EC, Annex arts.
 * 3-6): an autonomous firm counts its own figures; a partner enterprise's figures are added in proportion
 * to the share (25-50%), a linked enterprise's in full (> 50%); then the thresholds of art. 2 apply. An
 * enterprise 25% or more held by public bodies is not an SME.
 */
export function classifyDeclaredSme(input: DeclaredSmeInput): DeclaredSmeClassification {
  const reasons: Text[] = [];
  const related = input.relations?.enterprises ?? [];
  let staff = input.staff;
  let turnover = input.turnoverCents;
  let balance = input.balanceSheetCents;
  for (const e of related) {
    const factor = e.relation === 'linked' ? 1 : e.sharePercent / 100;
    staff += e.staff * factor;
    turnover += Math.round(e.turnoverCents * factor);
    balance += Math.round(e.balanceSheetCents * factor);
    reasons.push(
      e.relation === 'linked'
        ? {
            it: `${e.name}: impresa collegata (oltre il 50%), i suoi dati si sommano per intero (art. 6, par. 2)`,
            en: `${e.name}: linked enterprise (over 50%), its figures are added in full (art. 6(2))`,
          }
        : {
            it: `${e.name}: impresa associata (${e.sharePercent}%), i suoi dati si sommano in proporzione alla quota (art. 6, par. 2)`,
            en: `${e.name}: partner enterprise (${e.sharePercent}%), its figures are added in proportion to the share (art. 6(2))`,
          },
    );
  }
  if (related.length === 0)
    reasons.push({
      it: 'Impresa autonoma (nessuna impresa associata o collegata dichiarata): contano i suoi soli dati (art. 3, par. 1)',
      en: 'Autonomous enterprise (no partner or linked enterprise declared): its own figures count (art. 3(1))',
    });
  staff = round2(staff);
  const counted = { staff, turnoverCents: turnover, balanceSheetCents: balance };
  const sme = classifySme(counted);
  const publicShare = input.relations?.publicBodiesSharePercent ?? 0;
  const publicControl = publicShare >= PUBLIC_BODIES_SHARE_LIMIT;
  const figures = {
    it: `ULA ${staff}, fatturato ${eurIt(turnover)}, totale di bilancio ${eurIt(balance)}`,
    en: `AWU ${staff}, turnover ${eur(turnover)}, balance sheet total ${eur(balance)}`,
  };
  if (publicControl) {
    reasons.push({
      it: `Il ${publicShare}% del capitale o dei diritti di voto è detenuto da enti pubblici (almeno il ${PUBLIC_BODIES_SHARE_LIMIT}%): non è una PMI (art. 3, par. 4)`,
      en: `${publicShare}% of the capital or voting rights is held by public bodies (${PUBLIC_BODIES_SHARE_LIMIT}% or more): not an SME (art. 3(4))`,
    });
    return { size: 'large', reasons, counted, publicControl, steps: sme.reasons };
  }
  const tier = TIERS.find((t) => t.size === sme.size);
  reasons.push(
    tier
      ? {
          it: `${figures.it}: ULA sotto ${tier.staffLimit} e fatturato fino a ${eurIt(tier.turnoverMax)} o bilancio fino a ${eurIt(tier.balanceSheetMax)}, impresa ${tier.size} (art. 2)`,
          en: `${figures.en}: AWU below ${tier.staffLimit} and turnover up to ${eur(tier.turnoverMax)} or balance sheet up to ${eur(tier.balanceSheetMax)}, a ${tier.size} enterprise (art. 2)`,
        }
      : {
          it: `${figures.it}: oltre i limiti della media impresa (250 ULA, fatturato ${eurIt(MEDIUM_TURNOVER_MAX_CENTS)} o bilancio ${eurIt(MEDIUM_BALANCE_SHEET_MAX_CENTS)}), non è una PMI (art. 2)`,
          en: `${figures.en}: beyond the medium-sized limits (250 AWU, turnover ${eur(MEDIUM_TURNOVER_MAX_CENTS)} or balance sheet ${eur(MEDIUM_BALANCE_SHEET_MAX_CENTS)}), not an SME (art. 2)`,
        },
  );
  return { size: sme.size, reasons, counted, publicControl, steps: sme.reasons };
}
