/**
 * Programme editions. An edition is data (the Programme table, managed by the Region through the
 * API and the CLI, seeded from domain/editions-seed.ts): its enrollment window, its hard end as
 * amended by its decrees, the ATS taking part, the fundable actions it offers and its alliances.
 * What the public record does not say stays empty (null) and the edition's notes say so.
 */
import { DomainError } from './errors';

/** Alleanza Locale di Conciliazione: a public-private partnership that carries out projects in one ATS. */
export interface Alliance {
  code: string;
  name: string;
  atsCode: string;
}

/** A fundable action an edition offers: a catalogue kind, optionally pinned to one catalogue version. */
export interface ProgrammeAction {
  kind: string;
  catalogueVersion?: number;
}

export interface ProgrammeSource {
  title: string;
  url?: string;
}

/** An edition as stored: every date an ISO day (Europe/Rome) or null when the record has none. */
export interface Edition {
  code: string;
  name: string;
  /** The decision that created the edition, e.g. "DGR XI/2398 del 11/11/2019". */
  decision: string | null;
  startsOn: string | null;
  enrollmentOpensOn: string | null;
  enrollmentClosesOn: string | null;
  /** The current hard end, as amended by decrees: due dates never pass it. */
  endsOn: string | null;
  /** The hard end first decided. */
  originalEndsOn: string | null;
  atsCodes: string[];
  actions: ProgrammeAction[];
  alliances: Alliance[];
  sources: ProgrammeSource[];
  notes: string | null;
  /** True for an edition that exists only to try the service; never a real regional decision. */
  demo: boolean;
}

/**
 * An edition open to enrollment, in the shape the eligibility rules read: its window and its end
 * are known. `startsOn` here is the day enrollment opens.
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
  alliances: Alliance[];
  demo?: boolean;
}

export type EnrollableResult =
  { ok: true; programme: Programme; action: ProgrammeAction } | { ok: false; error: DomainError };

/**
 * Whether an edition takes enrollments in `kind` at all, with the reason when not: it must offer
 * the kind among its fundable actions, and its enrollment window and hard end must be known (an
 * edition whose dates the record does not give yet cannot take anyone). The window's dates
 * themselves, the territory and the alliance are judged by checkEnrollmentEligibility.
 */
export function enrollableProgramme(edition: Edition, kind: string): EnrollableResult {
  const refuse = (code: string, it: string, en: string, details?: unknown): EnrollableResult => ({
    ok: false,
    error: new DomainError(code, { it, en }, details),
  });
  const action = edition.actions.find((a) => a.kind === kind);
  if (!action) {
    const offered = edition.actions.map((a) => a.kind);
    if (offered.length === 0)
      return refuse(
        'programme_offers_no_action',
        `Il programma ${edition.code} non offre ancora azioni finanziabili: la Regione deve indicarle prima delle iscrizioni.`,
        `Programme ${edition.code} offers no fundable action yet: the Region must list them before enrollment.`,
        { programme: edition.code, kind },
      );
    return refuse(
      'kind_not_offered',
      `Il programma ${edition.code} non offre il percorso "${kind}". Percorsi offerti: ${offered.join(', ')}.`,
      `Programme ${edition.code} does not offer pathway "${kind}". Pathways offered: ${offered.join(', ')}.`,
      { programme: edition.code, kind, offered },
    );
  }
  if (!edition.enrollmentOpensOn || !edition.enrollmentClosesOn)
    return refuse(
      'enrollment_window_unknown',
      `Il programma ${edition.code} non ha una finestra di iscrizione registrata: non accetta iscrizioni finché la Regione non la indica.`,
      `Programme ${edition.code} has no enrollment window on record: it takes no enrollment until the Region sets one.`,
      { programme: edition.code },
    );
  if (!edition.endsOn)
    return refuse(
      'programme_end_unknown',
      `Il programma ${edition.code} non ha una data di fine registrata: non accetta iscrizioni finché la Regione non la indica.`,
      `Programme ${edition.code} has no end date on record: it takes no enrollment until the Region sets one.`,
      { programme: edition.code },
    );
  return {
    ok: true,
    action,
    programme: {
      code: edition.code,
      name: edition.name,
      startsOn: edition.enrollmentOpensOn,
      enrollmentClosesOn: edition.enrollmentClosesOn,
      endsOn: edition.endsOn,
      atsCodes: edition.atsCodes,
      alliances: edition.alliances,
      demo: edition.demo,
    },
  };
}

export { EDITION_SEEDS, findProgramme, type EditionSeed, type SeedDecree, type AtsAllocation } from './editions-seed';
