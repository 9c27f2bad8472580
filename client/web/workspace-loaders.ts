/**
 * What the staff workspace's pages show: an enrollment with its steps (withdrawn and completed
 * ones reading as such), a timeline with reasons, old and new dates and people by name, and what
 * the signed-in role may do on it; a firm with its participants, contacts and pathways; the
 * consultants' workload.
 */
import { loadDocumentTimeline } from './loaders-documents';
import type { DocumentTimelineItem } from './views/documents';
import { Prisma } from '../../generated/prisma/client';
import { dialectOfDb, type Db } from '../../infra/db';
import { before, enrollmentTimeline } from '../../reports/milestones';
import { formatRomeDateTime } from '../../domain/calendar';
import { findPathwayVersion } from '../../domain/catalogue-history';
import { ATS_NETWORKS, findProvince } from '../../domain/territory';
import { enrollmentPermissions, type EnrollmentPermissions } from '../auth/enrollment-permissions';
import { enrollmentScope, type Principal } from '../auth/principal';
import type { Service } from '../service';
import { ENROLLMENT_STATUS, MILESTONE_LABEL, STEP_STATUS, type Locale } from './views/texts';
import { W } from './views/texts-workspace';

const DAY = 86_400_000;

export interface StepRow {
  key: string;
  name: string;
  status: string;
  statusCode: 'pending' | 'active' | 'done' | 'closed';
  due: string;
  completed: string;
  /** The catalogue's own evidence label for this step, when it needs evidence. */
  evidenceLabel: string | null;
}

export interface TimelineItem {
  at: string;
  when: string;
  label: string;
  stepName: string | null;
  actorName: string;
  late: boolean;
  evidence: string | null;
  reason: string | null;
  /** A due date moved: from (when known) and to. */
  oldDue: string | null;
  newDue: string | null;
  /** A reassignment: the consultant who follows from now on. */
  assignedTo: string | null;
}

export interface EnrollmentPageData {
  enrollmentId: string;
  companyId: string;
  companyName: string;
  pathwayName: string;
  status: string;
  statusCode: string;
  consultantName: string;
  consultantEmail: string;
  steps: StepRow[];
  timeline: TimelineItem[];
  may: EnrollmentPermissions;
  /** Steps completed, latest last: the one a reopen acts on is the last. */
  reopenable: { key: string; name: string } | null;
  /** Consultants another may be assigned from (staff only). */
  consultants: { value: string; label: string }[];
  currentDueIso: string | null;
  /** The enrollment's uploads, shown beside the timeline. */
  documents?: DocumentTimelineItem[];
}

/** Names for the people a timeline mentions: users, participants, the consultant; "system" as such. */
async function namesFor(db: Db, ids: string[], known: Map<string, string>): Promise<Map<string, string>> {
  const emails = [...new Set(ids.map((i) => i.toLowerCase()))].filter((e) => e.includes('@') && !known.has(e));
  if (emails.length > 0) {
    const users = await db.user.findMany({ where: { email: { in: emails } }, select: { email: true, name: true } });
    for (const u of users) known.set(u.email.toLowerCase(), u.name);
  }
  return known;
}

export async function loadEnrollmentPage(
  db: Db,
  service: Service,
  p: Principal,
  id: string,
  locale: Locale,
): Promise<EnrollmentPageData> {
  const w = W[locale];
  const e = await service.getEnrollment(id);
  const stored = await db.enrollment.findUniqueOrThrow({
    where: { id },
    select: { currentDueAt: true, companyId: true, company: { select: { atsCode: true, networkId: true } } },
  });
  const [milestones, extendAudits] = await Promise.all([
    enrollmentTimeline(db, e.id),
    db.auditLog.findMany({
      where: { entity: 'enrollment', entityId: e.id, action: 'step.extend' },
      orderBy: { at: 'asc' },
      select: { before: true },
    }),
  ]);
  const def = findPathwayVersion(e.kind, e.catalogueVersion);
  const when = (iso: string | null | undefined) => (iso ? formatRomeDateTime(Date.parse(iso), locale) : '—');

  // People by name.
  const known = new Map<string, string>();
  for (const pp of e.participants) known.set(pp.email.toLowerCase(), pp.name);
  known.set(e.consultant.email.toLowerCase(), e.consultant.name);
  await namesFor(
    db,
    milestones.flatMap((m) => [m.actor, ...(m.type === 'consultant_assigned' && m.note ? [m.note] : [])]),
    known,
  );
  const nameOf = (idOrEmail: string) =>
    idOrEmail === 'system' ? w.system : (known.get(idOrEmail.toLowerCase()) ?? idOrEmail);

  // The due date each extension moved from: the audit's state before, in order per step.
  const auditedOld = new Map<string, (string | null)[]>();
  for (const a of extendAudits) {
    try {
      const before = JSON.parse(a.before ?? '{}') as {
        stepKey?: string;
        steps?: { key: string; dueAt: string | null }[];
      };
      if (!before.stepKey) continue;
      const old = before.steps?.find((s) => s.key === before.stepKey)?.dueAt ?? null;
      auditedOld.set(before.stepKey, [...(auditedOld.get(before.stepKey) ?? []), old]);
    } catch {
      /* an unreadable audit row tells nothing */
    }
  }
  const extensionsSeen = new Map<string, number>();
  const lastDue = new Map<string, string>();
  const timeline: TimelineItem[] = milestones.map((m) => {
    let oldDue: string | null = null;
    let newDue: string | null = null;
    if (m.type === 'due_extended' && m.stepKey) {
      const n = extensionsSeen.get(m.stepKey) ?? 0;
      extensionsSeen.set(m.stepKey, n + 1);
      const old = auditedOld.get(m.stepKey)?.[n] ?? lastDue.get(m.stepKey) ?? null;
      oldDue = old ? when(old) : null;
      newDue = when(m.dueAt);
    }
    if (m.stepKey && m.dueAt) lastDue.set(m.stepKey, m.dueAt);
    const hasReason = m.type === 'step_reopened' || m.type === 'due_extended' || m.type === 'withdrawn';
    return {
      at: m.occurredAt,
      when: when(m.occurredAt),
      label: MILESTONE_LABEL[m.type]?.[locale] ?? m.type,
      stepName: def?.steps.find((s) => s.key === m.stepKey)?.name[locale] ?? null,
      actorName: nameOf(m.actor),
      late: m.onTime === false,
      evidence: m.evidence || null,
      reason: hasReason ? m.note || null : null,
      oldDue,
      newDue,
      assignedTo: m.type === 'consultant_assigned' && m.note ? nameOf(m.note) : null,
    };
  });

  // Steps: the live state when the worker answers, else what the milestones tell.
  const live = new Map((e.pathway?.steps ?? []).map((s) => [s.key, s]));
  const doneFromMilestones = new Map<string, string>();
  for (const m of milestones) {
    if (!m.stepKey) continue;
    if (m.type === 'step_completed') doneFromMilestones.set(m.stepKey, m.occurredAt);
    if (m.type === 'step_reopened') doneFromMilestones.delete(m.stepKey);
  }
  const closedLabel = ENROLLMENT_STATUS[locale][e.status] ?? e.status;
  const steps: StepRow[] = (def?.steps ?? []).map((s) => {
    const l = live.get(s.key);
    const doneAt = l?.completedAt ?? doneFromMilestones.get(s.key) ?? null;
    let code: StepRow['statusCode'] = l ? l.status : doneAt ? 'done' : s.key === e.currentStep ? 'active' : 'pending';
    if (e.status !== 'active' && code !== 'done') code = 'closed';
    const status = code === 'closed' ? `${w.notCarried} (${closedLabel})` : STEP_STATUS[locale][code];
    const dueIso = l?.dueAt ?? (s.key === e.currentStep ? (stored.currentDueAt?.toISOString() ?? null) : null);
    return {
      key: s.key,
      name: s.name[locale],
      status,
      statusCode: code,
      due: code === 'closed' ? '—' : when(dueIso),
      completed: when(doneAt),
      evidenceLabel: s.evidence?.label[locale] ?? null,
    };
  });
  const doneSteps = [...doneFromMilestones.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const lastDone = doneSteps.at(-1)?.[0];
  const may = enrollmentPermissions(
    p,
    {
      status: e.status,
      currentStep: e.currentStep,
      consultantEmail: e.consultant.email,
      companyId: stored.companyId,
      company: stored.company,
    },
    def,
  );
  const consultants = may.reassign
    ? (
        await db.user.findMany({
          where: {
            role: 'consultant',
            disabledAt: null,
            ...(p.role === 'coordinator' ? { OR: [{ atsCode: p.atsCode }, { atsCode: null }] } : {}),
          },
          select: { email: true, name: true },
          orderBy: { name: 'asc' },
          take: 1000,
        })
      )
        .filter((c) => c.email.toLowerCase() !== e.consultant.email.toLowerCase())
        .map((c) => ({ value: c.email, label: `${c.name} (${c.email})` }))
    : [];
  const currentDue = e.pathway?.steps.find((s) => s.key === e.currentStep)?.dueAt ?? stored.currentDueAt?.toISOString();
  return {
    enrollmentId: e.id,
    companyId: e.company.id,
    companyName: e.company.name,
    pathwayName: def?.name[locale] ?? e.kind,
    status: closedLabel,
    statusCode: e.status,
    consultantName: e.consultant.name,
    consultantEmail: e.consultant.email,
    steps,
    timeline,
    may,
    reopenable: lastDone
      ? { key: lastDone, name: def?.steps.find((s) => s.key === lastDone)?.name[locale] ?? lastDone }
      : null,
    consultants,
    currentDueIso: currentDue ?? null,
    documents: await loadDocumentTimeline(db, e.id, def, locale),
  };
}

/** A firm as the caller may see it: its details, participants and contacts, and its pathways in scope. */
export async function loadCompanyPage(db: Db, p: Principal, companyId: string, locale: Locale) {
  const company = await db.company.findUnique({
    where: { id: companyId },
    include: {
      participants: { where: { removedAt: null }, orderBy: { createdAt: 'asc' } },
      network: { select: { id: true, name: true } },
      members: { select: { id: true, name: true }, orderBy: { name: 'asc' } },
    },
  });
  if (!company) return null;
  const enrollments = await db.enrollment.findMany({
    where: { AND: [enrollmentScope(p), { companyId }] },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      kind: true,
      catalogueVersion: true,
      programmeCode: true,
      status: true,
      currentStep: true,
      currentDueAt: true,
      consultantName: true,
    },
  });
  // Only a firm with a pathway the caller may see is shown at all (admins see every firm).
  if (enrollments.length === 0 && p.role !== 'admin') return null;
  const now = Date.now();
  return {
    id: company.id,
    name: company.name,
    vatNumber: company.vatNumber,
    province: findProvince(company.province)?.name ?? company.province,
    city: company.city,
    network: ATS_NETWORKS.find((a) => a.code === company.atsCode)?.name ?? company.atsCode,
    businessNetwork: company.network,
    members: company.members,
    participants: company.participants.map((pp) => ({ name: pp.name, email: pp.email, role: pp.role })),
    enrollments: enrollments.map((e) => {
      const def = findPathwayVersion(e.kind, e.catalogueVersion);
      const open = e.status === 'active';
      const due = open ? e.currentDueAt?.getTime() : undefined;
      return {
        id: e.id,
        pathwayName: def?.name[locale] ?? e.kind,
        edition: e.programmeCode,
        status: ENROLLMENT_STATUS[locale][e.status] ?? e.status,
        stepName: open ? (def?.steps.find((s) => s.key === e.currentStep)?.name[locale] ?? '—') : '—',
        due: due === undefined ? '—' : formatRomeDateTime(due, locale),
        daysLate: due !== undefined && due < now ? Math.floor((now - due) / DAY) + 1 : 0,
        consultantName: e.consultantName,
      };
    }),
  };
}
export type CompanyPageData = NonNullable<Awaited<ReturnType<typeof loadCompanyPage>>>;

/**
 * Each consultant's open pathways and how many are overdue, in the caller's scope. The network page
 * (admins, coordinators) counts both in one pass over the open pathways, its network's firms
 * found first by their atsCode index; any other role through the scope filter, as the lists do.
 */
export async function loadWorkload(db: Db, p: Principal, now: number) {
  let counted: { email: string; name: string; open: number; overdue: number }[];
  if (p.role === 'admin' || p.role === 'coordinator') {
    const overdue = before(dialectOfDb(db), 'e."currentDueAt"', new Date(now));
    const network =
      p.role === 'coordinator'
        ? Prisma.sql`AND e."companyId" IN (SELECT c."id" FROM "Company" c WHERE c."atsCode" = ${p.atsCode ?? '\u0000'})`
        : Prisma.empty;
    const rows = await db.$queryRaw<{ email: string; name: string; open: unknown; overdue: unknown }[]>(Prisma.sql`
      SELECT e."consultantEmail" AS email, e."consultantName" AS name, COUNT(*) AS open,
        SUM(CASE WHEN e."currentDueAt" IS NOT NULL AND ${overdue} THEN 1 ELSE 0 END) AS overdue
      FROM "Enrollment" e
      WHERE e."status" = 'active' ${network}
      GROUP BY e."consultantEmail", e."consultantName"`);
    counted = rows.map((r) => ({ email: r.email, name: r.name, open: Number(r.open), overdue: Number(r.overdue) }));
  } else {
    const scope = enrollmentScope(p);
    const [open, late] = await Promise.all([
      db.enrollment.groupBy({
        by: ['consultantEmail', 'consultantName'],
        where: { AND: [scope, { status: 'active' }] },
        _count: { _all: true },
      }),
      db.enrollment.groupBy({
        by: ['consultantEmail', 'consultantName'],
        where: { AND: [scope, { status: 'active', currentDueAt: { lt: new Date(now) } }] },
        _count: { _all: true },
      }),
    ]);
    const lateBy = new Map(late.map((l) => [`${l.consultantEmail}\n${l.consultantName}`, l._count._all]));
    counted = open.map((o) => ({
      email: o.consultantEmail,
      name: o.consultantName,
      open: o._count._all,
      overdue: lateBy.get(`${o.consultantEmail}\n${o.consultantName}`) ?? 0,
    }));
  }
  // One row per consultant (a renamed one may have pathways under both names).
  const rows = new Map<string, { email: string; name: string; open: number; overdue: number }>();
  for (const c of counted) {
    const r = rows.get(c.email) ?? { email: c.email, name: c.name, open: 0, overdue: 0 };
    r.open += c.open;
    r.overdue += c.overdue;
    rows.set(c.email, r);
  }
  return [...rows.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.name.localeCompare(b.name));
}
export type WorkloadRow = Awaited<ReturnType<typeof loadWorkload>>[number];
