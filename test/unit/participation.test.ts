/**
 * Who a step involves and who its reminders reach; the questionnaires as data; the personal links'
 * signature, expiry and per-form CSRF value; the participant views escape what people typed.
 */
import { CATALOGUE, congedoFlessibilita } from '../../domain/catalogue';
import { reminderRoles, stepParticipation, STEP_PARTICIPATION } from '../../domain/participation';
import { aggregateSurvey, findSurvey, parseSurveyAnswers, SURVEYS, surveyField } from '../../domain/surveys';
import { Pathway } from '../../domain/pathway';
import {
  checkParticipantFormCsrf,
  linkExpiresAt,
  parseParticipantLink,
  participantFormCsrf,
  participantLinkKey,
  signParticipantLink,
} from '../../client/participant-links';
import { anonymiseAfterDays } from '../../client/anonymise';
import { render } from '../../client/web/render';
import { h } from 'preact';
import { ParticipantPage, LinkRefusedPage } from '../../client/web/views/participant';
import { programmeHardEnd } from '../../domain/schedule';

describe('step participation', () => {
  it('names only steps and surveys that exist', () => {
    for (const [kind, steps] of Object.entries(STEP_PARTICIPATION)) {
      const def = CATALOGUE[kind];
      expect(def).toBeDefined();
      for (const [key, p] of Object.entries(steps)) {
        expect({ kind, key, exists: def!.steps.some((s) => s.key === key) }).toEqual({ kind, key, exists: true });
        if (p.survey) expect(findSurvey(p.survey)).toBeDefined();
      }
    }
  });

  it('reminds the consultant alone for a consultant-only step, and those involved otherwise', () => {
    expect(reminderRoles(congedoFlessibilita, { key: 'plan-drafted' })).toBeNull();
    expect(reminderRoles(congedoFlessibilita, { key: 'training' })).toEqual(['owner', 'hr', 'employee']);
    // The plan is signed by the firm: owner and HR contact.
    expect(reminderRoles(congedoFlessibilita, { key: 'plan-adopted' })).toEqual(['owner', 'hr']);
    expect(stepParticipation('congedo-flessibilita', 'constructor')).toBeNull();
  });

  const terms = {
    enrollmentId: 'e1',
    definition: congedoFlessibilita,
    programme: { code: 'p', endsOn: '2027-12-15' },
    company: { name: 'Tessitura', city: 'monza' },
    consultant: { name: 'Giulia Bianchi', email: 'giulia@c.test' },
    participants: [{ name: 'Marco', email: 'marco@t.test', locale: 'it' as const }],
  };
  const planned = { type: 'reminder-before', offset: 1, at: 0 } as never;

  it('addresses reminders by role only in runs that took the patch', () => {
    const old = new Pathway(terms, 'agenda');
    old.enroll(Date.UTC(2026, 11, 1, 9));
    const drafting = old.state.steps.find((s) => s.key === 'plan-drafted')!;
    expect(old.stepNotice({ ...drafting, dueAt: 1 }, planned, 'k').notice.to).toEqual(terms.participants);

    const byRole = new Pathway(terms, 'agenda');
    byRole.recipientsByRole = true;
    byRole.enroll(Date.UTC(2026, 11, 1, 9));
    const consultantOnly = byRole.stepNotice({ ...drafting, dueAt: 1 }, planned, 'k').notice;
    expect(consultantOnly.to).toEqual([{ name: 'Giulia Bianchi', email: 'giulia@c.test', locale: 'it' }]);
    expect(consultantOnly.participantRoles).toBeUndefined();
    const training = byRole.state.steps.find((s) => s.key === 'training')!;
    const forAll = byRole.stepNotice({ ...training, dueAt: 1 }, planned, 'k').notice;
    expect(forAll.to).toEqual([]);
    expect(forAll.participantRoles).toEqual(['owner', 'hr', 'employee']);
    // Escalations stay the consultant's.
    const escalation = byRole.stepNotice(
      { ...training, dueAt: 1 },
      { type: 'escalation', offset: 3, at: 0 } as never,
      'k',
    );
    expect(escalation.notice.to).toEqual([{ name: 'Giulia Bianchi', email: 'giulia@c.test', locale: 'it' }]);
  });
});

describe('surveys', () => {
  const survey = SURVEYS['needs-v1']!;
  const full = Object.fromEntries(
    survey.questions.map((q) =>
      q.type === 'single' ? [surveyField(q), q.options[0]!.id] : [surveyField(q, q.options[1]!.id), 'on'],
    ),
  );

  it('takes an answer to every question, only among its options', () => {
    expect(parseSurveyAnswers(survey, full)).toEqual({
      answers: Object.fromEntries(survey.questions.map((q) => [q.id, [q.options[q.type === 'single' ? 0 : 1]!.id]])),
    });
    expect(parseSurveyAnswers(survey, { ...full, q_difficulty: 'extreme' })).toEqual({ missing: ['difficulty'] });
    expect(parseSurveyAnswers(survey, {})).toEqual({ missing: survey.questions.map((q) => q.id) });
  });

  it('hides results below three answers and counts each option from there', () => {
    const one = JSON.stringify({ difficulty: ['high'], care: ['children', 'elderly'] });
    expect(aggregateSurvey(survey, [one, one])).toEqual({ responses: 2, questions: null });
    const shown = aggregateSurvey(survey, [one, one, JSON.stringify({ difficulty: ['low'], care: ['none'] })]);
    const count = (q: string, o: string) =>
      shown.questions!.find((x) => x.id === q)!.options.find((x) => x.id === o)!.count;
    expect([
      count('difficulty', 'high'),
      count('difficulty', 'low'),
      count('care', 'elderly'),
      count('care', 'none'),
    ]).toEqual([2, 1, 2, 1]);
  });
});

describe('personal links', () => {
  const key = participantLinkKey('x'.repeat(40));

  it('are signed over both ids and the nonce', () => {
    const token = signParticipantLink(key, { enrollmentId: 'enr1', participantId: 'par1', nonce: null });
    expect(parseParticipantLink(token)).toMatchObject({ enrollmentId: 'enr1', participantId: 'par1' });
    expect(token).not.toBe(signParticipantLink(key, { enrollmentId: 'enr1', participantId: 'par1', nonce: 'n2' }));
    expect(token).not.toBe(signParticipantLink(key, { enrollmentId: 'enr2', participantId: 'par1', nonce: null }));
    for (const bad of ['', 'a.b', 'a.b.c.d', 'a/b.c.d', `enr1.par1.${'x'.repeat(42)}`])
      expect(parseParticipantLink(bad)).toBeNull();
  });

  it('expire with the edition, or 30 days after the pathway closed', () => {
    expect(linkExpiresAt({ status: 'active', completedAt: null }, '2027-12-15')).toBe(programmeHardEnd('2027-12-15'));
    const closed = new Date(Date.UTC(2027, 0, 10));
    expect(linkExpiresAt({ status: 'completed', completedAt: closed }, '2027-12-15')).toBe(
      closed.getTime() + 30 * 86400_000,
    );
  });

  it('bind each form to its link', () => {
    const csrf = participantFormCsrf(key, 'tok', 'survey');
    expect(checkParticipantFormCsrf(key, 'tok', 'survey', csrf)).toBe(true);
    expect(checkParticipantFormCsrf(key, 'tok', 'attendance', csrf)).toBe(false);
    expect(checkParticipantFormCsrf(key, 'tok2', 'survey', csrf)).toBe(false);
    expect(checkParticipantFormCsrf(key, 'tok', 'survey', undefined)).toBe(false);
  });

  it('ANONYMISE_AFTER_DAYS is whole days, 365 by default', () => {
    expect(anonymiseAfterDays({})).toBe(365);
    expect(anonymiseAfterDays({ ANONYMISE_AFTER_DAYS: '30' })).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'soon', '99999'])
      expect(() => anonymiseAfterDays({ ANONYMISE_AFTER_DAYS: bad })).toThrow(/ANONYMISE_AFTER_DAYS/);
  });
});

describe('participant views', () => {
  it('escape names and texts', () => {
    const html = render(
      h(ParticipantPage, {
        locale: 'it',
        here: '/p/t',
        token: 't',
        csrf: { attendance: 'a', acknowledge: 'b', survey: 'c', upload: 'd' },
        flash: null,
        upload: { label: 'Piano <firmato>', uploaded: [{ filename: '<img src=x>.pdf', when: 'oggi' }] },
        uploadError: null,
        name: '<script>alert(1)</script>',
        role: 'employee',
        companyName: 'A & B "srl"',
        pathwayName: 'P',
        programmeName: 'X',
        closed: false,
        steps: [],
        current: null,
        consultant: { name: '<b>G</b>', email: 'g@c.test' },
        sessions: [],
        acknowledgement: null,
        survey: null,
        hasCalendar: false,
      }),
    );
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script>');
    expect(html).not.toContain('<b>G</b>');
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('action="/p/t/documenti?csrf=d"');
    expect(render(h(LinkRefusedPage, { locale: 'en', reason: 'revoked' }))).toContain('revoked');
  });
});
