/**
 * Enrollment requests made by the firm itself (EnrollmentRequest). The public form stores a
 * request `pending_confirmation` and emails only the declarant a single-use link (24 hours, only
 * its SHA-256 stored); confirming it starts the request workflow (`request-<id>`), which tells the
 * ATS network's coordinators. Nothing reaches anyone else before the address is confirmed.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { CATALOGUE } from '../../domain/catalogue';
import { DomainError } from '../../domain/errors';
import type { Locale } from '../../domain/locale';
import { ATS_NETWORKS } from '../../domain/territory';
import { audit, auditActor } from '../audit';
import type { Principal } from '../auth/principal';
import { newSecret, sha256 } from '../auth/secrets';
import type { ProgrammeStore } from '../programmes';
import { enrollRequestSchema, type EnrollRequest } from '../schemas';
import { validationError } from '../validation';
import {
  decideUpdate,
  requestWorkflowId,
  type RequestDecision,
  type RequestOutcome,
} from '../../workflows/enrollment-request-messages';
import { checkEligibility, isValidVatNumber, type EligibilityAnswer } from './eligibility-check';
import { LinkError } from '../invitations';
import { stageEmailNow } from './mail-now';

export const PRIVACY_NOTICE_VERSION = '2026-11';
export const CONFIRM_HOURS = 24;

const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, 'una sola riga / a single line');
const email = z.string().trim().toLowerCase().max(254).email();
const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** What the form sends, in the API's shape (the HTML form is turned into it). */
export const requestInputSchema = z
  .object({
    programme: z.string().trim().min(1).max(40),
    kind: z.string().trim().min(1).max(60),
    alliance: z.string().trim().min(1).max(60).optional(),
    company: z.object({
      name: line(200),
      registered: z.boolean().default(true),
      vatNumber: z.string().trim().optional(),
      taxCode: z.string().trim().toUpperCase().optional(),
      province: line(40),
      city: line(80),
      sector: z.enum(['commercio', 'artigianato', 'industria', 'servizi', 'agricoltura', 'terzo-settore']),
      staff: z.number().min(0).max(1_000_000),
      peopleEmployed: z.number().int().min(0).max(1_000_000).optional(),
      turnoverCents: cents.optional(),
      balanceSheetCents: cents.optional(),
      atecoCode: z.string().trim().optional(),
      craftRegistered: z.boolean().optional(),
      isCareCompany: z.boolean().optional(),
    }),
    declarant: z.object({ name: line(120), email, locale: z.enum(['it', 'en']).default('it') }),
    participants: z
      .array(z.object({ name: line(120), email, role: z.enum(['owner', 'hr', 'employee']) }))
      .max(20)
      .default([]),
    privacyAcknowledged: z.literal(true, {
      error: "presa visione dell'informativa privacy richiesta / the privacy notice must be acknowledged",
    }),
  })
  .superRefine((r, ctx) => {
    if (r.company.registered && !isValidVatNumber(r.company.vatNumber ?? ''))
      ctx.addIssue({
        code: 'custom',
        path: ['company', 'vatNumber'],
        message:
          'partita IVA non valida: 11 cifre, l’ultima di controllo / invalid VAT number: 11 digits, the last a check digit',
      });
    if (!r.company.registered && !/^[A-Z0-9]{16}$/.test(r.company.taxCode ?? ''))
      ctx.addIssue({
        code: 'custom',
        path: ['company', 'taxCode'],
        message: 'codice fiscale di 16 caratteri / tax code of 16 characters',
      });
  });
export type RequestInput = z.output<typeof requestInputSchema>;

/** The enrollment the request will become, with the consultant the coordinator picks. */
export function enrollRequestOf(
  payload: EnrollRequestPayload,
  consultant: { name: string; email: string },
): EnrollRequest {
  const parsed = enrollRequestSchema.safeParse({ ...payload, consultant });
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

export type EnrollRequestPayload = Omit<z.input<typeof enrollRequestSchema>, 'consultant' | 'idempotencyKey'>;

function payloadOf(r: RequestInput): EnrollRequestPayload {
  const c = r.company;
  const people = [
    { name: r.declarant.name, email: r.declarant.email, role: 'owner' as const, locale: r.declarant.locale },
    ...r.participants.filter((p) => p.email !== r.declarant.email).map((p) => ({ ...p, locale: r.declarant.locale })),
  ];
  return {
    programme: r.programme,
    kind: r.kind,
    ...(r.alliance ? { alliance: r.alliance } : {}),
    company: {
      name: c.name,
      ...(c.registered ? { vatNumber: c.vatNumber } : { taxCode: c.taxCode }),
      province: c.province,
      city: c.city,
      sector: c.sector,
      staff: c.staff,
      ...(c.peopleEmployed !== undefined ? { peopleEmployed: c.peopleEmployed } : {}),
      ...(c.turnoverCents !== undefined ? { turnoverCents: c.turnoverCents } : {}),
      ...(c.balanceSheetCents !== undefined ? { balanceSheetCents: c.balanceSheetCents } : {}),
      ...(c.atecoCode ? { atecoCode: c.atecoCode } : {}),
      ...(c.craftRegistered !== undefined ? { craftRegistered: c.craftRegistered } : {}),
      ...(c.isCareCompany !== undefined ? { isCareCompany: c.isCareCompany } : {}),
      declaration: { declarantName: r.declarant.name, declarantRole: 'legal-representative' },
    },
    participants: people,
  };
}

export class NotEligibleError extends DomainError {
  constructor(readonly answer: EligibilityAnswer) {
    const failed = answer.rules.find((r) => !r.met);
    super(
      'not_eligible',
      {
        it: `La richiesta non può essere accolta: ${failed?.text.it ?? ''}`,
        en: `The request cannot be accepted: ${failed?.text.en ?? ''}`,
      },
      { rules: answer.rules },
    );
  }
}

export const signInRequired = () =>
  new DomainError('sign_in_required', {
    it: "Questa impresa ha già un account: accedi e fai la richiesta dall'area riservata (Richieste › Nuova richiesta).",
    en: 'This company already has an account: sign in and make the request from your area (Requests › New request).',
  });

/**
 * Stores a request `pending_confirmation` and emails the declarant the confirmation link. The
 * firm must be eligible and, when it already has an sme account, the request must come through it.
 */
export async function createRequest(
  deps: { db: Db; programmes: ProgrammeStore },
  body: unknown,
  ctx: { ip: string; baseUrl: string; now?: Date; requestedBy?: Principal },
): Promise<{ id: string; token: string }> {
  const parsed = requestInputSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  const r = parsed.data;
  const { db } = deps;
  const now = ctx.now ?? new Date();
  const payload = payloadOf(r);
  // The shape enrollment will need, checked now so an accepted request cannot fail on it later.
  enrollRequestOf(payload, { name: 'Consulente', email: 'consulente@example.org' });
  const edition = await deps.programmes.findEdition(r.programme);
  const answer = checkEligibility(
    edition,
    {
      programme: r.programme,
      kind: r.kind,
      company: {
        registered: r.company.registered,
        province: r.company.province,
        city: r.company.city,
        sector: r.company.sector,
        staff: r.company.staff,
        ...(r.company.peopleEmployed !== undefined ? { peopleEmployed: r.company.peopleEmployed } : {}),
        ...(r.company.turnoverCents !== undefined ? { turnoverCents: r.company.turnoverCents } : {}),
        ...(r.company.balanceSheetCents !== undefined ? { balanceSheetCents: r.company.balanceSheetCents } : {}),
        ...(r.company.craftRegistered !== undefined ? { craftRegistered: r.company.craftRegistered } : {}),
        ...(r.company.isCareCompany !== undefined ? { isCareCompany: r.company.isCareCompany } : {}),
      },
    },
    now,
  );
  if (!answer.eligible || !answer.atsCode) throw new NotEligibleError(answer);
  const fiscalId = r.company.registered ? r.company.vatNumber! : r.company.taxCode!;
  const company = await db.company.findUnique({ where: { vatNumber: fiscalId } });
  if (company) {
    const smeUser = await db.user.findFirst({ where: { companyId: company.id, role: 'sme', disabledAt: null } });
    const own = ctx.requestedBy?.role === 'sme' && ctx.requestedBy.companyId === company.id;
    if (smeUser && !own) throw signInRequired();
  }
  const token = newSecret('cf_req');
  const row = await db.$transaction(async (tx) => {
    const created = await tx.enrollmentRequest.create({
      data: {
        programmeCode: r.programme,
        kind: r.kind,
        atsCode: answer.atsCode!,
        allianceCode: r.alliance ?? null,
        payload: JSON.stringify(payload),
        vatNumber: fiscalId,
        companyName: r.company.name,
        declarantName: r.declarant.name,
        declarantEmail: r.declarant.email,
        locale: r.declarant.locale,
        confirmTokenHash: sha256(token),
        confirmExpiresAt: new Date(now.getTime() + CONFIRM_HOURS * 3600_000),
        createdFromIp: ctx.ip,
        privacyNoticeVersion: PRIVACY_NOTICE_VERSION,
        privacyAcknowledgedAt: now,
        companyId: company?.id ?? null,
        requestedById: ctx.requestedBy?.userId ?? null,
      },
    });
    await tx.privacyAcknowledgement.create({
      data: {
        form: 'enrollment_request',
        subject: r.declarant.email,
        noticeVersion: PRIVACY_NOTICE_VERSION,
        at: now,
        fromIp: ctx.ip,
      },
    });
    await audit(tx, {
      actor: ctx.requestedBy ? auditActor(ctx.requestedBy) : { id: `public:${r.declarant.email}`, role: 'public' },
      action: 'request.create',
      entity: 'enrollment_request',
      entityId: created.id,
      after: { programme: r.programme, kind: r.kind, atsCode: created.atsCode, companyName: created.companyName },
    });
    return created;
  });
  await stageEmailNow(db, {
    template: 'request-confirm',
    key: `request:${row.id}:confirm`,
    to: { email: row.declarantEmail, name: row.declarantName, locale: row.locale as Locale },
    context: {
      companyName: row.companyName,
      pathwayName: CATALOGUE[row.kind]?.name ?? { it: row.kind, en: row.kind },
      confirmUrl: `${ctx.baseUrl}/richiesta/conferma/${encodeURIComponent(token)}`,
      expiresAt: row.confirmExpiresAt!.getTime(),
    },
    baseUrl: ctx.baseUrl,
  });
  return { id: row.id, token };
}

type RequestRow = Awaited<ReturnType<Db['enrollmentRequest']['findUniqueOrThrow']>>;

/** The pending request of a confirmation link, or a LinkError (unknown, expired, used). */
export async function requestOfToken(db: Db, token: string, now = Date.now()): Promise<RequestRow> {
  const row =
    token.length <= 200 ? await db.enrollmentRequest.findUnique({ where: { confirmTokenHash: sha256(token) } }) : null;
  if (!row) throw new LinkError('unknown');
  if (row.confirmedAt) throw new LinkError('used');
  if (row.status !== 'pending_confirmation') throw new LinkError('revoked');
  if (!row.confirmExpiresAt || row.confirmExpiresAt.getTime() <= now) throw new LinkError('expired');
  return row;
}

/** Confirms the address: the request now exists for the network, and its workflow starts. */
export async function confirmRequest(
  deps: { db: Db; temporal: Client; taskQueue: string },
  token: string,
  now = Date.now(),
): Promise<RequestRow> {
  const row = await requestOfToken(deps.db, token, now);
  const workflowId = requestWorkflowId(row.id);
  const { count } = await deps.db.enrollmentRequest.updateMany({
    where: { id: row.id, confirmedAt: null, status: 'pending_confirmation' },
    data: { confirmedAt: new Date(now), status: 'awaiting_decision', workflowId },
  });
  if (count === 0) throw new LinkError('used');
  await audit(deps.db, {
    actor: { id: `public:${row.declarantEmail}`, role: 'public' },
    action: 'request.confirm',
    entity: 'enrollment_request',
    entityId: row.id,
  });
  try {
    await deps.temporal.workflow.start('enrollmentRequestWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ requestId: row.id, confirmedAt: now }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { ...row, confirmedAt: new Date(now), status: 'awaiting_decision', workflowId };
}

/** What the caller may see: admins every confirmed request, a coordinator those of their ATS. */
export function requestScope(p: Principal) {
  if (p.role === 'admin') return { confirmedAt: { not: null } };
  if (p.role === 'coordinator') return { confirmedAt: { not: null }, atsCode: p.atsCode ?? '-' };
  if (p.role === 'sme') return { requestedById: p.userId };
  return null;
}

const requestNotFound = (id: string) =>
  new DomainError('not_found', { it: `Richiesta ${id} inesistente.`, en: `No request ${id}.` });

export interface RequestView {
  id: string;
  status: string;
  programme: string;
  kind: string;
  pathwayName: { it: string; en: string };
  atsCode: string;
  networkName: string;
  allianceCode: string | null;
  companyName: string;
  vatNumber: string;
  declarantName: string;
  declarantEmail: string;
  confirmedAt: string | null;
  decidedAt: string | null;
  declineReason: string | null;
  consultantEmail: string | null;
  enrollmentId: string | null;
  payload: EnrollRequestPayload;
}

export function requestView(r: RequestRow): RequestView {
  return {
    id: r.id,
    status: r.status,
    programme: r.programmeCode,
    kind: r.kind,
    pathwayName: CATALOGUE[r.kind]?.name ?? { it: r.kind, en: r.kind },
    atsCode: r.atsCode,
    networkName: ATS_NETWORKS.find((a) => a.code === r.atsCode)?.name ?? r.atsCode,
    allianceCode: r.allianceCode,
    companyName: r.companyName,
    vatNumber: r.vatNumber,
    declarantName: r.declarantName,
    declarantEmail: r.declarantEmail,
    confirmedAt: r.confirmedAt?.toISOString() ?? null,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    declineReason: r.declineReason,
    consultantEmail: r.consultantEmail,
    enrollmentId: r.enrollmentId,
    payload: JSON.parse(r.payload) as EnrollRequestPayload,
  };
}

export async function listRequests(db: Db, p: Principal, status?: string): Promise<RequestView[]> {
  const scope = requestScope(p);
  if (!scope) return [];
  const rows = await db.enrollmentRequest.findMany({
    where: { ...scope, ...(status ? { status } : {}) },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  return rows.map(requestView);
}

/** One request the caller may see (404 otherwise, the same whether it exists or not). */
export async function findRequest(db: Db, p: Principal, id: string): Promise<RequestRow> {
  const scope = requestScope(p);
  const row = scope ? await db.enrollmentRequest.findFirst({ where: { id, ...scope } }) : null;
  if (!row) throw requestNotFound(id);
  return row;
}

/** The consultants a request may be given to: of its alliance when it has one, else of its ATS. */
export async function consultantsFor(db: Db, r: Pick<RequestRow, 'atsCode' | 'allianceCode'>) {
  return db.user.findMany({
    where: {
      role: 'consultant',
      disabledAt: null,
      ...(r.allianceCode ? { allianceCode: r.allianceCode } : { atsCode: r.atsCode }),
    },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, email: true },
  });
}

const notDecidable = () =>
  new DomainError('request_not_pending', {
    it: 'La richiesta è già stata decisa (o non è in attesa di decisione): nulla è cambiato.',
    en: 'The request was already decided (or is not waiting for a decision): nothing changed.',
  });

/**
 * Accepts or declines a request the caller may decide (the coordinator of its ATS, or an admin):
 * the workflow's `decide` Update, whose answer is the outcome once applied. Audited.
 */
export async function decideRequest(
  deps: { db: Db; temporal: Client },
  p: Principal,
  id: string,
  d: { decision: 'accept'; consultantEmail: string } | { decision: 'decline'; reason: string },
): Promise<RequestOutcome> {
  if (p.role !== 'admin' && p.role !== 'coordinator')
    throw new DomainError('forbidden', {
      it: 'Solo il coordinatore della rete o la Regione decidono le richieste.',
      en: 'Only the network coordinator or the Region decide requests.',
    });
  const row = await findRequest(deps.db, p, id);
  if (row.status !== 'awaiting_decision' || !row.workflowId) throw notDecidable();
  if (d.decision === 'accept') {
    const ok = (await consultantsFor(deps.db, row)).some((c) => c.email === d.consultantEmail.trim().toLowerCase());
    if (!ok)
      throw new DomainError('invalid_request', {
        it: `Il consulente va scelto tra i consulenti ${row.allianceCode ? "dell'alleanza" : 'della rete ATS'} della richiesta.`,
        en: `The consultant must be one of the consultants of the request's ${row.allianceCode ? 'alliance' : 'ATS network'}.`,
      });
  } else if (d.reason.trim().length < 5)
    throw new DomainError('invalid_request', {
      it: 'Indicare il motivo del rifiuto (almeno 5 caratteri): la risposta arriva all’impresa.',
      en: 'Give the reason for declining (at least 5 characters): the answer goes to the firm.',
    });
  const by = { id: p.userId, role: p.role, name: p.name };
  const decision: RequestDecision =
    d.decision === 'accept'
      ? { decision: 'accept', consultantEmail: d.consultantEmail.trim().toLowerCase(), by }
      : { decision: 'decline', reason: d.reason.trim(), by };
  let outcome: RequestOutcome;
  try {
    outcome = await deps.temporal.workflow.getHandle(row.workflowId).executeUpdate(decideUpdate, { args: [decision] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      if (cause instanceof ApplicationFailure && cause.type === 'decision_refused') {
        const d = (cause.details?.[0] ?? {}) as { code?: string; it?: string; en?: string };
        throw new DomainError(d.code ?? 'decision_refused', { it: d.it ?? cause.message, en: d.en ?? cause.message });
      }
      throw notDecidable();
    }
    if (err instanceof WorkflowNotFoundError) throw notDecidable();
    throw err;
  }
  await audit(deps.db, {
    actor: auditActor(p),
    action: d.decision === 'accept' ? 'request.accept' : 'request.decline',
    entity: 'enrollment_request',
    entityId: id,
    before: { status: row.status },
    after: outcome,
  });
  return outcome;
}
