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
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      const openedOn = line;
      let closed = false;
      i += 1;
      while (i < text.length) {
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i += 1;
          break;
        }
        if (q === '\r' || q === '\n') {
          if (q === '\r' && text[i + 1] === '\n') i += 1;
          field += '\n';
          line += 1;
        } else {
          field += q;
        }
        i += 1;
      }
      if (!closed) {
        errors.push({
          line: openedOn,
          column: null,
          message: {
            it: 'Virgolette aperte e mai chiuse: il resto del file non può essere letto',
            en: 'Quote opened and never closed: the rest of the file cannot be read',
          },
        });
        endRecord();
        return records;
      }
      const next = text[i];
      if (next !== undefined && next !== separator && next !== '\r' && next !== '\n') {
        errors.push({
          line,
          column: null,
          message: {
            it: `Carattere ${JSON.stringify(next)} inatteso dopo le virgolette di chiusura`,
            en: `Unexpected ${JSON.stringify(next)} after a closing quote`,
          },
        });
        // Keep the rest of the field so the row is still split into the right number of columns.
        while (i < text.length && text[i] !== separator && text[i] !== '\r' && text[i] !== '\n') field += text[i++];
      }
      continue;
    }
    if (c === separator) {
      fields.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' || c === '\n') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

export function detectSeparator(headerLine: string): ';' | ',' | undefined {
  if (headerLine.includes(';')) return ';';
  if (headerLine.includes(',')) return ',';
  return undefined;
}
