/**
 * The Region's console over HTTP on the real stack (Temporal dev server, SQLite, the worker): the
 * funding ledger keeps what an allocation leaves (the €14,000 that vanished after a second
 * allocation), the import writes exactly the previewed file, the monthly report's next run moves
 * off New Year's Day and the console says so, and only admins see any of it.
 */
import { SCHEDULE_PREFIX, ensureSchedules } from '../../client/schedules';
import { createApiToken, createUser } from '../../client/auth/users';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { startDevStack, stopDevStack, until } from '../support/fixtures';
import { linkIn } from '../support/front-door';

const PASSWORD = 'vetro-pioggia-ramo-26';
const taskQueue = 'console-e2e';
let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let catcher: MailCatcher;

beforeAll(async () => {
  const started = await startDevStack(taskQueue);
  stack = started;
  ({ db, base, catcher } = started);
  const system = { id: 'test', role: 'system' };
  await createUser(db, { role: 'admin', email: 'anna@regione.test', name: 'Anna Regione', password: PASSWORD }, system);
  await createUser(
    db,
    { role: 'consultant', email: 'giulia@studio.test', name: 'Giulia Bianchi', password: PASSWORD },
    system,
  );
}, 90_000);

afterAll(() => stopDevStack(stack));

/** A signed-in browser-like session: its cookie and the CSRF token its answers carry. */
async function session(email: string) {
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = (await fetch(`${base}/app`, { headers: { cookie } })).headers.get('x-csrf-token')!;
  const get = (path: string) => fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, ...form }).toString(),
      redirect: 'manual',
    });
  const upload = (path: string, name: string, text: string) => {
    const form = new FormData();
    form.set('csrf', csrf);
    form.set('file', new Blob([text], { type: 'text/csv' }), name);
    // A multipart form carries its CSRF token in the action URL (read before the body is).
    const url = `${base}${path}?csrf_token=${encodeURIComponent(csrf)}`;
    return fetch(url, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' });
  };
  return { get, post, upload };
}

const header = 'code;title;lead_body;province;eligible_cost_eur;requested_grant_eur;rank;status';
const good = [
  header,
  'A1;Nido aziendale;Comune di Lodi;LO;100.000,00;80.000,00;1;admitted',
  'B2;Centro estivo;Cooperativa Arca;BG;62.500,00;50.000,00;2;admitted',
  'C3;Doposcuola;Fondazione Ponte;MI;37.500,00;30.000,00;3;admitted',
  'D4;Ludoteca;Comune di Pavia;PV;20.000,00;16.000,00;4;not_admitted',
].join('\n');

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

test('anyone but an admin gets the not-found answer of the console', async () => {
  const consultant = await session('giulia@studio.test');
  for (const path of ['/app/console', '/app/console/users', '/app/console/audit', '/app/console/funding'])
    expect((await consultant.get(path)).status).toBe(404);
  expect((await fetch(`${base}/app/console/schedules`)).status).toBe(404);
  const res = await consultant.post('/app/console/funding/allocate', { amount: '1000' });
  expect(res.status).toBe(404);
});

test('import: a bad file is refused row by row and writes nothing; the previewed file is written once', async () => {
  const admin = await session('anna@regione.test');
  const bad = [
    header,
    'A1;Nido aziendale;Comune di Lodi;LO;100.000,00;80.000,01;1;admitted',
    'B2;Centro estivo;Cooperativa Arca;Torino;62.500,00;50.000,00;2;admitted',
  ].join('\n');
  const refused = await admin.upload('/app/console/funding/preview', 'bad.csv', bad);
  expect(refused.status).toBe(422);
  const page = await refused.text();
  expect(page).toContain('Il file ha 2 errori');
  expect(page).toContain("supera l'80%");
  expect(page).toContain('non è una provincia lombarda');
  expect(page).not.toContain('Conferma l’importazione');
  expect(await db.fundingProject.count()).toBe(0);

  const preview = await admin.upload('/app/console/funding/preview', 'good.csv', good);
  expect(preview.status).toBe(200);
  const html = await preview.text();
  expect(html).toContain('Il file è valido: 4 progetti');
  expect(await db.fundingProject.count()).toBe(0); // nothing before the confirmation
  const form = { digest: hidden(html, 'digest'), csv: hidden(html, 'csv') };
  expect(Buffer.from(form.csv, 'base64').toString('utf8')).toBe(good);

  // Another file under the previewed digest is refused.
  const swapped = Buffer.from(good.replace('80.000,00', '70.000,00'), 'utf8').toString('base64');
  const tampered = await admin.post('/app/console/funding/import', { ...form, csv: swapped });
  expect(tampered.status).toBe(409);
  expect(await db.fundingProject.count()).toBe(0);

  expect((await admin.post('/app/console/funding/import', form)).status).toBe(303);
  expect(await db.fundingProject.count()).toBe(4);
  // The same confirmation again changes nothing and logs nothing new.
  expect((await admin.post('/app/console/funding/import', form)).status).toBe(303);
  expect(await db.auditLog.count({ where: { action: 'funding.import' } })).toBe(1);
});

test('the €14,000 left by one allocation is spent by the next, and a form sent twice allocates once', async () => {
  const admin = await session('anna@regione.test');
  const remaining = async () =>
    hidden(await (await admin.get('/app/console/funding')).text(), 'expectedRemainingCents');
  expect(await remaining()).toBe('0');
  // 94,000: A1 (80,000) is funded, B2 (50,000) does not fit: 14,000 left.
  expect(
    (await admin.post('/app/console/funding/allocate', { amount: '94.000,00', expectedRemainingCents: '0' })).status,
  ).toBe(303);
  expect(await remaining()).toBe('1400000');
  const page = await (await admin.get('/app/console/funding')).text();
  expect(page).toContain('14.000,00');
  expect(page).toContain('Ammesso, non finanziato');

  // The same form again (its ledger state is now stale) is refused: nothing is spent twice.
  const twice = await admin.post('/app/console/funding/allocate', { amount: '94.000,00', expectedRemainingCents: '0' });
  expect(twice.status).toBe(409);

  // 36,000 more + the 14,000 left = 50,000: B2 is funded. Before the fix the 14,000 vanished and B2 waited.
  expect(
    (await admin.post('/app/console/funding/allocate', { amount: '36000', expectedRemainingCents: '1400000' })).status,
  ).toBe(303);
  const projects = await db.fundingProject.findMany({ orderBy: { rank: 'asc' } });
  expect(projects.map((p) => [p.code, p.status])).toEqual([
    ['A1', 'funded'],
    ['B2', 'funded'],
    ['C3', 'admitted'],
    ['D4', 'not_admitted'],
  ]);
  expect(await remaining()).toBe('0');

  // The report, linked from the console, lists the admitted project left unfunded and the budget left.
  const consolePage = await (await admin.get('/app/console/funding')).text();
  expect(consolePage).toContain('href="/reports/funding?format=html&amp;lang=it"');
  const report = await (await admin.get('/reports/funding?format=html&lang=it')).text();
  expect(report).toContain('Progetti ammessi non ancora finanziati, in ordine di graduatoria');
  expect(report).toMatch(/<th scope="row">C3<\/th><td>Doposcuola<\/td>/);
  expect(report).toContain('Residuo disponibile: <strong>0,00 €</strong>');
  const json = (await (await admin.get('/reports/funding?format=json')).json()) as Record<string, unknown>;
  expect(json).toMatchObject({
    admittedUnfundedProjects: [{ code: 'C3', requestedGrantCents: 30_000_00 }],
    budget: { allocatedCents: 130_000_00, remainingCents: 0 },
  });
  const audit = await db.auditLog.findMany({ where: { action: 'funding.allocate' }, orderBy: { at: 'asc' } });
  expect(audit.map((a) => JSON.parse(a.after!) as { carriedCents: number })).toMatchObject([
    { addedCents: 94_000_00, carriedCents: 0, grantedCents: 80_000_00, remainingCents: 14_000_00 },
    { addedCents: 36_000_00, carriedCents: 14_000_00, grantedCents: 50_000_00, remainingCents: 0 },
  ]);
  // A bad amount is a 4xx on the page and changes nothing.
  const badAmount = await admin.post('/app/console/funding/allocate', { amount: '-5', expectedRemainingCents: '0' });
  expect(badAmount.status).toBeGreaterThanOrEqual(400);
  expect(badAmount.status).toBeLessThan(500);
  expect(await db.auditLog.count({ where: { action: 'funding.allocate' } })).toBe(2);
});

test('the monthly report moves off 1 January 2027 to Monday 4 January, and the console says why', async () => {
  const { temporal } = stack as Awaited<ReturnType<typeof startDevStack>>;
  // A schedule made by the old code (plain "1st of the month"), paused by an operator.
  await temporal.schedule.create({
    scheduleId: `${SCHEDULE_PREFIX}report-region`,
    spec: { calendars: [{ dayOfMonth: 1, hour: 7, minute: 0 }], timezone: 'Europe/Rome' },
    action: { type: 'startWorkflow', workflowType: 'milestoneReportWorkflow', args: [{ scope: 'region' }], taskQueue },
    state: { paused: true, note: 'paused during the holidays' },
  });
  await ensureSchedules(temporal, taskQueue);
  const d = await temporal.schedule.getHandle(`${SCHEDULE_PREFIX}report-region`).describe();
  expect(d.state).toMatchObject({ paused: true, note: 'paused during the holidays' }); // the operator's pause is kept
  const rome = (t: Date) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'short' }).format(t);
  const next = d.info.nextActionTimes.map(rome);
  // Whatever today is, no next run is on a 1 January, 1 May or 1 November, nor on a weekend.
  for (const t of d.info.nextActionTimes) {
    const day = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      weekday: 'short',
      day: 'numeric',
      month: 'numeric',
    }).format(t);
    expect(day).not.toMatch(/^(Sat|Sun)|\b1\/(1|5|11)$/);
  }
  if (Date.now() < Date.parse('2027-01-01T00:00:00+01:00')) expect(next).toContain('04/01/2027, 07:00');

  const admin = await session('anna@regione.test');
  const page = await (await admin.get('/app/console/schedules')).text();
  if (Date.now() < Date.parse('2027-01-01T00:00:00+01:00')) {
    expect(page).toContain('lunedì 4 gennaio 2027 ore 07:00');
    expect(page).toContain(
      'Venerdì 1 gennaio 2027: festività nazionale (Capodanno). Il rapporto mensile è spostato al primo giorno lavorativo, lunedì 4 gennaio 2027.',
    );
  }
  // Resume from the console: audited with the admin's id.
  const resumed = await admin.post(`/app/console/schedules/${SCHEDULE_PREFIX}report-region/unpause`, {});
  expect(resumed.status).toBe(303);
  expect((await temporal.schedule.getHandle(`${SCHEDULE_PREFIX}report-region`).describe()).state.paused).toBe(false);
  const audit = await db.auditLog.findFirst({ where: { action: 'schedule.unpause' } });
  expect(audit?.actorRole).toBe('admin');
});

test('an admin changes a role with the rules of creation, audited as a diff; never their own', async () => {
  const admin = await session('anna@regione.test');
  const giulia = (await db.user.findUnique({ where: { email: 'giulia@studio.test' } }))!;
  const anna = (await db.user.findUnique({ where: { email: 'anna@regione.test' } }))!;
  const page = `/app/console/users/${giulia.id}`;

  // A coordinator without a network: refused on the page, in Italian, and nothing changes.
  const refused = await admin.post(`${page}/role`, { role: 'coordinator', atsCode: '' });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain('un coordinatore ha una rete ATS');
  expect((await db.user.findUnique({ where: { id: giulia.id } }))!.role).toBe('consultant');

  // A consultant's network and alliance.
  const ok = await admin.post(`${page}/role`, { role: 'consultant', atsCode: 'ats-milano', allianceCode: 'alc-mi-1' });
  expect(ok.status).toBe(303);
  expect(await db.user.findUnique({ where: { id: giulia.id } })).toMatchObject({
    role: 'consultant',
    atsCode: 'ats-milano',
    allianceCode: 'alc-mi-1',
  });
  // Then a coordinator: the alliance goes; the audit page shows the changed fields by name.
  expect((await admin.post(`${page}/role`, { role: 'coordinator', atsCode: 'ats-milano' })).status).toBe(303);
  const audit = await (await admin.get(`/app/console/audit?action=user.role.change&entityId=${giulia.id}`)).text();
  expect(audit).toContain('Giulia Bianchi &lt;giulia@studio.test>');
  expect(audit).toContain('Anna Regione &lt;anna@regione.test>');
  expect(audit).toMatch(/<dt>role<\/dt><dd><del><span class="visually-hidden">Prima: <\/span>consultant<\/del> <ins>/);
  expect(audit).toMatch(/<dt>allianceCode<\/dt>/);

  // The API does the same, in English when asked; and never on oneself.
  const self = await fetch(`${base}/users/${anna.id}/role`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await tokenFor(anna.id)}`,
      'content-type': 'application/json',
      'accept-language': 'en',
    },
    body: JSON.stringify({ role: 'consultant' }),
  });
  expect(self.status).toBe(422);
  expect(((await self.json()) as { error: { code: string; message: string } }).error).toMatchObject({
    code: 'cannot_change_own_role',
    message: 'You cannot change your own role: ask another administrator.',
  });
  expect((await db.user.findUnique({ where: { id: anna.id } }))!.role).toBe('admin');
});

async function tokenFor(userId: string): Promise<string> {
  return (await createApiToken(db, userId, 'test', { id: 'test', role: 'system' })).token;
}

const waitMail = async (email: string, subjectPart: string) => {
  const find = () => catcher.messages().find((m) => m.to.includes(email) && m.subject.includes(subjectPart));
  await until(`email to ${email} (${subjectPart})`, () => Boolean(find()));
  return find()!;
};

test('the admin invites a consultant from the console; the emailed link sets the password and signs in', async () => {
  const admin = await session('anna@regione.test');
  const list = await admin.get('/app/console/users');
  expect(list.status).toBe(200);
  const html = await list.text();
  expect(html).toContain('action="/app/console/invitations"');
  expect(html).toContain('Invita un nuovo utente');

  const email = 'marco@studio.test';
  const sent = await admin.post('/app/console/invitations', {
    email,
    name: 'Marco Rota',
    role: 'consultant',
    atsCode: 'ats-brianza',
    allianceCode: '',
    companyVatNumber: '',
    locale: 'it',
  });
  expect(sent.status).toBe(303);
  expect(sent.headers.get('location')).toBe('/app/console/users?ok=invited');
  expect(await (await admin.get('/app/console/users?ok=invited')).text()).toContain('Invito inviato');
  const row = await db.accountInvitation.findFirstOrThrow({ where: { email, purpose: 'invite' } });
  expect(row).toMatchObject({ role: 'consultant', atsCode: 'ats-brianza', usedAt: null });
  expect(await db.auditLog.count({ where: { action: 'invitation.create', entityId: row.id } })).toBe(1);

  const mail = await waitMail(email, 'Il tuo accesso');
  expect(mail.text).toContain('Anna Regione');
  const link = linkIn(mail.text, '/invito/');
  const page = await fetch(`${base}${link}`);
  expect(page.status).toBe(200);
  const form = await page.text();
  expect(form).toContain('Scegli la password');
  const cookie = page.headers.get('set-cookie')?.split(';')[0];
  const csrf = hidden(form, 'csrf');
  const password = 'ponte-lago-nebbia-31';
  const set = await fetch(`${base}${link}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams({ ...(csrf ? { csrf } : {}), password, confirm: password }).toString(),
    redirect: 'manual',
  });
  expect(set.status).toBe(200);
  const signIn = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(signIn.status).toBe(200);
  expect((await signIn.json()).user).toMatchObject({ email, role: 'consultant', atsCode: 'ats-brianza' });

  // The same address again is refused on the list page with the values kept, and nothing is sent.
  const before = await db.accountInvitation.count();
  const mails = catcher.messages().length;
  const again = await admin.post('/app/console/invitations', { email, name: 'Marco Rota', role: 'consultant' });
  expect(again.status).toBe(409);
  const refused = await again.text();
  expect(refused).toContain('Esiste già un account');
  expect(refused).toContain(`value="${email}"`);
  expect(await db.accountInvitation.count()).toBe(before);
  // An sme user with an unknown VAT number is refused too.
  const noFirm = await admin.post('/app/console/invitations', {
    email: 'nuovo@impresa.test',
    name: 'Nuovo Referente',
    role: 'sme',
    companyVatNumber: '00000000000',
  });
  expect(noFirm.status).toBe(404);
  expect(await db.accountInvitation.count()).toBe(before);
  expect(catcher.messages().length).toBe(mails);
  // A consultant cannot invite from the console.
  const giulia = await session('giulia@studio.test');
  expect((await giulia.post('/app/console/invitations', { email: 'x@y.test', name: 'X', role: 'admin' })).status).toBe(
    404,
  );
});

test("the admin sends a password-reset link from a user's page; the link sets a new password", async () => {
  const admin = await session('anna@regione.test');
  const giulia = await db.user.findUniqueOrThrow({ where: { email: 'giulia@studio.test' } });
  const page = await (await admin.get(`/app/console/users/${giulia.id}`)).text();
  expect(page).toContain(`action="/app/console/users/${giulia.id}/password-reset"`);
  const sent = await admin.post(`/app/console/users/${giulia.id}/password-reset`, {});
  expect(sent.status).toBe(303);
  expect(sent.headers.get('location')).toBe(`/app/console/users/${giulia.id}?ok=reset_sent`);
  expect(await (await admin.get(`/app/console/users/${giulia.id}?ok=reset_sent`)).text()).toContain(
    'Link per la nuova password inviato',
  );
  const anna = await db.user.findUniqueOrThrow({ where: { email: 'anna@regione.test' } });
  expect(
    await db.auditLog.count({
      where: { action: 'user.password.reset-link', entityId: giulia.id, actorId: anna.id },
    }),
  ).toBe(1);
  const mail = await waitMail('giulia@studio.test', 'Nuova password');
  const link = linkIn(mail.text, '/password/reset/');
  expect((await fetch(`${base}${link}`)).status).toBe(200);
  // Without the form's CSRF token the change is refused and no link is made.
  const count = await db.accountInvitation.count({ where: { userId: giulia.id, purpose: 'reset' } });
  const noCsrf = await admin.post(`/app/console/users/${giulia.id}/password-reset`, { csrf: '' });
  expect(noCsrf.status).toBe(403);
  expect(await db.accountInvitation.count({ where: { userId: giulia.id, purpose: 'reset' } })).toBe(count);
});
