/**
 * Finding 5 (open redirect): `next` and `back` may only name a path a browser resolves to this
 * origin. Browsers read a backslash as a slash and drop tabs and newlines in a Location header,
 * so `/\evil.test` and `/<TAB>/evil.test` both went to evil.test with the old check (`^/(?!/)`).
 */
import { isSafeNext, safeNext } from '../../client/api/safe-next';

const HOSTILE = [
  '//evil.test',
  '///evil.test',
  '/\\evil.test',
  '/\\/evil.test',
  '\\/evil.test',
  '\\\\evil.test',
  '/\t/evil.test',
  '/\n/evil.test',
  '/\r\n/evil.test',
  '/ /evil.test',
  '/%5Cevil.test',
  '/%5cevil.test',
  '/%09/evil.test',
  '/%0d%0aSet-Cookie:x=1',
  '/%0A/evil.test',
  '/%00',
  'https://evil.test',
  'http:evil.test',
  'javascript:alert(1)',
  ' /app',
  '/app\u2028',
  '/\u0000',
  'evil.test',
  '',
  '/' + 'a'.repeat(2001),
];

const FRIENDLY = ['/app', '/app/enrollments/enr_1?done=1', '/app/network#chart', '/app?next=%2Fapp', '/'];

test.each(HOSTILE)('refuses %j and falls back to the work list', (next) => {
  expect(isSafeNext(next)).toBe(false);
  expect(safeNext(next)).toBe('/app');
  // Whatever a browser would make of it, the answer stays on this origin.
  expect(new URL(safeNext(next), 'http://x.invalid').origin).toBe('http://x.invalid');
});

test.each(FRIENDLY)('keeps %j', (next) => {
  expect(safeNext(next)).toBe(next);
});

test('refuses what is not a string', () => {
  for (const v of [undefined, null, 42, ['/app'], { next: '/app' }]) expect(safeNext(v)).toBe('/app');
});
