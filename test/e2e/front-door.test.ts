/**
 * The front door over HTTP on real servers (Temporal dev server, SQLite, the SMTP catcher with
 * the dispatcher sending): public pages, the eligibility self-check, a firm's request confirmed
 * from the caught email, accepted and declined by the ATS coordinator, the declarant's invitation
 * and sign-in, password reset, invitations, and the abuse cases (throttle, honeypot, expired and
 * used links, another ATS's coordinator).
 */
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { startDevStack, stopDevStack, until, userWithToken } from '../support/fixtures';
import { linkIn, request, requestForm, validVat } from '../support/front-door';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let catcher: MailCatcher;
let brianza: { token: string; email: string };
let milano: { token: string };
let admin: { token: string; id: string };
let consultant: { email: string };
const PASSWORD = 'lungo-fiume-verde-42';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Each group of tests sends from its own loopback address, so their throttles do not meet. */
let nextAddress = 10;
const address = () => `127.0.0.${nextAddress++}`;

const waitMail = async (email: string, subjectPart: string) => {
  await until(`email to ${email} (${subjectPart})`, () =>
    catcher.messages().some((m) => m.to.includes(email) && m.subject.includes(subjectPart)),
  );
  return catcher.messages().find((m) => m.to.includes(email) && m.subject.includes(subjectPart))!;
};

beforeAll(async () => {
  const started = await startDevStack('front-door-e2e');
  stack = started;
  ({ db, base, catcher } = started);
  const a = await userWithToken(db, { email: 'regione@lombardia.test', name: 'Anna Moretti', role: 'admin' });
  admin = { token: a.token, id: a.user.id };
  const b = await userWithToken(db, {
    email: 'laura@ats-brianza.test',
    name: 'Laura Ferrari',
    role: 'coordinator',
    atsCode: 'ats-brianza',
  });
  brianza = { token: b.token, email: b.user.email };
  const m = await userWithToken(db, {
    email: 'elena@ats-milano.test',
    name: 'Elena Galli',
    role: 'coordinator',
    atsCode: 'ats-milano',
  });
  milano = { token: m.token };
  await db.user.create({
    data: { email: 'francesca@consulenti.test', name: 'Francesca Villa', role: 'consultant', atsCode: 'ats-brianza' },
  });
  consultant = { email: 'francesca@consulenti.test' };
});

afterAll(async () => {
  await stopDevStack(stack);
});

/** Sends the public form and confirms the address from the caught email; the request's row. */
async function confirmedRequest(form: Record<string, string>, from: string) {
  const sent = await request(`${base}/richiesta`, { form }, from);
  expect(sent.status).toBe(200);
  const mail = await waitMail(form.email!, 'Conferma la richiesta');
  const path = linkIn(mail.text, '/richiesta/conferma/');
  const confirmed = await request(`${base}${path}`, { method: 'POST', form: {} }, from);
  expect(confirmed.status).toBe(200);
  expect(confirmed.text).toContain('Richiesta confermata');
  return db.enrollmentRequest.findFirstOrThrow({ where: { declarantEmail: form.email! } });
}

describe('public pages', () => {
  it('shows the service and its open editions to an anonymous visitor, in Italian and English', async () => {
    const home = await request(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.text).toContain('Conciliazione vita-lavoro per le imprese lombarde');
    expect(home.text).toContain('href="/edizioni/demo-2026-2027"');
    expect(home.text).toContain('Edizione dimostrativa (solo per provare il servizio');
    const en = await request(`${base}/?lang=en`);
    expect(en.text).toContain('Work-life balance for Lombard firms');
    expect(String(en.headers['set-cookie'])).toContain('cf_lang=en');
    const kept = await request(`${base}/edizioni/demo-2026-2027`, { headers: { cookie: 'cf_lang=en' } });
    expect(kept.text).toContain('The pathways of this edition');
  });

  it('sends a signed-in user on to /app', async () => {
    const s = await request(`${base}/session`, { body: { email: 'none@x.test', password: 'x' } });
    expect(s.status).toBe(401);
    const u = await db.user.findUniqueOrThrow({ where: { email: 'laura@ats-brianza.test' } });
    expect(u.role).toBe('coordinator');
    const res = await request(`${base}/`, { headers: bearer(brianza.token) });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/app');
  });

  it("lists an edition's pathways in plain language with a button to request enrollment", async () => {
    const page = await request(`${base}/edizioni/demo-2026-2027`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Piani di congedo e flessibilità');
    expect(page.text).toContain('Che cosa ottiene l’impresa');
    expect(page.text).toContain('il consulente');
    expect(page.text).toContain('giorni lavorativi');
    expect(page.text).toContain('Al massimo 3 persone occupate.');
    expect(page.text).toContain('/richiesta?edizione=demo-2026-2027&amp;percorso=congedo-flessibilita');
    expect((await request(`${base}/edizioni/nessuna`)).status).toBe(404);
  });
});

describe('eligibility self-check', () => {
  const firm = {
    province: 'MB',
    city: 'Monza',
    sector: 'industria',
    staff: 12,
    turnoverCents: 150_000_000,
    balanceSheetCents: 90_000_000,
  };

  it('answers every rule met, or the one failed with its reason, and stores nothing', async () => {
    const before = await db.enrollmentRequest.count();
    const ok = await request(`${base}/eligibility/check`, {
      body: { programme: 'demo-2026-2027', kind: 'congedo-flessibilita', company: firm },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.eligible).toBe(true);
    expect(ok.body.atsCode).toBe('ats-brianza');
    expect(ok.body.rules.length).toBeGreaterThan(2);
    expect(ok.body.rules.every((r: { met: boolean }) => r.met)).toBe(true);
    const large = await request(
      `${base}/eligibility/check`,
      {
        body: {
          programme: 'demo-2026-2027',
          kind: 'congedo-flessibilita',
          company: { ...firm, staff: 400, turnoverCents: 9_000_000_000, balanceSheetCents: 8_000_000_000 },
        },
      },
      '127.0.0.1',
    );
    expect(large.body.eligible).toBe(false);
    const failed = large.body.rules.at(-1);
    expect(failed).toMatchObject({ met: false, code: 'not_an_sme' });
    expect(failed.text.it).toContain('non è una PMI');
    expect(large.body.rules.slice(0, -1).every((r: { met: boolean }) => r.met)).toBe(true);
    expect(await db.enrollmentRequest.count()).toBe(before);
    expect(await db.company.count({ where: { city: 'Monza' } })).toBe(0);
  });

  it('refuses a malformed check with a 400 in the caller’s language', async () => {
    const bad = await request(`${base}/eligibility/check`, {
      body: { programme: 'demo-2026-2027', kind: 'congedo-flessibilita', company: { ...firm, staff: -1 } },
      headers: { 'accept-language': 'en' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.message).toMatch(/^Invalid request/);
  });

  it('answers the HTML form with the same rules', async () => {
    const page = await request(`${base}/verifica`, {
      form: {
        edizione: 'demo-2026-2027',
        percorso: 'time-saving',
        registrata: 'yes',
        provincia: 'MB',
        comune: 'Monza',
        settore: 'industria',
        ula: '2',
        fatturato: '100000',
        bilancio: '80000',
        occupati: '2',
      },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain('L’impresa non ha i requisiti per questo percorso.');
    expect(page.text).toContain('class="failed"');
    expect(page.text).toContain('riservato ai settori');
  });

  it('is declared in the OpenAPI document', async () => {
    const doc = await request(`${base}/openapi.json`);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/eligibility/check',
        '/requests',
        '/requests/{id}/accept',
        '/requests/{id}/decline',
        '/invitations',
        '/invitations/{id}',
        '/users/{id}/password-reset',
      ]),
    );
  });
});

describe('enrollment request by the firm', () => {
  it('goes from the form to the confirmation, the coordinator, acceptance, the pathway and the owner signed in', async () => {
    const from = address();
    const form = requestForm();
    const page = await request(`${base}/richiesta?edizione=demo-2026-2027&percorso=congedo-flessibilita`, {}, from);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Informativa sul trattamento dei dati personali (art. 13 GDPR)');
    expect(page.text).toContain('class="hp"');

    const sent = await request(`${base}/richiesta`, { form }, from);
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Controlla la tua email');
    const row = await db.enrollmentRequest.findFirstOrThrow({ where: { declarantEmail: form.email } });
    expect(row).toMatchObject({ status: 'pending_confirmation', atsCode: 'ats-brianza', confirmedAt: null });
    expect(row.confirmTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await db.privacyAcknowledgement.count({ where: { subject: form.email, form: 'enrollment_request' } })).toBe(
      1,
    );
    const mail = await waitMail(form.email!, 'Conferma la richiesta');
    // Only the declarant is written to before the address is confirmed.
    await new Promise((r) => setTimeout(r, 500));
    expect(
      catcher.messages().filter((m) => m.to.includes(brianza.email) && m.subject.includes(form.ragione!)),
    ).toHaveLength(0);
    expect(catcher.messages().filter((m) => m.to.includes(form.p1email!))).toHaveLength(0);

    // The link opens a page; a scanner's GET confirms nothing.
    const path = linkIn(mail.text, '/richiesta/conferma/');
    const ask = await request(`${base}${path}`, {}, from);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Confermo la richiesta');
    expect((await db.enrollmentRequest.findUniqueOrThrow({ where: { id: row.id } })).status).toBe(
      'pending_confirmation',
    );
    const confirmed = await request(`${base}${path}`, { method: 'POST', form: {} }, from);
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('ATS della Brianza');
    expect(await db.enrollmentRequest.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'awaiting_decision',
      workflowId: `request-${row.id}`,
    });
    const again = await request(`${base}${path}`, { method: 'POST', form: {} }, from);
    expect(again.status).toBe(410);
    expect(again.text).toContain('già stato usato');

    const told = await waitMail(brianza.email, `Nuova richiesta di adesione: ${form.ragione}`);
    expect(linkIn(told.text, '/app/requests/')).toBe(`/app/requests/${row.id}`);
    expect(catcher.messages().filter((m) => m.to.includes('elena@ats-milano.test'))).toHaveLength(0);

    // The coordinator's list; another network's coordinator sees nothing and changes nothing.
    const list = await request(`${base}/requests`, { headers: bearer(brianza.token) });
    expect(list.body.items.map((r: { id: string }) => r.id)).toContain(row.id);
    const other = await request(`${base}/requests`, { headers: bearer(milano.token) });
    expect(other.body.items.map((r: { id: string }) => r.id)).not.toContain(row.id);
    const stolen = await request(`${base}/requests/${row.id}/accept`, {
      body: { consultantEmail: consultant.email },
      headers: bearer(milano.token),
    });
    expect(stolen.status).toBe(404);
    expect((await db.enrollmentRequest.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('awaiting_decision');
    const wrongConsultant = await request(`${base}/requests/${row.id}/accept`, {
      body: { consultantEmail: 'laura@ats-brianza.test' },
      headers: bearer(brianza.token),
    });
    expect(wrongConsultant.status).toBe(400);

    const accepted = await request(`${base}/requests/${row.id}/accept`, {
      body: { consultantEmail: consultant.email },
      headers: bearer(brianza.token),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', consultantEmail: consultant.email });
    const enrollment = await db.enrollment.findUniqueOrThrow({ where: { id: accepted.body.enrollmentId } });
    const company = await db.company.findUniqueOrThrow({ where: { id: enrollment.companyId } });
    expect(company.vatNumber).toBe(form.piva);
    expect(enrollment.consultantEmail).toBe(consultant.email);
    const people = await db.participant.findMany({ where: { companyId: company.id } });
    expect(people.map((p) => p.email).sort()).toEqual([form.email, form.p1email].sort());
    await until('the pathway started', async () =>
      Boolean((await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).workflowStartedAt),
    );
    expect(await db.auditLog.count({ where: { action: 'request.accept', entityId: row.id } })).toBe(1);
    const twice = await request(`${base}/requests/${row.id}/accept`, {
      body: { consultantEmail: consultant.email },
      headers: bearer(brianza.token),
    });
    expect(twice.status).toBe(422);
    expect(await db.enrollment.count({ where: { companyId: enrollment.companyId } })).toBe(1);

    const outcome = await waitMail(form.email!, 'Richiesta accettata');
    expect(outcome.text).toContain('Francesca Villa');
    await waitMail(consultant.email, 'Nuova impresa da seguire');
    const invitation = await waitMail(form.email!, 'Il tuo accesso');
    const invite = linkIn(invitation.text, '/invito/');
    expect((await request(`${base}${invite}`)).text).toContain('Scegli la password');
    const mismatch = await request(`${base}${invite}`, { form: { password: PASSWORD, confirm: 'altro' } });
    expect(mismatch.status).toBe(400);
    const weak = await request(`${base}${invite}`, { form: { password: 'password', confirm: 'password' } });
    expect(weak.status).toBe(422);
    const set = await request(`${base}${invite}`, { form: { password: PASSWORD, confirm: PASSWORD } });
    expect(set.status).toBe(200);
    const signedIn = await request(`${base}/session`, { body: { email: form.email, password: PASSWORD } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ role: 'sme', companyId: enrollment.companyId });
    expect((await request(`${base}${invite}`, { form: { password: PASSWORD, confirm: PASSWORD } })).status).toBe(410);

    // The firm now has an account: the public form sends it to sign in, and changes nothing.
    const before = await db.enrollmentRequest.count();
    const refused = await request(`${base}/richiesta`, { form: requestForm({ piva: form.piva! }) }, from);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Questa impresa ha già un account');
    expect(await db.enrollmentRequest.count()).toBe(before);

    // Signed in, the owner makes the next request for the company from the dashboard, prefilled.
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    const prefilled = await request(`${base}/app/requests/new?edizione=demo-2026-2027&percorso=lavoro-flessibile`, {
      headers: { cookie },
    });
    expect(prefilled.status).toBe(200);
    expect(prefilled.text).toContain(`value="${form.piva}"`);
    const csrf = String(prefilled.headers['x-csrf-token']);
    const values = Object.fromEntries(
      [...prefilled.text.matchAll(/<input id="([^"]+)" name="[^"]+" type="(?:text|email)" value="([^"]*)"/g)].map(
        (m) => [m[1]!, m[2]!],
      ),
    );
    const own = await request(
      `${base}/app/requests/new`,
      {
        form: {
          ...values,
          edizione: 'demo-2026-2027',
          percorso: 'lavoro-flessibile',
          settore: 'industria',
          registrata: 'yes',
          privacy: 'yes',
          ula: '12.5',
          csrf,
        },
        headers: { cookie },
      },
      from,
    );
    expect(own.status).toBe(200);
    expect(own.text).toContain('Controlla la tua email');
    const mine = await db.enrollmentRequest.findFirstOrThrow({
      where: { kind: 'lavoro-flessibile', vatNumber: form.piva! },
    });
    expect(mine.requestedById).toBe(signedIn.body.user.id);
    expect(mine.companyId).toBe(enrollment.companyId);
    const confirmations = () =>
      catcher.messages().filter((m) => m.to.includes(form.email!) && m.subject.includes('Conferma la richiesta'));
    await until('the second confirmation', () => confirmations().length === 2);
    const ownMail = confirmations().find((m) => linkIn(m.text, '/richiesta/conferma/') !== path)!;
    expect(
      (
        await request(
          `${base}${linkIn(ownMail.text, '/richiesta/conferma/')}`,
          { method: 'POST', form: { csrf }, headers: { cookie } },
          from,
        )
      ).status,
    ).toBe(200);
    await until('the coordinator told of the second request', () =>
      catcher
        .messages()
        .some((m) => m.to.includes(brianza.email) && m.subject.includes('Nuova richiesta') && m.text.includes(mine.id)),
    );
    const second = await request(`${base}/requests/${mine.id}/accept`, {
      body: { consultantEmail: consultant.email },
      headers: bearer(brianza.token),
    });
    expect(second.status).toBe(200);
    const secondEnrollment = await db.enrollment.findUniqueOrThrow({ where: { id: second.body.enrollmentId } });
    // The same stored company, no second account invitation for the owner.
    expect(secondEnrollment).toMatchObject({ companyId: enrollment.companyId, kind: 'lavoro-flessibile' });
    await until(
      'the second outcome',
      () =>
        catcher.messages().filter((m) => m.to.includes(form.email!) && m.subject.includes('Richiesta accettata'))
          .length === 2,
    );
    expect(
      catcher.messages().filter((m) => m.to.includes(form.email!) && m.subject.includes('Il tuo accesso')),
    ).toHaveLength(1);
    const forged = await request(
      `${base}/app/requests/new`,
      { form: { ...values, privacy: 'yes' }, headers: { cookie } },
      from,
    );
    expect(forged.status).toBe(403);
  });

  it('tells the firm the reason when the coordinator declines', async () => {
    const form = requestForm();
    const row = await confirmedRequest(form, address());
    const short = await request(`${base}/requests/${row.id}/decline`, {
      body: { reason: 'no' },
      headers: bearer(brianza.token),
    });
    expect(short.status).toBe(400);
    const declined = await request(`${base}/requests/${row.id}/decline`, {
      body: { reason: 'Sede fuori dal territorio della rete' },
      headers: bearer(admin.token),
    });
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    const mail = await waitMail(form.email!, 'Richiesta non accettata');
    expect(mail.text).toContain('Sede fuori dal territorio della rete');
    expect(await db.enrollmentRequest.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: 'declined',
      declineReason: 'Sede fuori dal territorio della rete',
      enrollmentId: null,
    });
  });
});

describe('abuse of public forms', () => {
  it('answers a filled honeypot as if sent, and stores and sends nothing', async () => {
    const form = requestForm({ sito: 'http://spam.test' });
    const before = await db.enrollmentRequest.count();
    const res = await request(`${base}/richiesta`, { form }, address());
    expect(res.status).toBe(200);
    expect(res.text).toContain('Controlla la tua email');
    expect(await db.enrollmentRequest.count()).toBe(before);
    await new Promise((r) => setTimeout(r, 500));
    expect(catcher.messages().filter((m) => m.to.includes(form.email!))).toHaveLength(0);
  });

  it('limits requests per email (3 an hour) and per address (10 an hour) with 429 and Retry-After', async () => {
    const from = address();
    const email = `flood-${Date.now()}@spam.test`;
    for (let i = 0; i < 3; i++)
      expect((await request(`${base}/richiesta`, { form: requestForm({ email }) }, from)).status).toBe(200);
    const fourth = await request(`${base}/richiesta`, { form: requestForm({ email }) }, from);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    expect(fourth.text).toContain('Troppe richieste');
    expect(await db.enrollmentRequest.count({ where: { declarantEmail: email } })).toBe(3);
    for (let i = 0; i < 7; i++) await request(`${base}/richiesta`, { form: requestForm() }, from);
    const other = requestForm();
    const blocked = await request(`${base}/richiesta`, { form: other }, from);
    expect(blocked.status).toBe(429);
    expect(await db.enrollmentRequest.count({ where: { declarantEmail: other.email! } })).toBe(0);
  });

  it('limits the POSTs behind single-use links per address (30 an hour), so tokens cannot be tried at speed', async () => {
    const from = address();
    for (let i = 0; i < 30; i++) {
      const r = await request(`${base}/invito/cf_inv_guess${i}`, { form: { password: 'x', confirm: 'x' } }, from);
      expect(r.status).not.toBe(429);
    }
    const next = await request(`${base}/password/reset/cf_rst_guess`, { form: { password: 'x', confirm: 'x' } }, from);
    expect(next.status).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
    const confirm = await request(`${base}/richiesta/conferma/cf_req_guess`, { method: 'POST', form: {} }, from);
    expect(confirm.status).toBe(429);
    // Another address is not held up.
    expect(
      (await request(`${base}/richiesta/conferma/cf_req_guess`, { method: 'POST', form: {} }, address())).status,
    ).toBe(404);
  });

  it('says what to do with an expired, unknown or used confirmation link', async () => {
    const from = address();
    const form = requestForm();
    await request(`${base}/richiesta`, { form }, from);
    const mail = await waitMail(form.email!, 'Conferma la richiesta');
    const path = linkIn(mail.text, '/richiesta/conferma/');
    await db.enrollmentRequest.updateMany({
      where: { declarantEmail: form.email! },
      data: { confirmExpiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await request(`${base}${path}`, { method: 'POST', form: {} }, from);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('è scaduto');
    expect(expired.text).toContain('Nuova richiesta');
    expect((await db.enrollmentRequest.findFirstOrThrow({ where: { declarantEmail: form.email! } })).status).toBe(
      'pending_confirmation',
    );
    const unknown = await request(`${base}/richiesta/conferma/cf_req_nothing`, {}, from);
    expect(unknown.status).toBe(404);
  });

  it('refuses a request for a firm that is not eligible, with the reason, storing nothing', async () => {
    const form = requestForm({ ula: '400', fatturato: '90000000', bilancio: '80000000', occupati: '450' });
    const res = await request(`${base}/richiesta`, { form }, address());
    expect(res.status).toBe(422);
    expect(res.text).toContain('non è una PMI');
    expect(await db.enrollmentRequest.count({ where: { declarantEmail: form.email! } })).toBe(0);
  });

  it('refuses a VAT number with a wrong check digit', async () => {
    const vat = validVat();
    const wrong = `${vat.slice(0, 10)}${(Number(vat[10]) + 1) % 10}`;
    const res = await request(`${base}/richiesta`, { form: requestForm({ piva: wrong }) }, address());
    expect(res.status).toBe(400);
    expect(res.text).toContain('partita IVA non valida');
  });
});

describe('accounts by invitation and password reset', () => {
  it('lets a coordinator invite consultants of their ATS only; a revoked link says so', async () => {
    const refused = await request(`${base}/invitations`, {
      body: {
        email: 'nuovo.coordinatore@ats.test',
        name: 'Nuovo Coordinatore',
        role: 'coordinator',
        atsCode: 'ats-brianza',
      },
      headers: bearer(brianza.token),
    });
    expect(refused.status).toBe(403);
    const made = await request(`${base}/invitations`, {
      body: { email: 'paolo@consulenti.test', name: 'Paolo Invernizzi', role: 'consultant' },
      headers: bearer(brianza.token),
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ role: 'consultant', atsCode: 'ats-brianza', state: 'open' });
    const mail = await waitMail('paolo@consulenti.test', 'Il tuo accesso');
    expect(mail.text).toContain('Laura Ferrari');
    const listed = await request(`${base}/invitations`, { headers: bearer(milano.token) });
    expect(listed.body.items.map((i: { id: string }) => i.id)).not.toContain(made.body.id);
    expect(
      (await request(`${base}/invitations/${made.body.id}`, { method: 'DELETE', headers: bearer(milano.token) }))
        .status,
    ).toBe(404);
    const revoked = await request(`${base}/invitations/${made.body.id}`, {
      method: 'DELETE',
      headers: bearer(brianza.token),
    });
    expect(revoked.body.state).toBe('revoked');
    const page = await request(`${base}${linkIn(mail.text, '/invito/')}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('revocato');
    const dup = await request(`${base}/invitations`, {
      body: { email: 'laura@ats-brianza.test', name: 'Laura Ferrari', role: 'consultant' },
      headers: bearer(admin.token),
    });
    expect(dup.status).toBe(409);
  });

  it('resets a forgotten password by email, answering the same for unknown addresses, and ends old sessions', async () => {
    const email = 'sara@consulenti.test';
    await userWithToken(db, { email, name: 'Sara Colombo', role: 'consultant', password: 'vecchia-chiave-rossa-17' });
    const old = await request(`${base}/session`, { body: { email, password: 'vecchia-chiave-rossa-17' } });
    const oldCookie = String(old.headers['set-cookie']).split(';')[0]!;
    expect((await request(`${base}/me`, { headers: { cookie: oldCookie } })).status).toBe(200);
    const from = address();
    const unknown = await request(`${base}/password/dimenticata`, { form: { email: 'nessuno@x.test' } }, from);
    const known = await request(`${base}/password/dimenticata`, { form: { email } }, from);
    expect(unknown.status).toBe(200);
    expect(known.status).toBe(200);
    const strip = (t: string) => t.replace(/name="csrf" value="[^"]*"/, '');
    expect(strip(unknown.text)).toBe(strip(known.text));
    const mail = await waitMail(email, 'Nuova password');
    expect(catcher.messages().filter((m) => m.to.includes('nessuno@x.test'))).toHaveLength(0);
    const link = linkIn(mail.text, '/password/reset/');
    expect((await request(`${base}${link}`)).status).toBe(200);
    const done = await request(`${base}${link}`, { form: { password: PASSWORD, confirm: PASSWORD } });
    expect(done.status).toBe(200);
    expect((await request(`${base}/me`, { headers: { cookie: oldCookie } })).status).toBe(401);
    expect((await request(`${base}/session`, { body: { email, password: PASSWORD } })).status).toBe(200);
    const reused = await request(`${base}${link}`, { form: { password: PASSWORD, confirm: PASSWORD } });
    expect(reused.status).toBe(410);
    for (let i = 0; i < 2; i++) await request(`${base}/password/dimenticata`, { form: { email } }, from);
    const limited = await request(`${base}/password/dimenticata`, { form: { email } }, from);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('lets an admin send a reset link; the sign-in page links the forgotten-password page', async () => {
    const user = await db.user.findUniqueOrThrow({ where: { email: 'laura@ats-brianza.test' } });
    const res = await request(`${base}/users/${user.id}/password-reset`, {
      method: 'POST',
      headers: bearer(admin.token),
    });
    expect(res.status).toBe(202);
    await waitMail(user.email, 'Nuova password');
    expect(
      (await request(`${base}/users/${user.id}/password-reset`, { method: 'POST', headers: bearer(brianza.token) }))
        .status,
    ).toBe(403);
    expect((await request(`${base}/login`)).text).toContain('href="/password/dimenticata"');
  });
});
