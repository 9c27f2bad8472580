/**
 * The staff workspace's pages: the work list (search, filters, sort, paging, all in the URL), its
 * CSV export with the same rows and columns, bulk reassignment, an enrollment's page with every
 * pathway action the role may take, and a firm's page. Every action goes through
 * performPathwayAction (client/api/routes-enrollments.ts), the API's own path: the same scope,
 * role rules, Update and audit. A refused action re-renders its page with the error and what was
 * typed; CSRF is checked by the server-wide hook.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dialectOfDb } from '../../infra/db';
import { DomainError, isDomainError } from '../../domain/errors';
import { audit, auditActor } from '../audit';
import { BULK_REASSIGN_ROLES } from '../auth/enrollment-permissions';
import type { Principal } from '../auth/principal';
import {
  assignConsultantRequestSchema,
  completeStepRequestSchema,
  extendDueDateRequestSchema,
  reopenStepRequestSchema,
  withdrawRequestSchema,
} from '../schemas';
import type { ActionOutcome } from '../service';
import { validationError } from '../validation';
import { loadWorkFilters, loadWorkPage, parseWorkQuery, workCsv } from '../web/work-query';
import { loadCompanyPage, loadEnrollmentPage } from '../web/workspace-loaders';
import { CompanyPage } from '../web/views/company';
import { EnrollmentPage, type ActionFormState } from '../web/views/enrollment';
import { flashFromQuery } from '../web/views/flash';
import { MessagePage } from '../web/views/message';
import { W } from '../web/views/texts-workspace';
import { WorkTablePage } from '../web/views/work-table';
import type { DashboardHelpers } from './account-pages';
import { sendPage } from './dashboard';
import type { AnyFastify } from './registry';
import { performPathwayAction, visibleEnrollment } from './routes-enrollments';
import type { ApiDeps } from './server';
import { safeNext } from './safe-next';

const field = (max: number) => z.string().max(max).optional().default('');
const actionFormSchema = z.object({
  csrf: field(200),
  stepKey: field(60),
  evidence: field(2000),
  reason: field(1000),
  newDueDate: field(20),
  consultant: field(254),
});
const bulkFormSchema = z.object({
  csrf: field(200),
  back: field(2000),
  consultant: field(254),
  reason: field(1000),
  ids: z
    .union([z.string().max(64), z.array(z.string().max(64)).max(500)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

const ACTIONS = ['complete', 'reopen', 'extend', 'withdraw', 'reassign', 'confirm'] as const;
type Action = (typeof ACTIONS)[number];

function parseOr<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

const unknownConsultant = (email: string) =>
  new DomainError('unknown_consultant', {
    it: `Nessun consulente attivo con l'indirizzo ${email}.`,
    en: `No active consultant with the address ${email}.`,
  });

export function registerWorkspacePages(app: AnyFastify, deps: ApiDeps, h: DashboardHelpers): void {
  const { db, service } = deps;
  const dialect = () => deps.dialect ?? dialectOfDb(db);

  /** The consultant to assign, as stored: a name and an address the caller may pick. */
  async function consultantFor(p: Principal, email: string) {
    const c = email
      ? await db.user.findFirst({
          where: {
            email: email.trim().toLowerCase(),
            role: 'consultant',
            disabledAt: null,
            ...(p.role === 'coordinator' ? { OR: [{ atsCode: p.atsCode }, { atsCode: null }] } : {}),
          },
        })
      : null;
    if (!c) throw unknownConsultant(email || '—');
    return { name: c.name, email: c.email.toLowerCase() };
  }

  const workPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    query: unknown,
    extra: {
      notice?: { kind: 'ok' | 'err'; text: string };
      bulkTyped?: { consultant: string; reason: string; ids: string[] };
    } = {},
    status = 200,
  ) => {
    const c = h.chrome(req, p);
    const q = parseWorkQuery(query);
    const [page, filters] = await Promise.all([
      loadWorkPage(db, dialect(), p, q, c.locale, Date.now()),
      loadWorkFilters(db, p, c.locale),
    ]);
    const flash = flashFromQuery((query ?? {}) as { done?: unknown; flash?: unknown });
    return sendPage(
      reply,
      WorkTablePage,
      { ...c, flash, page, filters, bulk: BULK_REASSIGN_ROLES.includes(p.role as never), ...extra },
      status,
    );
  };

  app.get('/app', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    return workPage(req, reply, p, req.query);
  });

  app.get('/app/export.csv', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const { locale } = h.chrome(req, p);
    const page = await loadWorkPage(db, dialect(), p, parseWorkQuery(req.query), locale, Date.now());
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${locale === 'it' ? 'percorsi' : 'pathways'}.csv"`)
      .send(workCsv(page, locale));
  });

  app.post<{ Body: Record<string, unknown> }>('/app/reassign', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const { locale } = h.chrome(req, p);
    const w = W[locale];
    const body = parseOr(bulkFormSchema, req.body ?? {});
    const back = safeNext(body.back);
    const backQuery = Object.fromEntries(new URL(back, 'http://x').searchParams);
    const typed = { consultant: body.consultant, reason: body.reason, ids: body.ids };
    if (!BULK_REASSIGN_ROLES.includes(p.role as never)) {
      const err = new DomainError('role_not_allowed', {
        it: 'Solo coordinatori e Regione riassegnano percorsi in blocco.',
        en: 'Only coordinators and the Region reassign pathways in bulk.',
      });
      return workPage(
        req,
        reply,
        p,
        backQuery,
        { notice: { kind: 'err', text: err.messages[locale] }, bulkTyped: typed },
        403,
      );
    }
    try {
      if (body.ids.length === 0) throw new DomainError('invalid_request', { it: W.it.bulkNone, en: W.en.bulkNone });
      const reason = body.reason.trim();
      if (reason.length < 5)
        throw new DomainError('reason_required', {
          it: 'Indicare una motivazione (almeno 5 caratteri): resta nel registro delle modifiche.',
          en: 'Give a reason (at least 5 characters): it stays in the audit log.',
        });
      const consultant = await consultantFor(p, body.consultant);
      const moved: string[] = [];
      const refused: { id: string; code: string }[] = [];
      // One by one through the API's path: each is scoped, checked, updated and audited on its own.
      for (const id of [...new Set(body.ids)]) {
        try {
          await performPathwayAction(deps, p, id, {
            auditAction: 'enrollment.assign',
            body: { consultant, reason },
            act: (i, r, known) => service.actions.assignConsultant(i, r, known),
          });
          moved.push(id);
        } catch (err) {
          if (!isDomainError(err)) throw err;
          refused.push({ id, code: err.code });
        }
      }
      await audit(db, {
        actor: auditActor(p),
        action: 'enrollment.bulk-assign',
        entity: 'consultant',
        entityId: consultant.email,
        before: null,
        after: { reason, moved, refused },
      });
      const text = w.bulkSummary(moved.length, refused.length);
      return workPage(req, reply, p, backQuery, { notice: { kind: refused.length ? 'err' : 'ok', text } });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return workPage(
        req,
        reply,
        p,
        backQuery,
        { notice: { kind: 'err', text: err.messages[locale] }, bulkTyped: typed },
        422,
      );
    }
  });

  const enrollmentPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    id: string,
    flash: string | null,
    refused: ActionFormState | null = null,
    status = 200,
  ) => {
    const c = h.chrome(req, p);
    const data = await loadEnrollmentPage(db, service, p, id, c.locale);
    return sendPage(reply, EnrollmentPage, { ...c, here: `/app/enrollments/${id}`, flash, refused, ...data }, status);
  };

  app.get<{ Params: { id: string }; Querystring: { done?: string; flash?: string } }>(
    '/app/enrollments/:id',
    async (req, reply) => {
      const p = await h.requireUser(req, reply);
      if (!p) return reply;
      try {
        await visibleEnrollment(db, p, req.params.id);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        const c = h.chrome(req, p);
        return sendPage(reply, MessagePage, { ...c, title: '404', text: err.messages[c.locale] }, 404);
      }
      return enrollmentPage(req, reply, p, req.params.id, flashFromQuery(req.query));
    },
  );

  app.post<{ Params: { id: string; action: string }; Body: Record<string, unknown> }>(
    '/app/enrollments/:id/actions/:action',
    async (req, reply) => {
      const p = await h.requireUser(req, reply);
      if (!p) return reply;
      const c = h.chrome(req, p);
      const { id } = req.params;
      const action = req.params.action as Action;
      if (!ACTIONS.includes(action)) return reply.callNotFound();
      const raw = (req.body ?? {}) as Record<string, unknown>;
      const values: Record<string, string> = {};
      for (const k of ['stepKey', 'evidence', 'reason', 'newDueDate', 'consultant'])
        if (typeof raw[k] === 'string') values[k] = (raw[k] as string).slice(0, 2000);
      try {
        await visibleEnrollment(db, p, id);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        return sendPage(reply, MessagePage, { ...c, title: '404', text: err.messages[c.locale] }, 404);
      }
      const noStep = <B extends object>(b: B) => ({ ...b, actor: { role: p.role, id: p.email } });
      try {
        const f = parseOr(actionFormSchema, raw);
        const run = (outcome: Promise<unknown>) => outcome;
        const act = <B extends object, S extends string | undefined>(
          auditAction: string,
          body: B,
          fn: (i: string, r: never, known: never) => Promise<ActionOutcome>,
          stepKey?: S,
        ) =>
          run(
            performPathwayAction(deps, p, id, {
              auditAction,
              body,
              ...(stepKey ? { stepKey } : {}),
              act: fn as never,
            }),
          );
        const a = service.actions;
        switch (action) {
          case 'complete': {
            const evidence = f.evidence.trim();
            parseOr(completeStepRequestSchema, noStep({ stepKey: f.stepKey, ...(evidence ? { evidence } : {}) }));
            await act('step.complete', evidence ? { evidence } : {}, a.completeStep, f.stepKey);
            break;
          }
          case 'reopen': {
            parseOr(reopenStepRequestSchema, noStep({ stepKey: f.stepKey, reason: f.reason }));
            await act('step.reopen', { reason: f.reason.trim() }, a.reopenStep, f.stepKey);
            break;
          }
          case 'extend': {
            parseOr(
              extendDueDateRequestSchema,
              noStep({ stepKey: f.stepKey, newDueDate: f.newDueDate, reason: f.reason }),
            );
            await act('step.extend', { newDueDate: f.newDueDate, reason: f.reason.trim() }, a.extendDueDate, f.stepKey);
            break;
          }
          case 'withdraw': {
            parseOr(withdrawRequestSchema, noStep({ reason: f.reason }));
            await act('enrollment.withdraw', { reason: f.reason.trim() }, a.withdraw);
            break;
          }
          case 'reassign': {
            const consultant = await consultantFor(p, f.consultant);
            parseOr(assignConsultantRequestSchema, noStep({ consultant }));
            await act('enrollment.assign', { consultant }, a.assignConsultant);
            break;
          }
          case 'confirm':
            await act('enrollment.confirm', {}, a.confirmParticipation);
            break;
        }
        return reply.redirect(`/app/enrollments/${encodeURIComponent(id)}?flash=action_done`, 303);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        req.log.info({ code: err.code, action }, 'dashboard pathway action refused');
        const status = err.code === 'role_not_allowed' || err.code === 'forbidden' ? 403 : 422;
        return enrollmentPage(req, reply, p, id, null, { action, error: err.messages[c.locale], values }, status);
      }
    },
  );

  app.get<{ Params: { id: string } }>('/app/companies/:id', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const c = h.chrome(req, p);
    const data = await loadCompanyPage(db, p, req.params.id, c.locale);
    if (!data) {
      const w = W[c.locale];
      return sendPage(reply, MessagePage, { ...c, title: w.notFoundTitle, text: w.notFoundText }, 404);
    }
    return sendPage(reply, CompanyPage, { ...c, company: data });
  });
}
