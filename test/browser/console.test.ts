/// <reference lib="dom" />
/**
 * The Region's console in a real browser (Debian's Chromium through playwright-core) on the dev
 * stack: the admin deactivates a user whose open session then ends; the funding import preview
 * refuses a bad file and imports a good one; the audit log filters by action, actor and date with
 * names and diffs; schedules pause and resume; the mail catcher in English downloads an
 * attachment. Every console page passes axe-core (WCAG 2.1 AA) at 1280 and 375 px without
 * scrolling sideways. Screenshots in test-artifacts/browser/.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { h } from 'preact';
import { render } from 'preact-render-to-string';
import type { Db } from '../../infra/db';
import { createApiToken, createUser } from '../../client/auth/users';
import { ensureSchedules, SCHEDULE_PREFIX } from '../../client/schedules';
import { startDevStack, stopDevStack, transportFor } from '../support/fixtures';
import { ARTIFACTS, axeViolations, launchChromium } from '../support/browser';

const PASSWORD = 'vetro-pioggia-ramo-26';
const taskQueue = 'console-browser';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let browser: Browser;
let giuliaId: string;

beforeAll(async () => {
  const started = await startDevStack(taskQueue, { showMail: true });
  stack = started;
  ({ db, base } = started);
  const system = { id: 'test', role: 'system' };
  await createUser(db, { role: 'admin', email: 'anna@regione.test', name: 'Anna Regione', password: PASSWORD }, system);
  const giulia = await createUser(
    db,
    { role: 'consultant', email: 'giulia@studio.test', name: 'Giulia Bianchi', password: PASSWORD },
    system,
  );
  giuliaId = giulia.id;
  await createApiToken(db, giulia.id, 'script di Giulia', system);
  for (let i = 1; i <= 30; i++)
    await createUser(
      db,
      { role: 'coordinator', atsCode: 'ats-milano', email: `coord${i}@ats.test`, name: `Coordinatore ${i}` },
      system,
    );
  await ensureSchedules(started.temporal, taskQueue);
  // A message with a calendar attachment and a link, as the service sends them.
  const transport = transportFor(started.catcher);
  await transport.sendMail({
    from: 'noreply@conciliaflow.test',
    to: 'giulia@studio.test',
    subject: 'Invito: incontro di avvio',
    text: `Apri il percorso: ${base}/app\n`,
    html: render(h('p', null, h('a', { href: `${base}/app` }, 'Apri il percorso'))),
    attachments: [
      { filename: 'incontro.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' },
    ],
  });
  transport.close();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopDevStack(stack);
});

async function signedIn(email: string, opts: Parameters<Browser['newContext']>[0] = {}) {
  const context = await browser.newContext({ locale: 'it-IT', acceptDownloads: true, ...opts });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.waitForURL((u) => u.pathname === '/app');
  return { context, page };
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`), fullPage: true });

test('the admin deactivates a user whose open session then ends', async () => {
  const giulia = await signedIn('giulia@studio.test');
  const admin = await signedIn('anna@regione.test');
  const page = admin.page;
  await page.getByRole('link', { name: 'Console' }).click();
  await page.getByRole('link', { name: 'Utenti' }).first().click();
  await page.getByLabel('Cerca (nome o email)').fill('giulia');
  await page.getByRole('button', { name: 'Filtra' }).click();
  await expect(page.getByRole('status').textContent()).resolves.toBe('1 risultato');
  await page.getByRole('link', { name: 'Giulia Bianchi' }).click();
  await page.waitForURL((u) => u.pathname === `/app/console/users/${giuliaId}`);
  await expect(page.getByRole('cell', { name: 'attivo' }).count()).resolves.toBe(1);
  await shot(page, 'user-before');
  await page.getByRole('button', { name: 'Disattiva' }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'deactivated');
  await expect(page.getByRole('status').first().textContent()).resolves.toContain('Utente disattivato');
  await expect(page.getByRole('cell', { name: 'revocato' }).count()).resolves.toBe(1);
  // The history shows the change as a diff with the admin's name.
  const history = page.locator('table.audit tbody tr').first();
  await expect(history.textContent()).resolves.toContain('Anna Regione');
  await expect(history.locator('dl.diff dt').allTextContents()).resolves.toContain('disabled');

  // Giulia's open page: her next request is the sign-in form.
  await giulia.page.goto(`${base}/app`);
  expect(new URL(giulia.page.url()).pathname).toBe('/login');
  expect(await db.session.count({ where: { userId: giuliaId } })).toBe(0);

  await page.getByRole('button', { name: 'Riattiva' }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'reactivated');
  await giulia.context.close();
  await admin.context.close();
});

test('the funding import preview refuses a bad file and imports a good one', async () => {
  const { page, context } = await signedIn('anna@regione.test');
  await page.goto(`${base}/app/console/funding`);
  const header = 'code;title;lead_body;province;eligible_cost_eur;requested_grant_eur;rank;status';
  const bad = `${header}\nA1;Nido;Comune di Lodi;LO;100.000,00;90.000,00;1;admitted\nB2;Centro;Arca;Torino;10.000,00;8.000,00;1;admitted\n`;
  await page.getByLabel('File CSV').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByRole('button', { name: 'Anteprima' }).click();
  await page.waitForURL((u) => u.pathname === '/app/console/funding/preview');
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Il file ha 3 errori');
  await expect(page.locator('tr.row-error').count()).resolves.toBe(2);
  await expect(page.getByRole('button', { name: 'Conferma l’importazione' }).count()).resolves.toBe(0);
  await shot(page, 'funding-preview-bad');
  expect(await db.fundingProject.count()).toBe(0);

  await page.getByRole('link', { name: 'Torna ai finanziamenti' }).click();
  const good = `${header}\nA1;Nido;Comune di Lodi;LO;100.000,00;80.000,00;1;admitted\nB2;Centro;Arca;BG;10.000,00;8.000,00;2;admitted\nC3;Ludoteca;Comune di Pavia;PV;20.000,00;16.000,00;3;not_admitted\n`;
  await page
    .getByLabel('File CSV')
    .setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.getByRole('button', { name: 'Anteprima' }).click();
  await expect(page.getByRole('status').textContent()).resolves.toContain('Il file è valido: 3 progetti');
  await expect(page.locator('tr.row-ok').count()).resolves.toBe(3);
  expect(await db.fundingProject.count()).toBe(0);
  await page.getByRole('button', { name: 'Conferma l’importazione' }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'imported');
  expect(await db.fundingProject.count()).toBe(3);
  await page.getByLabel('Importo (euro, es. 50.000,00)').fill('85.000,00');
  await page.getByRole('button', { name: 'Assegna nuove risorse' }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'allocated');
  await expect(page.locator('#remaining').textContent()).resolves.toMatch(/^5\.000,00\s€$/);
  await expect(page.locator('tr.standing-admitted_unfunded').count()).resolves.toBe(1);
  await shot(page, 'funding');
  await context.close();
});

test('the audit log filters by action, actor and date, with names and diffs', async () => {
  const { page, context } = await signedIn('anna@regione.test');
  await page.goto(`${base}/app/console/audit`);
  await page.getByLabel('Azione', { exact: true }).selectOption('user.deactivate');
  await page.getByLabel('Autore (nome o email)').fill('Anna');
  await page.getByRole('button', { name: 'Filtra' }).click();
  const rows = page.locator('table.audit tbody tr');
  await expect(rows.count()).resolves.toBe(1);
  const text = (await rows.first().textContent()) ?? '';
  expect(text).toContain('Anna Regione <anna@regione.test>');
  expect(text).toContain('Giulia Bianchi <giulia@studio.test>');
  expect(text).not.toContain(giuliaId);
  // A date range that ends before today leaves nothing.
  await page.getByLabel('Al', { exact: true }).fill('2020-01-01');
  await page.getByRole('button', { name: 'Filtra' }).click();
  await expect(rows.count()).resolves.toBe(0);
  // Paging: 33 user creations are more than one page.
  await page.goto(`${base}/app/console/audit?action=user.create`);
  await expect(rows.count()).resolves.toBe(25);
  await page.getByRole('link', { name: 'Pagina successiva' }).click();
  await expect(rows.count()).resolves.toBe(7);
  await context.close();
});

test('schedules pause and resume, with the holiday note on the monthly report', async () => {
  const { page, context } = await signedIn('anna@regione.test');
  await page.goto(`${base}/app/console/schedules`);
  const id = `${SCHEDULE_PREFIX}digest-consultants`;
  await page.getByRole('button', { name: `Metti in pausa: ${id}` }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'paused');
  const card = page.locator('section.schedule', { has: page.getByRole('heading', { name: id }) });
  await expect(card.textContent()).resolves.toContain('In pausa');
  expect((await stack.temporal!.schedule.getHandle(id).describe()).state.paused).toBe(true);
  await page.getByRole('button', { name: `Riprendi: ${id}` }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'unpaused');
  expect((await stack.temporal!.schedule.getHandle(id).describe()).state.paused).toBe(false);
  if (Date.now() < Date.parse('2027-01-01T00:00:00+01:00'))
    await expect(page.locator('p.note').first().textContent()).resolves.toContain('Capodanno');
  await context.close();
});

test('the mail catcher follows the chosen language and downloads an attachment', async () => {
  const { page, context } = await signedIn('anna@regione.test');
  await page.goto(`${base}/app/console`);
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('link', { name: 'Test mail (catcher)' }).first().click();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Outgoing mail (mail catcher)');
  await page.getByRole('link', { name: 'Invito: incontro di avvio' }).click();
  await expect(page.getByRole('heading', { name: 'Links in the message' }).count()).resolves.toBe(1);
  // The attachment's link downloads it (attachment disposition) with the admin's session.
  const link = page.getByRole('link', { name: 'incontro.ics' });
  await expect(link.getAttribute('download')).resolves.toBe('incontro.ics');
  const res = await context.request.get(new URL((await link.getAttribute('href'))!, base).toString());
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('text/calendar');
  expect(res.headers()['content-disposition']).toMatch(/^attachment; filename="incontro.ics"/);
  expect(await res.text()).toContain('BEGIN:VCALENDAR');
  const raw = await context.request.get(page.url() + '/raw');
  expect(raw.headers()['content-disposition']).toMatch(/^attachment; filename=".+\.eml"/);
  // Signed out, the same link is a path that does not exist.
  expect((await fetch(new URL((await link.getAttribute('href'))!, base))).status).toBe(404);
  // The message's own link leads to the dashboard.
  const appLink = page.getByRole('link', { name: `${base}/app` });
  expect(await appLink.getAttribute('href')).toBe(`${base}/app`);
  const opened = await page.goto((await appLink.getAttribute('href'))!);
  expect(opened?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/app');
  await context.close();
});

async function checkAccessibility(page: Page, name: string) {
  expect({ name, violations: await axeViolations(page) }).toEqual({
    name,
    violations: [],
  });
}

test('every console page passes axe-core at 1280 and 375 px and never scrolls sideways', async () => {
  const { context, page } = await signedIn('anna@regione.test', { bypassCSP: true });
  const pages = [
    '/app/console',
    '/app/console/users',
    `/app/console/users/${giuliaId}`,
    '/app/console/audit',
    '/app/console/schedules',
    '/app/console/funding',
    '/mail',
  ];
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    for (const p of pages) {
      await page.goto(`${base}${p}`);
      await checkAccessibility(page, `${p} @${width}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const wide = await page.evaluate(() =>
        Array.from(document.querySelectorAll('main *'))
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 5)
          .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
      );
      expect({ page: p, width, overflow, wide }).toEqual({ page: p, width, overflow: 0, wide: [] });
    }
    // The preview page, with a bad file (its widest table).
    await page.goto(`${base}/app/console/funding`);
    await page.getByLabel(/File CSV|CSV file/).setInputFiles({
      name: 'wide.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'code;title;lead_body;province;eligible_cost_eur;requested_grant_eur;rank;status\nX9;Un titolo piuttosto lungo per un progetto;Comune di Sesto San Giovanni;Lecco;1,00;2,00;x;maybe\n',
      ),
    });
    await page.getByRole('button', { name: /Anteprima|Preview/ }).click();
    await checkAccessibility(page, `preview @${width}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
    if (width === 375) await shot(page, 'preview-375');
  }
  await context.close();
});
