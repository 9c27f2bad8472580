/**
 * The audit's web findings over HTTP on real servers (dev server, worker, SQLite, mail catcher):
 * mail catcher pages for admins only (4), same-origin redirects (5), redacted logs (11), security
 * headers (12), CSRF on every session-authenticated change, on sign-in and on sign-out (13), a
 * truthful opt-out page and one refusal for every bad link (14, 16).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Db } from '../../infra/db';
import { MailCatcher } from '../../mail/mail-catcher';
import { signPreferenceToken } from '../../mail/preferences';
import { buildApi } from '../../client/api/server';
import { createUser } from '../../client/auth/users';
import { sha256 } from '../../client/auth/secrets';
import {
  enrollRequest,
  PREFERENCES_SECRET,
  reminderInput,
  startDevStack,
  stopDevStack,
  testMailActivities,
  transportFor,
  userWithToken,
} from '../support/fixtures';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let adminToken: string;
let consultantToken: string;
let enrollmentId: string;
let participantEmail: string;
const PASSWORD = 'a long enough password 2026';
const CONSULTANT = 'giulia.bianchi@consulenti.test';
const system = { id: 'test', role: 'system' };
let smeVat: string;

beforeAll(async () => {
  const started = await startDevStack('web-security-e2e', { showMail: true });
  stack = started;
  ({ db, base } = started);
  const req = enrollRequest();
  smeVat = req.company.vatNumber!;
  participantEmail = req.participants[0]!.email;
  enrollmentId = (await started.service.enroll(req)).enrollment.id;
  adminToken = (
    await userWithToken(db, { role: 'admin', email: 'regione@regione.test', name: 'Anna', password: PASSWORD })
  ).token;
  consultantToken = (await userWithToken(db, { role: 'consultant', email: CONSULTANT, name: 'Giulia Bianchi' })).token;
  await createUser(
    db,
    { role: 'sme', email: 'titolare@sme.test', name: 'Titolare', password: PASSWORD, companyVatNumber: smeVat },
    system,
  );
  await started.catcher.waitFor((m) => /benvenut/i.test(m.subject), 20_000);
}, 90_000);

afterAll(() => stopDevStack(stack));

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${url}`, { headers, redirect: 'manual' });

/** Signs in through the JSON API; returns the cookie header and the session's CSRF token. */
async function session(email: string): Promise<{ cookie: string; csrf: string; raw: string }> {
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const raw = /cf_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
  const cookie = `cf_session=${raw}`;
  const me = await get('/me', { cookie });
  expect(me.status).toBe(200);
  return { cookie, csrf: me.headers.get('x-csrf-token')!, raw: decodeURIComponent(raw) };
}

describe('finding 4: the mail catcher pages are for admins only', () => {
  test('signed out, or signed in as anyone but an admin, they answer as an unknown path does', async () => {
    const unknown = await get('/no-such-page');
    const unknownBody = (await unknown.json()) as { error: { code: string } };
    const messageId = stack.catcher!.messages()[0]!.id;
    for (const url of ['/mail', '/mail.json', `/mail/${messageId}`]) {
      for (const headers of [{}, { authorization: `Bearer ${consultantToken}` }] as Record<string, string>[]) {
        const res = await get(url, headers);
        expect(res.status).toBe(404);
        const body = (await res.json()) as { error: { code: string } };
        expect(body.error.code).toBe(unknownBody.error.code);
        expect(JSON.stringify(body)).not.toContain('token=');
      }
    }
  });

  test('an admin reads them with a token or the session cookie', async () => {
    const messageId = stack.catcher!.messages()[0]!.id;
    const bearer = { authorization: `Bearer ${adminToken}` };
    expect((await get('/mail', bearer)).status).toBe(200);
    const list = await get('/mail.json', bearer);
    expect(list.status).toBe(200);
    expect(((await list.json()) as unknown[]).length).toBeGreaterThan(0);
    const { cookie } = await session('regione@regione.test');
    const page = await get(`/mail/${messageId}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
  });
});

describe('finding 5: redirects stay on this origin', () => {
  test.each(['/\\evil.test', '/\t/evil.test', '//evil.test', 'https://evil.test', '/%5Cevil.test'])(
    '/app/lang?next=%j goes to /app',
    async (next) => {
      const res = await get(`/app/lang?to=en&next=${encodeURIComponent(next)}`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/app');
    },
  );

  test("the sign-in form's next and a completion form's back are checked alike", async () => {
    const login = await get(`/login?next=${encodeURIComponent('/\\evil.test')}`);
    const html = await login.text();
    expect(html).toContain('name="next" value="/app"');
    const { cookie, csrf } = await session('regione@regione.test');
    const res = await fetch(`${base}/app/enrollments/${enrollmentId}/steps/intake/complete`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, back: '/\t/evil.test', evidence: '' }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/app\?/);
  });
});

describe('finding 12: browser security headers', () => {
  test('every answer carries a CSP without inline script, frame-ancestors none, nosniff and no-referrer', async () => {
    for (const url of ['/login', '/docs', '/openapi.json', '/health', '/no-such-page']) {
      const res = await get(url);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).not.toMatch(/style-src[^;]*'unsafe-inline'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  test('pages link the one stylesheet, served for a year under its hash; styles come from this origin only', async () => {
    const html = await (await get('/login')).text();
    const href = /<link rel="stylesheet" href="(\/assets\/app\.[0-9a-f]{16}\.css)"/.exec(html)?.[1];
    expect(href).toBeDefined();
    expect(html).not.toContain('<style');
    const css = await get(href!);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(css.headers.get('etag')).toBe(`"${href!.slice(12, 28)}"`);
    expect((await get('/login')).headers.get('content-security-policy')).toMatch(/style-src 'self';/);
    expect((await get('/assets/app.0000000000000000.css')).status).toBe(404);
  });

  test('HSTS when PUBLIC_URL is https', async () => {
    const api = await buildApi({
      service: stack.service!,
      db,
      temporal: stack.temporal!,
      logger: pino({ level: 'silent' }),
      preferencesSecret: PREFERENCES_SECRET,
      publicUrl: 'https://conciliaflow.example',
    });
    try {
      const url = await api.listen({ port: 0, host: '127.0.0.1' });
      const res = await fetch(`${url}/login`);
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    } finally {
      await api.close();
    }
  });
});

describe('finding 13: CSRF', () => {
  const milestones = () => db.milestone.count({ where: { enrollmentId, type: 'participation_confirmed' } });

  test('a body-less POST with the session cookie and no CSRF token is refused and changes nothing', async () => {
    const { cookie, csrf } = await session('titolare@sme.test');
    const before = await milestones();
    for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'wrong' }] as Record<string, string>[]) {
      const res = await fetch(`${base}/enrollments/${enrollmentId}/confirm`, { method: 'POST', headers });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    }
    const admin = await session('regione@regione.test');
    const pause = await fetch(`${base}/schedules/conciliaflow-report-region/pause`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'accept-language': 'en' },
    });
    expect(pause.status).toBe(403);
    expect(((await pause.json()) as { error: { message: string } }).error.message).toMatch(/CSRF token/);
    expect(await milestones()).toBe(before);

    // With the token (the header every session-authenticated answer carries) the same call works.
    const ok = await fetch(`${base}/enrollments/${enrollmentId}/confirm`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(ok.status).toBe(200);
    expect(await milestones()).toBe(before + 1);
  });

  test('an API token needs no CSRF token', async () => {
    const res = await get('/me', { authorization: `Bearer ${adminToken}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-csrf-token')).toBeNull();
  });

  test('the sign-in form refuses a post without its pre-session token (login CSRF)', async () => {
    const form = { email: 'regione@regione.test', password: PASSWORD, next: '/app' };
    const forged = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('cf_session=');

    const page = await get('/login');
    const loginCookie = /cf_login_csrf=[^;]+/.exec(page.headers.get('set-cookie') ?? '')![0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    // The pair only works together: another browser's cookie with this token is refused.
    const otherCookie = /cf_login_csrf=[^;]+/.exec((await get('/login')).headers.get('set-cookie') ?? '')![0];
    const mixed = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: otherCookie },
      body: new URLSearchParams({ ...form, csrf }).toString(),
      redirect: 'manual',
    });
    expect(mixed.status).toBe(403);
    const ok = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
      body: new URLSearchParams({ ...form, csrf }).toString(),
      redirect: 'manual',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toContain('cf_session=');
  });

  test('sign-out with a bad token changes nothing; with the right one it deletes the session', async () => {
    const { cookie, csrf, raw } = await session('regione@regione.test');
    const alive = () => db.session.count({ where: { tokenHash: sha256(raw) } });
    for (const method of ['POST /logout', 'DELETE /session']) {
      const [verb, url] = method.split(' ') as [string, string];
      const bad = await fetch(`${base}${url}`, {
        method: verb,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: verb === 'POST' ? 'csrf=wrong' : undefined,
        redirect: 'manual',
      });
      expect(bad.status).toBe(403);
      expect(bad.headers.get('set-cookie')).toBeNull();
      expect(await alive()).toBe(1);
    }
    expect((await get('/me', { cookie })).status).toBe(200);
    const good = await fetch(`${base}/logout`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: 'manual',
    });
    expect(good.status).toBe(303);
    expect(good.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(await alive()).toBe(0);
    expect((await get('/me', { cookie })).status).toBe(401);
  });
});

describe('finding 14: the opt-out page tells the truth', () => {
  const link = (email: string, expiresAt = Date.now() + 86_400_000) =>
    signPreferenceToken({ email, scope: 'non-essential', expiresAt }, PREFERENCES_SECRET);
  const post = (token: string, accept = 'text/html') =>
    fetch(`${base}/preferences/opt-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
      body: new URLSearchParams({ token }).toString(),
    });

  test('a staff address is told nothing was recorded and whom to ask, and nothing is recorded', async () => {
    const audits = await db.auditLog.count();
    const page = await get(`/preferences/opt-out?token=${encodeURIComponent(link(CONSULTANT))}`, {
      'accept-language': 'en',
    });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Nothing was changed');
    expect(html).not.toContain('<form');
    const res = await post(link(CONSULTANT));
    const done = await res.text();
    expect(done).toContain('Nessuna modifica registrata');
    expect(done).toContain('Regione Lombardia');
    expect(done).not.toMatch(/Fatto:/);
    const json = await post(link(CONSULTANT), 'application/json');
    expect(await json.json()).toEqual({ email: CONSULTANT, optedOut: false, reason: 'not_a_participant' });
    expect(await db.auditLog.count()).toBe(audits);
  });

  test('a participant is opted out and told so', async () => {
    const res = await post(link(participantEmail));
    expect(await res.text()).toContain('Fatto:');
    expect(await db.participant.count({ where: { email: participantEmail, optedOutAt: null } })).toBe(0);
  });

  test('finding 16: an expired, forged or malformed link gets one and the same refusal', async () => {
    const expired = link(participantEmail, Date.now() - 1000);
    const forged = signPreferenceToken(
      { email: participantEmail, scope: 'non-essential', expiresAt: Date.now() + 86_400_000 },
      'another-secret-of-at-least-32-characters!!',
    );
    const answers = [];
    for (const token of [expired, forged, 'garbage', '']) {
      const get1 = await get(`/preferences/opt-out?token=${encodeURIComponent(token)}`, { accept: 'application/json' });
      const post1 = await post(token, 'application/json');
      answers.push([get1.status, await get1.text()], [post1.status, await post1.text()]);
    }
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]![0]).toBe(403);
    expect(answers[0]![1]).not.toMatch(/scadut|expired|signature|firma/i);
    const html = await get(`/preferences/opt-out?token=${encodeURIComponent(expired)}`, { accept: 'text/html' });
    expect(html.status).toBe(403);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('finding 11: logs keep no opt-out tokens and no addresses', () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    return { lines, logger: pino({ level: 'debug' }, stream) };
  }

  test("a request's URL token and the opted-out address are redacted", async () => {
    const { lines, logger } = capture();
    const api = await buildApi({
      service: stack.service!,
      db,
      temporal: stack.temporal!,
      logger,
      preferencesSecret: PREFERENCES_SECRET,
    });
    const url = await api.listen({ port: 0, host: '127.0.0.1' });
    try {
      const token = signPreferenceToken(
        { email: 'hr.manager@tessitura.test', scope: 'non-essential', expiresAt: Date.now() + 86_400_000 },
        PREFERENCES_SECRET,
      );
      await fetch(`${url}/preferences/opt-out?token=${encodeURIComponent(token)}&lang=it`);
      await fetch(`${url}/preferences/opt-out`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token }).toString(),
      });
    } finally {
      await api.close();
    }
    const log = lines.join('\n');
    expect(log).toContain('/preferences/opt-out?token=[redacted]&lang=it');
    expect(log).toContain('h***@tessitura.test');
    expect(log).not.toContain('hr.manager@');
    expect(log).not.toMatch(/token=eyJ|token=[A-Za-z0-9_-]{20,}/);
  });

  test('an email sent through the outbox and caught by the catcher is logged with its address masked', async () => {
    const { lines, logger } = capture();
    const catcher = await MailCatcher.start({ port: 0, logger });
    const transport = transportFor(catcher);
    try {
      const mail = testMailActivities(db, transport, { logger });
      await mail.notify(
        reminderInput({
          key: 'log-redaction-1',
          to: { name: 'Marco Rossi', email: 'marco.rossi@tessitura.test' },
          companyName: 'Tessitura',
          enrollmentId,
        }),
      );
      await catcher.waitFor((m) => m.to.some((t) => t.includes('marco.rossi')), 10_000);
    } finally {
      transport.close();
      await catcher.stop();
    }
    const log = lines.join('\n');
    expect(log).toMatch(/email sent/);
    expect(log).toMatch(/mail caught/);
    expect(log).toContain('m***@tessitura.test');
    expect(log).not.toContain('marco.rossi@');
  });
});
