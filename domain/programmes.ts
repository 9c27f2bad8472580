/**
 * Programme editions. A programme has an enrollment window and a hard end: every activity of
 * every pathway must be finished by then (2017-2018: 15 January 2019).
 */
/** Alleanza Locale di Conciliazione: a public-private partnership that carries out projects in one ATS. */
export interface Alliance {
  code: string;
  name: string;
  atsCode: string;
}

export interface Programme {
  code: string;
  name: string;
  /** ISO dates, Europe/Rome. */
  startsOn: string;
  enrollmentClosesOn: string;
  /** Hard deadline: due dates never pass it. */
  endsOn: string;
  /** Territories (ATS codes) whose networks take part. */
  atsCodes: string[];
  /**
   * Local alliances of the edition. The 2017-2018 list (44 alliance projects) is not in the
   * documents this service was built from: load it as data when the Region provides it.
   */
  alliances: Alliance[];
  /** True for an edition that exists only to try the service; never a real regional decision. */
  demo?: boolean;
}

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

export const PROGRAMMES: readonly Programme[] = [
  {
    code: '2017-2018',
    name: 'Conciliazione vita-lavoro 2017-2018',
    startsOn: '2017-07-01',
    enrollmentClosesOn: '2018-06-30',
    endsOn: '2019-01-15',
    atsCodes: ALL_ATS,
    alliances: [],
  },
  {
    // A sandbox edition so that the embedded stack can enroll companies today. Replace or extend
    // through configuration when the Region publishes a new edition.
    code: 'demo-2026-2027',
    name: 'Edizione dimostrativa 2026-2027',
    startsOn: '2026-01-01',
    enrollmentClosesOn: '2027-06-30',
    endsOn: '2027-12-15',
    atsCodes: ALL_ATS,
    // Sample alliances, one per ATS, to try grouping and reports in the demo edition.
    alliances: ALL_ATS.map((ats) => ({
      code: `demo-${ats.replace(/^ats-/, '')}`,
      name: `Alleanza dimostrativa ${ats.replace(/^ats-/, '').replace(/-/g, ' ')}`,
      atsCode: ats,
    })),
    demo: true,
  },
];

export function findProgramme(code: string): Programme | undefined {
  return PROGRAMMES.find((p) => p.code === code);
}
