/**
 * The editions as far as the public record goes (shared/domain.md, "The programme beyond the
 * seeds"), loaded into the Programme table at start-up when missing (client/programmes.ts,
 * ensureProgrammeSeeds): a row the Region has since changed is never overwritten. What the record
 * does not give stays null and the notes say so; nothing here is a guessed date.
 */
import type { Edition, Programme } from './programmes';

const ALL_ATS = [
  'ats-milano',
  'ats-insubria',
  'ats-montagna',
  'ats-brianza',
  'ats-bergamo',
  'ats-brescia',
  'ats-val-padana',
  'ats-pavia',
];

/** The seven company-facing fundable actions of the 2017-2018 panel, as the catalogue's first version has them. */
const COMPANY_ACTIONS = [
  'defiscalizzazione',
  'contrattazione-secondo-livello',
  'congedo-flessibilita',
  'lavoro-flessibile',
  'time-saving',
  'sinergie-reti',
  'autoimprenditorialita-femminile',
];

export interface SeedDecree {
  decree: string;
  kind: 'extension' | 'shortening' | 'funding';
  previousEndsOn?: string;
  newEndsOn?: string;
  amountCents?: number;
  note?: string;
}

/** EUR cents granted to one ATS for one year of an edition. */
export interface AtsAllocation {
  atsCode: string;
  year: number;
  cents: number;
}

export interface EditionSeed extends Edition {
  decrees: SeedDecree[];
  /** Per-ATS allocations the record gives (also summarised in the notes, which the API shows). */
  allocations: AtsAllocation[];
}

const euro = (n: number) => n * 100;

/** 2020-2023, EUR per year 2020 / 2021 / 2022 (DGR XI/2398, decree 486 of 17/01/2020). */
const ALLOCATIONS_2020: Record<string, [number, number, number]> = {
  'ats-milano': [276_000, 346_000, 346_000],
  'ats-insubria': [117_000, 146_300, 146_300],
  'ats-montagna': [23_700, 29_600, 29_600],
  'ats-brianza': [96_300, 120_400, 120_400],
  'ats-bergamo': [88_600, 110_700, 110_700],
  'ats-brescia': [92_700, 115_800, 115_800],
  'ats-val-padana': [61_300, 76_600, 76_600],
  'ats-pavia': [43_400, 54_200, 54_200],
};

/** 276000 -> "276.000", as the Italian record writes amounts. */
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

const allocationNote = Object.entries(ALLOCATIONS_2020)
  .map(([ats, years]) => `${ats} ${years.map(thousands).join(' / ')}`)
  .join('; ');

export const EDITION_SEEDS: readonly EditionSeed[] = [
  {
    code: '2017-2018',
    name: 'Conciliazione vita-lavoro 2017-2018',
    decision: null,
    startsOn: null,
    enrollmentOpensOn: null,
    enrollmentClosesOn: null,
    endsOn: '2020-01-15',
    originalEndsOn: '2019-01-15',
    atsCodes: ALL_ATS,
    actions: COMPANY_ACTIONS.map((kind) => ({ kind, catalogueVersion: 1 })),
    alliances: [],
    sources: [
      {
        title:
          'secondowelfare.it: le attività dei piani territoriali di conciliazione lombardi 2017-2018 prorogate fino a gennaio 2020',
      },
      { title: 'varesenews.it, 21 dicembre 2018' },
    ],
    notes:
      'Piani validati dalla Regione a giugno 2017, progetti da luglio 2017 (il giorno non è nel record). ' +
      'Fine originaria 15/01/2019, prorogata al 15/01/2020 dalla DGR XI/1017 del 17/12/2018 (+1 milione di euro). ' +
      'Nessuna data della finestra di iscrizione nel record pubblico; la delibera che ha avviato l’edizione non è nel record. ' +
      '44 progetti di alleanza (EUR 2.782.889 concessi su EUR 4.292.411 di valore) e 8 azioni di sistema (EUR 806.418); ' +
      'le 44 alleanze non sono nel record. / No enrollment-window date and no founding decision in the public record; ' +
      'the 44 alliances are not in the record.',
    demo: false,
    decrees: [
      {
        decree: 'DGR XI/1017 del 17/12/2018',
        kind: 'extension',
        previousEndsOn: '2019-01-15',
        newEndsOn: '2020-01-15',
        amountCents: euro(1_000_000),
        note:
          'Proroga dei piani 2017-2018 al 15/01/2020 e 1 milione di euro ripartito tra le ATS (ATS Brianza EUR 211.994); ' +
          'ATS Milano ha riaperto la raccolta dei progetti (deliberazione 177 del 7/3/2019).',
      },
    ],
    allocations: [{ atsCode: 'ats-brianza', year: 2019, cents: euro(211_994) }],
  },
  {
    code: '2020-2023',
    name: 'Piani Territoriali di Conciliazione 2020-2023',
    decision: 'DGR XI/2398 del 11/11/2019',
    startsOn: null,
    enrollmentOpensOn: null,
    enrollmentClosesOn: null,
    endsOn: null,
    originalEndsOn: null,
    atsCodes: ALL_ATS,
    actions: [],
    alliances: [],
    sources: [{ title: 'valnews.it, 11 novembre 2019' }, { title: 'ats-milano.it: conciliazione vita-lavoro' }],
    notes:
      'Linee guida DGR XI/2398 del 11/11/2019, decreto attuativo 486 del 17/01/2020: EUR 2,8 milioni alle ATS per ' +
      `popolazione residente, EUR per anno 2020 / 2021 / 2022: ${allocationNote}; EUR 200.000 trattenuti dalla Regione. ` +
      'Aree: sostegno ai caregiver, pre e post scuola e chiusure scolastiche, servizi salvatempo, consulenza alle imprese. ' +
      'Date (iscrizioni, fine) e azioni del catalogo non nel record. / Dates and catalogue actions not in the public record.',
    demo: false,
    decrees: [
      {
        decree: 'Decreto 486 del 17/01/2020',
        kind: 'funding',
        amountCents: euro(2_800_000),
        note: 'Decreto attuativo: EUR 2,8 milioni alle ATS per popolazione residente (dettaglio per ATS e anno nelle note).',
      },
    ],
    allocations: Object.entries(ALLOCATIONS_2020).flatMap(([atsCode, years]) =>
      years.map((eur, i) => ({ atsCode, year: 2020 + i, cents: euro(eur) })),
    ),
  },
  {
    code: '2025-2027',
    name: 'Piani Territoriali di Conciliazione 2025-2027',
    decision: null,
    startsOn: null,
    enrollmentOpensOn: null,
    enrollmentClosesOn: null,
    endsOn: null,
    originalEndsOn: null,
    atsCodes: ALL_ATS,
    actions: [],
    alliances: [],
    sources: [{ title: 'lombardianotizie.online: vita-lavoro-linee-guida (9 dicembre 2025)' }],
    notes:
      'Linee guida approvate dalla Giunta a dicembre 2025 (notizia del 9/12/2025; numero della delibera non nel record): ' +
      'EUR 3 milioni 2025-2027 alle ATS per popolazione residente. Date e azioni non ancora nel record: caricarle quando ' +
      'pubblicate. / Dates and actions not in the record yet.',
    demo: false,
    decrees: [],
    allocations: [],
  },
  {
    // A sandbox edition so that the embedded stack can enroll companies today: never a real decision.
    code: 'demo-2026-2027',
    name: 'Edizione dimostrativa 2026-2027',
    decision: null,
    startsOn: '2026-01-01',
    enrollmentOpensOn: '2026-01-01',
    enrollmentClosesOn: '2027-06-30',
    endsOn: '2027-12-15',
    originalEndsOn: '2027-12-15',
    atsCodes: ALL_ATS,
    actions: COMPANY_ACTIONS.map((kind) => ({ kind })),
    // Sample alliances, one per ATS, to try grouping and reports in the demo edition.
    alliances: ALL_ATS.map((ats) => ({
      code: `demo-${ats.replace(/^ats-/, '')}`,
      name: `Alleanza dimostrativa ${ats.replace(/^ats-/, '').replace(/-/g, ' ')}`,
      atsCode: ats,
    })),
    sources: [],
    notes:
      'Edizione dimostrativa per provare il servizio: non è una delibera regionale. / Demo edition, not a regional decision.',
    demo: true,
    decrees: [],
    allocations: [],
  },
];

/**
 * A seeded edition in the shape the eligibility rules read, for pure tests and tools. The service
 * reads editions from the database (client/programmes.ts), where the Region may have changed them.
 */
export function findProgramme(code: string): Programme | undefined {
  const e = EDITION_SEEDS.find((p) => p.code === code);
  if (!e?.enrollmentOpensOn || !e.enrollmentClosesOn || !e.endsOn) return undefined;
  return {
    code: e.code,
    name: e.name,
    startsOn: e.enrollmentOpensOn,
    enrollmentClosesOn: e.enrollmentClosesOn,
    endsOn: e.endsOn,
    atsCodes: e.atsCodes,
    alliances: e.alliances,
    demo: e.demo,
  };
}
