/**
 * Reports, users and API tokens, the audit log and the schedules. Coordinators see reports of
 * their own network only; everything else here belongs to the Region's admins, except a user's
 * own tokens.
 */
import { z } from 'zod';
import { dialectOfDb } from '../../infra/db';
import { milestoneReport, REPORT_DIMENSIONS, type ReportDimension } from '../../reports/milestones';
import { renderMilestoneReport } from '../../reports/render-milestones';
import { addDays, parseIsoDate, romeToEpochMs } from '../../domain/calendar';
import { DomainError } from '../../domain/errors';
import { auditActor, listAudit } from '../audit';
import { createUser, createUserSchema, listUsers, revokeApiToken } from '../auth/users';
import { ROLES } from '../auth/principal';
import { buildFundingReport, renderFundingReport } from '../funding-report';
import { REPORT_CONTENT_SECURITY_POLICY } from './security-headers';
import { userView } from './routes-account';
import { fundingLedger, loadFundingProjects } from '../funding-store';
import { controlSchedule, listSchedules, SCHEDULE_PREFIX } from '../schedules';
import { pageQuery, paged, type ApiRegistry } from './registry';
import type { ApiDeps } from './server';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'data AAAA-MM-GG / date YYYY-MM-DD');
const format = z.enum(['json', 'csv', 'html']).default('json');

const CONTENT_TYPE = { json: 'application/json', csv: 'text/csv; charset=utf-8', html: 'text/html; charset=utf-8' };

export function registerAdminRoutes(api: ApiRegistry, deps: ApiDeps): void {
  const { db } = deps;

  api.add(
    {
      method: 'GET',
      url: '/reports/milestones',
      operationId: 'milestoneReport',
      summary: 'Milestone report: enrollments by status, steps on time and late, days per step, pathways at risk',
      description: "A coordinator always gets their own network's figures, whatever `network` says.",
      tag: 'reports',
      access: ['admin', 'coordinator'],
      query: z.object({
        by: z.enum(REPORT_DIMENSIONS).default('network'),
        programme: z.string().max(40).optional(),
        network: z.string().max(40).optional(),
        from: isoDay.optional().describe('Enrollments made on or after this day (Europe/Rome)'),
        to: isoDay.optional().describe('Enrollments made on or before this day (Europe/Rome)'),
        format,
        lang: z.enum(['it', 'en']).optional(),
      }),
      produces: ['text/csv', 'text/html'],
    },
    async (ctx, _req, reply) => {
      const p = ctx.principal!;
      const q = ctx.query;
      const day = (s: string, plus = 0) => {
        try {
          const d = addDays(parseIsoDate(s), plus);
          return romeToEpochMs(d.year, d.month, d.day);
        } catch (err) {
          throw new DomainError('invalid_request', { it: `Data non valida: ${s}`, en: `Invalid date: ${s}` }, err);
        }
      };
      const report = await milestoneReport(db, deps.dialect ?? dialectOfDb(db), {
        by: q.by as ReportDimension,
        ...(q.programme ? { programme: q.programme } : {}),
        ...(p.role === 'coordinator' ? { atsCode: p.atsCode! } : q.network ? { atsCode: q.network } : {}),
        ...(q.from ? { from: day(q.from) } : {}),
        ...(q.to ? { to: day(q.to, 1) } : {}),
        asOf: Date.now(),
      });
      if (q.format === 'json') return report;
      if (q.format === 'html') reply.header('content-security-policy', REPORT_CONTENT_SECURITY_POLICY);
      return reply.type(CONTENT_TYPE[q.format]).send(renderMilestoneReport(report, q.format, q.lang ?? ctx.locale));
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/reports/funding',
      operationId: 'fundingReport',
      summary:
        'Funding report: funded projects and granted amounts per province, with a grand total; admitted projects not yet funded and the budget left (JSON, HTML)',
      tag: 'reports',
      access: ['admin'],
      query: z.object({ format, lang: z.enum(['it', 'en']).optional() }),
      produces: ['text/csv', 'text/html'],
    },
    async (ctx, _req, reply) => {
      const ledger = await fundingLedger(db);
      const report = buildFundingReport(await loadFundingProjects(db), undefined, {
        allocatedCents: ledger.allocatedCents,
        remainingCents: ledger.remainingCents,
      });
      const body = renderFundingReport(report, ctx.query.format, ctx.query.lang ?? ctx.locale);
      if (ctx.query.format === 'html') reply.header('content-security-policy', REPORT_CONTENT_SECURITY_POLICY);
      return reply.type(CONTENT_TYPE[ctx.query.format]).send(body);
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/users',
      operationId: 'createUser',
      summary: 'Create a user (admin)',
      tag: 'access',
      access: ['admin'],
      body: createUserSchema,
      response: userView,
      status: 201,
    },
    async (ctx) => createUser(db, ctx.body, auditActor(ctx.principal!)),
  );

  api.add(
    {
      method: 'GET',
      url: '/users',
      operationId: 'listUsers',
      summary: 'List users (admin), paginated',
      tag: 'access',
      access: ['admin'],
      query: pageQuery.extend({ role: z.enum(ROLES).optional() }),
      response: paged(userView),
    },
    async (ctx) => listUsers(db, ctx.query),
  );

  api.add(
    {
      method: 'DELETE',
      url: '/me/tokens/:tokenId',
      operationId: 'revokeToken',
      summary: 'Revoke one of your API tokens',
      tag: 'access',
      access: ['admin', 'coordinator', 'consultant', 'sme'],
      params: z.object({ tokenId: z.string().min(1).max(64) }),
      status: 204,
    },
    async (ctx, _req, reply) => {
      const ok = await revokeApiToken(db, ctx.principal!.userId, ctx.params.tokenId, auditActor(ctx.principal!));
      if (!ok) throw new DomainError('not_found', { it: 'Token non trovato.', en: 'Token not found.' });
      return reply.status(204).send();
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/audit',
      operationId: 'auditLog',
      summary: 'The audit log, newest first, paginated (admin)',
      tag: 'access',
      access: ['admin'],
      query: pageQuery.extend({ entity: z.string().max(40).optional(), entityId: z.string().max(254).optional() }),
      response: paged(
        z.object({
          id: z.string(),
          at: z.string(),
          actorId: z.string(),
          actorRole: z.string(),
          action: z.string(),
          entity: z.string(),
          entityId: z.string(),
          before: z.unknown(),
          after: z.unknown(),
        }),
      ),
    },
    async (ctx) => listAudit(db, ctx.query),
  );

  const scheduleView = z.object({
    id: z.string(),
    description: z.string(),
    paused: z.boolean(),
    note: z.string().nullable(),
    nextRuns: z.array(z.string()),
    nextRunNotes: z
      .array(z.object({ it: z.string(), en: z.string() }).nullable())
      .describe('Per next run: why it is not on its usual day (the monthly report moved off a holiday), or null'),
    recentRuns: z.array(z.string()),
  });
  api.add(
    {
      method: 'GET',
      url: '/schedules',
      operationId: 'listSchedules',
      summary: 'Digest and report schedules with their next runs (admin)',
      tag: 'schedules',
      access: ['admin'],
      query: pageQuery,
      response: paged(scheduleView),
    },
    async (ctx) => {
      const all = await listSchedules(deps.temporal);
      const start = ctx.query.cursor ? all.findIndex((s) => s.id === ctx.query.cursor) + 1 : 0;
      const limit = ctx.query.limit ?? 50;
      const items = all.slice(start, start + limit);
      return { items, nextCursor: start + limit < all.length ? (items.at(-1)?.id ?? null) : null };
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/schedules/:id/:action',
      operationId: 'controlSchedule',
      summary: 'Pause, resume or trigger now a schedule (admin)',
      tag: 'schedules',
      access: ['admin'],
      params: z.object({
        id: z.string().startsWith(SCHEDULE_PREFIX).max(100),
        action: z.enum(['pause', 'unpause', 'trigger']),
      }),
      body: z.object({ note: z.string().max(500).optional() }),
      response: scheduleView,
    },
    async (ctx) => {
      const p = ctx.principal!;
      return controlSchedule(
        deps.temporal,
        db,
        { ...auditActor(p), email: p.email },
        ctx.params.id,
        ctx.params.action,
        ctx.body.note,
      );
    },
  );
}
