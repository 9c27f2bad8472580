/**
 * Who may enroll in which pathway, with reasons a person can act on when refused.
 */
import { compareLocalDate, localDateOf, localDateToIso, parseIsoDate } from './calendar';
import type { PathwayDefinition, Text } from './catalogue';
import { CATALOGUE } from './catalogue';
import { DomainError } from './errors';
import type { Programme } from './programmes';
import { classifyDeclaredSme, type EnterpriseRelations, type SmeSize } from './sme';
import { atsForMunicipality, findProvince } from './territory';

export interface FirmFacts {
  name?: string;
  sector: string;
  /** Staff in annual work units (ULA), fractional allowed: the SME headcount. */
  staff: number;
  /** The people the firm employs (a headcount): time saving's "massimo tre occupati". */
  peopleEmployed?: number;
  turnoverCents?: number;
  balanceSheetCents?: number;
  /** Partner and linked enterprises, and the share held by public bodies; absent: an autonomous firm. */
  relations?: EnterpriseRelations;
  /** ATECO code of the main activity, as registered (e.g. "47.11.10"). */
  atecoCode?: string;
  /** Registered in the Albo delle imprese artigiane (law 443/1985); absent: taken from sector "artigianato". */
  craftRegistered?: boolean;
  /** A public or private care company ("azienda di cura"): actions 2 and 3 admit them whatever their size. */
  isCareCompany?: boolean;
  /** A network member's own province and municipality; absent: the network's. */
  province?: string;
  city?: string;
}

/** The self-declaration (DPR 445/2000) by which the figures are given. */
export interface DeclarationFacts {
  declarantName: string;
  declarantRole: 'legal-representative';
}

export interface CompanyFacts extends FirmFacts {
  province: string;
  city?: string;
  /** False for a project not yet registered (no VAT number). */
  registered?: boolean;
  /** Present for a business network ("rete di imprese"): its member firms. */
  members?: FirmFacts[];
  declaration?: DeclarationFacts;
}

export interface FirmAssessment {
  name?: string;
  provinceCode: string;
  atsCode: string;
  size: SmeSize;
  /** Why, rule by rule: territory, size, sector, headcount. */
  reasons: Text[];
}

export type EligibilityResult =
  | {
      ok: true;
      provinceCode: string;
      atsCode: string;
      size: SmeSize;
      city?: string;
      /** Every rule applied, with its reason, in both languages. */
      reasons: Text[];
      /** For a network: each member firm's territory and size. */
      members: FirmAssessment[];
    }
  | { ok: false; error: DomainError };

const refuse = (code: string, it: string, en: string, details?: unknown): EligibilityResult => ({
  ok: false,
  error: new DomainError(code, { it, en }, details),
});

const joinReasons = (reasons: Text[], locale: keyof Text): string => reasons.map((r) => r[locale]).join('; ');

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
  const todayIso = localDateToIso(today);
  const assignment = atsForMunicipality(province.code, company.city, todayIso);
  const ats = assignment.ats;
  const reasons: Text[] = [assignment.reason];
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
  const unregisteredProject = company.registered === false && Boolean(rules?.allowsUnregistered);
  if (unregisteredProject) {
    reasons.push({
      it: `Progetto non ancora costituito (azione ${definition.action}): i dati dimensionali non sono richiesti`,
      en: `Project not yet registered (action ${definition.action}): no size figures are required`,
    });
  }
  // A network's eligibility is its members': each must be a firm the pathway admits.
  const firms: FirmFacts[] = isNetwork ? company.members! : [company];
  if (!unregisteredProject) {
    for (const firm of firms) {
      const missing = [
        ...(firm.turnoverCents === undefined ? [{ it: 'fatturato', en: 'turnover' }] : []),
        ...(firm.balanceSheetCents === undefined ? [{ it: 'totale di bilancio', en: 'balance sheet total' }] : []),
      ];
      if (missing.length > 0) {
        const label = isNetwork && firm.name ? `${firm.name}: ` : '';
        return refuse(
          'size_figures_required',
          `${label}mancano ${missing.map((m) => m.it).join(' e ')}: senza ULA, fatturato e totale di bilancio l'impresa non può essere riconosciuta come PMI (raccomandazione UE 2003/361).`,
          `${label}${missing.map((m) => m.en).join(' and ')} missing: without staff (AWU), turnover and balance sheet total the firm cannot be recognised as an SME (EU recommendation 2003/361).`,
          { missing: missing.map((m) => m.en) },
        );
      }
    }
    if (!company.declaration) {
      return refuse(
        'declaration_required',
        "I dati dell'impresa vanno resi come dichiarazione sostitutiva del legale rappresentante (DPR 445/2000, artt. 46-47): indicare declaration.declarantName.",
        "The firm's figures must be given as a self-declaration by its legal representative (DPR 445/2000, arts. 46-47): give declaration.declarantName.",
      );
    }
    reasons.push({
      it: `Dati dichiarati da ${company.declaration.declarantName}, legale rappresentante, come dichiarazione sostitutiva (DPR 445/2000): l'ATS ne verifica un campione`,
      en: `Figures declared by ${company.declaration.declarantName}, legal representative, as a self-declaration (DPR 445/2000): the ATS checks a sample`,
    });
  }
  const order: readonly SmeSize[] = ['micro', 'small', 'medium', 'large'];
  let largest: SmeSize = 'micro';
  const members: FirmAssessment[] = [];
  for (const firm of firms) {
    const label = isNetwork && firm.name ? `${firm.name}: ` : '';
    const firmReasons: Text[] = [];
    let firmProvince = province.code;
    let firmAts: string = ats.code;
    if (isNetwork) {
      const own = findProvince(firm.province ?? company.province);
      if (!own) {
        return refuse(
          'territory_not_covered',
          `${label}la provincia "${firm.province}" non appartiene a nessuna ATS lombarda.`,
          `${label}province "${firm.province}" belongs to no Lombard ATS.`,
        );
      }
      const place = atsForMunicipality(own.code, firm.city ?? (firm.province ? undefined : company.city), todayIso);
      firmProvince = own.code;
      firmAts = place.ats.code;
      firmReasons.push(place.reason);
    }
    if (firm.peopleEmployed !== undefined && firm.peopleEmployed < firm.staff) {
      return refuse(
        'staff_exceeds_people_employed',
        `${label}${firm.staff} ULA con ${firm.peopleEmployed} persone occupate: ogni persona conta al più una ULA all'anno.`,
        `${label}${firm.staff} annual work units with ${firm.peopleEmployed} people employed: each person counts at most one AWU a year.`,
      );
    }
    let size: SmeSize = 'micro';
    if (unregisteredProject && (firm.turnoverCents === undefined || firm.balanceSheetCents === undefined)) {
      firmReasons.push({
        it: 'Progetto senza bilancio: considerato microimpresa',
        en: 'Project without accounts: taken as a micro enterprise',
      });
    } else {
      const sme = classifyDeclaredSme({
        staff: firm.staff,
        turnoverCents: firm.turnoverCents!,
        balanceSheetCents: firm.balanceSheetCents!,
        relations: firm.relations,
      });
      size = sme.size;
      firmReasons.push(...sme.reasons);
      const careAdmitted = Boolean(rules?.careCompanies && firm.isCareCompany);
      if (careAdmitted) {
        firmReasons.push({
          it: `Azienda di cura pubblica o privata: l'azione ${definition.action} la ammette di qualunque dimensione`,
          en: `Public or private care company: action ${definition.action} admits it whatever its size`,
        });
      } else if (rules?.anySize) {
        firmReasons.push({
          it: `L'azione ${definition.action} non pone limiti di dimensione: ammessa anche un'impresa "${size}"`,
          en: `Action ${definition.action} sets no size limit: a "${size}" firm is admitted too`,
        });
      } else if (size === 'large') {
        return refuse(
          'not_an_sme',
          `${label}l'impresa non è una PMI secondo la raccomandazione UE 2003/361: ${joinReasons(sme.reasons, 'it')} (${sme.steps.join('; ')}).`,
          `${label}the company is not an SME under EU recommendation 2003/361: ${joinReasons(sme.reasons, 'en')} (${sme.steps.join('; ')}).`,
          { reasons: sme.steps },
        );
      } else if (rules && !(rules.sizes as SmeSize[]).includes(size)) {
        return refuse(
          'size_not_admitted',
          `${label}il percorso "${definition.name.it}" è riservato alle imprese ${rules.sizes.join(', ')}; questa è "${size}".`,
          `${label}pathway "${definition.name.en}" is reserved to ${rules.sizes.join(', ')} firms; this one is "${size}".`,
        );
      } else {
        firmReasons.push({
          it: `Impresa "${size}": ammessa (${rules ? rules.sizes.join(', ') : 'ogni PMI'})`,
          en: `A "${size}" firm: admitted (${rules ? rules.sizes.join(', ') : 'any SME'})`,
        });
      }
    }
    if (rules?.sectors) {
      const sectors = rules.sectors as string[];
      const craft = firm.craftRegistered ?? firm.sector === 'artigianato';
      const craftAdmitted = sectors.includes('artigianato') && craft;
      const sectorAdmitted = sectors.includes(firm.sector) && firm.sector !== 'artigianato';
      if (firm.sector === 'artigianato' && firm.craftRegistered === false && !sectorAdmitted) {
        return refuse(
          'craft_registration_required',
          `${label}il percorso "${definition.name.it}" ammette le imprese artigiane iscritte all'Albo delle imprese artigiane (legge 443/1985): l'impresa dichiara di non esserlo.`,
          `${label}pathway "${definition.name.en}" admits craft firms registered in the Albo delle imprese artigiane (law 443/1985): the firm declares it is not.`,
        );
      }
      if (!sectorAdmitted && !craftAdmitted) {
        return refuse(
          'sector_not_admitted',
          `${label}il percorso "${definition.name.it}" è riservato ai settori ${rules.sectors.join(', ')} (artigianato: iscrizione all'Albo delle imprese artigiane); indicato: "${firm.sector}".`,
          `${label}pathway "${definition.name.en}" is reserved to the sectors ${rules.sectors.join(', ')} (craft: registration in the Albo delle imprese artigiane); given: "${firm.sector}".`,
        );
      }
      firmReasons.push(
        craftAdmitted
          ? {
              it:
                firm.craftRegistered === undefined
                  ? "Impresa artigiana (settore dichiarato; l'iscrizione all'Albo va verificata)"
                  : "Impresa artigiana iscritta all'Albo delle imprese artigiane",
              en:
                firm.craftRegistered === undefined
                  ? 'A craft firm (sector declared; the Albo registration is to be checked)'
                  : 'A craft firm registered in the Albo delle imprese artigiane',
            }
          : { it: `Settore "${firm.sector}": ammesso`, en: `Sector "${firm.sector}": admitted` },
      );
    }
    if (rules?.maxStaff !== undefined) {
      if (firm.peopleEmployed === undefined) {
        return refuse(
          'people_employed_required',
          `${label}il percorso "${definition.name.it}" è riservato alle imprese con al massimo ${rules.maxStaff} persone occupate: indicare peopleEmployed (le persone, non le ULA).`,
          `${label}pathway "${definition.name.en}" is reserved to firms with at most ${rules.maxStaff} people employed: give peopleEmployed (people, not annual work units).`,
        );
      }
      if (firm.peopleEmployed > rules.maxStaff) {
        return refuse(
          'too_many_employed',
          `${label}il percorso "${definition.name.it}" è riservato alle imprese con al massimo ${rules.maxStaff} persone occupate; indicate: ${firm.peopleEmployed}.`,
          `${label}pathway "${definition.name.en}" is reserved to firms with at most ${rules.maxStaff} people employed; given: ${firm.peopleEmployed}.`,
        );
      }
      firmReasons.push({
        it: `${firm.peopleEmployed} persone occupate, al massimo ${rules.maxStaff}: ammessa`,
        en: `${firm.peopleEmployed} people employed, at most ${rules.maxStaff}: admitted`,
      });
    }
    if (order.indexOf(size) > order.indexOf(largest)) largest = size;
    if (isNetwork) {
      members.push({ name: firm.name, provinceCode: firmProvince, atsCode: firmAts, size, reasons: firmReasons });
      reasons.push(...firmReasons.map((r) => ({ it: `${label}${r.it}`, en: `${label}${r.en}` })));
    } else reasons.push(...firmReasons);
  }
  if (isNetwork)
    reasons.push({
      it: `Rete di imprese: ammessa dall'azione ${definition.action}; vale la dimensione del membro più grande ("${largest}")`,
      en: `Business network: admitted by action ${definition.action}; the largest member's size applies ("${largest}")`,
    });
  if (rules?.audience === 'women-excluded-from-labour-market')
    reasons.push({
      it: `Azione ${definition.action}: progetti di donne escluse dal mercato del lavoro, nell'ambito dei servizi di conciliazione; il consulente lo verifica all'orientamento`,
      en: `Action ${definition.action}: projects by women excluded from the labour market, in work-life balance services; the consultant checks it at orientation`,
    });
  return {
    ok: true,
    provinceCode: province.code,
    atsCode: ats.code,
    size: largest,
    city: company.city?.toLowerCase(),
    reasons,
    members,
  };
}
