/**
 * Account lifecycle: changing one's own password, one's API tokens with their expiry, and the
 * admin's hold over other users (deactivate, reactivate, list and revoke their tokens). Everything
 * that concerns another user is admin-only; every change is audited (client/auth/users.ts).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { auditActor } from '../audit';
import { TooManyAttemptsError } from '../auth/throttle';
import {
  changeOwnPassword,
  changePasswordSchema,
  createApiToken,
  findUserView,
  listApiTokens,
  revokeApiToken,
  setUserDisabled,
  tokenBodySchema,
} from '../auth/users';
import { ROLES } from '../auth/principal';
import { parseCookies, SESSION_COOKIE } from './cookies';
import { pageQuery, paged, type ApiRegistry } from './registry';
import type { ApiDeps } from './server';

/** Runs a throttled step; a refusal carries Retry-After (seconds) besides the error body. */
export async function withRetryAfter<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TooManyAttemptsError) {
      reply.header('retry-after', String(err.retryAfterSeconds));
      reply.log.warn({ retryAfterSeconds: err.retryAfterSeconds }, 'sign-in throttled');
    }
    throw err;
  }
}

const EVERYONE = ['admin', 'coordinator', 'consultant', 'sme'] as const;

const tokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
    active: z.boolean().describe('Neither revoked nor expired'),
  })
  .describe('ApiToken');

/** The fields every view of a user shows (signed-in user, account, admin's list). */
export const userFields = {
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  atsCode: z.string().nullable(),
  companyId: z.string().nullable(),
};

/** A user as the account and admin routes show it. */
export const userView = z.object({
  ...userFields,
  locale: z.string(),
  createdAt: z.string(),
  disabled: z.boolean(),
});

const userId = z.object({ id: z.string().min(1).max(64) });

function userNotFound(): DomainError {
  return new DomainError('not_found', { it: 'Utente non trovato.', en: 'User not found.' });
}

function tokenNotFound(): DomainError {
  return new DomainError('not_found', { it: 'Token non trovato.', en: 'Token not found.' });
}

export function registerAccountRoutes(api: ApiRegistry, deps: ApiDeps): void {
  const { db } = deps;

  api.add(
    {
      method: 'POST',
      url: '/me/password',
      operationId: 'changePassword',
      summary: 'Change your own password; your other dashboard sessions end',
      description:
        'The current password is checked like a sign-in (and throttled like one). The new one must follow the ' +
        'password policy: at least 12 characters for staff and 10 for sme users, not a common password, not your ' +
        'name or email. API tokens stay valid: revoke them one by one.',
      tag: 'access',
      access: EVERYONE,
      body: changePasswordSchema,
      response: z.object({ changed: z.literal(true), sessionsEnded: z.number() }),
      otherResponses: {
        429: { description: 'Too many wrong current passwords (too_many_attempts, Retry-After)' },
      },
    },
    async (ctx, req, reply) => {
      const p = ctx.principal!;
      const { sessionsEnded } = await withRetryAfter(reply, () =>
        changeOwnPassword(db, p, ctx.body, {
          address: req.ip,
          throttle: deps.signInThrottle,
          ...(p.via === 'session' ? { currentSessionToken: parseCookies(req.headers.cookie)[SESSION_COOKIE] } : {}),
        }),
      );
      return { changed: true as const, sessionsEnded };
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/me/tokens',
      operationId: 'createToken',
      summary: 'Create an API token for yourself; the secret is shown once',
      description: 'The token stops working after `expiresInDays` (default 90, at most 366) or when revoked.',
      tag: 'access',
      access: EVERYONE,
      body: tokenBodySchema,
      response: z.object({ id: z.string(), token: z.string(), name: z.string(), expiresAt: z.string() }),
      status: 201,
    },
    async (ctx) =>
      createApiToken(db, ctx.principal!.userId, ctx.body.name, auditActor(ctx.principal!), ctx.body.expiresInDays),
  );

  api.add(
    {
      method: 'GET',
      url: '/me/tokens',
      operationId: 'listTokens',
      summary: 'Your API tokens: id, name, created, last used, expiry, revocation (never the secret)',
      tag: 'access',
      access: EVERYONE,
      query: pageQuery,
      response: paged(tokenView),
    },
    async (ctx) => listApiTokens(db, ctx.principal!.userId, ctx.query),
  );

  for (const action of ['deactivate', 'reactivate'] as const)
    api.add(
      {
        method: 'POST',
        url: `/users/:id/${action}`,
        operationId: `${action}User`,
        summary:
          action === 'deactivate'
            ? 'Deactivate a user (admin): their sessions end and their tokens are revoked at once'
            : 'Reactivate a deactivated user (admin); their old tokens stay revoked',
        tag: 'access',
        access: ['admin'],
        params: userId,
        response: userView,
      },
      async (ctx) =>
        (await setUserDisabled(db, ctx.params.id, action === 'deactivate', auditActor(ctx.principal!))).user,
    );

  api.add(
    {
      method: 'GET',
      url: '/users/:id/tokens',
      operationId: 'listUserTokens',
      summary: "A user's API tokens (admin)",
      tag: 'access',
      access: ['admin'],
      params: userId,
      query: pageQuery,
      response: paged(tokenView),
    },
    async (ctx) => {
      if (!(await findUserView(db, ctx.params.id))) throw userNotFound();
      return listApiTokens(db, ctx.params.id, ctx.query);
    },
  );

  api.add(
    {
      method: 'DELETE',
      url: '/users/:id/tokens/:tokenId',
      operationId: 'revokeUserToken',
      summary: "Revoke one of a user's API tokens (admin)",
      tag: 'access',
      access: ['admin'],
      params: z.object({ id: z.string().min(1).max(64), tokenId: z.string().min(1).max(64) }),
      status: 204,
    },
    async (ctx, _req, reply) => {
      const ok = await revokeApiToken(db, ctx.params.id, ctx.params.tokenId, auditActor(ctx.principal!));
      if (!ok) throw tokenNotFound();
      return reply.status(204).send();
    },
  );
}
