/**
 * Opt-out links: the footer link of a non-essential email carries a signed, expiring token, so the
 * preferences page needs no login and nobody can opt someone else out by editing a URL.
 *
 * Token format: base64url(JSON {email, scope, expiresAt}) + '.' + base64url(HMAC-SHA256(secret, first part)).
 * The MAC covers the payload exactly as transmitted, so verification never parses untrusted JSON first.
 */
import crypto from 'node:crypto';
import { DomainError, type LocalizedMessage } from '../domain/errors';
import { MESSAGE_NAMES, messageOf, type TemplateName } from './messages';

export type PreferenceScope = 'non-essential';

export interface PreferenceToken {
  email: string;
  scope: PreferenceScope;
  /** Epoch ms; the token is refused from this instant on. */
  expiresAt: number;
}

export type PreferenceTokenErrorCode = 'invalid_token' | 'expired_token';

const MESSAGES: Record<PreferenceTokenErrorCode, LocalizedMessage> = {
  invalid_token: {
    it: "Il link per gestire le preferenze di notifica non è valido. Usa il link in fondo a un'email recente.",
    en: 'The link to manage your notification preferences is not valid. Please use the link at the bottom of a recent email.',
  },
  expired_token: {
    it: "Il link per gestire le preferenze di notifica è scaduto. Usa il link in fondo a un'email più recente.",
    en: 'The link to manage your notification preferences has expired. Please use the link at the bottom of a more recent email.',
  },
};

/** Why a token was refused, for logs; the page shows the same message whatever the reason. */
export type InvalidTokenReason = 'format' | 'signature' | 'payload';

export class PreferenceTokenError extends DomainError {
  declare readonly code: PreferenceTokenErrorCode;

  constructor(code: PreferenceTokenErrorCode, details: { reason: InvalidTokenReason } | { expiresAt: number }) {
    super(code, MESSAGES[code], details);
  }
}

/**
 * Messages that go out whatever the recipient's preferences: deadlines, changes to what is due, and
 * whatever a consultant must act on. Opting out covers only the rest (welcome, progress news, digests, reports).
 */
export const ESSENTIAL_TEMPLATES: ReadonlySet<TemplateName> = new Set(
  MESSAGE_NAMES.filter((name) => messageOf(name)?.essential),
);

/** Whether a message (a template name, as an outbox row records it) goes whatever the preferences. */
export function isEssential(template: string): boolean {
  return messageOf(template)?.essential === true;
}

/** HMAC-SHA256 keys shorter than the hash add no strength and are usually a placeholder left in a config. */
const MIN_SECRET_BYTES = 32;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

function keyOf(secret: string | Buffer): Buffer {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (key.length < MIN_SECRET_BYTES) {
    throw new RangeError(`preference token secret must be at least ${MIN_SECRET_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

function mac(payload: string, key: Buffer): Buffer {
  return crypto.createHmac('sha256', key).update(payload, 'ascii').digest();
}

function isExpiry(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function signPreferenceToken(token: PreferenceToken, secret: string | Buffer): string {
  const { email, scope, expiresAt } = token;
  if (typeof email !== 'string' || email.trim() === '') throw new TypeError('signPreferenceToken: email is empty');
  if (scope !== 'non-essential') throw new TypeError(`signPreferenceToken: unknown scope ${JSON.stringify(scope)}`);
  if (!isExpiry(expiresAt)) {
    throw new TypeError(`signPreferenceToken: expiresAt must be epoch milliseconds, got ${JSON.stringify(expiresAt)}`);
  }
  const payload = Buffer.from(JSON.stringify({ email, scope, expiresAt }), 'utf8').toString('base64url');
  return `${payload}.${mac(payload, keyOf(secret)).toString('base64url')}`;
}

/**
 * The token's content if it was signed with `secret` and `now` is before its expiry; otherwise a
 * PreferenceTokenError ('invalid_token' for anything malformed or tampered with, 'expired_token').
 */
export function verifyPreferenceToken(token: string, secret: string | Buffer, now: number): PreferenceToken {
  const key = keyOf(secret);
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError(`verifyPreferenceToken: now must be epoch milliseconds, got ${JSON.stringify(now)}`);
  }
  const invalid = (reason: InvalidTokenReason) => new PreferenceTokenError('invalid_token', { reason });

  const parts = typeof token === 'string' ? token.split('.') : [];
  const [payload = '', signature = ''] = parts;
  if (parts.length !== 2 || !SEGMENT.test(payload) || !SEGMENT.test(signature)) throw invalid('format');

  const given = Buffer.from(signature, 'base64url');
  // Node's decoder ignores trailing bits, so several spellings decode alike; only the canonical one is accepted.
  if (given.toString('base64url') !== signature) throw invalid('format');
  const expected = mac(payload, key);
  // Lengths are public (always 32 bytes for a well-formed token); timingSafeEqual needs them equal.
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw invalid('signature');

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid('payload');
  }
  const { email, scope, expiresAt } = (decoded ?? {}) as Partial<Record<keyof PreferenceToken, unknown>>;
  if (typeof email !== 'string' || email === '' || scope !== 'non-essential' || !isExpiry(expiresAt)) {
    throw invalid('payload');
  }
  if (now >= expiresAt) throw new PreferenceTokenError('expired_token', { expiresAt });
  return { email, scope, expiresAt };
}
