/**
 * The participants of a pathway, for the people who run it: list them (with what they confirmed),
 * add one to a running pathway, remove one (never deleted), revoke a person's links, and read a
 * step's survey in aggregate. Each route checks that the caller may see the enrollment (404
 * otherwise) and is audited where it changes something.
 */
import { z } from 'zod';
import { audit, auditActor } from '../audit';
import type { Principal } from '../auth/principal';
import { participantSchema } from '../schemas';
import { createParticipantOps, participantView } from '../participants';
import { participantsWithRecords, stepSurveyResults } from '../participant-records';
import type { ApiRegistry } from './registry';
import type { ApiDeps } from './server';
import { visibleEnrollment } from './routes-enrollments';

const ALL = ['admin', 'coordinator', 'consultant', 'sme'] as const;
const STAFF = ['admin', 'coordinator', 'consultant'] as const;
const text = z.object({ it: z.string(), en: z.string() });

const idParams = z.object({ id: z.string().min(1).max(64) });
const personParams = z.object({ id: z.string().min(1).max(64), participantId: z.string().min(1).max(64) });
const stepParams = z.object({ id: z.string().min(1).max(64), stepKey: z.string().min(1).max(60) });

const participantOut = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.string(),
  locale: z.string(),
  createdAt: z.string(),
  removedAt: z.string().nullable(),
  anonymisedAt: z.string().nullable(),
});

const participantWithRecords = participantOut.extend({
  attendance: z.array(
    z.object({
      sessionId: z.string(),
      stepKey: z.string(),
      startsAt: z.string(),
      participantConfirmedAt: z.string().nullable(),
      attendedMinutes: z.number().nullable(),
    }),
  ),
  acknowledgements: z.array(z.object({ stepKey: z.string(), kind: z.string(), at: z.string() })),
});

export const surveyResultsSchema = z.object({
  stepKey: z.string(),
  stepName: text,
  surveyKey: z.string(),
  title: text,
  invited: z.number(),
  responses: z.number(),
  minimumShown: z.number(),
  questions: z
    .array(
      z.object({
        id: z.string(),
        label: text,
        options: z.array(z.object({ id: z.string(), label: text, count: z.number() })),
      }),
    )
    .nullable()
    .describe('Null below minimumShown answers, so that no answer can be told apart'),
});

/** Staff of the pathway and the firm's own account; sme users of a network firm see it too (canSeeEnrollment). */
async function enrollmentFor(deps: Pick<ApiDeps, 'db'>, p: Principal, id: string) {
  return visibleEnrollment(deps.db, p, id);
}

export function registerParticipantRoutes(api: ApiRegistry, deps: ApiDeps): void {
  const { db } = deps;
  const ops = createParticipantOps(db);

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id/participants',
      operationId: 'listParticipants',
      summary: 'The participants of the firm in this pathway, with attendance confirmed and acknowledgements',
      tag: 'participants',
      access: ALL,
      params: idParams,
      response: z.object({ items: z.array(participantWithRecords) }),
    },
    async (ctx) => {
      const e = await enrollmentFor(deps, ctx.principal!, ctx.params.id);
      return { items: await participantsWithRecords(db, e) };
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/enrollments/:id/participants',
      operationId: 'addParticipant',
      summary: 'Add a participant to a running pathway: the next emails reach them, with their personal link',
      description:
        'The firm may have at most its declared staff plus 5 participants (250 at most), and each account adds ' +
        'at most its daily quota of new addresses. One removed earlier comes back with new links.',
      tag: 'participants',
      access: ALL,
      params: idParams,
      body: participantSchema,
      response: participantOut,
      status: 201,
      otherResponses: {
        409: { description: 'Already a participant (participant_exists), or the pathway is closed' },
        429: { description: 'Quota of new recipients in 24 hours reached (recipient_quota_exceeded)' },
      },
    },
    async (ctx) => {
      const e = await enrollmentFor(deps, ctx.principal!, ctx.params.id);
      return participantView(await ops.add(e, ctx.principal!, ctx.body));
    },
  );

  api.add(
    {
      method: 'DELETE',
      url: '/enrollments/:id/participants/:participantId',
      operationId: 'removeParticipant',
      summary: 'Remove a participant (kept, marked removed): no more emails, personal links refused',
      tag: 'participants',
      access: ALL,
      params: personParams,
      response: participantOut,
    },
    async (ctx) => {
      const e = await enrollmentFor(deps, ctx.principal!, ctx.params.id);
      return participantView(await ops.remove(e, ctx.principal!, ctx.params.participantId));
    },
  );

  api.add(
    {
      method: 'POST',
      url: '/enrollments/:id/participants/:participantId/revoke-link',
      operationId: 'revokeParticipantLink',
      summary: "Revoke a participant's personal links (staff only): the next email carries a new one",
      tag: 'participants',
      access: STAFF,
      params: personParams,
      response: z.object({ revoked: z.literal(true) }),
    },
    async (ctx) => {
      const e = await enrollmentFor(deps, ctx.principal!, ctx.params.id);
      await ops.revokeLink(e, ctx.principal!, ctx.params.participantId);
      return { revoked: true as const };
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id/steps/:stepKey/survey',
      operationId: 'stepSurveyResults',
      summary: "A step's questionnaire in aggregate (staff only): counts per answer, hidden below 3 answers",
      tag: 'participants',
      access: STAFF,
      params: stepParams,
      response: surveyResultsSchema,
    },
    async (ctx) => {
      const e = await enrollmentFor(deps, ctx.principal!, ctx.params.id);
      const results = await stepSurveyResults(db, e, ctx.params.stepKey);
      await audit(db, {
        actor: auditActor(ctx.principal!),
        action: 'survey.read',
        entity: 'enrollment',
        entityId: e.id,
        after: { stepKey: ctx.params.stepKey, responses: results.responses },
      });
      return results;
    },
  );
}
