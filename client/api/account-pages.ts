/**
 * The dashboard's account page: change one's own password (/app/password), with the CSRF token of
 * the other forms. The rules and the audit are those of POST /me/password (client/auth/users.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { esc } from '../../activities/reports/page';
import { isDomainError } from '../../domain/errors';
import type { Principal } from '../auth/principal';
import { MIN_STAFF_PASSWORD_LENGTH, minPasswordLength } from '../auth/password-policy';
import { TooManyAttemptsError } from '../auth/throttle';
import { changeOwnPassword } from '../auth/users';
import { parseCookies, SESSION_COOKIE } from './cookies';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';

type Locale = 'it' | 'en';

export const ACCOUNT_TEXT = {
  it: {
    nav: 'Password',
    title: 'Cambia password',
    current: 'Password attuale',
    next: 'Nuova password',
    confirm: 'Ripeti la nuova password',
    submit: 'Cambia password',
    changed: (n: number) =>
      `Password cambiata. ${n === 0 ? 'Nessun’altra sessione era aperta.' : `Chiuse ${n} ${n === 1 ? 'altra sessione' : 'altre sessioni'}: su quei dispositivi occorre accedere di nuovo.`}`,
    mismatch: 'Le due nuove password non coincidono: nulla è cambiato.',
    hint: (min: number) =>
      `Almeno ${min} caratteri; non una password comune, né il proprio nome o email. Una frase di tre o quattro parole a caso va bene.`,
  },
  en: {
    nav: 'Password',
    title: 'Change password',
    current: 'Current password',
    next: 'New password',
    confirm: 'Repeat the new password',
    submit: 'Change password',
    changed: (n: number) =>
      `Password changed. ${n === 0 ? 'No other session was open.' : `${n} other ${n === 1 ? 'session was' : 'sessions were'} ended: sign in again on those devices.`}`,
    mismatch: 'The two new passwords differ: nothing was changed.',
    hint: (min: number) =>
      `At least ${min} characters; not a common password, nor your own name or email. A phrase of three or four random words is fine.`,
  },
} as const;

export interface DashboardHelpers {
  requireUser(req: FastifyRequest, reply: FastifyReply): Promise<Principal | null>;
  page(
    req: FastifyRequest,
    reply: FastifyReply,
    p: Principal | null,
    title: string,
    body: string,
    status?: number,
  ): unknown;
  checkCsrf(req: FastifyRequest, body: Record<string, string>): boolean;
  csrfToken(req: FastifyRequest): string;
  localeOf(req: FastifyRequest, p: Principal | null): Locale;
}

export function registerAccountPages(app: AnyFastify, deps: ApiDeps, h: DashboardHelpers): void {
  const form = (req: FastifyRequest, locale: Locale, p: Principal, flash = '') => {
    const t = ACCOUNT_TEXT[locale];
    const min = p.role === 'sme' ? minPasswordLength('sme') : MIN_STAFF_PASSWORD_LENGTH;
    return `${flash}
<form method="post" action="/app/password" class="card" style="max-width:28rem">
<input type="hidden" name="csrf" value="${h.csrfToken(req)}">
<input type="text" name="username" value="${esc(p.email)}" autocomplete="username" hidden>
<p><label for="current">${t.current}</label><br><input id="current" name="currentPassword" type="password" autocomplete="current-password" required maxlength="200" style="width:100%"></p>
<p><label for="new">${t.next}</label><br><input id="new" name="newPassword" type="password" autocomplete="new-password" required minlength="${min}" maxlength="200" aria-describedby="new-hint" style="width:100%"><br><small id="new-hint">${esc(t.hint(min))}</small></p>
<p><label for="confirm">${t.confirm}</label><br><input id="confirm" name="confirmPassword" type="password" autocomplete="new-password" required maxlength="200" style="width:100%"></p>
<p><button type="submit">${t.submit}</button></p>
</form>`;
  };
  const error = (message: string) => `<p class="flash err" role="alert">${esc(message)}</p>`;

  app.get('/app/password', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const locale = h.localeOf(req, p);
    return h.page(req, reply, p, ACCOUNT_TEXT[locale].title, form(req, locale, p));
  });

  app.post<{ Body: Record<string, string> }>('/app/password', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const body = (req.body ?? {}) as Record<string, string>;
    const locale = h.localeOf(req, p);
    const t = ACCOUNT_TEXT[locale];
    if (!h.checkCsrf(req, body)) return reply.status(403).send({ error: { code: 'csrf_failed', message: 'CSRF' } });
    const currentPassword = String(body.currentPassword ?? '');
    const newPassword = String(body.newPassword ?? '');
    if (newPassword !== String(body.confirmPassword ?? ''))
      return h.page(req, reply, p, t.title, form(req, locale, p, error(t.mismatch)), 400);
    try {
      const { sessionsEnded } = await changeOwnPassword(
        deps.db,
        p,
        { currentPassword: currentPassword.slice(0, 200), newPassword: newPassword.slice(0, 201) },
        {
          address: req.ip,
          throttle: deps.signInThrottle,
          currentSessionToken: parseCookies(req.headers.cookie)[SESSION_COOKIE],
        },
      );
      const done = `<p class="flash ok" role="status">${esc(t.changed(sessionsEnded))}</p>`;
      return h.page(req, reply, p, t.title, form(req, locale, p, done));
    } catch (err) {
      if (!isDomainError(err)) throw err;
      if (err instanceof TooManyAttemptsError) reply.header('retry-after', String(err.retryAfterSeconds));
      const status = err instanceof TooManyAttemptsError ? 429 : err.code === 'wrong_password' ? 403 : 422;
      return h.page(req, reply, p, t.title, form(req, locale, p, error(err.messages[locale])), status);
    }
  });
}
