/**
 * Hostile input over HTTP on real servers: oversized and badly encoded bodies, wrong content types,
 * SQL and template injection in every text field of an enrollment (stored verbatim, harmless, and
 * rendered literally in real emails), and header injection (CR/LF) in email and name fields refused
 * before anything is written. `npm run fuzz` does the same from the OpenAPI document at random.
 */
import net from 'node:net';
import { dialectOfDb, type Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import type { EnrollRequestInput } from '../../client/schemas';
import { enrollRequest, startDevStack, stopDevStack, userWithToken } from '../support/fixtures';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let catcher: MailCatcher;
let base: string;
let token: string;
let enrollmentId: string;

async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const raw = body === undefined || typeof body === 'string' || Buffer.isBuffer(body);
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      authorization: `Bearer ${token}`,
      'accept-language': 'en',
      ...headers,
    },
    body: Buffer.isBuffer(body) ? new Uint8Array(body) : raw ? (body as string | undefined) : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: the test asserts on the status.
  }
  return { status: res.status, body: json, text };
}

/** Rows per table: what a refused request must leave as it was. */
async function counts(): Promise<Record<string, number>> {
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    dialectOfDb(db) === 'postgresql'
      ? "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_prisma%'"
      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%'",
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM "${name}"`);
    out[name] = Number(row!.n);
  }
  return out;
}

/**
 * Counts once the worker is quiet: an accepted enrollment goes on writing (milestones, outbox) for a
 * moment, which must not be taken for a write by the refused request that follows.
 */
async function settledCounts(): Promise<Record<string, number>> {
  let last = JSON.stringify(await counts());
  let quiet = 0;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = JSON.stringify(await counts());
    quiet = now === last ? quiet + 1 : 0;
    if (quiet === 4) return JSON.parse(now) as Record<string, number>;
    last = now;
  }
  throw new Error(`the database did not settle: ${last}`);
}

beforeAll(async () => {
  const started = await startDevStack('hostile-input-e2e');
  stack = started;
  ({ db, catcher, base } = started);
  ({ token } = await userWithToken(db, { role: 'admin', email: 'regione@regione.test', name: 'Anna Regione' }));
  const seeded = enrollRequest();
  enrollmentId = (await started.service.enroll(seeded)).enrollment.id;
  // The pathway has started and written its first rows before any test counts them.
  await catcher.waitFor((m) => m.to.includes(seeded.participants[0]!.email), 30_000);
}, 60_000);

afterAll(() => stopDevStack(stack));

describe('bodies the API cannot take', () => {
  it('refuses an oversized body with 413 before reading it, and writes nothing', async () => {
    const before = await settledCounts();
    const request = enrollRequest();
    const huge = await http('POST', '/enrollments', {
      ...request,
      company: { ...request.company, name: 'x'.repeat(300 * 1024) },
    });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'FST_ERR_CTP_BODY_TOO_LARGE']);
    // A body announced bigger than the limit is refused on its Content-Length alone.
    const announced = await fetch(`${base}/me/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'y'.repeat(257 * 1024) }),
    });
    expect(announced.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it('refuses a JSON body that is not valid UTF-8 instead of storing replacement characters', async () => {
    const before = await settledCounts();
    const request = enrollRequest();
    const json = JSON.stringify({ ...request, company: { ...request.company, name: 'Tessitura @@ S.r.l.' } });
    const [head, tail] = json.split('@@') as [string, string];
    for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const body = Buffer.concat([Buffer.from(head), Buffer.from(bad), Buffer.from(tail)]);
      const r = await http('POST', '/enrollments', body);
      expect([r.status, r.body.error.code]).toEqual([400, 'invalid_encoding']);
      expect(r.body.error.message).toMatch(/UTF-8/);
    }
    // JSON is UTF-8 (RFC 8259): another declared charset is refused, not guessed at.
    const latin1 = await http('POST', '/enrollments', Buffer.from(json, 'latin1'), {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect([latin1.status, latin1.body.error.code]).toEqual([415, 'unsupported_media_type']);
    expect(await counts()).toEqual(before);
  });

  it('accepts UTF-8 with multi-byte characters and an explicit utf-8 charset', async () => {
    const request = enrollRequest();
    const name = 'Sartoria Città – «Dolce & Bello» 🧵';
    const r = await http(
      'POST',
      '/enrollments',
      JSON.stringify({ ...request, company: { ...request.company, name } }),
      {
        'content-type': 'application/json; charset=UTF-8',
      },
    );
    expect(r.status).toBe(201);
    expect(r.body.company.name).toBe(name);
  });

  it('refuses content types other than JSON on the API, and malformed JSON', async () => {
    const before = await settledCounts();
    const body = JSON.stringify({ name: 'script' });
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const r = await http('POST', '/me/tokens', type.includes('form-urlencoded') ? 'name=script' : body, {
        'content-type': type,
      });
      expect([type, r.status]).toEqual([type, 415]);
      expect(r.body.error.code).toMatch(/unsupported_media_type|FST_ERR_CTP_INVALID_MEDIA_TYPE/);
    }
    const noType = await fetch(`${base}/me/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new Uint8Array(Buffer.from(body)),
    });
    expect(noType.status).toBe(415);
    const malformed = await http('POST', '/me/tokens', '{"name": "script"');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'FST_ERR_CTP_INVALID_JSON_BODY']);
    const empty = await http('POST', '/me/tokens', '');
    expect(empty.status).toBe(400);
    const poisoned = await http('POST', '/me/tokens', '{"name": "x", "__proto__": {"isAdmin": true}}');
    expect(poisoned.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('answers over-long path parameters and malformed URLs with 400 in the one error shape', async () => {
    const long = await http('GET', `/enrollments/${'e'.repeat(5000)}`);
    expect([long.status, long.body.error.code]).toEqual([400, 'invalid_request']);
    const badEscape = await http('GET', '/enrollments/%E0%A4%A');
    expect([badEscape.status, badEscape.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('answers a malformed HTTP request (a control character in a header) in the one error shape', async () => {
    const { port } = new URL(base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\x01\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toEqual({
      error: { code: 'bad_request', message: expect.stringMatching(/malformed HTTP request/) },
    });
  });
});

describe('injection in text fields', () => {
  const sql = {
    company: 'Robert\'); DROP TABLE "Enrollment"; --',
    city: "monza' OR '1'='1",
    participant: "Anna' UNION SELECT tokenHash FROM ApiToken --",
    consultant: 'Giulia"; DELETE FROM "User" WHERE 1=1; --',
  };

  it('stores SQL injection strings verbatim in every text field, and they do nothing', async () => {
    const before = await settledCounts();
    const request = enrollRequest();
    const email = `sql-${Date.now()}@tessitura.test`;
    const r = await http('POST', '/enrollments', {
      ...request,
      company: { ...request.company, name: sql.company, city: sql.city },
      consultant: { name: sql.consultant, email: 'giulia.bianchi@consulenti.test' },
      participants: [{ name: sql.participant, email, role: 'owner' }],
    });
    expect(r.status).toBe(201);
    const back = await http('GET', `/enrollments/${r.body.id}`);
    expect(back.body.company.name).toBe(sql.company);
    expect(back.body.consultant.name).toBe(sql.consultant);
    expect(back.body.participants).toEqual([{ name: sql.participant, email, role: 'owner', locale: 'it' }]);
    const company = await db.company.findUniqueOrThrow({ where: { vatNumber: request.company.vatNumber! } });
    expect(company.city).toBe(sql.city);
    // One enrollment, its company, its participant and the audit entry: nothing dropped or deleted.
    const after = await counts();
    for (const [table, n] of Object.entries(before)) {
      const expected = { Enrollment: 1, Company: 1, Participant: 1, AuditLog: 1 }[table] ?? 0;
      // Milestones and outbox rows come from the pathway the enrollment started.
      if (table === 'Milestone' || table === 'OutboxMessage') expect(after[table]).toBeGreaterThanOrEqual(n);
      else expect([table, after[table]! - n]).toEqual([table, expected]);
    }
    expect(await db.user.count()).toBe(1);
  });

  it('renders template syntax in names literally in the emails it sends', async () => {
    const payload = "{{constructor.constructor('return process')()}}";
    const request = enrollRequest();
    const email = `template-${Date.now()}@tessitura.test`;
    const r = await http('POST', '/enrollments', {
      ...request,
      company: { ...request.company, name: `Ditta ${payload}` },
      consultant: { name: `Consulente {{#each this}}{{@key}}{{/each}}`, email: 'giulia.bianchi@consulenti.test' },
      participants: [{ name: `Anna ${payload}`, email, role: 'owner', locale: 'en' }],
    });
    expect(r.status).toBe(201);
    const welcome = await catcher.waitFor((m) => m.to.includes(email), 20_000);
    expect(welcome.subject).toContain(`Ditta ${payload}`);
    expect(welcome.text).toContain(`Dear Anna ${payload},`);
    expect(welcome.text).toContain(`Ditta ${payload} has been enrolled`);
    expect(welcome.text).toContain('Consulente {{#each this}}{{@key}}{{/each}}');
    // In HTML the braces stay, the quotes are escaped: still no template evaluated.
    expect(welcome.html).toContain('Anna {{constructor.constructor(&#x27;return process&#x27;)()}}');
    expect(welcome.text).not.toMatch(/\[object|process\.env|function/);
  });

  it('sends to the address given, whatever the name looks like: an address, a list, SQL', async () => {
    const request = enrollRequest();
    const anna = `anna-${Date.now()}@tessitura.test`;
    const marco = `marco-${Date.now()}@tessitura.test`;
    const r = await http('POST', '/enrollments', {
      ...request,
      participants: [
        { name: 'Anna <attacker@evil.test>', email: anna, role: 'owner' },
        { name: "Robert'); DELETE FROM \"User\" WHERE ('1'='1", email: marco, role: 'hr' },
      ],
    });
    expect(r.status).toBe(201);
    const toAnna = await catcher.waitFor((m) => m.to.includes(anna), 20_000);
    expect(toAnna.to).toEqual([anna]);
    expect(toAnna.headers.to).toBe(`"Anna <attacker@evil.test>" <${anna}>`);
    const toMarco = await catcher.waitFor((m) => m.to.includes(marco), 20_000);
    expect(toMarco.to).toEqual([marco]);
    expect(toMarco.text).toContain(`Robert'); DELETE FROM "User" WHERE ('1'='1`);
    // The pathway is not held by a message it cannot send: an Update goes through at once.
    const assigned = await http('POST', `/enrollments/${r.body.id}/consultant`, {
      consultant: { name: 'Rossi; Mario <capo@evil.test>', email: 'mario.rossi@consulenti.test' },
    });
    expect(assigned.status).toBe(200);
    const toConsultant = await catcher.waitFor((m) => m.to.includes('mario.rossi@consulenti.test'), 20_000);
    expect(toConsultant.to).toEqual(['mario.rossi@consulenti.test']);
    expect(catcher.messages().filter((m) => m.to.some((t) => t.endsWith('evil.test')))).toEqual([]);
  });

  const crlf = '\r\nBcc: victim@evil.test';
  // Bodies as a client posts them (the API parses them): defaults left out.
  const injections: [string, (r: ReturnType<typeof enrollRequest>) => EnrollRequestInput][] = [
    ['participant email', (r) => ({ ...r, participants: [{ name: 'Anna', email: `anna@t.test${crlf}` + 'x' }] })],
    ['participant name', (r) => ({ ...r, participants: [{ name: `Anna${crlf}`, email: 'anna@t.test' }] })],
    ['consultant email', (r) => ({ ...r, consultant: { name: 'Giulia', email: `g@c.test${crlf}x` } })],
    ['consultant name', (r) => ({ ...r, consultant: { name: `Giulia${crlf}`, email: 'g@c.test' } })],
    ['company name', (r) => ({ ...r, company: { ...r.company, name: `Ditta${crlf}` } })],
    ['company city', (r) => ({ ...r, company: { ...r.company, city: `monza${crlf}` } })],
    [
      'participant name with a bare LF',
      (r) => ({ ...r, participants: [{ name: 'Anna\nSubject: x', email: 'a@t.test' }] }),
    ],
    ['consultant name with a bare CR', (r) => ({ ...r, consultant: { name: 'Giulia\rTo: x', email: 'g@c.test' } })],
  ];

  it.each(injections)('refuses CR/LF in the %s with 400 and writes nothing', async (field, mutate) => {
    const before = await settledCounts();
    const r = await http('POST', '/enrollments', mutate(enrollRequest()));
    expect([field, r.status, r.body.error.code]).toEqual([field, 400, 'invalid_request']);
    expect(await counts()).toEqual(before);
  });

  it('refuses CR/LF in names and emails of the other requests too', async () => {
    const before = await settledCounts();
    const refused = [
      await http('POST', '/users', { role: 'consultant', email: 'x@y.test\r\nBcc: v@evil.test', name: 'X' }),
      await http('POST', '/users', { role: 'consultant', email: 'x@y.test', name: 'X\r\nBcc: v@evil.test' }),
      await http('POST', `/enrollments/${enrollmentId}/consultant`, {
        consultant: { name: 'Paolo\r\nBcc: v@evil.test', email: 'paolo@c.test' },
      }),
      await http('POST', `/enrollments/${enrollmentId}/consultant`, {
        consultant: { name: 'Paolo', email: 'paolo@c.test\nBcc: v@evil.test' },
      }),
      await http('POST', '/me/tokens', { name: 'script\r\nX-Injected: 1' }),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(await counts()).toEqual(before);
  });

  it('no email carries a header that came from input', async () => {
    // Every message sent so far: none has a Bcc, and every recipient is one the tests enrolled.
    for (const m of catcher.messages()) {
      expect(m.headers.bcc).toBeUndefined();
      expect(m.to.join(',')).not.toContain('evil.test');
    }
  });
});
