/**
 * The front door's API: the eligibility self-check (public, throttled, stores nothing), the
 * coordinators' enrollment requests, invitations and password resets. The pages are in
 * front-pages.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkEligibility, eligibilityCheckSchema } from '../front/eligibility-check';
import { claimFormSubmission, FormThrottledError, type PublicForm } from '../front/form-throttle';
import { decideRequest, findRequest, listRequests, requestView } from '../front/requests';
import { inviteAccount, inviteSchema, listInvitations, revokeInvitation, sendPasswordReset } from '../invitations';
import { DomainError } from '../../domain/errors';
import { auditActor } from '../audit';
import type { ApiRegistry } from './registry';
import type { ApiDeps } from './server';

const text = z.object({ it: z.string(), en: z.string() });

/** Where the links in emails point: the configured public URL, else this request's own origin. */
export function baseUrlOf(deps: Pick<ApiDeps, 'publicUrl'>, req: FastifyRequest): string {
  return (deps.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

/** A public form's submission, counted; past the limit a 429 with Retry-After. */
export async function throttled(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  form: PublicForm,
  email?: string,
): Promise<void> {
  try {
    await claimFormSubmission(deps.db, form, { address: req.ip, ...(email ? { email } : {}) });
  } catch (err) {
    if (err instanceof FormThrottledError) {
      reply.header('retry-after', String(err.retryAfterSeconds));
      req.log.warn({ form, retryAfterSeconds: err.retryAfterSeconds }, 'public form throttled');
    }
    throw err;
  }
}

const ruleSchema = z.object({ met: z.boolean(), code: z.string(), text });
const answerSchema = z
  .object({
    eligible: z.boolean(),
    programme: z.string(),
    kind: z.string(),
    atsCode: z.string().nullable(),
    size: z.string().nullable(),
    rules: z.array(ruleSchema).describe('Every rule applied: those met, then the one that failed'),
  })
  .describe('EligibilityAnswer');

const invitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.string().nullable(),
    atsCode: z.string().nullable(),
    allianceCode: z.string().nullable(),
    companyId: z.string().nullable(),
    locale: z.string(),
    invitedById: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
    state: z.enum(['open', 'used', 'expired', 'revoked']),
  })
  .describe('Invitation');

const requestSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    programme: z.string(),
    kind: z.string(),
    pathwayName: text,
    atsCode: z.string(),
    networkName: z.string(),
    allianceCode: z.string().nullable(),
    companyName: z.string(),
    vatNumber: z.string(),
    declarantName: z.string(),
    declarantEmail: z.string(),
    confirmedAt: z.string().nullable(),
    decidedAt: z.string().nullable(),
    declineReason: z.string().nullable(),
    consultantEmail: z.string().nullable(),
    enrollmentId: z.string().nullable(),
    payload: z.unknown(),
  })
  .describe('EnrollmentRequest');

const outcomeSchema = z.object({
  status: z.enum(['accepted', 'declined']),
  enrollmentId: z.string().nullable(),
  consultantEmail: z.string().nullable(),
  reason: z.string().nullable(),
});

const idParams = z.object({ id: z.string().min(1).max(60) });

export function registerFrontRoutes(api: ApiRegistry, deps: ApiDeps): void {
  api.add(
    {
      method: 'POST',
      url: '/eligibility/check',
      operationId: 'checkEligibility',
      summary: 'Self-check of eligibility: every rule met or failed, with its reason; stores nothing',
      tag: 'front door',
      access: 'public',
      body: eligibilityCheckSchema,
      response: answerSchema,
      otherResponses: { 429: { description: 'Too many checks from this address (too_many_requests, Retry-After)' } },
    },
    async (ctx, req, reply) => {
      await throttled(deps, req, reply, 'check');
      const edition = await deps.service.programmes.findEdition(ctx.body.programme);
      return checkEligibility(edition, ctx.body, new Date());
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/requests',
      operationId: 'listRequests',
      summary: "Confirmed enrollment requests: a coordinator's ATS, or all for admins",
      tag: 'front door',
      access: ['admin', 'coordinator'],
      query: z.object({
        status: z.enum(['awaiting_decision', 'accepted', 'declined']).optional(),
      }),
      response: z.object({ items: z.array(requestSchema) }),
    },
    async (ctx) => ({ items: await listRequests(deps.db, ctx.principal!, ctx.query.status) }),
  );

  api.add(
    {
      method: 'GET',
      url: '/requests/:id',
      operationId: 'getRequest',
      summary: 'One enrollment request (404 outside the caller’s ATS)',
      tag: 'front door',
      access: ['admin', 'coordinator'],
      params: idParams,
      response: requestSchema,
    },
    async (ctx) => requestView(await findRequest(deps.db, ctx.principal!, ctx.params.id)),
  );

  api.add(
    {
      method: 'POST',
      url: '/requests/:id/accept',
      operationId: 'acceptRequest',
      summary: 'Accept a request, assigning a consultant of its ATS (or alliance): the pathway starts',
      tag: 'front door',
      access: ['admin', 'coordinator'],
      params: idParams,
      body: z.object({ consultantEmail: z.string().trim().toLowerCase().max(254).email() }),
      response: outcomeSchema,
    },
    async (ctx) =>
      decideRequest(deps, ctx.principal!, ctx.params.id, {
        decision: 'accept',
        consultantEmail: ctx.body.consultantEmail,
      }),
  );

  api.add(
    {
      method: 'POST',
      url: '/requests/:id/decline',
      operationId: 'declineRequest',
      summary: 'Decline a request with a reason the firm is told',
      tag: 'front door',
      access: ['admin', 'coordinator'],
      params: idParams,
      body: z.object({ reason: z.string().trim().min(5).max(1000) }),
      response: outcomeSchema,
    },
    async (ctx) => decideRequest(deps, ctx.principal!, ctx.params.id, { decision: 'decline', reason: ctx.body.reason }),
  );

  api.add(
    {
      method: 'POST',
      url: '/invitations',
      operationId: 'inviteAccount',
      summary: 'Invite an account by email (admin: any role; coordinator: consultants and sme users of their ATS)',
      tag: 'access',
      access: ['admin', 'coordinator'],
      body: inviteSchema,
      status: 201,
      response: invitationSchema,
      otherResponses: { 409: { description: 'The address already has an account (user_exists)' } },
    },
    async (ctx, req) =>
      (await inviteAccount(deps.db, ctx.body, ctx.principal!, { baseUrl: baseUrlOf(deps, req) })).invitation,
  );

  api.add(
    {
      method: 'GET',
      url: '/invitations',
      operationId: 'listInvitations',
      summary: "Invitations: all for admins, a coordinator's ATS and their own",
      tag: 'access',
      access: ['admin', 'coordinator'],
      response: z.object({ items: z.array(invitationSchema) }),
    },
    async (ctx) => ({ items: await listInvitations(deps.db, ctx.principal!) }),
  );

  api.add(
    {
      method: 'DELETE',
      url: '/invitations/:id',
      operationId: 'revokeInvitation',
      summary: 'Revoke an open invitation: its link stops working',
      tag: 'access',
      access: ['admin', 'coordinator'],
      params: idParams,
      response: invitationSchema,
    },
    async (ctx) => revokeInvitation(deps.db, ctx.params.id, ctx.principal!),
  );

  api.add(
    {
      method: 'POST',
      url: '/users/:id/password-reset',
      operationId: 'sendPasswordReset',
      summary: 'Email the user a password reset link (1 hour, single use)',
      tag: 'access',
      access: ['admin'],
      params: idParams,
      status: 202,
      response: z.object({ sent: z.literal(true) }),
    },
    async (ctx, req) => {
      const user = await deps.db.user.findUnique({ where: { id: ctx.params.id } });
      if (!user || user.disabledAt)
        throw new DomainError('not_found', {
          it: `Utente ${ctx.params.id} inesistente o disattivato.`,
          en: `No active user ${ctx.params.id}.`,
        });
      await sendPasswordReset(deps.db, user.email, {
        baseUrl: baseUrlOf(deps, req),
        actor: auditActor(ctx.principal!),
      });
      return { sent: true as const };
    },
  );
}
