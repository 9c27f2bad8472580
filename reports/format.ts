/** The formats a report renders to, and the error for any other. */
import { DomainError } from '../domain/errors';

export type ReportFormat = 'csv' | 'json' | 'html';

/** A format the caller asked for that no report renders (a 400 at the API). */
export function unsupportedFormat(format: unknown): DomainError {
  return new DomainError(
    'unsupported_format',
    {
      it: `Formato ${JSON.stringify(format)} non supportato: usare csv, json o html`,
      en: `Unsupported format ${JSON.stringify(format)}: use csv, json or html`,
    },
    { format },
  );
}
