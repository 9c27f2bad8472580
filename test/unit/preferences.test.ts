import crypto from 'node:crypto';
import { DomainError, isDomainError } from '../../domain/errors';
import { MESSAGE_NAMES } from '../../mail/render';
import {
  ESSENTIAL_TEMPLATES,
  PreferenceTokenError,
  isEssential,
  signPreferenceToken,
  verifyPreferenceToken,
  type PreferenceToken,
} from '../../mail/preferences';

const SECRET = 'k7Qm2vXr9pL4sT8wZ1nB6cF3hJ5dG0aE';
const NOW = Date.UTC(2025, 2, 14, 9, 0);
const DAY = 86_400_000;
const TOKEN: PreferenceToken = {
  email: 'giulia.colombo@brambilla.example',
  scope: 'non-essential',
  expiresAt: NOW + 30 * DAY,
};

function refusal(fn: () => unknown): PreferenceTokenError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PreferenceTokenError);
    return err as PreferenceTokenError;
  }
  throw new Error('expected the token to be refused');
}

/** Re-encodes one part of a token, leaving the other as it was. */
function withPayload(token: string, payload: unknown): string {
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${token.split('.')[1]}`;
}

describe('preference tokens', () => {
  const token = signPreferenceToken(TOKEN, SECRET);

  it('round-trips email, scope and expiry', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyPreferenceToken(token, SECRET, NOW)).toEqual(TOKEN);
    expect(verifyPreferenceToken(token, Buffer.from(SECRET), TOKEN.expiresAt - 1)).toEqual(TOKEN);
    // Deterministic: the same link in every email of the same batch.
    expect(signPreferenceToken({ ...TOKEN }, SECRET)).toBe(token);
  });

  it('is a base64url JSON payload and an HMAC-SHA256 of it', () => {
    const [payload, signature] = token.split('.') as [string, string];
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual(TOKEN);
    expect(signature).toBe(crypto.createHmac('sha256', SECRET).update(payload).digest('base64url'));
  });

  it('keeps non-ASCII addresses intact', () => {
    const unicode = { ...TOKEN, email: 'niccolò.pellegrini@caseificio-valsassina.example' };
    expect(verifyPreferenceToken(signPreferenceToken(unicode, SECRET), SECRET, NOW)).toEqual(unicode);
  });

  it('refuses a tampered payload', () => {
    const err = refusal(() =>
      verifyPreferenceToken(withPayload(token, { ...TOKEN, email: 'someone.else@example.org' }), SECRET, NOW),
    );
    expect(err.code).toBe('invalid_token');
    expect(err.details).toEqual({ reason: 'signature' });
    // Pushing the expiry forward is tampering too, not a way round it.
    expect(
      refusal(() => verifyPreferenceToken(withPayload(token, { ...TOKEN, expiresAt: NOW + 999 * DAY }), SECRET, NOW))
        .code,
    ).toBe('invalid_token');
  });

  it('refuses a tampered signature', () => {
    const [payload, signature] = token.split('.') as [string, string];
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(
      refusal(() => verifyPreferenceToken(`${payload}.${flipped.toString('base64url')}`, SECRET, NOW)).details,
    ).toEqual({
      reason: 'signature',
    });
    // A truncated signature is refused without comparing buffers of different lengths.
    expect(refusal(() => verifyPreferenceToken(`${payload}.${signature.slice(0, 20)}`, SECRET, NOW)).code).toBe(
      'invalid_token',
    );
  });

  it('refuses a non-canonical spelling of the signature', () => {
    const [payload, signature] = token.split('.') as [string, string];
    // The last of 43 characters carries 2 unused bits: another character can decode to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const variant = signature.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
    expect(refusal(() => verifyPreferenceToken(`${payload}.${variant}`, SECRET, NOW)).code).toBe('invalid_token');
  });

  it('refuses a token signed with another secret', () => {
    const other = signPreferenceToken(TOKEN, 'another-secret-of-at-least-32-bytes!');
    expect(refusal(() => verifyPreferenceToken(other, SECRET, NOW)).code).toBe('invalid_token');
  });

  it('refuses an expired token, from the expiry instant on, only if the signature holds', () => {
    const err = refusal(() => verifyPreferenceToken(token, SECRET, TOKEN.expiresAt));
    expect(err.code).toBe('expired_token');
    expect(err.details).toEqual({ expiresAt: TOKEN.expiresAt });
    expect(err.messages.it).toContain('è scaduto');
    expect(err.messages.en).toContain('has expired');
    expect(err.message).toBe(err.messages.en);
    expect(refusal(() => verifyPreferenceToken(token, SECRET, TOKEN.expiresAt + 365 * DAY)).code).toBe('expired_token');

    const forgedExpired = withPayload(token, { ...TOKEN, expiresAt: NOW - DAY });
    expect(refusal(() => verifyPreferenceToken(forgedExpired, SECRET, NOW)).code).toBe('invalid_token');
  });

  it.each([
    ['empty', ''],
    ['no dot', token.replace('.', '')],
    ['three parts', `${token}.x`],
    ['empty signature', `${token.split('.')[0]}.`],
    ['empty payload', `.${token.split('.')[1]}`],
    ['padding', `${token}=`],
    ['standard base64 characters', token.replace(/[-_]/g, '+') + '/'],
    ['spaces', ` ${token}`],
    ['not a string', 42 as unknown as string],
  ])('refuses a malformed token (%s)', (_label, malformed) => {
    const err = refusal(() => verifyPreferenceToken(malformed, SECRET, NOW));
    expect(err.code).toBe('invalid_token');
  });

  it('refuses a correctly signed payload of the wrong shape', () => {
    const signRaw = (json: string) => {
      const payload = Buffer.from(json).toString('base64url');
      return `${payload}.${crypto.createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
    };
    for (const json of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ ...TOKEN, scope: 'all' }),
      JSON.stringify({ ...TOKEN, email: '' }),
      JSON.stringify({ ...TOKEN, expiresAt: String(TOKEN.expiresAt) }),
      JSON.stringify({ email: TOKEN.email, scope: TOKEN.scope }),
    ]) {
      const err = refusal(() => verifyPreferenceToken(signRaw(json), SECRET, NOW));
      expect(err.code).toBe('invalid_token');
      expect(err.details).toEqual({ reason: 'payload' });
    }
  });

  it('raises a domain error with Italian and English text', () => {
    const err = refusal(() => verifyPreferenceToken('x.y', SECRET, NOW));
    expect(err).toBeInstanceOf(DomainError);
    expect(isDomainError(err)).toBe(true);
    expect(err.name).toBe('PreferenceTokenError');
    expect(err.messages.it).toContain('non è valido');
    expect(err.messages.en).toContain('is not valid');
  });

  it('rejects weak secrets and bad input as programming errors, not token errors', () => {
    expect(() => signPreferenceToken(TOKEN, 'short')).toThrow(RangeError);
    expect(() => verifyPreferenceToken(token, 'short', NOW)).toThrow(RangeError);
    expect(() => verifyPreferenceToken(token, SECRET, Number.NaN)).toThrow(TypeError);
    expect(() => signPreferenceToken({ ...TOKEN, email: ' ' }, SECRET)).toThrow(TypeError);
    expect(() => signPreferenceToken({ ...TOKEN, scope: 'all' as 'non-essential' }, SECRET)).toThrow(TypeError);
    expect(() => signPreferenceToken({ ...TOKEN, expiresAt: 1.5 }, SECRET)).toThrow(TypeError);
  });
});

describe('essential templates', () => {
  it('always sends deadlines, changes to what is due and what a consultant must act on', () => {
    expect([...ESSENTIAL_TEMPLATES].sort()).toEqual(
      [
        'step-reminder',
        'step-overdue',
        'programme-end-warning',
        // A decree moved the programme's end: it changes what is due by when.
        'programme-end-changed',
        'pathway-expired',
        // An admin revived an expired pathway: its step is due again.
        'pathway-revived',
        'due-date-extended',
        'step-reopened',
        'enrollment-withdrawn',
        'escalation-consultant',
        'consultant-assigned',
        'delivery-failed',
        // Sent to one address because it asked (or was invited): an account, a request and its outcome.
        'account-invitation',
        'password-reset',
        'request-confirm',
        'request-outcome',
        // A coordinator must decide a request; the Region is told when one waits too long.
        'request-received',
        'request-escalated',
      ].sort(),
    );
    for (const name of ESSENTIAL_TEMPLATES) expect(MESSAGE_NAMES).toContain(name);
  });

  it('lets recipients opt out of the rest', () => {
    expect(isEssential('step-reminder')).toBe(true);
    expect(isEssential('delivery-failed')).toBe(true);
    for (const name of [
      'enrollment-welcome',
      'step-completed',
      'pathway-completed',
      'digest-consultant',
      'digest-coordinator',
      'report-delivery',
    ]) {
      expect(isEssential(name)).toBe(false);
    }
    expect(isEssential('no-such-template')).toBe(false);
  });
});
