/**
 * A fixed-window counter per key in the FormThrottle table, for forms anyone may post (the
 * participant pages carry no session). One conditional upsert per attempt: a window that has
 * passed starts again at 1; within it the count grows until the limit refuses.
 */
import type { Db } from '../infra/db';
import { isUniqueViolation } from '../infra/db';
import { DomainError } from '../domain/errors';

export interface FormLimit {
  max: number;
  windowMs: number;
}

export function tooManyAttempts(retryAt: Date): DomainError {
  return new DomainError(
    'too_many_attempts',
    {
      it: 'Troppe richieste da questo link o indirizzo in poco tempo: nulla è stato registrato. Riprova tra qualche minuto.',
      en: 'Too many requests from this link or address in a short time: nothing was recorded. Please try again in a few minutes.',
    },
    { retryAt: retryAt.toISOString() },
  );
}

/** Counts one attempt under each key; throws too_many_requests (nothing else done) when one is over its limit. */
export async function takeFormAttempt(
  db: Db,
  keys: { key: string; limit: FormLimit }[],
  now = new Date(),
): Promise<void> {
  for (const { key, limit } of keys) {
    const since = new Date(now.getTime() - limit.windowMs);
    let row = await db.formThrottle.findUnique({ where: { key } });
    if (!row || row.windowStart <= since) {
      try {
        row = row
          ? await db.formThrottle.update({ where: { key }, data: { count: 1, windowStart: now } })
          : await db.formThrottle.create({ data: { key, count: 1, windowStart: now } });
        continue;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        row = await db.formThrottle.findUniqueOrThrow({ where: { key } });
      }
    }
    if (row.count >= limit.max) throw tooManyAttempts(new Date(row.windowStart.getTime() + limit.windowMs));
    await db.formThrottle.update({ where: { key }, data: { count: { increment: 1 } } });
  }
}
