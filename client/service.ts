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
import type { Db } from '../infra/db';
import type { Prisma } from '../generated/prisma/client';
import { isUniqueViolation, isWriteConflict } from '../infra/db';
import { groupCommit } from '../infra/group-commit';
import type { AuditActor } from './audit';
import { insertEnrollments, markWorkflowsStarted, storedKeysAndCompanies } from './enrollment-writes';
import { findPathway } from '../domain/catalogue';
import { findPathwayVersion } from '../domain/catalogue-history';
import { DomainError } from '../domain/errors';
import { checkEnrollmentEligibility } from '../domain/eligibility';
import { enrollableProgramme, type Edition, type Programme } from '../domain/programmes';
import { createProgrammeStore, programmeNotFound } from './programmes';
import {
  DEFAULT_RECIPIENT_QUOTAS,
  participantLimit,
  quotaFreesAt,
  recipientQuotaExceeded,
  recipientQuotaFor,
  RECIPIENT_QUOTA_WINDOW_MS,
  type RecipientQuotas,
} from '../domain/participant-limits';
import { canSeeEnrollment, type Principal } from './auth/principal';
import {
  assignConsultantUpdate,
  completeStepUpdate,
  confirmParticipationUpdate,
  extendDueDateUpdate,
  reopenStepUpdate,
  withdrawUpdate,
  getStateQuery,
  pathwayWorkflowId,
  type AssignConsultantRequest,
  type CompleteStepRequest,
  type ConfirmParticipationRequest,
  type ExtendDueDateRequest,
  type PathwayAnswer,
  type PathwayBefore,
  type PathwayInput,
  type PathwayState,
  type ReopenStepRequest,
  type WithdrawRequest,
} from '../workflows/messages';
import { pathwayWorkflow } from '../workflows/pathway';
import type { EnrollRequest } from './schemas';
import { validationError } from './validation';
import { revivePathway } from './revival';
import { newId } from '../infra/ids';

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
  /**
   * false: every enrollment in a transaction of its own through Prisma's model queries, never the
   * grouped fast path (the reference the fast path is tested against). Default true.
   */
  groupWrites?: boolean;
  /** New participant addresses an account may add per 24 hours (RECIPIENTS_PER_DAY…); defaults when absent. */
  recipientQuotas?: RecipientQuotas;
  /** How long a new enrollment's start mark waits for others to share its UPDATE; START_MARK_LINGER_MS when absent. */
  startMarkLingerMs?: number;
}

/**
 * The longest a new enrollment's row stays unmarked after its start (plus the UPDATE itself): far
 * inside any reconciler grace period (RECONCILE_GRACE_SECONDS), and long enough that a busy API marks
 * many starts with one commit.
 */
export const START_MARK_LINGER_MS = 100;

function notFound(id: string): DomainError {
  return new DomainError('not_found', {
    it: `Iscrizione "${id}" non trovata.`,
    en: `Enrollment "${id}" not found.`,
  });
}

function idempotencyConflict(key: string): DomainError {
  return new DomainError('idempotency_conflict', {
    it: `La chiave di idempotenza "${key}" è già stata usata per una richiesta diversa.`,
    en: `Idempotency key "${key}" was already used for a different request.`,
  });
}

/**
 * The refusal for a firm the caller may not enroll, whether it exists or not, is enrolled or not:
 * the same words for every such case, so the answer tells nothing the caller's own request did not.
 */
export function enrollForbidden(): DomainError {
  return new DomainError('forbidden', {
    it: 'Non puoi iscrivere questa impresa: non è tra quelle che il tuo account segue.',
    en: 'You may not enroll this company: it is not one your account looks after.',
  });
}

function memberConsentRequired(vatNumber: string): DomainError {
  return new DomainError(
    'member_consent_required',
    {
      it: `L'impresa ${vatNumber} entra in una rete solo con il consenso del suo account (POST /me/network-consents) o per mano del coordinatore della sua ATS.`,
      en: `Company ${vatNumber} joins a network only with the consent of its own account (POST /me/network-consents) or through the coordinator of its ATS.`,
    },
    { vatNumber },
  );
}

function tooManyParticipants(fiscalId: string, limit: number, staff: number): DomainError {
  return new DomainError(
    'too_many_participants',
    {
      it: `L'impresa ${fiscalId} può avere al più ${limit} partecipanti (i ${staff} addetti dichiarati più alcuni contatti esterni).`,
      en: `Company ${fiscalId} may have at most ${limit} participants (its ${staff} declared staff plus a few external contacts).`,
    },
    { vatNumber: fiscalId, limit },
  );
}

function hashRequest(req: EnrollRequest): string {
  const { idempotencyKey: _k, ...rest } = req;
  return crypto.createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export type EnrollmentView = Awaited<ReturnType<Service['getEnrollment']>>;

/** A pathway action carried out: the enrollment after it, and the pathway just before (null when unknown). */
export interface ActionOutcome {
  before: PathwayBefore | null;
  enrollment: EnrollmentView;
}

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

  /**
   * `workflowStartedAt` is set only once the start is known to have happened, so a crash between
   * the row and the start leaves the row for the reconciler (client/reconciler.ts). The requests
   * that start pathways together share one UPDATE (group commit).
   */
  const programmes = createProgrammeStore({ db, temporal, taskQueue });

  const markStarted = groupCommit<string>((ids) => markWorkflowsStarted(db, ids, new Date()));
  /**
   * The same mark after a new enrollment's answer: not awaited, and gathered over
   * `startMarkLingerMs` into one UPDATE (one commit for every start in that window instead of one
   * each). The row and its audit entry are committed before the start, the start happens before the
   * answer; a mark lost to a crash in that window is the reconciler's to set, as a failed mark
   * always was. `flushStartMarks` writes the gathered ones at once (on shutdown, in tests).
   */
  const markLingerMs = deps.startMarkLingerMs ?? START_MARK_LINGER_MS;
  const pendingMarks = new Set<string>();
  let markTimer: ReturnType<typeof setTimeout> | undefined;
  let marking: Promise<void> = Promise.resolve();
  function markStartedLater(id: string): void {
    pendingMarks.add(id);
    if (markTimer) return;
    markTimer = setTimeout(() => void flushStartMarks(), markLingerMs);
    // Pending marks never keep a process alive: the reconciler sets what an exit loses.
    markTimer.unref();
  }
  function flushStartMarks(): Promise<void> {
    clearTimeout(markTimer);
    markTimer = undefined;
    const ids = [...pendingMarks];
    pendingMarks.clear();
    // One after the other: a mark never overtakes an earlier one (either way the first time stays).
    if (ids.length > 0) marking = marking.then(() => markWorkflowsStarted(db, ids, new Date())).catch(() => undefined);
    return marking;
  }

  /**
   * Starts the enrollment's pathway workflow, then records the start; one already running or
   * closed (a retried request, the reconciler) is fine. True when this call started it.
   */
  async function startPathway(
    e: LoadedEnrollment,
    edition?: Edition,
    opts: { markLater?: boolean } = {},
  ): Promise<boolean> {
    const input = await pathwayInputOf(e, edition);
    let started = true;
    try {
      await temporal.workflow.start(pathwayWorkflow, {
        taskQueue,
        workflowId: e.workflowId,
        args: [input],
        // Refused even after the run closed: a pathway never starts twice, so it never greets twice.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      // A retried request after a crash between row and start: the workflow already runs.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      started = false;
    }
    // A failed mark loses nothing: the reconciler finds the row, meets the running workflow and marks it.
    if (opts.markLater) markStartedLater(e.id);
    else await markStarted(e.id).catch(() => undefined);
    return started;
  }

  /** The workflow input of an enrollment, from its stored rows and its edition as it is now. */
  async function pathwayInputOf(e: LoadedEnrollment, read?: Edition): Promise<PathwayInput> {
    // A network's reminders reach its own contacts and every member firm's participants.
    const people = [...e.company.participants, ...e.company.members.flatMap((m) => m.participants)];
    // The edition as it is now (its end may have moved by decree since the enrollment was made);
    // a new enrollment passes the one its own request read, milliseconds before.
    const edition = read?.code === e.programmeCode ? read : await programmes.findEdition(e.programmeCode);
    if (!edition) throw programmeNotFound(e.programmeCode);
    if (!edition.endsOn)
      throw new DomainError('programme_end_unknown', {
        it: `Il programma ${edition.code} non ha una data di fine: il percorso non può partire.`,
        en: `Programme ${edition.code} has no end date: the pathway cannot start.`,
      });
    const programme = { code: edition.code, endsOn: edition.endsOn, name: edition.name };
    // The version the enrollment started with, never the catalogue's latest: by reference (the
    // worker has every published version; the input stays small, about 3 KB less per start).
    if (!findPathwayVersion(e.kind, e.catalogueVersion))
      throw new Error(`catalogue version ${e.kind} v${e.catalogueVersion} is not published`);
    const input: PathwayInput = {
      enrollmentId: e.id,
      catalogue: { kind: e.kind, version: e.catalogueVersion },
      programme,
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
    return input;
  }

  /** Starts the pathway of an enrollment whose row exists and returns its view (database only). */
  async function startAndView(id: string, opts: { markLater?: boolean } = {}) {
    const e = await loadEnrollment(id);
    await startPathway(e, undefined, opts);
    return enrollmentView(e, null);
  }

  /** Everything the enrollment view needs from the database, and the caller's scope (its company). */
  const viewInclude = {
    company: { include: { participants: { orderBy: { createdAt: 'asc' } } } },
    milestones: { orderBy: { seq: 'asc' } },
  } satisfies Prisma.EnrollmentInclude;
  type ViewRow = Prisma.EnrollmentGetPayload<{ include: typeof viewInclude }>;

  /** The stored enrollment as the view shows it, or null. */
  function findForView(id: string): Promise<ViewRow | null> {
    return db.enrollment.findUnique({ where: { id }, include: viewInclude });
  }

  /**
   * The enrollment from the database, with the pathway's live state from a workflow Query unless
   * `live` is false. The Query has a short deadline: without a running worker it cannot answer, and
   * the database view is still worth returning.
   */
  async function getEnrollment(id: string, live = true) {
    const e = await findForView(id);
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

  type ViewMilestone = Pick<
    LoadedEnrollment['milestones'][number],
    'type' | 'stepKey' | 'actor' | 'occurredAt' | 'dueAt' | 'onTime' | 'evidence'
  >;
  function enrollmentView(
    e: Omit<LoadedEnrollment, 'company' | 'milestones'> & {
      company: Omit<LoadedEnrollment['company'], 'members'>;
      milestones: ViewMilestone[];
    },
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
   * A pathway action: the Update (requests are parsed at the caller's edge), whose validator has
   * the last word; a refusal comes back as a DomainError with both languages, before anything
   * reaches history. The answer is built from the row read before (`known`, as the caller read it
   * for access, or read here) and what the Update returns: the state after, the milestones it
   * wrote to the projection before answering, and the state before. No Query, no read-back.
   */
  async function act<Req>(
    id: string,
    update: UpdateDefinition<PathwayAnswer, [Req]>,
    req: Req,
    known?: ViewRow,
  ): Promise<ActionOutcome> {
    const e = known ?? (await findForView(id));
    if (!e) throw notFound(id);
    let answer: PathwayAnswer;
    try {
      answer = await temporal.workflow.getHandle(e.workflowId).executeUpdate(update, { args: [req] });
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
    const { change, ...state } = answer;
    // A worker that predates `change`: the projection and the state are read back, as they were.
    if (!change) return { before: null, enrollment: await getEnrollment(id) };
    return { before: change.before, enrollment: enrollmentView(afterChange(e, change.milestones), state) };
  }

  /** The stored row as the Update's milestones left it: what recordMilestone wrote, applied in memory. */
  function afterChange(e: ViewRow, written: NonNullable<PathwayAnswer['change']>['milestones']) {
    const have = new Set(e.milestones.map((m) => m.eventKey));
    const fresh = written.filter((m) => !have.has(m.eventKey));
    const last = written.at(-1)?.enrollment;
    const terminal = written.filter((m) => m.enrollment.status !== 'active').at(-1);
    return {
      ...e,
      ...(last
        ? {
            status: last.status,
            currentStep: last.currentStep,
            ...(last.consultant
              ? { consultantEmail: last.consultant.email, consultantName: last.consultant.name }
              : {}),
          }
        : {}),
      ...(terminal ? { completedAt: new Date(terminal.occurredAt) } : {}),
      milestones: [
        ...e.milestones,
        ...fresh.map((m) => ({
          type: m.type,
          stepKey: m.stepKey ?? null,
          actor: m.actor,
          occurredAt: new Date(m.occurredAt),
          dueAt: m.dueAt === undefined ? null : new Date(m.dueAt),
          onTime: m.onTime ?? null,
          evidence: m.evidence ?? null,
        })),
      ],
    };
  }

  /** A request checked and ready to write: refusals (invalid, not eligible, too many people) are thrown here. */
  async function prepareEnrollment(
    req: EnrollRequest,
    headerKey: string | undefined,
    actor: AuditActor | undefined,
    caller: Principal | undefined,
    ip?: string,
  ) {
    const edition = await programmes.findEdition(req.programme);
    let definition = findPathway(req.kind);
    let programme: Programme | undefined;
    // Unknown programme and unknown kind are reported by the eligibility rules, in that order.
    if (edition && definition) {
      const offered = enrollableProgramme(edition, req.kind);
      if (!offered.ok) throw offered.error;
      programme = offered.programme;
      // An edition may pin the catalogue version of an action; otherwise the latest.
      if (offered.action.catalogueVersion !== undefined)
        definition = findPathwayVersion(req.kind, offered.action.catalogueVersion) ?? definition;
    }
    const eligibility = checkEnrollmentEligibility({
      // A known edition with an unknown kind: the rules refuse the kind before reading any date.
      programme:
        programme ??
        (edition ? { ...edition, startsOn: '', enrollmentClosesOn: '', endsOn: '', demo: edition.demo } : undefined),
      definition,
      kindRequested: req.kind,
      programmeRequested: req.programme,
      company: { ...req.company, registered: Boolean(req.company.vatNumber) },
      today: now(),
      alliance: req.alliance,
    });
    if (!eligibility.ok) throw eligibility.error;
    const fiscalId = req.company.vatNumber ?? req.company.taxCode!;
    checkParticipantBound(fiscalId, distinctPeople(req.participants).length, req.company.staff);
    for (const m of req.company.members ?? [])
      checkParticipantBound(m.vatNumber, distinctPeople(m.participants).length, m.staff);
    const clientKey = headerKey ?? req.idempotencyKey ?? `auto:${fiscalId}:${req.programme}:${req.kind}`;
    // Keys are the caller's own: stored under the account that sent them, so another account's
    // request with the same (guessed) key never meets this one. The system's own calls (no
    // caller) keep the key as given.
    const scope = caller?.userId ?? actor?.id;
    return {
      req,
      /** The edition as this request read it: the new enrollment's workflow starts with it. */
      edition,
      clientKey,
      key: scope === undefined ? clientKey : `u:${encodeURIComponent(scope)}:${clientKey}`,
      requestHash: hashRequest(req),
      definition: definition!,
      eligibility,
      fiscalId,
      actor,
      caller,
      /** Who sent the self-declaration, when and from where (recorded with a new firm). */
      declared: { byUserId: caller?.userId ?? actor?.id ?? null, at: now(), ip: ip ?? null },
      /** Set by `enroll` for an account with a quota: its new recipients in the window before this request. */
      quota: undefined as { limit: number; used: number } | undefined,
    };
  }
  type PreparedEnrollment = Awaited<ReturnType<typeof prepareEnrollment>>;

  /** The same address twice in a request is one participant (the first mention wins). */
  function distinctPeople(list: EnrollRequest['participants']) {
    const seen = new Set<string>();
    return list
      .filter((p) => !seen.has(p.email) && seen.add(p.email))
      .map((p) => ({ name: p.name, email: p.email, role: p.role, locale: p.locale }));
  }

  function checkParticipantBound(fiscalId: string, count: number, staff: number): void {
    const limit = participantLimit(staff);
    if (count > limit) throw tooManyParticipants(fiscalId, limit, staff);
  }

  /** The columns of a request's company when it is new (both write paths). */
  function newCompanyColumns(p: PreparedEnrollment) {
    const c = p.req.company;
    return {
      name: c.name,
      vatNumber: p.fiscalId,
      registered: Boolean(c.vatNumber),
      isNetwork: Boolean(c.members?.length),
      province: p.eligibility.provinceCode,
      atsCode: p.eligibility.atsCode,
      city: c.city ?? p.eligibility.city ?? null,
      sector: c.sector,
      staff: c.staff,
      turnoverCents: c.turnoverCents ?? null,
      balanceSheetCents: c.balanceSheetCents ?? null,
      size: p.eligibility.size,
      ...declaredColumns(c),
      eligibilityReasons: JSON.stringify(p.eligibility.reasons),
      declarantName: c.declaration?.declarantName ?? null,
      declarantRole: c.declaration?.declarantRole ?? null,
      declaredByUserId: c.declaration ? p.declared.byUserId : null,
      declaredAt: c.declaration ? p.declared.at : null,
      declaredFromIp: c.declaration ? p.declared.ip : null,
      declarationAcceptedAt: c.declaration?.acceptedAt ? new Date(c.declaration.acceptedAt) : null,
    };
  }

  /** The declared columns a firm and a network member have alike. */
  function declaredColumns(f: EnrollRequest['company'] | NonNullable<EnrollRequest['company']['members']>[number]) {
    return {
      peopleEmployed: f.peopleEmployed ?? null,
      relations: f.relations ? JSON.stringify(f.relations) : null,
      atecoCode: f.atecoCode ?? null,
      craftRegistered: f.craftRegistered ?? null,
      isCareCompany: f.isCareCompany ?? false,
    };
  }

  /** The enrollment row of a request, given its id and its company's. */
  function enrollmentRow(p: PreparedEnrollment, id: string, companyId: string) {
    return {
      id,
      idempotencyKey: p.key,
      requestHash: p.requestHash,
      programmeCode: p.req.programme,
      allianceCode: p.req.alliance ?? null,
      kind: p.req.kind,
      catalogueVersion: p.definition.version,
      companyId,
      consultantEmail: p.req.consultant.email,
      consultantName: p.req.consultant.name,
      workflowId: pathwayWorkflowId(id),
      currentStep: p.definition.steps[0]!.key,
    };
  }

  function auditRow(p: PreparedEnrollment, enrollmentId: string) {
    return {
      actorId: p.actor!.id,
      actorRole: p.actor!.role,
      action: 'enrollment.create',
      entity: 'enrollment',
      entityId: enrollmentId,
      after: JSON.stringify({ company: p.fiscalId, kind: p.req.kind, programme: p.req.programme }),
    };
  }

  const newEnrollmentId = () => newId('enr');

  /**
   * The common case, a company not seen before enrolling with a new key, written in groups: the
   * requests that arrive while one group is being written go together in the next, two look-ups and
   * one transaction for the whole group (group commit), and the answer is built from what was
   * written instead of read back. Resolves null for a request that must go one by one: its key or
   * company is already known, another request of the group has the same key or company, or the
   * group hit a unique constraint (a concurrent writer elsewhere).
   */
  const writeNewCompany = groupCommit<PreparedEnrollment, LoadedEnrollment | null>(async (items) => {
    const { keys, fiscalIds } = await storedKeysAndCompanies(
      db,
      items.map((p) => p.key),
      items.map((p) => p.fiscalId),
    );
    const createdAt = new Date();
    const loaded = items.map((p): LoadedEnrollment | null => {
      if (keys.has(p.key) || fiscalIds.has(p.fiscalId)) return null;
      // Over its quota: the one-by-one path counts exactly and refuses with the reason.
      if (p.quota && p.quota.used + distinctPeople(p.req.participants).length > p.quota.limit) return null;
      keys.add(p.key);
      fiscalIds.add(p.fiscalId);
      const companyId = newId('cmp');
      const id = newEnrollmentId();
      return {
        ...enrollmentRow(p, id, companyId),
        status: 'active',
        currentDueAt: null,
        // As the row is stored: the column is the start reconciler's, left null here.
        workflowStartedAt: null,
        createdAt,
        completedAt: null,
        milestones: [],
        company: {
          id: companyId,
          ...newCompanyColumns(p),
          // Kept by the database from the name (a trigger, or a generated column); nothing reads it here.
          searchName: null,
          networkId: null,
          createdAt,
          members: [],
          // One millisecond apart, so reading them back in creation order keeps the request's order.
          participants: distinctPeople(p.req.participants).map((person, i) => ({
            id: newId('par'),
            companyId,
            ...person,
            addedById: p.caller?.userId ?? null,
            optedOutAt: null,
            createdAt: new Date(createdAt.getTime() + i),
            linkNonce: null,
            removedAt: null,
            removedById: null,
            gender: null,
            careResponsibilities: null,
            optionalDataConsentAt: null,
            anonymisedAt: null,
          })),
        },
      };
    });
    // In key order: two processes writing groups with the same new companies take their index
    // entries in the same order, so one waits for the other instead of both deadlocking.
    const fresh = loaded
      .flatMap((e, i) => (e ? [{ e, p: items[i]! }] : []))
      .sort((a, b) => (a.p.fiscalId < b.p.fiscalId ? -1 : a.p.fiscalId > b.p.fiscalId ? 1 : 0));
    if (fresh.length === 0) return loaded;
    try {
      await insertEnrollments(db, {
        companies: fresh.map(({ e }) => companyRow(e.company)),
        participants: fresh.flatMap(({ e }) => e.company.participants),
        enrollments: fresh.map(({ e, p }) => ({ ...enrollmentRow(p, e.id, e.companyId), status: 'active', createdAt })),
        audits: fresh
          .filter(({ p }) => p.actor)
          .map(({ e, p }) => ({ id: newId('aud'), at: createdAt, ...auditRow(p, e.id) })),
      });
    } catch (err) {
      // Another process wrote one of these keys or companies since the look-up, or its group and
      // this one collided: one by one, each request meets it the way a lone request would.
      if (isUniqueViolation(err) || isWriteConflict(err)) return items.map(() => null);
      throw err;
    }
    return loaded;
  });

  /**
   * The company columns of an in-memory company to insert: its relations left out, and `searchName`,
   * which the database keeps itself (a trigger on SQLite; on PostgreSQL a generated column, which
   * refuses any value).
   */
  function companyRow(c: LoadedEnrollment['company']) {
    const { members: _m, participants: _p, searchName: _s, ...row } = c;
    return row;
  }

  type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

  /**
   * Whether the caller may enroll, and add people to, a firm that is already stored: judged on the
   * stored row, never on the request. Admin; a coordinator of the firm's stored ATS; an SME user of
   * that firm; a consultant who already follows it (an enrollment of that firm with them as its
   * consultant). The system (no caller: tests, scripts on the database) may.
   */
  async function mayActFor(tx: Tx, caller: Principal | undefined, company: { id: string; atsCode: string }) {
    if (!caller || caller.role === 'admin') return true;
    if (caller.role === 'coordinator') return caller.atsCode !== null && company.atsCode === caller.atsCode;
    if (caller.role === 'sme') return caller.companyId === company.id;
    const followed = await tx.enrollment.findFirst({
      where: { companyId: company.id, consultantEmail: caller.email.toLowerCase() },
      select: { id: true },
    });
    return followed !== null;
  }

  /**
   * Whether a stored firm may be put in the network `networkFiscalId`: its own account consented
   * (NetworkConsent), or the caller is staff of the firm's network (an admin, a coordinator of its ATS).
   */
  async function mayJoin(
    tx: Tx,
    caller: Principal | undefined,
    member: { id: string; atsCode: string },
    networkFiscalId: string,
  ) {
    if (!caller || caller.role === 'admin') return true;
    if (caller.role === 'coordinator' && caller.atsCode !== null && member.atsCode === caller.atsCode) return true;
    const consent = await tx.networkConsent.findUnique({
      where: { memberCompanyId_networkVatNumber: { memberCompanyId: member.id, networkVatNumber: networkFiscalId } },
      select: { id: true },
    });
    return consent !== null;
  }

  /**
   * The request's people a stored firm does not have yet, created as added by the caller, within
   * the firm's bound (its stored headcount, not the request's). Returns how many rows were created.
   */
  async function addPeople(
    tx: Tx,
    p: PreparedEnrollment,
    company: { id: string; vatNumber: string; staff: number },
    people: ReturnType<typeof distinctPeople>,
  ): Promise<number> {
    if (people.length === 0) return 0;
    const stored = await tx.participant.findMany({ where: { companyId: company.id }, select: { email: true } });
    const have = new Set(stored.map((r) => r.email));
    const fresh = people.filter((person) => !have.has(person.email));
    if (fresh.length === 0) return 0;
    checkParticipantBound(company.vatNumber, have.size + fresh.length, company.staff);
    const addedById = p.caller?.userId ?? null;
    for (const person of fresh) await tx.participant.create({ data: { companyId: company.id, ...person, addedById } });
    return fresh.length;
  }

  /** Refuses, inside the transaction that wrote them, new rows that take the caller past its quota. */
  async function checkQuota(tx: Tx, p: PreparedEnrollment, added: number): Promise<void> {
    if (!p.quota || added === 0) return;
    const since = new Date(now().getTime() - RECIPIENT_QUOTA_WINDOW_MS);
    const where = { addedById: p.caller!.userId, createdAt: { gt: since } };
    // The rows just written count too: they are in this transaction.
    const total = await tx.participant.count({ where });
    if (total <= p.quota.limit) return;
    const before = await tx.participant.findMany({
      where,
      orderBy: { createdAt: 'asc' },
      take: Math.max(0, total - added),
      select: { createdAt: true },
    });
    throw recipientQuotaExceeded(
      p.quota.limit,
      quotaFreesAt(
        before.map((r) => r.createdAt),
        added,
        p.quota.limit,
      ),
    );
  }

  /**
   * A row written before keys were stored per account holds the key as the client sent it: it is
   * the caller's only if the caller created it (its audit entry says so), so a re-run of an older
   * import still answers 200, and another account's old key still decides nothing here.
   */
  async function legacyKeyRow(p: PreparedEnrollment) {
    const scope = p.caller?.userId ?? p.actor?.id;
    if (scope === undefined || p.key === p.clientKey) return null;
    const row = await db.enrollment.findUnique({ where: { idempotencyKey: p.clientKey } });
    if (!row) return null;
    const created = await db.auditLog.findFirst({
      where: { entity: 'enrollment', entityId: row.id, action: 'enrollment.create', actorId: scope },
      select: { id: true },
    });
    return created ? row : null;
  }

  /** A repeated request: the caller's own enrollment under its own key, if it may still see it. */
  async function replay(p: PreparedEnrollment, id: string) {
    if (p.caller) {
      const e = await db.enrollment.findUniqueOrThrow({ where: { id }, include: { company: true } });
      if (!canSeeEnrollment(p.caller, e)) throw enrollForbidden();
    }
    return { created: false, enrollment: await startAndView(id) };
  }

  /**
   * One request on its own, in its own transaction: a repeated key, a company seen before, a
   * network with its member firms, and the requests a group handed back. A stored firm is only
   * referenced: its columns are never rewritten from a request, it gains people only from a caller
   * who may act for it, and it joins a network only with its consent or by its network's staff.
   */
  async function enrollOneByOne(p: PreparedEnrollment) {
    const { req, key, clientKey, requestHash, definition, eligibility, fiscalId, caller } = p;
    const existing = (await db.enrollment.findUnique({ where: { idempotencyKey: key } })) ?? (await legacyKeyRow(p));
    if (existing) {
      if (existing.requestHash !== requestHash) throw idempotencyConflict(clientKey);
      return replay(p, existing.id);
    }

    const write = () =>
      db.$transaction(async (tx) => {
        const c = req.company;
        let added = 0;
        const known = await tx.company.findUnique({
          where: { vatNumber: fiscalId },
          select: { id: true, vatNumber: true, atsCode: true, networkId: true, staff: true },
        });
        if (known) {
          // Checked on the stored firm: the same refusal whether it is enrolled or not.
          if (!(await mayActFor(tx, caller, known))) throw enrollForbidden();
          const dup = await tx.enrollment.findUnique({
            where: {
              companyId_programmeCode_kind: { companyId: known.id, programmeCode: req.programme, kind: req.kind },
            },
          });
          if (dup) {
            // The id only to a caller who may see that enrollment (a consultant following the firm
            // may not see another consultant's): otherwise only what the request itself said.
            const shown = !caller || canSeeEnrollment(caller, { ...dup, company: known });
            throw new DomainError(
              'already_enrolled',
              shown
                ? {
                    it: `L'impresa ${fiscalId} è già iscritta a "${definition.name.it}" nel programma ${req.programme} (iscrizione ${dup.id}).`,
                    en: `Company ${fiscalId} is already enrolled in "${definition.name.en}" in programme ${req.programme} (enrollment ${dup.id}).`,
                  }
                : {
                    it: `L'impresa ${fiscalId} è già iscritta a "${definition.name.it}" nel programma ${req.programme}.`,
                    en: `Company ${fiscalId} is already enrolled in "${definition.name.en}" in programme ${req.programme}.`,
                  },
              shown ? { enrollmentId: dup.id } : undefined,
            );
          }
          added += await addPeople(tx, p, known, distinctPeople(req.participants));
        }
        const addedById = caller?.userId ?? null;
        let company: { id: string };
        if (known) company = known;
        else {
          const people = distinctPeople(req.participants).map((person) => ({ ...person, addedById }));
          company = await tx.company.create({
            data: { ...newCompanyColumns(p), participants: { create: people } },
            select: { id: true },
          });
          added += people.length;
        }
        for (const [i, m] of (c.members ?? []).entries()) {
          const assessed = eligibility.members[i]!;
          const stored = await tx.company.findUnique({
            where: { vatNumber: m.vatNumber },
            select: { id: true, vatNumber: true, atsCode: true, networkId: true, staff: true },
          });
          if (!stored) {
            const people = distinctPeople(m.participants).map((person) => ({ ...person, addedById }));
            await tx.company.create({
              data: {
                name: m.name,
                vatNumber: m.vatNumber,
                province: assessed.provinceCode,
                atsCode: assessed.atsCode,
                city: m.city ?? null,
                sector: m.sector,
                staff: m.staff,
                turnoverCents: m.turnoverCents,
                balanceSheetCents: m.balanceSheetCents,
                size: assessed.size,
                ...declaredColumns(m),
                eligibilityReasons: JSON.stringify(assessed.reasons),
                networkId: company.id,
                participants: { create: people },
              },
            });
            added += people.length;
            continue;
          }
          if (stored.networkId !== company.id) {
            if (!(await mayJoin(tx, caller, stored, fiscalId))) throw memberConsentRequired(m.vatNumber);
            await tx.company.update({ where: { id: stored.id }, data: { networkId: company.id } });
          }
          // A member firm consents to joining, not to the network's caller managing its people.
          if (await mayActFor(tx, caller, stored))
            added += await addPeople(tx, p, stored, distinctPeople(m.participants));
        }
        await checkQuota(tx, p, added);
        const id = newEnrollmentId();
        await tx.enrollment.create({ data: enrollmentRow(p, id, company.id) });
        if (p.actor) await tx.auditLog.create({ data: auditRow(p, id) });
        return id;
      });
    let enrollmentId: string | undefined;
    for (let attempt = 1; enrollmentId === undefined; attempt++) {
      try {
        enrollmentId = await write();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // The same key raced another request of the same caller: the other one wrote the row. The
        // same request gets that enrollment; another body under that key is refused, as it would be later.
        const winner = await db.enrollment.findUnique({ where: { idempotencyKey: key } });
        if (winner && winner.requestHash !== requestHash) throw idempotencyConflict(clientKey);
        if (winner) return replay(p, winner.id);
        // Another enrollment of the same company (or member firm) wrote it a moment earlier: once
        // more, the company is now known.
        if (attempt >= 2) throw err;
      }
    }
    return { created: true, enrollment: await startAndView(enrollmentId, { markLater: true }) };
  }

  async function enrollPrepared(p: PreparedEnrollment) {
    const written = p.req.company.members?.length || deps.groupWrites === false ? null : await writeNewCompany(p);
    if (!written) return enrollOneByOne(p);
    await startPathway(written, p.edition, { markLater: true });
    return { created: true, enrollment: enrollmentView(written, null) };
  }

  const view = (outcome: Promise<ActionOutcome>) => outcome.then((o) => o.enrollment);

  const quotas = deps.recipientQuotas ?? DEFAULT_RECIPIENT_QUOTAS;
  const queues = new Map<string, Promise<unknown>>();
  /** Runs `fn` after every earlier call with the same key has settled (in this process). */
  function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  }

  return {
    /** The task queue its workflows run on (the front door starts request workflows there too). */
    taskQueue,
    /** Writes the start marks of new enrollments still gathering (see markStartedLater) and waits for them. */
    flushStartMarks,
    /** Programme editions (client/programmes.ts): what enrollment reads, and what the API manages. */
    programmes,

    /**
     * Enroll a company; `created` is false when the same request (same key) was seen before. With
     * `actor`, the audit entry is written in the same transaction as the enrollment. The request is
     * parsed at the caller's edge (enrollRequestSchema: the API route, the CSV import).
     */
    async enroll(
      req: EnrollRequest,
      headerKey?: string,
      opts: {
        actor?: AuditActor;
        caller?: Principal;
        /** The caller's address, recorded with a self-declaration. */ ip?: string;
      } = {},
    ) {
      const p = await prepareEnrollment(req, headerKey, opts.actor, opts.caller, opts.ip);
      const limit = opts.caller ? recipientQuotaFor(opts.caller.role, quotas) : null;
      if (!opts.caller || limit === null) return enrollPrepared(p);
      const userId = opts.caller.userId;
      // One request at a time per account with a quota, so that concurrent requests cannot each
      // find room under it (the fast path counts before its group's transaction).
      return oneAtATime(userId, async () => {
        const since = new Date(now().getTime() - RECIPIENT_QUOTA_WINDOW_MS);
        p.quota = {
          limit,
          used: await db.participant.count({ where: { addedById: userId, createdAt: { gt: since } } }),
        };
        return enrollPrepared(p);
      });
    },

    getEnrollment,
    findForView,

    /**
     * An admin revives an expired pathway whose edition's end a decree has moved past now: a new run
     * of the same workflow id, with the closed run's state (client/revival.ts).
     */
    revive: (id: string, reason: string, actor: AuditActor & { name?: string }) =>
      revivePathway(
        { db, temporal, taskQueue, getEnrollment, now: () => now().getTime() },
        { enrollment: loadEnrollment(id), inputOf: pathwayInputOf },
        {
          reason,
          actor,
        },
      ),

    /**
     * The reconciler's repair of an enrollment whose start was never recorded: its pathway started
     * with the input a request would have built, from the stored rows. 'started' when it had none;
     * 'running' when it already existed (running or closed); 'closed' for a row whose pathway has
     * already ended (its status says so): marked, never started again.
     */
    async ensurePathwayStarted(id: string): Promise<'started' | 'running' | 'closed'> {
      const e = await loadEnrollment(id);
      if (e.status !== 'active') {
        await markWorkflowsStarted(db, [e.id], new Date());
        return 'closed';
      }
      return (await startPathway(e)) ? 'started' : 'running';
    },

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

    /**
     * The pathway actions, each one Update whose validator refuses bad requests before they reach
     * history; `known` is the row the caller already read (for access), so it is not read again.
     */
    actions: {
      completeStep: (id: string, req: CompleteStepRequest, known?: ViewRow) => act(id, completeStepUpdate, req, known),
      reopenStep: (id: string, req: ReopenStepRequest, known?: ViewRow) => act(id, reopenStepUpdate, req, known),
      extendDueDate: (id: string, req: ExtendDueDateRequest, known?: ViewRow) =>
        act(id, extendDueDateUpdate, req, known),
      assignConsultant: (id: string, req: AssignConsultantRequest, known?: ViewRow) =>
        act(id, assignConsultantUpdate, req, known),
      withdraw: (id: string, req: WithdrawRequest, known?: ViewRow) => act(id, withdrawUpdate, req, known),
      confirmParticipation: (id: string, req: ConfirmParticipationRequest, known?: ViewRow) =>
        act(id, confirmParticipationUpdate, req, known),
    },
    /** The same actions answering the enrollment after the change (the CLI, scripts, tests). */
    completeStep: (id: string, req: CompleteStepRequest) => view(act(id, completeStepUpdate, req)),
    reopenStep: (id: string, req: ReopenStepRequest) => view(act(id, reopenStepUpdate, req)),
    extendDueDate: (id: string, req: ExtendDueDateRequest) => view(act(id, extendDueDateUpdate, req)),
    assignConsultant: (id: string, req: AssignConsultantRequest) => view(act(id, assignConsultantUpdate, req)),
    withdraw: (id: string, req: WithdrawRequest) => view(act(id, withdrawUpdate, req)),
    confirmParticipation: (id: string, req: ConfirmParticipationRequest) =>
      view(act(id, confirmParticipationUpdate, req)),
  };
}

export type Service = ReturnType<typeof createService>;
