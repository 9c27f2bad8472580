/**
 * Bulk enrollment from a spreadsheet: one row per participant; rows with the same company, pathway
 * kind and programme make one enrollment (a participant repeated in it counts once, the first row
 * wins, as in the service). Every row is checked against the same schema as the API before anything
 * is sent, and each problem is reported with its line number. There is no default edition: each
 * row names its programme in the `programme` column, or the import gives one for the rows that
 * leave it empty (`--programme`); a row with neither is an error of its own line.
 */
import { DomainError } from '../domain/errors';
import { eurosToCents } from '../domain/money';
import { StringDecoder } from 'node:string_decoder';
import { CsvRecordReader, detectSeparator, type CsvError, type CsvRecord } from './csv';
import { enrollRequestSchema, type EnrollRequestInput } from './schemas';
import { ENROLLMENT_CSV_COLUMNS } from './enrollment-csv-columns';
import type { Locale } from '../domain/locale';

export { ENROLLMENT_CSV_COLUMNS };

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

export interface EnrollmentCsvOptions {
  /** The edition of the rows whose `programme` column is empty (the CLI's `--programme`). */
  programme?: string;
}

export interface ParsedEnrollment {
  /** Lines of the rows that make it (a repeated participant's row adds nothing), first one first. */
  lines: number[];
  /** Stable across runs of the same file: re-running an import enrolls nobody twice. */
  idempotencyKey: string;
  request: EnrollRequestInput;
}

/** A group being built: the request's participants and, to drop a repeated one, their addresses. */
interface Group extends ParsedEnrollment {
  emails: Set<string>;
}

/**
 * The file a piece at a time: `push` each piece of text (split anywhere), then `end` for the
 * enrollments, or the refusal naming every bad line and column. Each record is checked and grouped
 * as soon as it is read (a map from the enrollment's key), so the work is linear in the rows and
 * what is kept is the distinct enrollments and participants, not the file.
 */
export class EnrollmentCsvParser {
  private readonly errors: CsvError[] = [];
  private readonly groups = new Map<string, Group>();
  private reader: CsvRecordReader | undefined;
  /** The text before the end of the first line, which names the separator. */
  private start = '';
  private names: string[] | undefined;

  constructor(private readonly options: EnrollmentCsvOptions = {}) {}

  push(text: string): void {
    if (this.reader) return this.reader.push(text);
    this.start += text;
    if (!/[\r\n]/.test(this.start)) return;
    this.open();
  }

  private open(): void {
    const source = this.start.startsWith('\uFEFF') ? this.start.slice(1) : this.start;
    const header = source.split(/\r\n|\r|\n/, 1)[0] ?? '';
    this.reader = new CsvRecordReader(detectSeparator(header) ?? ',', this.errors, (r) => this.record(r));
    this.start = '';
    this.reader.push(source);
  }

  private record(row: CsvRecord): void {
    if (!row.fields.some((f) => f.trim() !== '')) return;
    if (!this.names) {
      this.names = row.fields.map((f) => f.trim().toLowerCase());
      this.checkHeader();
      return;
    }
    const { errors, names } = this;
    const get = (c: string) => (row.fields[names.indexOf(c)] ?? '').trim();
    const lineErrors = errors.length;
    for (const c of REQUIRED)
      if (!get(c)) errors.push({ line: row.line, column: c, message: { it: 'campo obbligatorio', en: 'required' } });
    const staff = Number(get('staff'));
    if (get('staff') && !Number.isInteger(staff))
      errors.push({ line: row.line, column: 'staff', message: { it: 'numero intero', en: 'whole number' } });
    const amount = (column: 'turnover_eur' | 'balance_sheet_eur'): number | undefined => {
      if (!get(column)) return undefined;
      try {
        return eurosToCents(get(column));
      } catch (err) {
        const m = err instanceof DomainError ? err.messages : { it: 'importo non valido', en: 'invalid amount' };
        errors.push({ line: row.line, column, message: m });
        return undefined;
      }
    };
    const turnoverCents = amount('turnover_eur');
    const balanceSheetCents = amount('balance_sheet_eur');
    const peopleEmployed = get('people_employed') ? Number(get('people_employed')) : undefined;
    if (peopleEmployed !== undefined && !Number.isInteger(peopleEmployed))
      errors.push({ line: row.line, column: 'people_employed', message: { it: 'numero intero', en: 'whole number' } });
    const programme = get('programme') || this.options.programme?.trim() || '';
    if (!programme)
      errors.push({
        line: row.line,
        column: 'programme',
        message: {
          it: "programma mancante: indicarlo nella colonna programme o con l'opzione --programme",
          en: 'no programme: give it in the programme column or with the --programme option',
        },
      });
    if (errors.length > lineErrors) return;
    const key = `import:${get('vat_number')}:${programme}:${get('kind')}`;
    const participant = {
      name: get('participant_name'),
      email: get('participant_email'),
      role: (get('participant_role') || 'employee') as 'owner' | 'hr' | 'employee',
      locale: (get('participant_locale') || 'it') as Locale,
    };
    // The service keeps the first mention of an address (the schema lowercases it); so does this.
    const address = participant.email.toLowerCase();
    const existing = this.groups.get(key);
    if (existing) {
      if (existing.emails.has(address)) return;
      existing.emails.add(address);
      existing.lines.push(row.line);
      existing.request.participants!.push(participant);
      return;
    }
    this.groups.set(key, {
      lines: [row.line],
      idempotencyKey: key,
      emails: new Set([address]),
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
          ...(balanceSheetCents === undefined ? {} : { balanceSheetCents }),
          ...(peopleEmployed === undefined ? {} : { peopleEmployed }),
          ...(get('declarant_name')
            ? { declaration: { declarantName: get('declarant_name'), declarantRole: 'legal-representative' as const } }
            : {}),
        },
        consultant: { name: get('consultant_name'), email: get('consultant_email') },
        participants: [participant],
      },
    });
  }

  /** A wrong header is refused at once: no row can be read without it. */
  private checkHeader(): void {
    const names = this.names ?? [];
    const missing = REQUIRED.filter((c) => !names.includes(c));
    if (this.names && missing.length === 0) return;
    throw new DomainError(
      'invalid_csv',
      {
        it: `Intestazione CSV incompleta: mancano ${missing.join(', ')} (colonne: ${ENROLLMENT_CSV_COLUMNS.join(', ')})`,
        en: `Incomplete CSV header: missing ${missing.join(', ')} (columns: ${ENROLLMENT_CSV_COLUMNS.join(', ')})`,
      },
      { errors: [{ line: 1, column: null, message: { it: 'intestazione', en: 'header' } }] },
    );
  }

  end(): ParsedEnrollment[] {
    if (!this.reader) this.open();
    this.reader!.end();
    this.checkHeader();
    const { errors } = this;
    // The same schema as the API, so a file that passes here is refused only by eligibility rules.
    for (const g of this.groups.values()) {
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
    return [...this.groups.values()].map(({ emails: _e, ...g }) => g);
  }
}

export function parseEnrollmentCsv(text: string, options: EnrollmentCsvOptions = {}): ParsedEnrollment[] {
  const parser = new EnrollmentCsvParser(options);
  parser.push(text);
  return parser.end();
}

/** The file read as a stream (a file or stdin), decoded as UTF-8 across chunk boundaries. */
export async function parseEnrollmentCsvStream(
  source: AsyncIterable<string | Buffer>,
  options: EnrollmentCsvOptions = {},
): Promise<ParsedEnrollment[]> {
  const parser = new EnrollmentCsvParser(options);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) parser.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  parser.push(decoder.end());
  return parser.end();
}
