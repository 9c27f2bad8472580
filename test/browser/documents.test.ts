/// <reference lib="dom" />
/**
 * Documents in a real browser (Debian's Chromium through playwright-core): a consultant uploads a
 * PDF on a step from the documents page (a plain multipart form, no script), sees it in the
 * enrollment's timeline, is told clearly when a file is refused, keeps an attendance register;
 * every page passes axe (WCAG 2.1 AA) at 1280 and 375 pixels with no sideways scroll.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../../infra/db';
import { createUser } from '../../client/auth/users';
import { filesystemStore } from '../../infra/document-store';
import { enrollRequest, startDevStack, stopDevStack } from '../support/fixtures';
import { sampleHtmlAsPdf, samplePdf } from '../support/sample-documents';
import { ARTIFACTS, axeViolations, launchChromium, sidewaysOverflow } from '../support/browser';

const PASSWORD = 'vetro-pioggia-ramo-26';

let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
let db: Db;
let base: string;
let browser: Browser;
let enrollmentId: string;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-docs-browser-'));
const files = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-docs-upload-'));

beforeAll(async () => {
  stack = await startDevStack('documents-browser', { documents: filesystemStore(root) });
  ({ db, base } = stack as Awaited<ReturnType<typeof startDevStack>>);
  await createUser(
    db,
    { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi', password: PASSWORD },
    { id: 'test', role: 'system' },
  );
  enrollmentId = (await stack.service!.enroll(enrollRequest())).enrollment.id;
  fs.writeFileSync(path.join(files, 'analisi-bisogni.pdf'), samplePdf('Analisi dei bisogni'));
  fs.writeFileSync(path.join(files, 'pagina.pdf'), sampleHtmlAsPdf());
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stopDevStack(stack);
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(files, { recursive: true, force: true });
});

async function signIn(page: Page, next: string) {
  await page.goto(`${base}${next}`);
  await page.getByLabel('Email').fill('giulia.bianchi@consulenti.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.waitForURL((u) => u.pathname === next);
}

async function checkAccessible(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 900 });
  expect(await axeViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-375.png`), fullPage: true });
  expect(await axeViolations(page)).toEqual([]);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a consultant uploads a PDF on a step and sees it in the timeline', async () => {
  const page = await (await browser.newContext({ locale: 'it-IT' })).newPage();
  const docs = `/app/enrollments/${enrollmentId}/documents`;
  await signIn(page, docs);
  await checkAccessible(page, 'documents-empty');
  await page
    .getByLabel(/File da caricare \(Analisi dei bisogni/)
    .setInputFiles(path.join(files, 'analisi-bisogni.pdf'));
  await page.locator('form.upload').first().getByRole('button', { name: 'Carica', exact: true }).click();
  await page.waitForURL((u) => u.pathname === docs && u.search === '?done=uploaded');
  await expect(page.getByRole('status').textContent()).resolves.toContain('Documento caricato.');
  await expect(page.getByRole('link', { name: 'analisi-bisogni.pdf' }).count()).resolves.toBe(1);
  await checkAccessible(page, 'documents-uploaded');
  const row = await db.document.findFirstOrThrow({ where: { enrollmentId } });
  expect(row).toMatchObject({ stepKey: 'needs-analysis', type: 'pdf', uploaderName: 'Giulia Bianchi' });

  // A file that is not what its name says is refused on the page, and nothing is stored.
  await page.getByLabel(/File da caricare \(Analisi dei bisogni/).setInputFiles(path.join(files, 'pagina.pdf'));
  await page.locator('form.upload').first().getByRole('button', { name: 'Carica', exact: true }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Tipi accettati: PDF/);
  expect(await db.document.count({ where: { enrollmentId } })).toBe(1);

  await page.goto(`${base}/app/enrollments/${enrollmentId}`);
  const timeline = page.locator('section[aria-labelledby="documents-timeline"]');
  await expect(timeline.textContent()).resolves.toContain('Documento caricato');
  await expect(timeline.getByRole('link', { name: 'analisi-bisogni.pdf' }).count()).resolves.toBe(1);
  await checkAccessible(page, 'enrollment-with-documents');

  const download = await page.request.get(`${base}/documents/${row.id}`);
  expect(download.headers()['content-disposition']).toMatch(/^attachment/);
  expect(download.headers()['x-content-type-options']).toBe('nosniff');
  await page.close();
});

test('a consultant keeps the attendance register of the training step', async () => {
  const page = await (await browser.newContext({ locale: 'it-IT' })).newPage();
  const register = `/app/enrollments/${enrollmentId}/steps/training/register`;
  await signIn(page, register);
  await page.getByLabel('Data').fill('2026-12-10');
  await page.getByLabel('Inizio').fill('09:30');
  await page.getByLabel('Minuti', { exact: true }).fill('90');
  await page.getByLabel('Luogo o link').fill('https://meet.example.test/formazione');
  await page.getByRole('button', { name: 'Aggiungi' }).click();
  await page.waitForURL((u) => u.search === '?done=saved');
  const first = page.getByLabel(/^Minuti presenti: /).first();
  await first.fill('80');
  await page.getByRole('button', { name: 'Registra' }).first().click();
  await page.waitForURL((u) => u.search === '?done=saved');
  await expect(
    page
      .getByLabel(/^Minuti presenti: /)
      .first()
      .inputValue(),
  ).resolves.toBe('80');
  await checkAccessible(page, 'register');
  const a = await db.attendance.findFirstOrThrow({});
  expect(a.attendedMinutes).toBe(80);
  await page.close();
});
