/**
 * Participants acting through their personal links, on real servers (Temporal dev server, worker,
 * SQLite, the SMTP catcher): the link in a caught email opens the person's page with no session;
 * the survey, attendance and acknowledgement forms record once; the consultant reads the results;
 * an HR contact added later gets the next reminder and a removed one does not; revoked, removed and
 * expired links get their pages; the data page and consent; anonymisation after the edition.
 */
import type { Db } from '../../infra/db';
import { createMailActivities } from '../../activities/outbox';
import { congedoFlessibilita } from '../../domain/catalogue';
import { Pathway } from '../../domain/pathway';
import { anonymiseEndedEditions, ANONYMISED_NAME } from '../../client/anonymise';
import { samplePdf } from '../support/sample-documents';
import {
  enrollRequest,
  startDevStack,
  stopDevStack,
  testMailActivities,
  transportFor,
  until,
  userWithToken,
} from '../support/fixtures';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let mail: ReturnType<typeof createMailActivities>;
let closeTransport: () => void = () => undefined;
const tokens: Record<string, string> = {};
let enrollmentId = '';
const req = enrollRequest({
  participants: [
    { name: 'Marco Rossi', email: 'marco@tessitura-p.test', role: 'owner', locale: 'it' },
    { name: 'Anna Verdi', email: 'anna@tessitura-p.test', role: 'hr', locale: 'en' },
    { name: 'Luca Neri', email: 'luca@tessitura-p.test', role: 'employee', locale: 'it' },
    { name: 'Sara Blu', email: 'sara@tessitura-p.test', role: 'employee', locale: 'it' },
    { name: 'Ugo Gialli', email: 'ugo@tessitura-p.test', role: 'employee', locale: 'it' },
  ],
});

async function api(who: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** The step's report as a document: a step whose evidence is a document is completed only with one. */
async function uploadReport(who: string, stepKey: string) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(samplePdf('Rapporto'))], { type: 'application/pdf' }), 'rapporto.pdf');
  const res = await fetch(`${base}/enrollments/${enrollmentId}/steps/${stepKey}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[who]}` },
    body: form,
  });
  expect(res.status).toBe(201);
}

/** A fresh client with no cookie: what a person clicking the link in an email is. */
async function open(url: string, init: RequestInit = {}) {
  const res = await fetch(url.replace('http://conciliaflow.test', base), { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

async function postForm(url: string, fields: Record<string, string>) {
  return open(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

const csrfIn = (html: string, action: string) => {
  const form = html.split('<form').find((f) => f.includes(`action="${action}"`));
  const m = form && /name="csrf" value="([^"]+)"/.exec(form);
  if (!m) throw new Error(`no form posting to ${action}`);
  return m[1]!;
};

/** The personal link in the last email of `key` to `email`, from the text part (one line). */
function linkIn(key: string, email: string): string {
  const m = stack
    .catcher!.messages()
    .filter((x) => x.headers['x-conciliaflow-key'] === `${key}:${email}`)
    .at(-1);
  if (!m) throw new Error(`no email ${key} to ${email}`);
  const link = /http:\/\/conciliaflow\.test\/p\/[A-Za-z0-9._-]+/.exec(m.text ?? '')?.[0];
  if (!link) throw new Error(`no personal link in ${key} to ${email}`);
  return link;
}

const tokenOf = (link: string) => link.split('/p/')[1]!;

beforeAll(async () => {
  stack = await startDevStack('participants-e2e');
  ({ db, base } = stack as Required<typeof stack>);
  const transport = transportFor(stack.catcher!);
  closeTransport = () => transport.close();
  mail = testMailActivities(db, transport);
  tokens.admin = (await userWithToken(db, { role: 'admin', email: 'regione@regione.test', name: 'Regione' })).token;
  tokens.giulia = (
    await userWithToken(db, { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' })
  ).token;
  tokens.paolo = (await userWithToken(db, { role: 'consultant', email: 'paolo@consulenti.test', name: 'Paolo' })).token;
  const res = await api('admin', 'POST', '/enrollments', req);
  expect(res.status).toBe(201);
  enrollmentId = res.json.id;
  await until(
    'the welcome emails',
    () =>
      stack.catcher!.messages().filter((m) => m.headers['x-conciliaflow-key']?.startsWith(`${enrollmentId}:welcome:`))
        .length >= 5,
  );
}, 120_000);

afterAll(async () => {
  closeTransport();
  await stopDevStack(stack);
});

const welcomeKeyOf = (_email: string) => `${enrollmentId}:welcome`;

test('the welcome email carries a personal link on one line that opens the page with no session', async () => {
  const key = welcomeKeyOf('luca@tessitura-p.test')!;
  const message = stack
    .catcher!.messages()
    .find((m) => m.headers['x-conciliaflow-key'] === `${key}:luca@tessitura-p.test`)!;
  expect(message.text).not.toMatch(/caricare i documenti/);
  // Every URL of the text part is whole on its line (none broken after `?` or elsewhere).
  for (const line of (message.text ?? '').split('\n')) {
    const url = /https?:\/\/\S+/.exec(line)?.[0];
    if (url)
      expect(url).toMatch(
        /^http:\/\/conciliaflow\.test\/(p\/[A-Za-z0-9._-]+|preferences\/opt-out\?token=[A-Za-z0-9._%-]+)$/,
      );
  }
  const link = linkIn(key, 'luca@tessitura-p.test');
  const page = await open(link);
  expect(page.status).toBe(200);
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('x-robots-tag')).toContain('noindex');
  expect(page.html).toContain('noindex');
  expect(page.html).toContain('Il percorso in breve');
  expect(page.html).toContain('Giulia Bianchi');
  expect(page.html).toContain('giulia.bianchi@consulenti.test');
  // Every link of every participant's welcome answers 200 to a client without cookies.
  for (const p of req.participants) {
    const res = await open(linkIn(key, p.email));
    expect({ who: p.email, status: res.status }).toEqual({ who: p.email, status: 200 });
  }
  // The opt-out link of the text part works too.
  const optOut = /http:\/\/conciliaflow\.test\/preferences\/opt-out\?token=\S+/.exec(message.text ?? '')![0];
  expect((await open(optOut)).status).toBe(200);
});

test('employees answer the survey once each; the consultant sees counts from three answers', async () => {
  expect((await api('giulia', 'POST', `/enrollments/${enrollmentId}/steps/intake/complete`, {})).status).toBe(200);
  const key = welcomeKeyOf('luca@tessitura-p.test')!;
  const hidden = await api('giulia', 'GET', `/enrollments/${enrollmentId}/steps/needs-analysis/survey`);
  expect(hidden.status).toBe(200);
  expect(hidden.json).toMatchObject({ responses: 0, questions: null });
  const answers = {
    q_difficulty: 'high',
    q_measure: 'remote',
    q_commute: '30-60',
    q_informed: 'no',
    q_care__children: 'on',
  };
  for (const email of ['luca@tessitura-p.test', 'sara@tessitura-p.test']) {
    const link = linkIn(key, email);
    const page = await open(link);
    expect(page.html).toContain('Questionario sui bisogni di conciliazione');
    const csrf = csrfIn(page.html, `/p/${tokenOf(link)}/survey`);
    const sent = await postForm(`${link}/survey`, { csrf, ...answers });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/p/${tokenOf(link)}?flash=survey`);
    // The same form again records nothing more.
    await postForm(`${link}/survey`, { csrf, ...answers });
    expect((await open(link)).html).toContain('Hai già risposto');
  }
  // An incomplete answer records nothing; a forged CSRF value neither.
  const ugo = linkIn(key, 'ugo@tessitura-p.test');
  const ugoPage = await open(ugo);
  const ugoCsrf = csrfIn(ugoPage.html, `/p/${tokenOf(ugo)}/survey`);
  expect((await postForm(`${ugo}/survey`, { csrf: ugoCsrf, q_difficulty: 'low' })).headers.get('location')).toContain(
    'flash=survey-incomplete',
  );
  expect((await postForm(`${ugo}/survey`, { csrf: 'forged', ...answers })).headers.get('location')).toContain(
    'flash=form-expired',
  );
  expect(await db.surveyResponse.count({ where: { enrollmentId } })).toBe(2);
  expect(
    (await api('giulia', 'GET', `/enrollments/${enrollmentId}/steps/needs-analysis/survey`)).json.questions,
  ).toBeNull();
  await postForm(`${ugo}/survey`, { csrf: ugoCsrf, ...answers, q_difficulty: 'low' });
  const shown = await api('giulia', 'GET', `/enrollments/${enrollmentId}/steps/needs-analysis/survey`);
  expect(shown.json.responses).toBe(3);
  const difficulty = shown.json.questions.find((q: { id: string }) => q.id === 'difficulty');
  expect(Object.fromEntries(difficulty.options.map((o: { id: string; count: number }) => [o.id, o.count]))).toEqual({
    low: 1,
    medium: 0,
    high: 2,
  });
  // Stored with the day only, never with who answered.
  const row = await db.surveyResponse.findFirstOrThrow({ where: { enrollmentId } });
  expect(row.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(JSON.stringify(row)).not.toMatch(/luca|sara|ugo/);
  // Other consultants and SME accounts cannot read it.
  expect((await api('paolo', 'GET', `/enrollments/${enrollmentId}/steps/needs-analysis/survey`)).status).toBe(404);
  // The staff results page, signed out, leads to sign-in.
});

test('an employee confirms a training session once; the consultant sees it through the API', async () => {
  await uploadReport('giulia', 'needs-analysis');
  expect(
    (
      await api('giulia', 'POST', `/enrollments/${enrollmentId}/steps/needs-analysis/complete`, {
        evidence: 'rapporto-1',
      })
    ).status,
  ).toBe(200);
  const session = await db.trainingSession.create({
    data: {
      enrollmentId,
      stepKey: 'training',
      startsAt: new Date(Date.now() + 7 * 86400_000),
      minutes: 120,
      place: 'Sala riunioni',
      createdById: 'test',
    },
  });
  const key = welcomeKeyOf('luca@tessitura-p.test')!;
  const link = linkIn(key, 'luca@tessitura-p.test');
  const page = await open(link);
  expect(page.html).toContain('Conferma la presenza');
  const csrf = csrfIn(page.html, `/p/${tokenOf(link)}/attendance`);
  expect((await postForm(`${link}/attendance`, { csrf, sessionId: session.id })).status).toBe(303);
  const first = await db.attendance.findFirstOrThrow({ where: { sessionId: session.id } });
  await postForm(`${link}/attendance`, { csrf, sessionId: session.id });
  const again = await db.attendance.findMany({ where: { sessionId: session.id } });
  expect(again).toHaveLength(1);
  expect(again[0]!.participantConfirmedAt).toEqual(first.participantConfirmedAt);
  expect((await open(link)).html).toContain('presenza confermata');
  const list = await api('giulia', 'GET', `/enrollments/${enrollmentId}/participants`);
  const luca = list.json.items.find((p: { email: string }) => p.email === 'luca@tessitura-p.test');
  expect(luca.attendance).toEqual([
    expect.objectContaining({ sessionId: session.id, participantConfirmedAt: expect.any(String) }),
  ]);
});

test('an HR contact added later gets the next reminder, one removed does not; a consultant-only step reminds the consultant', async () => {
  const anna = (await db.participant.findFirstOrThrow({ where: { email: 'anna@tessitura-p.test' } })).id;
  const annaLink = linkIn(welcomeKeyOf('anna@tessitura-p.test')!, 'anna@tessitura-p.test');
  expect((await api('giulia', 'DELETE', `/enrollments/${enrollmentId}/participants/${anna}`)).status).toBe(200);
  const added = await api('giulia', 'POST', `/enrollments/${enrollmentId}/participants`, {
    name: 'Paola Nuova',
    email: 'paola@tessitura-p.test',
    role: 'hr',
    locale: 'it',
  });
  expect(added.status).toBe(201);
  expect(
    (
      await api('giulia', 'POST', `/enrollments/${enrollmentId}/participants`, {
        name: 'X',
        email: 'paola@tessitura-p.test',
        role: 'hr',
      })
    ).status,
  ).toBe(409);
  expect(
    (
      await api('paolo', 'POST', `/enrollments/${enrollmentId}/participants`, {
        name: 'X',
        email: 'x@t.test',
        role: 'hr',
      })
    ).status,
  ).toBe(404);
  // The next reminder of the training step, as the pathway builds it (by role) and the outbox resolves it.
  const terms = {
    enrollmentId,
    definition: congedoFlessibilita,
    programme: { code: 'demo-2026-2027', endsOn: '2027-12-15' },
    company: { name: req.company.name, city: 'monza' },
    consultant: { name: 'Giulia Bianchi', email: 'giulia.bianchi@consulenti.test' },
    participants: req.participants.map((p) => ({ name: p.name, email: p.email, locale: p.locale })),
  };
  const pathway = new Pathway(terms, 'agenda');
  pathway.recipientsByRole = true;
  pathway.enroll(Date.now());
  const training = { ...pathway.state.steps.find((s) => s.key === 'training')!, dueAt: Date.now() + 5 * 86400_000 };
  const reminder = pathway.stepNotice(
    training,
    { type: 'reminder-before', offset: 1, at: Date.now() } as never,
    `rem-training:${enrollmentId}`,
  );
  await mail.notify(reminder.notice as never);
  const to = (email: string) =>
    stack
      .catcher!.messages()
      .filter((m) => m.headers['x-conciliaflow-key'] === `rem-training:${enrollmentId}:${email}`);
  expect(to('paola@tessitura-p.test')).toHaveLength(1);
  expect(to('anna@tessitura-p.test')).toHaveLength(0);
  expect(to('luca@tessitura-p.test')).toHaveLength(1);
  expect(to('giulia.bianchi@consulenti.test')).toHaveLength(0);
  const paolaLink = linkIn(`rem-training:${enrollmentId}`, 'paola@tessitura-p.test');
  expect((await open(paolaLink)).status).toBe(200);
  expect(to('paola@tessitura-p.test')[0]!.text).toContain('pagina personale');
  // The removed contact's link says so.
  const removed = await open(annaLink);
  expect(removed.status).toBe(403);
  expect(removed.html).toContain('Non partecipi più');
  // The intake involves only management; a consultant-only step (plan drafting) reminds the consultant alone.
  const drafting = { ...pathway.state.steps.find((s) => s.key === 'plan-drafted')!, dueAt: Date.now() + 5 * 86400_000 };
  const staffOnly = pathway.stepNotice(
    drafting,
    { type: 'reminder-before', offset: 1, at: Date.now() } as never,
    `rem-draft:${enrollmentId}`,
  );
  await mail.notify(staffOnly.notice as never);
  const drafted = stack
    .catcher!.messages()
    .filter((m) => m.headers['x-conciliaflow-key']?.startsWith(`rem-draft:${enrollmentId}:`));
  expect(drafted.map((m) => m.headers['x-conciliaflow-key'])).toEqual([
    `rem-draft:${enrollmentId}:giulia.bianchi@consulenti.test`,
  ]);
  const consultantText = drafted[0]!.text ?? '';
  expect(consultantText).toContain("Completa l'attività dalla pagina del percorso");
  expect(consultantText).not.toContain('contattare Giulia Bianchi');
  expect(consultantText).not.toContain('preferences/opt-out');
  expect(consultantText).toContain('come consulente');
  // The consultant's link leads to sign-in with the way back to the pathway.
  const staffLink = /http:\/\/conciliaflow\.test\/enrollments\/\S+/.exec(consultantText)![0];
  const first = await open(staffLink, { headers: { accept: 'text/html' } });
  expect(first.status).toBe(302);
  const next = await open(`${base}${first.headers.get('location')}`, { headers: { accept: 'text/html' } });
  expect([200, 302, 303]).toContain(next.status);
});

test('a revoked link and an expired one get their pages', async () => {
  const key = welcomeKeyOf('sara@tessitura-p.test')!;
  const link = linkIn(key, 'sara@tessitura-p.test');
  const sara = (await db.participant.findFirstOrThrow({ where: { email: 'sara@tessitura-p.test' } })).id;
  expect((await api('giulia', 'POST', `/enrollments/${enrollmentId}/participants/${sara}/revoke-link`)).status).toBe(
    200,
  );
  const revoked = await open(link);
  expect(revoked.status).toBe(403);
  expect(revoked.html).toContain('revocato');
  expect((await open(`${base}/p/not-a-token`)).status).toBe(403);
  // Expired: the enrollment closed more than 30 days ago (set on its row, as the projection would).
  const luca = linkIn(key, 'luca@tessitura-p.test');
  const row = await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
  await db.enrollment.update({
    where: { id: enrollmentId },
    data: { status: 'withdrawn', completedAt: new Date(Date.now() - 31 * 86400_000) },
  });
  const expired = await open(luca);
  expect(expired.status).toBe(410);
  expect(expired.html).toContain('scaduto');
  await db.enrollment.update({
    where: { id: enrollmentId },
    data: { status: row.status, completedAt: row.completedAt },
  });
});

test('the data page shows what is held, and consent to optional data is given and withdrawn there', async () => {
  const link = linkIn(welcomeKeyOf('ugo@tessitura-p.test')!, 'ugo@tessitura-p.test');
  const page = await open(`${link}/dati`);
  expect(page.status).toBe(200);
  expect(page.html).toContain('ugo@tessitura-p.test');
  expect(page.html).toContain('art. 13');
  const csrf = csrfIn(page.html, `/p/${tokenOf(link)}/dati`);
  expect((await postForm(`${link}/dati`, { csrf, gender: 'male', action: 'give' })).headers.get('location')).toContain(
    'consent-missing',
  );
  expect((await db.participant.findFirstOrThrow({ where: { email: 'ugo@tessitura-p.test' } })).gender).toBeNull();
  await postForm(`${link}/dati`, { csrf, gender: 'male', care__children: 'on', consent: 'on', action: 'give' });
  const given = await db.participant.findFirstOrThrow({ where: { email: 'ugo@tessitura-p.test' } });
  expect(given).toMatchObject({ gender: 'male', careResponsibilities: '["children"]' });
  expect(given.optionalDataConsentAt).not.toBeNull();
  expect(await db.privacyAcknowledgement.count({ where: { form: 'participant_data', subject: given.id } })).toBe(1);
  await postForm(`${link}/dati`, { csrf, action: 'withdraw' });
  expect(await db.participant.findFirstOrThrow({ where: { email: 'ugo@tessitura-p.test' } })).toMatchObject({
    gender: null,
    careResponsibilities: null,
    optionalDataConsentAt: null,
  });
});

test('ANONYMISE_AFTER_DAYS after the edition ends, names, addresses and optional data give way to placeholders; counts stay', async () => {
  const link = linkIn(welcomeKeyOf('luca@tessitura-p.test')!, 'luca@tessitura-p.test');
  const company = (await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } })).companyId;
  const before = await db.participant.count({ where: { companyId: company } });
  // Not yet: the demo edition ends on 2027-12-15.
  expect((await anonymiseEndedEditions(db, { afterDays: 365, asOf: Date.UTC(2028, 11, 1) })).participants).toBe(0);
  const done = await anonymiseEndedEditions(db, { afterDays: 365, asOf: Date.UTC(2028, 11, 20) });
  expect(done.participants).toBeGreaterThanOrEqual(before);
  const people = await db.participant.findMany({ where: { companyId: company } });
  expect(people).toHaveLength(before);
  for (const p of people) {
    expect(p.name).toBe(ANONYMISED_NAME);
    expect(p.email).toMatch(/@anonimizzato\.invalid$/);
    expect(p.anonymisedAt).not.toBeNull();
  }
  expect(await db.outboxMessage.count({ where: { enrollmentId, toAddress: { contains: 'tessitura-p.test' } } })).toBe(
    0,
  );
  expect(await db.surveyResponse.count({ where: { enrollmentId } })).toBe(3);
  expect(await db.attendance.count({ where: { participant: { companyId: company } } })).toBe(1);
  expect((await open(link)).status).toBe(403);
  // Run again: nothing left to do.
  expect((await anonymiseEndedEditions(db, { afterDays: 365, asOf: Date.UTC(2028, 11, 20) })).participants).toBe(0);
});
