/**
 * Over HTTP on real servers: the municipality decides a firm's ATS, so a coordinator of ATS Montagna
 * enrolls a Valcamonica firm (province of Brescia) and ATS Brescia's may not; the self-declaration is
 * recorded with who sent it, when and from where; a request without size figures is refused.
 */
import type { Db } from '../../infra/db';
import { enrollRequest, startDevStack, stopDevStack, userWithToken } from '../support/fixtures';

jest.setTimeout(60_000);

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

async function post(who: string, body: unknown) {
  const res = await fetch(`${base}/enrollments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}`, 'accept-language': 'en' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

const valcamonica = () => {
  const r = enrollRequest();
  return { ...r, company: { ...r.company, name: 'Ferramenta Camuna S.r.l.', province: 'BS', city: 'Breno' } };
};

beforeAll(async () => {
  const started = await startDevStack('eligibility-territory-e2e');
  stack = started;
  ({ db, base } = started);
  for (const [who, atsCode] of [
    ['montagna', 'ats-montagna'],
    ['brescia', 'ats-brescia'],
  ] as const) {
    const { user, token } = await userWithToken(db, {
      role: 'coordinator',
      atsCode,
      email: `coord@${atsCode}.test`,
      name: `Coordinatrice ${atsCode}`,
    });
    tokens[who] = token;
    ids[who] = user.id;
  }
}, 90_000);

afterAll(async () => {
  await stopDevStack(stack);
});

describe('the municipality decides the ATS', () => {
  it("ATS Brescia's coordinator may not enroll a Valcamonica firm, and nothing is written", async () => {
    const req = valcamonica();
    const r = await post('brescia', req);
    expect(r.status).toBe(403);
    expect(await db.company.count({ where: { vatNumber: req.company.vatNumber! } })).toBe(0);
  });

  it("ATS Montagna's coordinator enrolls it; the firm is stored as ATS Montagna's, with the declaration", async () => {
    const req = valcamonica();
    const before = Date.now();
    const r = await post('montagna', req);
    expect(r.status).toBe(201);
    expect(r.body.company).toMatchObject({ province: 'BS', atsCode: 'ats-montagna' });
    const row = await db.company.findUniqueOrThrow({ where: { vatNumber: req.company.vatNumber! } });
    expect(row).toMatchObject({
      atsCode: 'ats-montagna',
      city: 'Breno',
      declarantName: 'Marco Rossi',
      declarantRole: 'legal-representative',
      declaredByUserId: ids.montagna,
      declaredFromIp: '127.0.0.1',
    });
    expect(row.declaredAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const reasons = JSON.parse(row.eligibilityReasons!) as { it: string; en: string }[];
    expect(reasons[0]!.it).toMatch(/Breno.*Distretto Valle Camonica/);
    // Enrolling the stored firm again is judged on its stored ATS: Montagna's coordinator may.
    const again = await post('montagna', { ...req, kind: 'defiscalizzazione' });
    expect(again.status).toBe(201);
    const brescia = await post('brescia', { ...req, kind: 'lavoro-flessibile' });
    expect(brescia.status).toBe(403);
  });

  it('a request without the balance sheet is refused with the reason, and nothing is written', async () => {
    const req = valcamonica();
    const { balanceSheetCents: _b, ...company } = req.company;
    const r = await post('montagna', { ...req, company });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('size_figures_required');
    expect(r.body.error.message).toMatch(/balance sheet total missing/);
    expect(await db.company.count({ where: { vatNumber: req.company.vatNumber! } })).toBe(0);
  });

  it('fractional annual work units are accepted and stored as given', async () => {
    const req = valcamonica();
    const r = await post('montagna', { ...req, company: { ...req.company, staff: 12.5, peopleEmployed: 15 } });
    expect(r.status).toBe(201);
    const row = await db.company.findUniqueOrThrow({ where: { vatNumber: req.company.vatNumber! } });
    expect([row.staff, row.peopleEmployed]).toEqual([12.5, 15]);
  });
});
