/**
 * What each dashboard page shows, read from the database and the service and shaped for its
 * view: the routes call one loader and render one view, and hold no query of their own.
 */
import type { Db } from '../../infra/db';
import type { Dialect } from '../../infra/db-url';
import { enrollmentTimeline, milestoneReport } from '../../reports/milestones';
import { formatRomeDateTime, localDateOf, romeToEpochMs } from '../../domain/calendar';
import { findPathwayVersion, pathwayAndStepNames } from '../../domain/catalogue-history';
import { ATS_NETWORKS } from '../../domain/territory';
import { enrollmentScope, type Principal } from '../auth/principal';
import type { Service } from '../service';
import type { EnrollmentStepRow, TimelineEntry } from './views/enrollment';
import { ENROLLMENT_STATUS, MILESTONE_LABEL, STEP_STATUS, type Locale } from './views/texts';
import type { WorkGroup, WorkItem } from './views/work-list';
import { loadDocumentTimeline } from './loaders-documents';

const DAY = 86_400_000;

/** The caller's active enrollments, grouped by how soon their current step is due. */
export async function loadWorkList(
  db: Db,
  p: Principal,
  locale: Locale,
  now: number,
): Promise<Record<WorkGroup, WorkItem[]>> {
  const today = localDateOf(now);
  const endOfToday = romeToEpochMs(today.year, today.month, today.day, 23, 59);
  const rows = await db.enrollment.findMany({
    where: { ...enrollmentScope(p), status: 'active' },
    include: { company: true },
    orderBy: [{ currentDueAt: 'asc' }, { id: 'asc' }],
    take: 500,
  });
  const groups: Record<WorkGroup, WorkItem[]> = { overdue: [], today: [], week: [], later: [] };
  for (const e of rows) {
    const due = e.currentDueAt?.getTime();
    const group: WorkGroup =
      due === undefined || due > now + 7 * DAY ? 'later' : due < now ? 'overdue' : due <= endOfToday ? 'today' : 'week';
    const n = pathwayAndStepNames(e.kind, e.catalogueVersion, e.currentStep, locale);
    groups[group].push({
      enrollmentId: e.id,
      companyName: e.company.name,
      pathwayName: n.pathwayName,
      stepName: n.stepName,
      due: due === undefined ? '—' : formatRomeDateTime(due, locale),
      stepKey: e.currentStep,
    });
  }
  return groups;
}

/** One enrollment's steps and timeline (the caller's right to see it is checked before). */
export async function loadEnrollment(db: Db, service: Service, id: string, locale: Locale) {
  const e = await service.getEnrollment(id);
  const milestones = await enrollmentTimeline(db, e.id);
  const def = findPathwayVersion(e.kind, e.catalogueVersion);
  const when = (iso: string | null) => (iso ? formatRomeDateTime(Date.parse(iso), locale) : '—');
  const steps: EnrollmentStepRow[] = (e.pathway?.steps ?? []).map((s) => ({
    key: s.key,
    name: s.name[locale],
    status: STEP_STATUS[locale][s.status],
    due: when(s.dueAt),
    completed: when(s.completedAt),
    completable: s.status === 'active' && e.status === 'active',
  }));
  const timeline: TimelineEntry[] = milestones.map((m) => ({
    at: m.occurredAt,
    when: when(m.occurredAt),
    label: MILESTONE_LABEL[m.type]?.[locale] ?? m.type,
    stepName: def?.steps.find((s) => s.key === m.stepKey)?.name[locale] ?? null,
    actor: m.actor,
    late: m.onTime === false,
    evidence: m.evidence || null,
  }));
  return {
    enrollmentId: e.id,
    companyName: e.company.name,
    pathwayName: def?.name[locale] ?? e.kind,
    status: ENROLLMENT_STATUS[locale][e.status] ?? e.status,
    consultantName: e.consultant.name,
    steps,
    timeline,
    documents: await loadDocumentTimeline(db, e.id, def, locale),
  };
}

/** The network overview of a coordinator (their network, by pathway) or an admin (every network). */
export async function loadNetwork(db: Db, dialect: Dialect, p: Principal, now: number) {
  const report = await milestoneReport(db, dialect, {
    by: p.role === 'coordinator' ? 'kind' : 'network',
    ...(p.role === 'coordinator' ? { atsCode: p.atsCode! } : {}),
    asOf: now,
  });
  const networkName = ATS_NETWORKS.find((a) => a.code === p.atsCode)?.name ?? 'Regione Lombardia';
  return { report, networkName };
}
