/**
 * Personal links: every email to a participant carries `/p/<token>`, which opens their page of
 * one pathway without any account. The token is `<enrollmentId>.<participantId>.<mac>`, the MAC an
 * HMAC-SHA256 under a key derived from the preferences secret over both ids and the participant's
 * `linkNonce` (null: never rotated). So:
 * - revoking is setting a new random linkNonce (every earlier link stops at once);
 * - a removed or anonymised participant's links are refused;
 * - a link expires with its pathway: the edition's current end (the Programme row, as decrees have
 *   moved it), or, once the enrollment has closed, 30 days after it closed (time to read).
 * Nothing is stored per link; verification is one read of the participant and the enrollment.
 */
import crypto from 'node:crypto';
import type { Db } from '../infra/db';
import { programmeHardEnd } from '../domain/schedule';

/** Days a closed pathway's links still open its page, read-only. */
export const CLOSED_GRACE_DAYS = 30;
const DAY_MS = 24 * 3600_000;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

/** A key of its own for these links, derived from the preferences secret (never the secret itself). */
export function participantLinkKey(preferencesSecret: string): Buffer {
  return crypto.createHmac('sha256', Buffer.from(preferencesSecret, 'utf8')).update('participant-links/v1').digest();
}

function mac(key: Buffer, enrollmentId: string, participantId: string, nonce: string | null): string {
  return crypto
    .createHmac('sha256', key)
    .update(`${enrollmentId}\n${participantId}\n${nonce ?? ''}`)
    .digest('base64url');
}

export function signParticipantLink(
  key: Buffer,
  link: { enrollmentId: string; participantId: string; nonce: string | null },
): string {
  return `${link.enrollmentId}.${link.participantId}.${mac(key, link.enrollmentId, link.participantId, link.nonce)}`;
}

export function participantLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/p/${token}`;
}

export type LinkRefusal = 'invalid' | 'revoked' | 'removed' | 'expired';

/** The parts of a token, or null if it cannot be one. */
export function parseParticipantLink(
  token: string,
): { enrollmentId: string; participantId: string; mac: string } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [enrollmentId = '', participantId = '', m = ''] = parts;
  if (!ID.test(enrollmentId) || !ID.test(participantId) || !MAC.test(m)) return null;
  return { enrollmentId, participantId, mac: m };
}

/** When the links of an enrollment stop working. */
export function linkExpiresAt(
  enrollment: { status: string; completedAt: Date | null },
  programmeEndsOn: string | null | undefined,
): number {
  const end = programmeEndsOn ? programmeHardEnd(programmeEndsOn) : Infinity;
  if (enrollment.status === 'active') return end;
  const closed = enrollment.completedAt?.getTime() ?? Date.now();
  return closed + CLOSED_GRACE_DAYS * DAY_MS;
}

export async function loadLinkTarget(db: Db, enrollmentId: string, participantId: string) {
  const [participant, enrollment] = await Promise.all([
    db.participant.findUnique({ where: { id: participantId } }),
    db.enrollment.findUnique({ where: { id: enrollmentId }, include: { company: true } }),
  ]);
  if (!participant || !enrollment) return null;
  // The firm's own people, or those of a member firm when the firm is a business network.
  if (participant.companyId !== enrollment.companyId) {
    const member = await db.company.findUnique({ where: { id: participant.companyId }, select: { networkId: true } });
    if (member?.networkId !== enrollment.companyId) return null;
  }
  const programme = await db.programme.findUnique({
    where: { code: enrollment.programmeCode },
    select: { endsOn: true, name: true },
  });
  return { participant, enrollment, programme };
}

export type LinkTarget = NonNullable<Awaited<ReturnType<typeof loadLinkTarget>>>;

/**
 * The participant and enrollment a token opens, or why not. Old nonces are not kept, so a MAC that
 * fails for a participant whose nonce was ever rotated is reported as `revoked` (the page says to
 * use a newer email); any other unverifiable token is `invalid`, with one message.
 */
export async function verifyParticipantLink(
  db: Db,
  key: Buffer,
  token: string,
  now: number,
): Promise<{ ok: true; target: LinkTarget; expiresAt: number } | { ok: false; reason: LinkRefusal }> {
  const parsed = parseParticipantLink(token);
  if (!parsed) return { ok: false, reason: 'invalid' };
  const target = await loadLinkTarget(db, parsed.enrollmentId, parsed.participantId);
  if (!target) return { ok: false, reason: 'invalid' };
  const { participant, enrollment, programme } = target;
  const expected = Buffer.from(mac(key, enrollment.id, participant.id, participant.linkNonce));
  const given = Buffer.from(parsed.mac);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    // Only a link signed under an earlier nonce can be "revoked"; checking each old nonce is impossible
    // (they are not kept), so a participant whose nonce was ever rotated gets the revoked wording.
    return { ok: false, reason: participant.linkNonce !== null ? 'revoked' : 'invalid' };
  }
  if (participant.removedAt || participant.anonymisedAt) return { ok: false, reason: 'removed' };
  const expiresAt = linkExpiresAt(enrollment, programme?.endsOn);
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, target, expiresAt };
}

/** A new random nonce: every link signed before stops working. */
export function newLinkNonce(): string {
  return crypto.randomBytes(18).toString('base64url');
}

/**
 * The per-page value the participant forms carry (they have no session, so the server-wide CSRF
 * hook has nothing to check): bound to the token and to the form, so a page of one person or one
 * form cannot post another's. The token itself is the credential; this stops a page elsewhere from
 * posting to a link it learnt without having loaded the page.
 */
export function participantFormCsrf(key: Buffer, token: string, form: string): string {
  return crypto.createHmac('sha256', key).update(`csrf\n${token}\n${form}`).digest('base64url');
}

export function checkParticipantFormCsrf(key: Buffer, token: string, form: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(participantFormCsrf(key, token, form));
  const got = Buffer.from(given);
  return expected.length === got.length && crypto.timingSafeEqual(expected, got);
}
