/// <reference lib="dom" />
/**
 * The staff workspace in a real browser, per role, on a database of 2,000 seeded enrollments
 * (scripts/seed-workspace.ts) plus real pathways run by the worker: search, filter, page and
 * export, with the CSV compared cell by cell with the table; each pathway action with its reason
 * in the timeline; a refused action keeping what was typed; an SME seeing only its own actions;
 * bulk reassignment; axe-core (WCAG 2.1 AA) at 1280 and 375 px with no sideways scroll.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../infra/db';
import { createUser } from '../../client/auth/users';
import { readCsvRecords } from '../../client/csv';
import { seedWorkspace } from '../../scripts/seed-workspace';
import { enrollRequest, requestForKind, startDevStack, stopDevStack } from '../support/fixtures';
import { ARTIFACTS, axeViolations, launchChromium, sidewaysOverflow } from '../support/browser';

const PASSWORD = 'vetro-pioggia-ramo-26';
const CONSULTANT = 'giulia.bianchi@consulenti.test';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let browser: Browser;
let mainId: string;
let mainCompany: string;
let secondId: string;
let secondCompany: string;

beforeAll(async () => {
  const started = await startDevStack('browser-workspace');
  stack = started;
  ({ db, base } = started);
  const system = { id: 'test', role: 'system' };
  const user = (input: Record<string, unknown>) => createUser(db, { ...input, password: PASSWORD }, system);
  await user({ role: 'consultant', email: CONSULTANT, name: 'Giulia Bianchi', atsCode: 'ats-brianza' });
  await user({ role: 'consultant', email: 'paolo.neri@consulenti.test', name: 'Paolo Neri', atsCode: 'ats-brianza' });
  await user({ role: 'coordinator', atsCode: 'ats-brianza', email: 'elena@ats-brianza.test', name: 'Elena Sala' });
  await seedWorkspace(db, {
    enrollments: 2000,
    consultants: 20,
    extraConsultants: [{ email: CONSULTANT, name: 'Giulia Bianchi' }],
  });
  const first = enrollRequest();
  mainCompany = first.company.name;
  mainId = (await started.service.enroll(first)).enrollment.id;
  const second = requestForKind('lavoro-flessibile');
  secondCompany = second.company.name;
  secondId = (await started.service.enroll(second)).enrollment.id;
  await user({
    role: 'sme',
    email: second.participants[0]!.email,
    name: 'Marco Rossi',
    companyVatNumber: second.company.vatNumber!,
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopDevStack(stack);
});

async function signIn(page: Page, email: string) {
  await page.goto(`${base}/app`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.waitForURL((u) => u.pathname === '/app');
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `workspace-${name}.png`), fullPage: true });

/** The table's cells as text, the selection checkbox left out. */
const tableCells = (page: Page) =>
  page.$$eval('table.work-table tbody tr', (rows) =>
    rows.map((r) =>
      Array.from(r.querySelectorAll('th, td'))
        .filter((c) => !c.querySelector('input[type=checkbox]'))
        .map((c) => (c.textContent ?? '').trim()),
    ),
  );

/** axe-core's WCAG 2.1 AA violations of the page now, and its sideways overflow in pixels. */
async function audit(page: Page): Promise<{ violations: string[]; overflow: number }> {
  const violations = await axeViolations(page);
  const overflow = await sidewaysOverflow(page);
  return { violations, overflow };
}

test('a consultant searches, filters, pages and exports; the CSV is the table', async () => {
  const context = await browser.newContext({ locale: 'it-IT', acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, CONSULTANT);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Le mie attività');
  // Her share of 2,000 seeded pathways (1 in 21) and her two real ones, active only by default.
  const results = page.locator('#results');
  const total = Number(/^(\d+)/.exec((await results.textContent()) ?? '')![1]);
  const mine = await db.enrollment.count({ where: { consultantEmail: CONSULTANT, status: 'active' } });
  expect(total).toBe(mine);
  expect(total).toBeGreaterThan(25);

  // Search by name: the real enrollment alone; by VAT number of a seeded firm: that firm.
  await page.getByLabel('Cerca impresa o partita IVA').fill(mainCompany);
  await page.getByRole('button', { name: 'Applica' }).click();
  await page.waitForURL((u) => u.searchParams.get('q') === mainCompany);
  await expect(tableCells(page)).resolves.toHaveLength(1);
  const seeded = await db.enrollment.findFirstOrThrow({
    where: { consultantEmail: CONSULTANT, status: 'active', id: { startsWith: 'seed-' } },
    include: { company: true },
  });
  await page.getByLabel('Cerca impresa o partita IVA').fill(`IT ${seeded.company.vatNumber}`);
  await page.getByRole('button', { name: 'Applica' }).click();
  await page.waitForURL((u) => u.searchParams.get('q') === `IT ${seeded.company.vatNumber}`);
  const byVat = await tableCells(page);
  expect(byVat.map((r) => r[1])).toEqual([seeded.company.vatNumber]);

  // Filters, sort and a second page live in the URL; the CSV link carries the same query.
  await page.goto(`${base}/app?status=all&sort=company&size=25&page=2`);
  await expect(page.locator('#f-status').inputValue()).resolves.toBe('all');
  const cells = await tableCells(page);
  expect(cells).toHaveLength(25);
  const names = cells.map((c) => c[0]!);
  // Sorted by company name as the database compares them (binary order for these ASCII names).
  expect([...names].sort()).toEqual(names);
  const href = await page.getByRole('link', { name: /Esporta CSV/ }).getAttribute('href');
  expect(href).toBe('/app/export.csv?status=all&sort=company&page=2');
  const csv = await (await page.request.get(`${base}${href}`)).text();
  const records = readCsvRecords(csv.replace(/^\uFEFF/, ''), ',', []).map((r) => r.fields);
  expect(records[0]).toEqual(await page.$$eval('table.work-table thead th', (ths) => ths.map((t) => t.textContent)));
  expect(records.slice(1)).toEqual(cells);
  // Overdue only: every row late.
  await page.goto(`${base}/app?overdue=1`);
  const late = await tableCells(page);
  expect(late.length).toBeGreaterThan(0);
  for (const row of late) expect(Number(row[6])).toBeGreaterThan(0);
  await shot(page, '01-consultant-list');
  await context.close();
}, 90_000);

test('a consultant takes every pathway action with its reason; a refused one keeps what was typed', async () => {
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await signIn(page, CONSULTANT);
  await page.goto(`${base}/app/enrollments/${mainId}`);
  const timeline = page.locator('ol.timeline li');
  const done = () => page.waitForURL((u) => u.searchParams.get('flash') === 'action_done');

  await page.getByRole('button', { name: 'Completa' }).click();
  await done();
  await expect(timeline.last().textContent()).resolves.toContain('Giulia Bianchi');
  // The next step asks for its own evidence by the catalogue's label.
  await expect(page.locator('label[for=complete-evidence]').textContent()).resolves.toContain('rapporto');

  // Refused by the server (past the programme end): the page comes back with the error and the text.
  await page.locator('#extend-date').fill('2030-01-15');
  await page.locator('#extend-reason').fill('ferie estive della direzione');
  await page.getByRole('button', { name: 'Proroga la scadenza' }).click();
  await expect(page.locator('#extend-error').textContent()).resolves.toContain('fine del programma');
  await expect(page.locator('#extend-reason').inputValue()).resolves.toBe('ferie estive della direzione');
  await expect(page.locator('#extend-date').inputValue()).resolves.toBe('2030-01-15');

  await page.locator('#extend-date').fill('2027-06-30');
  await page.getByRole('button', { name: 'Proroga la scadenza' }).click();
  await done();
  const extended = (await timeline.last().textContent()) ?? '';
  expect(extended).toContain('Scadenza prorogata');
  expect(extended).toContain('ferie estive della direzione');
  expect(extended).toMatch(/scadenza da .+ a .*2027/);

  await page.locator('#reopen-reason').fill('verbale del colloquio da rifare');
  await page.getByRole('button', { name: "Riapri l'ultima attività completata" }).click();
  await done();
  expect(await timeline.last().textContent()).toContain('verbale del colloquio da rifare');

  await page.locator('#withdraw-reason').fill("l'impresa chiude il reparto");
  await page.getByRole('button', { name: 'Ritira il percorso' }).click();
  await done();
  const withdrawn = (await timeline.last().textContent()) ?? '';
  expect(withdrawn).toContain('Ritiro');
  expect(withdrawn).toContain("l'impresa chiude il reparto");
  await expect(page.locator('tr.step-closed').first().textContent()).resolves.toContain('non svolta (ritirato)');
  await expect(page.locator('form.action-form').count()).resolves.toBe(0);
  await shot(page, '02-actions');
  const audits = await db.auditLog.findMany({ where: { entityId: mainId }, orderBy: { at: 'asc' } });
  // The refused extension wrote nothing.
  expect(audits.map((a) => a.action).filter((a) => a !== 'enrollment.create')).toEqual([
    'step.complete',
    'step.extend',
    'step.reopen',
    'enrollment.withdraw',
  ]);
  await context.close();
}, 90_000);

test('an SME sees only its own actions, confirms participation, and the API agrees', async () => {
  const sme = (await db.user.findFirstOrThrow({ where: { role: 'sme' } })).email;
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await signIn(page, sme);
  await page.goto(`${base}/app/enrollments/${secondId}`);
  expect(page.url()).toContain(secondId);
  await expect(page.getByRole('button', { name: 'Completa' }).count()).resolves.toBe(0);
  await expect(page.getByRole('button', { name: 'Proroga la scadenza' }).count()).resolves.toBe(0);
  await expect(page.getByRole('button', { name: /Riapri/ }).count()).resolves.toBe(0);
  await expect(page.locator('#reassign-to').count()).resolves.toBe(0);
  await page.getByRole('button', { name: 'Conferma', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('flash') === 'action_done');
  await expect(page.locator('ol.timeline li').last().textContent()).resolves.toContain('Partecipazione confermata');
  // A forged completion is refused before the workflow, and the page says so.
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const forged = await page.request.post(`${base}/app/enrollments/${secondId}/actions/complete`, {
    form: { csrf, stepKey: 'readiness-assessment', evidence: 'x' },
  });
  expect(forged.status()).toBe(403);
  await shot(page, '03-sme');
  await context.close();
}, 60_000);

test('a coordinator filters the network, reassigns in bulk with a reason, and sees the workload', async () => {
  const context = await browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await signIn(page, 'elena@ats-brianza.test');
  // Only her network: every firm in MB or LC.
  const inScope = await db.enrollment.count({ where: { status: 'active', company: { atsCode: 'ats-brianza' } } });
  await expect(page.locator('#results').textContent()).resolves.toMatch(new RegExp(`^${inScope} `));
  await page.getByLabel('Cerca impresa o partita IVA').fill(secondCompany);
  await page.getByRole('button', { name: 'Applica' }).click();
  await page.waitForURL((u) => u.searchParams.has('q'));
  await page.getByLabel(`Seleziona: ${secondCompany}`).check();
  await page.locator('#bulk-to').selectOption('paolo.neri@consulenti.test');
  await page.locator('#bulk-reason').fill('riequilibrio dei carichi di lavoro');
  await page.getByRole('button', { name: 'Riassegna' }).click();
  await expect(page.getByRole('status').first().textContent()).resolves.toContain(
    'Riassegnati 1 percorsi; 0 non spostati',
  );
  const moved = await db.enrollment.findUniqueOrThrow({ where: { id: secondId } });
  expect(moved.consultantEmail).toBe('paolo.neri@consulenti.test');
  const entry = await db.auditLog.findFirstOrThrow({ where: { entityId: secondId, action: 'enrollment.assign' } });
  expect(entry.after).toContain('riequilibrio dei carichi di lavoro');
  await page.goto(`${base}/app/enrollments/${secondId}`);
  await expect(page.locator('ol.timeline').textContent()).resolves.toContain('ora segue Paolo Neri');

  await page.goto(`${base}/app/network`);
  await expect(page.getByRole('heading', { name: 'Carico dei consulenti' }).count()).resolves.toBe(1);
  await expect(page.getByRole('link', { name: 'Paolo Neri' }).count()).resolves.toBe(1);
  await shot(page, '04-network');
  await context.close();
}, 90_000);

test('every workspace page passes axe (WCAG 2.1 AA) at 1280 and 375 px without sideways scroll; unknown URLs are pages', async () => {
  const firm = await db.enrollment.findUniqueOrThrow({ where: { id: secondId } });
  const urls = [
    '/app',
    '/app?status=all&size=100',
    `/app/enrollments/${secondId}`,
    `/app/companies/${firm.companyId}`,
    '/app/network',
    '/app/no-such-page',
  ];
  const found: string[] = [];
  for (const width of [1280, 375]) {
    // axe is injected as a script: the test's own, so the page's CSP is set aside for it (the CSP test is in dashboard.test.ts).
    const context = await browser.newContext({ locale: 'it-IT', viewport: { width, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, 'elena@ats-brianza.test');
    for (const url of urls) {
      const res = await page.goto(`${base}${url}`);
      expect([url, res?.status()]).toEqual([url, url.includes('no-such') ? 404 : 200]);
      const r = await audit(page);
      for (const v of r.violations) found.push(`${width}px ${url}: ${v}`);
      if (width === 375 && r.overflow > 1) found.push(`${width}px ${url}: scrolls sideways by ${r.overflow}px`);
    }
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Pagina non trovata');
    await shot(page, `05-axe-${width}`);
    await context.close();
  }
  expect(found).toEqual([]);
  // An API client still gets JSON.
  const api = await fetch(`${base}/no-such`, { headers: { accept: 'application/json' } });
  expect([api.status, ((await api.json()) as { error: { code: string } }).error.code]).toEqual([404, 'not_found']);
}, 120_000);
