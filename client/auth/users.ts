/**
 * Users, API tokens and dashboard sessions. Creating a user, a token or revoking one is audited.
 */
import { z } from 'zod';
import type { Db } from '../../activities/db';
import { directSqlOf, isUniqueViolation } from '../../activities/db';
import { join, sql, toDate } from '../../activities/direct-sql';
import { groupCommit } from '../../activities/group-commit';
import { DomainError } from '../../domain/errors';
import { ATS_NETWORKS } from '../../domain/territory';
import { audit, type AuditActor } from '../audit';
import { singleLine } from '../schemas';
import { validationError } from '../validation';
import { principalOf, ROLES, type Principal } from './principal';
import { hashPassword, MIN_PASSWORD_LENGTH, newSecret, sha256, verifyPassword } from './secrets';

export const SESSION_HOURS = 12;

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
      .max(200)
      .optional(),
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
          passwordHash: u.password ? hashPassword(u.password) : null,
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

/** A new API token for a user; the secret is returned once and only its hash is kept. */
export async function createApiToken(
  db: Db,
  userId: string,
  name: string,
  actor: AuditActor,
): Promise<{ id: string; token: string; name: string }> {
  const token = newSecret('cf_tok');
  const row = await db.$transaction(async (tx) => {
    const t = await tx.apiToken.create({ data: { userId, name: name.slice(0, 100), tokenHash: sha256(token) } });
    await audit(tx, {
      actor,
      action: 'token.create',
      entity: 'user',
      entityId: userId,
      after: { tokenId: t.id, name },
    });
    return t;
  });
  return { id: row.id, token, name: row.name };
}

export async function revokeApiToken(db: Db, userId: string, tokenId: string, actor: AuditActor): Promise<boolean> {
  const { count } = await db.apiToken.updateMany({
    where: { id: tokenId, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count > 0)
    await audit(db, { actor, action: 'token.revoke', entity: 'user', entityId: userId, before: { tokenId } });
  return count > 0;
}

/** A token with what its holder may do: one row of findTokens. */
interface TokenRow {
  id: string;
  tokenHash: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  user: Parameters<typeof principalOf>[0] & { disabledAt: Date | null };
}

/**
 * The tokens of the given hashes with their users, in one hand-written query sent straight to the
 * driver (it runs on every API request: through Prisma it costs several times the statement).
 */
async function findTokens(db: Db, hashes: string[]): Promise<TokenRow[]> {
  const rows = await (
    await directSqlOf(db)
  ).query<Record<string, string | null>>(sql`
    SELECT t."id", t."tokenHash", t."lastUsedAt", t."revokedAt", u."id" AS "userId", u."email", u."name",
           u."role", u."atsCode", u."companyId", u."locale", u."disabledAt" AS "userDisabledAt"
    FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
    WHERE t."tokenHash" IN (${join([...new Set(hashes)])})`);
  return rows.map((r) => ({
    id: r.id!,
    tokenHash: r.tokenHash!,
    lastUsedAt: toDate(r.lastUsedAt),
    revokedAt: toDate(r.revokedAt),
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
 * while one look-up runs share the next (one query, not one each). One coalescer per client.
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
  if (!row || row.revokedAt || row.user.disabledAt) return null;
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

/** Checks the password; on success a session whose secret goes in the cookie. */
export async function signIn(
  db: Db,
  email: string,
  password: string,
): Promise<{ token: string; expiresAt: Date; principal: Principal } | null> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  const ok = verifyPassword(password, user?.passwordHash ?? null);
  if (!user || !ok || user.disabledAt) return null;
  const token = newSecret('cf_ses');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await db.session.create({ data: { tokenHash: sha256(token), userId: user.id, expiresAt } });
  return { token, expiresAt, principal: principalOf(user, 'session') };
}

export async function signOut(db: Db, token: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: sha256(token) } });
}
