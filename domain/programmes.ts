/**
 * Programme editions. A programme has an enrollment window and a hard end: every activity of
 * every pathway must be finished by then (2017-2018: 15 January 2019).
 */
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
    demo: true,
  },
];

export function findProgramme(code: string): Programme | undefined {
  return PROGRAMMES.find((p) => p.code === code);
}
