/**
 * The municipalities that belong to ATS della Montagna although their province's ATS is another: the
 * Valle Camonica district (province of Brescia, otherwise ATS Brescia) and the Medio e Alto Lario district
 * (province of Como, otherwise ATS Insubria). Every other municipality takes its province's ATS.
 *
 * Sources, to verify against the official lists before relying on a single name:
 * - Regional law 23/2015, annex 1 (as amended): ATS della Montagna = the former ASL of Sondrio, the
 *   Valle Camonica district of the former ASL Vallecamonica-Sebino and the Medio e Alto Lario district
 *   of the former ASL of Como.
 * - Valle Camonica: the municipalities of the province of Brescia in the Comunità Montana di Valle
 *   Camonica (Breno). Prestine merged into Bienno in 2016 and is kept as a former name. The Valcamonica
 *   municipalities of the province of Bergamo (Costa Volpino, Lovere, Rogno, Castro) are ATS Bergamo.
 * - Medio e Alto Lario: the Comunità Montana Valli del Lario e del Ceresio's Alto Lario municipalities
 *   (the former Comunità Montana Alto Lario Occidentale, Sorico to Cremia), in ATS Montagna throughout;
 *   and the 29 Medio Lario and Valle Intelvi municipalities that regional law 15 of 28 November 2018
 *   moved from ATS Montagna to ATS Insubria from 1 January 2019 (list as published by ATS Montagna,
 *   "Riassegnazione dell'Area del Medio Lario da ATS Montagna ad ATS Insubria", 14 January 2019).
 *   Municipalities merged since 2011 keep their former names so that an old address still matches.
 */
import type { AtsCode, ProvinceCode } from './territory';

export interface MunicipalityDistrict {
  key: 'valle-camonica' | 'alto-lario' | 'medio-lario';
  /** The district's name as ATS Montagna uses it. */
  name: string;
  province: ProvinceCode;
  atsCode: AtsCode;
  /** Last day (ISO, Europe/Rome) on which the district belonged to the ATS; absent: it still does. */
  until?: string;
  /** Why, in words a coordinator can repeat. */
  basis: { it: string; en: string };
  municipalities: readonly string[];
  /** Former municipalities, merged into the one named: the former name still matches. */
  formerNames?: Readonly<Record<string, string>>;
}

export const ATS_MONTAGNA_DISTRICTS: readonly MunicipalityDistrict[] = [
  {
    key: 'valle-camonica',
    name: 'Distretto Valle Camonica',
    province: 'BS',
    atsCode: 'ats-montagna',
    basis: {
      it: 'l.r. 23/2015: il Distretto Valle Camonica (Comunità Montana di Valle Camonica) appartiene all’ATS della Montagna',
      en: 'regional law 23/2015: the Valle Camonica district (Comunità Montana di Valle Camonica) belongs to ATS della Montagna',
    },
    municipalities: [
      'Angolo Terme',
      'Artogne',
      'Berzo Demo',
      'Berzo Inferiore',
      'Bienno',
      'Borno',
      'Braone',
      'Breno',
      'Capo di Ponte',
      'Cedegolo',
      'Cerveno',
      'Ceto',
      'Cevo',
      'Cimbergo',
      'Cividate Camuno',
      'Corteno Golgi',
      'Darfo Boario Terme',
      'Edolo',
      'Esine',
      'Gianico',
      'Incudine',
      'Losine',
      'Lozio',
      'Malegno',
      'Malonno',
      'Monno',
      'Niardo',
      'Ono San Pietro',
      'Ossimo',
      'Paisco Loveno',
      'Paspardo',
      'Pian Camuno',
      'Piancogno',
      'Pisogne',
      'Ponte di Legno',
      "Saviore dell'Adamello",
      'Sellero',
      'Sonico',
      'Temù',
      "Vezza d'Oglio",
      'Vione',
    ],
    formerNames: { Prestine: 'Bienno' },
  },
  {
    key: 'alto-lario',
    name: 'Distretto Medio e Alto Lario (Alto Lario)',
    province: 'CO',
    atsCode: 'ats-montagna',
    basis: {
      it: 'l.r. 23/2015 e l.r. 15/2018: i comuni dell’Alto Lario (da Sorico a Cremia) restano all’ATS della Montagna',
      en: 'regional laws 23/2015 and 15/2018: the Alto Lario municipalities (Sorico to Cremia) stay with ATS della Montagna',
    },
    municipalities: [
      'Cremia',
      'Domaso',
      'Dongo',
      'Dosso del Liro',
      'Garzeno',
      'Gera Lario',
      'Gravedona ed Uniti',
      'Livo',
      'Montemezzo',
      'Musso',
      'Peglio',
      'Pianello del Lario',
      'Sorico',
      'Stazzona',
      'Trezzone',
      'Vercana',
    ],
    formerNames: {
      Gravedona: 'Gravedona ed Uniti',
      'Consiglio di Rumo': 'Gravedona ed Uniti',
      Germasino: 'Gravedona ed Uniti',
    },
  },
  {
    key: 'medio-lario',
    name: 'Distretto Medio e Alto Lario (Medio Lario e Valle Intelvi)',
    province: 'CO',
    atsCode: 'ats-montagna',
    until: '2018-12-31',
    basis: {
      it: 'l.r. 23/2015: il Medio Lario apparteneva all’ATS della Montagna fino al 31 dicembre 2018; dal 1° gennaio 2019 è dell’ATS Insubria (l.r. 15/2018)',
      en: 'regional law 23/2015: the Medio Lario belonged to ATS della Montagna until 31 December 2018; from 1 January 2019 it is ATS Insubria’s (regional law 15/2018)',
    },
    municipalities: [
      'Alta Valle Intelvi',
      'Argegno',
      'Bene Lario',
      'Blessagno',
      'Carlazzo',
      'Cavargna',
      "Cerano d'Intelvi",
      'Centro Valle Intelvi',
      'Claino con Osteno',
      'Colonno',
      'Corrido',
      'Cusino',
      'Dizzasco',
      'Grandola ed Uniti',
      'Griante',
      'Laino',
      'Menaggio',
      'Pigra',
      'Plesio',
      'Ponna',
      'Porlezza',
      'Sala Comacina',
      'San Bartolomeo Val Cavargna',
      'San Nazzaro Val Cavargna',
      'San Siro',
      'Schignano',
      'Tremezzina',
      'Val Rezzo',
      'Valsolda',
    ],
    formerNames: {
      "Lanzo d'Intelvi": 'Alta Valle Intelvi',
      'Pellio Intelvi': 'Alta Valle Intelvi',
      'Ramponio Verna': 'Alta Valle Intelvi',
      "Casasco d'Intelvi": 'Centro Valle Intelvi',
      "Castiglione d'Intelvi": 'Centro Valle Intelvi',
      'San Fedele Intelvi': 'Centro Valle Intelvi',
      Lenno: 'Tremezzina',
      Mezzegra: 'Tremezzina',
      Ossuccio: 'Tremezzina',
      Tremezzo: 'Tremezzina',
    },
  },
];

/**
 * A municipality's name compared without accents, case, apostrophes, hyphens or repeated spaces:
 * "Temù", "TEMU'", "Vezza d’Oglio" and "vezza-d-oglio" meet. Abbreviated "V.C." reads as "Val Cavargna".
 */
export function normalizeMunicipality(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\bv\.\s*c\.?(?=\s|$)/g, 'val cavargna')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export interface MunicipalityMatch {
  district: MunicipalityDistrict;
  /** The municipality's current name (the one a former name was merged into). */
  municipality: string;
  /** The name as written, when it is a former name. */
  formerName?: string;
}

const INDEX = new Map<string, MunicipalityMatch>();
for (const district of ATS_MONTAGNA_DISTRICTS) {
  for (const m of district.municipalities)
    INDEX.set(`${district.province}:${normalizeMunicipality(m)}`, { district, municipality: m });
  for (const [former, current] of Object.entries(district.formerNames ?? {}))
    INDEX.set(`${district.province}:${normalizeMunicipality(former)}`, {
      district,
      municipality: current,
      formerName: former,
    });
}

/** The listed district a municipality of the province is in, whatever the date; undefined when not listed. */
export function findListedMunicipality(province: ProvinceCode, city: string): MunicipalityMatch | undefined {
  if (typeof city !== 'string') return undefined;
  return INDEX.get(`${province}:${normalizeMunicipality(city)}`);
}
