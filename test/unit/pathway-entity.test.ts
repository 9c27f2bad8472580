/**
 * The Pathway entity on its own: every transition (what it changes, records and tells) and every
 * refusal of its checks, with no Temporal server. The workflow tests drive the same entity through
 * Updates and timers; these pin down the rules one at a time.
 */
import {
  addWorkingDays,
  dueAtEndOfDay,
  localDateOf,
  localDateToIso,
  parseIsoDate,
  romeToEpochMs,
} from '../../domain/calendar';
import { congedoFlessibilita, type PathwayDefinition } from '../../domain/catalogue';
import { isDomainError } from '../../domain/errors';
import { Pathway, PathwayRefusal, type Actor, type Engine, type PathwayTerms } from '../../domain/pathway';
import { mailKeys, milestoneKeys } from '../../domain/pathway-keys';
import { programmeHardEnd, stepDueAt, stepDueAtFor } from '../../domain/schedule';

const T0 = romeToEpochMs(2026, 11, 23, 10, 0);
const DAY = 24 * 3600_000;
const consultant: Actor = { role: 'consultant', id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };
const coordinator: Actor = { role: 'coordinator', id: 'rete@ats-brianza.test' };
const sme: Actor = { role: 'sme', id: 'titolare@impresa.test', name: 'Anna Rossi' };
const participants = [
  { name: 'Anna Rossi', email: 'titolare@impresa.test', locale: 'it' as const },
  { name: 'John Smith', email: 'hr@impresa.test', locale: 'en' as const },
];
const giulia = { name: 'Giulia Bianchi', email: 'giulia.bianchi@consulenti.test', locale: 'it' as const };

function terms(definition: PathwayDefinition = congedoFlessibilita, endsOn = '2027-12-31'): PathwayTerms {
  return {
    enrollmentId: 'enr-1',
    definition,
    programme: { code: 'CONC-2026', endsOn, name: 'Conciliazione 2026' },
    company: { name: 'Impresa Test S.r.l.', city: 'monza' },
    consultant: { name: giulia.name, email: giulia.email },
    participants,
  };
}

function enrolled(engine: Engine = 'agenda', t = terms()): Pathway {
  const p = new Pathway(t, engine);
  p.enroll(T0);
  return p;
}

/** The refusal a check throws, as the validator sees it. */
function refusal(check: () => void): { code: string; it: string; en: string } {
  try {
    check();
  } catch (err) {
    expect(err).toBeInstanceOf(PathwayRefusal);
    expect(isDomainError(err)).toBe(true);
    const r = err as PathwayRefusal;
    expect(r.message).toBe(r.messages.en);
    return { code: r.code, ...r.messages };
  }
  throw new Error('the check accepted the request');
}

const completeIntake = (p: Pathway, at = T0 + DAY) => p.complete({ stepKey: 'intake', actor: consultant }, at);

describe('enroll', () => {
  test('opens the first step, due after its working days, and records the enrollment', () => {
    const p = new Pathway(terms(), 'agenda');
    const outcome = p.enroll(T0);
    const intake = p.state.steps[0]!;
    expect(intake).toMatchObject({ status: 'active', startedAt: T0, plannedFrom: T0 });
    expect(intake.dueAt).toBe(stepDueAtFor(congedoFlessibilita.steps[0]!, T0, '2027-12-31', 'monza'));
    expect(p.state.currentStep).toBe('intake');
    expect(p.state.history.map((h) => h.type)).toEqual(['enrolled', 'step-started']);
    expect(outcome).toEqual({
      milestones: [
        {
          enrollmentId: 'enr-1',
          seq: 2,
          eventKey: 'enrolled',
          type: 'enrolled',
          actor: 'system',
          occurredAt: T0,
          enrollment: { status: 'active', currentStep: 'intake', currentDueAt: intake.dueAt },
        },
      ],
      notifications: [],
    });
  });

  test('the welcome goes to the participants and names the first step, its due date and the consultant', () => {
    const p = enrolled();
    expect(p.welcome()).toEqual({
      key: 'enr-1:welcome',
      enrollmentId: 'enr-1',
      template: 'enrollment-welcome',
      to: participants,
      context: {
        companyName: 'Impresa Test S.r.l.',
        pathwayName: congedoFlessibilita.name,
        consultantName: 'Giulia Bianchi',
        consultantEmail: giulia.email,
        stepName: congedoFlessibilita.steps[0]!.name,
        dueAt: p.state.steps[0]!.dueAt,
      },
    });
  });

  test('a carried state is taken as it is, and carrying it over counts the run', () => {
    const first = enrolled();
    completeIntake(first);
    const next = new Pathway(terms(), 'agenda', first.carryOver());
    expect(next.state.steps.map((s) => s.status)).toEqual(['done', 'active', 'pending', 'pending', 'pending']);
    expect(next.state.runs).toBe(2);
    expect(new Pathway(terms(), 'agenda', next.carryOver()).state.runs).toBe(3);
  });
});

describe('complete', () => {
  test('refuses a closed pathway, an unknown or out-of-order step, the wrong role and missing evidence', () => {
    const p = enrolled();
    expect(refusal(() => p.checkComplete({ stepKey: 'nope', actor: consultant })).code).toBe('unknown_step');
    const early = refusal(() => p.checkComplete({ stepKey: 'training', actor: consultant }));
    expect(early.code).toBe('step_out_of_order');
    expect(early.it).toContain('Colloquio di avvio');
    expect(refusal(() => p.checkComplete({ stepKey: 'intake', actor: sme })).code).toBe('role_not_allowed');
    completeIntake(p);
    expect(refusal(() => p.checkComplete({ stepKey: 'intake', actor: consultant })).code).toBe(
      'step_already_completed',
    );
    const blank = refusal(() => p.checkComplete({ stepKey: 'needs-analysis', actor: consultant, evidence: '  ' }));
    expect(blank).toMatchObject({ code: 'evidence_required', en: expect.stringContaining('analysis report') });
    expect(() => p.checkComplete({ stepKey: 'needs-analysis', actor: consultant, evidence: 'RAP-1' })).not.toThrow();
    p.withdraw({ reason: 'Cessata attività', actor: sme }, T0 + 2 * DAY);
    expect(refusal(() => p.checkComplete({ stepKey: 'needs-analysis', actor: consultant })).code).toBe(
      'pathway_closed',
    );
  });

  test('marks the step done, opens the next, records the milestone and tells the participants', () => {
    const p = enrolled();
    const revision = p.revision;
    const at = T0 + DAY;
    const outcome = completeIntake(p, at);
    const [intake, needs] = p.state.steps;
    expect(intake).toMatchObject({ status: 'done', completedAt: at, completedBy: consultant, onTime: true });
    expect(needs).toMatchObject({ status: 'active', startedAt: at });
    expect(p.state.currentStep).toBe('needs-analysis');
    expect(p.revision).toBe(revision + 1);
    expect(outcome.milestones).toEqual([
      expect.objectContaining({
        eventKey: 'step:intake',
        type: 'step_completed',
        stepKey: 'intake',
        actor: consultant.id,
        occurredAt: at,
        dueAt: intake!.dueAt,
        onTime: true,
        seq: p.state.history.length,
        enrollment: { status: 'active', currentStep: 'needs-analysis', currentDueAt: needs!.dueAt },
      }),
    ]);
    expect(outcome.notifications).toEqual([
      expect.objectContaining({
        key: 'enr-1:step-completed:intake',
        template: 'step-completed',
        to: participants,
        context: expect.objectContaining({
          stepName: intake!.name,
          completedBy: 'Giulia Bianchi',
          completedAt: at,
          nextStepName: needs!.name,
          nextStepDueAt: needs!.dueAt,
        }),
      }),
    ]);
  });

  test('late is recorded as not on time; the last step leaves no step open', () => {
    const p = enrolled();
    const late = p.state.steps[0]!.dueAt! + 1;
    let outcome = completeIntake(p, late);
    expect(outcome.milestones[0]!.onTime).toBe(false);
    for (const step of congedoFlessibilita.steps.slice(1)) {
      outcome = p.complete({ stepKey: step.key, actor: consultant, evidence: 'DOC' }, late);
    }
    expect(p.state.currentStep).toBeNull();
    expect(p.current()).toBeUndefined();
    expect(p.active).toBe(true);
    expect(outcome.milestones[0]!.enrollment).toEqual({ status: 'active', currentStep: null, currentDueAt: null });
    expect(outcome.notifications[0]!.context).toMatchObject({ nextStepName: '', nextStepDueAt: '' });
  });
});

describe('reopen', () => {
  test('refuses the first engine, other roles, a short reason and any step but the last completed', () => {
    const legacy = enrolled('legacy');
    completeIntake(legacy);
    const old = refusal(() =>
      legacy.checkReopen({ stepKey: 'intake', reason: 'Manca il referente', actor: coordinator }),
    );
    expect(old).toMatchObject({ code: 'not_supported_for_this_run', en: expect.stringContaining('earlier version') });
    const p = enrolled();
    expect(
      refusal(() => p.checkReopen({ stepKey: 'intake', reason: 'Manca il referente', actor: coordinator })),
    ).toMatchObject({
      code: 'step_not_reopenable',
      en: expect.stringContaining('no step is completed'),
    });
    completeIntake(p);
    expect(refusal(() => p.checkReopen({ stepKey: 'intake', reason: 'Manca il referente', actor: sme })).code).toBe(
      'role_not_allowed',
    );
    expect(refusal(() => p.checkReopen({ stepKey: 'intake', reason: 'boh', actor: coordinator })).code).toBe(
      'reason_required',
    );
    expect(
      refusal(() => p.checkReopen({ stepKey: 'needs-analysis', reason: 'Manca il referente', actor: coordinator }))
        .code,
    ).toBe('step_not_reopenable');
    expect(() => p.checkReopen({ stepKey: 'intake', reason: 'Manca il referente', actor: coordinator })).not.toThrow();
  });

  test('opens the step for a new round, puts the step in progress back and tells participants and consultant', () => {
    const p = enrolled();
    completeIntake(p);
    const at = T0 + 2 * DAY;
    const outcome = p.reopen({ stepKey: 'intake', reason: 'Manca il referente HR', actor: coordinator }, at);
    const [intake, needs] = p.state.steps;
    expect(intake).toMatchObject({ status: 'active', round: 1, plan: 0, startedAt: at, plannedFrom: at });
    expect(intake!.completedAt).toBeUndefined();
    expect(intake!.completedBy).toBeUndefined();
    expect(needs!.status).toBe('pending');
    expect(needs!.dueAt).toBeUndefined();
    expect(p.state.currentStep).toBe('intake');
    expect(p.state.history.at(-1)).toMatchObject({ type: 'step-reopened', detail: 'Manca il referente HR' });
    expect(outcome.milestones[0]).toMatchObject({
      eventKey: 'reopen:intake:1',
      type: 'step_reopened',
      note: 'Manca il referente HR',
      dueAt: intake!.dueAt,
    });
    expect(outcome.notifications[0]).toMatchObject({
      key: 'enr-1:reopened:intake:1',
      template: 'step-reopened',
      to: [...participants, giulia],
      context: { reason: 'Manca il referente HR', actorName: coordinator.id, dueAt: intake!.dueAt },
    });
    // Completing it again is a new milestone and a new email.
    const again = completeIntake(p, at + DAY);
    expect(again.milestones[0]!.eventKey).toBe('step:intake:r1');
    expect(again.notifications[0]!.key).toBe('enr-1:step-completed:intake:r1');
  });
});

describe('extend', () => {
  const later = (p: Pathway, days: number) =>
    localDateToIso(addWorkingDays(localDateOf(p.state.steps[0]!.dueAt!), days));

  test('refuses the first engine, a malformed date, an earlier date, the programme end and a step not in progress', () => {
    const legacy = enrolled('legacy');
    const ask = (p: Pathway, over: Partial<{ stepKey: string; newDueDate: string; reason: string; actor: Actor }>) =>
      refusal(() =>
        p.checkExtend({
          stepKey: 'intake',
          newDueDate: later(p, 5),
          reason: 'Titolare in ferie',
          actor: consultant,
          ...over,
        }),
      );
    expect(ask(legacy, {}).code).toBe('not_supported_for_this_run');
    const p = enrolled();
    expect(ask(p, { newDueDate: '31/12/2026' })).toMatchObject({
      code: 'invalid_date',
      it: expect.stringContaining('AAAA-MM-GG'),
    });
    expect(ask(p, { newDueDate: localDateToIso(localDateOf(T0)) }).code).toBe('extension_not_later');
    expect(ask(p, { newDueDate: '2028-01-10' }).code).toBe('past_programme_end');
    expect(ask(p, { stepKey: 'training' }).code).toBe('step_not_active');
    expect(ask(p, { actor: sme }).code).toBe('role_not_allowed');
    expect(ask(p, { reason: '' }).code).toBe('reason_required');
    expect(() =>
      p.checkExtend({ stepKey: 'intake', newDueDate: later(p, 5), reason: 'Titolare in ferie', actor: consultant }),
    ).not.toThrow();
  });

  test('moves the due date to 18:00 of the new day, re-plans from now and tells the participants', () => {
    const p = enrolled();
    const previous = p.state.steps[0]!.dueAt!;
    const newDate = later(p, 10);
    const at = T0 + DAY;
    const outcome = p.extend(
      { stepKey: 'intake', newDueDate: newDate, reason: 'Titolare in ferie', actor: consultant },
      at,
    );
    const intake = p.state.steps[0]!;
    expect(intake).toMatchObject({ plan: 1, plannedFrom: at, dueAt: dueAtEndOfDay(parseIsoDate(newDate)) });
    expect(outcome.milestones[0]).toMatchObject({
      eventKey: 'extend:intake:r0p1',
      type: 'due_extended',
      dueAt: intake.dueAt,
      enrollment: { currentDueAt: intake.dueAt },
    });
    expect(outcome.notifications[0]).toMatchObject({
      key: 'enr-1:extended:intake:r0p1',
      template: 'due-date-extended',
      to: participants,
      context: {
        previousDueAt: previous,
        dueAt: intake.dueAt,
        reason: 'Titolare in ferie',
        actorName: 'Giulia Bianchi',
      },
    });
    const second = p.extend(
      { stepKey: 'intake', newDueDate: later(p, 1), reason: 'Ancora in ferie', actor: consultant },
      at,
    );
    expect(second.milestones[0]!.eventKey).toBe('extend:intake:r0p2');
  });
});

describe('reassign', () => {
  const paolo = { name: 'Paolo Neri', email: 'paolo.neri@consulenti.test' };

  test('refuses the first engine, the SME and the consultant already following', () => {
    expect(refusal(() => enrolled('legacy').checkReassign({ consultant: paolo, actor: coordinator })).code).toBe(
      'not_supported_for_this_run',
    );
    const p = enrolled();
    expect(refusal(() => p.checkReassign({ consultant: paolo, actor: sme })).code).toBe('role_not_allowed');
    const same = { name: 'G. B.', email: 'GIULIA.Bianchi@consulenti.test' };
    expect(refusal(() => p.checkReassign({ consultant: same, actor: coordinator })).code).toBe('consultant_unchanged');
    p.reassign({ consultant: paolo, actor: coordinator }, T0 + DAY);
    expect(refusal(() => p.checkReassign({ consultant: paolo, actor: coordinator })).code).toBe('consultant_unchanged');
    expect(() => p.checkReassign({ consultant: giulia, actor: coordinator })).not.toThrow();
  });

  test('the new consultant follows from now on: told what is in progress, named in later emails, escalated to', () => {
    const p = enrolled();
    const outcome = p.reassign({ consultant: paolo, actor: coordinator }, T0 + DAY);
    expect(p.state.consultant).toEqual(paolo);
    expect(outcome.milestones[0]).toMatchObject({
      eventKey: 'assign:1',
      type: 'consultant_assigned',
      note: paolo.email,
      enrollment: { status: 'active', currentStep: 'intake', consultant: paolo },
    });
    expect(outcome.notifications[0]).toMatchObject({
      key: 'enr-1:assigned:1',
      template: 'consultant-assigned',
      to: [{ ...paolo, locale: 'it' }],
      context: { consultantName: 'Paolo Neri', stepName: p.state.steps[0]!.name, dueAt: p.state.steps[0]!.dueAt },
    });
    expect(completeIntake(p).notifications[0]!.context.consultantEmail).toBe(paolo.email);
    const escalation = p.agenda(p.current()!, 0).find((i) => i.kind === 'step' && i.planned.type === 'escalation')!;
    expect(p.due(escalation).notice.to).toEqual([{ ...paolo, locale: 'it' }]);
    const back = p.reassign({ consultant: giulia, actor: coordinator }, T0 + 2 * DAY);
    expect(back.milestones[0]!.eventKey).toBe('assign:2');
    expect(back.notifications[0]!.key).toBe('enr-1:assigned:2');
  });
});

describe('withdraw', () => {
  test('refuses the first engine, a coordinator and a missing reason', () => {
    expect(refusal(() => enrolled('legacy').checkWithdraw({ reason: 'Cessata attività', actor: sme })).code).toBe(
      'not_supported_for_this_run',
    );
    const p = enrolled();
    expect(refusal(() => p.checkWithdraw({ reason: 'Cessata attività', actor: coordinator })).code).toBe(
      'role_not_allowed',
    );
    expect(refusal(() => p.checkWithdraw({ reason: ' ', actor: sme })).code).toBe('reason_required');
  });

  test('ends the pathway, and then every action is refused as closed', () => {
    const p = enrolled();
    const revision = p.revision;
    const at = T0 + DAY;
    const outcome = p.withdraw({ reason: 'Cessata attività', actor: sme }, at);
    expect(p.active).toBe(false);
    expect(p.revision).toBe(revision + 1);
    expect(outcome.milestones[0]).toMatchObject({
      eventKey: 'withdrawn',
      type: 'withdrawn',
      stepKey: 'intake',
      note: 'Cessata attività',
      enrollment: { status: 'withdrawn', currentStep: 'intake', currentDueAt: null },
    });
    expect(outcome.notifications[0]).toMatchObject({
      key: 'enr-1:withdrawn',
      template: 'enrollment-withdrawn',
      to: [...participants, giulia],
      context: { reason: 'Cessata attività', withdrawnAt: at },
    });
    expect(refusal(() => p.checkWithdraw({ reason: 'Cessata attività', actor: sme })).code).toBe('pathway_closed');
    expect(refusal(() => p.checkConfirm({ actor: sme })).code).toBe('pathway_closed');
    expect(
      refusal(() => p.checkReassign({ consultant: { name: 'X', email: 'x@y.test' }, actor: coordinator })).code,
    ).toBe('pathway_closed');
  });
});

describe('confirm', () => {
  test('only the SME confirms, once; nobody is emailed', () => {
    expect(refusal(() => enrolled('legacy').checkConfirm({ actor: sme })).code).toBe('not_supported_for_this_run');
    const p = enrolled();
    expect(refusal(() => p.checkConfirm({ actor: consultant })).code).toBe('role_not_allowed');
    const outcome = p.confirm({ actor: sme }, T0 + DAY);
    expect(p.state.confirmedAt).toBe(T0 + DAY);
    expect(outcome.milestones[0]).toMatchObject({
      eventKey: 'confirmed',
      type: 'participation_confirmed',
      actor: sme.id,
    });
    expect(outcome.notifications).toEqual([]);
    expect(refusal(() => p.checkConfirm({ actor: sme })).code).toBe('already_confirmed');
  });
});

describe('expire and finish', () => {
  test('at the hard end an open pathway expires, telling participants and consultant which step was open', () => {
    const p = enrolled();
    const step = p.current()!;
    const outcome = p.expire(step, p.hardEnd);
    expect(p.state.status).toBe('expired');
    expect(outcome.milestones[0]).toMatchObject({
      eventKey: 'expired',
      type: 'expired',
      stepKey: 'intake',
      actor: 'system',
      enrollment: { status: 'expired', currentStep: 'intake', currentDueAt: null },
    });
    expect(outcome.notifications[0]).toMatchObject({
      key: 'enr-1:expired',
      template: 'pathway-expired',
      to: [...participants, giulia],
      context: { stepName: step.name, expiredAt: programmeHardEnd('2027-12-31') },
    });
  });

  test('with every step done the pathway completes', () => {
    const p = enrolled();
    for (const step of congedoFlessibilita.steps)
      p.complete({ stepKey: step.key, actor: consultant, evidence: 'DOC' }, T0);
    const at = T0 + DAY;
    const outcome = p.finish(at);
    expect(p.state).toMatchObject({ status: 'completed', currentStep: null });
    expect(p.state.history.at(-1)).toEqual({ at, type: 'completed' });
    expect(outcome.milestones[0]).toMatchObject({
      eventKey: 'completed',
      type: 'completed',
      seq: p.state.history.length,
    });
    expect(outcome.notifications[0]).toMatchObject({
      key: 'enr-1:completed',
      template: 'pathway-completed',
      to: [...participants, giulia],
      context: { completedAt: at },
    });
  });
});

describe('agenda', () => {
  test('the step’s reminders, overdue notice, escalation and the programme-end warnings, soonest first', () => {
    const p = enrolled('agenda', terms(congedoFlessibilita, '2027-01-29'));
    const step = p.current()!;
    const items = p.agenda(step, 0);
    expect(items.map((i) => (i.kind === 'step' ? i.planned.type : `warning-${i.workingDaysLeft}`))).toEqual([
      'reminder-before',
      'reminder-before',
      'reminder-due-today',
      'overdue',
      'escalation',
      'warning-20',
      'warning-5',
    ]);
    expect(items.map((i) => i.at)).toEqual([...items.map((i) => i.at)].sort((a, b) => a - b));
    expect(items[0]!.key).toBe('enr-1:intake:reminder-before:-5');
    expect(items.every((i) => i.sendAt === undefined && i.at < p.hardEnd)).toBe(true);
    expect(items.at(-1)!.key).toBe('enr-1:programme-end:5');
  });

  test('with a lead each item is staged that much earlier, for its own time', () => {
    const p = enrolled();
    const lead = 15 * 60_000;
    const plain = p.agenda(p.current()!, 0);
    const staged = p.agenda(p.current()!, lead);
    expect(staged.map((i) => [i.key, i.at, i.sendAt])).toEqual(plain.map((i) => [i.key, i.at - lead, i.at]));
    const { notice } = p.due(staged[0]!);
    expect(notice.sendAt).toBe(plain[0]!.at);
  });

  test('leaves out what was sent, and a re-planned step gets keys of its own', () => {
    const p = enrolled();
    const [first, second] = p.agenda(p.current()!, 0);
    const sent = p.due(first!);
    p.noteSent(sent, { sent: 2 }, first!.at);
    expect(p.state.sent).toEqual([first!.key]);
    expect(p.state.history.at(-1)).toEqual({
      at: first!.at,
      type: 'notification',
      stepKey: 'intake',
      detail: 'reminder-before (2 sent)',
    });
    expect(p.agenda(p.current()!, 0)[0]!.key).toBe(second!.key);
    const newDueDate = localDateToIso(addWorkingDays(localDateOf(p.current()!.dueAt!), 10));
    p.extend({ stepKey: 'intake', newDueDate, reason: 'Titolare in ferie', actor: consultant }, first!.at);
    const replanned = p.agenda(p.current()!, 0).filter((i) => i.kind === 'step');
    expect(replanned.every((i) => i.key.startsWith('enr-1:intake:r0p1:'))).toBe(true);
  });

  test('nothing after the hard end: a step due at the programme’s end has no overdue notice or escalation', () => {
    const p = enrolled('agenda', terms(congedoFlessibilita, '2026-12-04'));
    const step = p.current()!;
    expect(step.dueAt).toBe(p.hardEnd);
    const types = p.agenda(step, 0).map((i) => (i.kind === 'step' ? i.planned.type : 'warning'));
    expect(types).not.toContain('overdue');
    expect(types).not.toContain('escalation');
  });

  test('an escalation goes to the consultant, a reminder to the participants, a warning to both with the open steps', () => {
    const p = enrolled('agenda', terms(congedoFlessibilita, '2027-01-29'));
    completeIntake(p);
    const items = p.agenda(p.current()!, 0);
    const of = (type: string) => items.find((i) => i.kind === 'step' && i.planned.type === type)!;
    expect(p.due(of('reminder-before')).notice).toMatchObject({
      template: 'step-reminder',
      to: participants,
      context: { when: 'before', daysOverdue: 0, stepName: p.current()!.name },
    });
    expect(p.due(of('reminder-due-today')).notice.context.when).toBe('due-today');
    expect(p.due(of('overdue')).notice).toMatchObject({ template: 'step-overdue', context: { daysOverdue: 1 } });
    expect(p.due(of('escalation')).notice).toMatchObject({
      template: 'escalation-consultant',
      to: [giulia],
      context: { daysOverdue: 3 },
    });
    const warning = p.due(items.find((i) => i.kind === 'programme-end')!);
    expect(warning.what).toBe('programme-end-warning (20)');
    expect(warning.stepKey).toBeUndefined();
    expect(warning.notice).toMatchObject({
      key: 'enr-1:programme-end:20',
      template: 'programme-end-warning',
      to: [...participants, giulia],
      context: {
        programmeName: 'Conciliazione 2026',
        programmeEndAt: p.hardEnd,
        workingDaysLeft: 20,
        openSteps: {
          it: congedoFlessibilita.steps
            .slice(1)
            .map((s) => s.name.it)
            .join(', '),
          en: expect.stringMatching(/^Work-life balance needs analysis, /),
        },
      },
    });
  });
});

describe('staged messages', () => {
  test('a change withdraws the step’s staged messages not yet due, and keeps the programme-end warnings', () => {
    const p = enrolled();
    expect(p.unstage(false, T0)).toEqual([]);
    expect(p.state.staged).toBeUndefined();
    const items = p.agenda(p.current()!, 15 * 60_000);
    const warning = items.find((i) => i.kind === 'programme-end')!;
    for (const item of [items[0]!, items[1]!, warning]) p.noteSent(p.due(item), { sent: 0, scheduled: 2 }, item.at);
    expect(p.state.history.at(-1)!.detail).toBe(
      `programme-end-warning (20) (2 staged for ${new Date(warning.sendAt!).toISOString()})`,
    );
    // The first reminder has gone by the time the step changes: only the second is withdrawn.
    const now = items[0]!.sendAt! + 1;
    expect(p.unstage(false, now)).toEqual([items[1]!.key]);
    expect(p.state.staged).toEqual([{ key: warning.key, at: warning.sendAt }]);
    expect(p.unstage(true, now)).toEqual([warning.key]);
    expect(p.state.staged).toEqual([]);
  });
});

describe('the first engine (legacy)', () => {
  // A step due some working days before the programme end: only the agenda engine knows that rule.
  const relative: PathwayDefinition = {
    ...congedoFlessibilita,
    steps: [{ ...congedoFlessibilita.steps[0]!, durationWorkingDays: 30, dueWorkingDaysBeforeProgrammeEnd: 10 }],
  };

  test('plans due dates from the duration alone, as its runs recorded', () => {
    const t = terms(relative, '2027-01-15');
    const agenda = enrolled('agenda', t).state.steps[0]!.dueAt!;
    const legacy = enrolled('legacy', t).state.steps[0]!.dueAt!;
    expect(legacy).toBe(stepDueAt(T0, 30, programmeHardEnd('2027-01-15'), 'monza'));
    expect(agenda).toBe(stepDueAtFor(relative.steps[0]!, T0, '2027-01-15', 'monza'));
    expect(agenda).toBeLessThan(legacy);
  });

  test('still completes steps, with the keys it always had', () => {
    const p = enrolled('legacy');
    expect(() => p.checkComplete({ stepKey: 'intake', actor: consultant })).not.toThrow();
    const outcome = completeIntake(p);
    expect(outcome.milestones[0]!.eventKey).toBe('step:intake');
    expect(outcome.notifications[0]!.key).toBe('enr-1:step-completed:intake');
  });
});

describe('keys', () => {
  test('the first plan of a step keeps the short form; later rounds and plans are told apart', () => {
    expect(mailKeys.stepNotification('e', { key: 's' }, 'overdue', 1)).toBe('e:s:overdue:1');
    expect(mailKeys.stepNotification('e', { key: 's', round: 1, plan: 0 }, 'overdue', 1)).toBe('e:s:r1p0:overdue:1');
    expect(mailKeys.stepNotification('e', { key: 's', round: 0, plan: 2 }, 'overdue', 1)).toBe('e:s:r0p2:overdue:1');
    expect(milestoneKeys.stepCompleted({ key: 's', round: 2 })).toBe('step:s:r2');
    expect(mailKeys.isProgrammeEndWarning('e', mailKeys.programmeEndWarning('e', 5))).toBe(true);
    expect(mailKeys.isProgrammeEndWarning('e', mailKeys.stepNotification('e', { key: 'intake' }, 'overdue', 1))).toBe(
      false,
    );
  });
});

describe('changeProgrammeEnd', () => {
  const decree = 'DGR XI/1017 del 17/12/2018';

  test('refuses a missing decree, a malformed or past date, a shortening unless forced, a closed pathway and the first engine', () => {
    const p = enrolled('agenda', terms(congedoFlessibilita, '2026-12-04'));
    const check = (req: { newEndsOn: string; decree: string; forced?: boolean }, now = T0) =>
      refusal(() => p.checkProgrammeEnd(req, now)).code;
    expect(check({ newEndsOn: '2027-03-31', decree: '  ' })).toBe('decree_required');
    expect(check({ newEndsOn: '31/03/2027', decree })).toBe('invalid_date');
    expect(check({ newEndsOn: '2026-11-20', decree, forced: true })).toBe('programme_end_in_past');
    expect(check({ newEndsOn: '2026-12-01', decree })).toBe('programme_shortening_not_forced');
    expect(() => p.checkProgrammeEnd({ newEndsOn: '2026-12-01', decree, forced: true }, T0)).not.toThrow();
    expect(() => p.checkProgrammeEnd({ newEndsOn: '2027-03-31', decree }, T0)).not.toThrow();
    p.withdraw({ reason: 'La società cessa l’attività', actor: consultant }, T0 + DAY);
    expect(check({ newEndsOn: '2027-03-31', decree })).toBe('pathway_closed');
    const legacy = enrolled('legacy');
    expect(refusal(() => legacy.checkProgrammeEnd({ newEndsOn: '2028-03-31', decree }, T0)).code).toBe(
      'not_supported_for_this_run',
    );
  });

  test('an extension lifts the cap of the step in progress, plans reminders and warnings anew, moves the expiry and tells everyone once', () => {
    // Intake lasts 10 working days from 23 November 2026: the programme ending 4 December caps it.
    const p = enrolled('agenda', terms(congedoFlessibilita, '2026-12-04'));
    const step = p.current()!;
    expect(step.dueAt).toBe(p.hardEnd);
    const capped = step.dueAt!;
    const at = T0 + 2 * DAY;
    const outcome = p.changeProgrammeEnd({ newEndsOn: '2027-03-31', decree, at });
    expect(p.hardEnd).toBe(programmeHardEnd('2027-03-31'));
    expect(p.state.programmeEndsOn).toBe('2027-03-31');
    const natural = stepDueAtFor(congedoFlessibilita.steps[0]!, T0, '2027-03-31', 'monza');
    expect(step.dueAt).toBe(natural);
    expect(natural).toBeGreaterThan(capped);
    expect(step).toMatchObject({ plan: 1, plannedFrom: at });
    expect(p.revision).toBe(1);
    expect(outcome.milestones).toEqual([
      expect.objectContaining({
        eventKey: milestoneKeys.programmeEndChanged(decree),
        type: 'programme_end_changed',
        stepKey: 'intake',
        dueAt: natural,
        occurredAt: at,
        note: `${decree}: 2026-12-04 -> 2027-03-31`,
        enrollment: { status: 'active', currentStep: 'intake', currentDueAt: natural },
      }),
    ]);
    expect(outcome.notifications).toEqual([
      expect.objectContaining({
        key: mailKeys.programmeEndChanged('enr-1', decree),
        template: 'programme-end-changed',
        to: [...participants, giulia],
        context: expect.objectContaining({
          decree,
          change: 'extension',
          previousEndAt: capped,
          programmeEndAt: p.hardEnd,
          previousDueAt: capped,
          dueAt: natural,
          dueMoved: 'later',
        }),
      }),
    ]);
    // The agenda now runs to the new end: the step's own overdue notice, and warnings of the new end.
    const items = p.agenda(step, 0);
    expect(items.some((i) => i.kind === 'step' && i.planned.type === 'overdue')).toBe(true);
    expect(items.filter((i) => i.kind === 'programme-end').map((i) => i.key)).toEqual([
      'enr-1:programme-end:2027-03-31:20',
      'enr-1:programme-end:2027-03-31:5',
    ]);
    expect(items.every((i) => i.at < p.hardEnd && i.at > at)).toBe(true);
    // The same decree again: nothing changes, nothing is recorded, nobody is told.
    const before = JSON.stringify(p.state);
    expect(p.changeProgrammeEnd({ newEndsOn: '2027-03-31', decree, at: at + DAY })).toEqual({
      milestones: [],
      notifications: [],
    });
    expect(JSON.stringify(p.state)).toBe(before);
    expect(p.revision).toBe(1);
    // Carried into a new run, the new end stays.
    const carried = new Pathway(terms(congedoFlessibilita, '2026-12-04'), 'agenda', p.carryOver());
    expect(carried.hardEnd).toBe(programmeHardEnd('2027-03-31'));
    expect(carried.changeProgrammeEnd({ newEndsOn: '2027-03-31', decree, at }).notifications).toEqual([]);
  });

  test('a forced shortening pulls a due date beyond the new end to it and says it moved earlier', () => {
    const p = enrolled('agenda', terms(congedoFlessibilita, '2027-12-31'));
    const step = p.current()!;
    const previousDueAt = step.dueAt!;
    const outcome = p.changeProgrammeEnd({ newEndsOn: '2026-11-30', decree, forced: true, at: T0 + DAY });
    expect(step.dueAt).toBe(programmeHardEnd('2026-11-30'));
    expect(outcome.milestones[0]!.note).toBe(`${decree}: 2027-12-31 -> 2026-11-30 (forced)`);
    expect(outcome.notifications[0]!.context).toMatchObject({
      change: 'shortening',
      previousDueAt,
      dueAt: programmeHardEnd('2026-11-30'),
      dueMoved: 'earlier',
    });
  });

  test('a manual extension stays put under a later end; warnings sent for the old end stay sent; staged ones of the old end are withdrawn', () => {
    const p = enrolled('agenda', terms(congedoFlessibilita, '2027-01-29'));
    const step = p.current()!;
    const newDueDate = localDateToIso(addWorkingDays(localDateOf(step.dueAt!), 5));
    p.extend({ stepKey: 'intake', newDueDate, reason: 'Titolare in ferie', actor: consultant }, T0 + DAY);
    const chosen = step.dueAt!;
    const lead = 15 * 60_000;
    const warning = p.agenda(step, lead).find((i) => i.kind === 'programme-end')!;
    p.noteSent(p.due(warning), { sent: 0, scheduled: 3 }, warning.at);
    expect(p.state.staged).toEqual([{ key: 'enr-1:programme-end:20', at: warning.sendAt }]);
    p.changeProgrammeEnd({ newEndsOn: '2027-06-30', decree, at: warning.at + 1 });
    expect(step.dueAt).toBe(chosen);
    expect(p.unstage(false, warning.at + 2)).toEqual(['enr-1:programme-end:20']);
    expect(p.state.sent).toContain('enr-1:programme-end:20');
    expect(
      p
        .agenda(step, lead)
        .filter((i) => i.kind === 'programme-end')
        .map((i) => i.key),
    ).toEqual(['enr-1:programme-end:2027-06-30:20', 'enr-1:programme-end:2027-06-30:5']);
  });

  test('without a decree the warnings keep the keys runs have recorded, and staged ones stay staged across a step change', () => {
    const p = enrolled('agenda', terms(congedoFlessibilita, '2027-01-29'));
    const warning = p.agenda(p.current()!, 60_000).find((i) => i.kind === 'programme-end')!;
    p.noteSent(p.due(warning), { sent: 0, scheduled: 3 }, warning.at);
    expect(p.unstage(false, warning.at)).toEqual([]);
  });
});
