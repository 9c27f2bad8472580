/**
 * Where a sign-in, a language switch or a dashboard form may send the browser afterwards: a path
 * of this origin only. Browsers forgive a lot in a Location header (a backslash is a slash, tabs
 * and newlines are dropped, `//host` is another origin), so anything a browser could read as
 * another origin is refused outright rather than cleaned up.
 */
const FALLBACK = '/app';
const MAX_LENGTH = 2000;
const PROBE_ORIGIN = 'http://x.invalid';

// Backslashes, whitespace and control characters, raw or %-encoded (a later decoding step, ours
// or a proxy's, must not be able to turn a harmless path into `/\evil` or split a header).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const FORBIDDEN = /[\\\s\u0000-\u001f\u007f-\u009f\u2028\u2029]|%(?:5c|0[0-9a-f]|1[0-9a-f]|7f|20)/i;

export function isSafeNext(next: unknown): next is string {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_LENGTH) return false;
  if (!next.startsWith('/') || next.startsWith('//')) return false;
  if (FORBIDDEN.test(next)) return false;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return false;
  }
  return url.origin === PROBE_ORIGIN;
}

/** `next` if a browser resolves it to this origin, else the work list. */
export function safeNext(next: unknown): string {
  return isSafeNext(next) ? next : FALLBACK;
}
