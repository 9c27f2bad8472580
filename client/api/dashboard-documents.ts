/**
 * The dashboard's documents and register pages: the documents of an enrollment with an upload form
 * per step, and a training step's register with its sessions and minutes. Forms work without
 * JavaScript; a refusal is shown on the page from the error itself (never from the URL), a success
 * redirects with a fixed notice code.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z, ZodType } from 'zod';
import { formatRomeDateTime } from '../../domain/calendar';
import { findPathwayVersion } from '../../domain/catalogue-history';
import { isDomainError } from '../../domain/errors';
import type { DocumentStore } from '../../infra/document-store';
import type { Principal } from '../auth/principal';
import { cancelSession, createSession, loadRegister, mayKeepRegister, recordAttendance } from '../documents/attendance';
import { DOCUMENT_EVIDENCE_KINDS, listDocuments, mayUpload, notFound } from '../documents/documents';
import { DocumentsPage, documentsPath, type DocumentStepSection } from '../web/views/documents';
import { MessagePage } from '../web/views/message';
import { RegisterPage } from '../web/views/register';
import { DOC_T, formatSize } from '../web/views/texts-documents';
import type { Locale } from '../web/views/texts';
import { LANG_COOKIE, parseCookies } from './cookies';
import { sessionCsrfToken } from './csrf';
import { sendPage } from './dashboard';
import { pickLocale } from './errors';
import type { AnyFastify } from './registry';
import { attendanceRequestSchema, sessionRequestSchema } from './routes-registers';
import { receiveUpload } from './routes-documents';
import type { ApiDeps } from './server';
import { validationError } from '../validation';

function localeOf(req: FastifyRequest, p: Principal | null): Locale {
  const chosen = parseCookies(req.headers.cookie)[LANG_COOKIE];
  if (chosen === 'it' || chosen === 'en') return chosen;
  return p?.locale ?? pickLocale(req.headers['accept-language']);
}

export function registerDocumentPages(
  app: AnyFastify,
  deps: ApiDeps & { documents: DocumentStore },
  authenticate: (req: FastifyRequest) => Promise<Principal | null>,
): void {
  const { db } = deps;
  const chrome = (req: FastifyRequest, p: Principal) => ({
    locale: localeOf(req, p),
    here: req.url.split('?')[0]!,
    user: { name: p.name, role: p.role, csrf: sessionCsrfToken(req), hasMail: Boolean(deps.mailCatcher) },
  });
  const requireUser = async (req: FastifyRequest, reply: FastifyReply): Promise<Principal | null> => {
    const p = await authenticate(req);
    if (!p) {
      await reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      return null;
    }
    return p;
  };
  const notFoundPage = (req: FastifyRequest, reply: FastifyReply, p: Principal, err: unknown) => {
    if (!isDomainError(err) || err.code !== 'not_found') throw err;
    const c = chrome(req, p);
    return sendPage(reply, MessagePage, { ...c, title: '404', text: err.messages[c.locale] }, 404);
  };

  const documentsPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    id: string,
    message: { notice?: string; error?: string; status?: number } = {},
  ) => {
    const c = chrome(req, p);
    const docs = await listDocuments(db, p, id);
    const e = await db.enrollment.findUniqueOrThrow({ where: { id }, include: { company: true } });
    const def = findPathwayVersion(e.kind, e.catalogueVersion);
    const when = (d: Date) => formatRomeDateTime(d.getTime(), c.locale);
    const steps: DocumentStepSection[] = (def?.steps ?? [])
      .filter((s) => s.evidence)
      .map((s) => ({
        key: s.key,
        name: s.name[c.locale],
        needs: s.evidence && DOCUMENT_EVIDENCE_KINDS.has(s.evidence.kind) ? s.evidence.label[c.locale] : null,
        hasRegister: s.evidence?.kind === 'attendance-register',
        documents: docs
          .filter((d) => d.stepKey === s.key)
          .map((d) => ({
            id: d.id,
            filename: d.filename,
            type: d.type,
            signerName: d.signerName,
            uploaderName: d.uploaderName,
            at: d.createdAt,
            when: when(new Date(d.createdAt)),
            size: formatSize(d.sizeBytes, c.locale),
            sha256: d.sha256,
            superseded: d.superseded,
          })),
      }));
    return sendPage(
      reply,
      DocumentsPage,
      {
        ...c,
        enrollmentId: id,
        companyName: e.company.name,
        mayUpload: mayUpload(p, e),
        steps,
        notice: message.notice ?? null,
        error: message.error ?? null,
      },
      message.status ?? 200,
    );
  };

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
    '/app/enrollments/:id/documents',
    async (req, reply) => {
      const p = await requireUser(req, reply);
      if (!p) return reply;
      try {
        const notice = req.query.done === 'uploaded' ? DOC_T[localeOf(req, p)].uploaded : undefined;
        return await documentsPage(req, reply, p, req.params.id, notice ? { notice } : {});
      } catch (err) {
        return notFoundPage(req, reply, p, err);
      }
    },
  );

  app.post<{ Params: { id: string; stepKey: string } }>(
    '/app/enrollments/:id/steps/:stepKey/documents',
    async (req, reply) => {
      const p = await requireUser(req, reply);
      if (!p) return reply;
      try {
        await receiveUpload(deps, p, req, req.params);
      } catch (err) {
        if (!isDomainError(err) || err.code === 'not_found') return notFoundPage(req, reply, p, err);
        const status = err.code === 'document_too_large' ? 413 : err.code === 'unsupported_media_type' ? 415 : 422;
        return documentsPage(req, reply, p, req.params.id, { error: err.messages[localeOf(req, p)], status });
      }
      return reply.redirect(`${documentsPath(req.params.id)}?done=uploaded`, 303);
    },
  );

  const registerPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    id: string,
    stepKey: string,
    message: { notice?: string; error?: string; status?: number } = {},
  ) => {
    const c = chrome(req, p);
    const r = await loadRegister(db, p, id, stepKey);
    const e = await db.enrollment.findUniqueOrThrow({ where: { id }, include: { company: true } });
    const when = (iso: string) => formatRomeDateTime(Date.parse(iso), c.locale);
    return sendPage(
      reply,
      RegisterPage,
      {
        ...c,
        enrollmentId: id,
        stepKey,
        companyName: r.companyName,
        stepName: r.stepName[c.locale],
        mayRecord: mayKeepRegister(p, e),
        sessions: r.sessions.map((s) => ({
          id: s.id,
          at: s.startsAt,
          when: when(s.startsAt),
          minutes: s.minutes,
          place: s.place,
          cancelled: s.cancelled,
          people: r.rows
            .filter((x) => x.sessionId === s.id)
            .map((x) => ({
              participantId: x.participantId,
              name: x.participantName,
              confirmed: x.participantConfirmedAt ? when(x.participantConfirmedAt) : null,
              attendedMinutes: x.attendedMinutes,
              recordedBy: x.recordedBy,
            })),
        })),
        notice: message.notice ?? null,
        error: message.error ?? null,
      },
      message.status ?? 200,
    );
  };
  const registerPath = (id: string, stepKey: string) =>
    `/app/enrollments/${encodeURIComponent(id)}/steps/${encodeURIComponent(stepKey)}/register`;

  app.get<{ Params: { id: string; stepKey: string }; Querystring: { done?: string } }>(
    '/app/enrollments/:id/steps/:stepKey/register',
    async (req, reply) => {
      const p = await requireUser(req, reply);
      if (!p) return reply;
      try {
        const notice = req.query.done === 'saved' ? DOC_T[localeOf(req, p)].saved : undefined;
        return await registerPage(req, reply, p, req.params.id, req.params.stepKey, notice ? { notice } : {});
      } catch (err) {
        return notFoundPage(req, reply, p, err);
      }
    },
  );

  /** Runs a register change; success goes back to the register, a refusal is shown on it. */
  const registerAction = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal,
    where: () => Promise<{ id: string; stepKey: string }>,
    act: () => Promise<unknown>,
  ) => {
    let target: { id: string; stepKey: string };
    try {
      target = await where();
    } catch (err) {
      return notFoundPage(req, reply, p, err);
    }
    try {
      await act();
    } catch (err) {
      if (!isDomainError(err) || err.code === 'not_found') return notFoundPage(req, reply, p, err);
      const status = err.code === 'invalid_request' ? 400 : 422;
      return registerPage(req, reply, p, target.id, target.stepKey, { error: err.messages[localeOf(req, p)], status });
    }
    return reply.redirect(`${registerPath(target.id, target.stepKey)}?done=saved`, 303);
  };
  const parse = <S extends ZodType>(schema: S, body: unknown): z.output<S> => {
    const r = schema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    return r.data;
  };
  const sessionOf = async (p: Principal, sessionId: string) => {
    const s = await db.trainingSession.findUnique({ where: { id: sessionId } });
    const e = s ? await db.enrollment.findUnique({ where: { id: s.enrollmentId }, include: { company: true } }) : null;
    if (!s || !e || !mayKeepRegister(p, e)) throw notFound(`Sessione "${sessionId}" / session "${sessionId}"`);
    return { id: s.enrollmentId, stepKey: s.stepKey };
  };

  app.post<{ Params: { id: string; stepKey: string } }>(
    '/app/enrollments/:id/steps/:stepKey/sessions',
    async (req, reply) => {
      const p = await requireUser(req, reply);
      if (!p) return reply;
      const { id, stepKey } = req.params;
      return registerAction(
        req,
        reply,
        p,
        async () => {
          await loadRegister(db, p, id, stepKey);
          return { id, stepKey };
        },
        async () => {
          const body = parse(sessionRequestSchema, req.body);
          await createSession(db, p, id, stepKey, { ...body, place: body.place || null });
        },
      );
    },
  );

  app.post<{ Params: { id: string } }>('/app/sessions/:id/cancel', async (req, reply) => {
    const p = await requireUser(req, reply);
    if (!p) return reply;
    return registerAction(
      req,
      reply,
      p,
      () => sessionOf(p, req.params.id),
      () => cancelSession(db, p, req.params.id),
    );
  });

  app.post<{ Params: { id: string } }>('/app/sessions/:id/attendance', async (req, reply) => {
    const p = await requireUser(req, reply);
    if (!p) return reply;
    return registerAction(
      req,
      reply,
      p,
      () => sessionOf(p, req.params.id),
      async () => {
        const body = parse(attendanceRequestSchema, req.body);
        await recordAttendance(db, p, req.params.id, body.participantId, body.attendedMinutes);
      },
    );
  });
}
