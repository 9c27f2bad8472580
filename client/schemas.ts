/**
 * Request and response shapes, declared once with zod and shared by the API and the CLI.
 */
import { z } from 'zod';

const trimmed = (max: number) => z.string().trim().min(1).max(max);
/**
 * A one-line text: names and places end up in mail headers (To, Subject) and calendar lines, so CR, LF
 * and the other control characters (C0, DEL, C1 with NEL, the Unicode line and paragraph separators)
 * are refused here, before any row is written, rather than stripped somewhere later.
 */
export const singleLine = (max: number) =>
  trimmed(max).regex(
    // eslint-disable-next-line no-control-regex
    /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/,
    'una sola riga, senza caratteri di controllo / must be a single line without control characters',
  );
// Header injection in email fields is refused here, before any row is written.
const email = z.string().trim().toLowerCase().max(254).email();

export const participantSchema = z.object({
  name: singleLine(120),
  email,
  role: z.enum(['owner', 'hr', 'employee']).default('employee'),
  locale: z.enum(['it', 'en']).default('it'),
});

/** Partita IVA: 11 digits. */
const vatNumber = z
  .string()
  .trim()
  .regex(/^\d{11}$/, 'la partita IVA ha 11 cifre / VAT number must be 11 digits');
const sector = z.enum(['commercio', 'artigianato', 'industria', 'servizi', 'agricoltura', 'terzo-settore']);
const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Staff in annual work units (ULA): fractional for part-time and seasonal work, two decimals at most. */
const awu = z
  .number()
  .min(0)
  .max(1_000_000)
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'al massimo due decimali / at most two decimals');
const percent = z.number().min(0).max(100);

/** A partner (25-50%) or linked (over 50%) enterprise, with its own figures (recommendation 2003/361, art. 3). */
const relatedEnterpriseSchema = z
  .object({
    name: singleLine(200),
    vatNumber: vatNumber.optional(),
    relation: z.enum(['partner', 'linked']),
    sharePercent: percent,
    staff: awu,
    turnoverCents: cents,
    balanceSheetCents: cents,
  })
  .refine((e) => e.relation !== 'partner' || (e.sharePercent >= 25 && e.sharePercent <= 50), {
    message:
      "un'impresa associata ha dal 25% al 50%: sotto è autonoma, sopra collegata / a partner enterprise holds 25% to 50%: below it is autonomous, above it is linked",
    path: ['sharePercent'],
  });

/** The firm's relations; absent: an autonomous enterprise. */
const relationsSchema = z.object({
  enterprises: z.array(relatedEnterpriseSchema).max(50).default([]),
  publicBodiesSharePercent: percent.optional(),
});

/** Fields of the firm's own declaration shared by the company and each network member. */
const declaredFirmFields = {
  /** Annual work units (ULA), fractional allowed. */
  staff: awu,
  /** People employed, a headcount: time saving's "massimo tre occupati". */
  peopleEmployed: z.number().int().min(0).max(1_000_000).optional(),
  turnoverCents: cents.optional(),
  balanceSheetCents: cents.optional(),
  relations: relationsSchema.optional(),
  /** ATECO 2007/2025 code, e.g. 47.11.10. */
  atecoCode: z
    .string()
    .trim()
    .regex(/^\d{2}(\.\d{1,2}(\.\d{1,2})?)?$/, 'codice ATECO, es. 47.11.10 / ATECO code, e.g. 47.11.10')
    .optional(),
  /** Registered in the Albo delle imprese artigiane. */
  craftRegistered: z.boolean().optional(),
  /** A public or private care company ("azienda di cura"). */
  isCareCompany: z.boolean().optional(),
};

/** The self-declaration (DPR 445/2000) the figures are given by; the server adds who sent it, when and from where. */
const declarationSchema = z.object({
  declarantName: singleLine(120),
  declarantRole: z.literal('legal-representative'),
  /** When the declarant accepted the text, as the client saw it. */
  acceptedAt: z.iso.datetime({ offset: true }).optional(),
});

/** A member firm of a business network, with its own participants. */
export const memberSchema = z.object({
  name: singleLine(200),
  vatNumber,
  /** The member's own province and municipality (they decide its ATS); absent: the network's. */
  province: trimmed(40).optional(),
  city: singleLine(80).optional(),
  sector,
  ...declaredFirmFields,
  participants: z.array(participantSchema).max(500).default([]),
});

export const enrollRequestSchema = z
  .object({
    /** The edition's code (GET /programmes), always named: none is a silent default. */
    programme: trimmed(40),
    kind: trimmed(60),
    company: z
      .object({
        name: singleLine(200),
        vatNumber: vatNumber.optional(),
        /** Codice fiscale of a project not yet registered (autoimprenditorialità femminile). */
        taxCode: z
          .string()
          .trim()
          .toUpperCase()
          .regex(/^[A-Z0-9]{16}$/, 'il codice fiscale ha 16 caratteri / tax code must be 16 characters')
          .optional(),
        province: trimmed(40),
        city: singleLine(80).optional(),
        sector,
        ...declaredFirmFields,
        declaration: declarationSchema.optional(),
        /** Present for a business network ("rete di imprese"): at least two member firms. */
        members: z.array(memberSchema).min(2).max(200).optional(),
      })
      .refine((c) => Boolean(c.vatNumber) !== Boolean(c.taxCode), {
        message: 'indicare la partita IVA oppure il codice fiscale / give either vatNumber or taxCode',
        path: ['vatNumber'],
      }),
    alliance: trimmed(60).optional(),
    consultant: z.object({ name: singleLine(120), email }),
    participants: z.array(participantSchema).max(500).default([]),
    idempotencyKey: z.string().trim().min(8).max(200).optional(),
  })
  .refine((r) => r.participants.length + (r.company.members ?? []).reduce((n, m) => n + m.participants.length, 0) > 0, {
    message: 'almeno un partecipante / at least one participant',
    path: ['participants'],
  })
  // Shown in /docs, and sent as is by API fuzzers (the one request they would hardly invent).
  .meta({
    examples: [
      {
        programme: 'demo-2026-2027',
        kind: 'congedo-flessibilita',
        company: {
          name: 'Tessitura Brianzola S.r.l.',
          vatNumber: '01234567890',
          province: 'MB',
          city: 'Monza',
          sector: 'industria',
          staff: 35,
          turnoverCents: 450_000_000,
          balanceSheetCents: 300_000_000,
          declaration: { declarantName: 'Marco Rossi', declarantRole: 'legal-representative' },
        },
        consultant: { name: 'Giulia Bianchi', email: 'giulia.bianchi@example.com' },
        participants: [{ name: 'Marco Rossi', email: 'marco.rossi@example.com', role: 'owner', locale: 'it' }],
      },
    ],
  });
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;
export type EnrollRequestInput = z.input<typeof enrollRequestSchema>;

const actor = z.object({
  role: z.enum(['consultant', 'sme', 'coordinator', 'admin']),
  id: trimmed(254),
  name: singleLine(120).optional(),
});
const reason = z.string().trim().min(5).max(1000);

export const completeStepRequestSchema = z.object({
  stepKey: trimmed(60),
  evidence: z.string().trim().max(2000).optional(),
  actor,
});
export const reopenStepRequestSchema = z.object({ stepKey: trimmed(60), reason, actor });
export const extendDueDateRequestSchema = z.object({
  stepKey: trimmed(60),
  newDueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'data AAAA-MM-GG / date YYYY-MM-DD'),
  reason,
  actor,
});
export const assignConsultantRequestSchema = z.object({
  consultant: z.object({ name: singleLine(120), email }),
  actor,
});
export const withdrawRequestSchema = z.object({ reason, actor });
export const confirmParticipationRequestSchema = z.object({ actor });
export type CompleteStepBody = z.infer<typeof completeStepRequestSchema>;
