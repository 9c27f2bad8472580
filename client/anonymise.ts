/**
 * Anonymisation after an edition (GDPR storage limitation): `ANONYMISE_AFTER_DAYS` (365) after an
 * edition's current end, the participants of its firms lose their names, addresses and optional
 * data to placeholders (anonymisedAt set, links dead), and so do the copies of the emails sent to
 * them. Rows are kept, so reports keep their counts (participants, attendance, survey totals). A
 * firm still in a later edition's retention period keeps its people until that one ends too.
 * Idempotent: an anonymised participant is never touched again.
 */
import crypto from 'node:crypto';
import type { Db } from '../infra/db';
import { localDateOf, localDateToIso } from '../domain/calendar';
import type { AnonymiseResult } from '../activities/types';

export const DEFAULT_ANONYMISE_AFTER_DAYS = 365;

/** ANONYMISE_AFTER_DAYS from the environment, validated (whole days, 1 to 3650). */
export function anonymiseAfterDays(env: Record<string, string | undefined> = process.env): number {
  const raw = env.ANONYMISE_AFTER_DAYS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_ANONYMISE_AFTER_DAYS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 3650)
    throw new Error(`ANONYMISE_AFTER_DAYS must be a whole number of days from 1 to 3650, got "${raw}"`);
  return n;
}

export const ANONYMISED_NAME = 'Partecipante anonimizzato';

export type { AnonymiseResult };

function isoDaysBefore(asOf: number, days: number): string {
  return localDateToIso(localDateOf(asOf - days * 24 * 3600_000));
}

export async function anonymiseEndedEditions(
  db: Db,
  opts: { afterDays: number; asOf: number },
): Promise<AnonymiseResult> {
  // An edition whose end lies before this day has passed its retention period.
  const cutoff = isoDaysBefore(opts.asOf, opts.afterDays);
  const programmes = await db.programme.findMany({ select: { code: true, endsOn: true } });
  const ended = programmes.filter((p) => p.endsOn && p.endsOn < cutoff).map((p) => p.code);
  const kept = programmes.filter((p) => !p.endsOn || p.endsOn >= cutoff).map((p) => p.code);
  if (ended.length === 0) return { participants: 0, messages: 0, programmes: [] };
  const companies = await db.enrollment.findMany({
    where: { programmeCode: { in: ended }, company: { enrollments: { none: { programmeCode: { in: kept } } } } },
    select: { companyId: true },
    distinct: ['companyId'],
  });
  const people = await db.participant.findMany({
    where: { companyId: { in: companies.map((c) => c.companyId) }, anonymisedAt: null },
  });
  let messages = 0;
  const now = new Date(opts.asOf);
  for (const p of people) {
    const placeholder = `anonimo-${p.id}@anonimizzato.invalid`;
    const [, redacted] = await db.$transaction([
      db.participant.update({
        where: { id: p.id },
        data: {
          name: ANONYMISED_NAME,
          email: placeholder,
          gender: null,
          careResponsibilities: null,
          optionalDataConsentAt: null,
          linkNonce: crypto.randomBytes(18).toString('base64url'),
          anonymisedAt: now,
        },
      }),
      db.outboxMessage.updateMany({
        where: { toAddress: { in: [p.email, p.email.toLowerCase()] }, enrollment: { companyId: p.companyId } },
        data: { toAddress: placeholder, toName: null, html: '', text: '', ics: null, failureNotice: null },
      }),
      db.privacyAcknowledgement.updateMany({
        where: { subject: p.email },
        data: { subject: placeholder, fromIp: null },
      }),
    ]);
    messages += redacted.count;
  }
  return { participants: people.length, messages, programmes: ended };
}
