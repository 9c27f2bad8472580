/**
 * Access control over HTTP on real servers: each role against each resource (the access matrix),
 * sign-in sessions and API tokens, the audit log, the OpenAPI document and the error shape.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Db } from '../../infra/db';
import type { createUser } from '../../client/auth/users';
import { enrollRequestSchema } from '../../client/schemas';
import { enrollRequest, startDevStack, stopDevStack, userWithToken } from '../support/fixtures';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;

type Who = 'anonymous' | 'admin' | 'coordBrianza' | 'coordMilano' | 'giulia' | 'paolo' | 'smeA' | 'smeB';
const tokens: Partial<Record<Who, string>> = {};
let enrollmentA: string; // company A, Monza (ATS Brianza), consultant Giulia
let enrollmentB: string; // company B, Milano (ATS Milano), consultant Paolo

async function http(who: Who, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
  let json: any;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

beforeAll(async () => {
  const started = await startDevStack('access-e2e');
  stack = started;
  ({ db, base } = started);
  const { service } = started;

  const reqA = enrollRequest();
  const reqB = enrollRequest({
    company: { ...enrollRequest().company, province: 'MI', city: 'milano' },
    consultant: { name: 'Paolo Neri', email: 'paolo@consulenti.test' },
  });
  enrollmentA = (await service.enroll(reqA)).enrollment.id;
  enrollmentB = (await service.enroll(reqB)).enrollment.id;

  const users: [Who, Parameters<typeof createUser>[1]][] = [
    [
      'admin',
      { role: 'admin', email: 'regione@regione.test', name: 'Anna Regione', password: 'correct horse battery' },
    ],
    ['coordBrianza', { role: 'coordinator', atsCode: 'ats-brianza', email: 'elena@ats-brianza.test', name: 'Elena' }],
    ['coordMilano', { role: 'coordinator', atsCode: 'ats-milano', email: 'marco@ats-milano.test', name: 'Marco' }],
    ['giulia', { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' }],
    ['paolo', { role: 'consultant', email: 'paolo@consulenti.test', name: 'Paolo Neri' }],
    ['smeA', { role: 'sme', email: 'titolare@a.test', name: 'Titolare A', companyVatNumber: reqA.company.vatNumber }],
    ['smeB', { role: 'sme', email: 'titolare@b.test', name: 'Titolare B', companyVatNumber: reqB.company.vatNumber }],
  ];
  for (const [who, input] of users) tokens[who] = (await userWithToken(db, input)).token;
}, 60_000);

afterAll(() => stopDevStack(stack));

const ROLES: Who[] = ['anonymous', 'admin', 'coordBrianza', 'coordMilano', 'giulia', 'paolo', 'smeA', 'smeB'];

describe('the access matrix', () => {
  // Who sees enrollment A (Brianza, Giulia, company A) and B (Milano, Paolo, company B).
  const seesA: Record<Who, number> = {
    anonymous: 401,
    admin: 200,
    coordBrianza: 200,
    coordMilano: 404,
    giulia: 200,
    paolo: 404,
    smeA: 200,
    smeB: 404,
  };
  const seesB: Record<Who, number> = {
    anonymous: 401,
    admin: 200,
    coordBrianza: 404,
    coordMilano: 200,
    giulia: 404,
    paolo: 200,
    smeA: 404,
    smeB: 200,
  };

  it.each(ROLES)('%s reads an enrollment and its timeline only when it is theirs', async (who) => {
    expect((await http(who, 'GET', `/enrollments/${enrollmentA}`)).status).toBe(seesA[who]);
    expect((await http(who, 'GET', `/enrollments/${enrollmentB}`)).status).toBe(seesB[who]);
    expect((await http(who, 'GET', `/enrollments/${enrollmentA}/timeline`)).status).toBe(seesA[who]);
    expect((await http(who, 'GET', `/enrollments/${enrollmentB}/timeline`)).status).toBe(seesB[who]);
  });

  it.each(ROLES)('%s lists exactly the enrollments they may see', async (who) => {
    const r = await http(who, 'GET', '/enrollments?limit=200');
    if (who === 'anonymous') return expect(r.status).toBe(401);
    expect(r.status).toBe(200);
    const ids = r.body.items.map((e: { id: string }) => e.id).sort();
    const expected = [seesA[who] === 200 ? enrollmentA : null, seesB[who] === 200 ? enrollmentB : null]
      .filter(Boolean)
      .sort();
    expect(ids).toEqual(expected);
  });

  const adminOnly: [string, string, unknown?][] = [
    ['GET', '/users'],
    ['POST', '/users', { role: 'consultant', email: 'new@studio.test', name: 'Nuovo' }],
    ['GET', '/audit'],
    ['GET', '/schedules'],
    ['GET', '/reports/funding'],
  ];
  it.each(ROLES.filter((w) => w !== 'admin'))('%s is refused every admin resource', async (who) => {
    for (const [method, url, body] of adminOnly) {
      const r = await http(who, method, url, body);
      expect([url, r.status]).toEqual([url, who === 'anonymous' ? 401 : 403]);
      expect(r.body.error.code).toBe(who === 'anonymous' ? 'unauthenticated' : 'forbidden');
    }
    expect(await db.user.count({ where: { email: 'new@studio.test' } })).toBe(0);
  });

  it('milestone reports: admin sees every network, a coordinator only theirs, others nothing', async () => {
    const all = await http('admin', 'GET', '/reports/milestones?by=network');
    expect(all.status).toBe(200);
    expect(all.body.rows.map((r: { key: string }) => r.key).sort()).toEqual(['ats-brianza', 'ats-milano']);
    // A coordinator asking for another network still gets their own.
    const own = await http('coordMilano', 'GET', '/reports/milestones?by=network&network=ats-brianza');
    expect(own.body.rows.map((r: { key: string }) => r.key)).toEqual(['ats-milano']);
    expect(own.body.filters.atsCode).toBe('ats-milano');
    for (const who of ['giulia', 'smeA'] as Who[])
      expect((await http(who, 'GET', '/reports/milestones')).status).toBe(403);
    const csv = await http('admin', 'GET', '/reports/milestones?by=province&format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toMatch(/^group,label,enrollments/);
  });

  it('changes by someone who may not see the enrollment are refused and change nothing', async () => {
    const before = await db.milestone.count();
    for (const who of ['coordMilano', 'paolo', 'smeB'] as Who[]) {
      const r = await http(who, 'POST', `/enrollments/${enrollmentA}/withdraw`, { reason: 'non è mia' });
      expect(r.status).toBe(404);
    }
    expect(await db.milestone.count()).toBe(before);
    expect((await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentA } })).status).toBe('active');
  });

  it('an sme user cannot enroll another company; a coordinator cannot enroll outside the network', async () => {
    const other = enrollRequest();
    expect((await http('smeA', 'POST', '/enrollments', other)).status).toBe(403);
    expect((await http('coordMilano', 'POST', '/enrollments', other)).status).toBe(403); // Monza is ATS Brianza
    expect(await db.company.count({ where: { vatNumber: other.company.vatNumber } })).toBe(0);
  });
});

describe('credentials', () => {
  it('a session cookie from the password sign-in works until sign-out; a wrong password is refused', async () => {
    const wrong = await http('anonymous', 'POST', '/session', { email: 'regione@regione.test', password: 'nope' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'invalid_credentials']);
    const ok = await http('anonymous', 'POST', '/session', {
      email: 'REGIONE@regione.test',
      password: 'correct horse battery',
    });
    expect(ok.status).toBe(200);
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^cf_session=cf_ses_[\w-]+; Path=\/; SameSite=Lax; HttpOnly; Max-Age=43200$/);
    const cookie = setCookie.split(';')[0]!;
    const me = await http('anonymous', 'GET', '/me', undefined, { cookie });
    expect(me.body).toMatchObject({ email: 'regione@regione.test', role: 'admin' });
    // Only the hash is stored.
    const sessions = await db.session.findMany();
    expect(sessions.some((s) => cookie.includes(s.tokenHash))).toBe(false);
    // Signing out with the cookie takes the session's CSRF token, which session answers carry.
    const csrf = me.headers.get('x-csrf-token')!;
    expect((await http('anonymous', 'DELETE', '/session', undefined, { cookie, 'x-csrf-token': csrf })).status).toBe(
      204,
    );
    expect((await http('anonymous', 'GET', '/me', undefined, { cookie })).status).toBe(401);
  });

  it('a revoked API token stops working; a forged one never worked', async () => {
    const created = await http('giulia', 'POST', '/me/tokens', { name: 'script' });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    const asScript = (h: Record<string, string> = {}) =>
      fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}`, ...h } }).then((r) => r.status);
    expect(await asScript()).toBe(200);
    expect((await http('giulia', 'DELETE', `/me/tokens/${created.body.id}`)).status).toBe(204);
    expect(await asScript()).toBe(401);
    const forged = await fetch(`${base}/me`, { headers: { authorization: 'Bearer cf_tok_forged' } });
    expect(forged.status).toBe(401);
  });
});

describe('the audit log', () => {
  it('records who changed what, with the state before and after', async () => {
    const r = await http('giulia', 'POST', `/enrollments/${enrollmentA}/steps/intake/complete`, {
      // An actor in the body is ignored: the credentials say who acted.
      actor: { role: 'admin', id: 'someone-else@x.test' },
    });
    expect(r.status).toBe(200);
    const log = await http('admin', 'GET', `/audit?entity=enrollment&entityId=${enrollmentA}`);
    const entry = log.body.items.find((e: { action: string }) => e.action === 'step.complete');
    expect(entry).toMatchObject({
      actorRole: 'consultant',
      entity: 'enrollment',
      entityId: enrollmentA,
      before: { currentStep: 'intake', stepKey: 'intake' },
      after: { currentStep: 'needs-analysis' },
    });
    const timeline = await http('giulia', 'GET', `/enrollments/${enrollmentA}/timeline`);
    expect(timeline.body.items.at(-1)).toMatchObject({
      type: 'step_completed',
      stepKey: 'intake',
      actor: 'giulia.bianchi@consulenti.test',
    });
    const users = await http('admin', 'GET', '/audit?entity=user&limit=200');
    expect(users.body.items.filter((e: { action: string }) => e.action === 'user.create')).toHaveLength(7);
  });
});

describe('API surface', () => {
  it('serves an OpenAPI 3.1 document listing every route, and a reference page', async () => {
    const doc = (await http('anonymous', 'GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
    const ops = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`),
    );
    for (const expected of [
      'POST /enrollments enroll',
      'GET /enrollments listEnrollments',
      'GET /enrollments/{id} getEnrollment',
      'POST /enrollments/{id}/steps/{stepKey}/complete completeStep',
      'GET /reports/milestones milestoneReport',
      'POST /users createUser',
      'GET /audit auditLog',
      'POST /schedules/{id}/{action} controlSchedule',
    ])
      expect(ops).toContain(expected);
    const list = doc.paths['/enrollments'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor', 'status']);
    const docs = await fetch(`${base}/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('id="completeStep"');
  });

  it('documents every status and content type a route answers with', async () => {
    const doc = (await http('anonymous', 'GET', '/openapi.json')).body;
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses('/session', 'post')).toContain('401');
    // An idempotent replay answers 200 with the enrollment, a new one 201.
    expect(statuses('/enrollments', 'post')).toEqual(expect.arrayContaining(['200', '201']));
    expect(doc.paths['/enrollments'].post.responses['200'].content['application/json'].schema.properties.id).toEqual({
      type: 'string',
    });
    expect(statuses('/enrollments/{id}', 'get')).toEqual(expect.arrayContaining(['302', '401']));
    expect(doc.paths['/health'].get.responses['503'].content['application/json'].schema.properties.status).toEqual({
      type: 'string',
      enum: ['ok', 'degraded'],
    });
    for (const path of ['/enrollments', '/me/tokens', '/users'])
      expect(statuses(path, 'post')).toEqual(expect.arrayContaining(['400', '413', '415']));
    // Reports answer JSON by default, CSV and HTML on request.
    expect(Object.keys(doc.paths['/reports/milestones'].get.responses['200'].content).sort()).toEqual([
      'application/json',
      'text/csv',
      'text/html',
    ]);
    // The example enrollment request is a valid one.
    const [example] = doc.paths['/enrollments'].post.requestBody.content['application/json'].schema.examples;
    expect(enrollRequestSchema.safeParse(example).success).toBe(true);
    // The body of POST /users is documented as it is validated.
    expect(doc.paths['/users'].post.requestBody.content['application/json'].schema.properties.email.format).toBe(
      'email',
    );
  });

  it('paginates lists with limit and cursor', async () => {
    const first = await http('admin', 'GET', '/enrollments?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toBe(first.body.items[0].id);
    const second = await http('admin', 'GET', `/enrollments?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(second.body.nextCursor).toBeNull();
    const bad = await http('admin', 'GET', '/enrollments?limit=5000', undefined, { 'accept-language': 'en' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    expect(bad.body.error.message).toMatch(/^Invalid request: limit/);
  });

  it('refuses oversized bodies and unknown routes with the one error shape', async () => {
    const huge = await http('admin', 'POST', '/enrollments', { pad: 'x'.repeat(300 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
    const missing = await http('admin', 'GET', '/nope', undefined, { 'accept-language': 'it' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
    expect(missing.body.error.message).toContain('/docs');
  });
});

describe('CLI bulk import', () => {
  it('enrolls every company of a CSV with a progress report, and a second run enrolls nobody twice', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-import-')), 'imprese.csv');
    const header =
      'programme,kind,company_name,vat_number,province,city,sector,staff,turnover_eur,balance_sheet_eur,declarant_name,consultant_name,consultant_email,participant_name,participant_email,participant_role,participant_locale';
    const rows = Array.from({ length: 5 }, (_, i) => {
      const vat = String(70_000_000_000 + process.pid * 10 + i).slice(-11);
      return `demo-2026-2027,congedo-flessibilita,Impresa Import ${i},${vat},MI,milano,servizi,12,900000,600000,Titolare ${i},Paolo Neri,paolo@consulenti.test,Titolare ${i},titolare${i}@import.test,owner,it`;
    });
    // One refused row: Torino is outside Lombardy.
    rows.push(
      'demo-2026-2027,congedo-flessibilita,Impresa Torinese,79999999999,Torino,torino,servizi,12,900000,600000,Titolare,Paolo Neri,paolo@consulenti.test,Titolare,t@import.test,owner,it',
    );
    fs.writeFileSync(file, [header, ...rows].join('\n'));
    const cli = (token: string) =>
      promisify(execFile)(
        process.execPath,
        [path.resolve(__dirname, '../../bin/conciliaflow.js'), '--json', 'import', 'enrollments', file],
        { env: { ...process.env, CONCILIAFLOW_URL: base, CONCILIAFLOW_TOKEN: token } },
      ).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const first = await cli(tokens.paolo!);
    expect(first.code).toBe(3); // one row refused
    expect(JSON.parse(first.stdout)).toMatchObject({ created: 5, existing: 0, refused: [{ lines: [7] }] });
    expect(first.stderr).toMatch(/^0\/6 iscrizioni/m);
    expect(first.stderr).toMatch(/^6\/6 iscrizioni/m);
    const second = await cli(tokens.paolo!);
    expect(JSON.parse(second.stdout)).toMatchObject({ created: 0, existing: 5 });
    expect(await db.enrollment.count({ where: { company: { name: { startsWith: 'Impresa Import' } } } })).toBe(5);
  });
});
