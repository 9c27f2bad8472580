/**
 * The Pathway entity's revival on its own: who may revive, when, and what it changes, records and
 * tells; and the keys of an expiry after a revival (the first expiry's row and email stay).
 */
import { romeToEpochMs } from '../../domain/calendar';
import { congedoFlessibilita } from '../../domain/catalogue';
import { Pathway, PathwayRefusal, type Actor, type PathwayTerms } from '../../domain/pathway';
import { mailKeys, milestoneKeys } from '../../domain/pathway-keys';
import { programmeHardEnd, stepDueAtFor } from '../../domain/schedule';

const T0 = romeToEpochMs(2026, 11, 23, 10, 0);
const admin: Actor = { role: 'admin', id: 'regione@regione.test', name: 'Anna Regione' };
const terms: PathwayTerms = {
  enrollmentId: 'enr-1',
  definition: congedoFlessibilita,
  programme: { code: 'CONC-2026', endsOn: '2027-01-15', name: 'Conciliazione 2026' },
  company: { name: 'Impresa Test S.r.l.', city: 'monza' },
  consultant: { name: 'Giulia Bianchi', email: 'giulia.bianchi@consulenti.test' },
  participants: [{ name: 'Anna Rossi', email: 'titolare@impresa.test', locale: 'it' }],
};
const oldEnd = programmeHardEnd('2027-01-15');

function expired(): Pathway {
  const p = new Pathway(terms, 'agenda');
  p.enroll(T0);
  const outcome = p.expire(p.current()!, oldEnd);
  expect(outcome.milestones[0]!.eventKey).toBe(milestoneKeys.expired());
  expect(outcome.notifications[0]!.key).toBe(mailKeys.expired('enr-1'));
  // Carried into a new run, as the revival's run gets it.
  return new Pathway(terms, 'agenda', JSON.parse(JSON.stringify(p.state)));
}

const code = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PathwayRefusal);
    return (err as PathwayRefusal).code;
  }
  return 'accepted';
};

test('only an admin, with a reason, an expired pathway, to an end still to come', () => {
  const now = oldEnd + 30 * 24 * 3600_000;
  const p = expired();
  const req = { endsOn: '2027-06-30', reason: 'DGR XII/1 proroga', actor: admin };
  expect(code(() => p.checkRevive({ ...req, actor: { role: 'consultant', id: 'c@x.it' } }, now))).toBe(
    'forbidden_role',
  );
  expect(code(() => p.checkRevive({ ...req, reason: ' ' }, now))).toBe('reason_required');
  expect(code(() => p.checkRevive({ ...req, endsOn: '2027-02-01' }, now))).toBe('programme_ended');
  expect(code(() => p.checkRevive({ ...req, endsOn: '2027-02-30' }, now))).toBe('invalid_date');
  const active = new Pathway(terms, 'agenda');
  active.enroll(T0);
  expect(code(() => active.checkRevive(req, T0))).toBe('already_active');
  expect(code(() => p.checkRevive(req, now))).toBe('accepted');
});

test('revived: the same step again, planned afresh from now under the new end, recorded and told once', () => {
  const now = oldEnd + 30 * 24 * 3600_000;
  const p = expired();
  const outcome = p.revive({ endsOn: '2027-06-30', reason: 'DGR XII/1 proroga', actor: admin }, now);
  expect(p.state).toMatchObject({ status: 'active', currentStep: 'intake', programmeEndsOn: '2027-06-30' });
  const intake = p.current()!;
  expect(intake.key).toBe('intake');
  expect(intake.dueAt).toBe(stepDueAtFor(congedoFlessibilita.steps[0]!, now, '2027-06-30', 'monza'));
  expect(intake).toMatchObject({ plan: 1, plannedFrom: now });
  expect(p.hardEnd).toBe(programmeHardEnd('2027-06-30'));
  expect(outcome.milestones).toEqual([
    expect.objectContaining({
      eventKey: 'revived:1',
      type: 'revived',
      actor: admin.id,
      note: 'DGR XII/1 proroga',
      enrollment: expect.objectContaining({ status: 'active', currentStep: 'intake', currentDueAt: intake.dueAt }),
    }),
  ]);
  expect(outcome.notifications.map((n) => [n.template, n.key, n.to.map((r) => r.email)])).toEqual([
    ['pathway-revived', 'enr-1:revived:1', ['titolare@impresa.test', 'giulia.bianchi@consulenti.test']],
  ]);
  // A second expiry has keys of its own.
  const again = p.expire(intake, programmeHardEnd('2027-06-30'));
  expect(again.milestones[0]!.eventKey).toBe('expired:r1');
  expect(again.notifications[0]!.key).toBe('enr-1:expired:r1');
});
