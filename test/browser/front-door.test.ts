/// <reference lib="dom" />
/**
 * The front door in a real browser (Debian's Chromium through playwright-core) against the dev
 * server, a worker, SQLite and the SMTP catcher: an SME owner finds the edition, is refused by the
 * eligibility check and then passes it, sends the request, confirms it from the caught email; the
 * coordinator accepts it and assigns a consultant; the pathway starts and the owner signs in from
 * the invitation. Every new page is checked with axe-core (WCAG 2.1 AA) at 1280 and 375 px wide,
 * with no sideways scroll. Screenshots are kept in test-artifacts/browser/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../infra/db';
import { createUser } from '../../client/auth/users';
import type { MailCatcher } from '../../mail/mail-catcher';
import { startDevStack, stopDevStack, until } from '../support/fixtures';
import { linkIn, validVat } from '../support/front-door';
import { ARTIFACTS, axeViolations, launchChromium, sidewaysOverflow } from '../support/browser';

const PASSWORD = 'vetro-pioggia-ramo-26';
const OWNER_PASSWORD = 'nuvola-tessuto-ponte-83';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let catcher: MailCatcher;
let browser: Browser;
/** Pages checked, and what axe found on each (expected empty). */
const checked: Record<string, string[]> = {};

beforeAll(async () => {
  const started = await startDevStack('front-browser');
  stack = started;
  ({ db, base, catcher } = started);
  const system = { id: 'test', role: 'system' };
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
  await db.user.create({
    data: { email: 'francesca@consulenti.test', name: 'Francesca Villa', role: 'consultant', atsCode: 'ats-brianza' },
  });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stopDevStack(stack);
});

/** axe-core at 1280 and 375 px, no horizontal scroll at 375; the page is put back at 1280. */
async function accessible(page: Page, name: string): Promise<void> {
  const found: string[] = [];
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    const violations = await axeViolations(page);
    found.push(...violations.map((v) => `${width}px ${v}`));
    if (width === 375) {
      const overflow = await sidewaysOverflow(page);
      if (overflow > 0) found.push(`375px: ${overflow}px of horizontal scroll`);
      await page.screenshot({ path: path.join(ARTIFACTS, `front-${name}-375.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  checked[name] = found;
  expect(found).toEqual([]);
}

const mail = (to: string, subject: string) =>
  catcher.waitFor((m) => m.to.includes(to) && m.subject.includes(subject), 30_000);

test('an SME finds the edition, checks eligibility, requests, confirms; the coordinator accepts; the owner signs in', async () => {
  const owner = 'marco.rossi@tessitura-brianzola.test';
  const vat = validVat();
  // bypassCSP: only so that the test can inject axe-core; the service's CSP is tested elsewhere.
  const sme = await (await browser.newContext({ locale: 'it-IT', bypassCSP: true })).newPage();
  await sme.goto(`${base}/`);
  await expect(sme.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
    'Conciliazione vita-lavoro per le imprese lombarde',
  );
  await accessible(sme, 'home');
  await sme.getByRole('link', { name: 'Edizione dimostrativa 2026-2027' }).click();
  await sme.waitForURL((u) => u.pathname === '/edizioni/demo-2026-2027');
  await accessible(sme, 'edition');
  const pathway = sme.locator('section.pathway', { hasText: 'Piani di congedo e flessibilità' });
  await pathway.getByRole('link', { name: 'Verifica i requisiti' }).click();
  await sme.waitForURL((u) => u.pathname === '/verifica');
  await accessible(sme, 'check');

  // A refusal first: a large firm.
  await sme.getByLabel('Provincia (sigla o nome)').fill('MB');
  await sme.getByLabel('Comune della sede').fill('Monza');
  await sme.getByLabel('Settore').selectOption('industria');
  await sme.getByLabel('Personale in unità lavorative annue (ULA)').fill('400');
  await sme.getByLabel('Fatturato annuo (euro)').fill('90.000.000');
  await sme.getByLabel('Totale di bilancio annuo (euro)').fill('80.000.000');
  await sme.getByRole('button', { name: 'Verifica' }).click();
  await expect(sme.getByRole('heading', { level: 2, name: /non ha i requisiti/ }).count()).resolves.toBe(1);
  await expect(sme.locator('ul.rules li.failed').textContent()).resolves.toContain('non è una PMI');
  await accessible(sme, 'check-refused');
  // Then the real figures.
  await sme.getByLabel('Personale in unità lavorative annue (ULA)').fill('12,5');
  await sme.getByLabel('Fatturato annuo (euro)').fill('1.500.000');
  await sme.getByLabel('Totale di bilancio annuo (euro)').fill('900.000');
  await sme.getByRole('button', { name: 'Verifica' }).click();
  await expect(sme.getByRole('heading', { level: 2, name: /ha i requisiti/ }).textContent()).resolves.toBe(
    'L’impresa ha i requisiti per questo percorso.',
  );
  await expect(sme.locator('ul.rules li.failed').count()).resolves.toBe(0);
  await accessible(sme, 'check-passed');
  await sme.getByRole('link', { name: 'Invia la richiesta di adesione' }).click();
  await sme.waitForURL((u) => u.pathname === '/richiesta');
  await accessible(sme, 'request-form');

  await sme.getByLabel('Ragione sociale (o nome del progetto)').fill('Tessitura Brianzola S.r.l.');
  await sme.getByLabel('Partita IVA (11 cifre)').fill(vat);
  await sme.getByLabel('Provincia (sigla o nome)').fill('MB');
  await sme.getByLabel('Comune della sede').fill('Monza');
  await sme.getByLabel('Settore').selectOption('industria');
  await sme.getByLabel('Personale in unità lavorative annue (ULA)').fill('12,5');
  await sme.getByLabel('Fatturato annuo (euro)').fill('1.500.000');
  await sme.getByLabel('Totale di bilancio annuo (euro)').fill('900.000');
  await sme.getByLabel('Nome e cognome', { exact: true }).fill('Marco Rossi');
  await sme.getByLabel('Email', { exact: true }).fill(owner);
  await sme.getByLabel('Persona 1: nome e cognome').fill('Giulia Verdi');
  await sme.getByLabel('Persona 1: email').fill('giulia.verdi@tessitura-brianzola.test');
  await sme.getByLabel('Persona 1: ruolo').selectOption('hr');
  await sme.getByLabel('Ho letto l’informativa sul trattamento dei dati personali').check();
  await sme.getByRole('button', { name: 'Invia la richiesta' }).click();
  await expect(sme.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Controlla la tua email');
  await accessible(sme, 'request-sent');

  const confirmMail = await mail(owner, 'Conferma la richiesta');
  await sme.goto(`${base}${linkIn(confirmMail.text, '/richiesta/conferma/')}`);
  await accessible(sme, 'confirm');
  await sme.getByRole('button', { name: 'Confermo la richiesta' }).click();
  await expect(sme.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Richiesta confermata');
  await accessible(sme, 'confirmed');
  await mail('elena@ats-brianza.test', 'Nuova richiesta di adesione');

  // The coordinator accepts and assigns the consultant.
  const coordinator = await (await browser.newContext({ locale: 'it-IT', bypassCSP: true })).newPage();
  await coordinator.goto(`${base}/app/requests`);
  await coordinator.getByLabel('Email').fill('elena@ats-brianza.test');
  await coordinator.getByLabel('Password').fill(PASSWORD);
  await coordinator.getByRole('button', { name: 'Accedi' }).click();
  await coordinator.waitForURL((u) => u.pathname === '/app/requests');
  await accessible(coordinator, 'requests');
  await coordinator.getByRole('link', { name: 'Tessitura Brianzola S.r.l.' }).click();
  await accessible(coordinator, 'request-detail');
  await coordinator.getByLabel('Consulente').selectOption('francesca@consulenti.test');
  await coordinator.getByRole('button', { name: 'Accetta e assegna' }).click();
  await expect(coordinator.getByRole('status').textContent()).resolves.toContain('Richiesta accettata');
  await accessible(coordinator, 'request-accepted');
  const request = await db.enrollmentRequest.findFirstOrThrow({ where: { declarantEmail: owner } });
  expect(request.status).toBe('accepted');
  await until('the pathway started', async () =>
    Boolean((await db.enrollment.findUniqueOrThrow({ where: { id: request.enrollmentId! } })).workflowStartedAt),
  );

  // The owner sets a password from the invitation and signs in.
  const invitation = await mail(owner, 'Il tuo accesso');
  await sme.goto(`${base}${linkIn(invitation.text, '/invito/')}`);
  await accessible(sme, 'invitation');
  await sme.getByLabel('Nuova password').fill(OWNER_PASSWORD);
  await sme.getByLabel('Ripeti la password').fill(OWNER_PASSWORD);
  await sme.getByRole('button', { name: 'Salva la password' }).click();
  await expect(sme.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Password salvata');
  await sme.getByRole('link', { name: 'Accedi' }).click();
  await sme.getByLabel('Email').fill(owner);
  await sme.getByLabel('Password').fill(OWNER_PASSWORD);
  await sme.getByRole('button', { name: 'Accedi' }).click();
  await sme.waitForURL((u) => u.pathname === '/app');
  const me = await db.user.findUniqueOrThrow({ where: { email: owner } });
  expect(me.role).toBe('sme');
  await sme.goto(`${base}/password/dimenticata`);
  await accessible(sme, 'forgot-password');
  await sme.goto(`${base}${linkIn(invitation.text, '/invito/')}`);
  await expect(sme.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Link non utilizzabile');
  await accessible(sme, 'used-link');
  await sme.goto(`${base}/?lang=en`);
  await sme.context().clearCookies();
  await sme.goto(`${base}/?lang=en`);
  await expect(sme.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
    'Work-life balance for Lombard firms',
  );
  await accessible(sme, 'home-en');
  fs.writeFileSync(path.join(ARTIFACTS, 'front-axe.json'), JSON.stringify(checked, null, 2));
}, 180_000);
