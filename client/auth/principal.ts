/**
 * Who is calling, and what they may see. Roles: admin (the Region: everything), coordinator (one
 * ATS network), consultant (the enrollments assigned to them), sme (their own company, and for a
 * business network its member firms).
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Locale } from '../../domain/locale';

export const ROLES = ['admin', 'coordinator', 'consultant', 'sme'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  userId: string;
  email: string;
  name: string;
  role: Role;
  atsCode: string | null;
  companyId: string | null;
  locale: Locale;
  /** How the caller signed in: an API token or a dashboard session. */
  via: 'token' | 'session';
}

export function principalOf(
  user: {
    id: string;
    email: string;
    name: string;
    role: string;
    atsCode: string | null;
    companyId: string | null;
    locale: string;
  },
  via: Principal['via'],
): Principal {
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role as Role,
    atsCode: user.atsCode,
    companyId: user.companyId,
    locale: user.locale === 'en' ? 'en' : 'it',
    via,
  };
}

/** The enrollments a principal may see, as a database filter (lists, reports, digests agree). */
export function enrollmentScope(p: Principal): Prisma.EnrollmentWhereInput {
  switch (p.role) {
    case 'admin':
      return {};
    case 'coordinator':
      return { company: { atsCode: p.atsCode ?? '\u0000' } };
    case 'consultant':
      return { consultantEmail: p.email };
    case 'sme':
      return p.companyId
        ? { OR: [{ companyId: p.companyId }, { company: { networkId: p.companyId } }] }
        : { id: '\u0000' };
  }
}

export function canSeeEnrollment(
  p: Principal,
  e: { consultantEmail: string; companyId: string; company: { atsCode: string; networkId: string | null } },
): boolean {
  switch (p.role) {
    case 'admin':
      return true;
    case 'coordinator':
      return e.company.atsCode === p.atsCode;
    case 'consultant':
      return e.consultantEmail.toLowerCase() === p.email.toLowerCase();
    case 'sme':
      return p.companyId !== null && (e.companyId === p.companyId || e.company.networkId === p.companyId);
  }
}

/** The actor recorded in the pathway's history: taken from the credentials, never from the request body. */
export function actorOf(p: Principal): { role: Role; id: string; name: string } {
  return { role: p.role, id: p.email, name: p.name };
}
