/**
 * The dashboard's routes: each one loads its data (client/web/loaders.ts) and renders one view
 * (client/web/views/), Italian first with an English switch. A consultant's work list with one-click
 * completion and evidence entry; an enrollment page with its timeline; a coordinator's network
 * overview. Forms carry a token tied to the session (CSRF) on top of the SameSite cookie. After an
 * action the route redirects with a flash *code*; no text from the URL reaches a page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h, type FunctionComponent } from 'preact';
import { dialectOfDb } from '../../infra/db';
import { isDomainError } from '../../domain/errors';
import type { Principal } from '../auth/principal';
import { SESSION_HOURS, signIn, signOut } from '../auth/users';
import { TooManyAttemptsError } from '../auth/throttle';
import { loadNetwork } from '../web/loaders';
import { render } from '../web/render';
import { flashCodeFor } from '../web/views/flash';
import type { NavUser } from '../web/views/layout';
import { MessagePage } from '../web/views/message';
import { NetworkPage } from '../web/views/network';
import { SignInPage } from '../web/views/sign-in';
import { T, type Locale } from '../web/views/texts';
import { cookie, LANG_COOKIE, parseCookies, SESSION_COOKIE, sessionCookie } from './cookies';
import { hasValidLoginCsrf, hasValidSessionCsrf, LOGIN_CSRF_COOKIE, loginCsrf, sessionCsrfToken } from './csrf';
import { safeNext } from './safe-next';
import { pickLocale } from './errors';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';
import { performPathwayAction } from './routes-enrollments';
import { completeStepFormSchema, parseForm, signInFormSchema } from '../web/forms';
import { registerAccountPages } from './account-pages';
import { registerEditionPages } from './edition-pages';
import { registerConsolePages } from './console-pages';
import { registerWorkspacePages } from './workspace-pages';
import { loadWorkload } from '../web/workspace-loaders';
import { registerParticipantStaffPages } from './participant-staff-pages';
import { withDocumentRule } from '../documents/documents';

const SIGN_IN_TEXT = {
  it: {
    wrong: 'Email o password non corretti.',
    expiredForm: 'Il modulo di accesso è scaduto o non è stato aperto da questo sito: riprova.',
  },
  en: {
    wrong: 'Wrong email or password.',
    expiredForm: 'The sign-in form expired or was not opened from this site: please try again.',
  },
} as const;

function localeOf(req: FastifyRequest, p: Principal | null): Locale {
  const chosen = parseCookies(req.headers.cookie)[LANG_COOKIE];
  if (chosen === 'it' || chosen === 'en') return chosen;
  return p?.locale ?? pickLocale(req.headers['accept-language']);
}

/** This page's path without its query: where the language switch comes back to. */
const pathOf = (req: FastifyRequest) => req.url.split('?')[0]!;

/** Sends a rendered view as a dashboard page (never cached: it holds the session's data and token). */
export function sendPage<P extends object>(
  reply: FastifyReply,
  view: FunctionComponent<P>,
  props: P,
  status = 200,
): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(render(h(view, props)));
}

export function registerDashboard(
  app: AnyFastify,
  deps: ApiDeps,
  authenticate: (req: FastifyRequest) => Promise<Principal | null>,
): void {
  const { db, service } = deps;
  const hasMail = Boolean(deps.mailCatcher);
  /** What every signed-in page needs besides its own data: locale, path, the header's user. */
  const chrome = (req: FastifyRequest, p: Principal) => ({
    locale: localeOf(req, p),
    here: pathOf(req),
    user: { name: p.name, role: p.role, csrf: sessionCsrfToken(req), hasMail } satisfies NavUser,
  });

  /** The signed-in user, or a redirect to the sign-in page that comes back here afterwards. */
  const requireUser = async (req: FastifyRequest, reply: FastifyReply): Promise<Principal | null> => {
    const p = await authenticate(req);
    if (!p) {
      await reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      return null;
    }
    return p;
  };
  const secureCookies = (deps.publicUrl ?? '').startsWith('https:');

  // `/` is the public home (front-pages.ts): a signed-in user is sent on to /app from there.

  app.get<{ Querystring: { to?: string; next?: string } }>('/app/lang', async (req, reply) => {
    const to = req.query.to === 'en' ? 'en' : 'it';
    return reply
      .header('set-cookie', cookie(LANG_COOKIE, to, { maxAgeSeconds: 365 * 86400, httpOnly: false }))
      .redirect(safeNext(req.query.next));
  });

  /** The sign-in page, with its pre-session CSRF token (and the cookie it pairs with, if new). */
  const loginPage = (req: FastifyRequest, reply: FastifyReply, next: string, error?: string, status = 200) => {
    const csrf = loginCsrf(req, deps.preferencesSecret, secureCookies);
    if (csrf.setCookie) reply.header('set-cookie', csrf.setCookie);
    const props = { locale: localeOf(req, null), here: pathOf(req), next, csrf: csrf.token };
    return sendPage(reply, SignInPage, error ? { ...props, error } : props, status);
  };

  app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) =>
    loginPage(req, reply, safeNext(req.query.next)),
  );

  app.post('/login', async (req, reply) => {
    const body = parseForm(signInFormSchema, req.body);
    const locale = localeOf(req, null);
    // Checked before the password: a forged sign-in is refused without trying the credentials.
    if (!hasValidLoginCsrf(req, deps.preferencesSecret)) {
      req.log.info('dashboard sign-in refused: missing or wrong CSRF token');
      return loginPage(req, reply, safeNext(body.next), SIGN_IN_TEXT[locale].expiredForm, 403);
    }
    let result: Awaited<ReturnType<typeof signIn>>;
    try {
      result = await signIn(db, body.email, body.password, {
        address: req.ip,
        throttle: deps.signInThrottle,
      });
    } catch (err) {
      if (!(err instanceof TooManyAttemptsError)) throw err;
      req.log.warn({ retryAfterSeconds: err.retryAfterSeconds }, 'dashboard sign-in throttled');
      reply.header('retry-after', String(err.retryAfterSeconds));
      return loginPage(req, reply, safeNext(body.next), err.messages[locale], 429);
    }
    if (!result) {
      req.log.info('dashboard sign-in refused');
      return loginPage(req, reply, safeNext(body.next), SIGN_IN_TEXT[locale].wrong, 401);
    }
    return reply
      .header('set-cookie', [
        sessionCookie(result.token, SESSION_HOURS * 3600, deps.publicUrl),
        cookie(LOGIN_CSRF_COOKIE, '', { maxAgeSeconds: 0 }),
      ])
      .redirect(safeNext(body.next), 303);
  });

  // A signed-in browser only gets here with a valid CSRF token (the server's hook refuses the
  // others with 403, cookie and session untouched); the session row is then deleted.
  app.post<{ Body: Record<string, string> }>('/logout', async (req, reply) => {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const p = await authenticate(req);
    if (token && p?.via === 'session' && hasValidSessionCsrf(req)) await signOut(db, token);
    return reply.header('set-cookie', cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0 })).redirect('/login', 303);
  });

  // The work list, its export, bulk reassignment, enrollment and firm pages: client/api/workspace-pages.ts.
  registerWorkspacePages(app, deps, { requireUser, chrome });

  app.post<{ Params: { id: string; stepKey: string } }>(
    '/app/enrollments/:id/steps/:stepKey/complete',
    async (req, reply) => {
      const p = await requireUser(req, reply);
      if (!p) return reply;
      const body = parseForm(completeStepFormSchema, req.body);
      const back = safeNext(body.back);
      const withQuery = (q: string) => `${back}${back.includes('?') ? '&' : '?'}${q}`;
      try {
        const evidence = body.evidence.trim();
        // The API's lean path: one read for the caller's scope, then the Update, whose answer is the change.
        await performPathwayAction(deps, p, req.params.id, {
          auditAction: 'step.complete',
          stepKey: req.params.stepKey,
          body: evidence ? { evidence } : {},
          act: withDocumentRule(db, service.actions.completeStep),
        });
        return reply.redirect(withQuery('done=1'), 303);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        req.log.info({ code: err.code }, 'dashboard step completion refused');
        return reply.redirect(withQuery(`flash=${flashCodeFor(err.code)}`), 303);
      }
    },
  );

  app.get('/app/network', async (req, reply) => {
    const p = await requireUser(req, reply);
    if (!p) return reply;
    const c = chrome(req, p);
    const t = T[c.locale];
    if (p.role !== 'admin' && p.role !== 'coordinator')
      return sendPage(reply, MessagePage, { ...c, title: t.overview, text: t.coordinatorsOnly }, 403);
    const [data, workload] = await Promise.all([
      loadNetwork(db, deps.dialect ?? dialectOfDb(db), p, Date.now()),
      loadWorkload(db, p, Date.now()),
    ]);
    return sendPage(reply, NetworkPage, { ...c, ...data, workload });
  });

  // Its form's CSRF token is checked by the server-wide hook, like every session-authenticated change.
  registerAccountPages(app, deps, { requireUser, chrome });
  registerEditionPages(app, deps, { requireUser, chrome });
  registerConsolePages(app, deps, { requireUser, chrome, authenticate });
  registerParticipantStaffPages(app, deps, { requireUser, chrome });
}
