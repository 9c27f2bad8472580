/**
 * The work list's search by firm name (client/web/work-search.ts): companies first by their
 * folded `searchName`, then their pathways by id. The same rows as the search through the join for
 * plain text, and accented capitals folded on SQLite too; `%` and `_` are letters, not wildcards.
 * SQLite here; PostgreSQL through scripts/test-postgres.ts.
 */
import type { Principal } from '../../client/auth/principal';
import { loadWorkPage, parseWorkQuery, workWhere } from '../../client/web/work-query';
import { companiesNamed } from '../../client/web/work-search';
import { dialectOfDb, type Db } from '../../infra/db';
import { seededWorkspaceDb } from '../support/workspace-db';

const NOW = Date.UTC(2026, 11, 1, 9, 0);
const admin: Principal = {
  userId: 'u-admin',
  email: 'anna@regione.test',
  name: 'Anna',
  role: 'admin',
  atsCode: null,
  companyId: null,
  locale: 'it',
  via: 'token',
};
const FIRMS = ['Società Agricola Àlpina', 'SOCIETÀ DEI SERVIZI ÈTICI', 'Caffè Ñandú 50% S.r.l.', 'Studio_Dell’Orto'];

describe('work list search by firm name', () => {
  let db: Db;

  seededWorkspaceDb({ enrollments: 300, milestonesPer: 4, consultants: 4, now: NOW }, (made) => (db = made));
  beforeAll(async () => {
    for (const [i, name] of FIRMS.entries()) {
      const company = await db.company.create({
        data: {
          name,
          vatNumber: `0900000000${i}`,
          province: 'MI',
          atsCode: 'ats-milano',
          sector: 'servizi',
          size: 'micro',
          staff: 3,
        },
      });
      await db.enrollment.create({
        data: {
          idempotencyKey: `search-${i}`,
          requestHash: 'x',
          programmeCode: 'demo-2026-2027',
          kind: 'time-saving',
          catalogueVersion: 1,
          companyId: company.id,
          consultantEmail: 'c@studio.test',
          consultantName: 'C',
          workflowId: `wf-search-${i}`,
        },
      });
    }
  });

  const search = async (q: string) =>
    (await loadWorkPage(db, dialectOfDb(db), admin, parseWorkQuery({ q, status: 'all', size: 100 }), 'it', NOW)).rows
      .map((r) => r.companyName)
      .sort();

  it.each(['Rossi 2', 'colombo', 'ROSSI 1', 'S.p.A.', 'Studio', 'zzz nothing'])(
    '"%s" gives the rows of the search through the join',
    async (q) => {
      const viaJoin = await db.enrollment.findMany({
        where: workWhere(admin, parseWorkQuery({ q, status: 'all' }), NOW, dialectOfDb(db), null),
        select: { company: { select: { name: true } } },
        take: 100,
      });
      const fast = await search(q);
      expect(fast).toEqual(viaJoin.map((e) => e.company.name).sort());
      if (q !== 'zzz nothing') expect(fast.length).toBeGreaterThan(0);
    },
  );

  it('folds accented capitals: SOCIETÀ, società and Società find the same firms', async () => {
    const expected = ['SOCIETÀ DEI SERVIZI ÈTICI', 'Società Agricola Àlpina'].sort();
    expect(await search('SOCIETÀ')).toEqual(expected);
    expect(await search('società')).toEqual(expected);
    expect(await search('Società')).toEqual(expected);
    expect(await search('àlpina')).toEqual(['Società Agricola Àlpina']);
    expect(await search('ètici')).toEqual(['SOCIETÀ DEI SERVIZI ÈTICI']);
    expect(await search('caffè ñandú')).toEqual(['Caffè Ñandú 50% S.r.l.']);
  });

  it('takes % and _ as themselves, and keeps up with a renamed firm', async () => {
    expect(await search('50%')).toEqual(['Caffè Ñandú 50% S.r.l.']);
    expect(await search('o_d')).toEqual(['Studio_Dell’Orto']);
    expect(await search('%')).toEqual(['Caffè Ñandú 50% S.r.l.']);
    const firm = await db.company.findFirstOrThrow({ where: { name: 'Studio_Dell’Orto' } });
    await db.company.update({ where: { id: firm.id }, data: { name: 'Studio Ùltimo' } });
    expect(await search('dell’orto')).toEqual([]);
    expect(await search('ÙLTIMO')).toEqual(['Studio Ùltimo']);
  });

  it('a search matching more firms than the cap answers null (the page then goes through the join)', async () => {
    expect(await companiesNamed(db, dialectOfDb(db), ' ')).toHaveLength(300 + FIRMS.length);
    expect(await companiesNamed(db, dialectOfDb(db), ' ', 300 + FIRMS.length)).toHaveLength(300 + FIRMS.length);
    expect(await companiesNamed(db, dialectOfDb(db), ' ', 300)).toBeNull();
  });
});
