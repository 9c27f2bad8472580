/**
 * The browser tests' shared checks find what they are there to find: axe-core reports a page
 * without a language or an image's alternative text, and a page wider than the phone is measured as
 * scrolling sideways, so an empty list from them means something.
 */
import type { Browser } from 'playwright-core';
import { axeViolations, launchChromium, sidewaysOverflow } from '../support/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

test('axe-core and the overflow check report a broken page, and nothing on a sound one', async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  await page.setContent(
    '<html><head><title>x</title></head><body><img src="data:,"><p class="w">wide</p></body></html>',
  );
  await page.addStyleTag({ content: '.w { width: 1200px }' });
  const found = await axeViolations(page);
  expect(found.map((v) => v.split(':')[0])).toEqual(expect.arrayContaining(['html-has-lang', 'image-alt']));
  expect(await sidewaysOverflow(page)).toBeGreaterThan(800);

  await page.setContent(
    '<html lang="it"><head><title>Pagina</title></head><body><main><h1>Titolo</h1><img src="data:," alt="Logo"></main></body></html>',
  );
  expect(await axeViolations(page)).toEqual([]);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await page.close();
});
