/**
 * Request and response shapes, declared once with zod and shared by the API and the CLI.
 */
import { z } from 'zod';

const trimmed = (max: number) => z.string().trim().min(1).max(max);
// Header injection in email fields is refused here, before any row is written.
const email = z.string().trim().toLowerCase().max(254).email();

export const participantSchema = z.object({
  name: trimmed(120).refine((s) => !/[\r\n]/.test(s), 'must be a single line'),
  email,
  role: z.enum(['owner', 'hr', 'employee']).default('employee'),
  locale: z.enum(['it', 'en']).default('it'),
});

export const enrollRequestSchema = z.object({
  programme: trimmed(40).default('demo-2026-2027'),
  kind: trimmed(60),
  company: z.object({
    name: trimmed(200),
    /** Partita IVA: 11 digits. */
    vatNumber: z
      .string()
      .trim()
      .regex(/^\d{11}$/, 'la partita IVA ha 11 cifre / VAT number must be 11 digits'),
    province: trimmed(40),
    city: trimmed(80).optional(),
    sector: z.enum(['commercio', 'artigianato', 'industria', 'servizi', 'agricoltura', 'terzo-settore']),
    staff: z.number().int().min(0).max(1_000_000),
    turnoverCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    balanceSheetCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  consultant: z.object({ name: trimmed(120), email }),
  participants: z.array(participantSchema).min(1).max(500),
  idempotencyKey: z.string().trim().min(8).max(200).optional(),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;
export type EnrollRequestInput = z.input<typeof enrollRequestSchema>;

export const completeStepRequestSchema = z.object({
  stepKey: trimmed(60),
  evidence: z.string().trim().max(2000).optional(),
  actor: z.object({
    role: z.enum(['consultant', 'sme', 'coordinator', 'admin']),
    id: trimmed(254),
    name: trimmed(120).optional(),
  }),
});
export type CompleteStepBody = z.infer<typeof completeStepRequestSchema>;
