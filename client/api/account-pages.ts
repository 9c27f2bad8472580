/**
 * The dashboard's account page: change one's own password (/app/password), with the CSRF token of
 * the other forms. The rules and the audit are those of POST /me/password (client/auth/users.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../../domain/errors';
import type { Principal } from '../auth/principal';
import { MIN_STAFF_PASSWORD_LENGTH, minPasswordLength } from '../auth/password-policy';
import { TooManyAttemptsError } from '../auth/throttle';
import { changeOwnPassword } from '../auth/users';
import type { NavUser } from '../web/views/layout';
import { PASSWORD_TEXT, PasswordPage, type PasswordPageProps } from '../web/views/password';
import type { Locale } from '../web/views/texts';
import { parseForm, passwordFormSchema } from '../web/forms';
import { parseCookies, SESSION_COOKIE } from './cookies';
import { sendPage } from './dashboard';
import type { AnyFastify } from './registry';
import type { ApiDeps } from './server';

export interface DashboardHelpers {
  requireUser(req: FastifyRequest, reply: FastifyReply): Promise<Principal | null>;
  chrome(req: FastifyRequest, p: Principal): { locale: Locale; here: string; user: NavUser };
}

export function registerAccountPages(app: AnyFastify, deps: ApiDeps, h: DashboardHelpers): void {
  const page = (
    reply: FastifyReply,
    req: FastifyRequest,
    p: Principal,
    result?: PasswordPageProps['result'],
    status = 200,
  ) =>
    sendPage(
      reply,
      PasswordPage,
      {
        ...h.chrome(req, p),
        email: p.email,
        minLength: p.role === 'sme' ? minPasswordLength('sme') : MIN_STAFF_PASSWORD_LENGTH,
        ...(result ? { result } : {}),
      },
      status,
    );

  app.get('/app/password', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    return page(reply, req, p);
  });

  app.post('/app/password', async (req, reply) => {
    const p = await h.requireUser(req, reply);
    if (!p) return reply;
    const body = parseForm(passwordFormSchema, req.body);
    const { locale } = h.chrome(req, p);
    const t = PASSWORD_TEXT[locale];
    const { currentPassword, newPassword } = body;
    if (newPassword !== body.confirmPassword) return page(reply, req, p, { kind: 'err', text: t.mismatch }, 400);
    try {
      const { sessionsEnded } = await changeOwnPassword(
        deps.db,
        p,
        { currentPassword, newPassword },
        {
          address: req.ip,
          throttle: deps.signInThrottle,
          currentSessionToken: parseCookies(req.headers.cookie)[SESSION_COOKIE],
        },
      );
      return page(reply, req, p, { kind: 'ok', text: t.changed(sessionsEnded) });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      if (err instanceof TooManyAttemptsError) reply.header('retry-after', String(err.retryAfterSeconds));
      const status = err instanceof TooManyAttemptsError ? 429 : err.code === 'wrong_password' ? 403 : 422;
      return page(reply, req, p, { kind: 'err', text: err.messages[locale] }, status);
    }
  });
}
