/**
 * CSRF tokens. Signed in: a token tied to the session (the session secret never leaves its
 * HttpOnly cookie; the token is derived from it), carried by every form (`csrf`) or sent as
 * `X-CSRF-Token`. Signing in: a signed double-submit pair (a random value in an HttpOnly cookie,
 * its HMAC in the form), so another site cannot sign a browser into an account of its choosing.
 */
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors';
import { sha256 } from '../auth/secrets';
import { cookie, parseCookies, SESSION_COOKIE } from './cookies';

export const LOGIN_CSRF_COOKIE = 'cf_login_csrf';
export const CSRF_HEADER = 'x-csrf-token';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The token of the request's session cookie ('' without one). */
export function sessionCsrfToken(req: FastifyRequest): string {
  const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  return session ? sha256(`${session}:csrf`) : '';
}

/** The token a request carries: the form field `csrf` or the X-CSRF-Token header. */
export function presentedCsrfToken(req: FastifyRequest): string {
  const header = req.headers[CSRF_HEADER];
  if (typeof header === 'string' && header) return header;
  // A multipart form (a document upload) is read by its handler, after this check: its form
  // carries the token in its action URL instead (csrf_token, redacted from logs like any token).
  if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
    const q = (req.query as { csrf_token?: unknown } | undefined)?.csrf_token;
    return typeof q === 'string' ? q : '';
  }
  const body = req.body as { csrf?: unknown } | undefined;
  return body && typeof body === 'object' && typeof body.csrf === 'string' ? body.csrf : '';
}

export function hasValidSessionCsrf(req: FastifyRequest): boolean {
  const expected = sessionCsrfToken(req);
  return expected !== '' && same(presentedCsrfToken(req), expected);
}

const loginMac = (secret: string, nonce: string) =>
  crypto.createHmac('sha256', secret).update(`login-csrf:${nonce}`).digest('base64url');

/**
 * The sign-in form's token, and the cookie to set when the browser has none yet (one per browser,
 * so several open sign-in tabs all work).
 */
export function loginCsrf(req: FastifyRequest, secret: string, secure: boolean): { token: string; setCookie?: string } {
  const existing = parseCookies(req.headers.cookie)[LOGIN_CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { token: loginMac(secret, existing) };
  const nonce = crypto.randomBytes(32).toString('base64url');
  return { token: loginMac(secret, nonce), setCookie: cookie(LOGIN_CSRF_COOKIE, nonce, { secure }) };
}

export function hasValidLoginCsrf(req: FastifyRequest, secret: string): boolean {
  const nonce = parseCookies(req.headers.cookie)[LOGIN_CSRF_COOKIE];
  const body = req.body as { csrf?: unknown } | undefined;
  const presented = body && typeof body === 'object' && typeof body.csrf === 'string' ? body.csrf : '';
  return !!nonce && presented !== '' && same(presented, loginMac(secret, nonce));
}

export function csrfFailed(): DomainError {
  return new DomainError('csrf_failed', {
    it: 'Token CSRF mancante o non valido: ricaricare la pagina e riprovare (o inviare X-CSRF-Token).',
    en: 'Missing or invalid CSRF token: reload the page and try again (or send X-CSRF-Token).',
  });
}
