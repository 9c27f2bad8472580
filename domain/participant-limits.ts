/**
 * How many people an enrollment may bring in. Every participant receives the welcome email and the
 * reminders, so an enrollment is also a way to make the service write to addresses: the list is
 * bounded by what a firm can have, and each account by how many new addresses it adds in a day.
 */
import { formatRomeDateTime } from './calendar';
import { DomainError } from './errors';
import type { Locale } from './locale';
import { MEDIUM_STAFF_LIMIT } from './sme';

/** Contacts beyond the staff a firm may list: its consultant, an accountant, an external HR adviser. */
export const EXTERNAL_CONTACTS_ALLOWANCE = 5;

/** No firm lists more participants than a medium enterprise has staff, whatever it declares. */
export const PARTICIPANTS_HARD_CAP = MEDIUM_STAFF_LIMIT;

/** The participants a firm with this declared headcount may have, all its enrollments together. */
export function participantLimit(staff: number): number {
  const headcount = Number.isFinite(staff) && staff > 0 ? Math.ceil(staff) : 0;
  return Math.min(headcount + EXTERNAL_CONTACTS_ALLOWANCE, PARTICIPANTS_HARD_CAP);
}

/** The window the quota of new recipients counts over: rolling, the last 24 hours. */
export const RECIPIENT_QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface RecipientQuotas {
  /** Consultants and SME users. */
  perDay: number;
  /** Coordinators, who enroll the firms of a whole network. */
  coordinatorPerDay: number;
}

export const DEFAULT_RECIPIENT_QUOTAS: RecipientQuotas = { perDay: 200, coordinatorPerDay: 2000 };

/** New recipients an account of this role may add per window; null: no limit (the Region's admins). */
export function recipientQuotaFor(role: string, quotas: RecipientQuotas = DEFAULT_RECIPIENT_QUOTAS): number | null {
  if (role === 'admin') return null;
  return role === 'coordinator' ? quotas.coordinatorPerDay : quotas.perDay;
}

/**
 * When an account over its quota may add `wanted` addresses again: `addedAt` are the times of the
 * rows it added within the window (before this request), oldest first. Null when `wanted` alone is
 * more than the quota (no wait is enough).
 */
export function quotaFreesAt(addedAt: readonly Date[], wanted: number, limit: number): Date | null {
  if (wanted > limit) return null;
  const mustLeave = addedAt.length + wanted - limit;
  if (mustLeave <= 0) return new Date(0);
  return new Date(addedAt[mustLeave - 1]!.getTime() + RECIPIENT_QUOTA_WINDOW_MS);
}

/** The refusal of an account over its daily quota of new recipients: nothing was changed, and when to retry. */
export function recipientQuotaExceeded(limit: number, freesAt: Date | null): DomainError {
  const when = (locale: Locale) => (freesAt ? formatRomeDateTime(freesAt.getTime(), locale) : null);
  return new DomainError(
    'recipient_quota_exceeded',
    {
      it:
        `Limite di ${limit} nuovi destinatari nelle ultime 24 ore raggiunto: nessuna modifica fatta. ` +
        (freesAt ? `Si potrà riprovare dal ${when('it')} (ora di Roma).` : 'La richiesta da sola supera il limite.'),
      en:
        `Limit of ${limit} new recipients in the last 24 hours reached: nothing was changed. ` +
        (freesAt ? `Retry from ${when('en')} (Rome time).` : 'The request alone exceeds the limit.'),
    },
    { limit, windowHours: 24, retryAt: freesAt?.toISOString() ?? null },
  );
}
