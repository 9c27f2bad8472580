/** The two cookies of the dashboard: the session (HttpOnly) and the language choice. */
export const SESSION_COOKIE = 'cf_session';
export const LANG_COOKIE = 'cf_lang';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed cookie is ignored, as if absent.
    }
  }
  return out;
}

export function cookie(
  name: string,
  value: string,
  opts: { maxAgeSeconds?: number; httpOnly?: boolean; secure?: boolean } = {},
): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/',
    'SameSite=Lax',
    ...(opts.httpOnly === false ? [] : ['HttpOnly']),
    ...(opts.secure ? ['Secure'] : []),
    ...(opts.maxAgeSeconds === undefined ? [] : [`Max-Age=${opts.maxAgeSeconds}`]),
  ].join('; ');
}

/** The session cookie for a fresh sign-in: as long as the session, Secure behind HTTPS. */
export function sessionCookie(token: string, maxAgeSeconds: number, publicUrl: string | undefined): string {
  return cookie(SESSION_COOKIE, token, { maxAgeSeconds, secure: (publicUrl ?? '').startsWith('https:') });
}
