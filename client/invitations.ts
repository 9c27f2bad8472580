/**
 * Accounts by invitation, and password resets by email. Both are single-use links of which only a
 * SHA-256 is stored (AccountInvitation): an invitation lasts 7 days and makes the account when its
 * password is set; a reset lasts 1 hour and ends the account's sessions. Admins invite any role;
 * a coordinator invites consultants and sme users of their own ATS network only.
 */
import { z } from 'zod';
import { singleLine } from './schemas';
import type { Db } from '../infra/db';
import { isUniqueViolation } from '../infra/db';
import { DomainError } from '../domain/errors';
import type { Locale } from '../domain/locale';
import { ATS_NETWORKS } from '../domain/territory';
import { audit, auditActor, type AuditActor } from './audit';
import { ROLES, type Principal, type Role } from './auth/principal';
import { assertPasswordAllowed } from './auth/password-policy';
import { hashPassword, newSecret, sha256 } from './auth/secrets';
import { storePassword } from './auth/users';
import { stageEmailNow } from './front/mail-now';
import { validationError } from './validation';

export const INVITATION_DAYS = 7;
export const RESET_MINUTES = 60;
const DAY_MS = 86_400_000;

export const ROLE_NAMES: Record<Role, { it: string; en: string }> = {
  admin: { it: 'amministratore della Regione', en: 'Region administrator' },
  coordinator: { it: 'coordinatore della rete ATS', en: 'ATS network coordinator' },
  consultant: { it: 'consulente', en: 'consultant' },
  sme: { it: "referente dell'impresa", en: 'company contact' },
};

export const inviteSchema = z
  .object({
    email: z.string().trim().toLowerCase().max(254).email(),
    name: singleLine(120),
    role: z.enum(ROLES),
    atsCode: z.string().trim().max(20).optional(),
    allianceCode: z.string().trim().max(60).optional(),
    companyId: z.string().trim().max(60).optional(),
    locale: z.enum(['it', 'en']).default('it'),
  })
  .strict();
export type InviteInput = z.input<typeof inviteSchema>;

export interface InvitationView {
  id: string;
  email: string;
  name: string | null;
  role: string | null;
  atsCode: string | null;
  allianceCode: string | null;
  companyId: string | null;
  locale: string;
  invitedById: string | null;
  createdAt: string;
  expiresAt: string;
  /** open | used | expired | revoked */
  state: 'open' | 'used' | 'expired' | 'revoked';
}

type Row = Awaited<ReturnType<Db['accountInvitation']['findUniqueOrThrow']>>;

function stateOf(r: Row, now = Date.now()): InvitationView['state'] {
  if (r.revokedAt) return 'revoked';
  if (r.usedAt) return 'used';
  if (r.expiresAt.getTime() <= now) return 'expired';
  return 'open';
}

export function invitationView(r: Row): InvitationView {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    atsCode: r.atsCode,
    allianceCode: r.allianceCode,
    companyId: r.companyId,
    locale: r.locale,
    invitedById: r.invitedById,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    state: stateOf(r),
  };
}

const forbiddenInvite = () =>
  new DomainError('forbidden', {
    it: 'Un coordinatore invita solo consulenti e utenti impresa della propria rete ATS.',
    en: 'A coordinator invites only consultants and sme users of their own ATS network.',
  });

/** Who invites: a signed-in admin or coordinator, or the system (a request's acceptance). */
export type Inviter = Principal | { system: true; name: string; actor: AuditActor };

const isSystem = (i: Inviter): i is { system: true; name: string; actor: AuditActor } => 'system' in i;

/**
 * Invites an account: stores the invitation (7 days), revokes the address's earlier open ones, and
 * stages the email with the link (idempotency key `invitation:<id>`). Refuses an address that
 * already has an account (409 user_exists) and what the inviter's role may not give (403).
 */
export async function inviteAccount(
  db: Db,
  body: unknown,
  inviter: Inviter,
  opts: { baseUrl: string; now?: number },
): Promise<{ invitation: InvitationView; token: string }> {
  const parsed = inviteSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  const u = parsed.data;
  const now = opts.now ?? Date.now();
  let atsCode = u.atsCode ?? null;
  if (!isSystem(inviter)) {
    if (inviter.role === 'coordinator') {
      if (u.role !== 'consultant' && u.role !== 'sme') throw forbiddenInvite();
      if (atsCode && atsCode !== inviter.atsCode) throw forbiddenInvite();
      atsCode = inviter.atsCode;
    } else if (inviter.role !== 'admin') throw forbiddenInvite();
  }
  if (u.role === 'coordinator' && !ATS_NETWORKS.some((a) => a.code === atsCode))
    throw new DomainError('invalid_request', {
      it: `Un coordinatore ha una rete ATS (${ATS_NETWORKS.map((a) => a.code).join(', ')}): indicare atsCode.`,
      en: `A coordinator needs an ATS network (${ATS_NETWORKS.map((a) => a.code).join(', ')}): give atsCode.`,
    });
  if (atsCode && !ATS_NETWORKS.some((a) => a.code === atsCode))
    throw new DomainError('invalid_request', {
      it: `Rete ATS "${atsCode}" sconosciuta.`,
      en: `Unknown ATS "${atsCode}".`,
    });
  let companyId: string | null = null;
  if (u.role === 'sme') {
    const company = u.companyId ? await db.company.findUnique({ where: { id: u.companyId } }) : null;
    if (!company)
      throw new DomainError('company_not_found', {
        it: "Un utente impresa appartiene a un'impresa già iscritta: indicare companyId.",
        en: 'An sme user belongs to an enrolled company: give companyId.',
      });
    if (!isSystem(inviter) && inviter.role === 'coordinator' && company.atsCode !== inviter.atsCode)
      throw forbiddenInvite();
    companyId = company.id;
    atsCode = company.atsCode;
  }
  if (await db.user.findUnique({ where: { email: u.email } }))
    throw new DomainError('user_exists', {
      it: `Esiste già un account ${u.email}: per un accesso perso serve il ripristino della password.`,
      en: `An account ${u.email} already exists: a lost access needs a password reset.`,
    });
  const token = newSecret('cf_inv');
  const actor = isSystem(inviter) ? inviter.actor : auditActor(inviter);
  const row = await db.$transaction(async (tx) => {
    await tx.accountInvitation.updateMany({
      where: { email: u.email, purpose: 'invite', usedAt: null, revokedAt: null },
      data: { revokedAt: new Date(now) },
    });
    const created = await tx.accountInvitation.create({
      data: {
        purpose: 'invite',
        email: u.email,
        name: u.name,
        role: u.role,
        atsCode,
        allianceCode: u.allianceCode ?? null,
        companyId,
        tokenHash: sha256(token),
        expiresAt: new Date(now + INVITATION_DAYS * DAY_MS),
        invitedById: isSystem(inviter) ? null : inviter.userId,
        locale: u.locale,
      },
    });
    await audit(tx, {
      actor,
      action: 'invitation.create',
      entity: 'invitation',
      entityId: created.id,
      after: invitationView(created),
    });
    return created;
  });
  await stageEmailNow(db, {
    template: 'account-invitation',
    key: `invitation:${row.id}`,
    to: { email: row.email, name: u.name, locale: u.locale },
    context: {
      inviterName: isSystem(inviter) ? inviter.name : inviter.name,
      roleName: ROLE_NAMES[u.role],
      acceptUrl: `${opts.baseUrl}/invito/${encodeURIComponent(token)}`,
      expiresAt: row.expiresAt.getTime(),
    },
    baseUrl: opts.baseUrl,
  });
  return { invitation: invitationView(row), token };
}

/** The invitations an admin (all) or a coordinator (their ATS's and their own) may see, newest first. */
export async function listInvitations(db: Db, p: Principal): Promise<InvitationView[]> {
  const rows = await db.accountInvitation.findMany({
    where: {
      purpose: 'invite',
      ...(p.role === 'admin' ? {} : { OR: [{ atsCode: p.atsCode ?? '-' }, { invitedById: p.userId }] }),
    },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  return rows.map(invitationView);
}

const invitationNotFound = (id: string) =>
  new DomainError('not_found', { it: `Invito ${id} inesistente.`, en: `No invitation ${id}.` });

/** Revokes an open invitation: its link stops working at once. Idempotent on a revoked one. */
export async function revokeInvitation(db: Db, id: string, p: Principal): Promise<InvitationView> {
  const row = await db.accountInvitation.findUnique({ where: { id } });
  const visible =
    row &&
    row.purpose === 'invite' &&
    (p.role === 'admin' || (p.role === 'coordinator' && (row.atsCode === p.atsCode || row.invitedById === p.userId)));
  if (!visible) throw invitationNotFound(id);
  if (row.usedAt)
    throw new DomainError('invitation_used', {
      it: "L'invito è già stato usato: l'account esiste (per toglierlo, disattivare l'utente).",
      en: 'The invitation was already used: the account exists (deactivate the user instead).',
    });
  if (row.revokedAt) return invitationView(row);
  const updated = await db.$transaction(async (tx) => {
    const u = await tx.accountInvitation.update({ where: { id }, data: { revokedAt: new Date() } });
    await audit(tx, {
      actor: auditActor(p),
      action: 'invitation.revoke',
      entity: 'invitation',
      entityId: id,
      before: invitationView(row),
      after: invitationView(u),
    });
    return u;
  });
  return invitationView(updated);
}

/** Why a link does not work, for a page that says what to do next (410, or 404 for an unknown one). */
export class LinkError extends DomainError {
  constructor(readonly state: 'unknown' | 'expired' | 'used' | 'revoked') {
    const m = {
      unknown: { it: 'Questo link non è valido.', en: 'This link is not valid.' },
      expired: { it: 'Questo link è scaduto.', en: 'This link has expired.' },
      used: { it: 'Questo link è già stato usato.', en: 'This link was already used.' },
      revoked: { it: 'Questo link è stato revocato.', en: 'This link was revoked.' },
    }[state];
    super(state === 'unknown' ? 'link_invalid' : `link_${state}`, m);
  }
}

/** The open link of this token and purpose, or a LinkError saying why not. */
export async function openLink(db: Db, token: string, purpose: 'invite' | 'reset', now = Date.now()): Promise<Row> {
  const row =
    token.length <= 200 ? await db.accountInvitation.findUnique({ where: { tokenHash: sha256(token) } }) : null;
  if (!row || row.purpose !== purpose) throw new LinkError('unknown');
  const state = stateOf(row, now);
  if (state !== 'open') throw new LinkError(state);
  return row;
}

/** Sets the password of an invitation: makes the account (once) and marks the link used. */
export async function acceptInvitation(db: Db, token: string, password: string): Promise<{ userId: string }> {
  const row = await openLink(db, token, 'invite');
  const role = row.role as Role;
  assertPasswordAllowed(password, { role, email: row.email, name: row.name ?? '' });
  const passwordHash = await hashPassword(password);
  try {
    return await db.$transaction(async (tx) => {
      const { count } = await tx.accountInvitation.updateMany({
        where: { id: row.id, usedAt: null, revokedAt: null },
        data: { usedAt: new Date() },
      });
      if (count === 0) throw new LinkError('used');
      const user = await tx.user.create({
        data: {
          email: row.email,
          name: row.name ?? row.email,
          role,
          atsCode: row.atsCode,
          allianceCode: row.allianceCode,
          companyId: row.companyId,
          locale: row.locale,
          passwordHash,
          passwordChangedAt: new Date(),
        },
      });
      await tx.accountInvitation.update({ where: { id: row.id }, data: { userId: user.id } });
      await audit(tx, {
        actor: { id: user.id, role },
        action: 'invitation.accept',
        entity: 'user',
        entityId: user.id,
        after: { email: user.email, role, atsCode: user.atsCode, companyId: user.companyId, invitation: row.id },
      });
      return { userId: user.id };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new LinkError('used');
    throw err;
  }
}

/**
 * A reset link for the address, if it is an active account's (1 hour; earlier open ones are
 * revoked). Answers the same whatever the address: the caller never learns whether it exists.
 */
export async function sendPasswordReset(
  db: Db,
  email: string,
  opts: { baseUrl: string; now?: number; actor?: AuditActor },
): Promise<void> {
  const address = email.trim().toLowerCase();
  const user = address ? await db.user.findUnique({ where: { email: address } }) : null;
  if (!user || user.disabledAt) return;
  const now = opts.now ?? Date.now();
  const token = newSecret('cf_rst');
  const row = await db.$transaction(async (tx) => {
    await tx.accountInvitation.updateMany({
      where: { userId: user.id, purpose: 'reset', usedAt: null, revokedAt: null },
      data: { revokedAt: new Date(now) },
    });
    const created = await tx.accountInvitation.create({
      data: {
        purpose: 'reset',
        email: user.email,
        name: user.name,
        userId: user.id,
        tokenHash: sha256(token),
        expiresAt: new Date(now + RESET_MINUTES * 60_000),
        locale: user.locale,
        invitedById: opts.actor && opts.actor.id !== user.id ? opts.actor.id : null,
      },
    });
    await audit(tx, {
      actor: opts.actor ?? { id: 'public', role: 'public' },
      action: 'user.password.reset-link',
      entity: 'user',
      entityId: user.id,
      after: { resetId: created.id, expiresAt: created.expiresAt.toISOString() },
    });
    return created;
  });
  await stageEmailNow(db, {
    template: 'password-reset',
    key: `reset:${row.id}`,
    to: { email: user.email, name: user.name, locale: user.locale as Locale },
    context: {
      resetUrl: `${opts.baseUrl}/password/reset/${encodeURIComponent(token)}`,
      expiresAt: row.expiresAt.getTime(),
    },
    baseUrl: opts.baseUrl,
  });
}

/** Sets the new password of a reset link: single use; every session of the account ends. */
export async function completePasswordReset(
  db: Db,
  token: string,
  password: string,
): Promise<{ sessionsEnded: number }> {
  const row = await openLink(db, token, 'reset');
  const user = row.userId ? await db.user.findUnique({ where: { id: row.userId } }) : null;
  if (!user || user.disabledAt) throw new LinkError('revoked');
  assertPasswordAllowed(password, { role: user.role as Role, email: user.email, name: user.name });
  const passwordHash = await hashPassword(password);
  const { count } = await db.accountInvitation.updateMany({
    where: { id: row.id, usedAt: null, revokedAt: null },
    data: { usedAt: new Date() },
  });
  if (count === 0) throw new LinkError('used');
  return storePassword(db, user.id, passwordHash, undefined, {
    actor: { id: user.id, role: user.role },
    action: 'user.password.reset',
  });
}
