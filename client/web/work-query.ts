/**
 * The work list at the scale of a region: one query (search, filters, sort, page) read from the
 * URL, turned into one Prisma filter inside the caller's scope, and the rows the screen and its
 * CSV share. Offset paging over the Enrollment indexes (programmeCode+status, currentDueAt,
 * createdAt) and Company name; a page is at most 100 rows.
 */
import { z } from 'zod';
import type { Db } from '../../infra/db';
import type { Dialect } from '../../infra/db-url';
import type { Prisma } from '../../generated/prisma/client';
import { companiesNamed } from './work-search';
import { formatRomeDateTime } from '../../domain/calendar';
import { pathwayAndStepNames } from '../../domain/catalogue-history';
import { CATALOGUE, CATALOGUE_VERSIONS } from '../../domain/catalogue';
import { ATS_NETWORKS } from '../../domain/territory';
import { enrollmentScope, type Principal } from '../auth/principal';
import { ENROLLMENT_STATUS, type Locale } from './views/texts';
import { csvCell } from '../../reports/csv';

const DAY = 86_400_000;

const opt = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

export const WORK_STATUSES = ['active', 'completed', 'withdrawn', 'expired', 'all'] as const;
export const WORK_SORTS = ['due', 'created', 'company', 'status'] as const;
export const PAGE_SIZES = [25, 50, 100] as const;

/** The URL's query; anything unknown falls back to its default instead of failing the page. */
export const workQuerySchema = z.object({
  q: opt(120),
  edition: opt(60),
  ats: opt(60),
  alliance: opt(60),
  kind: opt(60),
  step: opt(60),
  consultant: opt(254),
  status: z.enum(WORK_STATUSES).catch('active').default('active'),
  overdue: z.enum(['1']).optional().catch(undefined),
  sort: z.enum(WORK_SORTS).catch('due').default('due'),
  dir: z.enum(['asc', 'desc']).catch('asc').default('asc'),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: z.coerce
    .number()
    .int()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
    .catch(25)
    .default(25),
});
export type WorkQuery = z.output<typeof workQuerySchema>;

export function parseWorkQuery(query: unknown): WorkQuery {
  const parsed = workQuerySchema.safeParse(query ?? {});
  return parsed.success ? parsed.data : workQuerySchema.parse({});
}

/** The query back as a URL query string, defaults left out (what links and the CSV link carry). */
export function workQueryString(
  q: WorkQuery,
  override: Partial<Record<keyof WorkQuery, string | number | undefined>> = {},
) {
  const merged: Record<string, unknown> = { ...q, ...override };
  const defaults: Record<string, unknown> = { status: 'active', sort: 'due', dir: 'asc', page: 1, size: 25 };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || v === '' || defaults[k] === v) continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A search that is neither a VAT number nor a tax code: a part of the firm's name. */
export function nameSearchOf(q: WorkQuery): string | null {
  if (!q.q) return null;
  const vat = q.q.replace(/\s+/g, '').toUpperCase().replace(/^IT/, '');
  return /^\d+$/.test(vat) || /^[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]$/.test(vat) ? null : q.q;
}

/**
 * `named`: the companies the name search found first (client/web/work-search.ts), or null when
 * there were too many and the search goes through the join.
 */
export function workWhere(
  p: Principal,
  q: WorkQuery,
  now: number,
  dialect: Dialect,
  named: string[] | null = null,
): Prisma.EnrollmentWhereInput {
  const and: Prisma.EnrollmentWhereInput[] = [enrollmentScope(p)];
  if (q.status !== 'all') and.push({ status: q.status });
  if (q.edition) and.push({ programmeCode: q.edition });
  if (q.alliance) and.push({ allianceCode: q.alliance });
  if (q.kind) and.push({ kind: q.kind });
  if (q.step) and.push({ currentStep: q.step });
  if (q.consultant) and.push({ consultantEmail: q.consultant.toLowerCase() });
  if (q.ats) and.push({ company: { atsCode: q.ats } });
  if (q.overdue) and.push({ status: 'active', currentDueAt: { lt: new Date(now) } });
  if (q.q) {
    const insensitive = dialect === 'postgresql' ? { mode: 'insensitive' as const } : {};
    const vat = q.q.replace(/\s+/g, '').toUpperCase().replace(/^IT/, '');
    // A whole VAT number (11 digits) is looked up on its unique index; other digits are a prefix;
    // anything else is a part of the firm's name, or a tax code (16 characters) as typed.
    if (/^\d{11}$/.test(vat) || /^[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]$/.test(vat))
      and.push({ company: { vatNumber: vat } });
    else if (/^\d+$/.test(vat)) and.push({ company: { vatNumber: { startsWith: vat } } });
    else if (named) and.push({ companyId: { in: named } });
    else and.push({ company: { name: { contains: q.q, ...insensitive } } });
  }
  return { AND: and };
}

function workOrder(q: WorkQuery, dialect: Dialect): Prisma.EnrollmentOrderByWithRelationInput[] {
  const dir = q.dir;
  const tie = { id: dir } as const;
  // Active pathways have a due date: a plain order walks the currentDueAt index and stops after a
  // page, where NULLS LAST (needed only when closed pathways are listed) sorts every row first.
  const due = q.status === 'active' ? { currentDueAt: dir } : { currentDueAt: { sort: dir, nulls: 'last' as const } };
  switch (q.sort) {
    case 'created':
      return [{ createdAt: dir }, tie];
    case 'company':
      return [{ company: { name: dir } }, tie];
    case 'status':
      return [{ status: dir }, due, tie];
    case 'due':
      // SQLite walks the currentDueAt index only without a second key; its entries are in
      // (currentDueAt, rowid) order, so ties still page stably. PostgreSQL keeps the id.
      return q.status === 'active' && dialect === 'sqlite' ? [due] : [due, tie];
  }
}

/** One row as the screen and the CSV show it. */
export interface WorkRow {
  enrollmentId: string;
  companyId: string;
  companyName: string;
  vatNumber: string;
  pathwayName: string;
  stepName: string;
  stepKey: string | null;
  consultantName: string;
  consultantEmail: string;
  /** Formatted due date, or a dash. */
  due: string;
  /** Whole days past the due date (0 when not late or no open step). */
  daysLate: number;
  status: string;
  statusCode: string;
}

export interface WorkPage {
  rows: WorkRow[];
  total: number;
  pages: number;
  query: WorkQuery;
}

export async function loadWorkPage(
  db: Db,
  dialect: Dialect,
  p: Principal,
  q: WorkQuery,
  locale: Locale,
  now: number,
): Promise<WorkPage> {
  const text = nameSearchOf(q);
  const where = workWhere(p, q, now, dialect, text === null ? null : await companiesNamed(db, dialect, text));
  const [total, found] = await Promise.all([
    db.enrollment.count({ where }),
    db.enrollment.findMany({
      where,
      select: {
        id: true,
        kind: true,
        catalogueVersion: true,
        currentStep: true,
        currentDueAt: true,
        status: true,
        consultantEmail: true,
        consultantName: true,
        company: { select: { id: true, name: true, vatNumber: true } },
      },
      orderBy: workOrder(q, dialect),
      skip: (q.page - 1) * q.size,
      take: q.size,
    }),
  ]);
  const rows = found.map((e): WorkRow => {
    const open = e.status === 'active' && e.currentStep !== null;
    const n = pathwayAndStepNames(e.kind, e.catalogueVersion, open ? e.currentStep : null, locale);
    const due = open ? e.currentDueAt?.getTime() : undefined;
    return {
      enrollmentId: e.id,
      companyId: e.company.id,
      companyName: e.company.name,
      vatNumber: e.company.vatNumber,
      pathwayName: n.pathwayName,
      stepName: open ? n.stepName : '—',
      stepKey: open ? e.currentStep : null,
      consultantName: e.consultantName,
      consultantEmail: e.consultantEmail,
      due: due === undefined ? '—' : formatRomeDateTime(due, locale),
      daysLate: due !== undefined && due < now ? Math.floor((now - due) / DAY) + 1 : 0,
      status: ENROLLMENT_STATUS[locale][e.status] ?? e.status,
      statusCode: e.status,
    };
  });
  return { rows, total, pages: Math.max(1, Math.ceil(total / q.size)), query: q };
}

export const WORK_COLUMNS = {
  it: ['Impresa', 'Partita IVA', 'Percorso', 'Attività', 'Consulente', 'Scadenza', 'Giorni di ritardo', 'Stato'],
  en: ['Company', 'VAT number', 'Pathway', 'Step', 'Consultant', 'Due', 'Days late', 'Status'],
} as const;

/** The cells of a row, in WORK_COLUMNS order: the table and the CSV are built from these. */
export function workCells(r: WorkRow): string[] {
  return [r.companyName, r.vatNumber, r.pathwayName, r.stepName, r.consultantName, r.due, String(r.daysLate), r.status];
}

export function workCsv(page: WorkPage, locale: Locale): string {
  const lines = [WORK_COLUMNS[locale], ...page.rows.map(workCells)].map((cells) => cells.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Choices for the filter form: editions and their alliances, the catalogue's kinds and steps, consultants. */
export async function loadWorkFilters(db: Db, p: Principal, locale: Locale) {
  const [programmes, consultants] = await Promise.all([
    db.programme.findMany({ select: { code: true, name: true, alliances: true }, orderBy: { code: 'asc' } }),
    db.user.findMany({
      where: {
        role: 'consultant',
        disabledAt: null,
        ...(p.role === 'coordinator' ? { OR: [{ atsCode: p.atsCode }, { atsCode: null }] } : {}),
      },
      select: { email: true, name: true },
      orderBy: { name: 'asc' },
      take: 1000,
    }),
  ]);
  const alliances = new Map<string, string>();
  for (const e of programmes) {
    let list: { code: string; name: string; atsCode?: string }[] = [];
    try {
      list = JSON.parse(e.alliances) as typeof list;
    } catch {
      list = [];
    }
    for (const a of list) if (p.role !== 'coordinator' || a.atsCode === p.atsCode) alliances.set(a.code, a.name);
  }
  const kinds = Object.values(CATALOGUE).map((d) => ({ value: d.kind, label: d.name[locale] }));
  const steps = new Map<string, string>();
  for (const d of CATALOGUE_VERSIONS) for (const s of d.steps) if (!steps.has(s.key)) steps.set(s.key, s.name[locale]);
  return {
    editions: programmes.map((e) => ({ value: e.code, label: e.name })),
    alliances: [...alliances].map(([value, label]) => ({ value, label })),
    kinds,
    steps: [...steps].map(([value, label]) => ({ value, label })),
    consultants: consultants.map((c) => ({ value: c.email, label: c.name })),
    networks: p.role === 'admin' ? ATS_NETWORKS.map((a) => ({ value: a.code, label: a.name })) : [],
  };
}
export type WorkFilters = Awaited<ReturnType<typeof loadWorkFilters>>;
