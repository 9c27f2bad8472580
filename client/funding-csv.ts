/**
 * CSV import of the ESF call's project list and CSV export of the per-province funding report.
 */
import { DomainError, type LocalizedMessage } from '../domain/errors';
import { checkGrant, FUNDING_STATUSES, type FundingProject, type ProvinceFundingRow } from '../domain/funding';
import { assertCents, eurosToCents, type Cents } from '../domain/money';
import { findProvince } from '../domain/territory';
import { csvCell } from '../reports/csv';
import { detectSeparator, readCsvRecords } from './csv';
import type { Locale } from '../domain/locale';

export const FUNDING_CSV_COLUMNS = [
  'code',
  'title',
  'lead_body',
  'province',
  'eligible_cost_eur',
  'requested_grant_eur',
  'rank',
  'status',
] as const;

type Column = (typeof FUNDING_CSV_COLUMNS)[number];

export interface FundingCsvError {
  /** 1-based line in the file (the header is line 1); for a record spanning lines, the line it starts on. */
  line: number;
  /** The column at fault, or null when the whole row (or the file) is. */
  column: Column | null;
  message: LocalizedMessage;
}

function describe(errors: FundingCsvError[]): LocalizedMessage {
  const shown = errors.slice(0, 5);
  const more = errors.length - shown.length;
  const list = (locale: Locale) =>
    shown
      .map(
        (e) =>
          `${locale === 'it' ? 'riga' : 'line'} ${e.line}${e.column ? ` (${e.column})` : ''}: ${e.message[locale]}`,
      )
      .join('; ');
  return {
    it: `Il file CSV contiene ${errors.length} ${errors.length === 1 ? 'errore' : 'errori'}: ${list('it')}${more > 0 ? `; e altri ${more}` : ''}`,
    en: `The CSV file has ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}: ${list('en')}${more > 0 ? `; and ${more} more` : ''}`,
  };
}

function invalidCsv(errors: FundingCsvError[]): DomainError {
  return new DomainError('invalid_csv', describe(errors), { errors });
}

const REQUIRED: LocalizedMessage = { it: 'Campo obbligatorio mancante', en: 'Required field is missing' };

/**
 * Parses the project list of the call. Every row is validated and all errors are collected, so an operator fixes the
 * file in one pass; if there is any, a DomainError 'invalid_csv' lists them in `details.errors` and no project is
 * returned. The file has no partners column: `partners` is empty.
 */
export function parseFundingCsv(text: string): { projects: FundingProject[] } {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const headerLine = source.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const separator = detectSeparator(headerLine);
  const expected = FUNDING_CSV_COLUMNS.join(',');
  if (separator === undefined) {
    throw invalidCsv([
      {
        line: 1,
        column: null,
        message: {
          it: `Intestazione mancante o non valida: servono le colonne ${expected} (separate da ; o ,)`,
          en: `Missing or invalid header: expected the columns ${expected} (separated by ; or ,)`,
        },
      },
    ]);
  }

  const errors: FundingCsvError[] = [];
  const records = readCsvRecords(source, separator, errors);
  const [header, ...rows] = records;
  const names = (header?.fields ?? []).map((f) => f.trim().toLowerCase());
  if (names.join(',') !== expected) {
    errors.unshift({
      line: 1,
      column: null,
      message: {
        it: `Intestazione non valida: servono esattamente le colonne ${expected}, trovate ${names.join(',')}`,
        en: `Invalid header: expected exactly the columns ${expected}, found ${names.join(',')}`,
      },
    });
    throw invalidCsv(errors);
  }

  const projects: FundingProject[] = [];
  const codeLines = new Map<string, number>();
  const rankLines = new Map<number, number>();
  for (const record of rows) {
    const values = record.fields.map((f) => f.trim());
    // Spreadsheets pad exports with empty rows (sometimes as a row of bare separators).
    if (values.every((v) => v === '')) continue;
    const fail = (column: Column | null, message: LocalizedMessage) =>
      errors.push({ line: record.line, column, message });
    if (values.length !== FUNDING_CSV_COLUMNS.length) {
      fail(null, {
        it: `La riga ha ${values.length} campi invece di ${FUNDING_CSV_COLUMNS.length}`,
        en: `The row has ${values.length} fields instead of ${FUNDING_CSV_COLUMNS.length}`,
      });
      continue;
    }
    const get = (column: Column) => values[FUNDING_CSV_COLUMNS.indexOf(column)] ?? '';
    const errorsBefore = errors.length;

    const required = (column: Column): string => {
      const value = get(column);
      if (value === '') fail(column, REQUIRED);
      return value;
    };
    const code = required('code');
    const title = required('title');
    const leadBody = required('lead_body');

    if (code !== '') {
      const firstLine = codeLines.get(code);
      if (firstLine !== undefined) {
        fail('code', {
          it: `Codice ${JSON.stringify(code)} già usato alla riga ${firstLine}`,
          en: `Code ${JSON.stringify(code)} already used on line ${firstLine}`,
        });
      } else {
        codeLines.set(code, record.line);
      }
    }

    const provinceText = required('province');
    const province = provinceText === '' ? undefined : findProvince(provinceText);
    if (provinceText !== '' && !province) {
      fail('province', {
        it: `${JSON.stringify(provinceText)} non è una provincia lombarda (nome o sigla, es. Milano o MI)`,
        en: `${JSON.stringify(provinceText)} is not a Lombard province (name or code, e.g. Milano or MI)`,
      });
    }

    const amount = (column: Column): Cents | undefined => {
      const value = required(column);
      if (value === '') return undefined;
      try {
        const cents = eurosToCents(value);
        if (cents === 0) {
          fail(column, { it: "L'importo deve essere maggiore di zero", en: 'The amount must be greater than zero' });
          return undefined;
        }
        return cents;
      } catch (e) {
        if (e instanceof DomainError) {
          fail(column, e.messages);
          return undefined;
        }
        throw e;
      }
    };
    const eligibleCostCents = amount('eligible_cost_eur');
    const requestedGrantCents = amount('requested_grant_eur');
    if (eligibleCostCents !== undefined && requestedGrantCents !== undefined) {
      const refusal = checkGrant(eligibleCostCents, requestedGrantCents);
      if (refusal) fail('requested_grant_eur', refusal.message);
    }

    const rankText = required('rank');
    let rank: number | undefined;
    if (rankText !== '') {
      rank = /^\d+$/.test(rankText) ? Number(rankText) : NaN;
      if (!Number.isSafeInteger(rank) || rank < 1) {
        fail('rank', {
          it: `Posizione in graduatoria ${JSON.stringify(rankText)} non valida: serve un intero positivo`,
          en: `Invalid rank ${JSON.stringify(rankText)}: expected a positive integer`,
        });
        rank = undefined;
      } else {
        const firstLine = rankLines.get(rank);
        if (firstLine !== undefined) {
          fail('rank', {
            it: `Posizione in graduatoria ${rank} già assegnata alla riga ${firstLine}`,
            en: `Rank ${rank} already given on line ${firstLine}`,
          });
        } else {
          rankLines.set(rank, record.line);
        }
      }
    }

    const statusText = required('status');
    const status = FUNDING_STATUSES.find((s) => s === statusText.toLowerCase());
    if (statusText !== '' && !status) {
      fail('status', {
        it: `Stato ${JSON.stringify(statusText)} non valido: ammessi ${FUNDING_STATUSES.join(', ')}`,
        en: `Invalid status ${JSON.stringify(statusText)}: allowed ${FUNDING_STATUSES.join(', ')}`,
      });
    }

    if (
      errors.length === errorsBefore &&
      province &&
      eligibleCostCents !== undefined &&
      requestedGrantCents !== undefined &&
      rank !== undefined &&
      status
    ) {
      projects.push({
        code,
        title,
        leadBody,
        partners: [],
        provinceCode: province.code,
        eligibleCostCents,
        requestedGrantCents,
        rank,
        status,
      });
    }
  }
  if (errors.length > 0) throw invalidCsv(errors);
  return { projects };
}

/** 1234.56: a plain decimal point and no grouping, so any spreadsheet or script reads it the same way. */
function plainEuros(cents: Cents): string {
  assertCents(cents);
  const big = BigInt(cents);
  return `${big / 100n}.${String(big % 100n).padStart(2, '0')}`;
}

/**
 * The per-province report as CSV (comma-separated, CRLF as in RFC 4180), with a final TOTALE row summed from the
 * rows given. Column names and amounts are locale-independent so the file can be re-imported or processed.
 */
export function fundingToCsv(rows: readonly ProvinceFundingRow[]): string {
  let fundedProjects = 0;
  let grantedCents = 0;
  const lines = ['province,funded_projects,granted_eur'];
  for (const row of rows) {
    fundedProjects += row.fundedProjects;
    grantedCents += row.grantedCents;
    lines.push([csvCell(row.provinceName), String(row.fundedProjects), plainEuros(row.grantedCents)].join(','));
  }
  lines.push(['TOTALE', String(fundedProjects), plainEuros(grantedCents)].join(','));
  return lines.join('\r\n') + '\r\n';
}
