import {
  CATALOGUE,
  checkEnrollmentEligibility,
  findPathway,
  findProgramme,
  type CompanyFacts,
  type EligibilityResult,
} from '../../domain';

/** Noon UTC is early afternoon in Rome, so the Rome calendar day is the ISO day given. */
const at = (iso: string): Date => new Date(`${iso}T12:00:00Z`);
const TODAY = at('2026-11-23');
const M = (euros: number): number => euros * 1_000_000 * 100;

const BASE_COMPANY: CompanyFacts = {
  province: 'MI',
  city: 'Milano',
  sector: 'servizi',
  staff: 5,
  turnoverCents: M(1),
  balanceSheetCents: M(1),
  declaration: { declarantName: 'Maria Brambilla', declarantRole: 'legal-representative' },
};

interface Request {
  programme?: string;
  kind?: string;
  company?: Partial<CompanyFacts>;
  today?: Date;
}

function check(req: Request = {}): EligibilityResult {
  const programme = req.programme ?? 'demo-2026-2027';
  const kind = req.kind ?? 'congedo-flessibilita';
  return checkEnrollmentEligibility({
    programme: findProgramme(programme),
    programmeRequested: programme,
    definition: findPathway(kind),
    kindRequested: kind,
    company: { ...BASE_COMPANY, ...req.company },
    today: req.today ?? TODAY,
  });
}

type Expected = string | RegExp;

function expectRefused(result: EligibilityResult, code: string, it: Expected[], en: Expected[]): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  for (const part of it) expect(result.error.messages.it).toMatch(part);
  for (const part of en) expect(result.error.messages.en).toMatch(part);
}

function expectAccepted(result: EligibilityResult): Extract<EligibilityResult, { ok: true }> {
  if (!result.ok) throw new Error(`refused unexpectedly: ${result.error.code}: ${result.error.messages.en}`);
  expect(result.ok).toBe(true);
  return result;
}

describe('checkEnrollmentEligibility', () => {
  describe('programme and kind', () => {
    test.each<[string, Request, string, Expected[], Expected[]]>([
      [
        'an unknown programme',
        { programme: '2030-2031' },
        'unknown_programme',
        ['Programma "2030-2031" sconosciuto'],
        ['Unknown programme "2030-2031"'],
      ],
      [
        'an unknown kind',
        { kind: 'babysitting' },
        'unknown_kind',
        ['Percorso "babysitting" sconosciuto', 'Percorsi disponibili'],
        ['Unknown pathway kind "babysitting"', 'Available kinds'],
      ],
    ])('refuses %s', (_label, req, code, it, en) => {
      expectRefused(check(req), code, it, en);
    });

    test('an unknown programme is reported before an unknown kind', () => {
      expectRefused(check({ programme: 'nope', kind: 'nope' }), 'unknown_programme', ['"nope"'], ['"nope"']);
    });

    test.each(Object.keys(CATALOGUE))('the unknown-kind message lists the available kind %s', (kind) => {
      expectRefused(check({ kind: 'babysitting' }), 'unknown_kind', [kind], [kind]);
    });
  });

  describe('enrollment window', () => {
    test.each<[string, string, string, string | null, string]>([
      ['the day before opening', 'demo-2026-2027', '2025-12-31', 'enrollment_not_open', '2026-01-01'],
      ['the opening day', 'demo-2026-2027', '2026-01-01', null, ''],
      ['the closing day', 'demo-2026-2027', '2027-06-30', null, ''],
      ['the day after closing', 'demo-2026-2027', '2027-07-01', 'enrollment_closed', '2027-06-30'],
    ])('%s (%s on %s)', (_label, programme, day, code, dateInMessage) => {
      const result = check({ programme, today: at(day) });
      if (code === null) {
        expectAccepted(result);
      } else {
        expectRefused(result, code, [dateInMessage, programme], [dateInMessage, programme]);
      }
    });
  });

  describe('territory', () => {
    test.each<[string]>([['Torino'], ['TO'], ['Piacenza']])('refuses a firm in %s', (province) => {
      expectRefused(
        check({ company: { province } }),
        'territory_not_covered',
        [`"${province}"`, /Lombardia/],
        [`"${province}"`, /Lombardy/],
      );
    });

    test.each<[string, string]>([
      ['BG', 'ats-bergamo'],
      ['BS', 'ats-brescia'],
      ['CO', 'ats-insubria'],
      ['CR', 'ats-val-padana'],
      ['LC', 'ats-brianza'],
      ['LO', 'ats-milano'],
      ['MN', 'ats-val-padana'],
      ['MI', 'ats-milano'],
      ['MB', 'ats-brianza'],
      ['PV', 'ats-pavia'],
      ['SO', 'ats-montagna'],
      ['VA', 'ats-insubria'],
    ])('accepts province %s and assigns it to %s', (province, atsCode) => {
      const result = expectAccepted(check({ company: { province } }));
      expect(result.provinceCode).toBe(province);
      expect(result.atsCode).toBe(atsCode);
    });

    test.each<[string, string, string]>([
      ['Lodi', 'LO', 'ats-milano'],
      ['Mantua', 'MN', 'ats-val-padana'],
      ['mi', 'MI', 'ats-milano'],
    ])('accepts the province written %s', (province, code, atsCode) => {
      const result = expectAccepted(check({ company: { province } }));
      expect(result.provinceCode).toBe(code);
      expect(result.atsCode).toBe(atsCode);
    });
  });

  describe('SME size', () => {
    test.each<[string, 'micro' | 'small' | 'medium', Partial<CompanyFacts>]>([
      ['staff 5, turnover 1 M', 'micro', { staff: 5, turnoverCents: M(1), balanceSheetCents: M(1) }],
      ['staff 20', 'small', { staff: 20, turnoverCents: M(5), balanceSheetCents: M(5) }],
      [
        'staff 249, turnover exactly 50 M',
        'medium',
        { staff: 249, turnoverCents: 5_000_000_000, balanceSheetCents: M(60) },
      ],
    ])('accepts %s as %s', (_label, size, company) => {
      expect(expectAccepted(check({ company })).size).toBe(size);
    });

    test.each<[string, Partial<CompanyFacts>, Expected[]]>([
      ['staff 250', { staff: 250, turnoverCents: M(10), balanceSheetCents: M(10) }, ['Staff 250 is not below 250']],
      [
        'staff 100, turnover 60 M and balance sheet 50 M',
        { staff: 100, turnoverCents: M(60), balanceSheetCents: M(50) },
        ['€60,000,000.00 > €50,000,000.00', '€50,000,000.00 > €43,000,000.00'],
      ],
    ])('refuses %s as not an SME', (_label, company, reasons) => {
      expectRefused(
        check({ company }),
        'not_an_sme',
        [/non è una PMI/, '2003/361', ...reasons],
        [/not an SME/, '2003/361', ...reasons],
      );
    });
  });

  describe('time-saving (action 5)', () => {
    const micro = { turnoverCents: M(0.3), balanceSheetCents: M(0.2) };

    test.each<[string, Partial<CompanyFacts>]>([
      ['a commercial firm of 3', { sector: 'commercio', staff: 3, peopleEmployed: 3, ...micro }],
      ['a craft firm of 3', { sector: 'artigianato', staff: 3, peopleEmployed: 3, ...micro }],
      ['a sole trader', { sector: 'commercio', staff: 1, peopleEmployed: 1, ...micro }],
    ])('accepts %s', (_label, company) => {
      expect(expectAccepted(check({ kind: 'time-saving', company })).size).toBe('micro');
    });
  });

  describe('autoimprenditorialita-femminile (action 7)', () => {
    test('accepts a project not yet registered', () => {
      const result = check({
        kind: 'autoimprenditorialita-femminile',
        company: { sector: 'servizi', staff: 1, turnoverCents: 0, registered: false },
      });
      expect(expectAccepted(result).size).toBe('micro');
    });
  });

  describe('rules of the pathway kind', () => {
    const micro = { turnoverCents: M(0.3), balanceSheetCents: M(0.2) };
    test.each<[string, string, Partial<CompanyFacts>, string, Expected[], Expected[]]>([
      [
        'time-saving, 4 people employed',
        'time-saving',
        { sector: 'commercio', staff: 4, peopleEmployed: 4, ...micro },
        'too_many_employed',
        [/\b3\b/, /\b4\b/],
        [/\b3\b/, /\b4\b/],
      ],
      [
        'time-saving, sector industria',
        'time-saving',
        { sector: 'industria', staff: 3, peopleEmployed: 3, ...micro },
        'sector_not_admitted',
        ['industria', 'commercio', 'artigianato'],
        ['industria', 'commercio', 'artigianato'],
      ],
      [
        'time-saving, a small firm of 20',
        'time-saving',
        { sector: 'commercio', staff: 20, turnoverCents: M(5), balanceSheetCents: M(5) },
        'size_not_admitted',
        [/micro/i],
        [/micro/i],
      ],
      [
        'time-saving, a business network',
        'time-saving',
        {
          sector: 'commercio',
          staff: 3,
          ...micro,
          members: [
            { name: 'Bottega Rossi', sector: 'commercio', staff: 2, turnoverCents: M(0.2), balanceSheetCents: M(0.1) },
            {
              name: 'Forno Bianchi',
              sector: 'artigianato',
              staff: 1,
              turnoverCents: M(0.1),
              balanceSheetCents: M(0.1),
            },
          ],
        },
        'networks_not_admitted',
        [/\bret[ei]\b/i],
        [/network/i],
      ],
      [
        'congedo-flessibilita, a project not yet registered',
        'congedo-flessibilita',
        { registered: false },
        'registration_required',
        [/partita IVA|registra|iscri/i],
        [/VAT|regist/i],
      ],
      [
        'congedo-flessibilita, a network with a large member',
        'congedo-flessibilita',
        {
          staff: 5,
          members: [
            {
              name: 'Officine Brambilla',
              sector: 'industria',
              staff: 300,
              turnoverCents: M(80),
              balanceSheetCents: M(80),
            },
            { name: 'Studio Colombo', sector: 'servizi', staff: 4, turnoverCents: M(0.5), balanceSheetCents: M(0.5) },
          ],
        },
        'not_an_sme',
        ['Officine Brambilla'],
        ['Officine Brambilla'],
      ],
    ])('refuses %s', (_label, kind, company, code, it, en) => {
      expectRefused(check({ kind, company }), code, it, en);
    });

    test('a network of SMEs takes the size of its largest member', () => {
      const result = check({
        kind: 'congedo-flessibilita',
        company: {
          staff: 5,
          turnoverCents: M(1),
          members: [
            { name: 'Studio Colombo', sector: 'servizi', staff: 4, turnoverCents: M(0.5), balanceSheetCents: M(0.5) },
            { name: 'Tessitura Galli', sector: 'industria', staff: 60, turnoverCents: M(20), balanceSheetCents: M(20) },
          ],
        },
      });
      expect(expectAccepted(result).size).toBe('medium');
    });
  });

  test('reports the city in lower case for the holiday calendar', () => {
    expect(expectAccepted(check({ company: { city: 'Bergamo', province: 'BG' } })).city).toBe('bergamo');
  });
});

describe('local alliances (Alleanze Locali di Conciliazione)', () => {
  const base = {
    programme: findProgramme('demo-2026-2027'),
    programmeRequested: 'demo-2026-2027',
    definition: findPathway('congedo-flessibilita'),
    kindRequested: 'congedo-flessibilita',
    company: {
      province: 'MB',
      sector: 'industria',
      staff: 20,
      turnoverCents: 300_000_000,
      balanceSheetCents: 200_000_000,
      declaration: BASE_COMPANY.declaration,
    },
    today: new Date('2026-11-23T12:00:00Z'),
  };
  test.each<[string | undefined, string | null]>([
    [undefined, null],
    ['demo-brianza', null],
    ['demo-bergamo', 'alliance_outside_territory'],
    ['no-such-alliance', 'unknown_alliance'],
  ])('alliance %s -> %s', (alliance, code) => {
    const r = checkEnrollmentEligibility({ ...base, alliance });
    expect(r.ok ? null : r.error.code).toBe(code);
  });
});
