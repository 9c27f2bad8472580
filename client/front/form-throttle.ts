/**
 * Limits on the public forms (eligibility check, password reset, enrollment request), counted in
 * the FormThrottle table per address ("ip:<addr>:<form>") and per email ("email:<addr>:<form>")
 * in a fixed window, shared by every API process through the database.
 */
import type { Db } from '../../infra/db';
import { isUniqueViolation } from '../../infra/db';
import { DomainError } from '../../domain/errors';

/** `link`: the POST behind a single-use link (confirm a request, accept an invitation, reset a password). */
export type PublicForm = 'check' | 'forgot' | 'request' | 'link';

export interface FormLimit {
  perAddress: number;
  perEmail: number;
  windowMs: number;
}

const HOUR = 3600_000;

export const FORM_LIMITS: Record<PublicForm, FormLimit> = {
  check: { perAddress: 60, perEmail: 60, windowMs: HOUR },
  forgot: { perAddress: 10, perEmail: 3, windowMs: HOUR },
  request: { perAddress: 10, perEmail: 3, windowMs: HOUR },
  link: { perAddress: 30, perEmail: 30, windowMs: HOUR },
};

export class FormThrottledError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super('too_many_requests', {
      it: `Troppe richieste da questo indirizzo o per questa email: riprova tra ${minutes} minuti.`,
      en: `Too many requests from this address or for this email: try again in ${minutes} minutes.`,
    });
  }
}

/** Counts one submission under `key`; the seconds until the window ends when the limit is passed. */
async function count(db: Db, key: string, limit: number, windowMs: number, now: number): Promise<number | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await db.formThrottle.findUnique({ where: { key } });
    if (!row || now - row.windowStart.getTime() >= windowMs) {
      try {
        if (row) {
          const { count: n } = await db.formThrottle.updateMany({
            where: { key, windowStart: row.windowStart },
            data: { count: 1, windowStart: new Date(now) },
          });
          if (n === 0) continue;
        } else await db.formThrottle.create({ data: { key, count: 1, windowStart: new Date(now) } });
        return null;
      } catch (err) {
        if (isUniqueViolation(err)) continue;
        throw err;
      }
    }
    const retry = Math.ceil((row.windowStart.getTime() + windowMs - now) / 1000);
    if (row.count >= limit) return retry;
    const { count: n } = await db.formThrottle.updateMany({
      where: { key, count: row.count, windowStart: row.windowStart },
      data: { count: { increment: 1 } },
    });
    if (n > 0) return null;
  }
  return null;
}

/**
 * One submission of `form` from `address` (and for `email` when the form has one); throws
 * FormThrottledError (429, Retry-After) past the limit. Both counters are checked and counted.
 */
export async function claimFormSubmission(
  db: Db,
  form: PublicForm,
  who: { address: string; email?: string },
  limits: Record<PublicForm, FormLimit> = FORM_LIMITS,
  now = Date.now(),
): Promise<void> {
  const limit = limits[form];
  const byAddress = await count(db, `ip:${who.address}:${form}`, limit.perAddress, limit.windowMs, now);
  if (byAddress !== null) throw new FormThrottledError(byAddress);
  if (who.email) {
    const email = who.email.trim().toLowerCase();
    const byEmail = await count(db, `email:${email}:${form}`, limit.perEmail, limit.windowMs, now);
    if (byEmail !== null) throw new FormThrottledError(byEmail);
  }
}
