/**
 * The operations people perform, shared by the HTTP API and the CLI. Input is validated once,
 * here at the edge; refusals are DomainErrors with an Italian and an English message.
 */
import crypto from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../activities/db';
import type { Prisma } from '../generated/prisma/client';
import { isUniqueViolation } from '../activities/db';
import { findPathway } from '../domain/catalogue';
import { findPathwayVersion } from '../domain/catalogue-history';
import { classifySme } from '../domain/sme';
import { DomainError } from '../domain/errors';
import { checkEnrollmentEligibility } from '../domain/eligibility';
import { findProgramme } from '../domain/programmes';
import {
  assignConsultantUpdate,
  completeStepUpdate,
  confirmParticipationUpdate,
  extendDueDateUpdate,
  reopenStepUpdate,
  withdrawUpdate,
  getStateQuery,
  pathwayWorkflowId,
  type PathwayInput,
  type PathwayState,
} from '../workflows/messages';
import { pathwayWorkflow } from '../workflows/pathway';
import {
  assignConsultantRequestSchema,
  completeStepRequestSchema,
  confirmParticipationRequestSchema,
  enrollRequestSchema,
  extendDueDateRequestSchema,
  reopenStepRequestSchema,
  withdrawRequestSchema,
  type EnrollRequest,
} from './schemas';
import type { ZodType } from 'zod';
import { validationError } from './validation';

export { validationError };

const QUERY_DEADLINE_MS = 3000;

export interface ServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** Injected so tests can enroll "on" a given day. */
  now?: () => Date;
  /** Passed to new pathways; tests lower it to exercise continue-as-new. */
  continueAsNewAfterEvents?: number;
  /** How far ahead new pathways stage their reminders (REMINDER_LEAD_MINUTES); 0 or absent: no staging. */
  reminderLeadMs?: number;
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', {
    it: `Iscrizione "${id}" non trovata.`,
    en: `Enrollment "${id}" not found.`,
  });
}

function hashRequest(req: EnrollRequest): string {
  const { idempotencyKey: _k, ...rest } = req;
  return crypto.createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export type EnrollmentView = Awaited<ReturnType<Service['getEnrollment']>>;

export function createService(deps: ServiceDeps) {
  const { db, temporal, taskQueue } = deps;
  const now = deps.now ?? (() => new Date());

  /** Everything the workflow input and the enrollment view need, in one read. */
  const enrollmentInclude = {
    company: {
      include: {
        participants: { orderBy: { createdAt: 'asc' } },
        members: { include: { participants: { orderBy: { createdAt: 'asc' } } } },
      },
    },
    milestones: { orderBy: { seq: 'asc' } },
  } satisfies Prisma.EnrollmentInclude;
  type LoadedEnrollment = Prisma.EnrollmentGetPayload<{ include: typeof enrollmentInclude }>;

  async function loadEnrollment(id: string): Promise<LoadedEnrollment> {
    const e = await db.enrollment.findUnique({ where: { id }, include: enrollmentInclude });
    if (!e) throw notFound(id);
    return e;
  }

  /** Starts the enrollment's pathway workflow; one already running (a retried request) is fine. */
  async function startPathway(e: LoadedEnrollment): Promise<void> {
    // A network's reminders reach its own contacts and every member firm's participants.
    const people = [...e.company.participants, ...e.company.members.flatMap((m) => m.participants)];
    const programme = findProgramme(e.programmeCode)!;
    // The version the enrollment started with, never the catalogue's latest.
    const definition = findPathwayVersion(e.kind, e.catalogueVersion)!;
    const input: PathwayInput = {
      enrollmentId: e.id,
      definition,
      programme: { code: programme.code, endsOn: programme.endsOn, name: programme.name },
      company: { name: e.company.name, city: e.company.city ?? undefined },
      consultant: { name: e.consultantName, email: e.consultantEmail },
      participants: people.map((p) => ({
        name: p.name,
        email: p.email,
        locale: p.locale === 'en' ? 'en' : 'it',
      })),
      ...(deps.continueAsNewAfterEvents ? { continueAsNewAfterEvents: deps.continueAsNewAfterEvents } : {}),
      ...(deps.reminderLeadMs ? { reminderLeadMs: deps.reminderLeadMs } : {}),
    };
    try {
      await temporal.workflow.start(pathwayWorkflow, {
        taskQueue,
        workflowId: e.workflowId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      // A retried request after a crash between row and start: the workflow already runs.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** Starts the pathway of an enrollment whose row exists and returns its view (database only). */
  async function startAndView(id: string) {
    const e = await loadEnrollment(id);
    await startPathway(e);
    return enrollmentView(e, null);
  }

  /**
   * The enrollment from the database, with the pathway's live state from a workflow Query unless
   * `live` is false. The Query has a short deadline: without a running worker it cannot answer, and
   * the database view is still worth returning.
   */
  async function getEnrollment(id: string, live = true) {
    const e = await db.enrollment.findUnique({
      where: { id },
      include: {
        company: { include: { participants: { orderBy: { createdAt: 'asc' } } } },
        milestones: { orderBy: { seq: 'asc' } },
      },
    });
    if (!e) throw notFound(id);
    let pathway: PathwayState | null = null;
    try {
      if (live) {
        pathway = await temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
          temporal.workflow.getHandle(e.workflowId).query(getStateQuery),
        );
      }
    } catch {
      // A finished workflow past retention cannot be queried; the database still tells the story.
    }
    return enrollmentView(e, pathway);
  }

  function enrollmentView(
    e: Omit<LoadedEnrollment, 'company'> & { company: Omit<LoadedEnrollment['company'], 'members'> },
    pathway: PathwayState | null,
  ) {
    return {
      id: e.id,
      status: e.status,
      programme: e.programmeCode,
      alliance: e.allianceCode,
      kind: e.kind,
      catalogueVersion: e.catalogueVersion,
      workflowId: e.workflowId,
      currentStep: e.currentStep,
      createdAt: e.createdAt.toISOString(),
      completedAt: e.completedAt?.toISOString() ?? null,
      consultant: { name: e.consultantName, email: e.consultantEmail },
      company: {
        id: e.company.id,
        name: e.company.name,
        vatNumber: e.company.vatNumber,
        province: e.company.province,
        atsCode: e.company.atsCode,
        size: e.company.size,
      },
      participants: e.company.participants.map((p) => ({
        name: p.name,
        email: p.email,
        role: p.role,
        locale: p.locale,
      })),
      milestones: e.milestones.map((m) => ({
        type: m.type,
        stepKey: m.stepKey,
        actor: m.actor,
        occurredAt: m.occurredAt.toISOString(),
        dueAt: m.dueAt?.toISOString() ?? null,
        onTime: m.onTime,
        evidence: m.evidence,
      })),
      pathway: pathway && {
        status: pathway.status,
        currentStep: pathway.currentStep,
        steps: pathway.steps.map((s) => ({
          key: s.key,
          name: s.name,
          status: s.status,
          dueAt: s.dueAt === undefined ? null : new Date(s.dueAt).toISOString(),
          completedAt: s.completedAt === undefined ? null : new Date(s.completedAt).toISOString(),
          completedBy: s.completedBy?.id ?? null,
          onTime: s.onTime ?? null,
        })),
        history: pathway.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
      },
    };
  }

  /**
   * Validate at the edge, then send the Update; the workflow's validator has the last word and a
   * refusal comes back as a DomainError with both languages, before anything reaches history.
   */
  async function runUpdate<Req>(
    id: string,
    update: UpdateDefinition<PathwayState, [Req]>,
    schema: ZodType<Req>,
    body: unknown,
  ) {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const e = await db.enrollment.findUnique({ where: { id } });
    if (!e) throw notFound(id);
    try {
      await temporal.workflow.getHandle(e.workflowId).executeUpdate(update, { args: [parsed.data] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        const texts = err.cause.details?.[0] as { it: string; en: string } | undefined;
        throw new DomainError(err.cause.type ?? 'refused', texts ?? { it: err.cause.message, en: err.cause.message });
      }
      if (err instanceof WorkflowNotFoundError) {
        throw new DomainError('pathway_closed', {
          it: 'Il percorso è concluso: non accetta più modifiche.',
          en: 'The pathway has finished: it accepts no more changes.',
        });
      }
      throw err;
    }
    return getEnrollment(id);
  }

  return {
    /** Enroll a company; `created` is false when the same request (same key) was seen before. */
    async enroll(body: unknown, headerKey?: string) {
      const parsed = enrollRequestSchema.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error);
      const req = parsed.data;
      const programme = findProgramme(req.programme);
      const definition = findPathway(req.kind);
      const eligibility = checkEnrollmentEligibility({
        programme,
        definition,
        kindRequested: req.kind,
        programmeRequested: req.programme,
        company: { ...req.company, registered: Boolean(req.company.vatNumber) },
        today: now(),
        alliance: req.alliance,
      });
      if (!eligibility.ok) throw eligibility.error;
      const key =
        headerKey ??
        req.idempotencyKey ??
        `auto:${req.company.vatNumber ?? req.company.taxCode}:${req.programme}:${req.kind}`;
      const requestHash = hashRequest(req);

      const existing = await db.enrollment.findUnique({ where: { idempotencyKey: key } });
      if (existing) {
        if (existing.requestHash !== requestHash) {
          throw new DomainError('idempotency_conflict', {
            it: `La chiave di idempotenza "${key}" è già stata usata per una richiesta diversa.`,
            en: `Idempotency key "${key}" was already used for a different request.`,
          });
        }
        return { created: false, enrollment: await startAndView(existing.id) };
      }

      const write = () =>
        db.$transaction(async (tx) => {
          const c = req.company;
          const fiscalId = c.vatNumber ?? c.taxCode!;
          // The same address twice in a request is one participant (the first mention wins).
          const people = (list: typeof req.participants) => {
            const seen = new Set<string>();
            return list
              .filter((p) => !seen.has(p.email) && seen.add(p.email))
              .map((p) => ({ name: p.name, email: p.email, role: p.role, locale: p.locale }));
          };
          // A company seen before keeps its row and gains any new participants; a new one is written
          // with its participants in one statement batch (the common case, and the cheaper one).
          const known = await tx.company.findUnique({ where: { vatNumber: fiscalId }, select: { id: true } });
          if (known) {
            const dup = await tx.enrollment.findUnique({
              where: {
                companyId_programmeCode_kind: { companyId: known.id, programmeCode: req.programme, kind: req.kind },
              },
            });
            if (dup) {
              throw new DomainError(
                'already_enrolled',
                {
                  it: `L'impresa ${fiscalId} è già iscritta a "${definition!.name.it}" nel programma ${req.programme} (iscrizione ${dup.id}).`,
                  en: `Company ${fiscalId} is already enrolled in "${definition!.name.en}" in programme ${req.programme} (enrollment ${dup.id}).`,
                },
                { enrollmentId: dup.id },
              );
            }
            for (const p of people(req.participants)) {
              await tx.participant.upsert({
                where: { companyId_email: { companyId: known.id, email: p.email } },
                create: { companyId: known.id, ...p },
                update: {},
              });
            }
          }
          const company =
            known ??
            (await tx.company.create({
              data: {
                name: c.name,
                vatNumber: fiscalId,
                registered: Boolean(c.vatNumber),
                isNetwork: Boolean(c.members?.length),
                province: eligibility.provinceCode,
                atsCode: eligibility.atsCode,
                city: c.city ?? eligibility.city,
                sector: c.sector,
                staff: c.staff,
                turnoverCents: c.turnoverCents,
                balanceSheetCents: c.balanceSheetCents,
                size: eligibility.size,
                participants: { create: people(req.participants) },
              },
              select: { id: true },
            }));
          for (const m of c.members ?? []) {
            const member = await tx.company.upsert({
              where: { vatNumber: m.vatNumber },
              create: {
                name: m.name,
                vatNumber: m.vatNumber,
                province: eligibility.provinceCode,
                atsCode: eligibility.atsCode,
                sector: m.sector,
                staff: m.staff,
                turnoverCents: m.turnoverCents,
                balanceSheetCents: m.balanceSheetCents,
                size: classifySme(m).size,
                networkId: company.id,
              },
              update: { networkId: company.id },
            });
            for (const p of people(m.participants)) {
              await tx.participant.upsert({
                where: { companyId_email: { companyId: member.id, email: p.email } },
                create: { companyId: member.id, ...p },
                update: {},
              });
            }
          }
          const id = `enr_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
          await tx.enrollment.create({
            data: {
              id,
              idempotencyKey: key,
              requestHash,
              programmeCode: req.programme,
              allianceCode: req.alliance ?? null,
              kind: req.kind,
              catalogueVersion: definition!.version,
              companyId: company.id,
              consultantEmail: req.consultant.email,
              consultantName: req.consultant.name,
              workflowId: pathwayWorkflowId(id),
              currentStep: definition!.steps[0]!.key,
            },
          });
          return id;
        });
      let enrollmentId: string | undefined;
      for (let attempt = 1; enrollmentId === undefined; attempt++) {
        try {
          enrollmentId = await write();
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          // The same request raced another copy of itself: the other one wrote the row.
          const winner = await db.enrollment.findUnique({ where: { idempotencyKey: key } });
          if (winner) return { created: false, enrollment: await startAndView(winner.id) };
          // Another enrollment of the same company (or member firm) wrote it a moment earlier: once
          // more, the company is now known.
          if (attempt >= 2) throw err;
        }
      }
      return { created: true, enrollment: await startAndView(enrollmentId) };
    },

    getEnrollment,

    /** A page of enrollments; `scope` restricts them to what the caller may see. */
    async listEnrollments(
      opts: { limit?: number; cursor?: string; status?: string; scope?: Prisma.EnrollmentWhereInput } = {},
    ) {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
      const rows = await db.enrollment.findMany({
        where: { ...(opts.scope ?? {}), ...(opts.status ? { status: opts.status } : {}) },
        include: { company: true },
        orderBy: { id: 'asc' },
        take: limit + 1,
        ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
      });
      const page = rows.slice(0, limit);
      return {
        items: page.map((e) => ({
          id: e.id,
          status: e.status,
          kind: e.kind,
          programme: e.programmeCode,
          alliance: e.allianceCode,
          company: e.company.name,
          currentStep: e.currentStep,
          currentDueAt: e.currentDueAt?.toISOString() ?? null,
          createdAt: e.createdAt.toISOString(),
        })),
        nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    /** Complete a step through the workflow's Update; the validator refuses bad requests before they reach history. */
    /** Complete a step through the workflow's Update; the validator refuses bad requests before they reach history. */
    completeStep: (id: string, body: unknown) => runUpdate(id, completeStepUpdate, completeStepRequestSchema, body),
    reopenStep: (id: string, body: unknown) => runUpdate(id, reopenStepUpdate, reopenStepRequestSchema, body),
    extendDueDate: (id: string, body: unknown) => runUpdate(id, extendDueDateUpdate, extendDueDateRequestSchema, body),
    assignConsultant: (id: string, body: unknown) =>
      runUpdate(id, assignConsultantUpdate, assignConsultantRequestSchema, body),
    withdraw: (id: string, body: unknown) => runUpdate(id, withdrawUpdate, withdrawRequestSchema, body),
    confirmParticipation: (id: string, body: unknown) =>
      runUpdate(id, confirmParticipationUpdate, confirmParticipationRequestSchema, body),
  };
}

export type Service = ReturnType<typeof createService>;
