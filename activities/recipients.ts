/**
 * Who a pathway's email reaches, decided when the outbox writes its rows rather than when the
 * pathway started: the workflow's input keeps the participants of the day it was enrolled, but a
 * firm's HR contact may join or leave a running pathway. The workflow names the staff recipients
 * and (for its reminders) the participant roles concerned; this resolves the participants from the
 * database. It is an activity's read, so histories replay unchanged and a retry resolves again to
 * the same rows (one per key and address: nothing is sent twice).
 */
import type { Db } from '../infra/db';
import type { Recipient } from '../workflows/messages';
import { participantLinkKey, participantLinkUrl, signParticipantLink } from '../client/participant-links';

export interface ResolvedRecipient extends Recipient {
  /** Present for a participant of the firm: their personal page. */
  participantUrl?: string;
  /** Present for a participant: their role in the firm (owner, hr, employee). */
  participantRole?: string;
}

export interface RecipientInput {
  enrollmentId?: string;
  to: Recipient[];
  participantRoles?: string[];
}

export function createRecipientResolver(db: Db, publicUrl: string, preferencesSecret: string) {
  const key = participantLinkKey(preferencesSecret);
  return async function resolveRecipients(input: RecipientInput): Promise<ResolvedRecipient[]> {
    if (!input.enrollmentId) return input.to;
    const enrollment = await db.enrollment.findUnique({
      where: { id: input.enrollmentId },
      select: { id: true, companyId: true },
    });
    if (!enrollment) return input.to;
    // A business network enrolls as one party: its member firms' people take part too.
    const people = await db.participant.findMany({
      where: { OR: [{ companyId: enrollment.companyId }, { company: { networkId: enrollment.companyId } }] },
    });
    const byEmail = new Map(people.map((p) => [p.email.toLowerCase(), p]));
    const gone = (p: (typeof people)[number]) => p.removedAt !== null || p.anonymisedAt !== null;
    const roles = input.participantRoles;
    // With roles: the participants are those of the firm now (one added later included). Without
    // (runs from before roles, or a message to named people): those named, less any who have left.
    const staff = input.to.filter((t) => !byEmail.has(t.email.toLowerCase()));
    const current =
      roles !== undefined
        ? people.filter((p) => !gone(p) && roles.includes(p.role))
        : input.to.flatMap((t) => {
            const p = byEmail.get(t.email.toLowerCase());
            return p && !gone(p) ? [p] : [];
          });
    const seen = new Set<string>();
    const out: ResolvedRecipient[] = [];
    for (const s of staff) {
      if (seen.has(s.email.toLowerCase())) continue;
      seen.add(s.email.toLowerCase());
      out.push(s);
    }
    for (const p of current) {
      if (seen.has(p.email.toLowerCase())) continue;
      seen.add(p.email.toLowerCase());
      const token = signParticipantLink(key, { enrollmentId: enrollment.id, participantId: p.id, nonce: p.linkNonce });
      out.push({
        name: p.name,
        email: p.email,
        locale: p.locale === 'en' ? 'en' : 'it',
        participantUrl: participantLinkUrl(publicUrl, token),
        participantRole: p.role,
      });
    }
    return out;
  };
}
