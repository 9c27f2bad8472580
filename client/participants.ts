/**
 * The participants of a running pathway change: an HR contact joins, one leaves. A participant is
 * never deleted: leaving sets removedAt (their personal links stop, the outbox no longer resolves
 * them as a recipient, their staged reminders are withdrawn). Adding respects the firm's bound on
 * participants and the caller's daily quota of new addresses. Both are audited. The recipients of
 * the pathway's next emails follow from the rows (activities/recipients.ts): no workflow signal is
 * needed, and nothing recorded in a history depends on it.
 */
import type { Db } from '../infra/db';
import { DomainError } from '../domain/errors';
import {
  participantLimit,
  recipientQuotaExceeded,
  quotaFreesAt,
  recipientQuotaFor,
  RECIPIENT_QUOTA_WINDOW_MS,
  type RecipientQuotas,
  DEFAULT_RECIPIENT_QUOTAS,
} from '../domain/participant-limits';
import { audit, auditActor } from './audit';
import type { Principal } from './auth/principal';
import { newLinkNonce } from './participant-links';

export interface NewParticipant {
  name: string;
  email: string;
  role: 'owner' | 'hr' | 'employee';
  locale: 'it' | 'en';
}

export function participantNotFound(id: string): DomainError {
  return new DomainError('not_found', {
    it: `Partecipante "${id}" non trovato in questo percorso.`,
    en: `Participant "${id}" not found in this pathway.`,
  });
}

function participantExists(email: string): DomainError {
  return new DomainError(
    'participant_exists',
    {
      it: `${email} partecipa già a questo percorso.`,
      en: `${email} already takes part in this pathway.`,
    },
    { email },
  );
}

function pathwayClosed(): DomainError {
  return new DomainError('pathway_closed', {
    it: 'Il percorso è chiuso: i partecipanti non si possono più cambiare.',
    en: 'The pathway is closed: its participants can no longer change.',
  });
}

export function staffOnly(): DomainError {
  return new DomainError('forbidden', {
    it: 'Solo il personale che segue il percorso (consulente, coordinatore, Regione) può farlo.',
    en: 'Only the staff following the pathway (consultant, coordinator, Region) may do this.',
  });
}

function tooMany(limit: number): DomainError {
  return new DomainError(
    'too_many_participants',
    {
      it: `L'impresa può avere al più ${limit} partecipanti (gli addetti dichiarati più alcuni contatti esterni).`,
      en: `The company may have at most ${limit} participants (its declared staff plus a few external contacts).`,
    },
    { limit },
  );
}

type EnrollmentRow = { id: string; status: string; companyId: string; company: { staff: number } };

export function participantView(p: {
  id: string;
  name: string;
  email: string;
  role: string;
  locale: string;
  removedAt: Date | null;
  anonymisedAt: Date | null;
  createdAt: Date;
}) {
  return {
    id: p.id,
    name: p.name,
    email: p.email,
    role: p.role,
    locale: p.locale,
    createdAt: p.createdAt.toISOString(),
    removedAt: p.removedAt?.toISOString() ?? null,
    anonymisedAt: p.anonymisedAt?.toISOString() ?? null,
  };
}

export function createParticipantOps(db: Db, quotas: RecipientQuotas = DEFAULT_RECIPIENT_QUOTAS) {
  /** A participant of the firm, or of one of its member firms when it is a business network. */
  const inPathway = async (p: { companyId: string }, e: EnrollmentRow): Promise<boolean> => {
    if (p.companyId === e.companyId) return true;
    const member = await db.company.findUnique({ where: { id: p.companyId }, select: { networkId: true } });
    return member?.networkId === e.companyId;
  };

  /** One account's additions at a time in this process, so two requests cannot both slip under the quota. */
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => queues.get(key) === tail && queues.delete(key));
    return run;
  };

  return {
    async add(e: EnrollmentRow, who: Principal, person: NewParticipant) {
      if (e.status !== 'active') throw pathwayClosed();
      return oneAtATime(who.userId, async () => {
        const existing = await db.participant.findUnique({
          where: { companyId_email: { companyId: e.companyId, email: person.email } },
        });
        if (existing && !existing.removedAt && !existing.anonymisedAt) throw participantExists(person.email);
        const current = await db.participant.count({
          where: { companyId: e.companyId, removedAt: null, anonymisedAt: null },
        });
        const limit = participantLimit(e.company.staff);
        if (current + 1 > limit) throw tooMany(limit);
        const quota = recipientQuotaFor(who.role, quotas);
        if (quota !== null) {
          const since = new Date(Date.now() - RECIPIENT_QUOTA_WINDOW_MS);
          const added = await db.participant.findMany({
            where: { addedById: who.userId, createdAt: { gt: since } },
            orderBy: { createdAt: 'asc' },
            select: { createdAt: true },
          });
          if (added.length + 1 > quota)
            throw recipientQuotaExceeded(
              quota,
              quotaFreesAt(
                added.map((r) => r.createdAt),
                1,
                quota,
              ),
            );
        }
        // One who left and comes back is the same row again (the address is unique per firm), with a
        // fresh link nonce: links from before the removal stay dead.
        const row = existing
          ? await db.participant.update({
              where: { id: existing.id },
              data: {
                name: person.name,
                role: person.role,
                locale: person.locale,
                removedAt: null,
                removedById: null,
                anonymisedAt: null,
                linkNonce: newLinkNonce(),
                addedById: who.userId,
                createdAt: new Date(),
              },
            })
          : await db.participant.create({ data: { companyId: e.companyId, ...person, addedById: who.userId } });
        await audit(db, {
          actor: auditActor(who),
          action: 'participant.add',
          entity: 'enrollment',
          entityId: e.id,
          after: { participantId: row.id, email: row.email, role: row.role, rejoined: Boolean(existing) },
        });
        return row;
      });
    },

    async remove(e: EnrollmentRow, who: Principal, participantId: string) {
      const p = await db.participant.findUnique({ where: { id: participantId } });
      if (!p || !(await inPathway(p, e))) throw participantNotFound(participantId);
      if (p.removedAt) return p;
      const now = new Date();
      const [row] = await db.$transaction([
        db.participant.update({ where: { id: p.id }, data: { removedAt: now, removedById: who.userId } }),
        // What is already staged for this address leaves no more (the firm's other pathways included).
        db.outboxMessage.updateMany({
          where: {
            status: 'scheduled',
            toAddress: { in: [p.email, p.email.toLowerCase()] },
            enrollment: { companyId: e.companyId },
          },
          data: { status: 'cancelled', claimToken: null },
        }),
      ]);
      await audit(db, {
        actor: auditActor(who),
        action: 'participant.remove',
        entity: 'enrollment',
        entityId: e.id,
        before: { participantId: p.id, email: p.email, role: p.role },
        after: { removedAt: now.toISOString() },
      });
      return row;
    },

    async revokeLink(e: EnrollmentRow, who: Principal, participantId: string) {
      const p = await db.participant.findUnique({ where: { id: participantId } });
      if (!p || !(await inPathway(p, e))) throw participantNotFound(participantId);
      await db.participant.update({ where: { id: p.id }, data: { linkNonce: newLinkNonce() } });
      await audit(db, {
        actor: auditActor(who),
        action: 'participant.revoke-link',
        entity: 'enrollment',
        entityId: e.id,
        after: { participantId: p.id },
      });
    },
  };
}

export type ParticipantOps = ReturnType<typeof createParticipantOps>;
