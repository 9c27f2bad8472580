/**
 * Passwords are stored as scrypt hashes with their salt and parameters; API tokens and session
 * cookies are random secrets of which only a SHA-256 is stored, so a leaked database gives
 * nobody a way in.
 *
 * scrypt runs in libuv's threadpool (crypto.scrypt), never on the event loop: a flood of sign-ins
 * must not hold /health or anyone else's request. At most SCRYPT_CONCURRENCY hashes run at once
 * (the others wait their turn), so on a small machine the flood takes the cores it is given and
 * leaves the event loop, and the threadpool's other users (file system, DNS), room to work.
 */
import crypto from 'node:crypto';
import os from 'node:os';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

/** The shortest password of an sme user; staff need more (password-policy.ts). */
export const MIN_PASSWORD_LENGTH = 10;

/** One core is kept for the event loop; never fewer than one hash at a time. */
export const SCRYPT_CONCURRENCY = Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1);

let running = 0;
const waiting: (() => void)[] = [];

async function scrypt(password: string, salt: Buffer, keyLength: number, opts: crypto.ScryptOptions): Promise<Buffer> {
  if (running >= SCRYPT_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    // maxmem: N=16384, r=8 needs 16 MiB, Node's default limit is 32 MiB; stored hashes may carry more.
    return await new Promise<Buffer>((resolve, reject) =>
      crypto.scrypt(password, salt, keyLength, { ...opts, maxmem: 256 * 1024 * 1024 }, (err, key) =>
        err ? reject(err) : resolve(key),
      ),
    );
  } finally {
    // The slot passes straight to the next waiter, so `running` never dips below the queue's demand.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/**
 * A hash no password matches, in the shape and with the parameters of a real one: checking a
 * password against it costs exactly what checking a real user's does.
 */
const DUMMY_HASH = [
  'scrypt',
  SCRYPT.N,
  SCRYPT.r,
  SCRYPT.p,
  crypto.randomBytes(16).toString('base64'),
  crypto.randomBytes(SCRYPT.keyLength).toString('base64'),
].join('$');

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  // Unknown users (and users without a password) still cost one hash, so timing does not tell which emails exist.
  const parts = (stored ?? DUMMY_HASH).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return stored !== null && crypto.timingSafeEqual(expected, actual);
}

/** A random secret with a readable prefix (cf_tok_…, cf_ses_…) so a leaked one is easy to recognise. */
export function newSecret(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(32).toString('base64url')}`;
}

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}
