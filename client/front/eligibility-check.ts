/**
 * The public self-check of eligibility: the same rules enrollment applies (domain/eligibility.ts),
 * on what a firm says of itself, answered rule by rule and stored nowhere. Also the Italian VAT
 * number's check digit, which the public forms verify before anything else.
 */
import { z } from 'zod';
import { CATALOGUE, SECTORS, type Text } from '../../domain/catalogue';
import { checkEnrollmentEligibility } from '../../domain/eligibility';
import { enrollableProgramme, type Edition } from '../../domain/programmes';

/** Partita IVA: 11 digits whose last is the check digit of the first ten (Luhn-like, DM 23/12/1976). */
export function isValidVatNumber(vat: string): boolean {
  if (!/^\d{11}$/.test(vat)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(vat[i]);
    if (i % 2 === 0) sum += d;
    else sum += d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return (10 - (sum % 10)) % 10 === Number(vat[10]);
}

const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** What the check asks: the edition and pathway, and the firm as it declares itself. */
export const eligibilityCheckSchema = z
  .object({
    programme: z.string().trim().min(1).max(40),
    kind: z.string().trim().min(1).max(60),
    company: z
      .object({
        /** False for a project not yet registered (action 7): no VAT number, no size figures. */
        registered: z.boolean().default(true),
        province: z.string().trim().min(1).max(40),
        city: z.string().trim().max(80).optional(),
        sector: z.enum(SECTORS as unknown as [string, ...string[]]),
        staff: z.number().min(0).max(1_000_000).default(0),
        peopleEmployed: z.number().int().min(0).max(1_000_000).optional(),
        turnoverCents: cents.optional(),
        balanceSheetCents: cents.optional(),
        atecoCode: z
          .string()
          .trim()
          .regex(/^\d{2}(\.\d{1,2}(\.\d{1,2})?)?$/, 'codice ATECO, es. 47.11.10 / ATECO code, e.g. 47.11.10')
          .optional(),
        craftRegistered: z.boolean().optional(),
        isCareCompany: z.boolean().optional(),
      })
      .strict(),
  })
  .strict()
  .meta({
    examples: [
      {
        programme: 'demo-2026-2027',
        kind: 'congedo-flessibilita',
        company: {
          province: 'MB',
          city: 'Monza',
          sector: 'industria',
          staff: 35,
          turnoverCents: 450_000_000,
          balanceSheetCents: 300_000_000,
        },
      },
    ],
  });
export type EligibilityCheckInput = z.output<typeof eligibilityCheckSchema>;

export interface RuleOutcome {
  met: boolean;
  /** A stable code for a failed rule (the refusal enrollment would give); 'met' otherwise. */
  code: string;
  text: Text;
}

export interface EligibilityAnswer {
  eligible: boolean;
  programme: string;
  kind: string;
  atsCode: string | null;
  size: string | null;
  /** Every rule applied, in order: those met, then the one that failed (checking stops there). */
  rules: RuleOutcome[];
}

/** The declarant's words stand in the enrollment's rule; the check has no declarant yet. */
const CHECK_DECLARANT = 'il legale rappresentante';

export function checkEligibility(
  edition: Edition | undefined,
  input: EligibilityCheckInput,
  today: Date,
): EligibilityAnswer {
  const definition = CATALOGUE[input.kind];
  const base = { programme: input.programme, kind: input.kind };
  const fail = (code: string, text: Text, met: RuleOutcome[] = []): EligibilityAnswer => ({
    ...base,
    eligible: false,
    atsCode: null,
    size: null,
    rules: [...met, { met: false, code, text }],
  });
  if (!edition)
    return fail('unknown_programme', {
      it: `Edizione "${input.programme}" sconosciuta.`,
      en: `Unknown edition "${input.programme}".`,
    });
  if (!definition)
    return fail('unknown_kind', {
      it: `Percorso "${input.kind}" sconosciuto.`,
      en: `Unknown pathway "${input.kind}".`,
    });
  const offered = enrollableProgramme(edition, input.kind);
  if (!offered.ok) return fail(offered.error.code, offered.error.messages);
  const c = input.company;
  const result = checkEnrollmentEligibility({
    programme: offered.programme,
    programmeRequested: input.programme,
    definition,
    kindRequested: input.kind,
    company: {
      ...c,
      registered: c.registered,
      declaration: { declarantName: CHECK_DECLARANT, declarantRole: 'legal-representative' },
    },
    today,
  });
  const windowMet: RuleOutcome = {
    met: true,
    code: 'met',
    text: {
      it: `Edizione ${edition.code}: iscrizioni aperte fino al ${offered.programme.enrollmentClosesOn}; offre "${definition.name.it}"`,
      en: `Edition ${edition.code}: enrollment open until ${offered.programme.enrollmentClosesOn}; offers "${definition.name.en}"`,
    },
  };
  if (!result.ok) return fail(result.error.code, result.error.messages, [windowMet]);
  return {
    ...base,
    eligible: true,
    atsCode: result.atsCode,
    size: result.size,
    rules: [windowMet, ...result.reasons.map((text) => ({ met: true, code: 'met', text }))],
  };
}
