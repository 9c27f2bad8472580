/**
 * Eligibility as the programme words it: every rule, and the reason it gives, in Italian and English.
 */
import {
  checkEnrollmentEligibility,
  classifyDeclaredSme,
  findPathway,
  findProgramme,
  type CompanyFacts,
  type EligibilityResult,
} from '../../domain';
import { ATS_MONTAGNA_DISTRICTS, findListedMunicipality, normalizeMunicipality } from '../../domain/municipalities';
import { atsForMunicipality } from '../../domain/territory';

const M = (euros: number): number => Math.round(euros * 1_000_000 * 100);
const TODAY = new Date('2026-11-23T12:00:00Z');
const declaration = { declarantName: 'Maria Brambilla', declarantRole: 'legal-representative' as const };
const SMALL: CompanyFacts = {
  province: 'MI',
  city: 'Milano',
  sector: 'servizi',
  staff: 20,
  turnoverCents: M(5),
  balanceSheetCents: M(5),
  declaration,
};
const LARGE = { staff: 400, turnoverCents: M(90), balanceSheetCents: M(90) };

function check(kind: string, company: Partial<CompanyFacts>) {
  return checkEnrollmentEligibility({
    programme: findProgramme('demo-2026-2027'),
    programmeRequested: 'demo-2026-2027',
    definition: findPathway(kind),
    kindRequested: kind,
    company: { ...SMALL, ...company },
    today: TODAY,
  });
}

function accepted(r: EligibilityResult) {
  if (!r.ok) throw new Error(`refused: ${r.error.code}: ${r.error.messages.en}`);
  return r;
}
function refused(r: EligibilityResult, code: string) {
  if (r.ok) throw new Error(`accepted, expected ${code}`);
  expect(r.error.code).toBe(code);
  expect(r.error.messages.it).not.toBe(r.error.messages.en);
  return r.error.messages;
}
const reasonsIt = (r: EligibilityResult) => accepted(r).reasons.map((x) => x.it);
const reasonsEn = (r: EligibilityResult) => accepted(r).reasons.map((x) => x.en);

describe('the municipality decides the ATS', () => {
  test.each<[string, string, string, string]>([
    ['BS', 'Breno', 'ats-montagna', 'Distretto Valle Camonica'],
    ['BS', 'Darfo Boario Terme', 'ats-montagna', 'Distretto Valle Camonica'],
    ['BS', 'TEMU', 'ats-montagna', 'Distretto Valle Camonica'],
    ['BS', 'Vezza d’Oglio', 'ats-montagna', 'Distretto Valle Camonica'],
    ['BS', 'ponte-di-legno', 'ats-montagna', 'Distretto Valle Camonica'],
    ['BS', 'Prestine', 'ats-montagna', 'Distretto Valle Camonica'],
    ['CO', 'Dongo', 'ats-montagna', 'Alto Lario'],
    ['CO', 'Gravedona ed Uniti', 'ats-montagna', 'Alto Lario'],
    ['CO', 'Germasino', 'ats-montagna', 'Alto Lario'],
  ])('%s %s is %s (%s)', (province, city, ats, district) => {
    const a = atsForMunicipality(province, city, '2026-11-23');
    expect(a.ats.code).toBe(ats);
    expect(a.district?.name).toContain(district);
    expect(a.reason.it).toMatch(/ATS della Montagna/);
    expect(a.reason.en).toMatch(/ATS della Montagna/);
  });

  test.each<[string, string, string]>([
    ['BS', 'Brescia', 'ats-brescia'],
    ['BS', 'Iseo', 'ats-brescia'],
    ['CO', 'Como', 'ats-insubria'],
    // Valcamonica in the province of Bergamo stays with ATS Bergamo: a name is matched within its province.
    ['BG', 'Lovere', 'ats-bergamo'],
    ['BG', 'Breno', 'ats-bergamo'],
    ['SO', 'Sondrio', 'ats-montagna'],
  ])('%s %s takes the province ATS %s', (province, city, ats) => {
    const a = atsForMunicipality(province, city, '2026-11-23');
    expect(a.ats.code).toBe(ats);
    expect(a.district).toBeUndefined();
  });

  test('the Medio Lario was ATS Montagna until 31 December 2018, ATS Insubria after', () => {
    expect(atsForMunicipality('CO', 'Menaggio', '2018-12-31').ats.code).toBe('ats-montagna');
    const after = atsForMunicipality('CO', 'Menaggio', '2019-01-01');
    expect(after.ats.code).toBe('ats-insubria');
    expect(after.reason.it).toMatch(/15\/2018/);
    expect(after.reason.en).toMatch(/15\/2018/);
    expect(atsForMunicipality('CO', 'Lenno', '2018-06-01').municipality).toBe('Tremezzina');
  });

  test('no municipality: the province decides, and the reason says so', () => {
    const a = atsForMunicipality('BS', undefined, '2026-11-23');
    expect(a.ats.code).toBe('ats-brescia');
    expect(a.reason.it).toMatch(/Comune non indicato/);
    expect(a.reason.en).toMatch(/No municipality given/);
  });

  test('names are matched without accents, case, apostrophes and hyphens', () => {
    expect(normalizeMunicipality("Saviore dell'Adamello")).toBe(normalizeMunicipality('SAVIORE DELL ADAMELLO'));
    expect(normalizeMunicipality('Temù')).toBe(normalizeMunicipality("temu'"));
    expect(findListedMunicipality('CO', 'San Bartolomeo V.C.')?.municipality).toBe('San Bartolomeo Val Cavargna');
  });

  test('the lists hold each name once', () => {
    const keys = ATS_MONTAGNA_DISTRICTS.flatMap((d) =>
      d.municipalities.map((m) => `${d.province}:${normalizeMunicipality(m)}`),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(ATS_MONTAGNA_DISTRICTS.find((d) => d.key === 'valle-camonica')?.municipalities).toHaveLength(41);
    expect(ATS_MONTAGNA_DISTRICTS.find((d) => d.key === 'medio-lario')?.municipalities).toHaveLength(29);
  });

  test('a Valcamonica firm enrolls in ATS Montagna, with the reason', () => {
    const r = accepted(check('congedo-flessibilita', { province: 'BS', city: 'Edolo' }));
    expect(r.atsCode).toBe('ats-montagna');
    expect(reasonsIt(r)[0]).toMatch(/Edolo.*Distretto Valle Camonica/);
    expect(reasonsEn(r)[0]).toMatch(/Edolo.*Distretto Valle Camonica/);
  });

  test('each network member takes the ATS of its own municipality', () => {
    const member = { sector: 'servizi', staff: 4, turnoverCents: M(0.5), balanceSheetCents: M(0.5) };
    const r = accepted(
      check('defiscalizzazione', {
        province: 'BS',
        city: 'Brescia',
        members: [
          { ...member, name: 'Camuna S.r.l.', province: 'BS', city: 'Pisogne' },
          { ...member, name: 'Lariana S.n.c.', province: 'CO', city: 'Domaso' },
          { ...member, name: 'Bresciana S.a.s.' },
        ],
      }),
    );
    expect(r.atsCode).toBe('ats-brescia');
    expect(r.members.map((m) => [m.name, m.provinceCode, m.atsCode])).toEqual([
      ['Camuna S.r.l.', 'BS', 'ats-montagna'],
      ['Lariana S.n.c.', 'CO', 'ats-montagna'],
      ['Bresciana S.a.s.', 'BS', 'ats-brescia'],
    ]);
  });
});

describe('size figures are declared, not assumed', () => {
  test.each<[string, Partial<CompanyFacts>, RegExp, RegExp]>([
    ['no turnover', { turnoverCents: undefined }, /fatturato/, /turnover/],
    ['no balance sheet', { balanceSheetCents: undefined }, /totale di bilancio/, /balance sheet total/],
    [
      'neither',
      { turnoverCents: undefined, balanceSheetCents: undefined },
      /fatturato e totale di bilancio/,
      /turnover and balance sheet total/,
    ],
  ])('%s: refused, a firm without figures is not an SME by default', (_l, company, it, en) => {
    const m = refused(check('congedo-flessibilita', company), 'size_figures_required');
    expect(m.it).toMatch(it);
    expect(m.en).toMatch(en);
    expect(m.it).toMatch(/2003\/361/);
  });

  test("a network member's missing figures are named", () => {
    const m = refused(
      check('congedo-flessibilita', {
        members: [
          { name: 'Uno', sector: 'servizi', staff: 2, turnoverCents: M(0.1), balanceSheetCents: M(0.1) },
          { name: 'Due', sector: 'servizi', staff: 2, turnoverCents: M(0.1) },
        ],
      }),
      'size_figures_required',
    );
    expect(m.it).toMatch(/^Due: /);
    expect(m.en).toMatch(/^Due: /);
  });

  test('the figures come with a self-declaration by the legal representative (DPR 445/2000)', () => {
    const m = refused(check('congedo-flessibilita', { declaration: undefined }), 'declaration_required');
    expect(m.it).toMatch(/DPR 445\/2000/);
    expect(m.en).toMatch(/legal representative/);
    expect(reasonsIt(check('congedo-flessibilita', {})).join(' ')).toMatch(/Maria Brambilla, legale rappresentante/);
  });

  test('an unregistered self-employment project (action 7) needs no figures nor declaration', () => {
    const r = accepted(
      check('autoimprenditorialita-femminile', {
        registered: false,
        staff: 0,
        turnoverCents: undefined,
        balanceSheetCents: undefined,
        declaration: undefined,
      }),
    );
    expect(r.size).toBe('micro');
    expect(reasonsEn(r).join(' ')).toMatch(/not yet registered \(action 7\)/);
    expect(reasonsEn(r).join(' ')).toMatch(/women excluded from the labour market/);
    expect(reasonsIt(r).join(' ')).toMatch(/donne escluse dal mercato del lavoro/);
  });

  test('a registered action-7 firm gives its figures like any other', () => {
    refused(check('autoimprenditorialita-femminile', { staff: 1, turnoverCents: undefined }), 'size_figures_required');
  });
});

describe('staff in annual work units, people employed for time saving', () => {
  const shop = { sector: 'commercio', turnoverCents: M(0.2), balanceSheetCents: M(0.1) };

  test('fractional AWU size the firm: 9.5 AWU is micro, 10 is not', () => {
    expect(accepted(check('congedo-flessibilita', { staff: 9.5, turnoverCents: M(1) })).size).toBe('micro');
    expect(accepted(check('congedo-flessibilita', { staff: 10, turnoverCents: M(1) })).size).toBe('small');
  });

  test('time saving counts people: 2.5 AWU but 4 people employed is refused', () => {
    const m = refused(check('time-saving', { ...shop, staff: 2.5, peopleEmployed: 4 }), 'too_many_employed');
    expect(m.it).toMatch(/al massimo 3 persone occupate; indicate: 4/);
    expect(m.en).toMatch(/at most 3 people employed; given: 4/);
  });

  test('time saving admits 3 people on 2.5 AWU, with the reason', () => {
    const r = check('time-saving', { ...shop, staff: 2.5, peopleEmployed: 3 });
    expect(reasonsIt(r)).toContain('3 persone occupate, al massimo 3: ammessa');
    expect(reasonsEn(r)).toContain('3 people employed, at most 3: admitted');
  });

  test('time saving asks for the people employed', () => {
    const m = refused(check('time-saving', { ...shop, staff: 2 }), 'people_employed_required');
    expect(m.en).toMatch(/peopleEmployed/);
  });

  test('more AWU than people is refused: a person is at most one AWU', () => {
    refused(check('congedo-flessibilita', { staff: 5, peopleEmployed: 3 }), 'staff_exceeds_people_employed');
  });
});

describe('relations enter the SME size (recommendation 2003/361)', () => {
  const own = { staff: 8, turnoverCents: M(1.5), balanceSheetCents: M(1.5) };

  test('an autonomous firm counts its own figures, and says so', () => {
    const c = classifyDeclaredSme(own);
    expect(c.size).toBe('micro');
    expect(c.reasons[0]!.it).toMatch(/Impresa autonoma/);
    expect(c.reasons[0]!.en).toMatch(/Autonomous enterprise/);
  });

  test("a partner enterprise's figures count pro rata", () => {
    const partner = { name: 'Socia', relation: 'partner' as const, sharePercent: 40 };
    const c = classifyDeclaredSme({
      ...own,
      relations: { enterprises: [{ ...partner, staff: 10, turnoverCents: M(2), balanceSheetCents: M(2) }] },
    });
    expect(c.counted).toEqual({ staff: 12, turnoverCents: M(2.3), balanceSheetCents: M(2.3) });
    expect(c.size).toBe('small');
    expect(c.reasons[0]!.it).toMatch(/associata \(40%\)/);
    expect(c.reasons[0]!.en).toMatch(/partner enterprise \(40%\)/);
  });

  test("a linked enterprise's figures count in full", () => {
    const linked = { name: 'Capogruppo', relation: 'linked' as const, sharePercent: 70 };
    const c = classifyDeclaredSme({
      ...own,
      relations: { enterprises: [{ ...linked, staff: 300, turnoverCents: M(60), balanceSheetCents: M(50) }] },
    });
    expect(c.size).toBe('large');
    expect(c.reasons[0]!.en).toMatch(/linked enterprise.*in full/);
    expect(c.reasons[0]!.it).toMatch(/collegata.*per intero/);
  });

  test('25% or more held by public bodies: not an SME', () => {
    const c = classifyDeclaredSme({ ...own, relations: { publicBodiesSharePercent: 25 } });
    expect([c.size, c.publicControl]).toEqual(['large', true]);
    expect(classifyDeclaredSme({ ...own, relations: { publicBodiesSharePercent: 24.9 } }).size).toBe('micro');
    const m = refused(check('defiscalizzazione', { relations: { publicBodiesSharePercent: 30 } }), 'not_an_sme');
    expect(m.it).toMatch(/enti pubblici/);
    expect(m.en).toMatch(/public bodies/);
  });
});

describe('craft status is a registration, not a sector', () => {
  const tiny = { staff: 2, peopleEmployed: 2, turnoverCents: M(0.2), balanceSheetCents: M(0.1), atecoCode: '10.71.10' };

  test('a craft firm registered in the Albo is admitted to time saving whatever its sector', () => {
    const r = check('time-saving', { ...tiny, sector: 'industria', craftRegistered: true });
    expect(reasonsIt(r)).toContain("Impresa artigiana iscritta all'Albo delle imprese artigiane");
    expect(reasonsEn(r)).toContain('A craft firm registered in the Albo delle imprese artigiane');
  });

  test('sector "artigianato" declared not registered is refused', () => {
    const m = refused(
      check('time-saving', { ...tiny, sector: 'artigianato', craftRegistered: false }),
      'craft_registration_required',
    );
    expect(m.it).toMatch(/443\/1985/);
    expect(m.en).toMatch(/443\/1985/);
  });

  test('a commercial firm is admitted without registration', () => {
    accepted(check('time-saving', { ...tiny, sector: 'commercio', craftRegistered: false }));
  });

  test('sector "artigianato" without a declared registration is admitted, to be checked', () => {
    const r = check('time-saving', { ...tiny, sector: 'artigianato' });
    expect(reasonsEn(r).join(' ')).toMatch(/to be checked/);
  });
});

describe("who may enroll follows each action's wording", () => {
  test.each(['defiscalizzazione', 'contrattazione-secondo-livello', 'congedo-flessibilita'])(
    '%s refuses a large firm',
    (kind) => {
      refused(check(kind, LARGE), 'not_an_sme');
    },
  );

  test.each(['contrattazione-secondo-livello', 'congedo-flessibilita'])(
    '%s admits a care company of any size, public ones too',
    (kind) => {
      const r = accepted(check(kind, { ...LARGE, isCareCompany: true, relations: { publicBodiesSharePercent: 100 } }));
      expect(r.size).toBe('large');
      expect(reasonsIt(r).join(' ')).toMatch(/Azienda di cura pubblica o privata/);
      expect(reasonsEn(r).join(' ')).toMatch(/care company: action [23] admits it whatever its size/);
    },
  );

  test('action 1 does not admit a large care company', () => {
    refused(check('defiscalizzazione', { ...LARGE, isCareCompany: true }), 'not_an_sme');
  });

  test.each<[string, number]>([
    ['lavoro-flessibile', 4],
    ['sinergie-reti', 6],
  ])('%s (action %d) names no size: a large firm is admitted, with the reason', (kind, action) => {
    const r = accepted(check(kind, LARGE));
    expect(r.size).toBe('large');
    expect(reasonsIt(r).join(' ')).toMatch(new RegExp(`L'azione ${action} non pone limiti di dimensione`));
    expect(reasonsEn(r).join(' ')).toMatch(new RegExp(`Action ${action} sets no size limit`));
  });

  test('networks are admitted for actions 1-3 and refused for action 5', () => {
    const firm = { sector: 'commercio', staff: 1, peopleEmployed: 1, turnoverCents: M(0.1), balanceSheetCents: M(0.1) };
    const members = [
      { ...firm, name: 'A' },
      { ...firm, name: 'B' },
    ];
    for (const kind of ['defiscalizzazione', 'contrattazione-secondo-livello', 'congedo-flessibilita']) {
      const r = accepted(check(kind, { members }));
      expect(r.reasons.at(-1)!.it).toMatch(/Rete di imprese: ammessa/);
      expect(r.reasons.at(-1)!.en).toMatch(/Business network: admitted/);
    }
    refused(check('time-saving', { members }), 'networks_not_admitted');
  });

  test('time saving keeps the micro-firm rule', () => {
    refused(check('time-saving', { sector: 'commercio', peopleEmployed: 20 }), 'size_not_admitted');
  });
});
