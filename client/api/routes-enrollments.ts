/**
 * Enrollments and their pathway actions. Each route checks that the caller may see the
 * enrollment (404 otherwise, so existence does not leak), takes the actor from the credentials,
 * and writes the change to the audit log with the state before and after.
 */
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { enrollmentTimeline } from '../../reports/milestones';
import { DomainError } from '../../domain/errors';
import { localDateOf, localDateToIso } from '../../domain/calendar';
import { atsForMunicipality, findProvince } from '../../domain/territory';
import { auditActor, auditDirect } from '../audit';
import { actorOf, canSeeEnrollment, enrollmentScope, type Principal } from '../auth/principal';
import { checkActionRole, type PathwayAction } from '../auth/enrollment-permissions';
import { findPathwayVersion } from '../../domain/catalogue-history';
import {
  assignConsultantRequestSchema,
  completeStepRequestSchema,
  confirmParticipationRequestSchema,
  enrollRequestSchema,
  extendDueDateRequestSchema,
  reopenStepRequestSchema,
  withdrawRequestSchema,
  type EnrollRequest,
} from '../schemas';
import { enrollForbidden, type ActionOutcome, type EnrollmentView, type Service } from '../service';
import type { Actor, PathwayBefore } from '../../workflows/messages';
import { forbidden, pageQuery, paged, unauthenticated, type ApiRegistry, type Parsed } from './registry';
import type { ApiDeps } from './server';
import { withDocumentRule, withSupersede } from '../documents/documents';
import { readActionRow } from '../action-access';

const ALL = ['admin', 'coordinator', 'consultant', 'sme'] as const;
const text = z.object({ it: z.string(), en: z.string() });

export const enrollmentSchema = z
  .object({
    id: z.string(),
    status: z.enum(['active', 'completed', 'withdrawn', 'expired']),
    programme: z.string(),
    alliance: z.string().nullable(),
    kind: z.string(),
    catalogueVersion: z.number(),
    workflowId: z.string(),
    currentStep: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    consultant: z.object({ name: z.string(), email: z.string() }),
    company: z.object({
      id: z.string(),
      name: z.string(),
      vatNumber: z.string(),
      province: z.string(),
      atsCode: z.string(),
      size: z.string(),
    }),
    participants: z.array(z.object({ name: z.string(), email: z.string(), role: z.string(), locale: z.string() })),
    milestones: z.array(z.record(z.string(), z.unknown())),
    pathway: z
      .object({
        status: z.string(),
        currentStep: z.string().nullable(),
        steps: z.array(
          z.object({
            key: z.string(),
            name: text,
            status: z.enum(['pending', 'active', 'done']),
            dueAt: z.string().nullable(),
            completedAt: z.string().nullable(),
            completedBy: z.string().nullable(),
            onTime: z.boolean().nullable(),
          }),
        ),
        history: z.array(z.record(z.string(), z.unknown())),
      })
      .nullable()
      .describe('Live state from the workflow; null when the worker does not answer within 3 s'),
  })
  .describe('Enrollment');

const idParams = z.object({ id: z.string().min(1).max(64) });
const stepParams = z.object({ id: z.string().min(1).max(64), stepKey: z.string().min(1).max(60) });

/** The slice of an enrollment the audit log keeps before and after a change. */
function snapshot(e: EnrollmentView) {
  return {
    status: e.status,
    currentStep: e.currentStep,
    consultant: e.consultant.email,
    steps: e.pathway?.steps.map((s) => ({ key: s.key, status: s.status, dueAt: s.dueAt })) ?? null,
  };
}

/** The same slice of the stored row read for access and of the pathway as the Update found it. */
function snapshotBefore(
  e: { status: string; currentStep: string | null; consultantEmail: string },
  pathway: PathwayBefore | null,
) {
  return {
    status: e.status,
    currentStep: e.currentStep,
    consultant: e.consultantEmail,
    steps:
      pathway?.steps.map((s) => ({
        key: s.key,
        status: s.status,
        dueAt: s.dueAt === undefined ? null : new Date(s.dueAt).toISOString(),
      })) ?? null,
  };
}

function enrollmentNotFound(id: string): DomainError {
  return new DomainError('not_found', {
    it: `Iscrizione "${id}" non trovata.`,
    en: `Enrollment "${id}" not found.`,
  });
}

/** The enrollment if the caller may see it; not_found otherwise, whether it exists or not. */
export async function visibleEnrollment(db: Db, p: Principal, id: string) {
  const e = await db.enrollment.findUnique({ where: { id }, include: { company: true } });
  if (!e || !canSeeEnrollment(p, e)) throw enrollmentNotFound(id);
  return e;
}

/** An action's request as the Update takes it: the route's body, the step key from the path, the actor. */
type ActionRequest<B, S extends string | undefined> = B & { actor: Actor } & (S extends string
    ? { stepKey: S }
    : unknown);

function actionRequest<B extends object, S extends string | undefined>(
  p: Principal,
  body: B,
  stepKey: S | undefined,
): ActionRequest<B, S> {
  return { ...body, ...(stepKey ? { stepKey } : {}), actor: actorOf(p) } as ActionRequest<B, S>;
}

async function auditAction(
  db: Db,
  p: Principal,
  id: string,
  action: { auditAction: string; stepKey?: string; body: object },
  before: ReturnType<typeof snapshot>,
  after: EnrollmentView,
) {
  await auditDirect(db, {
    actor: auditActor(p),
    action: action.auditAction,
    entity: 'enrollment',
    entityId: id,
    before: { ...before, ...(action.stepKey ? { stepKey: action.stepKey } : {}) },
    after: { ...snapshot(after), request: action.body },
  });
}

/** The permission each audited pathway action needs. */
const PERMISSION_OF: Record<string, PathwayAction> = {
  'step.complete': 'complete',
  'step.reopen': 'reopen',
  'step.extend': 'extend',
  'enrollment.assign': 'reassign',
  'enrollment.withdraw': 'withdraw',
  'enrollment.confirm': 'confirm',
};

/**
 * A pathway action on behalf of a signed-in user (API and dashboard), on the lean path: one read of the enrollment, one SQL statement (the caller's scope comes from
 * that stored row, and it is what the answer is built on), then the Update, whose answer carries the
 * state after the change and before it. No Query, no read-back.
 */
export async function performPathwayAction<B extends object, S extends string | undefined>(
  deps: Pick<ApiDeps, 'db' | 'service'>,
  p: Principal,
  id: string,
  action: {
    auditAction: string;
    stepKey?: S;
    body: B;
    act: (
      id: string,
      req: ActionRequest<B, S>,
      known: NonNullable<Awaited<ReturnType<Service['findForView']>>>,
    ) => Promise<ActionOutcome>;
  },
): Promise<EnrollmentView> {
  // One statement (client/action-access.ts) where Prisma made four; the tenant check is the same, on the stored row.
  const e = await readActionRow(deps.db, id);
  if (!e || !canSeeEnrollment(p, e)) throw enrollmentNotFound(id);
  // The same role rules the dashboard shows its buttons by (client/auth/enrollment-permissions.ts).
  const permission = PERMISSION_OF[action.auditAction];
  if (permission) checkActionRole(p, permission, findPathwayVersion(e.kind, e.catalogueVersion), action.stepKey);
  const { before, enrollment } = await action.act(id, actionRequest(p, action.body, action.stepKey), e);
  await auditAction(deps.db, p, id, action, snapshotBefore(e, before), enrollment);
  return enrollment;
}

/**
 * Who may enroll what, as far as the request alone tells: a coordinator in their network, a consultant
 * as the consultant, an SME for itself. A firm already stored is judged again by the service on its
 * stored row (its ATS, its account, who follows it), whatever the request claims.
 */
async function checkMayEnroll(db: Db, p: Principal, req: EnrollRequest): Promise<void> {
  if (p.role === 'admin') return;
  if (p.role === 'coordinator') {
    // The municipality decides the ATS (a Valle Camonica firm is ATS Montagna's), as the service stores it.
    const province = findProvince(req.company.province);
    const today = localDateToIso(localDateOf(Date.now()));
    if (province && atsForMunicipality(province.code, req.company.city, today).ats.code !== p.atsCode)
      throw enrollForbidden();
  } else if (p.role === 'consultant') {
    if (req.consultant.email !== p.email.toLowerCase()) throw forbidden();
  } else if (p.role === 'sme') {
    const own = p.companyId ? await db.company.findUnique({ where: { id: p.companyId } }) : null;
    if (!own || own.vatNumber !== (req.company.vatNumber ?? req.company.taxCode)) throw enrollForbidden();
  }
}

export function registerEnrollmentRoutes(api: ApiRegistry, deps: ApiDeps): void {
  const { service, db } = deps;

  api.add(
    {
      method: 'POST',
      url: '/enrollments',
      operationId: 'enroll',
      summary: 'Enroll a company (or a business network) in a pathway',
      description:
        'Idempotent: the Idempotency-Key header (or idempotencyKey in the body) makes a repeated request return ' +
        'the same enrollment with 200 instead of 201; keys are per account, so only the same caller can repeat a ' +
        'request. Eligibility is checked before anything is written. A company already stored is referenced, never ' +
        'rewritten: only an admin, a coordinator of its ATS, its own SME users or a consultant who already follows it ' +
        'may enroll it, and a stored firm joins a network only with its consent (POST /me/network-consents) or by ' +
        'the coordinator of its ATS. Participants per firm are bounded by its staff (plus 5, at most 250), and new ' +
        'recipient addresses per account and 24 hours by a quota.',
      tag: 'enrollments',
      access: ALL,
      body: enrollRequestSchema,
      response: enrollmentSchema,
      status: 201,
      otherResponses: {
        200: {
          description: 'The same request seen before (same idempotency key): the same enrollment',
          schema: enrollmentSchema,
        },
        403: {
          description:
            'Role not allowed; a company the caller may not enroll (forbidden); a stored member firm that has not ' +
            'consented to the network (member_consent_required)',
        },
        422: {
          description:
            'Refused by a domain rule: not eligible, or more participants than the firm may have (too_many_participants)',
        },
        429: {
          description:
            'The account would pass its quota of new recipient addresses in 24 hours (recipient_quota_exceeded; ' +
            'details.retryAt says when); nothing was changed',
        },
      },
    },
    async (ctx, req, reply) => {
      await checkMayEnroll(db, ctx.principal!, ctx.body);
      const header = req.headers['idempotency-key'];
      const key = typeof header === 'string' && header.trim() ? header.trim().slice(0, 200) : undefined;
      // The audit entry is written with the enrollment, in one transaction.
      const { created, enrollment } = await service.enroll(ctx.body, key, {
        actor: auditActor(ctx.principal!),
        caller: ctx.principal!,
        ip: req.ip,
      });
      return reply
        .status(created ? 201 : 200)
        .header('location', `/enrollments/${enrollment.id}`)
        .send(enrollment);
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/enrollments',
      operationId: 'listEnrollments',
      summary: 'The enrollments the caller may see, newest id last, paginated',
      tag: 'enrollments',
      access: ALL,
      query: pageQuery.extend({ status: z.enum(['active', 'completed', 'withdrawn', 'expired']).optional() }),
      response: paged(
        z.object({
          id: z.string(),
          status: z.string(),
          kind: z.string(),
          programme: z.string(),
          alliance: z.string().nullable(),
          company: z.string(),
          currentStep: z.string().nullable(),
          currentDueAt: z.string().nullable(),
          createdAt: z.string(),
        }),
      ),
    },
    async (ctx) => service.listEnrollments({ ...ctx.query, scope: enrollmentScope(ctx.principal!) }),
  );

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id',
      operationId: 'getEnrollment',
      summary: 'One enrollment with its live pathway state',
      description: 'A browser (Accept: text/html) is sent to the dashboard page of the enrollment.',
      tag: 'enrollments',
      access: 'public',
      params: idParams,
      response: enrollmentSchema,
      otherResponses: {
        302: { description: 'A browser (Accept: text/html) is sent to the dashboard page', schema: null },
        401: { description: 'No valid credentials' },
      },
    },
    async (ctx, req, reply) => {
      // Email links point here: a browser goes to the dashboard, which asks to sign in if needed.
      if ((req.headers.accept ?? '').includes('text/html'))
        return reply.redirect(`/app/enrollments/${encodeURIComponent(ctx.params.id)}`);
      if (!ctx.principal) throw unauthenticated();
      await visibleEnrollment(db, ctx.principal, ctx.params.id);
      return service.getEnrollment(ctx.params.id);
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id/timeline',
      operationId: 'enrollmentTimeline',
      summary: 'Every milestone of the enrollment, in order, with who and when',
      tag: 'enrollments',
      access: ALL,
      params: idParams,
      response: z.object({
        items: z.array(
          z.object({
            seq: z.number(),
            type: z.string(),
            stepKey: z.string().nullable(),
            actor: z.string(),
            occurredAt: z.string(),
            dueAt: z.string().nullable(),
            onTime: z.boolean().nullable(),
            evidence: z.string().nullable(),
            note: z.string().nullable(),
          }),
        ),
      }),
    },
    async (ctx) => {
      await visibleEnrollment(db, ctx.principal!, ctx.params.id);
      return { items: await enrollmentTimeline(db, ctx.params.id) };
    },
  );

  // Pathway actions: the body without the actor (it comes from the credentials) or the step key (in the path).
  type Known = NonNullable<Awaited<ReturnType<Service['findForView']>>>;
  type ActionSpec<B extends z.ZodObject, S extends string | undefined> = {
    url: string;
    operationId: string;
    summary: string;
    body: B;
    auditAction: string;
    act: (id: string, req: ActionRequest<Parsed<B, undefined>, S>, known: Known) => Promise<ActionOutcome>;
  };
  // What every action route declares; each builder adds its path parameters.
  const actionRoute = <B extends z.ZodObject>(
    spec: Pick<ActionSpec<B, undefined>, 'url' | 'operationId' | 'summary' | 'body'>,
  ) => ({
    method: 'POST' as const,
    url: spec.url,
    operationId: spec.operationId,
    summary: spec.summary,
    tag: 'pathway actions',
    access: ALL,
    body: spec.body,
    response: enrollmentSchema,
  });
  const stepAction = <B extends z.ZodObject>(spec: ActionSpec<B, string>) =>
    api.add({ ...actionRoute(spec), params: stepParams }, async (ctx) =>
      performPathwayAction(deps, ctx.principal!, ctx.params.id, {
        auditAction: spec.auditAction,
        stepKey: ctx.params.stepKey,
        body: ctx.body,
        act: spec.act,
      }),
    );
  const enrollmentAction = <B extends z.ZodObject>(spec: ActionSpec<B, undefined>) =>
    api.add({ ...actionRoute(spec), params: idParams }, async (ctx) =>
      performPathwayAction(deps, ctx.principal!, ctx.params.id, {
        auditAction: spec.auditAction,
        body: ctx.body,
        act: spec.act,
      }),
    );

  const { actions } = service;
  stepAction({
    url: '/enrollments/:id/steps/:stepKey/complete',
    operationId: 'completeStep',
    summary: 'Complete the active step, with evidence when the step requires it',
    body: completeStepRequestSchema.omit({ actor: true, stepKey: true }),
    auditAction: 'step.complete',
    act: withDocumentRule(db, actions.completeStep),
  });
  stepAction({
    url: '/enrollments/:id/steps/:stepKey/reopen',
    operationId: 'reopenStep',
    summary: 'Reopen a completed step (staff only), with a reason',
    body: reopenStepRequestSchema.omit({ actor: true, stepKey: true }),
    auditAction: 'step.reopen',
    act: withSupersede(db, actions.reopenStep),
  });
  stepAction({
    url: '/enrollments/:id/steps/:stepKey/extend',
    operationId: 'extendDueDate',
    summary: 'Move the due date of the active step (never past the programme end), with a reason',
    body: extendDueDateRequestSchema.omit({ actor: true, stepKey: true }),
    auditAction: 'step.extend',
    act: actions.extendDueDate,
  });
  enrollmentAction({
    url: '/enrollments/:id/consultant',
    operationId: 'assignConsultant',
    summary: 'Assign another consultant (staff only)',
    body: assignConsultantRequestSchema.omit({ actor: true }),
    auditAction: 'enrollment.assign',
    act: actions.assignConsultant,
  });
  enrollmentAction({
    url: '/enrollments/:id/withdraw',
    operationId: 'withdraw',
    summary: 'Withdraw the enrollment, with a reason',
    body: withdrawRequestSchema.omit({ actor: true }),
    auditAction: 'enrollment.withdraw',
    act: actions.withdraw,
  });
  enrollmentAction({
    url: '/enrollments/:id/confirm',
    operationId: 'confirmParticipation',
    summary: "Confirm the company's participation (SME users)",
    body: confirmParticipationRequestSchema.omit({ actor: true }),
    auditAction: 'enrollment.confirm',
    act: actions.confirmParticipation,
  });
}
