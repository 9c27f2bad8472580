/**
 * Who may enroll in which pathway, with reasons a person can act on when refused.
 */
import { compareLocalDate, localDateOf, parseIsoDate } from './calendar';
import type { PathwayDefinition } from './catalogue';
import { CATALOGUE } from './catalogue';
import { DomainError } from './errors';
import type { Programme } from './programmes';
import { classifySme } from './sme';
import { atsForProvince, findProvince } from './territory';

export interface FirmFacts {
  name?: string;
  sector: string;
  staff: number;
  turnoverCents?: number;
  balanceSheetCents?: number;
}

export interface CompanyFacts extends FirmFacts {
  province: string;
  city?: string;
  /** False for a project not yet registered (no VAT number). */
  registered?: boolean;
  /** Present for a business network ("rete di imprese"): its member firms. */
  members?: FirmFacts[];
}

export type EligibilityResult =
  | { ok: true; provinceCode: string; atsCode: string; size: 'micro' | 'small' | 'medium'; city?: string }
  | { ok: false; error: DomainError };

const refuse = (code: string, it: string, en: string, details?: unknown): EligibilityResult => ({
  ok: false,
  error: new DomainError(code, { it, en }, details),
});

export function checkEnrollmentEligibility(args: {
  programme: Programme | undefined;
  programmeRequested: string;
  definition: PathwayDefinition | undefined;
  kindRequested: string;
  company: CompanyFacts;
  today: Date;
  /** Optional Alleanza Locale the enrollment belongs to: it must be in the programme and the company's ATS. */
  alliance?: string;
}): EligibilityResult {
  const { programme, definition, company } = args;
  if (!programme) {
    return refuse(
      'unknown_programme',
      `Programma "${args.programmeRequested}" sconosciuto.`,
      `Unknown programme "${args.programmeRequested}".`,
    );
  }
  if (!definition) {
    const kinds = Object.keys(CATALOGUE).join(', ');
    return refuse(
      'unknown_kind',
      `Percorso "${args.kindRequested}" sconosciuto. Percorsi disponibili: ${kinds}.`,
      `Unknown pathway kind "${args.kindRequested}". Available kinds: ${kinds}.`,
    );
  }
  const today = localDateOf(args.today.getTime());
  if (compareLocalDate(today, parseIsoDate(programme.startsOn)) < 0) {
    return refuse(
      'enrollment_not_open',
      `Le iscrizioni al programma ${programme.code} aprono il ${programme.startsOn}.`,
      `Enrollment in programme ${programme.code} opens on ${programme.startsOn}.`,
    );
  }
  if (compareLocalDate(today, parseIsoDate(programme.enrollmentClosesOn)) > 0) {
    return refuse(
      'enrollment_closed',
      `Le iscrizioni al programma ${programme.code} sono chiuse dal ${programme.enrollmentClosesOn}.`,
      `Enrollment in programme ${programme.code} closed on ${programme.enrollmentClosesOn}.`,
    );
  }
  const province = findProvince(company.province);
  if (!province) {
    return refuse(
      'territory_not_covered',
      `La provincia "${company.province}" non appartiene a nessuna ATS lombarda: il programma copre solo le 12 province della Lombardia.`,
      `Province "${company.province}" belongs to no Lombard ATS: the programme covers only the 12 provinces of Lombardy.`,
    );
  }
  const ats = atsForProvince(province.code);
  if (!programme.atsCodes.includes(ats.code)) {
    return refuse(
      'territory_not_in_programme',
      `La rete di ${ats.name} non partecipa al programma ${programme.code}.`,
      `The ${ats.name} network does not take part in programme ${programme.code}.`,
    );
  }
  if (args.alliance !== undefined) {
    const alliance = programme.alliances.find((a) => a.code === args.alliance);
    if (!alliance) {
      const known = programme.alliances.map((a) => a.code).join(', ') || '—';
      return refuse(
        'unknown_alliance',
        `Alleanza "${args.alliance}" sconosciuta nel programma ${programme.code} (alleanze: ${known}).`,
        `Unknown alliance "${args.alliance}" in programme ${programme.code} (alliances: ${known}).`,
      );
    }
    if (alliance.atsCode !== ats.code) {
      return refuse(
        'alliance_outside_territory',
        `L'alleanza "${alliance.name}" opera nella ${alliance.atsCode}, non nella ${ats.code} dell'impresa.`,
        `Alliance "${alliance.name}" works in ${alliance.atsCode}, not in the company's ${ats.code}.`,
      );
    }
  }
  const rules = definition.eligibility;
  const isNetwork = (company.members?.length ?? 0) > 0;
  if (isNetwork && rules && !rules.networks) {
    return refuse(
      'networks_not_admitted',
      `Il percorso "${definition.name.it}" non è aperto alle reti di imprese: ogni impresa si iscrive singolarmente.`,
      `Pathway "${definition.name.en}" is not open to business networks: each firm enrolls on its own.`,
    );
  }
  if (company.registered === false && !rules?.allowsUnregistered) {
    return refuse(
      'registration_required',
      `Il percorso "${definition.name.it}" richiede un'impresa già costituita, con partita IVA.`,
      `Pathway "${definition.name.en}" requires a registered firm with a VAT number.`,
    );
  }
  // A network's eligibility is its members': each must be an SME the pathway admits.
  const firms: FirmFacts[] = isNetwork ? company.members! : [company];
  const order = ['micro', 'small', 'medium'] as const;
  let largest: (typeof order)[number] = 'micro';
  for (const firm of firms) {
    const label = isNetwork && firm.name ? `${firm.name}: ` : '';
    const sme = classifySme(firm);
    if (sme.size === 'large') {
      return refuse(
        'not_an_sme',
        `${label}l'impresa non è una PMI secondo la raccomandazione UE 2003/361: ${sme.reasons.join('; ')}.`,
        `${label}the company is not an SME under EU recommendation 2003/361: ${sme.reasons.join('; ')}.`,
        { reasons: sme.reasons },
      );
    }
    if (rules && !rules.sizes.includes(sme.size)) {
      return refuse(
        'size_not_admitted',
        `${label}il percorso "${definition.name.it}" è riservato alle imprese ${rules.sizes.join(', ')}; questa è "${sme.size}".`,
        `${label}pathway "${definition.name.en}" is reserved to ${rules.sizes.join(', ')} firms; this one is "${sme.size}".`,
      );
    }
    if (rules?.sectors && !(rules.sectors as string[]).includes(firm.sector)) {
      return refuse(
        'sector_not_admitted',
        `${label}il percorso "${definition.name.it}" è riservato ai settori ${rules.sectors.join(', ')}; indicato: "${firm.sector}".`,
        `${label}pathway "${definition.name.en}" is reserved to the sectors ${rules.sectors.join(', ')}; given: "${firm.sector}".`,
      );
    }
    if (rules?.maxStaff !== undefined && firm.staff > rules.maxStaff) {
      return refuse(
        'too_many_employed',
        `${label}il percorso "${definition.name.it}" è riservato alle imprese con al massimo ${rules.maxStaff} persone occupate; indicate: ${firm.staff}.`,
        `${label}pathway "${definition.name.en}" is reserved to firms with at most ${rules.maxStaff} people employed; given: ${firm.staff}.`,
      );
    }
    if (order.indexOf(sme.size) > order.indexOf(largest)) largest = sme.size;
  }
  return { ok: true, provinceCode: province.code, atsCode: ats.code, size: largest, city: company.city?.toLowerCase() };
}
