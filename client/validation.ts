/**
 * A zod failure as the one refusal shape of the service: code invalid_request, a message in both
 * languages listing each field, and the per-field details.
 */
import type { ZodError } from 'zod';
import { DomainError } from '../domain/errors';

export function validationError(err: ZodError): DomainError {
  const details = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const list = details.map((d) => `${d.path || '(body)'}: ${d.message}`).join('; ');
  return new DomainError(
    'invalid_request',
    { it: `Richiesta non valida: ${list}`, en: `Invalid request: ${list}` },
    details,
  );
}
