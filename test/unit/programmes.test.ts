/**
 * Programme editions: validation of what the Region sends, the rule that an edition takes
 * enrollments only in the actions it offers and with a known window, the public record's seed
 * (2017-2018 as its decrees left it), and seeding that never overwrites a later change (real
 * SQLite through Prisma).
 */
import { createDb, dialectOfDb, type Db } from '../../infra/db';
import {
  checkEditionConsistency,
  createProgrammeSchema,
  createProgrammeStore,
  ensureProgrammeSeeds,
  extendProgrammeSchema,
  updateProgrammeSchema,
} from '../../client/programmes';
import { EDITION_SEEDS } from '../../domain/editions-seed';
import { isDomainError } from '../../domain/errors';
import { enrollableProgramme, type Edition } from '../../domain/programmes';
import { createTestDb } from '../support/fixtures';

const valid = {
  code: '2028-2030',
  name: 'Piani Territoriali di Conciliazione 2028-2030',
  decision: 'DGR XII/1 del 1/1/2028',
  enrollmentOpensOn: '2028-03-01',
  enrollmentClosesOn: '2029-06-30',
  endsOn: '2030-12-15',
  atsCodes: ['ats-milano', 'ats-pavia'],
  actions: [{ kind: 'time-saving' }, { kind: 'congedo-flessibilita', catalogueVersion: 1 }],
  alliances: [{ code: 'alleanza-lodi', name: 'Alleanza del Lodigiano', atsCode: 'ats-milano' }],
};

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('validation', () => {
  test('a complete edition is accepted, with defaults for what is left out', () => {
    const r = createProgrammeSchema.safeParse(valid);
    expect(r.success).toBe(true);
    expect(createProgrammeSchema.parse({ code: 'x-1', name: 'X' })).toMatchObject({
      atsCodes: [],
      actions: [],
      alliances: [],
      sources: [],
      demo: false,
    });
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a date in another format', { endsOn: '15/12/2030' }, 'endsOn'],
    ['a day that does not exist', { enrollmentClosesOn: '2029-02-30' }, 'enrollmentClosesOn'],
    ['an unknown ATS', { atsCodes: ['ats-torino'] }, 'atsCodes.0'],
    ['a repeated ATS', { atsCodes: ['ats-pavia', 'ats-pavia'] }, 'atsCodes.1'],
    ['a kind not in the catalogue', { actions: [{ kind: 'babysitting' }] }, 'actions.0.kind'],
    [
      'a catalogue version that does not exist',
      { actions: [{ kind: 'time-saving', catalogueVersion: 9 }] },
      'actions.0.catalogueVersion',
    ],
    ['a repeated action', { actions: [{ kind: 'time-saving' }, { kind: 'time-saving' }] }, 'actions.1'],
    [
      'an alliance in an unknown ATS',
      { alliances: [{ code: 'a-b', name: 'A', atsCode: 'ats-x' }] },
      'alliances.0.atsCode',
    ],
    ['a code with capitals and spaces', { code: 'Edizione 2028' }, 'code'],
    ['a field the API does not know', { budget: 3 }, ''],
    ['a name on two lines', { name: 'Piani\nbis' }, 'name'],
  ])('refuses %s', (_label, change, path) => {
    const r = createProgrammeSchema.safeParse({ ...valid, ...change });
    expect(r.success).toBe(false);
    expect(issues(r)).toContain(path);
  });

  test('between fields: the window before the end, alliances in a taking-part ATS (reasons in both languages)', () => {
    const edition = (change: Partial<Edition>): Edition => ({
      ...createProgrammeSchema.parse(valid),
      decision: null,
      startsOn: null,
      originalEndsOn: null,
      sources: [],
      notes: null,
      enrollmentOpensOn: '2028-03-01',
      enrollmentClosesOn: '2029-06-30',
      endsOn: '2030-12-15',
      ...change,
    });
    expect(() => checkEditionConsistency(edition({}))).not.toThrow();
    const refusal = (change: Partial<Edition>) => {
      try {
        checkEditionConsistency(edition(change));
      } catch (err) {
        if (isDomainError(err)) return err;
      }
      throw new Error('accepted');
    };
    const closesAfterEnd = refusal({ enrollmentClosesOn: '2031-01-01' });
    expect(closesAfterEnd.code).toBe('invalid_request');
    expect(closesAfterEnd.messages.en).toMatch(/endsOn: 2030-12-15 is before enrollmentClosesOn 2031-01-01/);
    expect(closesAfterEnd.messages.it).toMatch(/2030-12-15 è prima di enrollmentClosesOn/);
    expect(refusal({ enrollmentOpensOn: '2029-07-01' }).messages.en).toMatch(/enrollmentClosesOn/);
    expect(refusal({ atsCodes: ['ats-pavia'] }).messages.en).toMatch(
      /alliances\.0\.atsCode: ATS ats-milano of alliance alleanza-lodi does not take part/,
    );
  });

  test('a change names at least one field and never the code; a decree names its end and itself', () => {
    expect(updateProgrammeSchema.safeParse({}).success).toBe(false);
    expect(updateProgrammeSchema.safeParse({ code: 'other' }).success).toBe(false);
    expect(updateProgrammeSchema.safeParse({ notes: null, decision: null }).success).toBe(true);
    expect(extendProgrammeSchema.parse({ endsOn: '2031-01-15', decree: 'DGR XII/9 del 1/2/2030' })).toEqual({
      endsOn: '2031-01-15',
      decree: 'DGR XII/9 del 1/2/2030',
      force: false,
    });
    expect(issues(extendProgrammeSchema.safeParse({ endsOn: '2031-13-01', decree: '' }))).toEqual(
      expect.arrayContaining(['endsOn', 'decree']),
    );
  });
});

describe('which editions take enrollments', () => {
  const seed = (code: string) => EDITION_SEEDS.find((e) => e.code === code)!;

  test('an edition refuses a kind it does not offer, naming those it offers', () => {
    const e = { ...seed('demo-2026-2027'), actions: [{ kind: 'time-saving' }] };
    const r = enrollableProgramme(e, 'congedo-flessibilita');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('kind_not_offered');
    expect(r.error.messages.en).toBe(
      'Programme demo-2026-2027 does not offer pathway "congedo-flessibilita". Pathways offered: time-saving.',
    );
    expect(r.error.messages.it).toMatch(/non offre il percorso "congedo-flessibilita"/);
  });

  test('an edition with no actions yet (2025-2027) says so', () => {
    const r = enrollableProgramme(seed('2025-2027'), 'time-saving');
    expect(!r.ok && r.error.code).toBe('programme_offers_no_action');
  });

  test('2017-2018 has no enrollment window on record, so it takes nobody, and says why', () => {
    const r = enrollableProgramme(seed('2017-2018'), 'time-saving');
    expect(!r.ok && r.error.code).toBe('enrollment_window_unknown');
    expect(!r.ok && r.error.messages.en).toMatch(/no enrollment window on record/);
  });

  test('the demo edition takes every kind, with its window and end', () => {
    const r = enrollableProgramme(seed('demo-2026-2027'), 'defiscalizzazione');
    expect(r.ok && r.programme).toMatchObject({
      startsOn: '2026-01-01',
      enrollmentClosesOn: '2027-06-30',
      endsOn: '2027-12-15',
      demo: true,
    });
  });
});

describe('the seed, on a real database', () => {
  let db: Db;
  let url: string;
  beforeAll(() => {
    ({ db, url } = createTestDb());
  });
  afterAll(() => db.$disconnect());

  test('2017-2018 as its decrees left it: original end 15/01/2019, extended to 15/01/2020 by DGR XI/1017', async () => {
    await ensureProgrammeSeeds(db);
    const store = createProgrammeStore({ db });
    const p = await store.get('2017-2018');
    expect(p).toMatchObject({
      endsOn: '2020-01-15',
      originalEndsOn: '2019-01-15',
      enrollmentOpensOn: null,
      enrollmentClosesOn: null,
      demo: false,
    });
    expect(p.notes).toMatch(/No enrollment-window date/);
    expect(p.decrees).toEqual([
      expect.objectContaining({
        decree: 'DGR XI/1017 del 17/12/2018',
        kind: 'extension',
        previousEndsOn: '2019-01-15',
        newEndsOn: '2020-01-15',
        amountCents: 100_000_000,
        recordedById: 'system:seed',
      }),
    ]);
    const list = await store.list();
    expect(list.items.map((e) => [e.code, e.demo])).toEqual([
      ['2017-2018', false],
      ['2020-2023', false],
      ['2025-2027', false],
      ['demo-2026-2027', true],
    ]);
    const e2020 = list.items.find((e) => e.code === '2020-2023')!;
    expect(e2020).toMatchObject({ decision: 'DGR XI/2398 del 11/11/2019', endsOn: null, actions: [] });
    expect(e2020.notes).toMatch(/ats-milano 276\.000 \/ 346\.000 \/ 346\.000/);
  });

  test('seeding again, in a new process, leaves an admin change alone and audits only the first time', async () => {
    const store = createProgrammeStore({ db });
    await store.update('2020-2023', { notes: 'cambiato dalla Regione' }, { id: 'admin-1', role: 'admin' });
    const audits = await db.auditLog.count({ where: { action: 'programme.seed' } });
    expect(audits).toBe(EDITION_SEEDS.length);
    // A second process on the same database: a fresh client, so the once-per-client memo does not apply.
    const other = createDb(url);
    try {
      await ensureProgrammeSeeds(other);
      expect((await other.programme.findUnique({ where: { code: '2020-2023' } }))!.notes).toBe(
        'cambiato dalla Regione',
      );
      expect(await other.programmeDecree.count({ where: { programmeCode: '2017-2018' } })).toBe(1);
      expect(await other.auditLog.count({ where: { action: 'programme.seed' } })).toBe(audits);
    } finally {
      await other.$disconnect();
    }
  });

  test('editions asked for together are read together, each caller gets its own object, and a code the database refuses fails only its own read', async () => {
    const store = createProgrammeStore({ db });
    await store.findEdition('2017-2018'); // seeded
    const codes = ['2017-2018', 'demo-2026-2027', '2017-2018', 'nessuna', 'bad\u0000code'];
    const settled = await Promise.allSettled(codes.map((c) => store.findEdition(c)));
    const [a, demo, b, none, bad] = settled;
    expect(a).toMatchObject({ status: 'fulfilled', value: { code: '2017-2018' } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { code: '2017-2018' } });
    expect((a as PromiseFulfilledResult<Edition>).value).not.toBe((b as PromiseFulfilledResult<Edition>).value);
    expect(demo).toMatchObject({ status: 'fulfilled', value: { code: 'demo-2026-2027' } });
    expect(none).toEqual({ status: 'fulfilled', value: undefined });
    // PostgreSQL refuses a NUL in a text value; SQLite finds no such edition. Either way the others stand.
    expect(bad!.status === 'rejected' ? 'refused' : (bad as PromiseFulfilledResult<unknown>).value).toBe(
      dialectOfDb(db) === 'postgresql' ? 'refused' : undefined,
    );
  });
});
