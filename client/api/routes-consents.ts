/**
 * A firm's consent to be enrolled as a member of a business network. An enrollment of a network that
 * names a firm already stored puts it in the network only if the firm's own account consented here
 * (or the caller is staff of the firm's network: see enrollOneByOne in client/service.ts). The
 * consent names the network by the VAT number (or tax code) its enrollment will give, so it can be
 * granted before the network exists. Granting and withdrawing are audited.
 */
import { z } from 'zod';
import { isUniqueViolation } from '../../infra/db';
import { DomainError } from '../../domain/errors';
import { audit, auditActor } from '../audit';
import type { Principal } from '../auth/principal';
import { forbidden, pageQuery, paged, type ApiRegistry } from './registry';
import type { ApiDeps } from './server';

const networkVatNumber = z
  .string()
  .trim()
  .toUpperCase()
  .regex(
    /^(\d{11}|[A-Z0-9]{16})$/,
    'partita IVA (11 cifre) o codice fiscale (16 caratteri) / VAT number (11 digits) or tax code (16 characters)',
  );

const consentView = z.object({ networkVatNumber: z.string(), grantedAt: z.string() }).describe('NetworkConsent');

function view(c: { networkVatNumber: string; createdAt: Date }) {
  return { networkVatNumber: c.networkVatNumber, grantedAt: c.createdAt.toISOString() };
}

/** The firm of an SME user: only its own account speaks for it. */
function ownCompany(p: Principal): string {
  if (!p.companyId) throw forbidden();
  return p.companyId;
}

export function registerConsentRoutes(api: ApiRegistry, deps: ApiDeps): void {
  const { db } = deps;

  api.add(
    {
      method: 'POST',
      url: '/me/network-consents',
      operationId: 'grantNetworkConsent',
      summary: "Consent to your company's enrollment as a member of the business network with this VAT number",
      description:
        'SME users only. Until then, an enrollment of that network naming your company is refused ' +
        '(403 member_consent_required), unless made by the coordinator of your ATS or the Region.',
      tag: 'access',
      access: ['sme'],
      body: z.object({ networkVatNumber }),
      response: consentView,
      status: 201,
      otherResponses: { 200: { description: 'Already granted: the existing consent', schema: consentView } },
    },
    async (ctx, _req, reply) => {
      const companyId = ownCompany(ctx.principal!);
      const own = await db.company.findUnique({ where: { id: companyId }, select: { vatNumber: true } });
      if (own?.vatNumber === ctx.body.networkVatNumber)
        throw new DomainError('invalid_consent', {
          it: 'Un’impresa non può essere membro di sé stessa: indicare la partita IVA della rete.',
          en: "A company cannot be a member of itself: give the network's VAT number.",
        });
      const key = { memberCompanyId: companyId, networkVatNumber: ctx.body.networkVatNumber };
      const found = await db.networkConsent.findUnique({ where: { memberCompanyId_networkVatNumber: key } });
      if (found) return reply.status(200).send(view(found));
      try {
        const created = await db.$transaction(async (tx) => {
          const c = await tx.networkConsent.create({ data: { ...key, grantedById: ctx.principal!.userId } });
          await audit(tx, {
            actor: auditActor(ctx.principal!),
            action: 'network-consent.grant',
            entity: 'company',
            entityId: companyId,
            after: { networkVatNumber: c.networkVatNumber },
          });
          return c;
        });
        return reply.status(201).send(view(created));
      } catch (err) {
        // The same consent granted a moment earlier by another request.
        if (!isUniqueViolation(err)) throw err;
        const c = await db.networkConsent.findUniqueOrThrow({ where: { memberCompanyId_networkVatNumber: key } });
        return reply.status(200).send(view(c));
      }
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/me/network-consents',
      operationId: 'listNetworkConsents',
      summary: 'The networks your company consented to join',
      tag: 'access',
      access: ['sme'],
      query: pageQuery,
      response: paged(consentView),
    },
    async (ctx) => {
      const companyId = ownCompany(ctx.principal!);
      const limit = ctx.query.limit ?? 50;
      const rows = await db.networkConsent.findMany({
        where: { memberCompanyId: companyId },
        orderBy: { id: 'asc' },
        take: limit + 1,
        ...(ctx.query.cursor ? { cursor: { id: ctx.query.cursor }, skip: 1 } : {}),
      });
      const page = rows.slice(0, limit);
      return { items: page.map(view), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  );

  api.add(
    {
      method: 'DELETE',
      url: '/me/network-consents/:networkVatNumber',
      operationId: 'withdrawNetworkConsent',
      summary: 'Withdraw a consent: your company leaves that network if it is in it, and is not added again',
      description:
        'Pathways the network already runs keep the participants they were started with; the network no longer ' +
        "sees your company's enrollments.",
      tag: 'access',
      access: ['sme'],
      params: z.object({ networkVatNumber }),
      status: 204,
    },
    async (ctx, _req, reply) => {
      const companyId = ownCompany(ctx.principal!);
      const key = { memberCompanyId: companyId, networkVatNumber: ctx.params.networkVatNumber };
      const done = await db.$transaction(async (tx) => {
        const { count } = await tx.networkConsent.deleteMany({ where: key });
        if (count === 0) return false;
        const network = await tx.company.findUnique({
          where: { vatNumber: key.networkVatNumber },
          select: { id: true },
        });
        const left = network
          ? (
              await tx.company.updateMany({
                where: { id: companyId, networkId: network.id },
                data: { networkId: null },
              })
            ).count > 0
          : false;
        await audit(tx, {
          actor: auditActor(ctx.principal!),
          action: 'network-consent.withdraw',
          entity: 'company',
          entityId: companyId,
          before: { networkVatNumber: key.networkVatNumber, member: left },
          after: { member: false },
        });
        return true;
      });
      if (!done)
        throw new DomainError('not_found', {
          it: `Nessun consenso per la rete ${key.networkVatNumber}.`,
          en: `No consent for network ${key.networkVatNumber}.`,
        });
      return reply.status(204).send();
    },
  );
}
