/**
 * An admin changes a user's role and what comes with it: the ATS network of a coordinator (or the
 * one a consultant works in), the alliance of a consultant, the company of an sme user. Validated
 * like creation (createUserSchema's rules); audited with the fields before and after. The change
 * holds from the user's next request (sessions and tokens read the user every time).
 */
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { DomainError } from '../../domain/errors';
import { ATS_NETWORKS } from '../../domain/territory';
import { audit, type AuditActor } from '../audit';
import { validationError } from '../validation';
import { findUserView, type UserView } from './users';
import { ROLES } from './principal';

const optionalCode = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v === '' ? undefined : v));

export const changeRoleSchema = z
  .object({
    role: z.enum(ROLES),
    atsCode: optionalCode(40),
    allianceCode: optionalCode(60),
    companyVatNumber: optionalCode(20),
  })
  .refine((u) => u.role !== 'coordinator' || ATS_NETWORKS.some((a) => a.code === u.atsCode), {
    message: `un coordinatore ha una rete ATS (${ATS_NETWORKS.map((a) => a.code).join(', ')}) / a coordinator needs an ATS network`,
    path: ['atsCode'],
  })
  .refine((u) => u.atsCode === undefined || ATS_NETWORKS.some((a) => a.code === u.atsCode), {
    message: 'rete ATS sconosciuta / unknown ATS network',
    path: ['atsCode'],
  })
  .refine((u) => u.role !== 'sme' || Boolean(u.companyVatNumber), {
    message: "un utente impresa indica la partita IVA dell'impresa / an sme user needs companyVatNumber",
    path: ['companyVatNumber'],
  });
export type ChangeRoleInput = z.input<typeof changeRoleSchema>;

/** The fields a role change touches, as the audit shows them. */
const snapshot = (u: {
  role: string;
  atsCode: string | null;
  allianceCode: string | null;
  companyId: string | null;
}) => ({
  role: u.role,
  atsCode: u.atsCode,
  allianceCode: u.allianceCode,
  companyId: u.companyId,
});

export async function changeUserRole(db: Db, userId: string, body: unknown, actor: AuditActor): Promise<UserView> {
  const parsed = changeRoleSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  if (actor.id === userId)
    throw new DomainError('cannot_change_own_role', {
      it: 'Non è possibile cambiare il proprio ruolo: chiedere a un altro amministratore.',
      en: 'You cannot change your own role: ask another administrator.',
    });
  let companyId: string | null = null;
  if (input.role === 'sme') {
    const company = await db.company.findUnique({ where: { vatNumber: input.companyVatNumber!.toUpperCase() } });
    if (!company)
      throw new DomainError('company_not_found', {
        it: `Nessuna impresa con partita IVA ${input.companyVatNumber}: iscrivere prima l'impresa.`,
        en: `No company with VAT number ${input.companyVatNumber}: enroll the company first.`,
      });
    companyId = company.id;
  }
  const data = {
    role: input.role,
    // A coordinator's network is required; a consultant's is optional; others have none.
    atsCode: input.role === 'coordinator' || input.role === 'consultant' ? (input.atsCode ?? null) : null,
    allianceCode: input.role === 'consultant' ? (input.allianceCode ?? null) : null,
    companyId,
  };
  await db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: userId } });
    if (!before) throw new DomainError('not_found', { it: 'Utente non trovato.', en: 'User not found.' });
    const was = snapshot(before);
    if (JSON.stringify(was) === JSON.stringify(data)) return;
    await tx.user.update({ where: { id: userId }, data });
    await audit(tx, { actor, action: 'user.role.change', entity: 'user', entityId: userId, before: was, after: data });
  });
  return (await findUserView(db, userId))!;
}
