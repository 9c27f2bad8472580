/**
 * The HTTP API. Every route delegates to the service; refusals come back in one shape
 * `{ error: { code, message, details } }` in the caller's language (Accept-Language it/en).
 */
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../../activities/db';
import type { MailCatcher } from '../../activities/mail/mail-catcher';
import { renderInbox, renderMessagePage } from '../../activities/mail/mail-catcher';
import { CATALOGUE } from '../../domain/catalogue';
import type { Client } from '@temporalio/client';
import type { Service } from '../service';
import { pickLocale, toErrorResponse } from './errors';
import { renderEnrollmentPage, renderOptOutPage } from './pages';
import { verifyPreferenceToken } from '../../activities/preferences';

export interface ApiDeps {
  service: Service;
  db: Db;
  temporal: Client;
  logger: Logger;
  /** Present in the embedded stack: its messages are browsable at /mail. */
  mailCatcher?: MailCatcher;
  links?: Record<string, string>;
  /** Verifies the signed opt-out links carried by every email. */
  preferencesSecret: string;
}

export async function buildApi(deps: ApiDeps) {
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: 256 * 1024 });
  const { service } = deps;

  app.setErrorHandler((err, req, reply) => {
    const locale = pickLocale(req.headers['accept-language']);
    const mapped = toErrorResponse(err, locale);
    if (mapped) return reply.status(mapped.status).send(mapped.body);
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const it: Record<string, string> = {
        FST_ERR_CTP_BODY_TOO_LARGE: 'Corpo della richiesta troppo grande (massimo 256 KB).',
        FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Tipo di contenuto non supportato: usare application/json.',
        FST_ERR_CTP_EMPTY_JSON_BODY: 'Corpo JSON vuoto.',
      };
      const message =
        locale === 'it' ? (it[e.code ?? ''] ?? `Richiesta non valida: ${e.message}`) : (e.message ?? 'Bad request');
      return reply.status(e.statusCode).send({ error: { code: e.code ?? 'bad_request', message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({
      error: {
        code: 'internal',
        message:
          locale === 'it'
            ? 'Errore interno. Riprovare; se persiste, controllare i log del servizio.'
            : 'Internal error. Retry; if it persists, check the service logs.',
      },
    });
  });

  app.get('/health', async (_req, reply) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        return { ok: true as const };
      } catch (err) {
        return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
      }
    };
    const [temporal, database] = await Promise.all([
      check(() => deps.temporal.connection.workflowService.getSystemInfo({})),
      check(() => deps.db.$queryRawUnsafe('SELECT 1')),
    ]);
    const ok = temporal.ok && database.ok;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', temporal, database, links: deps.links });
  });

  app.get('/catalogue', async () => ({
    kinds: Object.values(CATALOGUE).map((d) => ({
      kind: d.kind,
      version: d.version,
      name: d.name,
      steps: d.steps.map((s) => ({
        key: s.key,
        name: s.name,
        completedBy: s.completedBy,
        durationWorkingDays: s.durationWorkingDays,
        evidence: s.evidence ?? null,
      })),
    })),
  }));

  app.post('/enrollments', async (req, reply) => {
    const header = req.headers['idempotency-key'];
    const key = typeof header === 'string' && header.trim() ? header.trim().slice(0, 200) : undefined;
    const { created, enrollment } = await service.enroll(req.body, key);
    return reply
      .status(created ? 201 : 200)
      .header('location', `/enrollments/${enrollment.id}`)
      .send(enrollment);
  });

  app.get<{ Querystring: { limit?: string; cursor?: string; status?: string } }>('/enrollments', async (req) => {
    const limit = req.query.limit ? Number.parseInt(req.query.limit, 10) : undefined;
    return service.listEnrollments({
      limit: Number.isFinite(limit) ? limit : undefined,
      cursor: req.query.cursor,
      status: req.query.status,
    });
  });

  app.get<{ Params: { id: string } }>('/enrollments/:id', async (req, reply) => {
    const enrollment = await service.getEnrollment(req.params.id);
    if ((req.headers.accept ?? '').includes('text/html')) {
      return reply
        .type('text/html; charset=utf-8')
        .send(renderEnrollmentPage(enrollment, pickLocale(req.headers['accept-language'])));
    }
    return enrollment;
  });

  app.post<{ Params: { id: string; stepKey: string } }>('/enrollments/:id/steps/:stepKey/complete', async (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    return service.completeStep(req.params.id, { ...body, stepKey: req.params.stepKey });
  });

  // The link in an email opens a page; only the button (a POST) changes anything, so a mail
  // scanner that follows links never opts anyone out.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.get<{ Querystring: { token?: string } }>('/preferences/opt-out', async (req, reply) => {
    const locale = pickLocale(req.headers['accept-language']);
    const pref = verifyPreferenceToken(req.query.token ?? '', deps.preferencesSecret, Date.now());
    return reply.type('text/html; charset=utf-8').send(renderOptOutPage(pref.email, req.query.token!, locale, false));
  });
  app.post<{ Body: { token?: string } }>('/preferences/opt-out', async (req, reply) => {
    const locale = pickLocale(req.headers['accept-language']);
    const token = (req.body as { token?: string } | undefined)?.token ?? '';
    const pref = verifyPreferenceToken(token, deps.preferencesSecret, Date.now());
    const { count } = await deps.db.participant.updateMany({
      where: { email: pref.email, optedOutAt: null },
      data: { optedOutAt: new Date() },
    });
    req.log.info({ email: pref.email, rows: count }, 'participant opted out of non-essential email');
    if ((req.headers.accept ?? '').includes('application/json')) return { email: pref.email, optedOut: true };
    return reply.type('text/html; charset=utf-8').send(renderOptOutPage(pref.email, token, locale, true));
  });

  type StepRoute = { Params: { id: string; stepKey: string } };
  type IdRoute = { Params: { id: string } };
  const body = (b: unknown) => (b ?? {}) as Record<string, unknown>;
  app.post<StepRoute>('/enrollments/:id/steps/:stepKey/reopen', async (req) =>
    service.reopenStep(req.params.id, { ...body(req.body), stepKey: req.params.stepKey }),
  );
  app.post<StepRoute>('/enrollments/:id/steps/:stepKey/extend', async (req) =>
    service.extendDueDate(req.params.id, { ...body(req.body), stepKey: req.params.stepKey }),
  );
  app.post<IdRoute>('/enrollments/:id/consultant', async (req) => service.assignConsultant(req.params.id, req.body));
  app.post<IdRoute>('/enrollments/:id/withdraw', async (req) => service.withdraw(req.params.id, req.body));
  app.post<IdRoute>('/enrollments/:id/confirm', async (req) => service.confirmParticipation(req.params.id, req.body));

  if (deps.mailCatcher) {
    const catcher = deps.mailCatcher;
    app.get('/mail', async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(renderInbox(catcher.messages())),
    );
    app.get('/mail.json', async () => catcher.messages().map(({ raw: _raw, ...m }) => m));
    app.get<{ Params: { id: string } }>('/mail/:id', async (req, reply) => {
      const m = catcher.messages().find((x) => x.id === req.params.id);
      if (!m)
        return reply
          .status(404)
          .send({ error: { code: 'not_found', message: 'Messaggio non trovato / message not found' } });
      return reply.type('text/html; charset=utf-8').send(renderMessagePage(m));
    });
  }

  return app;
}
