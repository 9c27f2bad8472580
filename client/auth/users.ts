/**
 * Users, API tokens and dashboard sessions, and their lifecycle: passwords that follow the policy
 * (password-policy.ts), changed by their owner or reset by an admin; deactivation, after which the
 * user's sessions are gone and their tokens refused; tokens that expire. Every change is audited.
 */
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { directSqlOf, isUniqueViolation } from '../../infra/db';
import { join, sql, toDate } from '../../infra/direct-sql';
import { groupCommit } from '../../infra/group-commit';
import { DomainError } from '../../domain/errors';
import { ATS_NETWORKS } from '../../domain/territory';
import { audit, auditActor, type AuditActor } from '../audit';
import { singleLine } from '../schemas';
import { validationError } from '../validation';
import { principalOf, ROLES, type Principal, type Role } from './principal';
import { assertPasswordAllowed, MAX_PASSWORD_LENGTH } from './password-policy';
import { hashPassword, MIN_PASSWORD_LENGTH, newSecret, sha256, verifyPassword } from './secrets';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from './token-days';
import { attemptSucceeded, claimAttempt, DEFAULT_THROTTLE, throttleKeys, type ThrottlePolicy } from './throttle';

export const SESSION_HOURS = 12;
export { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS };
const DAY_MS = 86_400_000;

export const createUserSchema = z
  .object({
    email: z.string().trim().toLowerCase().max(254).email(),
    name: singleLine(120),
    role: z.enum(ROLES),
    atsCode: z.string().trim().optional(),
    /** For an sme user: the company's VAT number (or tax code), which must already be enrolled. */
    companyVatNumber: z.string().trim().optional(),
    locale: z.enum(['it', 'en']).default('it'),
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `almeno ${MIN_PASSWORD_LENGTH} caratteri / at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(MAX_PASSWORD_LENGTH)
      .optional()
      .describe(
        'Dashboard password: at least 12 characters for staff, 10 for sme users; not a common one, nor your name or email',
      ),
  })
  .refine((u) => u.role !== 'coordinator' || ATS_NETWORKS.some((a) => a.code === u.atsCode), {
    message: `un coordinatore ha una rete ATS (${ATS_NETWORKS.map((a) => a.code).join(', ')}) / a coordinator needs an ATS network`,
    path: ['atsCode'],
  })
  .refine((u) => u.role !== 'sme' || Boolean(u.companyVatNumber), {
    message: "un utente impresa indica la partita IVA dell'impresa / an sme user needs companyVatNumber",
    path: ['companyVatNumber'],
  });
export type CreateUserInput = z.input<typeof createUserSchema>;

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: string;
  atsCode: string | null;
  companyId: string | null;
  locale: string;
  createdAt: string;
  disabled: boolean;
}

function view(u: {
  id: string;
  email: string;
  name: string;
  role: string;
  atsCode: string | null;
  companyId: string | null;
  locale: string;
  createdAt: Date;
  disabledAt: Date | null;
}): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    atsCode: u.atsCode,
    companyId: u.companyId,
    locale: u.locale,
    createdAt: u.createdAt.toISOString(),
    disabled: u.disabledAt !== null,
  };
}

export async function createUser(db: Db, body: unknown, actor: AuditActor): Promise<UserView> {
  const parsed = createUserSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  const u = parsed.data;
  if (u.password) assertPasswordAllowed(u.password, { role: u.role, email: u.email, name: u.name });
  let companyId: string | null = null;
  if (u.role === 'sme') {
    const company = await db.company.findUnique({ where: { vatNumber: u.companyVatNumber!.toUpperCase() } });
    if (!company)
      throw new DomainError('company_not_found', {
        it: `Nessuna impresa con partita IVA ${u.companyVatNumber}: iscrivere prima l'impresa.`,
        en: `No company with VAT number ${u.companyVatNumber}: enroll the company first.`,
      });
    companyId = company.id;
  }
  // Hashed before the transaction, which would otherwise hold the database's write lock meanwhile.
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  try {
    const created = await db.$transaction(async (tx) => {
      const row = await tx.user.create({
        data: {
          email: u.email,
          name: u.name,
          role: u.role,
          atsCode: u.role === 'coordinator' ? u.atsCode! : null,
          companyId,
          locale: u.locale,
          passwordHash,
          passwordChangedAt: passwordHash ? new Date() : null,
        },
      });
      await audit(tx, { actor, action: 'user.create', entity: 'user', entityId: row.id, after: view(row) });
      return row;
    });
    return view(created);
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('user_exists', {
        it: `Esiste già un utente ${u.email}.`,
        en: `A user ${u.email} already exists.`,
      });
    throw err;
  }
}

export async function listUsers(db: Db, opts: { limit?: number; cursor?: string; role?: string }) {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const rows = await db.user.findMany({
    where: opts.role ? { role: opts.role } : undefined,
    orderBy: { id: 'asc' },
    take: limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  return { items: page.map(view), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

export async function findUserView(db: Db, userId: string): Promise<UserView | null> {
  const row = await db.user.findUnique({ where: { id: userId } });
  return row ? view(row) : null;
}

function userNotFound(): DomainError {
  return new DomainError('not_found', { it: 'Utente non trovato.', en: 'User not found.' });
}

export const tokenBodySchema = z.object({
  name: singleLine(100),
  expiresInDays: z
    .number()
    .int()
    .min(1)
    .max(MAX_TOKEN_DAYS)
    .default(DEFAULT_TOKEN_DAYS)
    .describe(`Days until the token stops working, 1–${MAX_TOKEN_DAYS} (default ${DEFAULT_TOKEN_DAYS})`),
});

/** A token made before expiry existed stops like one made for the longest time allowed. */
function expiryOf(t: { createdAt: Date; expiresAt: Date | null }): Date {
  return t.expiresAt ?? new Date(t.createdAt.getTime() + MAX_TOKEN_DAYS * DAY_MS);
}

/** A new API token for a user; the secret is returned once and only its hash is kept. */
export async function createApiToken(
  db: Db,
  userId: string,
  name: string,
  actor: AuditActor,
  expiresInDays: number = DEFAULT_TOKEN_DAYS,
): Promise<{ id: string; token: string; name: string; expiresAt: string }> {
  const days = Math.min(Math.max(Math.floor(expiresInDays), 1), MAX_TOKEN_DAYS);
  const token = newSecret('cf_tok');
  const expiresAt = new Date(Date.now() + days * DAY_MS);
  const row = await db.$transaction(async (tx) => {
    const t = await tx.apiToken.create({
      data: { userId, name: name.slice(0, 100), tokenHash: sha256(token), expiresAt },
    });
    await audit(tx, {
      actor,
      action: 'token.create',
      entity: 'user',
      entityId: userId,
      after: { tokenId: t.id, name, expiresAt: expiresAt.toISOString() },
    });
    return t;
  });
  return { id: row.id, token, name: row.name, expiresAt: expiresAt.toISOString() };
}

export interface TokenView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  revokedAt: string | null;
  /** Neither revoked nor expired. */
  active: boolean;
}

/** A user's tokens, newest first, with what they are for and when they stop: never their secrets. */
export async function listApiTokens(
  db: Db,
  userId: string,
  opts: { limit?: number; cursor?: string } = {},
): Promise<{ items: TokenView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const rows = await db.apiToken.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  const now = Date.now();
  return {
    items: page.map((t) => {
      const expiresAt = expiryOf(t);
      return {
        id: t.id,
        name: t.name,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        expiresAt: expiresAt.toISOString(),
        revokedAt: t.revokedAt?.toISOString() ?? null,
        active: !t.revokedAt && expiresAt.getTime() > now,
      };
    }),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function revokeApiToken(db: Db, userId: string, tokenId: string, actor: AuditActor): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.apiToken.updateMany({
      where: { id: tokenId, userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count > 0)
      await audit(tx, { actor, action: 'token.revoke', entity: 'user', entityId: userId, before: { tokenId } });
    return count > 0;
  });
}

/** A token with what its holder may do: one row of findTokens. */
interface TokenRow {
  id: string;
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  user: Parameters<typeof principalOf>[0] & { disabledAt: Date | null };
}

/**
 * The tokens of the given hashes with their users, in one hand-written query sent straight to the
 * driver (it runs on every API request: through Prisma it costs several times the statement). The
 * user is read in the same statement as the token, on every request: a deactivation holds from the
 * next request on, with no cache in between.
 */
async function findTokens(db: Db, hashes: string[]): Promise<TokenRow[]> {
  const rows = await (
    await directSqlOf(db)
  ).query<Record<string, string | null>>(sql`
    SELECT t."id", t."tokenHash", t."createdAt", t."lastUsedAt", t."revokedAt", t."expiresAt", u."id" AS "userId",
           u."email", u."name", u."role", u."atsCode", u."companyId", u."locale", u."disabledAt" AS "userDisabledAt"
    FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
    WHERE t."tokenHash" IN (${join([...new Set(hashes)])})`);
  return rows.map((r) => ({
    id: r.id!,
    tokenHash: r.tokenHash!,
    createdAt: toDate(r.createdAt)!,
    lastUsedAt: toDate(r.lastUsedAt),
    revokedAt: toDate(r.revokedAt),
    expiresAt: toDate(r.expiresAt),
    user: {
      id: r.userId!,
      email: r.email!,
      name: r.name!,
      role: r.role!,
      atsCode: r.atsCode ?? null,
      companyId: r.companyId ?? null,
      locale: r.locale!,
      disabledAt: toDate(r.userDisabledAt),
    },
  }));
}

/**
 * The token rows of the given hashes, looked up together: the requests of a busy script that arrive
 * while one look-up runs share the next (one query, not one each). One coalescer per client. Only
 * requests in flight together share a result: nothing is kept once the query has answered.
 */
const tokenLookups = new WeakMap<Db, (hash: string) => Promise<TokenRow | null>>();

function lookupToken(db: Db, hash: string): Promise<TokenRow | null> {
  let lookup = tokenLookups.get(db);
  if (!lookup) {
    lookup = groupCommit<string, TokenRow | null>(async (hashes) => {
      const rows = new Map((await findTokens(db, hashes)).map((r) => [r.tokenHash, r]));
      return hashes.map((h) => rows.get(h) ?? null);
    });
    tokenLookups.set(db, lookup);
  }
  return lookup(hash);
}

export async function principalFromToken(db: Db, token: string): Promise<Principal | null> {
  const row = await lookupToken(db, sha256(token));
  if (!row || row.revokedAt || row.user.disabledAt || expiryOf(row).getTime() <= Date.now()) return null;
  // Last use is informative; once a minute at most, so a busy script does not write on every call.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    row.lastUsedAt = new Date(); // requests of the same group share the row: one of them writes
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: row.lastUsedAt } });
  }
  return principalOf(row.user, 'token');
}

export async function principalFromSession(db: Db, token: string): Promise<Principal | null> {
  const row = await db.session.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
  if (!row || row.expiresAt.getTime() < Date.now() || row.user.disabledAt) return null;
  return principalOf(row.user, 'session');
}

/** Where a sign-in comes from, for the throttle: the caller's address and the limits in force. */
export interface SignInContext {
  address: string;
  throttle?: ThrottlePolicy;
}

/**
 * Checks the password; on success a session whose secret goes in the cookie. Throws
 * TooManyAttemptsError (429) while the account or the address is locked. A wrong password, an
 * unknown email, a user without a password and a deactivated user all cost one hash and answer null
 * alike, so neither the answer nor its timing tells which emails exist.
 */
export async function signIn(
  db: Db,
  email: string,
  password: string,
  context: SignInContext,
): Promise<{ token: string; expiresAt: Date; principal: Principal } | null> {
  const keys = throttleKeys(email, context.address);
  await claimAttempt(db, keys, context.throttle ?? DEFAULT_THROTTLE);
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  const ok = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !ok || user.disabledAt) return null;
  await attemptSucceeded(db, keys);
  const token = newSecret('cf_ses');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await db.session.create({ data: { tokenHash: sha256(token), userId: user.id, expiresAt } });
  return { token, expiresAt, principal: principalOf(user, 'session') };
}

export async function signOut(db: Db, token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: sha256(token) } });
}

export const changePasswordSchema = z.object({
  currentPassword: z.string().max(MAX_PASSWORD_LENGTH),
  newPassword: z.string().max(MAX_PASSWORD_LENGTH),
});

/**
 * The signed-in user changes their own password, giving the current one (throttled like a sign-in:
 * a stolen session must not become a way to guess it). Every other session of theirs ends; the one
 * making the change (if it is a session) stays. API tokens are left: they are revoked one by one.
 */
export async function changeOwnPassword(
  db: Db,
  principal: Principal,
  input: z.infer<typeof changePasswordSchema>,
  context: SignInContext & { currentSessionToken?: string },
): Promise<{ sessionsEnded: number }> {
  const user = await db.user.findUnique({ where: { id: principal.userId } });
  if (!user) throw userNotFound();
  const keys = throttleKeys(user.email, context.address);
  await claimAttempt(db, keys, context.throttle ?? DEFAULT_THROTTLE);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)))
    throw new DomainError('wrong_password', {
      it: 'La password attuale non è corretta: nulla è cambiato.',
      en: 'The current password is wrong: nothing was changed.',
    });
  await attemptSucceeded(db, keys);
  if (input.newPassword === input.currentPassword)
    throw new DomainError('password_unchanged', {
      it: 'La nuova password è uguale a quella attuale: sceglierne una diversa.',
      en: 'The new password is the same as the current one: choose a different one.',
    });
  assertPasswordAllowed(input.newPassword, { role: user.role as Role, email: user.email, name: user.name });
  const keep = context.currentSessionToken ? sha256(context.currentSessionToken) : undefined;
  return storePassword(db, user.id, await hashPassword(input.newPassword), keep, {
    actor: auditActor(principal),
    action: 'user.password.change',
  });
}

/**
 * An admin on the server (the CLI) sets a user's password, e.g. one who forgot theirs or the first
 * admin's: every session of the user ends.
 */
export async function resetPassword(
  db: Db,
  email: string,
  newPassword: string,
  actor: AuditActor,
): Promise<{ user: UserView; sessionsEnded: number }> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) throw userNotFound();
  assertPasswordAllowed(newPassword, { role: user.role as Role, email: user.email, name: user.name });
  const { sessionsEnded } = await storePassword(db, user.id, await hashPassword(newPassword), undefined, {
    actor,
    action: 'user.password.reset',
  });
  return { user: view(user), sessionsEnded };
}

export async function storePassword(
  db: Db,
  userId: string,
  passwordHash: string,
  keepSessionHash: string | undefined,
  log: { actor: AuditActor; action: string },
): Promise<{ sessionsEnded: number }> {
  return db.$transaction(async (tx) => {
    const at = new Date();
    await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: at } });
    const { count } = await tx.session.deleteMany({
      where: { userId, ...(keepSessionHash ? { tokenHash: { not: keepSessionHash } } : {}) },
    });
    // The audit records that and when, never the hash.
    await audit(tx, {
      ...log,
      entity: 'user',
      entityId: userId,
      after: { passwordChangedAt: at.toISOString(), sessionsEnded: count },
    });
    return { sessionsEnded: count };
  });
}

/**
 * Deactivates a user (their sessions are deleted and their live tokens revoked in the same
 * transaction, and any request of theirs is refused from then on) or reactivates one (who signs in
 * again and makes new tokens: the old ones stay revoked). An admin cannot deactivate themselves, so
 * the Region is never left without one.
 */
export async function setUserDisabled(
  db: Db,
  userId: string,
  disabled: boolean,
  actor: AuditActor,
): Promise<{ user: UserView; sessionsEnded: number; tokensRevoked: number }> {
  if (disabled && actor.id === userId)
    throw new DomainError('cannot_deactivate_self', {
      it: 'Non è possibile disattivare il proprio account: chiedere a un altro amministratore.',
      en: 'You cannot deactivate your own account: ask another administrator.',
    });
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: userId } });
    if (!before) throw userNotFound();
    const at = new Date();
    if (disabled === (before.disabledAt !== null)) return { user: view(before), sessionsEnded: 0, tokensRevoked: 0 };
    const after = await tx.user.update({ where: { id: userId }, data: { disabledAt: disabled ? at : null } });
    let sessionsEnded = 0;
    let tokensRevoked = 0;
    if (disabled) {
      sessionsEnded = (await tx.session.deleteMany({ where: { userId } })).count;
      tokensRevoked = (await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } }))
        .count;
    }
    await audit(tx, {
      actor,
      action: disabled ? 'user.deactivate' : 'user.reactivate',
      entity: 'user',
      entityId: userId,
      before: view(before),
      after: { ...view(after), ...(disabled ? { sessionsEnded, tokensRevoked } : {}) },
    });
    return { user: view(after), sessionsEnded, tokensRevoked };
  });
}
