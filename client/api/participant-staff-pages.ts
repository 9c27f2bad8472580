/**
 * The dashboard's participant pages: `/app/enrollments/:id/participants` (list, add, remove, revoke
 * a link) and `/app/enrollments/:id/survey/:stepKey` (a step's survey in aggregate, staff). The
 * same rules as the API (client/participants.ts): tenant-checked on the stored enrollment, quotas,
 * audit; the server-wide hook checks each form's session CSRF token. A refused addition shows the
 * page again with what was typed and the reason.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isDomainError } from '../../domain/errors';
import { findPathwayVersion } from '../../domain/catalogue-history';
import { stepParticipation } from '../../domain/participation';
import type { Principal } from '../auth/principal';
import { participantSchema } from '../schemas';
import { createParticipantOps } from '../participants';
import { participantsWithRecords, stepSurveyResults } from '../participant-records';
import { MessagePage } from '../web/views/message';
import { ParticipantsStaffPage, SurveyResultsPage } from '../web/views/participants-staff';
import type { DashboardHelpers } from './account-pages';
import { sendPage } from './dashboard';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';
import { visibleEnrollment } from './routes-enrollments';

const STAFF = new Set(['admin', 'coordinator', 'consultant']);
const DONE = ['added', 'removed', 'revoked'] as const;
const formSchema = z.object({ name: z.string(), email: z.string(), role: z.string(), locale: z.string() }).partial();

type Req = FastifyRequest<{
  Params: { id: string; participantId?: string; stepKey?: string };
  Querystring: { done?: string };
  Body: Record<string, unknown>;
}>;

export function registerParticipantStaffPages(app: AnyFastify, deps: ApiDeps, h: DashboardHelpers): void {
  const { db } = deps;
  const ops = createParticipantOps(db);

  /** The enrollment if the caller may see it, or the 404 page already sent. */
  const enrollmentFor = async (req: Req, reply: FastifyReply, p: Principal) => {
    try {
      return await visibleEnrollment(db, p, req.params.id);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      const c = h.chrome(req, p);
      sendPage(reply, MessagePage, { ...c, title: '404', text: err.messages[c.locale] }, 404);
      return null;
    }
  };

  const listPage = async (
    req: Req,
    reply: FastifyReply,
    p: Principal,
    e: Awaited<ReturnType<typeof visibleEnrollment>>,
    extra: { error?: string; typed?: Record<string, string>; status?: number } = {},
  ) => {
    const c = h.chrome(req, p);
    const rows = await participantsWithRecords(db, e);
    const def = findPathwayVersion(e.kind, e.catalogueVersion);
    const done = DONE.find((d) => d === req.query.done) ?? null;
    return sendPage(
      reply,
      ParticipantsStaffPage,
      {
        ...c,
        enrollmentId: e.id,
        companyName: e.company.name,
        active: e.status === 'active',
        isStaff: STAFF.has(p.role),
        rows: rows.map((r) => ({
          id: r.id,
          name: r.name,
          email: r.email,
          role: r.role,
          removed: r.removedAt !== null,
          anonymised: r.anonymisedAt !== null,
          attendanceConfirmed: r.attendance.filter((a) => a.participantConfirmedAt).length,
        })),
        surveys: (def?.steps ?? [])
          .filter((s) => stepParticipation(e.kind, s.key)?.survey)
          .map((s) => ({ stepKey: s.key, stepName: s.name[c.locale] })),
        error: extra.error ?? null,
        done,
        typed: {
          name: extra.typed?.name ?? '',
          email: extra.typed?.email ?? '',
          role: extra.typed?.role ?? 'employee',
          locale: extra.typed?.locale ?? 'it',
        },
      },
      extra.status ?? 200,
    );
  };

  const base = (id: string) => `/app/enrollments/${encodeURIComponent(id)}/participants`;

  app.get('/app/enrollments/:id/participants', async (req: Req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const e = await enrollmentFor(req, reply, p);
    if (!e) return reply;
    return listPage(req, reply, p, e);
  });

  app.post('/app/enrollments/:id/participants', async (req: Req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const e = await enrollmentFor(req, reply, p);
    if (!e) return reply;
    const typed = formSchema.parse(req.body ?? {}) as Record<string, string>;
    const locale = h.chrome(req, p).locale;
    const parsed = participantSchema.safeParse(typed);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(', ');
      return listPage(req, reply, p, e, {
        typed,
        status: 400,
        error:
          locale === 'it'
            ? `Controlla i campi: ${fields}. Nulla è stato registrato.`
            : `Check the fields: ${fields}. Nothing was recorded.`,
      });
    }
    try {
      await ops.add(e, p, parsed.data);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return listPage(req, reply, p, e, { typed, status: 409, error: err.messages[locale] });
    }
    return reply.redirect(`${base(e.id)}?done=added`, 303);
  });

  app.post('/app/enrollments/:id/participants/:participantId/remove', async (req: Req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const e = await enrollmentFor(req, reply, p);
    if (!e) return reply;
    try {
      await ops.remove(e, p, req.params.participantId ?? '');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return listPage(req, reply, p, e, { status: 404, error: err.messages[h.chrome(req, p).locale] });
    }
    return reply.redirect(`${base(e.id)}?done=removed`, 303);
  });

  app.post('/app/enrollments/:id/participants/:participantId/revoke-link', async (req: Req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const e = await enrollmentFor(req, reply, p);
    if (!e) return reply;
    const locale = h.chrome(req, p).locale;
    if (!STAFF.has(p.role))
      return listPage(req, reply, p, e, {
        status: 403,
        error: locale === 'it' ? 'Solo il personale può revocare un link.' : 'Only staff may revoke a link.',
      });
    try {
      await ops.revokeLink(e, p, req.params.participantId ?? '');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return listPage(req, reply, p, e, { status: 404, error: err.messages[locale] });
    }
    return reply.redirect(`${base(e.id)}?done=revoked`, 303);
  });

  app.get('/app/enrollments/:id/survey/:stepKey', async (req: Req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const c = h.chrome(req, p);
    if (!STAFF.has(p.role))
      return sendPage(
        reply,
        MessagePage,
        {
          ...c,
          title: '403',
          text: c.locale === 'it' ? 'Solo il personale vede i risultati.' : 'Only staff see the results.',
        },
        403,
      );
    const e = await enrollmentFor(req, reply, p);
    if (!e) return reply;
    let results: Awaited<ReturnType<typeof stepSurveyResults>>;
    try {
      results = await stepSurveyResults(db, e, req.params.stepKey ?? '');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return sendPage(reply, MessagePage, { ...c, title: '404', text: err.messages[c.locale] }, 404);
    }
    const confirmed = await db.attendance.count({
      where: { session: { enrollmentId: e.id }, participantConfirmedAt: { not: null } },
    });
    return sendPage(reply, SurveyResultsPage, {
      ...c,
      enrollmentId: e.id,
      companyName: e.company.name,
      stepName: results.stepName[c.locale],
      title: results.title[c.locale],
      invited: results.invited,
      responses: results.responses,
      minimum: results.minimumShown,
      questions:
        results.questions?.map((q) => ({
          id: q.id,
          label: q.label[c.locale],
          options: q.options.map((o) => ({ id: o.id, label: o.label[c.locale], count: o.count })),
        })) ?? null,
      attendanceConfirmed: confirmed,
    });
  });
}
