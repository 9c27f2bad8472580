import { DomainError } from './errors';
import { findListedMunicipality, type MunicipalityDistrict } from './municipalities';

export type ProvinceCode = 'BG' | 'BS' | 'CO' | 'CR' | 'LC' | 'LO' | 'MN' | 'MI' | 'MB' | 'PV' | 'SO' | 'VA';

export type AtsCode =
  | 'ats-milano'
  | 'ats-insubria'
  | 'ats-montagna'
  | 'ats-brianza'
  | 'ats-bergamo'
  | 'ats-brescia'
  | 'ats-val-padana'
  | 'ats-pavia';

export interface Province {
  code: ProvinceCode;
  name: string;
  /** Key of the provincial capital, matching the keys of PATRON_SAINTS in holidays.ts. */
  capoluogo: string;
  /** Other spellings accepted by findProvince (English exonyms, the capital's name when it differs). */
  aliases: readonly string[];
}

export interface AtsNetwork {
  code: AtsCode;
  name: string;
  /** Provinces the ATS covers entirely (or almost): each province is listed by exactly one ATS. */
  provinces: readonly ProvinceCode[];
  /** Districts taken from provinces that another ATS lists. */
  areas?: readonly string[];
  /** Provinces some of whose firms belong to this ATS through `areas`. */
  partialProvinces?: readonly ProvinceCode[];
}

export const PROVINCES: readonly Province[] = [
  { code: 'BG', name: 'Bergamo', capoluogo: 'bergamo', aliases: [] },
  { code: 'BS', name: 'Brescia', capoluogo: 'brescia', aliases: [] },
  { code: 'CO', name: 'Como', capoluogo: 'como', aliases: [] },
  { code: 'CR', name: 'Cremona', capoluogo: 'cremona', aliases: [] },
  { code: 'LC', name: 'Lecco', capoluogo: 'lecco', aliases: [] },
  { code: 'LO', name: 'Lodi', capoluogo: 'lodi', aliases: [] },
  { code: 'MN', name: 'Mantova', capoluogo: 'mantova', aliases: ['Mantua'] },
  { code: 'MI', name: 'Milano', capoluogo: 'milano', aliases: ['Milan', 'Città Metropolitana di Milano'] },
  { code: 'MB', name: 'Monza e Brianza', capoluogo: 'monza', aliases: ['Monza and Brianza', 'Monza'] },
  { code: 'PV', name: 'Pavia', capoluogo: 'pavia', aliases: [] },
  { code: 'SO', name: 'Sondrio', capoluogo: 'sondrio', aliases: [] },
  { code: 'VA', name: 'Varese', capoluogo: 'varese', aliases: [] },
];

/** The eight Agenzie di Tutela della Salute set up by regional law 23/2015, as networked in 2017-2018. */
export const ATS_NETWORKS: readonly AtsNetwork[] = [
  { code: 'ats-milano', name: 'ATS della Città Metropolitana di Milano', provinces: ['MI', 'LO'] },
  { code: 'ats-insubria', name: "ATS dell'Insubria", provinces: ['VA', 'CO'] },
  {
    code: 'ats-montagna',
    name: 'ATS della Montagna',
    provinces: ['SO'],
    // Valcamonica lies in the province of Brescia and Medio e Alto Lario in the province of Como: firms there
    // belong to ATS Montagna although their province's default ATS is Brescia or Insubria. The municipalities
    // are listed in municipalities.ts; atsForMunicipality decides.
    areas: ['Valcamonica', 'Medio e Alto Lario'],
    partialProvinces: ['BS', 'CO'],
  },
  { code: 'ats-brianza', name: 'ATS della Brianza', provinces: ['MB', 'LC'] },
  { code: 'ats-bergamo', name: 'ATS di Bergamo', provinces: ['BG'] },
  { code: 'ats-brescia', name: 'ATS di Brescia', provinces: ['BS'] },
  { code: 'ats-val-padana', name: 'ATS della Val Padana', provinces: ['CR', 'MN'] },
  { code: 'ats-pavia', name: 'ATS di Pavia', provinces: ['PV'] },
];

// Connective words are dropped so that 'Monza e Brianza', 'Monza-Brianza' and 'Monza and Brianza' compare equal.
const IGNORED_WORDS = new Set(['e', 'and', 'di', 'provincia']);

function normalizeName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !IGNORED_WORDS.has(w))
    .join(' ');
}

/** Finds a Lombard province by its two-letter code, its name or a common alias; undefined when unknown. */
export function findProvince(nameOrCode: string): Province | undefined {
  if (typeof nameOrCode !== 'string') return undefined;
  const trimmed = nameOrCode.trim();
  if (/^[a-z]{2}$/i.test(trimmed)) {
    const byCode = PROVINCES.find((p) => p.code === trimmed.toUpperCase());
    if (byCode) return byCode;
  }
  const wanted = normalizeName(trimmed);
  if (wanted === '') return undefined;
  return PROVINCES.find((p) => normalizeName(p.name) === wanted || p.aliases.some((a) => normalizeName(a) === wanted));
}

/** The ATS that lists the province: the one a firm belongs to unless it sits in one of ATS Montagna's areas. */
export function atsForProvince(code: string): AtsNetwork {
  const province = PROVINCES.find((p) => p.code === code.trim().toUpperCase());
  const ats = province && ATS_NETWORKS.find((a) => a.provinces.includes(province.code));
  if (!ats) {
    throw new DomainError(
      'unknown_province',
      {
        it: `Provincia sconosciuta ${JSON.stringify(code)}: serve la sigla di una provincia lombarda (es. MI, BG)`,
        en: `Unknown province ${JSON.stringify(code)}: expected the code of a Lombard province (e.g. MI, BG)`,
      },
      { code },
    );
  }
  return ats;
}

/** Whether a firm in the province can belong to the ATS, counting ATS Montagna's districts in Brescia and Como. */
export function isProvinceInAts(provinceCode: string, atsCode: string): boolean {
  const code = provinceCode.trim().toUpperCase();
  const ats = ATS_NETWORKS.find((a) => a.code === atsCode.trim().toLowerCase());
  if (!ats) return false;
  return ats.provinces.some((p) => p === code) || (ats.partialProvinces ?? []).some((p) => p === code);
}

export interface AtsAssignment {
  ats: AtsNetwork;
  /** The ATS Montagna district the municipality is in, when that (not the province) decided. */
  district?: MunicipalityDistrict;
  /** The municipality's current name, when it is listed (a former name is given as the one it merged into). */
  municipality?: string;
  reason: { it: string; en: string };
}

/**
 * The ATS a firm belongs to, decided by its municipality: a municipality of ATS Montagna's districts in
 * the provinces of Brescia and Como belongs to ATS Montagna (on `onIsoDate`, as districts moved in
 * 2019); any other takes its province's ATS. `city` absent: the province's ATS, and the reason says so.
 */
export function atsForMunicipality(provinceCode: string, city: string | undefined, onIsoDate: string): AtsAssignment {
  const byProvince = atsForProvince(provinceCode);
  const province = PROVINCES.find((p) => p.code === provinceCode.trim().toUpperCase())!;
  const match = city === undefined ? undefined : findListedMunicipality(province.code, city);
  if (match) {
    const { district } = match;
    const ats = ATS_NETWORKS.find((a) => a.code === district.atsCode)!;
    const named = match.formerName ? `${match.formerName} (ora ${match.municipality})` : match.municipality;
    const namedEn = match.formerName ? `${match.formerName} (now ${match.municipality})` : match.municipality;
    if (district.until === undefined || onIsoDate <= district.until) {
      return {
        ats,
        district,
        municipality: match.municipality,
        reason: {
          it: `Comune di ${named} (${province.code}): ${district.name}, ${ats.name} (${district.basis.it})`,
          en: `Municipality of ${namedEn} (${province.code}): ${district.name}, ${ats.name} (${district.basis.en})`,
        },
      };
    }
    return {
      ats: byProvince,
      municipality: match.municipality,
      reason: {
        it: `Comune di ${named} (${province.code}): dal ${district.until} non più ${ats.name} ma ${byProvince.name}, l'ATS della provincia (${district.basis.it})`,
        en: `Municipality of ${namedEn} (${province.code}): after ${district.until} no longer ${ats.name} but ${byProvince.name}, the province's ATS (${district.basis.en})`,
      },
    };
  }
  if (city === undefined) {
    return {
      ats: byProvince,
      reason: {
        it: `Comune non indicato: vale l'ATS della provincia ${province.name}, ${byProvince.name}`,
        en: `No municipality given: the ATS of the province of ${province.name} applies, ${byProvince.name}`,
      },
    };
  }
  return {
    ats: byProvince,
    reason: {
      it: `Comune di ${city} (${province.code}): nessun distretto di un'altra ATS lo comprende, vale l'ATS della provincia, ${byProvince.name}`,
      en: `Municipality of ${city} (${province.code}): in no other ATS's district, so the province's ATS applies, ${byProvince.name}`,
    },
  };
}
