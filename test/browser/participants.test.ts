/// <reference lib="dom" />
/**
 * A participant in a real browser (Debian's Chromium through playwright-core) against the dev
 * server, a worker, SQLite and the mail catcher: an employee opens the link of a reminder caught by
 * the SMTP server, answers the survey, later confirms a training session; the consultant signs in
 * and sees both. Every participant page, the staff pages and a revoked link's page pass axe-core
 * (WCAG 2.1 AA) at 1280 and 375 px, with no sideways scrolling on the phone.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../infra/db';
import { createApiToken, createUser } from '../../client/auth/users';
import { congedoFlessibilita } from '../../domain/catalogue';
import { Pathway } from '../../domain/pathway';
import { samplePdf } from '../support/sample-documents';
import { enrollRequest, startDevStack, stopDevStack, testMailActivities, transportFor } from '../support/fixtures';
import { ARTIFACTS, axeViolations, launchChromium } from '../support/browser';

const PASSWORD = 'vetro-pioggia-ramo-26';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let browser: Browser;
let enrollmentId: string;
let apiToken: string;
let closeTransport = () => undefined as void;
const req = enrollRequest({
  participants: [
    { name: 'Marco Rossi', email: 'marco@tessitura-b.test', role: 'owner', locale: 'it' },
    { name: 'Luca Neri', email: 'luca@tessitura-b.test', role: 'employee', locale: 'it' },
  ],
});

beforeAll(async () => {
  stack = await startDevStack('participants-browser');
  ({ db, base } = stack as Required<typeof stack>);
  const system = { id: 'test', role: 'system' };
  const giulia = await createUser(
    db,
    { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi', password: PASSWORD },
    system,
  );
  apiToken = (await createApiToken(db, giulia.id, 'tests', system)).token;
  enrollmentId = (await stack.service!.enroll(req)).enrollment.id;
  await stack.catcher!.waitFor(
    (m) => m.headers['x-conciliaflow-key'] === `${enrollmentId}:welcome:luca@tessitura-b.test`,
    30_000,
  );
  await call('POST', `/enrollments/${enrollmentId}/steps/intake/complete`, {});
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  closeTransport();
  await browser?.close();
  await stopDevStack(stack);
});

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${apiToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return res.json();
}

/** axe-core (WCAG 2.1 A and AA) at desktop and phone widths; on the phone, nothing scrolls sideways. */
async function accessible(page: Page, name: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    const violations = await axeViolations(page);
    expect({ page: name, width, violations }).toEqual({ page: name, width, violations: [] });
    if (width === 375) {
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect({ page: name, scroll: scroll! <= inner! }).toEqual({ page: name, scroll: true });
    }
    await page.screenshot({ path: path.join(ARTIFACTS, `participant-${name}-${width}.png`), fullPage: true });
  }
}

test('an employee opens the reminder link, answers the survey and confirms attendance; the consultant sees both', async () => {
  // The needs-analysis reminder, as the pathway builds it (by role) and the outbox sends it.
  const transport = transportFor(stack.catcher!);
  closeTransport = () => transport.close();
  const mail = testMailActivities(db, transport);
  const pathway = new Pathway(
    {
      enrollmentId,
      definition: congedoFlessibilita,
      programme: { code: 'demo-2026-2027', endsOn: '2027-12-15' },
      company: { name: req.company.name, city: 'monza' },
      consultant: { name: 'Giulia Bianchi', email: 'giulia.bianchi@consulenti.test' },
      participants: [],
    },
    'agenda',
  );
  pathway.recipientsByRole = true;
  pathway.enroll(Date.now());
  const step = { ...pathway.state.steps.find((s) => s.key === 'needs-analysis')!, dueAt: Date.now() + 5 * 86400_000 };
  await mail.notify(
    pathway.stepNotice(step, { type: 'reminder-before', offset: 1, at: 0 } as never, `browser-rem:${enrollmentId}`)
      .notice as never,
  );
  const email = await stack.catcher!.waitFor(
    (m) => m.headers['x-conciliaflow-key'] === `browser-rem:${enrollmentId}:luca@tessitura-b.test`,
    20_000,
  );
  const link = /http:\/\/conciliaflow\.test\/p\/\S+/.exec(email.text)![0].replace('http://conciliaflow.test', base);

  const context = await browser.newContext({ locale: 'it-IT', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(congedoFlessibilita.name.it);
  await accessible(page, 'survey');
  await page.getByLabel('Molto').check();
  await page.getByLabel('Lavoro agile').check();
  await page.getByLabel('Da 30 a 60 minuti').check();
  await page.getByLabel('In parte').check();
  await page.getByLabel('Figli minori').check();
  await page.getByRole('button', { name: 'Invia le risposte' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('Risposte registrate');
  expect(await db.surveyResponse.count({ where: { enrollmentId } })).toBe(1);

  // The step moves on to the training; the consultant has planned a session.
  // Its evidence is a report: a document first.
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(samplePdf('Rapporto'))], { type: 'application/pdf' }), 'rapporto.pdf');
  const uploaded = await fetch(`${base}/enrollments/${enrollmentId}/steps/needs-analysis/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiToken}` },
    body: form,
  });
  expect(uploaded.status).toBe(201);
  await call('POST', `/enrollments/${enrollmentId}/steps/needs-analysis/complete`, { evidence: 'rapporto-1' });
  const session = await db.trainingSession.create({
    data: {
      enrollmentId,
      stepKey: 'training',
      startsAt: new Date(Date.now() + 86400_000),
      minutes: 90,
      createdById: 'test',
    },
  });
  await page.goto(link);
  await accessible(page, 'attendance');
  await page.getByRole('button', { name: 'Conferma la presenza' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('Presenza confermata');
  const attendance = await db.attendance.findFirstOrThrow({ where: { sessionId: session.id } });
  expect(attendance.participantConfirmedAt).not.toBeNull();

  await page.getByRole('link', { name: /I tuoi dati/ }).click();
  await accessible(page, 'data');
  await page.getByLabel('Figli minori').check();
  await page.getByLabel(/Acconsento/).check();
  await page.getByRole('button', { name: 'Salva con il mio consenso' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('Consenso e dati registrati');

  // The consultant signs in and sees the answer count and the attendance.
  const staff = await (await browser.newContext({ locale: 'it-IT', bypassCSP: true })).newPage();
  await staff.goto(`${base}/app/enrollments/${enrollmentId}/survey/needs-analysis`);
  expect(new URL(staff.url()).pathname).toBe('/login');
  await staff.getByLabel('Email').fill('giulia.bianchi@consulenti.test');
  await staff.getByLabel('Password').fill(PASSWORD);
  await staff.getByRole('button', { name: 'Accedi' }).click();
  await staff.waitForURL((u) => u.pathname === `/app/enrollments/${enrollmentId}/survey/needs-analysis`);
  const text = (await staff.locator('main').textContent()) ?? '';
  expect(text).toContain('Risposte: 1 su 2');
  expect(text).toContain('Presenze confermate agli incontri: 1');
  expect(text).toContain('da 3 risposte in su');
  await accessible(staff, 'survey-results');
  await staff.goto(`${base}/app/enrollments/${enrollmentId}/participants`);
  await accessible(staff, 'staff-participants');

  // Revoked from the staff page: the employee's link now says so.
  await staff.getByRole('button', { name: 'Revoca il link di Luca Neri' }).click();
  await expect(staff.getByRole('status').first().textContent()).resolves.toContain('Link revocato');
  const res = await page.goto(link);
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('alert').textContent()).resolves.toContain('revocato');
  await accessible(page, 'revoked');
});
