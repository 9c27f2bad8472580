/**
 * Programme editions: every signed-in role reads them (a consultant or a firm needs the edition's
 * code, window and actions to enroll); only the Region's admins create, change and amend them by
 * decree, each change audited.
 */
import { z } from 'zod';
import { auditActor } from '../audit';
import {
  createProgrammeSchema,
  extendProgrammeSchema,
  programmeCodeSchema,
  programmeViewSchema,
  updateProgrammeSchema,
} from '../programmes';
import { ROLES } from '../auth/principal';
import { singleLine } from '../schemas';
import { enrollmentSchema } from './routes-enrollments';
import type { ApiRegistry } from './registry';
import type { ApiDeps } from './server';

export function registerProgrammeRoutes(api: ApiRegistry, deps: ApiDeps): void {
  const store = deps.service.programmes;
  const params = z.object({ code: programmeCodeSchema.describe('Edition code, e.g. 2020-2023') });

  api.add(
    {
      method: 'GET',
      url: '/programmes',
      operationId: 'listProgrammes',
      summary: 'Programme editions, with their decrees (any signed-in role)',
      tag: 'programmes',
      access: ROLES,
      response: z.object({ items: z.array(programmeViewSchema) }),
    },
    async () => store.list(),
  );

  api.add(
    {
      method: 'GET',
      url: '/programmes/:code',
      operationId: 'getProgramme',
      summary: 'One programme edition, with its decrees (any signed-in role)',
      tag: 'programmes',
      access: ROLES,
      params,
      response: programmeViewSchema,
    },
    async (ctx) => store.get(ctx.params.code),
  );

  api.add(
    {
      method: 'POST',
      url: '/programmes',
      operationId: 'createProgramme',
      summary: 'Create a programme edition (admin)',
      description: 'Unknown dates stay null. Every alliance belongs to an ATS of `atsCodes`. Audited.',
      tag: 'programmes',
      access: ['admin'],
      body: createProgrammeSchema as z.ZodType<unknown>,
      response: programmeViewSchema,
      status: 201,
    },
    async (ctx) => store.create(ctx.body, auditActor(ctx.principal!)),
  );

  api.add(
    {
      method: 'PATCH',
      url: '/programmes/:code',
      operationId: 'updateProgramme',
      summary: 'Change a programme edition (admin)',
      description:
        'Fields given replace the stored ones. Once set, `endsOn` changes only by decree (POST /programmes/{code}/extend). Audited with before and after.',
      tag: 'programmes',
      access: ['admin'],
      params,
      body: updateProgrammeSchema as z.ZodType<unknown>,
      response: programmeViewSchema,
    },
    async (ctx) => store.update(ctx.params.code, ctx.body, auditActor(ctx.principal!)),
  );

  api.add(
    {
      method: 'POST',
      url: '/programmes/:code/extend',
      operationId: 'extendProgramme',
      summary: "Record a decree that moves the edition's end, and tell its running pathways (admin)",
      description:
        'An earlier end needs `force: true`; a decree already recorded is refused (409). Starts the decree fan-out workflow `decree-{decreeId}`. Audited.',
      tag: 'programmes',
      access: ['admin'],
      params,
      body: extendProgrammeSchema as z.ZodType<unknown>,
      response: z.object({ programme: programmeViewSchema, decree: programmeViewSchema.shape.decrees.element }),
      status: 201,
    },
    async (ctx) => store.extend(ctx.params.code, ctx.body, auditActor(ctx.principal!)),
  );

  api.add(
    {
      method: 'POST',
      url: '/enrollments/:id/revive',
      operationId: 'revivePathway',
      summary: 'Revive a pathway that expired before a decree moved its end (admin)',
      description:
        "Only an `expired` pathway whose edition's current end lies in the future. A new run of the same workflow carries on from the step where it stopped, planned afresh under the current end; the participants and the consultant get one email. Again while it is active: 409 `already_active`, no second email. Audited.",
      tag: 'programmes',
      access: ['admin'],
      params: z.object({ id: z.string().min(1).max(64) }),
      body: z
        .object({ reason: singleLine(500).pipe(z.string().min(3)).describe('Why the pathway is revived') })
        .strict(),
      response: z.object({
        revival: z.object({ n: z.number(), runId: z.string(), programmeEndsOn: z.string() }),
        enrollment: enrollmentSchema,
      }),
    },
    async (ctx) => {
      const p = ctx.principal!;
      return deps.service.revive(ctx.params.id, ctx.body.reason, { ...auditActor(p), name: p.name });
    },
  );
}
