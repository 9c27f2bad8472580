/**
 * Enrollment across tenants, over HTTP on real servers (findings 1, 2, 6, 7 and 16 of the security
 * audit): a stored firm is judged on its stored row, only referenced and never rewritten; member firms
 * join a network only with their consent; idempotency keys belong to the caller; participants are
 * bounded per firm and new recipients per account and day; refusals reveal nothing the caller may not see.
 */
import type { Db } from '../../infra/db';
import { buildApi } from '../../client/api/server';
import { createService } from '../../client/service';
import { RECIPIENT_QUOTA_WINDOW_MS } from '../../domain/participant-limits';
import {
  enrollRequest,
  logger,
  PREFERENCES_SECRET,
  startDevStack,
  stopDevStack,
  userWithToken,
  type TestEnrollRequest,
} from '../support/fixtures';

jest.setTimeout(60_000);

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
/** A second API on the same servers whose service has a quota of 4 new recipients a day. */
let quotaApi: Awaited<ReturnType<typeof buildApi>> | undefined;
let quotaBase: string;

type Who = 'admin' | 'coordBrianza' | 'coordMilano' | 'giulia' | 'paolo' | 'lucia' | 'smeA' | 'smeV';
const tokens = {} as Record<Who, string>;
const userIds = {} as Record<Who, string>;

/** The attacker's own firm A (Monza, ATS Brianza) and the victim V (Milano, ATS Milano, consultant Paolo). */
let reqA: TestEnrollRequest;
let reqV: TestEnrollRequest;
let enrollmentV: string;

const PAOLO = { name: 'Paolo Neri', email: 'paolo@consulenti.test' };
const GIULIA = { name: 'Giulia Bianchi', email: 'giulia.bianchi@consulenti.test' };
/** Enrolls only through the API with the low quota. */
const LUCIA = { name: 'Lucia Ferri', email: 'lucia@consulenti.test' };

async function http(
  who: Who | null,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url.startsWith('http') ? '' : base}${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      'accept-language': 'en',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any, text };
}

/**
 * Everything an enrollment request could change, to compare before and after a refusal (enrollments
 * by id: the worker moves their current step while the test runs).
 */
async function snapshot() {
  const [companies, participants, enrollments, consents] = await Promise.all([
    db.company.findMany({ orderBy: { id: 'asc' } }),
    db.participant.findMany({ orderBy: { id: 'asc' } }),
    db.enrollment.findMany({ orderBy: { id: 'asc' }, select: { id: true, idempotencyKey: true, companyId: true } }),
    db.networkConsent.findMany({ orderBy: { id: 'asc' } }),
  ]);
  return { companies, participants, enrollments, consents };
}

/** A network led by firm A whose members are the given firms (VAT, name, participants). */
function networkOfA(kind: string, members: { vatNumber: string; name: string; email: string }[]) {
  return {
    ...reqA,
    kind,
    company: {
      ...reqA.company,
      members: members.map((m) => ({
        name: m.name,
        vatNumber: m.vatNumber,
        sector: 'industria' as const,
        staff: 12,
        turnoverCents: 180_000_000,
        balanceSheetCents: 120_000_000,
        participants: [{ name: 'Intruso', email: m.email }],
      })),
    },
  };
}

beforeAll(async () => {
  const started = await startDevStack('enrollment-security-e2e');
  stack = started;
  ({ db, base } = started);
  reqA = enrollRequest();
  reqV = enrollRequest({ company: { ...enrollRequest().company, province: 'MI', city: 'milano' }, consultant: PAOLO });
  await started.service.enroll(reqA);
  enrollmentV = (await started.service.enroll(reqV)).enrollment.id;
  const users: [Who, Parameters<typeof userWithToken>[1]][] = [
    ['admin', { role: 'admin', email: 'regione@regione.test', name: 'Anna Regione' }],
    ['coordBrianza', { role: 'coordinator', atsCode: 'ats-brianza', email: 'elena@ats-brianza.test', name: 'Elena' }],
    ['coordMilano', { role: 'coordinator', atsCode: 'ats-milano', email: 'marco@ats-milano.test', name: 'Marco' }],
    ['giulia', { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' }],
    ['paolo', { role: 'consultant', email: PAOLO.email, name: PAOLO.name }],
    ['lucia', { role: 'consultant', email: LUCIA.email, name: LUCIA.name }],
    ['smeA', { role: 'sme', email: 'titolare@a.test', name: 'Titolare A', companyVatNumber: reqA.company.vatNumber }],
    ['smeV', { role: 'sme', email: 'titolare@v.test', name: 'Titolare V', companyVatNumber: reqV.company.vatNumber }],
  ];
  for (const [who, input] of users) {
    const { user, token } = await userWithToken(db, input);
    tokens[who] = token;
    userIds[who] = user.id;
  }
  const service = createService({
    db,
    temporal: started.temporal,
    taskQueue: 'enrollment-security-e2e',
    recipientQuotas: { perDay: 4, coordinatorPerDay: 4 },
  });
  quotaApi = await buildApi({ service, db, temporal: started.temporal, logger, preferencesSecret: PREFERENCES_SECRET });
  quotaBase = await quotaApi.listen({ port: 0, host: '127.0.0.1' });
}, 90_000);

afterAll(async () => {
  await quotaApi?.close();
  await stopDevStack(stack);
});

describe('finding 1: a network takes no firm over without its consent', () => {
  it('an SME naming another firm as its member is refused, and nothing changes', async () => {
    const fresh = enrollRequest().company.vatNumber!;
    const before = await snapshot();
    const r = await http(
      'smeA',
      'POST',
      '/enrollments',
      networkOfA('lavoro-flessibile', [
        { vatNumber: reqV.company.vatNumber!, name: 'Rinominata S.r.l.', email: 'intruso@evil.test' },
        { vatNumber: fresh, name: 'Nuova S.r.l.', email: 'nuova@evil.test' },
      ]),
    );
    expect([r.status, r.body.error.code]).toEqual([403, 'member_consent_required']);
    expect(r.body.error.message).toContain(reqV.company.vatNumber);
    expect(r.body.error.details).toEqual({ vatNumber: reqV.company.vatNumber });
    expect(await snapshot()).toEqual(before);
    expect((await http('smeA', 'GET', `/enrollments/${enrollmentV}`)).status).toBe(404);
  });

  it('with the firm’s consent it joins, unchanged; withdrawn, it leaves', async () => {
    const victim = await db.company.findUniqueOrThrow({
      where: { vatNumber: reqV.company.vatNumber },
      include: { participants: true },
    });
    const granted = await http('smeV', 'POST', '/me/network-consents', { networkVatNumber: reqA.company.vatNumber });
    expect(granted.status).toBe(201);
    expect(granted.body.networkVatNumber).toBe(reqA.company.vatNumber);
    expect(
      (await http('smeV', 'POST', '/me/network-consents', { networkVatNumber: reqA.company.vatNumber })).status,
    ).toBe(200);
    expect((await http('smeV', 'GET', '/me/network-consents')).body.items).toEqual([granted.body]);
    // Only an SME account speaks for its own firm.
    expect((await http('giulia', 'POST', '/me/network-consents', { networkVatNumber: '12345678901' })).status).toBe(
      403,
    );

    const fresh = enrollRequest().company.vatNumber!;
    const r = await http(
      'smeA',
      'POST',
      '/enrollments',
      networkOfA('lavoro-flessibile', [
        { vatNumber: reqV.company.vatNumber!, name: 'Rinominata S.r.l.', email: 'intruso@evil.test' },
        { vatNumber: fresh, name: 'Nuova S.r.l.', email: 'nuova@a.test' },
      ]),
    );
    expect(r.status).toBe(201);
    const after = await db.company.findUniqueOrThrow({
      where: { vatNumber: reqV.company.vatNumber },
      include: { participants: true },
    });
    // Referenced, not rewritten: only its network changed; the request's people for it were not added.
    expect(after).toEqual({ ...victim, networkId: r.body.company.id });
    expect(await db.participant.count({ where: { email: 'intruso@evil.test' } })).toBe(0);
    // A new member firm's people are the caller's to answer for (one-by-one path).
    expect((await db.participant.findFirstOrThrow({ where: { email: 'nuova@a.test' } })).addedById).toBe(userIds.smeA);
    expect((await http('smeA', 'GET', `/enrollments/${enrollmentV}`)).status).toBe(200);

    expect((await http('smeV', 'DELETE', `/me/network-consents/${reqA.company.vatNumber}`)).status).toBe(204);
    expect((await db.company.findUniqueOrThrow({ where: { id: victim.id } })).networkId).toBeNull();
    expect((await http('smeA', 'GET', `/enrollments/${enrollmentV}`)).status).toBe(404);
    expect((await http('smeV', 'DELETE', `/me/network-consents/${reqA.company.vatNumber}`)).status).toBe(404);
    const log = await db.auditLog.findMany({
      where: { entity: 'company', entityId: victim.id },
      orderBy: { at: 'asc' },
    });
    expect(log.map((e) => [e.action, e.actorId])).toEqual([
      ['network-consent.grant', userIds.smeV],
      ['network-consent.withdraw', userIds.smeV],
    ]);
  });

  it('the coordinator of the firm’s ATS may put it in a network without a consent row', async () => {
    const member = enrollRequest({ company: { ...enrollRequest().company, province: 'MI', city: 'milano' } });
    await stack.service!.enroll(member);
    const lead = enrollRequest({ company: { ...enrollRequest().company, province: 'MI', city: 'milano' } });
    const other = enrollRequest().company.vatNumber!;
    const smallFirm = { staff: 3, turnoverCents: 30_000_000, balanceSheetCents: 20_000_000 };
    const network = {
      ...lead,
      company: {
        ...lead.company,
        members: [
          {
            name: 'X',
            vatNumber: member.company.vatNumber!,
            sector: 'industria' as const,
            ...smallFirm,
            participants: [],
          },
          { name: 'Y', vatNumber: other, sector: 'industria' as const, ...smallFirm, participants: [] },
        ],
      },
    };
    const r = await http('coordMilano', 'POST', '/enrollments', network);
    expect(r.status).toBe(201);
    const stored = await db.company.findUniqueOrThrow({ where: { vatNumber: member.company.vatNumber } });
    expect([stored.networkId, stored.name]).toEqual([r.body.company.id, member.company.name]);
  });
});

describe('finding 2: enrolling a stored firm is judged on the stored firm', () => {
  it('a coordinator claiming their own province for another ATS’s firm is refused, and no one is written to', async () => {
    const before = await snapshot();
    const r = await http('coordBrianza', 'POST', '/enrollments', {
      ...reqV,
      kind: 'lavoro-flessibile',
      company: { ...reqV.company, province: 'MB', city: 'monza' },
    });
    expect([r.status, r.body.error.code]).toEqual([403, 'forbidden']);
    for (const p of reqV.participants) expect(r.text).not.toContain(p.email);
    // No enrollment row, so no pathway and no welcome email to V's people.
    expect(await snapshot()).toEqual(before);
  });

  it('a consultant may enroll a stored firm only if they already follow it', async () => {
    const asGiulia = { ...reqV, kind: 'lavoro-flessibile', consultant: GIULIA };
    const before = await snapshot();
    const refused = await http('giulia', 'POST', '/enrollments', asGiulia);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    expect(refused.text).not.toContain(reqV.participants[0]!.email);
    expect(await snapshot()).toEqual(before);
    // Paolo follows V (its first enrollment is his).
    const ok = await http('paolo', 'POST', '/enrollments', { ...reqV, kind: 'contrattazione-secondo-livello' });
    expect(ok.status).toBe(201);
    expect(ok.body.company.id).toBe(before.companies.find((c) => c.vatNumber === reqV.company.vatNumber)!.id);
  });
});

describe('finding 16: refusals name nothing the caller may not see', () => {
  it('already_enrolled for a firm the caller may not see is the plain refusal of any firm not theirs', async () => {
    // V is enrolled in congedo-flessibilita, not in defiscalizzazione: Elena (Brianza) gets the same answer for both.
    const enrolled = await http('coordBrianza', 'POST', '/enrollments', {
      ...reqV,
      company: { ...reqV.company, province: 'MB' },
    });
    const notEnrolled = await http('coordBrianza', 'POST', '/enrollments', {
      ...reqV,
      kind: 'defiscalizzazione',
      company: { ...reqV.company, province: 'MB' },
    });
    expect(enrolled.status).toBe(403);
    expect(enrolled.body).toEqual(notEnrolled.body);
    expect(enrolled.text).not.toContain(enrollmentV);
  });

  it('a consultant following the firm learns it is enrolled, not the id of another consultant’s enrollment', async () => {
    // Giulia follows F (lavoro-flessibile); Paolo holds F's congedo-flessibilita.
    const f = enrollRequest({ consultant: PAOLO });
    const paolos = (await stack.service!.enroll(f)).enrollment.id;
    await stack.service!.enroll({ ...f, kind: 'lavoro-flessibile', consultant: GIULIA });
    const r = await http('giulia', 'POST', '/enrollments', {
      ...f,
      consultant: GIULIA,
    });
    expect([r.status, r.body.error.code]).toEqual([409, 'already_enrolled']);
    expect(r.text).not.toContain(paolos);
    expect(r.body.error.details).toBeUndefined();
    // Paolo may see his own: the id is there for him.
    const his = await http('paolo', 'POST', '/enrollments', f);
    expect([his.status, his.body.error.details]).toEqual([409, { enrollmentId: paolos }]);
  });
});

describe('finding 6: idempotency keys belong to the caller', () => {
  it('a key another account took first neither blocks nor decides this account’s request', async () => {
    const victim = enrollRequest();
    const key = `import:${victim.company.vatNumber}:demo-2026-2027:congedo-flessibilita`;
    const squatter = await http('paolo', 'POST', '/enrollments', enrollRequest({ consultant: PAOLO }), {
      'idempotency-key': key,
    });
    expect(squatter.status).toBe(201);
    const first = await http('giulia', 'POST', '/enrollments', victim, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.body.id).not.toBe(squatter.body.id);
    expect(first.body.company.vatNumber).toBe(victim.company.vatNumber);
    // The same caller, key and body: the same enrollment; another body under that key: a conflict.
    const again = await http('giulia', 'POST', '/enrollments', victim, { 'idempotency-key': key });
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
    const other = await http('giulia', 'POST', '/enrollments', enrollRequest(), { 'idempotency-key': key });
    expect([other.status, other.body.error.code]).toEqual([409, 'idempotency_conflict']);
    expect(other.text).toContain(key);
    expect(other.text).not.toContain(squatter.body.id);
  });

  it('a key stored before keys were per account still answers its own creator, and only them', async () => {
    const req = enrollRequest();
    const key = `import:${req.company.vatNumber}:demo-2026-2027:congedo-flessibilita`;
    // As the service stored it before: the key as sent, the creator in the audit log.
    const { enrollment } = await stack.service!.enroll(req, key);
    await db.auditLog.create({
      data: {
        actorId: userIds.giulia,
        actorRole: 'consultant',
        action: 'enrollment.create',
        entity: 'enrollment',
        entityId: enrollment.id,
      },
    });
    const again = await http('giulia', 'POST', '/enrollments', req, { 'idempotency-key': key });
    expect([again.status, again.body.id]).toEqual([200, enrollment.id]);
    const other = await http(
      'paolo',
      'POST',
      '/enrollments',
      { ...req, consultant: PAOLO },
      { 'idempotency-key': key },
    );
    expect([other.status, other.body.error.code]).toEqual([403, 'forbidden']);
    expect(other.text).not.toContain(enrollment.id);
  });
});

describe('finding 7: participants per firm and new recipients per account', () => {
  it('more participants than the firm’s staff allows are refused before anything is written', async () => {
    const req = enrollRequest();
    const tiny = {
      ...req,
      kind: 'time-saving',
      company: {
        ...req.company,
        sector: 'commercio' as const,
        staff: 2,
        peopleEmployed: 2,
        turnoverCents: 25_000_000,
        balanceSheetCents: 15_000_000,
      },
      participants: Array.from({ length: 8 }, (_, i) => ({ name: `P ${i}`, email: `p${i}@tiny.test` })),
    };
    const r = await http('giulia', 'POST', '/enrollments', tiny);
    expect([r.status, r.body.error.code]).toEqual([422, 'too_many_participants']);
    expect(r.body.error.details).toEqual({ vatNumber: req.company.vatNumber, limit: 7 });
    expect(await db.company.count({ where: { vatNumber: req.company.vatNumber } })).toBe(0);
    expect(
      (await http('giulia', 'POST', '/enrollments', { ...tiny, participants: tiny.participants.slice(0, 7) })).status,
    ).toBe(201);
  });

  it('an account past its daily quota of new recipients is refused with the limit and when it frees; admins are not limited', async () => {
    const q = (who: Who, body: unknown, headers: Record<string, string> = {}) =>
      http(who, 'POST', `${quotaBase}/enrollments`, body, headers);
    const three = enrollRequest({
      consultant: LUCIA,
      participants: ['a', 'b', 'c'].map((x) => ({ name: x, email: `${x}@quota.test`, role: 'employee', locale: 'it' })),
    });
    const first = await q('lucia', three, { 'idempotency-key': 'quota-first' });
    expect(first.status).toBe(201);
    const mine = await db.participant.findMany({ where: { addedById: userIds.lucia } });
    expect(mine).toHaveLength(3);
    const oldest = Math.min(...mine.map((p) => p.createdAt.getTime()));

    const before = await snapshot();
    const over = enrollRequest({ consultant: LUCIA });
    const r = await q('lucia', over);
    expect([r.status, r.body.error.code]).toEqual([429, 'recipient_quota_exceeded']);
    expect(r.body.error.message).toMatch(/^Limit of 4 new recipients in the last 24 hours reached/);
    expect(new Date(r.body.error.details.retryAt).getTime()).toBe(oldest + RECIPIENT_QUOTA_WINDOW_MS);
    expect(await snapshot()).toEqual(before);
    // The same request again is a replay, not a new recipient; an admin is not limited.
    expect((await q('lucia', three, { 'idempotency-key': 'quota-first' })).status).toBe(200);
    expect((await q('admin', over)).status).toBe(201);
    const added = await db.participant.findMany({ where: { email: { in: over.participants.map((p) => p.email) } } });
    expect(added.map((p) => p.addedById)).toEqual([userIds.admin, userIds.admin]);
  });
});

describe('the OpenAPI document', () => {
  it('declares every status POST /enrollments answers, and the consent routes', async () => {
    const doc = (await http(null, 'GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/enrollments'].post.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '403', '409', '422', '429']),
    );
    expect(Object.keys(doc.paths['/me/network-consents'])).toEqual(['post', 'get']);
    expect(Object.keys(doc.paths['/me/network-consents/{networkVatNumber}'])).toEqual(['delete']);
  });
});
