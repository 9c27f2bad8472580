/**
 * The views escape by construction: hostile strings in every place a view puts data (text,
 * attributes, link targets, hidden fields) come out inert, and no text from a URL is shown.
 */
import { h } from 'preact';
import { render } from '../../client/web/render';
import { APP_CSS, STYLESHEET_HREF } from '../../client/web/assets';
import { EnrollmentPage } from '../../client/web/views/enrollment';
import { flashCodeFor, flashFromQuery } from '../../client/web/views/flash';
import { OptOutPage } from '../../client/web/views/opt-out';
import { PasswordPage } from '../../client/web/views/password';
import { SignInPage } from '../../client/web/views/sign-in';
import { WorkTablePage } from '../../client/web/views/work-table';
import { parseWorkQuery } from '../../client/web/work-query';
import { ApiReferencePage } from '../../client/web/views/docs';

const SCRIPT = '<script>alert(1)</script>';
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const JS_URL = 'javascript:alert(1)';
const user = { name: SCRIPT, role: 'admin', csrf: BREAKOUT, hasMail: true };

/** No element or attribute a hostile string could have opened. */
function expectInert(html: string) {
  expect(html).not.toContain('<script');
  expect(html).not.toContain('<img');
  // The quote that would close an attribute is escaped: the onerror stays text inside the value.
  expect(html).not.toContain('"><img');
  expect(html).not.toMatch(/href="javascript:/i);
}

const workQuery = parseWorkQuery({});
const workFilters = { editions: [], alliances: [], kinds: [], steps: [], consultants: [], networks: [] };
const workRow = (enrollmentId: string, companyName: string) => ({
  enrollmentId,
  companyId: enrollmentId,
  companyName,
  vatNumber: BREAKOUT,
  pathwayName: BREAKOUT,
  stepName: SCRIPT,
  stepKey: BREAKOUT,
  consultantName: SCRIPT,
  consultantEmail: 'c@x.test',
  due: '—',
  daysLate: 3,
  status: SCRIPT,
  statusCode: 'active',
});

test('the work list escapes names, ids and the user in text, attributes and link targets', () => {
  const html = render(
    h(WorkTablePage, {
      locale: 'it',
      here: '/app',
      user,
      flash: null,
      page: { rows: [workRow(BREAKOUT, SCRIPT), workRow(JS_URL, 'x')], total: 2, pages: 1, query: workQuery },
      filters: workFilters,
      bulk: true,
    }),
  );
  expectInert(html);
  expect(html).toContain('&lt;script>alert(1)&lt;/script>');
  // Ids are path segments: encoded, so a link stays on /app/enrollments/.
  expect(html).toContain(`href="/app/enrollments/${encodeURIComponent(BREAKOUT)}"`);
  expect(html).toContain(`href="/app/enrollments/${encodeURIComponent(JS_URL)}"`);
  expect(html).toContain(`value="&quot;>&lt;img src=x onerror=alert(1)>"`);
  expect(html).toMatch(/^<!doctype html>\n<html lang="it">/);
  expect(html).toContain(`<link rel="stylesheet" href="${STYLESHEET_HREF}"/>`);
  expect(html).not.toContain('<style');
});

test('the enrollment page escapes the timeline, evidence, reasons and actor', () => {
  const none = { complete: null, reopen: false, extend: false, reassign: false, withdraw: false, confirm: false };
  const html = render(
    h(EnrollmentPage, {
      locale: 'en',
      here: '/app/enrollments/e1',
      user,
      flash: 'step_completed',
      enrollmentId: 'e1',
      companyId: BREAKOUT,
      companyName: SCRIPT,
      pathwayName: BREAKOUT,
      status: SCRIPT,
      statusCode: 'active',
      consultantName: BREAKOUT,
      consultantEmail: 'c@x.test',
      steps: [
        {
          key: 'a"b',
          name: SCRIPT,
          status: 'x',
          statusCode: 'active',
          due: '—',
          completed: '—',
          evidenceLabel: SCRIPT,
        },
      ],
      timeline: [
        {
          at: BREAKOUT,
          when: SCRIPT,
          label: SCRIPT,
          stepName: BREAKOUT,
          actorName: SCRIPT,
          late: true,
          evidence: BREAKOUT,
          reason: SCRIPT,
          oldDue: BREAKOUT,
          newDue: SCRIPT,
          assignedTo: BREAKOUT,
        },
      ],
      may: { ...none, complete: 'a"b' },
      reopenable: null,
      consultants: [],
      currentDueIso: null,
      refused: { action: 'complete', error: SCRIPT, values: { evidence: BREAKOUT } },
    }),
  );
  expectInert(html);
  expect(html).toContain('<p class="flash ok" role="status">Step completed.</p>');
  expect(html).toContain('action="/app/enrollments/e1/actions/complete"');
  expect(html).toContain('value="a&quot;b"');
  expect(html).toContain(`href="/app/companies/${encodeURIComponent(BREAKOUT)}"`);
  // A role that may do nothing sees no form at all.
  const bare = render(
    h(EnrollmentPage, {
      locale: 'en',
      here: '/app/enrollments/e1',
      user,
      flash: null,
      enrollmentId: 'e1',
      companyId: 'c1',
      companyName: 'x',
      pathwayName: 'y',
      status: 'z',
      statusCode: 'active',
      consultantName: 'c',
      consultantEmail: 'c@x.test',
      steps: [],
      timeline: [],
      may: none,
      reopenable: null,
      consultants: [],
      currentDueIso: null,
    }),
  );
  expect(bare).not.toContain('/actions/');
});

test('flash messages are codes: an unknown code or free text shows nothing', () => {
  expect(flashFromQuery({ done: '1' })).toBe('step_completed');
  expect(flashFromQuery({ flash: 'evidence_required' })).toBe('evidence_required');
  expect(flashFromQuery({ flash: SCRIPT })).toBeNull();
  expect(flashFromQuery({ flash: 'toString' })).toBeNull();
  expect(flashFromQuery({ error: 'Il tuo account è sospeso: chiama il 899…' } as never)).toBeNull();
  expect(flashCodeFor('evidence_required')).toBe('evidence_required');
  expect(flashCodeFor('something_else')).toBe('step_not_completed');
  const html = render(
    h(WorkTablePage, {
      locale: 'it',
      here: '/app',
      user,
      flash: flashFromQuery({ flash: 'Chiama il 899' }),
      page: { rows: [], total: 0, pages: 1, query: workQuery },
      filters: workFilters,
      bulk: false,
    }),
  );
  expect(html).not.toContain('899');
  expect(html).not.toContain('class="flash');
});

test('the sign-in page escapes next, the CSRF token and the error; the language link encodes the path', () => {
  const html = render(
    h(SignInPage, { locale: 'it', here: `/login"${SCRIPT}`, next: BREAKOUT, csrf: BREAKOUT, error: SCRIPT }),
  );
  expectInert(html);
  expect(html).toContain('role="alert">&lt;script>');
  expect(html).toContain(`next=${encodeURIComponent(`/login"${SCRIPT}`)}`);
});

test('the password and opt-out pages escape the address and the token', () => {
  const pw = render(
    h(PasswordPage, {
      locale: 'en',
      here: '/app/password',
      user,
      email: BREAKOUT,
      minLength: 12,
      result: { kind: 'err', text: SCRIPT },
    }),
  );
  expectInert(pw);
  for (const state of ['ask', 'done', 'staff'] as const) {
    const page = render(h(OptOutPage, { locale: 'it', state, email: SCRIPT, token: BREAKOUT }));
    expectInert(page);
    expect(page).toContain('&lt;script>');
  }
  expectInert(render(h(OptOutPage, { locale: 'en', state: 'invalid', message: SCRIPT })));
});

test('the API reference escapes what the OpenAPI document says', () => {
  const html = render(
    h(ApiReferencePage, {
      info: { title: SCRIPT, version: BREAKOUT, description: SCRIPT },
      paths: {
        [`/x/${SCRIPT}`]: {
          get: {
            operationId: BREAKOUT,
            summary: SCRIPT,
            tags: [SCRIPT],
            responses: { '200': { description: SCRIPT } },
          },
        },
      },
    }),
  );
  expectInert(html);
});

test('the stylesheet file holds no remote reference', () => {
  expect(APP_CSS).not.toMatch(/url\(|@import/);
  expect(APP_CSS).toContain('@media print');
});
