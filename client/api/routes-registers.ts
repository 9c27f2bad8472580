/**
 * Attendance registers and dossiers over HTTP: a training step's sessions and the minutes each
 * person attended (consultant side), the register as CSV, and the dossier ZIPs (one enrollment; an
 * ATS in an edition; an alliance project). As everywhere, an enrollment the caller may not see is a
 * 404, anonymous callers included.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { DocumentStore } from '../../infra/document-store';
import { DomainError } from '../../domain/errors';
import { audit } from '../audit';
import { canSeeEnrollment, enrollmentScope, type Principal } from '../auth/principal';
import { cancelSession, createSession, loadRegister, recordAttendance, registerCsv } from '../documents/attendance';
import { notFound } from '../documents/documents';
import { dossierSelection, writeDossier } from '../documents/dossier';
import type { ApiRegistry } from './registry';
import type { ApiDeps } from './server';

const stepParams = z.object({ id: z.string().min(1).max(64), stepKey: z.string().min(1).max(60) });
const idParams = z.object({ id: z.string().min(1).max(64) });
const STAFF = ['admin', 'coordinator', 'consultant'] as const;

export const sessionRequestSchema = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .describe('YYYY-MM-DD, Europe/Rome'),
  start: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .describe('HH:MM, Europe/Rome'),
  minutes: z.coerce.number().int().min(15).max(600),
  place: z
    .string()
    .trim()
    .max(300)
    // eslint-disable-next-line no-control-regex -- a single line: no control characters
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'a single line')
    .optional()
    .describe('Address or meeting link'),
});
export const attendanceRequestSchema = z.object({
  participantId: z.string().min(1).max(64),
  attendedMinutes: z.coerce.number().int().min(0).max(600),
});

const registerSchema = z
  .object({
    enrollmentId: z.string(),
    stepKey: z.string(),
    sessions: z.array(
      z.object({
        id: z.string(),
        startsAt: z.string(),
        minutes: z.number(),
        place: z.string().nullable(),
        cancelled: z.boolean(),
      }),
    ),
    rows: z.array(z.record(z.string(), z.unknown())),
  })
  .describe('Register');

const missingEnrollment = (id: string) => notFound(`Iscrizione "${id}" / enrollment "${id}"`);
const who = (p: Principal | null, id: string): Principal => {
  if (!p) throw missingEnrollment(id);
  return p;
};

export async function sendDossier(
  deps: { db: ApiDeps['db']; documents: DocumentStore },
  p: Principal,
  reply: FastifyReply,
  ids: string[],
  name: string,
  what: Record<string, string>,
): Promise<FastifyReply> {
  const { zip, entries } = await writeDossier(deps, ids, {
    nested: ids.length !== 1 || 'programme' in what || 'alliance' in what,
  });
  await audit(deps.db, {
    actor: { id: p.userId, role: p.role },
    action: 'dossier.export',
    entity: 'dossier',
    entityId: Object.values(what).join(':'),
    after: { ...what, enrollments: ids.length, files: entries },
  });
  return reply
    .type('application/zip')
    .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(zip);
}

export function registerRegisterRoutes(api: ApiRegistry, deps: ApiDeps & { documents: DocumentStore }): void {
  const { db } = deps;

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id/steps/:stepKey/register',
      operationId: 'attendanceRegister',
      summary: "A training step's attendance register: sessions, participants' confirmations, minutes recorded",
      tag: 'attendance',
      access: 'public',
      params: stepParams,
      response: registerSchema,
    },
    async (ctx) => {
      const r = await loadRegister(db, who(ctx.principal, ctx.params.id), ctx.params.id, ctx.params.stepKey);
      return { enrollmentId: r.enrollmentId, stepKey: r.stepKey, sessions: r.sessions, rows: r.rows };
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id/steps/:stepKey/register.csv',
      operationId: 'attendanceRegisterCsv',
      summary: 'The attendance register as CSV (one line per session and person, times Europe/Rome)',
      tag: 'attendance',
      access: 'public',
      params: stepParams,
      produces: ['text/csv'],
    },
    async (ctx, _req, reply) => {
      const r = await loadRegister(db, who(ctx.principal, ctx.params.id), ctx.params.id, ctx.params.stepKey);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="registro-${r.stepKey}.csv"`)
        .send(registerCsv(r));
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/enrollments/:id/steps/:stepKey/sessions',
      operationId: 'createSession',
      summary: 'Add a session to a training step (date, start, minutes, place or link)',
      tag: 'attendance',
      access: STAFF,
      params: stepParams,
      body: sessionRequestSchema,
      status: 201,
      response: z.object({ id: z.string(), startsAt: z.string(), minutes: z.number(), place: z.string().nullable() }),
    },
    async (ctx) => {
      const s = await createSession(db, ctx.principal!, ctx.params.id, ctx.params.stepKey, {
        date: ctx.body.date,
        start: ctx.body.start,
        minutes: ctx.body.minutes,
        place: ctx.body.place || null,
      });
      return { id: s.id, startsAt: s.startsAt.toISOString(), minutes: s.minutes, place: s.place };
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/sessions/:id/cancel',
      operationId: 'cancelSession',
      summary: 'Cancel a session (kept in the register as cancelled)',
      tag: 'attendance',
      access: STAFF,
      params: idParams,
      response: z.object({ id: z.string(), cancelled: z.boolean() }),
    },
    async (ctx) => {
      const s = await cancelSession(db, ctx.principal!, ctx.params.id);
      return { id: s.id, cancelled: s.cancelledAt !== null };
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/sessions/:id/attendance',
      operationId: 'recordAttendance',
      summary: 'Record the minutes a participant attended a session (0: absent); again to correct',
      tag: 'attendance',
      access: STAFF,
      params: idParams,
      body: attendanceRequestSchema,
      response: z.object({ sessionId: z.string(), participantId: z.string(), attendedMinutes: z.number() }),
    },
    async (ctx) => {
      const a = await recordAttendance(
        db,
        ctx.principal!,
        ctx.params.id,
        ctx.body.participantId,
        ctx.body.attendedMinutes,
      );
      return { sessionId: a.sessionId, participantId: a.participantId, attendedMinutes: a.attendedMinutes ?? 0 };
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id/dossier.zip',
      operationId: 'enrollmentDossier',
      summary: "The enrollment's dossier: documents, registers, self-declaration, timeline and a verifiable manifest",
      description:
        'A ZIP with manifest.json (file, step, uploader, time, SHA-256) and manifest.sha256 (`sha256sum -c manifest.sha256`).',
      tag: 'documents',
      access: 'public',
      params: idParams,
      produces: ['application/zip'],
    },
    async (ctx, _req, reply) => {
      const p = who(ctx.principal, ctx.params.id);
      const e = await db.enrollment.findUnique({ where: { id: ctx.params.id }, include: { company: true } });
      if (!e || !canSeeEnrollment(p, e)) throw missingEnrollment(ctx.params.id);
      return sendDossier(deps, p, reply, [e.id], `dossier-${e.id}.zip`, { enrollment: e.id });
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/dossiers',
      operationId: 'editionDossier',
      summary: 'The dossier of an ATS in an edition (programme + ats) or of an alliance project (alliance)',
      description:
        'One folder per enrollment, one manifest for all. A coordinator gets only the enrollments of their ATS.',
      tag: 'documents',
      access: ['admin', 'coordinator'],
      query: z.object({
        programme: z.string().min(1).max(60).optional().describe('Edition code, with ats'),
        ats: z.string().min(1).max(60).optional().describe('ATS code, with programme'),
        alliance: z.string().min(1).max(60).optional().describe('Alliance project code (instead of programme + ats)'),
      }),
      produces: ['application/zip'],
    },
    async (ctx, _req, reply) => {
      const p = ctx.principal!;
      const q = ctx.query;
      const by: { alliance: string } | { programme: string; ats: string } | null = q.alliance
        ? { alliance: q.alliance }
        : q.programme && q.ats
          ? { programme: q.programme, ats: q.ats }
          : null;
      if (!by)
        throw new DomainError('invalid_request', {
          it: "Indicare programme e ats (un ATS in un'edizione) oppure alliance (un progetto di alleanza).",
          en: 'Give programme and ats (an ATS in an edition) or alliance (an alliance project).',
        });
      const ids = await dossierSelection(db, enrollmentScope(p), by);
      if (ids.length === 0)
        throw notFound(
          'alliance' in by
            ? `Progetto di alleanza "${by.alliance}" / alliance project "${by.alliance}"`
            : `${by.programme} · ${by.ats}`,
        );
      const name = 'alliance' in by ? `dossier-${by.alliance}.zip` : `dossier-${by.programme}-${by.ats}.zip`;
      return sendDossier(deps, p, reply, ids, name, by);
    },
  );
}
