/**
 * The HTTP API. Every route is declared once in the registry (access, schemas, OpenAPI); refusals
 * come back in one shape `{ error: { code, message, details } }` in the caller's language
 * (Accept-Language it/en). Credentials: an API token (Authorization: Bearer) or the dashboard's
 * session cookie.
 */
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { renderInbox, renderMessagePage } from '../../mail/mail-catcher';
import { PreferenceTokenError, verifyPreferenceToken } from '../../mail/preferences';
import { redactingLogger } from '../../infra/log-redaction';
import { DomainError } from '../../domain/errors';
import type { Dialect } from '../../infra/db-url';
import { principalFromSession, principalFromToken } from '../auth/users';
import { audit } from '../audit';
import type { Principal } from '../auth/principal';
import type { Service } from '../service';
import { pickLocale, toErrorResponse } from './errors';
import { h } from 'preact';
import { APP_CSS, APP_CSS_VERSION } from '../web/assets';
import { render } from '../web/render';
import { ApiReferencePage, type ApiReferenceProps } from '../web/views/docs';
import { OptOutPage, type OptOutProps } from '../web/views/opt-out';
import { ApiRegistry } from './registry';
import { registerPublicRoutes } from './routes-public';
import { registerEnrollmentRoutes } from './routes-enrollments';
import { registerAdminRoutes } from './routes-admin';
import { registerConsentRoutes } from './routes-consents';
import { registerAccountRoutes } from './routes-account';
import { registerProgrammeRoutes } from './routes-programmes';
import { registerConsoleRoutes } from './routes-console';
import { registerFrontRoutes } from './routes-front';
import { registerFrontPages } from './front-pages';
import { registerParticipantRoutes } from './routes-participants';
import { PARTICIPANT_FORM_ROUTES, registerParticipantPages } from './participant-pages';
import { registerDocumentRoutes } from './routes-documents';
import { registerDocumentPages } from './dashboard-documents';
import { documentStoreFromEnv, type DocumentStore } from '../../infra/document-store';
import path from 'node:path';
import type { ThrottlePolicy } from '../auth/throttle';
import { registerDashboard } from './dashboard';
import { LANG_COOKIE, parseCookies, SESSION_COOKIE } from './cookies';
import { simpleParser } from 'mailparser';
import { NotFoundPage } from '../web/views/not-found';
import { CSRF_HEADER, csrfFailed, hasValidSessionCsrf, sessionCsrfToken } from './csrf';
import { MAIL_MESSAGE_CONTENT_SECURITY_POLICY, securityHeaders } from './security-headers';
import type { Locale } from '../../domain/locale';

export interface ApiDeps {
  service: Service;
  db: Db;
  temporal: Client;
  logger: Logger;
  /**
   * Present in the embedded stack when its pages are on (loopback, or MAIL_CATCHER_PAGES=on): its
   * messages are browsable at /mail, by admins.
   */
  mailCatcher?: MailCatcher;
  links?: Record<string, string>;
  /** Verifies the signed opt-out links carried by every email. */
  preferencesSecret: string;
  /** SQL dialect of the database (report queries); SQLite when absent. */
  dialect?: Dialect;
  /** Base URL printed in the OpenAPI document; the request's host when absent. */
  publicUrl?: string;
  /** Sign-in limits per account and address (client/auth/throttle.ts); DEFAULT_THROTTLE when absent. */
  signInThrottle?: ThrottlePolicy;
  /** Where documents are stored; DOCUMENTS_URL (S3-compatible) or var/documents/ when absent. */
  documents?: DocumentStore;
}

export const BODY_LIMIT_BYTES = 256 * 1024;

/** A refusal in the one error shape, for the few answers given before a route (or a request) exists. */
function refusal(code: string, locale: Locale, it: string, en: string) {
  return { error: { code, message: locale === 'it' ? it : en } };
}

/**
 * Malformed HTTP (a control character in a header, broken framing), headers too large or too slow:
 * Node's parser gives up before Fastify has a request, so the answer is written to the socket here,
 * still in the one error shape.
 */
function clientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'request_timeout', 'Richiesta troppo lenta / request timeout.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'Request Header Fields Too Large',
            'headers_too_large',
            'Intestazioni troppo grandi / headers too large.',
          ]
        : [400, 'Bad Request', 'bad_request', 'Richiesta HTTP malformata / malformed HTTP request.'];
  const json = JSON.stringify({ error: { code, message } });
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

/** JSON is UTF-8 (RFC 8259): bytes that are not UTF-8 are refused rather than turned into U+FFFD and stored. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export async function buildApi(deps: ApiDeps) {
  const app = Fastify({
    // Request URLs lose their tokens (opt-out links) and log lines their addresses.
    loggerInstance: redactingLogger(deps.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    clientErrorHandler: clientError,
    // A path parameter past the router's limit, or a broken %-escape, is an invalid request like any other.
    frameworkErrors: (err, req, frameworkReply) => {
      const reply = frameworkReply as unknown as FastifyReply;
      const locale = pickLocale(req.headers['accept-language']);
      const status = err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 400 : 500;
      if (status === 500) req.log.error({ err }, 'framework error');
      return reply
        .status(status)
        .send(
          status === 400
            ? refusal(
                'invalid_request',
                locale,
                'Percorso non valido: un parametro è malformato o troppo lungo.',
                'Invalid path: a parameter is malformed or too long.',
              )
            : refusal('internal', locale, 'Errore interno.', 'Internal error.'),
        );
    },
  });

  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8')
      return done(Object.assign(new Error(`charset ${charset}`), { statusCode: 415, code: 'unsupported_media_type' }));
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(Object.assign(new Error('invalid UTF-8'), { statusCode: 400, code: 'invalid_encoding' }));
    }
    parseJson(req, text, done);
  });

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
        unsupported_media_type: 'Tipo di contenuto non supportato: usare application/json in UTF-8.',
        invalid_encoding: 'Il corpo non è UTF-8 valido.',
      };
      const en: Record<string, string> = {
        unsupported_media_type: 'Unsupported content type: send application/json in UTF-8.',
        invalid_encoding: 'The body is not valid UTF-8.',
      };
      const message =
        locale === 'it'
          ? (it[e.code ?? ''] ?? `Richiesta non valida: ${e.message}`)
          : (en[e.code ?? ''] ?? e.message ?? 'Bad request');
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
    // A browser gets a page it can read, in the chosen language, with a way back; API clients JSON.
    if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
      const chosen = parseCookies(req.headers.cookie)[LANG_COOKIE];
      const lang = chosen === 'it' || chosen === 'en' ? chosen : locale;
      const path = req.url.split('?')[0]!.slice(0, 200);
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send(render(h(NotFoundPage, { locale: lang, path })));
    }
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

  const headers = securityHeaders(deps.publicUrl);
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [name, value] of Object.entries(headers)) if (!reply.hasHeader(name)) reply.header(name, value);
    // A script of this origin calling the API with the session cookie reads its CSRF token here.
    const principal = (req as { principal?: Principal | null }).principal;
    if (principal?.via === 'session') reply.header(CSRF_HEADER, sessionCsrfToken(req));
    return payload;
  });

  // Whatever changes state on the strength of the session cookie carries the session's CSRF token
  // (form field csrf or X-CSRF-Token), or is refused before its handler runs. SameSite=Lax is not
  // enough: a body-less cross-site POST needs no preflight. API tokens are not sent by browsers on
  // their own, so Bearer calls need none. Signing in has its own pre-session token (dashboard), and
  // the opt-out form is authorised by the signed token it carries, not by a session.
  // The participant pages' forms carry the link and a CSRF value of their own (participant-pages.ts).
  const CSRF_EXEMPT = new Set<string>([
    'POST /login',
    'POST /session',
    'POST /preferences/opt-out',
    ...PARTICIPANT_FORM_ROUTES,
  ]);
  app.addHook('preHandler', async (req) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    if (CSRF_EXEMPT.has(`${req.method} ${req.routeOptions.url}`)) return;
    if (req.headers.authorization?.startsWith('Bearer ')) return;
    if (!parseCookies(req.headers.cookie)[SESSION_COOKIE]) return;
    const principal = await authenticate(req);
    if (principal?.via === 'session' && !hasValidSessionCsrf(req)) throw csrfFailed();
  });

  const api = new ApiRegistry(app, authenticate);
  registerPublicRoutes(api, deps);
  registerEnrollmentRoutes(api, deps);
  registerAdminRoutes(api, deps);
  registerConsentRoutes(api, deps);
  registerAccountRoutes(api, deps);
  registerProgrammeRoutes(api, deps);
  registerConsoleRoutes(api, deps);
  registerFrontRoutes(api, deps);
  registerParticipantRoutes(api, deps);
  const documents = deps.documents ?? documentStoreFromEnv(process.env, path.resolve(__dirname, '..', '..', 'var'));
  await registerDocumentRoutes(app, api, { ...deps, documents });
  registerDocumentPages(app, { ...deps, documents }, authenticate);
  registerDashboard(app, deps, authenticate);
  registerFrontPages(app, deps, { authenticate });
  registerParticipantPages(app, { ...deps, documents });

  const optOutPage = (props: OptOutProps) => render(h(OptOutPage, props));

  // The one stylesheet: its URL names its version, so browsers keep it for a year.
  const stylesheet = `app.${APP_CSS_VERSION}.css`;
  app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => {
    if (req.params.file !== stylesheet) return reply.callNotFound();
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', `"${APP_CSS_VERSION}"`)
      .send(APP_CSS);
  });

  /**
   * The opt-out token's address, or one refusal whatever went wrong (malformed, forged, expired):
   * the page must not help anyone tell a forged token from an old one. The reason goes to the log.
   */
  const optOutAddress = (req: FastifyRequest, reply: FastifyReply, token: string): string | null => {
    try {
      return verifyPreferenceToken(token, deps.preferencesSecret, Date.now()).email;
    } catch (err) {
      if (!(err instanceof PreferenceTokenError)) throw err;
      req.log.info({ code: err.code, details: err.details }, 'opt-out link refused');
      const refusal = new DomainError('invalid_token', {
        it: "Il link per gestire le preferenze di notifica non è valido o non è più utilizzabile. Usa il link in fondo a un'email recente.",
        en: 'The link to manage your notification preferences is not valid or can no longer be used. Please use the link at the bottom of a recent email.',
      });
      const locale = pickLocale(req.headers['accept-language']);
      if ((req.headers.accept ?? '').includes('text/html'))
        void reply
          .status(403)
          .type('text/html; charset=utf-8')
          .send(optOutPage({ locale, state: 'invalid', message: refusal.messages[locale] }));
      else throw refusal;
      return null;
    }
  };
  /** Whether the address is a participant's: only participants' messages are covered by opting out. */
  const isParticipant = async (email: string) => (await deps.db.participant.count({ where: { email } })) > 0;

  // The link in an email opens a page; only the button (a POST) changes anything, so a mail
  // scanner that follows links never opts anyone out.
  app.get<{ Querystring: { token?: string } }>('/preferences/opt-out', async (req, reply) => {
    const locale = pickLocale(req.headers['accept-language']);
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const email = optOutAddress(req, reply, token);
    if (email === null) return reply;
    const state = (await isParticipant(email)) ? 'ask' : 'staff';
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(optOutPage({ locale, state, email, token }));
  });
  app.post<{ Body: { token?: string } }>('/preferences/opt-out', async (req, reply) => {
    const locale = pickLocale(req.headers['accept-language']);
    const raw = (req.body as { token?: unknown } | undefined)?.token;
    const token = typeof raw === 'string' ? raw : '';
    const email = optOutAddress(req, reply, token);
    if (email === null) return reply;
    // An address that is no participant's (a consultant's, a coordinator's, the Region's) gets its
    // messages because of its role: nothing is recorded, and the page says so and what to do.
    if (!(await isParticipant(email))) {
      req.log.info({ email }, 'opt-out asked for an address that is no participant: nothing recorded');
      if ((req.headers.accept ?? '').includes('application/json'))
        return { email, optedOut: false, reason: 'not_a_participant' };
      return reply.type('text/html; charset=utf-8').send(optOutPage({ locale, state: 'staff', email, token }));
    }
    const { count } = await deps.db.participant.updateMany({
      where: { email, optedOutAt: null },
      data: { optedOutAt: new Date() },
    });
    if (count > 0)
      await audit(deps.db, {
        actor: { id: `recipient:${email}`, role: 'recipient' },
        action: 'preferences.opt-out',
        entity: 'participant',
        entityId: email,
        after: { optedOut: true, rows: count },
      });
    req.log.info({ email: email, rows: count }, 'participant opted out of non-essential email');
    if ((req.headers.accept ?? '').includes('application/json')) return { email: email, optedOut: true };
    return reply.type('text/html; charset=utf-8').send(optOutPage({ locale, state: 'done', email, token }));
  });

  if (deps.mailCatcher) {
    const catcher = deps.mailCatcher;
    // Every caught email, its links and working opt-out tokens: admins only. Anyone else (signed
    // out included) gets the answer of a path that does not exist, so the pages are not even
    // confirmed to be there.
    const adminOnly = async (req: FastifyRequest, reply: FastifyReply) => {
      if ((await authenticate(req))?.role !== 'admin') return reply.callNotFound();
      reply.header('cache-control', 'no-store');
    };
    // The catcher's pages follow the dashboard's language (its switch, else the admin's own, else the browser's).
    const mailChrome = (req: FastifyRequest) => {
      const p = (req as { principal?: Principal | null }).principal!;
      const chosen = parseCookies(req.headers.cookie)[LANG_COOKIE];
      const locale: Locale = chosen === 'it' || chosen === 'en' ? chosen : p.locale;
      return {
        locale,
        here: req.url.split('?')[0]!,
        user: { name: p.name, role: p.role, csrf: sessionCsrfToken(req), hasMail: true },
      };
    };
    const caught = (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const m = catcher.messages().find((x) => x.id === req.params.id);
      if (!m) {
        const locale = mailChrome(req).locale;
        void reply.status(404).send(refusal('not_found', locale, 'Messaggio non trovato.', 'Message not found.'));
        return null;
      }
      return m;
    };
    /** A download: never shown inline, whatever its type, under a plain file name. */
    const asDownload = (reply: FastifyReply, filename: string, type: string) =>
      reply
        .header('content-type', type)
        .header(
          'content-disposition',
          `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_') || 'download'}"; filename*=UTF-8''${encodeURIComponent(filename || 'download')}`,
        );
    app.get('/mail', { preHandler: adminOnly }, async (req, reply) =>
      reply.type('text/html; charset=utf-8').send(renderInbox(catcher.messages(), mailChrome(req))),
    );
    app.get('/mail.json', { preHandler: adminOnly }, async () => catcher.messages().map(({ raw: _raw, ...m }) => m));
    app.get<{ Params: { id: string } }>('/mail/:id', { preHandler: adminOnly }, async (req, reply) => {
      const m = caught(req, reply);
      if (!m) return reply;
      const base = `/mail/${encodeURIComponent(m.id)}`;
      return reply
        .header('content-security-policy', MAIL_MESSAGE_CONTENT_SECURITY_POLICY)
        .type('text/html; charset=utf-8')
        .send(
          renderMessagePage(m, {
            ...mailChrome(req),
            rawHref: `${base}/raw`,
            attachmentHref: (i) => `${base}/attachments/${i}`,
          }),
        );
    });
    app.get<{ Params: { id: string } }>('/mail/:id/raw', { preHandler: adminOnly }, async (req, reply) => {
      const m = caught(req, reply);
      if (!m) return reply;
      return asDownload(reply, `${m.id}.eml`, 'message/rfc822').send(m.raw);
    });
    app.get<{ Params: { id: string; index: string } }>(
      '/mail/:id/attachments/:index',
      { preHandler: adminOnly },
      async (req, reply) => {
        const m = caught(req, reply);
        if (!m) return reply;
        const index = /^\d{1,3}$/.test(req.params.index) ? Number(req.params.index) : -1;
        const attachment = (await simpleParser(m.raw)).attachments[index];
        if (!attachment) return reply.callNotFound();
        return asDownload(
          reply,
          attachment.filename ?? `attachment-${index}`,
          attachment.contentType || 'application/octet-stream',
        ).send(attachment.content);
      },
    );
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
    reply
      .type('text/html; charset=utf-8')
      .send(render(h(ApiReferencePage, document(req) as unknown as ApiReferenceProps))),
  );
  return app;
}
