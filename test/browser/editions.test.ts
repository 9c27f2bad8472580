/// <reference lib="dom" />
/**
 * The Region's editions pages in a real browser (Debian's Chromium through playwright-core) against
 * the dev server, a worker and SQLite: an admin lists the editions, creates one, changes it,
 * records an extension (its fan-out's progress shown) and a shortening through the confirm step;
 * refusals change nothing; a consultant is turned away; a form without its CSRF token is refused.
 * Accessibility with axe-core (WCAG 2.1 AA) at 1280 and 375 px, with no sideways scroll.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../infra/db';
import { createUser } from '../../client/auth/users';
import { startDevStack, stopDevStack, until } from '../support/fixtures';
import { ARTIFACTS, axeViolations, launchChromium, sidewaysOverflow } from '../support/browser';

const PASSWORD = 'vetro-pioggia-ramo-26';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let browser: Browser;

beforeAll(async () => {
  const started = await startDevStack('editions-browser');
  stack = started;
  ({ db, base } = started);
  const system = { id: 'test', role: 'system' };
  await createUser(db, { role: 'admin', email: 'anna@regione.test', name: 'Anna Regione', password: PASSWORD }, system);
  await createUser(
    db,
    { role: 'consultant', email: 'giulia@consulenti.test', name: 'Giulia Bianchi', password: PASSWORD },
    system,
  );
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stopDevStack(stack);
});

async function signIn(page: Page, email: string, next: string) {
  await page.goto(`${base}${next}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.waitForURL((u) => u.pathname === next);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** axe-core's WCAG 2.1 AA violations of the page at 1280 and 375 px, and the sideways overflow at 375. */
async function checkAccessible(page: Page, name: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    const violations = await axeViolations(page);
    expect(violations).toEqual([]);
    if (width === 375) {
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    }
    await shot(page, `editions-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('an admin lists, creates, changes and extends an edition, and confirms a shortening', async () => {
  // CSP forbids inline scripts: axe-core is injected with the page's CSP bypassed, for the test only.
  const context = await browser.newContext({ locale: 'it-IT', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, 'anna@regione.test', '/app');
  await page.getByRole('link', { name: 'Edizioni' }).click();
  await page.waitForURL((u) => u.pathname === '/app/editions');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Edizioni del programma');
  await expect(page.getByRole('link', { name: '2017-2018' }).count()).resolves.toBe(1);
  await checkAccessible(page, 'list');

  // A refused form changes nothing and comes back filled in.
  const programmes = () => db.programme.count();
  const before = await programmes();
  await page.getByLabel('Codice').fill('Not A Code');
  await page.getByLabel('Nome', { exact: true }).fill('Piani 2029-2031');
  await page.getByRole('button', { name: 'Crea edizione' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Nulla è cambiato: Richiesta non valida: code/);
  expect(await programmes()).toBe(before);
  await expect(page.getByLabel('Nome', { exact: true }).inputValue()).resolves.toBe('Piani 2029-2031');

  await page.getByLabel('Codice').fill('2029-2031');
  await page.getByLabel('Delibera').fill('DGR XII/300 del 01/02/2029');
  await page.getByLabel('Apertura iscrizioni').fill('2026-01-01');
  await page.getByLabel('Chiusura iscrizioni').fill('2030-06-30');
  await page.getByLabel('Fine', { exact: true }).fill('2031-01-15');
  await page.getByLabel('ATS della Città Metropolitana di Milano').check();
  await page.getByLabel(/\(time-saving\)/).check();
  await page.getByRole('button', { name: 'Crea edizione' }).click();
  await page.waitForURL((u) => u.pathname === '/app/editions/2029-2031');
  await expect(page.getByRole('status').textContent()).resolves.toContain('Edizione creata.');
  const created = await db.programme.findUniqueOrThrow({ where: { code: '2029-2031' } });
  expect(created).toMatchObject({ endsOn: '2031-01-15', decision: 'DGR XII/300 del 01/02/2029', startsOn: null });
  expect(JSON.parse(created.atsCodes)).toEqual(['ats-milano']);
  expect(JSON.parse(created.actions)).toEqual([{ kind: 'time-saving' }]);
  const audits = (action: string) =>
    db.auditLog.count({ where: { action, entityId: '2029-2031', actorRole: 'admin' } });
  expect(await audits('programme.create')).toBe(1);

  // Changed: the end is no longer a field (it moves by decree).
  await expect(page.locator('#endsOn').count()).resolves.toBe(0);
  await page.getByLabel('Note').fill('Aree ancora da mappare sul catalogo.');
  await page.getByRole('button', { name: 'Salva modifiche' }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'updated');
  await expect(page.getByRole('status').textContent()).resolves.toContain('Modifiche salvate.');
  expect((await db.programme.findUniqueOrThrow({ where: { code: '2029-2031' } })).notes).toBe(
    'Aree ancora da mappare sul catalogo.',
  );
  expect(await audits('programme.update')).toBe(1);

  // An extension: recorded, and its fan-out's progress shown.
  await page.getByLabel('Nuova fine (AAAA-MM-GG)').fill('2031-06-30');
  await page.getByLabel(/^Decreto \(es\./).fill('DGR XII/400 del 01/03/2030');
  await page.getByRole('button', { name: 'Registra il decreto' }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'extended');
  expect((await db.programme.findUniqueOrThrow({ where: { code: '2029-2031' } })).endsOn).toBe('2031-06-30');
  const row = page.locator('tr', { hasText: 'DGR XII/400 del 01/03/2030' });
  await expect(row.textContent()).resolves.toContain('2031-01-15 → 2031-06-30');
  await until(
    'the fan-out to finish',
    async () => {
      await page.reload();
      return /0 di 0 percorsi informati.*terminata/.test((await row.textContent()) ?? '');
    },
    30_000,
  );
  await checkAccessible(page, 'edition');

  // A shortening: shown back for confirmation, recorded only once confirmed, with force.
  const decrees = () => db.programmeDecree.count({ where: { programmeCode: '2029-2031' } });
  await page.getByLabel('Nuova fine (AAAA-MM-GG)').fill('2030-12-31');
  await page.getByLabel(/^Decreto \(es\./).fill('DGR XII/500 del 01/04/2030');
  await page.getByRole('button', { name: 'Registra il decreto' }).click();
  await expect(page.getByRole('heading', { name: 'Conferma l’anticipo della fine' }).count()).resolves.toBe(1);
  await expect(page.getByRole('alert').textContent()).resolves.toContain('0 percorsi aperti verranno accorciati');
  expect(await decrees()).toBe(1);
  await checkAccessible(page, 'confirm');
  await page.getByRole('button', { name: 'Sì, anticipa la fine' }).click();
  await page.waitForURL((u) => u.searchParams.get('ok') === 'extended');
  const shortening = await db.programmeDecree.findFirstOrThrow({ where: { decree: 'DGR XII/500 del 01/04/2030' } });
  expect(shortening).toMatchObject({ kind: 'shortening', forced: true, newEndsOn: '2030-12-31' });
  expect(await audits('programme.extend')).toBe(2);

  // The same decree again is refused on the page; nothing changes.
  await page.getByLabel('Nuova fine (AAAA-MM-GG)').fill('2031-03-31');
  await page.getByLabel(/^Decreto \(es\./).fill('DGR XII/500 del 01/04/2030');
  await page.getByRole('button', { name: 'Registra il decreto' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('è già registrato');
  expect(await decrees()).toBe(2);

  // In English.
  await page.goto(`${base}/app/editions/2029-2031`);
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Decrees' }).count()).resolves.toBe(1);
  await expect(page.getByRole('button', { name: 'Record the decree' }).count()).resolves.toBe(1);
  await checkAccessible(page, 'edition-en');

  // A form posted without the session's CSRF token is refused and changes nothing.
  const forged = await page.request.post(`${base}/app/editions/2029-2031`, { form: { name: 'Forged' } });
  expect(forged.status()).toBe(403);
  expect((await db.programme.findUniqueOrThrow({ where: { code: '2029-2031' } })).name).toBe('Piani 2029-2031');
  await context.close();
}, 180_000);

test('a consultant has no editions entry and is turned away from the pages', async () => {
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await signIn(page, 'giulia@consulenti.test', '/app');
  await expect(page.getByRole('link', { name: 'Edizioni' }).count()).resolves.toBe(0);
  const res = await page.goto(`${base}/app/editions`);
  expect(res?.status()).toBe(403);
  await expect(page.locator('main').textContent()).resolves.toContain('solo dalla Regione');
  await context.close();
}, 60_000);
