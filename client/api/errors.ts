import { isDomainError } from '../../domain/errors';
import type { Locale } from '../../domain/locale';

/** HTTP status for each domain error code; anything not listed is a 422 (understood, but refused). */
const STATUS: Record<string, number> = {
  invalid_request: 400,
  invalid_token: 403,
  expired_token: 410,
  not_found: 404,
  idempotency_conflict: 409,
  already_enrolled: 409,
  member_consent_required: 403,
  recipient_quota_exceeded: 429,
  step_out_of_order: 409,
  step_already_completed: 409,
  pathway_closed: 409,
  role_not_allowed: 403,
  step_not_reopenable: 409,
  step_not_active: 409,
  already_confirmed: 409,
  consultant_unchanged: 409,
  not_supported_for_this_run: 409,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  user_exists: 409,
  company_not_found: 404,
  schedule_not_found: 404,
  invalid_dimension: 400,
  unsupported_format: 400,
  unsupported_media_type: 415,
  document_too_large: 413,
  too_many_attempts: 429,
  participant_exists: 409,
  wrong_password: 403,
  password_unchanged: 422,
  weak_password: 422,
  cannot_deactivate_self: 409,
  programme_not_found: 404,
  programme_exists: 409,
  decree_exists: 409,
  earlier_end_needs_force: 409,
  end_unchanged: 409,
  end_changes_by_decree: 409,
  already_active: 409,
  not_revivable: 409,
  programme_ended: 409,
  // funding console: the ledger moved since the form was shown; another file than the previewed one
  ledger_changed: 409,
  preview_mismatch: 409,
  // front door (client/front, client/invitations.ts)
  too_many_requests: 429,
  link_invalid: 404,
  link_expired: 410,
  link_used: 410,
  link_revoked: 410,
  invitation_used: 409,
};

export function pickLocale(acceptLanguage: string | undefined): Locale {
  // Italian first: only an explicit preference for English, ahead of Italian, switches.
  const langs = (acceptLanguage ?? '')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim().slice(0, 2));
  const en = langs.indexOf('en');
  const it = langs.indexOf('it');
  return en >= 0 && (it < 0 || en < it) ? 'en' : 'it';
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function toErrorResponse(err: unknown, locale: Locale): { status: number; body: ErrorBody } | null {
  if (!isDomainError(err)) return null;
  return {
    status: STATUS[err.code] ?? 422,
    body: { error: { code: err.code, message: err.messages[locale], details: err.details } },
  };
}
