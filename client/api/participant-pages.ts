/**
 * The participant pages behind the personal links (`/p/<token>`): no session, no account. Every
 * answer is noindex, no-store and no-referrer (the URL is the credential). The forms are POSTs
 * without a session: each carries the page's CSRF value (bound to the token and to the form), is
 * counted against a per-link and a per-address limit (FormThrottle), and is idempotent (confirming
 * twice, acknowledging twice, answering twice change nothing the second time). A link that cannot
 * be used gets a page saying why (revoked, removed, expired) or one message for anything else.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findPathwayVersion } from '../../domain/catalogue-history';
import { stepParticipation } from '../../domain/participation';
import { findSurvey, parseSurveyAnswers, surveyField } from '../../domain/surveys';
import { formatRomeDate, formatRomeDateTime, localDateOf, localDateToIso } from '../../domain/calendar';
import { isUniqueViolation } from '../../infra/db';
import { buildDeadlineIcs, ICS_CONTENT_TYPE } from '../../mail/ics';
import { isDomainError } from '../../domain/errors';
import {
  checkParticipantFormCsrf,
  participantFormCsrf,
  participantLinkKey,
  verifyParticipantLink,
  type LinkTarget,
} from '../participant-links';
import { takeFormAttempt } from '../form-throttle';
import { anonymiseAfterDays } from '../anonymise';
import { sendPage } from './dashboard';
import { LANG_COOKIE, parseCookies } from './cookies';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';
import {
  CARE,
  GENDERS,
  LinkRefusedPage,
  PARTICIPANT_FLASHES,
  ParticipantDataPage,
  ParticipantPage,
  type ParticipantFlash,
} from '../web/views/participant';
import type { Locale } from '../../domain/locale';
import type { DocumentStore } from '../../infra/document-store';
import { cleanFilename, DOCUMENT_EVIDENCE_KINDS, stepOf, uploadDocument } from '../documents/documents';
import { toErrorResponse } from './errors';

/** The POST routes here: exempt from the session CSRF hook, since they carry their own value. */
export const PARTICIPANT_FORM_ROUTES = [
  'POST /p/:token/attendance',
  'POST /p/:token/acknowledge',
  'POST /p/:token/survey',
  'POST /p/:token/dati',
  'POST /p/:token/documenti',
] as const;

const HOUR = 3600_000;
const LIMITS = {
  perLink: { max: 30, windowMs: HOUR },
  perAddress: { max: 120, windowMs: HOUR },
};

/** Version of the notice shown on the data page, recorded with each consent. */
export const PARTICIPANT_NOTICE_VERSION = 'participant-data-2026-12';

type Req = FastifyRequest<{
  Params: { token: string };
  Querystring: { flash?: string };
  Body: Record<string, unknown>;
}>;

function localeOf(req: FastifyRequest, fallback: string): Locale {
  const chosen = parseCookies(req.headers.cookie)[LANG_COOKIE];
  if (chosen === 'it' || chosen === 'en') return chosen;
  return fallback === 'en' ? 'en' : 'it';
}

function flashOf(req: Req): ParticipantFlash | null {
  const f = req.query.flash;
  return typeof f === 'string' && (PARTICIPANT_FLASHES as string[]).includes(f) ? (f as ParticipantFlash) : null;
}

const privateHeaders = (reply: FastifyReply) =>
  reply
    .header('x-robots-tag', 'noindex, nofollow')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');

export function registerParticipantPages(app: AnyFastify, deps: ApiDeps & { documents: DocumentStore }): void {
  const { db } = deps;
  const key = participantLinkKey(deps.preferencesSecret);
  // Read once: a malformed ANONYMISE_AFTER_DAYS stops the API at start, not a participant's page.
  const retentionDays = anonymiseAfterDays();

  /** The link's target, or the refusal page already sent (null). */
  const open = async (req: Req, reply: FastifyReply): Promise<LinkTarget | null> => {
    privateHeaders(reply);
    const result = await verifyParticipantLink(db, key, String(req.params.token ?? ''), Date.now());
    if (result.ok) return result.target;
    req.log.info({ reason: result.reason }, 'participant link refused');
    const locale = localeOf(req, req.headers['accept-language']?.toLowerCase().startsWith('en') ? 'en' : 'it');
    sendPage(reply, LinkRefusedPage, { locale, reason: result.reason }, result.reason === 'expired' ? 410 : 403);
    return null;
  };

  const definitionOf = (t: LinkTarget) => findPathwayVersion(t.enrollment.kind, t.enrollment.catalogueVersion);

  /** What the current step asks of this person, from the data beside the catalogue. */
  const askedNow = (t: LinkTarget) => {
    const step = t.enrollment.currentStep;
    if (t.enrollment.status !== 'active' || !step) return null;
    const participation = stepParticipation(t.enrollment.kind, step);
    if (!participation || !participation.roles.includes(t.participant.role as 'owner')) return null;
    return { step, participation };
  };

  /**
   * The document the current step asks for, if this person may upload it: the step's evidence is a
   * document (document-ref, signed-agreement, report) and the step involves their role.
   */
  const uploadAsked = (t: LinkTarget) => {
    const now = askedNow(t);
    const step = now ? stepOf(t.enrollment, now.step) : undefined;
    if (!now || !step?.evidence || !DOCUMENT_EVIDENCE_KINDS.has(step.evidence.kind)) return null;
    return { step, label: step.evidence.label };
  };

  const redirectTo = (reply: FastifyReply, token: string, flash: ParticipantFlash, page = '') =>
    reply.redirect(`/p/${token}${page}?flash=${flash}`, 303);

  /**
   * A form post: the link opens, the form's CSRF value matches, the limits allow it; then `act`.
   * Any refusal here changes nothing.
   */
  const post =
    (
      form: string,
      page: '' | '/dati',
      act: (t: LinkTarget, body: Record<string, unknown>, req: Req) => Promise<ParticipantFlash>,
    ) =>
    async (req: Req, reply: FastifyReply) => {
      const t = await open(req, reply);
      if (!t) return reply;
      const token = req.params.token;
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!checkParticipantFormCsrf(key, token, form, body.csrf)) {
        return redirectTo(reply.status(303), token, 'form-expired', page);
      }
      try {
        await takeFormAttempt(db, [
          { key: `p:${t.participant.id}`, limit: LIMITS.perLink },
          { key: `p-ip:${req.ip}`, limit: LIMITS.perAddress },
        ]);
      } catch (err) {
        if (isDomainError(err) && err.code === 'too_many_attempts') {
          return sendPage(
            reply,
            page === '/dati' ? ParticipantDataPage : ParticipantPage,
            // Re-render the page with the refusal, status 429 (nothing recorded).
            (page === '/dati' ? await dataProps(t, req, 'throttled') : await pageProps(t, req, 'throttled')) as never,
            429,
          );
        }
        throw err;
      }
      const flash = await act(t, body, req);
      return redirectTo(reply, token, flash, page);
    };

  const pageProps = async (t: LinkTarget, req: Req, flash: ParticipantFlash | null) => {
    const locale = localeOf(req, t.participant.locale);
    const def = definitionOf(t);
    const e = t.enrollment;
    const steps = def?.steps ?? [];
    const currentIndex = e.currentStep ? steps.findIndex((s) => s.key === e.currentStep) : -1;
    const closed = e.status !== 'active';
    const due = e.currentDueAt ? formatRomeDateTime(e.currentDueAt.getTime(), locale) : null;
    const now = askedNow(t);
    const sessions = now?.participation.training
      ? await db.trainingSession.findMany({
          where: { enrollmentId: e.id, stepKey: now.step, cancelledAt: null },
          include: { attendance: { where: { participantId: t.participant.id } } },
          orderBy: { startsAt: 'asc' },
        })
      : [];
    const ack =
      now?.participation.ownerAcknowledgement && t.participant.role === 'owner'
        ? {
            kind: now.participation.ownerAcknowledgement,
            done:
              (await db.stepAcknowledgement.count({
                where: { enrollmentId: e.id, stepKey: now.step, participantId: t.participant.id },
              })) > 0,
          }
        : null;
    const survey = findSurvey(now?.participation.survey);
    const answered =
      survey && now
        ? (await db.surveySubmission.count({
            where: { participantId: t.participant.id, enrollmentId: e.id, stepKey: now.step },
          })) > 0
        : false;
    const token = req.params.token;
    const upload = uploadAsked(t);
    const uploaded = upload
      ? await db.document.findMany({
          where: { enrollmentId: e.id, stepKey: upload.step.key, uploadedByParticipantId: t.participant.id },
          orderBy: { createdAt: 'asc' },
          select: { filename: true, createdAt: true, supersededAt: true },
        })
      : [];
    return {
      locale,
      here: `/p/${token}`,
      token,
      csrf: {
        attendance: participantFormCsrf(key, token, 'attendance'),
        acknowledge: participantFormCsrf(key, token, 'acknowledge'),
        survey: participantFormCsrf(key, token, 'survey'),
        upload: participantFormCsrf(key, token, 'upload'),
      },
      upload: upload
        ? {
            label: upload.label[locale],
            uploaded: uploaded
              .filter((d) => d.supersededAt === null)
              .map((d) => ({ filename: d.filename, when: formatRomeDateTime(d.createdAt.getTime(), locale) })),
          }
        : null,
      uploadError: null as string | null,
      flash,
      name: t.participant.name,
      role: t.participant.role,
      companyName: e.company.name,
      pathwayName: def ? def.name[locale] : e.kind,
      programmeName: t.programme?.name ?? e.programmeCode,
      closed,
      steps: steps.map((s, i) => ({
        key: s.key,
        name: s.name[locale],
        status:
          e.status === 'completed' || (currentIndex >= 0 && i < currentIndex)
            ? ('done' as const)
            : i === currentIndex && !closed
              ? ('active' as const)
              : ('pending' as const),
        due: i === currentIndex ? due : null,
      })),
      current: currentIndex >= 0 && !closed ? { name: steps[currentIndex]!.name[locale], due } : null,
      consultant: { name: e.consultantName, email: e.consultantEmail },
      sessions: sessions.map((s) => ({
        id: s.id,
        when: formatRomeDateTime(s.startsAt.getTime(), locale),
        minutes: s.minutes,
        place: s.place,
        confirmed: s.attendance.some((a) => a.participantConfirmedAt !== null),
      })),
      acknowledgement: ack,
      survey:
        survey && now
          ? {
              title: survey.title[locale],
              intro: survey.intro[locale],
              answered,
              questions: survey.questions.map((q) => ({
                id: q.id,
                label: q.label[locale],
                type: q.type,
                options: q.options.map((o) => ({
                  field: q.type === 'single' ? surveyField(q) : surveyField(q, o.id),
                  value: q.type === 'single' ? o.id : 'on',
                  label: o.label[locale],
                })),
              })),
            }
          : null,
      hasCalendar: !closed && e.currentDueAt !== null,
    };
  };

  const dataProps = async (t: LinkTarget, req: Req, flash: ParticipantFlash | null) => {
    const locale = localeOf(req, t.participant.locale);
    const p = t.participant;
    const [attendance, messages] = await Promise.all([
      db.attendance.findMany({ where: { participantId: p.id }, include: { session: true } }),
      db.outboxMessage.findMany({
        where: { toAddress: { in: [p.email, p.email.toLowerCase()] }, enrollment: { companyId: p.companyId } },
        orderBy: { createdAt: 'desc' },
        take: 100,
        select: { subject: true, createdAt: true, sentAt: true, status: true },
      }),
    ]);
    const def = definitionOf(t);
    const care = p.careResponsibilities ? (JSON.parse(p.careResponsibilities) as string[]) : [];
    return {
      locale,
      here: `/p/${req.params.token}/dati`,
      token: req.params.token,
      csrf: participantFormCsrf(key, req.params.token, 'dati'),
      flash,
      person: { name: p.name, email: p.email, role: p.role, locale: p.locale },
      optional: {
        gender: p.gender,
        care,
        consentAt: p.optionalDataConsentAt ? formatRomeDate(p.optionalDataConsentAt.getTime(), locale) : null,
      },
      attendance: attendance.map((a) => ({
        when: formatRomeDateTime(a.session.startsAt.getTime(), locale),
        step: def?.steps.find((s) => s.key === a.session.stepKey)?.name[locale] ?? a.session.stepKey,
        confirmedAt: a.participantConfirmedAt ? formatRomeDateTime(a.participantConfirmedAt.getTime(), locale) : null,
      })),
      messages: messages.map((m) => ({
        when: formatRomeDateTime((m.sentAt ?? m.createdAt).getTime(), locale),
        subject: m.subject,
        status: m.status,
      })),
      retentionDays,
    };
  };

  app.get('/p/:token', async (req: Req, reply) => {
    const t = await open(req, reply);
    if (!t) return reply;
    return sendPage(reply, ParticipantPage, await pageProps(t, req, flashOf(req)));
  });

  app.get('/p/:token/dati', async (req: Req, reply) => {
    const t = await open(req, reply);
    if (!t) return reply;
    return sendPage(reply, ParticipantDataPage, await dataProps(t, req, flashOf(req)));
  });

  app.get('/p/:token/scadenza.ics', async (req: Req, reply) => {
    const t = await open(req, reply);
    if (!t) return reply;
    const e = t.enrollment;
    const def = definitionOf(t);
    const step = def?.steps.find((s) => s.key === e.currentStep);
    if (!e.currentDueAt || !step || e.status !== 'active')
      return reply.status(404).send({ error: { code: 'not_found', message: 'Nessuna scadenza / no deadline' } });
    const locale = localeOf(req, t.participant.locale);
    const from = /<([^>]+)>/.exec(process.env.MAIL_FROM ?? '')?.[1] ?? 'noreply@conciliaflow.local';
    const ics = buildDeadlineIcs({
      uid: `${e.id}-${step.name[locale].replace(/[^\w-]+/g, '-')}-${e.currentDueAt.getTime()}@conciliaflow`,
      title: `${locale === 'it' ? 'Scadenza' : 'Deadline'}: ${step.name[locale]} – ${e.company.name}`,
      description: def!.name[locale],
      dueAt: e.currentDueAt.getTime(),
      url: `${deps.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`}/p/${req.params.token}`,
      organizerEmail: from,
    });
    return reply
      .type(ICS_CONTENT_TYPE)
      .header('content-disposition', `attachment; filename="${locale === 'it' ? 'scadenza' : 'deadline'}.ics"`)
      .send(ics);
  });

  app.post(
    '/p/:token/attendance',
    post('attendance', '', async (t, body) => {
      const now = askedNow(t);
      const sessionId = typeof body.sessionId === 'string' ? body.sessionId : '';
      const session =
        now?.participation.training && sessionId
          ? await db.trainingSession.findFirst({
              where: { id: sessionId, enrollmentId: t.enrollment.id, stepKey: now.step, cancelledAt: null },
            })
          : null;
      if (!session) return 'form-expired';
      const at = new Date();
      // Idempotent: the row is unique per (session, participant), and a confirmation already given stays.
      try {
        await db.attendance.upsert({
          where: { sessionId_participantId: { sessionId: session.id, participantId: t.participant.id } },
          create: { sessionId: session.id, participantId: t.participant.id, participantConfirmedAt: at },
          update: {},
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      await db.attendance.updateMany({
        where: { sessionId: session.id, participantId: t.participant.id, participantConfirmedAt: null },
        data: { participantConfirmedAt: at },
      });
      return 'attendance';
    }),
  );

  app.post(
    '/p/:token/acknowledge',
    post('acknowledge', '', async (t, _body, req) => {
      const now = askedNow(t);
      const kind = now?.participation.ownerAcknowledgement;
      if (!now || !kind || t.participant.role !== 'owner') return 'form-expired';
      try {
        await db.stepAcknowledgement.create({
          data: {
            enrollmentId: t.enrollment.id,
            stepKey: now.step,
            participantId: t.participant.id,
            kind,
            fromIp: req.ip,
          },
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      return 'acknowledged';
    }),
  );

  app.post(
    '/p/:token/survey',
    post('survey', '', async (t, body) => {
      const now = askedNow(t);
      const survey = findSurvey(now?.participation.survey);
      if (!now || !survey) return 'form-expired';
      const parsed = parseSurveyAnswers(survey, body);
      if ('missing' in parsed) return 'survey-incomplete';
      const day = localDateToIso(localDateOf(Date.now()));
      try {
        // One answer per person: the submission row (no time, no answers) and the response (no person,
        // the day only, a random id: a time-ordered id would tell who answered when) in one transaction.
        await db.$transaction([
          db.surveySubmission.create({
            data: { participantId: t.participant.id, enrollmentId: t.enrollment.id, stepKey: now.step },
          }),
          db.surveyResponse.create({
            data: {
              id: crypto.randomUUID(),
              enrollmentId: t.enrollment.id,
              stepKey: now.step,
              surveyKey: survey.key,
              answers: JSON.stringify(parsed.answers),
              day,
            },
          }),
        ]);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      return 'survey';
    }),
  );

  /**
   * A document for the current step, uploaded by the participant (multipart, part `file`). The
   * body is read by this handler, so the form's CSRF value is in its action URL (`csrf`); the same
   * per-link and per-address limits as the other forms. The uploader is recorded as the participant.
   */
  app.post(
    '/p/:token/documenti',
    async (
      req: FastifyRequest<{ Params: { token: string }; Querystring: { csrf?: string; flash?: string } }>,
      reply,
    ) => {
      const r = req as unknown as Req;
      const t = await open(r, reply);
      if (!t) return reply;
      const token = req.params.token;
      if (!checkParticipantFormCsrf(key, token, 'upload', req.query.csrf))
        return redirectTo(reply, token, 'form-expired');
      try {
        await takeFormAttempt(db, [
          { key: `p:${t.participant.id}`, limit: LIMITS.perLink },
          { key: `p-ip:${req.ip}`, limit: LIMITS.perAddress },
        ]);
      } catch (err) {
        if (isDomainError(err) && err.code === 'too_many_attempts')
          return sendPage(reply, ParticipantPage, await pageProps(t, r, 'throttled'), 429);
        throw err;
      }
      const upload = uploadAsked(t);
      if (!upload) return redirectTo(reply, token, 'form-expired');
      const part = req.isMultipart() ? await req.file() : undefined;
      if (!part || part.fieldname !== 'file' || !part.filename) {
        part?.file.resume();
        return redirectTo(reply, token, 'upload-missing');
      }
      try {
        await uploadDocument(
          deps,
          {
            actor: { id: `participant:${t.participant.id}`, role: 'participant' },
            name: t.participant.name,
            participantId: t.participant.id,
          },
          {
            enrollmentId: t.enrollment.id,
            stepKey: upload.step.key,
            filename: cleanFilename(part.filename),
            body: part.file,
            truncated: () => part.file.truncated,
          },
        );
      } catch (err) {
        if (!isDomainError(err)) throw err;
        req.log.info({ code: err.code }, 'participant upload refused');
        const props = await pageProps(t, r, null);
        const locale = props.locale;
        return sendPage(
          reply,
          ParticipantPage,
          { ...props, uploadError: err.messages[locale] },
          toErrorResponse(err, locale)?.status ?? 422,
        );
      }
      return redirectTo(reply, token, 'uploaded');
    },
  );

  app.post(
    '/p/:token/dati',
    post('dati', '/dati', async (t, body, req) => {
      const p = t.participant;
      if (body.action === 'withdraw') {
        await db.participant.update({
          where: { id: p.id },
          data: { gender: null, careResponsibilities: null, optionalDataConsentAt: null },
        });
        return 'consent-withdrawn';
      }
      if (body.consent !== 'on') return 'consent-missing';
      const gender = (GENDERS as readonly string[]).includes(String(body.gender)) ? String(body.gender) : null;
      const care = CARE.filter((c) => body[`care__${c}`] !== undefined);
      const at = new Date();
      await db.$transaction([
        db.participant.update({
          where: { id: p.id },
          data: {
            gender,
            careResponsibilities: care.length ? JSON.stringify(care) : null,
            optionalDataConsentAt: at,
          },
        }),
        db.privacyAcknowledgement.create({
          data: {
            form: 'participant_data',
            subject: p.id,
            noticeVersion: PARTICIPANT_NOTICE_VERSION,
            at,
            fromIp: req.ip,
          },
        }),
      ]);
      return 'consent-given';
    }),
  );
}
