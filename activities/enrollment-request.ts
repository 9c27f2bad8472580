/**
 * The request workflow's activities: tell the ATS network's coordinators (and, after 10 working
 * days, the Region's administrators), and apply the decision. Every email has a key derived from
 * the request and the event, and the enrollment is made under the request's id as idempotency key,
 * so a retried activity sends nothing twice and enrolls once.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { Db } from '../infra/db';
import { CATALOGUE } from '../domain/catalogue';
import { isDomainError } from '../domain/errors';
import type { Locale } from '../domain/locale';
import { ATS_NETWORKS } from '../domain/territory';
import { stageEmailNow } from '../client/front/mail-now';
import { enrollRequestOf, type EnrollRequestPayload } from '../client/front/requests';
import { inviteAccount } from '../client/invitations';
import { principalOf } from '../client/auth/principal';
import { createService } from '../client/service';
import type { RequestDecision, RequestOutcome } from '../workflows/enrollment-request-messages';

export interface RequestActivities {
  requestNotify(input: { requestId: string; stage: 'new' | 'reminder' | 'escalation' }): Promise<{ sent: number }>;
  requestApply(input: { requestId: string; decision: RequestDecision; taskQueue: string }): Promise<RequestOutcome>;
}

export interface RequestActivityDeps {
  db: Db;
  temporal?: Client;
  publicUrl: string;
  logger: Logger;
}

const locale = (l: string | null | undefined): Locale => (l === 'en' ? 'en' : 'it');

export function createRequestActivities(deps: RequestActivityDeps): RequestActivities {
  const { db, publicUrl } = deps;
  return {
    async requestNotify({ requestId, stage }) {
      const r = await db.enrollmentRequest.findUniqueOrThrow({ where: { id: requestId } });
      if (r.status !== 'awaiting_decision') return { sent: 0 };
      const networkName = ATS_NETWORKS.find((a) => a.code === r.atsCode)?.name ?? r.atsCode;
      const pathwayName = CATALOGUE[r.kind]?.name ?? { it: r.kind, en: r.kind };
      const requestUrl = `${publicUrl}/app/requests/${r.id}`;
      const receivedAt = (r.confirmedAt ?? r.createdAt).getTime();
      const recipients = await db.user.findMany({
        where:
          stage === 'escalation'
            ? { role: 'admin', disabledAt: null }
            : { role: 'coordinator', atsCode: r.atsCode, disabledAt: null },
        orderBy: { email: 'asc' },
      });
      if (recipients.length === 0) deps.logger.warn({ requestId, stage }, 'request: nobody to tell');
      const payload = JSON.parse(r.payload) as EnrollRequestPayload;
      let sent = 0;
      for (const u of recipients) {
        const to = { email: u.email, name: u.name, locale: locale(u.locale) };
        const key = `request:${r.id}:${stage}`;
        const fresh =
          stage === 'escalation'
            ? await stageEmailNow(db, {
                template: 'request-escalated',
                key,
                to,
                context: { companyName: r.companyName, pathwayName, networkName, receivedAt, requestUrl },
                baseUrl: publicUrl,
              })
            : await stageEmailNow(db, {
                template: 'request-received',
                key,
                to,
                context: {
                  stage,
                  companyName: r.companyName,
                  municipality: payload.company.city ?? payload.company.province,
                  pathwayName,
                  declarantName: r.declarantName,
                  networkName,
                  receivedAt,
                  requestUrl,
                },
                baseUrl: publicUrl,
              });
        if (fresh) sent++;
      }
      return { sent };
    },

    async requestApply({ requestId, decision, taskQueue }) {
      const r = await db.enrollmentRequest.findUniqueOrThrow({ where: { id: requestId } });
      const pathwayName = CATALOGUE[r.kind]?.name ?? { it: r.kind, en: r.kind };
      const to = { email: r.declarantEmail, name: r.declarantName, locale: locale(r.locale) };
      const actor = { id: decision.by.id, role: decision.by.role };
      if (decision.decision === 'decline') {
        await db.enrollmentRequest.updateMany({
          where: { id: r.id, status: 'awaiting_decision' },
          data: {
            status: 'declined',
            declineReason: decision.reason,
            decidedById: decision.by.id,
            decidedAt: new Date(),
          },
        });
        await stageEmailNow(db, {
          template: 'request-outcome',
          key: `request:${r.id}:outcome`,
          to,
          context: {
            outcome: 'declined',
            companyName: r.companyName,
            pathwayName,
            consultantName: '',
            consultantEmail: '',
            reason: decision.reason,
            invited: false,
            linkUrl: `${publicUrl}/`,
          },
          baseUrl: publicUrl,
        });
        return { status: 'declined', enrollmentId: null, consultantEmail: null, reason: decision.reason };
      }
      if (!deps.temporal) throw new Error('requestApply needs a Temporal client');
      const consultant = await db.user.findUniqueOrThrow({ where: { email: decision.consultantEmail } });
      const service = createService({ db, temporal: deps.temporal, taskQueue });
      const payload = JSON.parse(r.payload) as EnrollRequestPayload;
      let enrollmentId: string;
      try {
        const req = enrollRequestOf(payload, { name: consultant.name, email: consultant.email });
        // A request made through a company's own account is enrolled under that account's rules
        // (its stored company, its quota); a public one as the system, on the decider's word.
        const requester = r.requestedById
          ? await db.user.findFirst({ where: { id: r.requestedById, disabledAt: null } })
          : null;
        const { enrollment } = await service.enroll(req, `request:${r.id}`, {
          actor,
          ...(requester ? { caller: principalOf(requester, 'token') } : {}),
        });
        enrollmentId = enrollment.id;
      } catch (err) {
        // A refusal (no longer eligible, already enrolled) is the decider's to know: not retried.
        if (!isDomainError(err)) throw err;
        throw ApplicationFailure.nonRetryable(err.messages.en, 'decision_refused', {
          code: err.code,
          it: err.messages.it,
          en: err.messages.en,
        });
      }
      const stored = await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
      // The declarant gets an account of the company, unless the address has one already (or an
      // invitation from this acceptance, on a retry).
      let invited = false;
      const hasUser = await db.user.findUnique({ where: { email: r.declarantEmail } });
      if (!hasUser) {
        const open = await db.accountInvitation.findFirst({
          where: {
            email: r.declarantEmail,
            purpose: 'invite',
            usedAt: null,
            revokedAt: null,
            companyId: stored.companyId,
          },
        });
        if (!open)
          await inviteAccount(
            db,
            {
              email: r.declarantEmail,
              name: r.declarantName,
              role: 'sme',
              companyId: stored.companyId,
              locale: to.locale,
            },
            { system: true, name: decision.by.name, actor },
            { baseUrl: publicUrl },
          );
        invited = true;
      }
      await stageEmailNow(db, {
        template: 'consultant-assigned',
        key: `request:${r.id}:consultant`,
        to: { email: consultant.email, name: consultant.name, locale: locale(consultant.locale) },
        context: {
          companyName: r.companyName,
          pathwayName,
          consultantName: consultant.name,
          consultantEmail: consultant.email,
          stepName: '',
          dueAt: '',
        },
        enrollmentUrl: `${publicUrl}/app/enrollments/${enrollmentId}`,
        baseUrl: publicUrl,
      });
      await db.enrollmentRequest.updateMany({
        where: { id: r.id, status: 'awaiting_decision' },
        data: {
          status: 'accepted',
          consultantEmail: consultant.email,
          enrollmentId,
          companyId: stored.companyId,
          decidedById: decision.by.id,
          decidedAt: new Date(),
        },
      });
      await stageEmailNow(db, {
        template: 'request-outcome',
        key: `request:${r.id}:outcome`,
        to,
        context: {
          outcome: 'accepted',
          companyName: r.companyName,
          pathwayName,
          consultantName: consultant.name,
          consultantEmail: consultant.email,
          reason: '',
          invited,
          linkUrl: `${publicUrl}/login`,
        },
        baseUrl: publicUrl,
      });
      return { status: 'accepted', enrollmentId, consultantEmail: consultant.email, reason: null };
    },
  };
}
