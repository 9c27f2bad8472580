/// <reference lib="dom" />
/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the dev
 * server, a worker, SQLite and the mail catcher. Signs in, completes a step with evidence and
 * sees the timeline change; switches to English; checks labels, keyboard use and a phone-sized
 * screen; changes a password. Screenshots are kept in test-artifacts/browser/.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../infra/db';
import { createUser } from '../../client/auth/users';
import { enrollRequest, startDevStack, stopDevStack } from '../support/fixtures';
import { ARTIFACTS, launchChromium } from '../support/browser';

const PASSWORD = 'vetro-pioggia-ramo-26';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let browser: Browser;
let enrollmentId: string;
let companyName: string;

beforeAll(async () => {
  const started = await startDevStack('browser-e2e', { showMail: true });
  stack = started;
  ({ db, base } = started);
  const { service, catcher } = started;
  const system = { id: 'test', role: 'system' };
  await createUser(
    db,
    { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi', password: PASSWORD },
    system,
  );
  await createUser(
    db,
    {
      role: 'coordinator',
      atsCode: 'ats-brianza',
      email: 'elena@ats-brianza.test',
      name: 'Elena Sala',
      password: PASSWORD,
    },
    system,
  );
  await createUser(db, { role: 'admin', email: 'anna@regione.test', name: 'Anna Regione', password: PASSWORD }, system);
  const req = enrollRequest();
  companyName = req.company.name;
  enrollmentId = (await service.enroll(req)).enrollment.id;
  await catcher.waitFor((m) => /benvenut/i.test(m.subject), 20_000);
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stopDevStack(stack);
});

async function signIn(page: Page, email: string, next = '/app') {
  await page.goto(`${base}${next}`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.waitForURL((u) => u.pathname === next);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

test('a consultant signs in, completes a step with evidence from the work list and sees the timeline change', async () => {
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill('giulia.bianchi@consulenti.test');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Accedi' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Email o password non corretti');

  await signIn(page, 'giulia.bianchi@consulenti.test');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Le mie attività');
  await expect(page.getByRole('link', { name: companyName }).count()).resolves.toBe(1);
  await shot(page, '01-work-list');

  await page.getByRole('link', { name: companyName }).click();
  await page.waitForURL((u) => u.pathname === `/app/enrollments/${enrollmentId}`);
  const timeline = page.locator('ol.timeline li');
  await expect(timeline.count()).resolves.toBe(1);
  await expect(timeline.first().textContent()).resolves.toContain('Iscrizione');
  await shot(page, '02-enrollment-before');

  await page.getByLabel('Evidenza (protocollo, documento)').fill('PROT-2026-0042');
  await page.getByRole('button', { name: 'Completa' }).click();
  await page.waitForURL((u) => u.searchParams.get('flash') === 'action_done');
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('Fatto');
  await expect(timeline.count()).resolves.toBe(2);
  const last = (await timeline.nth(1).textContent()) ?? '';
  expect(last).toContain('Attività completata');
  // People by name, not by address.
  expect(last).toContain('Giulia Bianchi');
  expect(last).toContain('PROT-2026-0042');
  await shot(page, '03-enrollment-after');

  const row = await db.milestone.findFirst({ where: { enrollmentId, type: 'step_completed' } });
  expect(row).toMatchObject({ stepKey: 'intake', evidence: 'PROT-2026-0042', actor: 'giulia.bianchi@consulenti.test' });
  const audit = await db.auditLog.findFirst({ where: { entityId: enrollmentId, action: 'step.complete' } });
  expect(audit?.actorRole).toBe('consultant');

  // English switch, kept across pages.
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Timeline' }).count()).resolves.toBe(1);
  await page.goto(`${base}/app`);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('My work');
  await shot(page, '04-work-list-en');
  await context.close();
}, 60_000);

test('accessible markup: every field labelled, skip link first, usable on a phone', async () => {
  const context = await browser.newContext({
    locale: 'it-IT',
    viewport: { width: 375, height: 720 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await signIn(page, 'giulia.bianchi@consulenti.test');
  const unlabelled = await page.evaluate(
    () =>
      Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter((el) => {
        const id = el.getAttribute('id');
        return !el.getAttribute('aria-label') && !(id && document.querySelector(`label[for="${id}"]`));
      }).length,
  );
  expect(unlabelled).toBe(0);
  await page.keyboard.press('Tab');
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Vai al contenuto');
  // No sideways scrolling on a 375-pixel screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await shot(page, '05-phone');
  await context.close();
}, 60_000);

test('a coordinator sees the network overview with its chart, not the mail catcher; an admin reads the mail', async () => {
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await signIn(page, 'elena@ats-brianza.test', '/app/network');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('ATS della Brianza');
  await expect(page.locator('svg[role=img]').count()).resolves.toBe(1);
  await expect(page.locator('table tfoot').textContent()).resolves.toContain('Totale');
  await shot(page, '06-network');
  await expect(page.getByRole('link', { name: 'Posta (catcher)' }).count()).resolves.toBe(0);
  expect((await page.goto(`${base}/mail`))?.status()).toBe(404);
  await context.close();

  const admin = await browser.newContext({ locale: 'it-IT' });
  const adminPage = await admin.newPage();
  await signIn(adminPage, 'anna@regione.test');
  await adminPage.getByRole('link', { name: 'Posta (catcher)' }).click();
  await expect(adminPage.content()).resolves.toContain('Benvenut');
  await shot(adminPage, '07-mail');
  await admin.close();
}, 60_000);

test('under the Content-Security-Policy every page renders with its styles and reports no violation', async () => {
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  const visit = async (url: string) => {
    const res = await page.goto(`${base}${url}`);
    expect([url, res?.status()]).toEqual([url, 200]);
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    // The <style> element was applied (allowed by its hash): the header band is the Region's green.
    const band = await page.evaluate(() => getComputedStyle(document.querySelector('header')!).backgroundColor);
    expect([url, band]).toEqual([url, 'rgb(0, 132, 61)']);
  };
  await visit('/login');
  await visit('/docs');
  await expect(page.locator('section[id]').count()).resolves.toBeGreaterThan(10);
  await shot(page, '08-docs');
  await signIn(page, 'anna@regione.test');
  for (const url of ['/app', `/app/enrollments/${enrollmentId}`, '/app/network', '/mail']) await visit(url);
  const messageId = stack.catcher!.messages()[0]!.id;
  const res = await page.goto(`${base}/mail/${messageId}`);
  expect(res?.status()).toBe(200);
  await expect(page.locator('iframe').count()).resolves.toBe(1);
  // Let late reports (frames, fonts) arrive.
  await page.waitForTimeout(300);
  expect(violations).toEqual([]);
  await context.close();
}, 60_000);

test('a user changes their password from the dashboard; their other sessions end', async () => {
  const other = await browser.newContext({ locale: 'it-IT' });
  const otherPage = await other.newPage();
  await signIn(otherPage, 'elena@ats-brianza.test');
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await signIn(page, 'elena@ats-brianza.test');
  await page.getByRole('link', { name: 'Password', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/app/password');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Cambia password');

  await page.getByLabel('Password attuale').fill('sbagliata');
  await page.getByLabel('Nuova password', { exact: true }).fill('tegola-lume-prato-53');
  await page.getByLabel('Ripeti la nuova password').fill('tegola-lume-prato-53');
  await page.getByRole('button', { name: 'Cambia password' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('La password attuale non è corretta');

  await page.getByLabel('Password attuale').fill(PASSWORD);
  await page.getByLabel('Nuova password', { exact: true }).fill('tegola-lume-prato-53');
  await page.getByLabel('Ripeti la nuova password').fill('tegola-lume-prato-53');
  await page.getByRole('button', { name: 'Cambia password' }).click();
  await expect(page.getByRole('status').textContent()).resolves.toMatch(
    /^Password cambiata\. Chiuse \d+ altre sessioni/,
  ); // this test's other one, and the earlier test's
  await shot(page, '07-password-changed');
  // This session goes on; the other one is sent back to the sign-in page.
  await page.goto(`${base}/app`);
  expect(new URL(page.url()).pathname).toBe('/app');
  await otherPage.goto(`${base}/app`);
  expect(new URL(otherPage.url()).pathname).toBe('/login');
  await other.close();
  await context.close();
});
