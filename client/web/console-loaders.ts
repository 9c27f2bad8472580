/**
 * The data of the Region's console pages (admin only): users with search, filters and paging; a
 * user with their tokens and history; the audit log with names instead of ids and the changed
 * fields of each entry; the funding ledger and its whole ranking.
 */
import type { Db } from '../../infra/db';
import { dialectOfDb } from '../../infra/db';
import type { Prisma } from '../../generated/prisma/client';
import { ROLES } from '../auth/principal';
import { findUserView, listApiTokens } from '../auth/users';
import { rankingStandings, type RankingEntry } from '../../domain/funding';
import { fundingLedger, LEDGER_ENTITY, loadFundingProjects, type FundingLedger } from '../funding-store';
import type { Locale } from '../../domain/locale';
import { addDays, parseIsoDate, romeToEpochMs } from '../../domain/calendar';

export const CONSOLE_PAGE_SIZE = 25;

export interface UserFilters {
  q: string;
  role: string;
  ats: string;
  status: '' | 'active' | 'disabled';
  page: number;
}

export interface ConsoleUserRow {
  id: string;
  name: string;
  email: string;
  role: string;
  atsCode: string | null;
  allianceCode: string | null;
  disabled: boolean;
  lastSignInAt: string | null;
}

/** The query of the users page, read defensively: anything unknown is ignored, not an error. */
export function userFiltersOf(query: Record<string, unknown>): UserFilters {
  const str = (k: string, max = 120) => (typeof query[k] === 'string' ? (query[k] as string).trim().slice(0, max) : '');
  const role = str('role');
  const status = str('status');
  const page = Number.parseInt(str('page', 6), 10);
  return {
    q: str('q'),
    role: (ROLES as readonly string[]).includes(role) ? role : '',
    ats: str('ats', 40),
    status: status === 'active' || status === 'disabled' ? status : '',
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
  };
}

const contains = (db: Db, value: string) =>
  dialectOfDb(db) === 'postgresql'
    ? { contains: value, mode: 'insensitive' as const }
    : // SQLite's LIKE ignores the case of ASCII letters already.
      { contains: value };

export async function loadConsoleUsers(db: Db, f: UserFilters) {
  const where: Prisma.UserWhereInput = {
    ...(f.q ? { OR: [{ name: contains(db, f.q) }, { email: contains(db, f.q.toLowerCase()) }] } : {}),
    ...(f.role ? { role: f.role } : {}),
    ...(f.ats ? { atsCode: f.ats } : {}),
    ...(f.status === 'active' ? { disabledAt: null } : f.status === 'disabled' ? { disabledAt: { not: null } } : {}),
  };
  const [total, rows] = await Promise.all([
    db.user.count({ where }),
    db.user.findMany({
      where,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: (f.page - 1) * CONSOLE_PAGE_SIZE,
      take: CONSOLE_PAGE_SIZE,
    }),
  ]);
  const items: ConsoleUserRow[] = rows.map((u) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    atsCode: u.atsCode,
    allianceCode: u.allianceCode,
    disabled: u.disabledAt !== null,
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
  }));
  return { items, total, page: f.page, pages: Math.max(1, Math.ceil(total / CONSOLE_PAGE_SIZE)) };
}

export async function loadConsoleUser(db: Db, id: string, locale: Locale) {
  const user = await findUserView(db, id);
  if (!user) return null;
  const row = (await db.user.findUnique({ where: { id } }))!;
  const company = user.companyId ? await db.company.findUnique({ where: { id: user.companyId } }) : null;
  const tokens = (await listApiTokens(db, id, { limit: 200 })).items;
  const history = await loadAudit(db, { ...EMPTY_AUDIT_FILTERS, entity: 'user', entityId: id }, locale, 10);
  return {
    user,
    allianceCode: row.allianceCode,
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
    companyName: company?.name ?? null,
    companyVatNumber: company?.vatNumber ?? null,
    tokens,
    history: history.items,
  };
}

export interface AuditFilters {
  entity: string;
  entityId: string;
  actor: string;
  action: string;
  /** YYYY-MM-DD, Europe/Rome, inclusive. */
  from: string;
  to: string;
  cursor: string;
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = {
  entity: '',
  entityId: '',
  actor: '',
  action: '',
  from: '',
  to: '',
  cursor: '',
};

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function auditFiltersOf(query: Record<string, unknown>): AuditFilters {
  const str = (k: string, max: number) =>
    typeof query[k] === 'string' ? (query[k] as string).trim().slice(0, max) : '';
  const day = (k: string) => {
    const v = str(k, 10);
    if (!ISO_DAY.test(v)) return '';
    try {
      parseIsoDate(v);
      return v;
    } catch {
      return '';
    }
  };
  return {
    entity: str('entity', 40),
    entityId: str('entityId', 254),
    actor: str('actor', 254),
    action: str('action', 80),
    from: day('from'),
    to: day('to'),
    cursor: str('cursor', 64),
  };
}

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actorId: string;
  actorName: string;
  actorRole: string;
  action: string;
  entity: string;
  entityId: string;
  entityLabel: string;
  /** The fields that differ between before and after (every field of a creation or deletion). */
  changes: FieldChange[];
}

const shown = (v: unknown): string | null => (v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));

/** Field-level difference of two audit snapshots (objects), or one "value" row for anything else. */
export function diffSnapshots(before: unknown, after: unknown): FieldChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if ((before === null || isObj(before)) && (after === null || isObj(after))) {
    const b = before ?? {};
    const a = after ?? {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return keys
      .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
      .map((k) => ({ field: k, before: shown(b[k]), after: shown(a[k]) }));
  }
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [{ field: '—', before: shown(before), after: shown(after) }];
}

/** Rome midnight of an ISO day (plus some days) as a Date: the console's date filters are Rome days. */
function romeDayStart(iso: string, plusDays = 0): Date {
  const d = addDays(parseIsoDate(iso), plusDays);
  return new Date(romeToEpochMs(d.year, d.month, d.day));
}

export async function loadAudit(db: Db, f: AuditFilters, locale: Locale, limit = CONSOLE_PAGE_SIZE) {
  // An actor is chosen by name or email: every user it matches counts, as well as an exact id.
  let actorIds: string[] | undefined;
  if (f.actor) {
    const users = await db.user.findMany({
      where: { OR: [{ name: contains(db, f.actor) }, { email: contains(db, f.actor.toLowerCase()) }] },
      select: { id: true },
      take: 200,
    });
    actorIds = [f.actor, ...users.map((u) => u.id)];
  }
  const where: Prisma.AuditLogWhereInput = {
    ...(f.entity ? { entity: f.entity } : {}),
    ...(f.entityId ? { entityId: f.entityId } : {}),
    ...(actorIds ? { actorId: { in: actorIds } } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.from || f.to
      ? { at: { ...(f.from ? { gte: romeDayStart(f.from) } : {}), ...(f.to ? { lt: romeDayStart(f.to, 1) } : {}) } }
      : {}),
  };
  const rows = await db.auditLog.findMany({
    where,
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(f.cursor ? { cursor: { id: f.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  const names = await labels(db, page, locale);
  const parse = (s: string | null): unknown => (s === null ? null : (JSON.parse(s) as unknown));
  const items: AuditEntryView[] = page.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorName: names.actors.get(r.actorId) ?? r.actorId,
    actorRole: r.actorRole,
    action: r.action,
    entity: r.entity,
    entityId: r.entityId,
    entityLabel: names.entities.get(`${r.entity}:${r.entityId}`) ?? r.entityId,
    changes: diffSnapshots(parse(r.before), parse(r.after)),
  }));
  return { items, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

/** Names for the ids of one page: actors (users, the system, the CLI) and entities by kind. */
async function labels(
  db: Db,
  rows: { actorId: string; entity: string; entityId: string }[],
  locale: Locale,
): Promise<{ actors: Map<string, string>; entities: Map<string, string> }> {
  const ids = (entity: string) => [...new Set(rows.filter((r) => r.entity === entity).map((r) => r.entityId))];
  const userIds = [...new Set([...rows.map((r) => r.actorId), ...ids('user')])];
  const [users, enrollments, companies] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }),
    db.enrollment.findMany({
      where: { id: { in: ids('enrollment') } },
      select: { id: true, kind: true, company: { select: { name: true } } },
    }),
    db.company.findMany({ where: { id: { in: ids('company') } }, select: { id: true, name: true } }),
  ]);
  const actors = new Map<string, string>();
  const entities = new Map<string, string>();
  for (const u of users) {
    actors.set(u.id, `${u.name} <${u.email}>`);
    entities.set(`user:${u.id}`, `${u.name} <${u.email}>`);
  }
  for (const r of rows) {
    if (r.actorId === 'system') actors.set(r.actorId, locale === 'it' ? 'sistema' : 'system');
    else if (r.actorId.startsWith('cli:')) actors.set(r.actorId, `CLI (${r.actorId.slice(4)})`);
    else if (r.actorId.startsWith('recipient:')) actors.set(r.actorId, r.actorId.slice('recipient:'.length));
  }
  for (const e of enrollments) entities.set(`enrollment:${e.id}`, `${e.company.name} · ${e.kind}`);
  for (const c of companies) entities.set(`company:${c.id}`, c.name);
  for (const r of rows)
    if (r.entity === LEDGER_ENTITY)
      entities.set(`${r.entity}:${r.entityId}`, locale === 'it' ? 'Registro dei finanziamenti' : 'Funding ledger');
  return { actors, entities };
}

/** Entities and actions present in the log, for the filter's choices. */
export async function auditChoices(db: Db): Promise<{ entities: string[]; actions: string[] }> {
  const [entities, actions] = await Promise.all([
    db.auditLog.findMany({ distinct: ['entity'], select: { entity: true }, orderBy: { entity: 'asc' } }),
    db.auditLog.findMany({ distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } }),
  ]);
  return { entities: entities.map((e) => e.entity), actions: actions.map((a) => a.action) };
}

export interface FundingConsoleData {
  ledger: FundingLedger;
  ranking: RankingEntry[];
  /** Sum of the grants of the admitted projects not yet funded. */
  unfundedCents: number;
  grantedCents: number;
}

export async function loadFundingConsole(db: Db): Promise<FundingConsoleData> {
  const projects = await loadFundingProjects(db);
  const ranking = rankingStandings(projects);
  const sum = (s: RankingEntry['standing']) =>
    ranking.filter((r) => r.standing === s).reduce((t, r) => t + r.project.requestedGrantCents, 0);
  return {
    ledger: await fundingLedger(db),
    ranking,
    unfundedCents: sum('admitted_unfunded'),
    grantedCents: sum('funded'),
  };
}
