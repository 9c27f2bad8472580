/**
 * Sign-in attempts counted per account ("account:<email>", whether or not the account exists) and
 * per address ("address:<ip>") in the SignInThrottle table, so every API process on the database
 * sees the same counts. An attempt is counted before its password is checked: parallel guesses
 * cannot slip past the limit while the first ones are being hashed, and a locked key costs no
 * hash at all. Each count is one atomic upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING, the
 * same text on SQLite and PostgreSQL), never a read then a write.
 *
 * Within `windowSeconds` of a key's first attempt, `limit` attempts are let through; the next one
 * locks the key for `lockSeconds` (audited once, as signin.lockout) and every attempt while it is
 * locked answers 429 with Retry-After, uncounted. A successful sign-in clears its account's count
 * and gives its address back the attempt, so an office behind one address is not locked by its
 * own colleagues signing in.
 */
import type { Db } from '../../infra/db';
import { directSqlOf } from '../../infra/db';
import { sql, toDate } from '../../infra/direct-sql';
import { DomainError } from '../../domain/errors';
import { audit } from '../audit';

export interface ThrottlePolicy {
  /** Attempts per account in a window. */
  accountLimit: number;
  /** Attempts per address in a window (several people may share one). */
  addressLimit: number;
  windowSeconds: number;
  lockSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  accountLimit: 5,
  addressLimit: 30,
  windowSeconds: 15 * 60,
  lockSeconds: 15 * 60,
};

export interface ThrottleKeys {
  account: string;
  address: string;
}

export function throttleKeys(email: string, address: string): ThrottleKeys {
  return { account: `account:${email.trim().toLowerCase().slice(0, 254)}`, address: `address:${address}` };
}

/** A sign-in refused before its password was looked at: 429 too_many_attempts, with when to retry. */
export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      'too_many_attempts',
      {
        it: `Troppi tentativi di accesso non riusciti: accesso sospeso per sicurezza. Riprovare tra ${minutes} ${minutes === 1 ? 'minuto' : 'minuti'}; se la password è dimenticata, chiederne una nuova all'amministratore.`,
        en: `Too many failed sign-in attempts: signing in is suspended for safety. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}; if you forgot the password, ask an administrator for a new one.`,
      },
      { retryAfterSeconds },
    );
  }
}

/**
 * Counts one attempt on the key, unless it is locked. Returns the seconds left of its lock (a lock
 * this attempt may just have set), or 0 when the attempt may go on.
 */
async function countAttempt(db: Db, key: string, limit: number, policy: ThrottlePolicy, now: Date): Promise<number> {
  const direct = await directSqlOf(db);
  const windowOpenedAfter = new Date(now.getTime() - policy.windowSeconds * 1000);
  const lockUntil = new Date(now.getTime() + policy.lockSeconds * 1000);
  const t = sql`"SignInThrottle"`;
  // A key whose window has passed starts again at 1; a locked key is left as it is (no row comes back).
  // Every CASE has a column in one branch, which types the bound value on PostgreSQL; a lock that has
  // passed stays in lockedUntil, in the past, until the key locks again.
  const fresh = sql`${t}."windowStart" < ${windowOpenedAfter}`;
  const count = sql`CASE WHEN ${fresh} THEN 1 ELSE ${t}."failures" + 1 END`;
  const rows = await direct.query<{ failures: unknown; lockedUntil: unknown }>(sql`
    INSERT INTO "SignInThrottle" ("key", "failures", "windowStart", "lockedUntil", "updatedAt")
    VALUES (${key}, 1, ${now}, NULL, ${now})
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = ${count},
      "windowStart" = CASE WHEN ${fresh} THEN ${now} ELSE ${t}."windowStart" END,
      "lockedUntil" = CASE WHEN ${count} > ${limit} THEN ${lockUntil} ELSE ${t}."lockedUntil" END,
      "updatedAt" = ${now}
    WHERE ${t}."lockedUntil" IS NULL OR ${t}."lockedUntil" <= ${now}
    RETURNING "failures", "lockedUntil"`);
  const row = rows[0];
  if (row) {
    const locked = toDate(row.lockedUntil);
    if (!locked || locked.getTime() <= now.getTime()) return 0;
    await audit(db, {
      actor: { id: `signin:${key}`, role: 'anonymous' },
      action: 'signin.lockout',
      entity: 'signin',
      entityId: key,
      after: { attempts: Number(row.failures), lockedUntil: locked.toISOString() },
    });
    return policy.lockSeconds;
  }
  const [current] = await direct.query<{ lockedUntil: unknown }>(
    sql`SELECT "lockedUntil" FROM "SignInThrottle" WHERE "key" = ${key}`,
  );
  const until = toDate(current?.lockedUntil);
  return until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : 1;
}

/**
 * Locks this process has read from the table, until they end: during a flood the refused attempts
 * then cost no statement at all, which keeps the event loop for everyone else. Only locks are kept
 * (a lock never ends early), never counts, so the table stays the one truth every process shares.
 * Bounded, so that a spray of made-up emails cannot grow it without end.
 */
const knownLocks = new WeakMap<Db, Map<string, number>>();
const MAX_KNOWN_LOCKS = 10_000;

function lockedFor(db: Db, key: string, now: number): number {
  const until = knownLocks.get(db)?.get(key);
  return until !== undefined && until > now ? Math.ceil((until - now) / 1000) : 0;
}

function rememberLock(db: Db, key: string, now: number, seconds: number): void {
  let locks = knownLocks.get(db);
  if (!locks) knownLocks.set(db, (locks = new Map()));
  if (locks.size >= MAX_KNOWN_LOCKS) {
    for (const [k, until] of locks) if (until <= now) locks.delete(k);
    // Still full: the oldest go first (a forgotten lock is only read from the table again).
    for (const k of locks.keys()) {
      if (locks.size < MAX_KNOWN_LOCKS) break;
      locks.delete(k);
    }
  }
  locks.set(key, now + seconds * 1000);
}

/**
 * Counts a sign-in attempt on its address, then on its account; throws TooManyAttemptsError when
 * either is locked. An address already locked adds nothing to the account's count, so a flood
 * from one address cannot lock its victims' accounts once the address itself is locked.
 */
export async function claimAttempt(db: Db, keys: ThrottleKeys, policy: ThrottlePolicy): Promise<void> {
  const now = new Date();
  for (const [key, limit] of [
    [keys.address, policy.addressLimit],
    [keys.account, policy.accountLimit],
  ] as const) {
    const known = lockedFor(db, key, now.getTime());
    if (known > 0) throw new TooManyAttemptsError(known);
    const locked = await countAttempt(db, key, limit, policy, now);
    if (locked > 0) {
      rememberLock(db, key, now.getTime(), locked);
      throw new TooManyAttemptsError(locked);
    }
  }
}

/** After a correct password: the account starts afresh, and the address gets its attempt back. */
export async function attemptSucceeded(db: Db, keys: ThrottleKeys): Promise<void> {
  const direct = await directSqlOf(db);
  const now = new Date();
  const unlocked = sql`("lockedUntil" IS NULL OR "lockedUntil" <= ${now})`;
  await direct.transaction([
    sql`DELETE FROM "SignInThrottle" WHERE "key" = ${keys.account} AND ${unlocked}`,
    sql`UPDATE "SignInThrottle" SET "failures" = "failures" - 1, "updatedAt" = ${now}
        WHERE "key" = ${keys.address} AND "failures" > 0 AND ${unlocked}`,
  ]);
}
