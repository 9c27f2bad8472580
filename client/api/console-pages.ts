/**
 * The Region's console in the browser, under /app/console (admin only: anyone else, signed out
 * included, gets the answer of a path that does not exist). Every change goes through the same
 * functions as the API (client/auth/users.ts, user-roles.ts, schedules.ts, funding-store.ts) and is
 * audited there; the forms carry the session's CSRF token, checked by the server-wide hook. After a
 * change the page redirects with a flash code; a refusal shows the page again with its message.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, isDomainError } from '../../domain/errors';
import { eurosToCents } from '../../domain/money';
import type { Principal } from '../auth/principal';
import { auditActor } from '../audit';
import { changeUserRole } from '../auth/user-roles';
import { revokeApiToken, setUserDisabled } from '../auth/users';
import { allocateFunds, importFundingCsv, previewFundingCsv } from '../funding-store';
import { inviteAccount, sendPasswordReset } from '../invitations';
import { controlSchedule, listSchedules, SCHEDULE_PREFIX } from '../schedules';
import {
  auditChoices,
  auditFiltersOf,
  loadAudit,
  loadConsoleUser,
  loadConsoleUsers,
  loadFundingConsole,
  userFiltersOf,
} from '../web/console-loaders';
import { parseForm } from '../web/forms';
import {
  AuditPage,
  ConsoleHomePage,
  FundingPage,
  FundingPreviewPage,
  noticeFromQuery,
  SchedulesPage,
  UserPage,
  UsersPage,
  type ConsoleNotice,
} from '../web/views/console';
import { CT } from '../web/views/texts-console';
import { sendPage } from './dashboard';
import type { DashboardHelpers } from './account-pages';
import { toErrorResponse } from './errors';
import { baseUrlOf } from './routes-front';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';

/** The largest CSV the import takes: its base64 copy in the confirmation must fit the 256 KB body limit. */
export const FUNDING_UPLOAD_MAX_BYTES = 180 * 1024;

const field = (max: number) => z.string().max(max).optional().default('');
const roleForm = z.object({
  role: field(20),
  atsCode: field(40),
  allianceCode: field(60),
  companyVatNumber: field(20),
  csrf: field(200),
});
const csrfOnly = z.object({ csrf: field(200) });
const allocateForm = z.object({ amount: field(30), expectedRemainingCents: field(20), csrf: field(200) });
const importForm = z.object({ csv: field(250_000), digest: field(64), csrf: field(200) });
const inviteForm = z.object({
  email: field(254),
  name: field(120),
  role: field(20),
  atsCode: field(40),
  allianceCode: field(60),
  companyVatNumber: field(20),
  locale: field(5),
  csrf: field(200),
});

export function registerConsolePages(
  app: AnyFastify,
  deps: ApiDeps,
  h: DashboardHelpers & { authenticate(req: FastifyRequest): Promise<Principal | null> },
): void {
  const { db } = deps;

  /** The signed-in admin, or the not-found answer for anyone else. */
  const admin = async (req: FastifyRequest, reply: FastifyReply): Promise<Principal | null> => {
    const p = await h.authenticate(req);
    if (p?.role !== 'admin') {
      await reply.callNotFound();
      return null;
    }
    return p;
  };
  const statusOf = (err: DomainError, p: Principal, req: FastifyRequest) =>
    toErrorResponse(err, h.chrome(req, p).locale)?.status ?? 422;
  const refusal = (err: unknown, req: FastifyRequest, p: Principal): { notice: ConsoleNotice; status: number } => {
    if (!isDomainError(err)) throw err;
    return { notice: { kind: 'err', text: err.messages[h.chrome(req, p).locale] }, status: statusOf(err, p, req) };
  };

  app.get('/app/console', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    return sendPage(reply, ConsoleHomePage, h.chrome(req, p));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/app/console/users', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    const filters = userFiltersOf(req.query);
    const data = await loadConsoleUsers(db, filters);
    const notice = noticeFromQuery(h.chrome(req, p).locale, req.query);
    return sendPage(reply, UsersPage, { ...h.chrome(req, p), filters, ...data, notice });
  });

  /** An invitation from the users list: the same function and audit as POST /invitations. */
  app.post('/app/console/invitations', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    const { csrf: _csrf, ...values } = parseForm(inviteForm, req.body);
    try {
      const vat = values.companyVatNumber.trim().toUpperCase();
      const company = vat ? await db.company.findUnique({ where: { vatNumber: vat } }) : null;
      if (values.role === 'sme' && vat && !company)
        throw new DomainError('company_not_found', {
          it: `Nessuna impresa con partita IVA ${vat}: iscrivere prima l'impresa.`,
          en: `No company with VAT number ${vat}: enroll the company first.`,
        });
      const opt = (s: string) => (s.trim() === '' ? undefined : s.trim());
      await inviteAccount(
        db,
        {
          email: values.email,
          name: values.name,
          role: values.role,
          atsCode: opt(values.atsCode),
          allianceCode: opt(values.allianceCode),
          companyId: values.role === 'sme' ? company?.id : undefined,
          locale: values.locale === 'en' ? 'en' : 'it',
        },
        p,
        { baseUrl: baseUrlOf(deps, req) },
      );
    } catch (err) {
      const r = refusal(err, req, p);
      req.log.info({ code: (err as DomainError).code }, 'console invitation refused');
      const filters = userFiltersOf({});
      const data = await loadConsoleUsers(db, filters);
      return sendPage(
        reply,
        UsersPage,
        { ...h.chrome(req, p), filters, ...data, notice: r.notice, inviteValues: values },
        r.status,
      );
    }
    return reply.redirect('/app/console/users?ok=invited', 303);
  });

  const userPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    id: string,
    notice: ConsoleNotice | null,
    status = 200,
  ) => {
    const c = h.chrome(req, p);
    const data = await loadConsoleUser(db, id, c.locale);
    if (!data) return reply.callNotFound();
    const { user: target, ...rest } = data;
    return sendPage(reply, UserPage, { ...c, notice, target, ...rest, self: target.id === p.userId }, status);
  };

  app.get<{ Params: { id: string }; Querystring: { ok?: string } }>('/app/console/users/:id', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    return userPage(req, reply, p, req.params.id, noticeFromQuery(h.chrome(req, p).locale, req.query));
  });

  /** Runs one change of a user's page: back to the page with its flash, or the page with the refusal. */
  const userChange = async (
    req: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    p: Principal,
    change: () => Promise<unknown>,
    ok: string,
  ) => {
    try {
      await change();
    } catch (err) {
      const r = refusal(err, req, p);
      req.log.info({ code: (err as DomainError).code }, 'console user change refused');
      return userPage(req, reply, p, req.params.id, r.notice, r.status);
    }
    return reply.redirect(`/app/console/users/${encodeURIComponent(req.params.id)}?ok=${ok}`, 303);
  };

  app.post<{ Params: { id: string } }>('/app/console/users/:id/role', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    const { csrf: _csrf, ...body } = parseForm(roleForm, req.body);
    return userChange(req, reply, p, () => changeUserRole(db, req.params.id, body, auditActor(p)), 'role_changed');
  });

  for (const action of ['deactivate', 'reactivate'] as const)
    app.post<{ Params: { id: string } }>(`/app/console/users/:id/${action}`, async (req, reply) => {
      const p = await admin(req, reply);
      if (!p) return reply;
      parseForm(csrfOnly, req.body);
      return userChange(
        req,
        reply,
        p,
        () => setUserDisabled(db, req.params.id, action === 'deactivate', auditActor(p)),
        `${action}d`,
      );
    });

  /** A password-reset link by email, as POST /users/:id/password-reset (audited user.password.reset-link). */
  app.post<{ Params: { id: string } }>('/app/console/users/:id/password-reset', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    parseForm(csrfOnly, req.body);
    return userChange(
      req,
      reply,
      p,
      async () => {
        const target = await db.user.findUnique({ where: { id: req.params.id } });
        if (!target || target.disabledAt)
          throw new DomainError('not_found', {
            it: `Utente ${req.params.id} inesistente o disattivato.`,
            en: `No active user ${req.params.id}.`,
          });
        await sendPasswordReset(db, target.email, { baseUrl: baseUrlOf(deps, req), actor: auditActor(p) });
      },
      'reset_sent',
    );
  });

  app.post<{ Params: { id: string; tokenId: string } }>(
    '/app/console/users/:id/tokens/:tokenId/revoke',
    async (req, reply) => {
      const p = await admin(req, reply);
      if (!p) return reply;
      parseForm(csrfOnly, req.body);
      // Revoking a token already revoked changes nothing and says so like a success: the page shows its state.
      return userChange(
        req,
        reply,
        p,
        () => revokeApiToken(db, req.params.id, req.params.tokenId, auditActor(p)),
        'token_revoked',
      );
    },
  );

  app.get<{ Querystring: Record<string, unknown> }>('/app/console/audit', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    const c = h.chrome(req, p);
    const filters = auditFiltersOf(req.query);
    const [page, choices] = await Promise.all([loadAudit(db, filters, c.locale), auditChoices(db)]);
    return sendPage(reply, AuditPage, { ...c, filters, ...page, ...choices });
  });

  const schedulesPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    notice: ConsoleNotice | null,
    status = 200,
  ) =>
    sendPage(
      reply,
      SchedulesPage,
      { ...h.chrome(req, p), notice, schedules: await listSchedules(deps.temporal) },
      status,
    );

  app.get<{ Querystring: { ok?: string } }>('/app/console/schedules', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    return schedulesPage(req, reply, p, noticeFromQuery(h.chrome(req, p).locale, req.query));
  });

  app.post<{ Params: { id: string; action: string } }>('/app/console/schedules/:id/:action', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    parseForm(csrfOnly, req.body);
    const action = req.params.action;
    if (
      (action !== 'pause' && action !== 'unpause' && action !== 'trigger') ||
      !req.params.id.startsWith(SCHEDULE_PREFIX)
    )
      return reply.callNotFound();
    try {
      await controlSchedule(deps.temporal, db, { ...auditActor(p), email: p.email }, req.params.id, action);
    } catch (err) {
      const r = refusal(err, req, p);
      return schedulesPage(req, reply, p, r.notice, r.status);
    }
    const ok = action === 'trigger' ? 'triggered' : action === 'pause' ? 'paused' : 'unpaused';
    return reply.redirect(`/app/console/schedules?ok=${ok}`, 303);
  });

  const fundingPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    notice: ConsoleNotice | null,
    status = 200,
  ) => sendPage(reply, FundingPage, { ...h.chrome(req, p), notice, ...(await loadFundingConsole(db)) }, status);

  app.get<{ Querystring: { ok?: string } }>('/app/console/funding', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    return fundingPage(req, reply, p, noticeFromQuery(h.chrome(req, p).locale, req.query));
  });

  app.post('/app/console/funding/allocate', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    const body = parseForm(allocateForm, req.body);
    try {
      const cents = eurosToCents(body.amount.trim());
      const expected = /^\d+$/.test(body.expectedRemainingCents) ? Number(body.expectedRemainingCents) : undefined;
      await allocateFunds(db, cents, auditActor(p), expected === undefined ? {} : { expectedRemainingCents: expected });
    } catch (err) {
      const r = refusal(err, req, p);
      return fundingPage(req, reply, p, r.notice, r.status);
    }
    return reply.redirect('/app/console/funding?ok=allocated', 303);
  });

  app.post('/app/console/funding/import', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    const body = parseForm(importForm, req.body);
    try {
      const text = Buffer.from(body.csv, 'base64').toString('utf8');
      // Only the previewed file (same digest) is written; sending the same confirmation again writes nothing new.
      await importFundingCsv(db, text, auditActor(p), body.digest);
    } catch (err) {
      const r = refusal(err, req, p);
      return fundingPage(req, reply, p, r.notice, r.status);
    }
    return reply.redirect('/app/console/funding?ok=imported', 303);
  });

  // The upload is a multipart form, parsed by the server's one multipart parser (registered with the
  // documents' routes) and read here with the import's own size limit. Like the documents' upload
  // forms, its CSRF token is in the action URL (csrf_token), checked by the server-wide hook.
  app.post('/app/console/funding/preview', async (req, reply) => {
    const p = await admin(req, reply);
    if (!p) return reply;
    const t = CT[h.chrome(req, p).locale];
    let text = '';
    if (req.isMultipart()) {
      try {
        const part = await req.file({ limits: { fileSize: FUNDING_UPLOAD_MAX_BYTES, files: 1, fields: 4, parts: 5 } });
        if (part?.fieldname === 'file') text = (await part.toBuffer()).toString('utf8');
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT')
          return fundingPage(req, reply, p, { kind: 'err', text: t.tooLarge }, 413);
        throw err;
      }
    }
    if (text.trim() === '') return fundingPage(req, reply, p, { kind: 'err', text: t.emptyFile }, 400);
    const preview = await previewFundingCsv(db, text);
    const status = preview.projects.length > 0 ? 200 : 422;
    return sendPage(reply, FundingPreviewPage, { ...h.chrome(req, p), preview, text }, status);
  });
}
