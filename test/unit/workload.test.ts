/**
 * The network page's workload (client/web/workspace-loaders.ts loadWorkload): for admins and
 * coordinators one raw pass over the open pathways; the same rows as counting through the scope
 * filter with Prisma. SQLite here; PostgreSQL through scripts/test-postgres.ts.
 */
import type { Principal } from '../../client/auth/principal';
import { enrollmentScope } from '../../client/auth/principal';
import { loadWorkload } from '../../client/web/workspace-loaders';
import type { Db } from '../../infra/db';
import { seededWorkspaceDb } from '../support/workspace-db';

const NOW = Date.UTC(2026, 11, 1, 9, 0);
const who = (role: Principal['role'], atsCode: string | null): Principal => ({
  userId: `u-${role}`,
  email: `${role}@regione.test`,
  name: role,
  role,
  atsCode,
  companyId: null,
  locale: 'it',
  via: 'token',
});

describe('network page workload', () => {
  let db: Db;
  seededWorkspaceDb({ enrollments: 400, milestonesPer: 3, consultants: 9, now: NOW }, (made) => (db = made));

  it.each([
    ['admin', null],
    ['coordinator', 'ats-milano'],
    ['coordinator', 'ats-pavia'],
  ] as const)('%s %s: open and overdue per consultant as counted through the scope filter', async (role, ats) => {
    const p = who(role, ats);
    const scope = enrollmentScope(p);
    const open = await db.enrollment.groupBy({
      by: ['consultantEmail'],
      where: { AND: [scope, { status: 'active' }] },
      _count: { _all: true },
    });
    const late = await db.enrollment.groupBy({
      by: ['consultantEmail'],
      where: { AND: [scope, { status: 'active', currentDueAt: { lt: new Date(NOW) } }] },
      _count: { _all: true },
    });
    const expected = Object.fromEntries(
      open.map((o) => [
        o.consultantEmail,
        { open: o._count._all, overdue: late.find((l) => l.consultantEmail === o.consultantEmail)?._count._all ?? 0 },
      ]),
    );
    const rows = await loadWorkload(db, p, NOW);
    expect(Object.fromEntries(rows.map((r) => [r.email, { open: r.open, overdue: r.overdue }]))).toEqual(expected);
    expect(rows.some((r) => r.overdue > 0)).toBe(true);
    // Sorted: most overdue first.
    expect(rows.map((r) => r.overdue)).toEqual([...rows.map((r) => r.overdue)].sort((a, b) => b - a));
  });
});
