/**
 * Bulk enrollment from a spreadsheet: one row per participant; rows with the same company, pathway
 * kind and programme make one enrollment. Every row is checked against the same schema as the API
 * before anything is sent, and each problem is reported with its line number.
 */
import { DomainError } from '../domain/errors';
import { eurosToCents } from '../domain/money';
import { detectSeparator, readCsvRecords, type CsvError } from './csv';
import { enrollRequestSchema, type EnrollRequestInput } from './schemas';

export const ENROLLMENT_CSV_COLUMNS = [
  'programme',
  'kind',
  'company_name',
  'vat_number',
  'province',
  'city',
  'sector',
  'staff',
  'turnover_eur',
  'consultant_name',
  'consultant_email',
  'participant_name',
  'participant_email',
  'participant_role',
  'participant_locale',
] as const;

const REQUIRED = [
  'kind',
  'company_name',
  'vat_number',
  'province',
  'sector',
  'staff',
  'consultant_name',
  'consultant_email',
  'participant_name',
  'participant_email',
] as const;

export interface ParsedEnrollment {
  /** Lines of the rows that make it, first one first. */
  lines: number[];
  /** Stable across runs of the same file: re-running an import enrolls nobody twice. */
  idempotencyKey: string;
  request: EnrollRequestInput;
}

export function parseEnrollmentCsv(text: string): ParsedEnrollment[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const header = source.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const separator = detectSeparator(header) ?? ',';
  const errors: CsvError[] = [];
  const records = readCsvRecords(source, separator, errors).filter((r) => r.fields.some((f) => f.trim() !== ''));
  const [head, ...rows] = records;
  const names = (head?.fields ?? []).map((f) => f.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (!head || missing.length > 0)
    throw new DomainError(
      'invalid_csv',
      {
        it: `Intestazione CSV incompleta: mancano ${missing.join(', ')} (colonne: ${ENROLLMENT_CSV_COLUMNS.join(', ')})`,
        en: `Incomplete CSV header: missing ${missing.join(', ')} (columns: ${ENROLLMENT_CSV_COLUMNS.join(', ')})`,
      },
      { errors: [{ line: 1, column: null, message: { it: 'intestazione', en: 'header' } }] },
    );
  const groups = new Map<string, ParsedEnrollment>();
  for (const row of rows) {
    const get = (c: string) => (row.fields[names.indexOf(c)] ?? '').trim();
    const lineErrors = errors.length;
    for (const c of REQUIRED)
      if (!get(c)) errors.push({ line: row.line, column: c, message: { it: 'campo obbligatorio', en: 'required' } });
    const staff = Number(get('staff'));
    if (get('staff') && !Number.isInteger(staff))
      errors.push({ line: row.line, column: 'staff', message: { it: 'numero intero', en: 'whole number' } });
    let turnoverCents: number | undefined;
    if (get('turnover_eur')) {
      try {
        turnoverCents = eurosToCents(get('turnover_eur'));
      } catch (err) {
        const m = err instanceof DomainError ? err.messages : { it: 'importo non valido', en: 'invalid amount' };
        errors.push({ line: row.line, column: 'turnover_eur', message: m });
      }
    }
    if (errors.length > lineErrors) continue;
    const programme = get('programme') || 'demo-2026-2027';
    const key = `import:${get('vat_number')}:${programme}:${get('kind')}`;
    const participant = {
      name: get('participant_name'),
      email: get('participant_email'),
      role: (get('participant_role') || 'employee') as 'owner' | 'hr' | 'employee',
      locale: (get('participant_locale') || 'it') as 'it' | 'en',
    };
    const existing = groups.get(key);
    if (existing) {
      existing.lines.push(row.line);
      existing.request.participants = [...(existing.request.participants ?? []), participant];
      continue;
    }
    groups.set(key, {
      lines: [row.line],
      idempotencyKey: key,
      request: {
        programme,
        kind: get('kind'),
        company: {
          name: get('company_name'),
          vatNumber: get('vat_number'),
          province: get('province'),
          ...(get('city') ? { city: get('city') } : {}),
          sector: get('sector') as 'servizi',
          staff,
          ...(turnoverCents === undefined ? {} : { turnoverCents }),
        },
        consultant: { name: get('consultant_name'), email: get('consultant_email') },
        participants: [participant],
      },
    });
  }
  // The same schema as the API, so a file that passes here is refused only by eligibility rules.
  for (const g of groups.values()) {
    const parsed = enrollRequestSchema.safeParse(g.request);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        errors.push({
          line: g.lines[0]!,
          column: issue.path.join('.') || null,
          message: { it: issue.message, en: issue.message },
        });
  }
  if (errors.length > 0) {
    const shown = errors
      .slice(0, 10)
      .map((e) => `riga/line ${e.line}${e.column ? ` [${e.column}]` : ''}: ${e.message.it}`);
    throw new DomainError(
      'invalid_csv',
      {
        it: `Il file CSV contiene ${errors.length} errori; nessuna iscrizione inviata:\n${shown.join('\n')}`,
        en: `The CSV file has ${errors.length} errors; no enrollment was sent:\n${shown.join('\n')}`,
      },
      { errors },
    );
  }
  return [...groups.values()];
}
