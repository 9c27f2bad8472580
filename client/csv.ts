/**
 * RFC 4180 reading shared by the CSV imports: records with the line each starts on, and the
 * separator (`;` as Italian spreadsheets write it, or `,`) detected from the header.
 */
import type { LocalizedMessage } from '../domain/errors';

export interface CsvError {
  line: number;
  column: string | null;
  message: LocalizedMessage;
}

export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 records with their starting line. Quoted fields may hold separators, doubled quotes and line breaks; a
 * quote inside an unquoted field is kept as text, since hand-edited titles such as Progetto "Aurora" are common.
 */
export function readCsvRecords(text: string, separator: string, errors: CsvError[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  const reader = new CsvRecordReader(separator, errors, (r) => records.push(r));
  reader.push(text);
  reader.end();
  return records;
}

const enum State {
  /** At the start of a field: a quote here opens a quoted field. */
  FieldStart,
  /** In an unquoted field, or in what follows a closing quote up to the next separator. */
  Unquoted,
  Quoted,
  /** Just after a quote inside a quoted field: a doubled quote or the closing one. */
  QuoteInQuoted,
}

/**
 * readCsvRecords fed a piece at a time (a file read as a stream): each record goes to `onRecord` as
 * soon as its line ends, so a caller keeps only what it makes of them. Pieces may split a record,
 * a quoted field, a doubled quote or a CR LF anywhere; the records are those of the whole text.
 */
export class CsvRecordReader {
  private fields: string[] = [];
  private field = '';
  private line = 1;
  private recordLine = 1;
  private openedOn = 1;
  private state = State.FieldStart;
  /** A CR just ended a line: a LF right after it belongs to the same line break. */
  private afterCr = false;

  constructor(
    private readonly separator: string,
    private readonly errors: CsvError[],
    private readonly onRecord: (record: CsvRecord) => void,
  ) {}

  private endRecord(): void {
    this.fields.push(this.field);
    const record = { line: this.recordLine, fields: this.fields };
    this.fields = [];
    this.field = '';
    this.onRecord(record);
  }

  push(text: string): void {
    const sep = this.separator;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.afterCr) {
        this.afterCr = false;
        if (text[i] === '\n') {
          i += 1;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
          if (text[i] === '"') {
            this.state = State.Quoted;
            this.openedOn = this.line;
            i += 1;
            break;
          }
          this.state = State.Unquoted;
          break;
        case State.Unquoted: {
          // Whole runs of ordinary characters at a time: one slice, not one concatenation per character.
          let j = i;
          while (j < n && text[j] !== sep && text[j] !== '\r' && text[j] !== '\n') j += 1;
          if (j > i) this.field += text.slice(i, j);
          if (j === n) return;
          const c = text[j];
          i = j + 1;
          if (c === sep) {
            this.fields.push(this.field);
            this.field = '';
          } else {
            this.endRecord();
            this.line += 1;
            this.recordLine = this.line;
            this.afterCr = c === '\r';
          }
          this.state = State.FieldStart;
          break;
        }
        case State.Quoted: {
          let j = i;
          while (j < n && text[j] !== '"' && text[j] !== '\r' && text[j] !== '\n') j += 1;
          if (j > i) this.field += text.slice(i, j);
          if (j === n) return;
          const c = text[j];
          i = j + 1;
          if (c === '"') this.state = State.QuoteInQuoted;
          else {
            this.field += '\n';
            this.line += 1;
            this.afterCr = c === '\r';
          }
          break;
        }
        case State.QuoteInQuoted: {
          const c = text[i]!;
          if (c === '"') {
            this.field += '"';
            this.state = State.Quoted;
            i += 1;
            break;
          }
          // Closed. Anything but a separator or a line end is an error; the rest of the field is kept
          // as text, so the row is still split into the right number of columns.
          if (c !== sep && c !== '\r' && c !== '\n')
            this.errors.push({
              line: this.line,
              column: null,
              message: {
                it: `Carattere ${JSON.stringify(c)} inatteso dopo le virgolette di chiusura`,
                en: `Unexpected ${JSON.stringify(c)} after a closing quote`,
              },
            });
          this.state = State.Unquoted;
          break;
        }
      }
    }
  }

  /** The end of the text: the last record, and an error for a quote never closed. */
  end(): void {
    if (this.state === State.Quoted) {
      this.errors.push({
        line: this.openedOn,
        column: null,
        message: {
          it: 'Virgolette aperte e mai chiuse: il resto del file non può essere letto',
          en: 'Quote opened and never closed: the rest of the file cannot be read',
        },
      });
      this.endRecord();
    } else if (this.field !== '' || this.fields.length > 0) this.endRecord();
    this.state = State.FieldStart;
  }
}

export function detectSeparator(headerLine: string): ';' | ',' | undefined {
  if (headerLine.includes(';')) return ';';
  if (headerLine.includes(',')) return ',';
  return undefined;
}
