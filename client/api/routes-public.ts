/** Routes anyone may call: health, catalogue, signing in and out, and who am I. */
import { z } from 'zod';
import { SEND_WINDOW_GRACE_MS } from '../../mail/send-window';
import { CATALOGUE } from '../../domain/catalogue';
import { DomainError } from '../../domain/errors';
import { SESSION_HOURS, signIn, signOut } from '../auth/users';
import { userFields, withRetryAfter } from './routes-account';
import { cookie, parseCookies, SESSION_COOKIE, sessionCookie } from './cookies';
import type { ApiRegistry } from './registry';
import type { ApiDeps } from './server';

const text = z.object({ it: z.string(), en: z.string() });

export const userSchema = z.object({ ...userFields, locale: z.enum(['it', 'en']) }).describe('User');

const health = z.object({
  status: z.enum(['ok', 'degraded']),
  temporal: z.object({ ok: z.boolean(), error: z.string().optional() }),
  database: z.object({ ok: z.boolean(), error: z.string().optional() }),
  emails: z
    .object({
      lateStaged: z.number().describe('Staged emails (reminders) due more than 15 minutes ago and not sent yet'),
      oldestLateSeconds: z.number().nullable(),
    })
    .optional()
    .describe('A growing number means no dispatcher is sending: check that a worker runs and reaches SMTP'),
  links: z.record(z.string(), z.string()).optional().describe('Where the parts of the embedded stack are'),
});

export function registerPublicRoutes(api: ApiRegistry, deps: ApiDeps): void {
  api.add(
    {
      method: 'GET',
      url: '/health',
      operationId: 'health',
      summary: 'Service health: Temporal and the database reachable, staged emails running late',
      tag: 'service',
      access: 'public',
      response: health,
      otherResponses: { 503: { description: 'Degraded: Temporal or the database does not answer', schema: health } },
    },
    async (_ctx, _req, reply) => {
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
      // A backlog is reported, not turned into a 503: restarting the API would not send it.
      let emails: { lateStaged: number; oldestLateSeconds: number | null } | undefined;
      if (database.ok) {
        const now = Date.now();
        const late = { status: 'scheduled', sendAt: { lt: new Date(now - SEND_WINDOW_GRACE_MS) } };
        const backlog = await deps.db.outboxMessage.aggregate({ where: late, _count: true, _min: { sendAt: true } });
        const oldest = backlog._min.sendAt;
        emails = {
          lateStaged: backlog._count,
          oldestLateSeconds: oldest ? Math.round((now - oldest.getTime()) / 1000) : null,
        };
      }
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'degraded', temporal, database, ...(emails ? { emails } : {}), links: deps.links });
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/catalogue',
      operationId: 'catalogue',
      summary: 'The pathway catalogue: kinds, steps, who completes each step',
      tag: 'catalogue',
      access: 'public',
      response: z.object({
        kinds: z.array(
          z.object({
            kind: z.string(),
            version: z.number(),
            name: text,
            steps: z.array(
              z.object({
                key: z.string(),
                name: text,
                completedBy: z.array(z.string()),
                durationWorkingDays: z.number(),
                evidence: z.unknown(),
              }),
            ),
          }),
        ),
      }),
    },
    async () => ({
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
    }),
  );

  api.add(
    {
      method: 'POST',
      url: '/session',
      operationId: 'signIn',
      summary: 'Sign in with email and password; sets the session cookie',
      tag: 'access',
      access: 'public',
      body: z.object({ email: z.string().max(254), password: z.string().max(200) }),
      response: z.object({ user: userSchema, expiresAt: z.string() }),
      otherResponses: {
        401: { description: 'Wrong email or password (invalid_credentials)' },
        429: { description: 'Too many failed attempts for this account or address (too_many_attempts, Retry-After)' },
      },
    },
    async (ctx, req, reply) => {
      const result = await withRetryAfter(reply, () =>
        signIn(deps.db, ctx.body.email, ctx.body.password, { address: req.ip, throttle: deps.signInThrottle }),
      );
      if (!result)
        throw new DomainError('invalid_credentials', {
          it: 'Email o password non corretti.',
          en: 'Wrong email or password.',
        });
      req.log.info({ user: result.principal.userId }, 'signed in');
      reply.header('set-cookie', sessionCookie(result.token, SESSION_HOURS * 3600, deps.publicUrl));
      const { via: _via, userId, ...user } = result.principal;
      return { user: { id: userId, ...user }, expiresAt: result.expiresAt.toISOString() };
    },
  );

  api.add(
    {
      method: 'DELETE',
      url: '/session',
      operationId: 'signOut',
      summary: 'Sign out: ends the session of the cookie',
      description:
        'With the session cookie, send the X-CSRF-Token header (any session-authenticated answer carries it).',
      tag: 'access',
      access: 'public',
      status: 204,
      otherResponses: {
        403: { description: 'Session cookie without a valid X-CSRF-Token (csrf_failed): nothing changed' },
      },
    },
    async (_ctx, req, reply) => {
      const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (token) await signOut(deps.db, token);
      reply.header('set-cookie', cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0 }));
      return reply.status(204).send();
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/me',
      operationId: 'me',
      summary: 'The signed-in user',
      tag: 'access',
      access: ['admin', 'coordinator', 'consultant', 'sme'],
      response: userSchema,
    },
    async (ctx) => {
      const { via: _via, userId, ...user } = ctx.principal!;
      return { id: userId, ...user };
    },
  );
}
