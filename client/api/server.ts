/**
 * The HTTP API. Every route is declared once in the registry (access, schemas, OpenAPI); refusals
 * come back in one shape `{ error: { code, message, details } }` in the caller's language
 * (Accept-Language it/en). Credentials: an API token (Authorization: Bearer) or the dashboard's
 * session cookie.
 */
import Fastify, { type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Client } from '@temporalio/client';
import type { Db } from '../../activities/db';
import type { MailCatcher } from '../../activities/mail/mail-catcher';
import { renderInbox, renderMessagePage } from '../../activities/mail/mail-catcher';
import { verifyPreferenceToken } from '../../activities/preferences';
import type { Dialect } from '../../activities/db-url';
import { principalFromSession, principalFromToken } from '../auth/users';
import type { Principal } from '../auth/principal';
import type { Service } from '../service';
import { pickLocale, toErrorResponse } from './errors';
import { renderOptOutPage } from './pages';
import { renderApiReference } from './docs-page';
import { ApiRegistry } from './registry';
import { registerPublicRoutes } from './routes-public';
import { registerEnrollmentRoutes } from './routes-enrollments';
import { registerAdminRoutes } from './routes-admin';
import { registerDashboard } from './dashboard';
import { parseCookies, SESSION_COOKIE } from './cookies';

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
  /** SQL dialect of the database (report queries); SQLite when absent. */
  dialect?: Dialect;
  /** Base URL printed in the OpenAPI document; the request's host when absent. */
  publicUrl?: string;
}

export const BODY_LIMIT_BYTES = 256 * 1024;

export async function buildApi(deps: ApiDeps) {
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: BODY_LIMIT_BYTES });

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
  app.setNotFoundHandler((req, reply) => {
    const locale = pickLocale(req.headers['accept-language']);
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message:
          locale === 'it'
            ? `Percorso ${req.method} ${req.url.split('?')[0]} inesistente: vedere /docs.`
            : `No route ${req.method} ${req.url.split('?')[0]}: see /docs.`,
      },
    });
  });

  // Forms of the dashboard and the opt-out page.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  const authenticate = async (req: FastifyRequest): Promise<Principal | null> => {
    const cached = (req as { principal?: Principal | null }).principal;
    if (cached !== undefined) return cached;
    let principal: Principal | null = null;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) principal = await principalFromToken(deps.db, auth.slice(7).trim());
    else {
      const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (session) principal = await principalFromSession(deps.db, session);
    }
    (req as { principal?: Principal | null }).principal = principal;
    return principal;
  };

  const api = new ApiRegistry(app, authenticate);
  registerPublicRoutes(api, deps);
  registerEnrollmentRoutes(api, deps);
  registerAdminRoutes(api, deps);
  registerDashboard(app, deps, authenticate);

  // The link in an email opens a page; only the button (a POST) changes anything, so a mail
  // scanner that follows links never opts anyone out.
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
    if (count > 0)
      await deps.db.auditLog.create({
        data: {
          actorId: `recipient:${pref.email}`,
          actorRole: 'recipient',
          action: 'preferences.opt-out',
          entity: 'participant',
          entityId: pref.email,
          after: JSON.stringify({ optedOut: true, rows: count }),
        },
      });
    req.log.info({ email: pref.email, rows: count }, 'participant opted out of non-essential email');
    if ((req.headers.accept ?? '').includes('application/json')) return { email: pref.email, optedOut: true };
    return reply.type('text/html; charset=utf-8').send(renderOptOutPage(pref.email, token, locale, true));
  });

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

  // Served last so that they list every route registered above.
  const document = (req: FastifyRequest) =>
    api.openApi({
      title: 'conciliaflow API',
      version: '1',
      serverUrl: deps.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`,
    });
  app.get('/openapi.json', async (req) => document(req));
  app.get('/docs', async (req, reply) =>
    reply.type('text/html; charset=utf-8').send(renderApiReference(document(req))),
  );
  return app;
}
