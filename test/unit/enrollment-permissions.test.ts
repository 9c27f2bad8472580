/**
 * What a principal may do on an enrollment: the one function the dashboard draws its buttons by and
 * the API checks before the Update, against the pathway rules' own role lists.
 */
import { findPathwayVersion } from '../../domain/catalogue-history';
import { checkActionRole, enrollmentPermissions } from '../../client/auth/enrollment-permissions';
import type { Principal } from '../../client/auth/principal';
import { isDomainError } from '../../domain/errors';
import { abbreviate } from '../../client/web/views/milestone-report';

const def = findPathwayVersion('congedo-flessibilita', 1)!;
const who = (role: Principal['role'], extra: Partial<Principal> = {}): Principal => ({
  userId: 'u',
  email: 'giulia@x.test',
  name: 'G',
  role,
  atsCode: null,
  companyId: null,
  locale: 'it',
  via: 'session',
  ...extra,
});
const enrollment = (over: Partial<Parameters<typeof enrollmentPermissions>[1]> = {}) => ({
  status: 'active',
  currentStep: 'intake',
  consultantEmail: 'giulia@x.test',
  companyId: 'c1',
  company: { atsCode: 'ats-brianza', networkId: null },
  ...over,
});

test('each role gets exactly the actions the pathway rules allow it', () => {
  expect(enrollmentPermissions(who('consultant'), enrollment(), def)).toEqual({
    complete: 'intake',
    reopen: true,
    extend: true,
    reassign: true,
    withdraw: true,
    confirm: false,
  });
  expect(enrollmentPermissions(who('coordinator', { atsCode: 'ats-brianza' }), enrollment(), def)).toEqual({
    complete: null,
    reopen: true,
    extend: true,
    reassign: true,
    withdraw: false,
    confirm: false,
  });
  expect(enrollmentPermissions(who('sme', { companyId: 'c1' }), enrollment(), def)).toEqual({
    complete: null,
    reopen: false,
    extend: false,
    reassign: false,
    withdraw: true,
    confirm: true,
  });
  // The plan's adoption may be completed by the firm itself.
  expect(
    enrollmentPermissions(who('sme', { companyId: 'c1' }), enrollment({ currentStep: 'plan-adopted' }), def).complete,
  ).toBe('plan-adopted');
});

test('nothing on a closed pathway or one the caller may not see', () => {
  const none = { complete: null, reopen: false, extend: false, reassign: false, withdraw: false, confirm: false };
  expect(enrollmentPermissions(who('admin'), enrollment({ status: 'withdrawn' }), def)).toEqual(none);
  expect(enrollmentPermissions(who('consultant', { email: 'other@x.test' }), enrollment(), def)).toEqual(none);
  expect(enrollmentPermissions(who('coordinator', { atsCode: 'ats-milano' }), enrollment(), def)).toEqual(none);
});

test('the API check refuses with role_not_allowed what the page does not offer', () => {
  const code = (f: () => void) => {
    try {
      f();
      return null;
    } catch (err) {
      return isDomainError(err) ? err.code : 'other';
    }
  };
  expect(code(() => checkActionRole(who('sme'), 'complete', def, 'intake'))).toBe('role_not_allowed');
  expect(code(() => checkActionRole(who('sme'), 'complete', def, 'plan-adopted'))).toBeNull();
  expect(code(() => checkActionRole(who('coordinator'), 'withdraw', def))).toBe('role_not_allowed');
  expect(code(() => checkActionRole(who('consultant'), 'confirm', def))).toBe('role_not_allowed');
  // An unknown step is left to the workflow, which names the steps there are.
  expect(code(() => checkActionRole(who('consultant'), 'complete', def, 'no-such-step'))).toBeNull();
});

test('chart labels are shortened at a word, with the full name kept for the hover and the table', () => {
  expect(abbreviate('Lavoro agile', 30)).toBe('Lavoro agile');
  const long = 'Percorso di analisi e formalizzazione del welfare aziendale';
  const short = abbreviate(long, 30);
  expect(short.length).toBeLessThanOrEqual(30);
  expect(short.endsWith('…')).toBe(true);
  expect(long.startsWith(short.slice(0, -1))).toBe(true);
});
