/**
 * Sign-in throttling and the account lifecycle over HTTP on real servers: lockouts per account and
 * per address that hold across two API instances on one database, /health answering during a
 * flood, password change, deactivation, token expiry and an admin's hold over other users' tokens.
 */
import { createDb, type Db } from '../../infra/db';
import { buildApi } from '../../client/api/server';
import type { ThrottlePolicy } from '../../client/auth/throttle';
import { logger, PREFERENCES_SECRET, startDevStack, stopDevStack, userWithToken } from '../support/fixtures';
import { request, type Answer } from '../support/front-door';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let secondDb: Db;
let base: string;
/** Two API instances on one database, as two processes would be, with small limits. */
let apiA: string;
let apiB: string;
/** A third with a small per-address limit (reached from 127.0.0.2 only). */
let apiAddress: string;
const closers: (() => Promise<unknown>)[] = [];

const POLICY: ThrottlePolicy = { accountLimit: 3, addressLimit: 1000, windowSeconds: 600, lockSeconds: 600 };
const PASSWORD = 'lungo-fiume-verde-42';

const signIn = (api: string, email: string, password: string, headers: Record<string, string> = {}, from?: string) =>
  request(`${api}/session`, { body: { email, password }, headers }, from);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let admin: { id: string; token: string };

beforeAll(async () => {
  const started = await startDevStack('accounts-e2e');
  stack = started;
  ({ db, base } = started);
  secondDb = createDb(started.url);
  const deps = { service: started.service, temporal: started.temporal, logger, preferencesSecret: PREFERENCES_SECRET };
  const listen = async (d: Db, throttle: ThrottlePolicy) => {
    const app = await buildApi({ ...deps, db: d, signInThrottle: throttle });
    closers.push(() => app.close());
    return app.listen({ port: 0, host: '127.0.0.1' });
  };
  apiA = await listen(db, POLICY);
  apiB = await listen(secondDb, POLICY);
  apiAddress = await listen(db, { ...POLICY, accountLimit: 1000, addressLimit: 4 });
  const a = await userWithToken(db, {
    role: 'admin',
    email: 'regione@regione.test',
    name: 'Anna Regione',
    password: 'sole-tetto-piano-88',
  });
  admin = { id: a.user.id, token: a.token };
}, 60_000);

afterAll(async () => {
  for (const close of closers) await close();
  await secondDb?.$disconnect();
  await stopDevStack(stack);
});

describe('sign-in throttle', () => {
  it('locks an account after its limit, with 429 and Retry-After, on a second API instance too, and audits it', async () => {
    await userWithToken(db, {
      role: 'consultant',
      email: 'bersaglio@studio.test',
      name: 'Bersaglio',
      password: PASSWORD,
    });
    for (let i = 0; i < POLICY.accountLimit; i++) {
      const wrong = await signIn(apiA, 'bersaglio@studio.test', `wrong-${i}`);
      expect([wrong.status, wrong.body.error.code]).toEqual([401, 'invalid_credentials']);
    }
    // The other instance reads the same table: the next attempt, even with the right password, is refused there.
    const locked = await signIn(apiB, 'Bersaglio@studio.test', PASSWORD);
    expect([locked.status, locked.body.error.code]).toEqual([429, 'too_many_attempts']);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(POLICY.lockSeconds - 30);
    expect(retryAfter).toBeLessThanOrEqual(POLICY.lockSeconds);
    expect(locked.body.error.message).toMatch(/^Troppi tentativi di accesso non riusciti.*Riprovare tra 10 minuti/);
    const en = await signIn(apiA, 'bersaglio@studio.test', PASSWORD, { 'accept-language': 'en' });
    expect([en.status, en.headers['retry-after'] !== undefined]).toEqual([429, true]);
    expect(en.body.error.message).toMatch(/^Too many failed sign-in attempts.*Try again in 10 minutes/);
    // The dashboard's form is the same door.
    // The sign-in form's own CSRF pair: the cookie its page sets and the token in its form.
    const loginPage = await request(`${apiB}/login`);
    const loginCookie = String(loginPage.headers['set-cookie']).split(';')[0]!;
    const loginToken = /name="csrf" value="([^"]+)"/.exec(loginPage.text)![1]!;
    const form = await request(`${apiB}/login`, {
      form: { email: 'bersaglio@studio.test', password: PASSWORD, csrf: loginToken },
      headers: { cookie: loginCookie },
    });
    expect(form.status).toBe(429);
    expect(Number(form.headers['retry-after'])).toBeGreaterThan(0);
    expect(form.text).toContain('Troppi tentativi di accesso non riusciti');
    expect(await db.session.count({ where: { user: { email: 'bersaglio@studio.test' } } })).toBe(0);

    const lockouts = await db.auditLog.findMany({ where: { action: 'signin.lockout' } });
    expect(lockouts.map((e) => e.entityId)).toContain('account:bersaglio@studio.test');
    const entry = lockouts.find((e) => e.entityId === 'account:bersaglio@studio.test')!;
    expect(JSON.parse(entry.after!)).toMatchObject({ attempts: POLICY.accountLimit + 1 });
    // Once only, however many attempts follow.
    expect(lockouts.filter((e) => e.entityId === 'account:bersaglio@studio.test')).toHaveLength(1);
    const log = await request(`${base}/audit?entity=signin&limit=200`, { headers: bearer(admin.token) });
    expect(log.body.items.map((e: { action: string }) => e.action)).toContain('signin.lockout');
  });

  it('answers an unknown email exactly like a known one, lockout included', async () => {
    await userWithToken(db, { role: 'consultant', email: 'esiste@studio.test', name: 'Esiste', password: PASSWORD });
    const answers = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i <= POLICY.accountLimit; i++) {
        const r = await signIn(apiA, email, 'not-the-password');
        out.push(`${r.status} ${r.body.error.code} ${r.body.error.message}`);
      }
      return out;
    };
    const known = await answers('esiste@studio.test');
    const unknown = await answers('nessuno@studio.test');
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toMatch(/^429 too_many_attempts/);
    expect(known.at(-2)).toMatch(/^401 invalid_credentials/);
  });

  it('counts 32 parallel wrong passwords exactly (the limit gets through, the rest 429) while /health is served', async () => {
    const flood = Promise.all(
      Array.from({ length: 32 }, (_, i) => signIn(i % 2 ? apiA : apiB, 'flood@studio.test', `guess-${i}`)),
    );
    const health: number[] = [];
    const probing = (async () => {
      for (let i = 0; i < 10; i++) health.push((await request(`${apiA}/health`)).status);
    })();
    const [answers] = await Promise.all([flood, probing]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(POLICY.accountLimit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(32 - POLICY.accountLimit);
    expect(health).toEqual(Array(10).fill(200));
  });

  it('a correct password clears the account count; the limit counts every attempt', async () => {
    await userWithToken(db, {
      role: 'consultant',
      email: 'distratto@studio.test',
      name: 'Distratto',
      password: PASSWORD,
    });
    for (let i = 0; i < POLICY.accountLimit - 1; i++)
      expect((await signIn(apiA, 'distratto@studio.test', 'typo')).status).toBe(401);
    expect((await signIn(apiA, 'distratto@studio.test', PASSWORD)).status).toBe(200);
    // Afresh: the full limit again, then the next attempt (right password or not) waits.
    for (let i = 0; i < POLICY.accountLimit; i++)
      expect((await signIn(apiB, 'distratto@studio.test', 'typo')).status).toBe(401);
    expect((await signIn(apiB, 'distratto@studio.test', PASSWORD)).status).toBe(429);
  });

  it('locks an address trying many accounts, not the others', async () => {
    for (let i = 0; i < 4; i++)
      expect((await signIn(apiAddress, `spray${i}@studio.test`, 'x', {}, '127.0.0.2')).status).toBe(401);
    const refused = await signIn(apiAddress, 'spray9@studio.test', 'x', {}, '127.0.0.2');
    expect([refused.status, Number(refused.headers['retry-after']) > 0]).toEqual([429, true]);
    // Another address is not affected, and the account of the refused attempt was not counted.
    expect((await signIn(apiAddress, 'spray9@studio.test', 'x', {}, '127.0.0.3')).status).toBe(401);
    expect(await db.signInThrottle.findUnique({ where: { key: 'account:spray9@studio.test' } })).toMatchObject({
      failures: 1,
    });
    expect(await db.auditLog.count({ where: { action: 'signin.lockout', entityId: 'address:127.0.0.2' } })).toBe(1);
  });
});

describe('account lifecycle', () => {
  const api = (path: string, opts: Parameters<typeof request>[1] = {}) => request(`${base}${path}`, opts, '127.0.0.4');
  const asAdmin = (path: string, opts: Parameters<typeof request>[1] = {}) =>
    api(path, { ...opts, headers: { ...bearer(admin.token), ...opts.headers } });
  // From an address of its own: the throttle tests above used up 127.0.0.1's attempts.
  const signInHere = (email: string, password: string) => signIn(base, email, password, {}, '127.0.0.4');
  const cookieOf = (r: Answer) => String(r.headers['set-cookie']).split(';')[0]!;

  it('changes a password: the current one is checked, the policy applies, other sessions end, all audited', async () => {
    const { user, token } = await userWithToken(db, {
      role: 'consultant',
      email: 'carla.neri@studio.test',
      name: 'Carla Neri',
      password: PASSWORD,
    });
    const here = cookieOf(await signInHere('carla.neri@studio.test', PASSWORD));
    const elsewhere = cookieOf(await signInHere('carla.neri@studio.test', PASSWORD));
    const before = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    // A session-authenticated change carries the session's CSRF token, which every answer to it names.
    const csrf = String((await api('/me', { headers: { cookie: here } })).headers['x-csrf-token']);
    const change = (body: unknown, headers: Record<string, string> = { cookie: here }) =>
      api('/me/password', { body, headers: { 'x-csrf-token': csrf, ...headers } });

    const wrong = await change({ currentPassword: 'nope', newPassword: 'ponte-lana-cielo-71' });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'wrong_password']);
    const weak = await change(
      { currentPassword: PASSWORD, newPassword: 'carla2026' },
      { cookie: here, 'accept-language': 'en' },
    );
    expect([weak.status, weak.body.error.code]).toEqual([422, 'weak_password']);
    expect(weak.body.error.message).toMatch(/at least 12 characters/);
    expect(weak.body.error.message).toMatch(/first or last name/);
    const unchanged = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect([unchanged.passwordHash, unchanged.passwordChangedAt]).toEqual([
      before.passwordHash,
      before.passwordChangedAt,
    ]);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(2);

    const ok = await change({ currentPassword: PASSWORD, newPassword: 'ponte-lana-cielo-71' });
    expect([ok.status, ok.body]).toEqual([200, { changed: true, sessionsEnded: 1 }]);
    expect((await api('/me', { headers: { cookie: here } })).status).toBe(200);
    expect((await api('/me', { headers: { cookie: elsewhere } })).status).toBe(401);
    expect((await api('/me', { headers: bearer(token) })).status).toBe(200);
    expect((await signInHere('carla.neri@studio.test', PASSWORD)).status).toBe(401);
    expect((await signInHere('carla.neri@studio.test', 'ponte-lana-cielo-71')).status).toBe(200);
    const audit = await db.auditLog.findMany({ where: { entityId: user.id, action: 'user.password.change' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(user.id);
    expect(audit[0]!.after).not.toContain('scrypt');
  });

  it('refuses a weak password when an admin creates a user, creating nobody', async () => {
    const r = await asAdmin('/users', {
      body: { role: 'admin', email: 'nuovo@regione.test', name: 'Nuovo', password: 'password1234' },
    });
    expect([r.status, r.body.error.code]).toEqual([422, 'weak_password']);
    expect(r.body.error.message).toMatch(/^Password non accettata: .*più usate/);
    expect(await db.user.count({ where: { email: 'nuovo@regione.test' } })).toBe(0);
  });

  it('deactivation ends sessions and tokens at once; only an admin may, never on themselves; reactivation', async () => {
    const { user, token } = await userWithToken(db, {
      role: 'consultant',
      email: 'paolo.verdi@studio.test',
      name: 'Paolo Verdi',
      password: PASSWORD,
    });
    const other = await userWithToken(db, {
      role: 'coordinator',
      atsCode: 'ats-milano',
      email: 'c@ats.test',
      name: 'Coord',
    });
    const cookie = cookieOf(await signInHere('paolo.verdi@studio.test', PASSWORD));
    expect((await api('/me', { headers: bearer(token) })).status).toBe(200);

    // Not an admin: refused, nothing changes.
    for (const t of [token, other.token]) {
      const r = await api(`/users/${user.id}/deactivate`, { method: 'POST', body: {}, headers: bearer(t) });
      expect([r.status, r.body.error.code]).toEqual([403, 'forbidden']);
    }
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).toBeNull();
    expect((await api('/me', { headers: { cookie } })).status).toBe(200);

    const self = await asAdmin(`/users/${admin.id}/deactivate`, { method: 'POST', body: {} });
    expect([self.status, self.body.error.code]).toEqual([409, 'cannot_deactivate_self']);
    expect((await asAdmin('/users/nobody/deactivate', { method: 'POST', body: {} })).status).toBe(404);

    const off = await asAdmin(`/users/${user.id}/deactivate`, { method: 'POST', body: {} });
    expect([off.status, off.body.disabled]).toEqual([200, true]);
    // At once: the very next requests are refused, the session row is gone.
    expect((await api('/me', { headers: bearer(token) })).status).toBe(401);
    expect((await api('/me', { headers: { cookie } })).status).toBe(401);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    const signInOff = await signInHere('paolo.verdi@studio.test', PASSWORD);
    expect([signInOff.status, signInOff.body.error.code]).toEqual([401, 'invalid_credentials']);

    const on = await asAdmin(`/users/${user.id}/reactivate`, { method: 'POST', body: {} });
    expect([on.status, on.body.disabled]).toEqual([200, false]);
    expect((await signInHere('paolo.verdi@studio.test', PASSWORD)).status).toBe(200);
    // The tokens of before stay revoked.
    expect((await api('/me', { headers: bearer(token) })).status).toBe(401);
    const actions = (await db.auditLog.findMany({ where: { entityId: user.id } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.deactivate', 'user.reactivate']));
    const entry = await db.auditLog.findFirstOrThrow({ where: { entityId: user.id, action: 'user.deactivate' } });
    expect([entry.actorId, JSON.parse(entry.after!)]).toEqual([
      admin.id,
      expect.objectContaining({ disabled: true, sessionsEnded: 1, tokensRevoked: 1 }),
    ]);
  });

  it('tokens carry an expiry (90 days by default, at most 366) and are listed without their secret', async () => {
    const { token } = await userWithToken(db, { role: 'consultant', email: 'tok@studio.test', name: 'Tok' });
    const created = await api('/me/tokens', { body: { name: 'script' }, headers: bearer(token) });
    expect(created.status).toBe(201);
    const days = (Date.parse(created.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    const tooLong = await api('/me/tokens', { body: { name: 'x', expiresInDays: 367 }, headers: bearer(token) });
    expect([tooLong.status, tooLong.body.error.code]).toEqual([400, 'invalid_request']);
    const short = await api('/me/tokens', { body: { name: 'short', expiresInDays: 1 }, headers: bearer(token) });
    expect(short.status).toBe(201);

    const list = await api('/me/tokens', { headers: bearer(token) });
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(['short', 'script', 'tests']);
    expect(Object.keys(list.body.items[0]).sort()).toEqual(
      ['active', 'createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt'].sort(),
    );
    expect(list.text).not.toContain('cf_tok_');

    // An expired token no longer authenticates.
    expect((await api('/me', { headers: bearer(short.body.token) })).status).toBe(200);
    await db.apiToken.update({ where: { id: short.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await api('/me', { headers: bearer(short.body.token) })).status).toBe(401);
    const after = await api('/me/tokens', { headers: bearer(token) });
    expect(after.body.items.find((t: { id: string }) => t.id === short.body.id)).toMatchObject({ active: false });
  });

  it("an admin lists and revokes another user's token; nobody else can", async () => {
    const owner = await userWithToken(db, { role: 'consultant', email: 'owner@x.test', name: 'Owner' });
    const intruder = await userWithToken(db, { role: 'consultant', email: 'intruder@x.test', name: 'Intruder' });
    const tokenId = (await db.apiToken.findFirstOrThrow({ where: { userId: owner.user.id } })).id;

    const peek = await api(`/users/${owner.user.id}/tokens`, { headers: bearer(intruder.token) });
    expect([peek.status, peek.body.error.code]).toEqual([403, 'forbidden']);
    const cut = await api(`/users/${owner.user.id}/tokens/${tokenId}`, {
      method: 'DELETE',
      headers: bearer(intruder.token),
    });
    expect(cut.status).toBe(403);
    // The intruder's own-token route does not reach someone else's token either.
    expect((await api(`/me/tokens/${tokenId}`, { method: 'DELETE', headers: bearer(intruder.token) })).status).toBe(
      404,
    );
    expect((await api('/me', { headers: bearer(owner.token) })).status).toBe(200);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: tokenId } })).revokedAt).toBeNull();

    const listed = await asAdmin(`/users/${owner.user.id}/tokens`);
    expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([tokenId]);
    expect((await asAdmin(`/users/${intruder.user.id}/tokens/${tokenId}`, { method: 'DELETE' })).status).toBe(404);
    expect((await asAdmin(`/users/nobody/tokens`)).status).toBe(404);
    expect((await asAdmin(`/users/${owner.user.id}/tokens/${tokenId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api('/me', { headers: bearer(owner.token) })).status).toBe(401);
    const entry = await db.auditLog.findFirstOrThrow({ where: { entityId: owner.user.id, action: 'token.revoke' } });
    expect([entry.actorId, JSON.parse(entry.before!)]).toEqual([admin.id, { tokenId }]);
  });

  it('declares the new routes in the OpenAPI document, with 429 where sign-in is throttled', async () => {
    const doc = (await api('/openapi.json')).body;
    const op = (path: string, method: string) => doc.paths[path]?.[method];
    expect(op('/me/password', 'post').operationId).toBe('changePassword');
    expect(op('/me/tokens', 'get').operationId).toBe('listTokens');
    expect(op('/users/{id}/deactivate', 'post')['x-roles']).toEqual(['admin']);
    expect(op('/users/{id}/reactivate', 'post')['x-roles']).toEqual(['admin']);
    expect(op('/users/{id}/tokens', 'get')['x-roles']).toEqual(['admin']);
    expect(op('/users/{id}/tokens/{tokenId}', 'delete')['x-roles']).toEqual(['admin']);
    expect(Object.keys(op('/session', 'post').responses)).toContain('429');
    expect(Object.keys(op('/me/password', 'post').responses)).toContain('429');
    expect(
      op('/me/tokens', 'post').requestBody.content['application/json'].schema.properties.expiresInDays,
    ).toMatchObject({
      maximum: 366,
      default: 90,
    });
  });
});
