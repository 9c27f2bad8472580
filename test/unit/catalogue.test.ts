import {
  CATALOGUE,
  SECTORS,
  congedoFlessibilita,
  congedoFlessibilitaV2,
  findPathway,
  type PathwayDefinition,
} from '../../domain/catalogue';
import { CATALOGUE_VERSIONS, findPathwayVersion } from '../../domain/catalogue-history';
import { assertCatalogueValid, catalogueProblems, validateCatalogue } from '../../domain/catalogue-validate';
import { DomainError } from '../../domain/errors';

const latest = Object.values(CATALOGUE);

function rejection(entries: readonly PathwayDefinition[]): DomainError {
  try {
    validateCatalogue(entries);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected the catalogue to be rejected');
}

describe('the current catalogue', () => {
  it('has each of the 7 company-facing actions of the 2017-2018 panel exactly once', () => {
    expect(latest.map((d) => d.action).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(CATALOGUE).sort()).toEqual(
      [
        'autoimprenditorialita-femminile',
        'congedo-flessibilita',
        'contrattazione-secondo-livello',
        'defiscalizzazione',
        'lavoro-flessibile',
        'sinergie-reti',
        'time-saving',
      ].sort(),
    );
    for (const [kind, d] of Object.entries(CATALOGUE)) expect(d.kind).toBe(kind);
  });

  it('validates, with every published version', () => {
    expect(() => validateCatalogue(latest)).not.toThrow();
    expect(catalogueProblems(CATALOGUE_VERSIONS, { history: true })).toEqual([]);
    expect(() => assertCatalogueValid()).not.toThrow();
  });

  it('holds each kind at its latest published version', () => {
    for (const d of latest) {
      const versions = CATALOGUE_VERSIONS.filter((v) => v.kind === d.kind).map((v) => v.version);
      expect(d.version).toBe(Math.max(...versions));
      expect(CATALOGUE_VERSIONS).toContain(d);
    }
    expect(CATALOGUE['congedo-flessibilita']).toBe(congedoFlessibilitaV2);
    expect(findPathway('congedo-flessibilita')?.version).toBe(2);
    expect(findPathway('toString')).toBeUndefined();
  });

  it('states eligibility for every kind', () => {
    for (const d of latest) expect(d.eligibility).toBeDefined();
  });

  it('limits time saving to commercial or craft micro firms of at most three people, without networks', () => {
    const rules = CATALOGUE['time-saving']?.eligibility;
    expect(rules).toMatchObject({ sizes: ['micro'], maxStaff: 3, networks: false });
    expect([...(rules?.sectors ?? [])].sort()).toEqual(['artigianato', 'commercio']);
  });

  it('admits unregistered projects only to women’s self-employment', () => {
    const open = latest.filter((d) => d.eligibility?.allowsUnregistered).map((d) => d.kind);
    expect(open).toEqual(['autoimprenditorialita-femminile']);
    expect(CATALOGUE['autoimprenditorialita-femminile']?.eligibility).toMatchObject({
      sizes: ['micro'],
      networks: false,
    });
  });

  it.each(latest.map((d) => [d.kind, d] as const))(
    '%s is planned as a consultant would: 4-6 steps over about 3-6 months, roles consultant or sme',
    (_kind, d) => {
      expect(d.steps.length).toBeGreaterThanOrEqual(4);
      expect(d.steps.length).toBeLessThanOrEqual(6);
      const total = d.steps.reduce((sum, s) => sum + s.durationWorkingDays, 0);
      expect(total).toBeGreaterThanOrEqual(55);
      expect(total).toBeLessThanOrEqual(130);
      for (const s of d.steps) for (const r of s.completedBy) expect(['consultant', 'sme']).toContain(r);
      expect(d.description.it.trim()).not.toBe('');
      expect(d.description.en.trim()).not.toBe('');
    },
  );
});

describe('catalogue versions', () => {
  it('keeps congedo v1 exactly as recorded histories use it', () => {
    expect(congedoFlessibilita.version).toBe(1);
    expect(congedoFlessibilita.eligibility).toBeUndefined();
    expect(congedoFlessibilita.steps.map((s) => [s.key, s.durationWorkingDays])).toEqual([
      ['intake', 10],
      ['needs-analysis', 15],
      ['training', 20],
      ['plan-drafted', 15],
      ['plan-adopted', 10],
    ]);
  });

  it('makes congedo v2 differ from v1 only by version and eligibility', () => {
    const { version, eligibility, ...rest } = congedoFlessibilitaV2;
    const { version: v1, ...restV1 } = congedoFlessibilita;
    expect([v1, version]).toEqual([1, 2]);
    expect(rest).toEqual(restV1);
    expect(eligibility).toMatchObject({ sizes: ['micro', 'small', 'medium'], networks: true });
    expect(eligibility?.note?.it).toBeTruthy();
  });

  it('finds a pathway by kind and version', () => {
    const v1 = findPathwayVersion('congedo-flessibilita', 1);
    expect(v1).toBe(congedoFlessibilita);
    expect(v1).not.toHaveProperty('eligibility');
    expect(findPathwayVersion('congedo-flessibilita', 2)).toBe(congedoFlessibilitaV2);
    expect(findPathwayVersion('congedo-flessibilita', 3)).toBeUndefined();
    expect(findPathwayVersion('time-saving', 1)).toBe(CATALOGUE['time-saving']);
    expect(findPathwayVersion('nope', 1)).toBeUndefined();
  });

  it('publishes congedo v1 and v2 and version 1 of the other kinds', () => {
    expect(CATALOGUE_VERSIONS.map((d) => `${d.kind}@${d.version}`).sort()).toEqual(
      [
        'autoimprenditorialita-femminile@1',
        'congedo-flessibilita@1',
        'congedo-flessibilita@2',
        'contrattazione-secondo-livello@1',
        'defiscalizzazione@1',
        'lavoro-flessibile@1',
        'sinergie-reti@1',
        'time-saving@1',
      ].sort(),
    );
  });
});

describe('validateCatalogue', () => {
  const base = CATALOGUE['time-saving']!;
  // Loosely typed on purpose: the validator guards against hand-edited data the types would not admit.
  type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('reports the example of the brief word for word', () => {
    const broken = structuredClone(base);
    broken.steps[2]!.durationWorkingDays = 0;
    const error = rejection([broken]);
    expect(error.code).toBe('invalid_catalogue');
    expect(error.message).toBe(
      'catalogue entry "time-saving@1": steps[2].durationWorkingDays must be a positive integer (got 0)',
    );
    expect(error.messages.it).toContain('voce di catalogo "time-saving@1": steps[2].durationWorkingDays');
    expect(error.details).toEqual({
      problems: [expect.objectContaining({ entry: 'time-saving@1', path: 'steps[2].durationWorkingDays' })],
    });
  });

  const cases: [string, (d: Loose) => void, string, string][] = [
    ['kind not kebab-case', (d) => (d.kind = 'TimeSaving'), 'TimeSaving@1', 'kind'],
    ['kind with a space', (d) => (d.kind = 'time saving'), 'time saving@1', 'kind'],
    ['version zero', (d) => (d.version = 0), 'time-saving@0', 'version'],
    ['version not an integer', (d) => (d.version = 1.5), 'time-saving@1.5', 'version'],
    ['action missing', (d) => delete d.action, 'time-saving@1', 'action'],
    ['empty Italian name', (d) => (d.name.it = ''), 'time-saving@1', 'name.it'],
    ['blank English description', (d) => (d.description.en = '   '), 'time-saving@1', 'description.en'],
    ['no steps', (d) => (d.steps = []), 'time-saving@1', 'steps'],
    ['step key with capitals', (d) => (d.steps[1].key = 'Needs Mapping'), 'time-saving@1', 'steps[1].key'],
    ['step without a name', (d) => delete d.steps[1].name, 'time-saving@1', 'steps[1].name.it'],
    ['nobody may complete a step', (d) => (d.steps[0].completedBy = []), 'time-saving@1', 'steps[0].completedBy'],
    ['unknown role', (d) => (d.steps[0].completedBy = ['owner']), 'time-saving@1', 'steps[0].completedBy[0]'],
    [
      'fractional duration',
      (d) => (d.steps[2].durationWorkingDays = 2.5),
      'time-saving@1',
      'steps[2].durationWorkingDays',
    ],
    [
      'duration over a year',
      (d) => (d.steps[2].durationWorkingDays = 251),
      'time-saving@1',
      'steps[2].durationWorkingDays',
    ],
    [
      'negative days before programme end',
      (d) => (d.steps[3].dueWorkingDaysBeforeProgrammeEnd = -1),
      'time-saving@1',
      'steps[3].dueWorkingDaysBeforeProgrammeEnd',
    ],
    ['unknown evidence kind', (d) => (d.steps[2].evidence.kind = 'photo'), 'time-saving@1', 'steps[2].evidence.kind'],
    ['empty evidence label', (d) => (d.steps[2].evidence.label.en = ''), 'time-saving@1', 'steps[2].evidence.label.en'],
    [
      'reminder on the due day counted as before',
      (d) => (d.reminders.beforeDueWorkingDays = [0]),
      'time-saving@1',
      'reminders.beforeDueWorkingDays[0]',
    ],
    [
      'reminder listed twice',
      (d) => (d.reminders.beforeDueWorkingDays = [3, 3]),
      'time-saving@1',
      'reminders.beforeDueWorkingDays[1]',
    ],
    [
      'overdue on the due day',
      (d) => (d.reminders.overdueAfterWorkingDays = 0),
      'time-saving@1',
      'reminders.overdueAfterWorkingDays',
    ],
    [
      'escalation no later than the overdue notice',
      (d) => (d.reminders.escalateAfterWorkingDays = d.reminders.overdueAfterWorkingDays),
      'time-saving@1',
      'reminders.escalateAfterWorkingDays',
    ],
    ['no sizes', (d) => (d.eligibility.sizes = []), 'time-saving@1', 'eligibility.sizes'],
    ['large firms', (d) => (d.eligibility.sizes = ['large']), 'time-saving@1', 'eligibility.sizes[0]'],
    ['unknown sector', (d) => (d.eligibility.sectors = ['edilizia']), 'time-saving@1', 'eligibility.sectors[0]'],
    ['empty sector list', (d) => (d.eligibility.sectors = []), 'time-saving@1', 'eligibility.sectors'],
    ['no staff admitted', (d) => (d.eligibility.maxStaff = 0), 'time-saving@1', 'eligibility.maxStaff'],
    ['fractional staff limit', (d) => (d.eligibility.maxStaff = 2.5), 'time-saving@1', 'eligibility.maxStaff'],
    ['networks left undecided', (d) => delete d.eligibility.networks, 'time-saving@1', 'eligibility.networks'],
  ];

  it.each(cases)('rejects %s, naming the entry and the field', (_label, breakIt, entry, path) => {
    const broken = structuredClone(base) as Loose;
    breakIt(broken);
    const error = rejection([broken as PathwayDefinition]);
    expect(error.code).toBe('invalid_catalogue');
    expect(error.message).toContain(`catalogue entry "${entry}": ${path} `);
    expect(error.messages.it).toContain(`voce di catalogo "${entry}": ${path} `);
  });

  it('rejects duplicate step keys, naming both steps', () => {
    const broken = structuredClone(base);
    broken.steps[3]!.key = broken.steps[1]!.key;
    expect(() => validateCatalogue([broken])).toThrow(
      'catalogue entry "time-saving@1": steps[3].key repeats "needs-mapping", already used by steps[1]',
    );
  });

  it('rejects the same kind and version published twice', () => {
    expect(() => validateCatalogue([base, structuredClone(base)])).toThrow(
      /catalogue entry "time-saving@1": version is published twice/,
    );
  });

  it('requires the versions of a kind to run from 1 without gaps', () => {
    // Alone, v2 is a snapshot like CATALOGUE; as the full history it lacks v1.
    expect(() => validateCatalogue([congedoFlessibilitaV2])).not.toThrow();
    expect(() => validateCatalogue([congedoFlessibilitaV2], { history: true })).toThrow(
      /catalogue entry "congedo-flessibilita@2": version follows no version 1/,
    );
    expect(() => validateCatalogue([congedoFlessibilitaV2, { ...congedoFlessibilitaV2, version: 3 }])).toThrow(
      /"congedo-flessibilita@2": version follows no version 1/,
    );
    const v3 = { ...structuredClone(congedoFlessibilitaV2), version: 3 };
    expect(() => validateCatalogue([congedoFlessibilita, v3])).toThrow(/"congedo-flessibilita@3": version/);
    expect(() => validateCatalogue([congedoFlessibilita, congedoFlessibilitaV2, v3])).not.toThrow();
  });

  it('refuses a new version that moves the kind to another action', () => {
    const moved = { ...structuredClone(congedoFlessibilitaV2), action: 4 };
    expect(() => validateCatalogue([congedoFlessibilita, moved])).toThrow(
      /"congedo-flessibilita@2": action must stay 3/,
    );
  });

  it('accepts an entry without eligibility, as v1 histories have', () => {
    expect(() => validateCatalogue([congedoFlessibilita])).not.toThrow();
  });

  it('lists every problem at once', () => {
    const broken = structuredClone(base) as Loose;
    broken.name.en = '';
    broken.steps[0].durationWorkingDays = -3;
    const problems = catalogueProblems([broken as PathwayDefinition]);
    expect(problems.map((p) => p.path)).toEqual(['name.en', 'steps[0].durationWorkingDays']);
  });

  it('knows every sector the type allows', () => {
    const broken = structuredClone(base);
    broken.eligibility!.sectors = [...SECTORS];
    expect(() => validateCatalogue([broken])).not.toThrow();
  });
});
