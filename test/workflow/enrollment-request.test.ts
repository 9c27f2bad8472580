/**
 * The request workflow on the time-skipping server, with the real worker, dispatcher and SMTP
 * catcher: the coordinators are told at once, reminded after 3 working days (not before), the
 * Region's administrators are told after 10, and the decision (an Update) starts the pathway and
 * invites the declarant; a decision that cannot be applied is refused and the request still waits.
 */
import { addWorkingDays, localDateOf, workingDayAt } from '../../domain/calendar';
import { confirmRequest, createRequest, decideRequest } from '../../client/front/requests';
import type { Principal } from '../../client/auth/principal';
import { requestStageQuery, requestWorkflowId } from '../../workflows/enrollment-request-messages';
import { atRest, PUBLIC_URL, startTimeSkippingStack, stopTimeSkippingStack, until } from '../support/fixtures';
import { validVat } from '../support/front-door';

let stack: Partial<Awaited<ReturnType<typeof startTimeSkippingStack>>> = {};
const HOUR = 3600_000;

beforeAll(async () => {
  stack = await startTimeSkippingStack('request-workflow');
  const { db } = stack;
  await db!.user.createMany({
    data: [
      { email: 'laura@ats-brianza.test', name: 'Laura Ferrari', role: 'coordinator', atsCode: 'ats-brianza' },
      { email: 'elena@ats-milano.test', name: 'Elena Galli', role: 'coordinator', atsCode: 'ats-milano' },
      { email: 'regione@lombardia.test', name: 'Anna Moretti', role: 'admin' },
      { email: 'francesca@consulenti.test', name: 'Francesca Villa', role: 'consultant', atsCode: 'ats-brianza' },
    ],
  });
});

afterAll(async () => {
  await stopTimeSkippingStack(stack);
});

const input = (email: string, vatNumber = validVat()) => ({
  programme: 'demo-2026-2027',
  kind: 'lavoro-flessibile',
  company: {
    name: 'Tessitura Brianzola S.r.l.',
    registered: true,
    vatNumber,
    province: 'MB',
    city: 'Monza',
    sector: 'industria',
    staff: 12,
    turnoverCents: 150_000_000,
    balanceSheetCents: 90_000_000,
  },
  declarant: { name: 'Marco Rossi', email, locale: 'it' },
  participants: [],
  privacyAcknowledged: true,
});

const coordinator = async (): Promise<Principal> => {
  const u = await stack.db!.user.findUniqueOrThrow({ where: { email: 'laura@ats-brianza.test' } });
  return {
    userId: u.id,
    email: u.email,
    name: u.name,
    role: 'coordinator',
    atsCode: u.atsCode,
    companyId: null,
    locale: 'it',
    via: 'token',
  };
};

const mails = (to: string, subject: string) =>
  stack.catcher!.messages().filter((m) => m.to.includes(to) && m.subject.includes(subject));

it('tells the coordinators at once, reminds them after 3 working days, escalates after 10, then applies the decision', async () => {
  const { env, db, service } = stack as Required<typeof stack>;
  const declarant = 'marco.rossi@tessitura.test';
  const { token } = await createRequest({ db, programmes: service.programmes }, input(declarant), {
    ip: '127.0.0.1',
    baseUrl: PUBLIC_URL,
  });
  const confirmedAt = await env.currentTimeMs();
  const row = await confirmRequest({ db, temporal: env.client, taskQueue: 'request-workflow' }, token, confirmedAt);
  const wf = requestWorkflowId(row.id);
  await until('coordinator told', () => mails('laura@ats-brianza.test', 'Nuova richiesta di adesione').length === 1);
  expect(mails('elena@ats-milano.test', '')).toHaveLength(0);
  expect(mails('regione@lombardia.test', '')).toHaveLength(0);

  const day = localDateOf(confirmedAt);
  const remindAt = workingDayAt(addWorkingDays(day, 3), 9);
  const escalateAt = workingDayAt(addWorkingDays(day, 10), 9);
  await atRest(env, wf);
  await env.sleep(remindAt - (await env.currentTimeMs()) - HOUR);
  await atRest(env, wf);
  expect(mails('laura@ats-brianza.test', 'Promemoria')).toHaveLength(0);
  await env.sleep(2 * HOUR);
  await until('reminder', () => mails('laura@ats-brianza.test', 'Promemoria: richiesta in attesa').length === 1);
  expect(await env.client.workflow.getHandle(wf).query(requestStageQuery)).toBe('reminded');
  await atRest(env, wf);
  expect(mails('regione@lombardia.test', '')).toHaveLength(0);
  await env.sleep(escalateAt - (await env.currentTimeMs()) + HOUR);
  await until(
    'escalation',
    () => mails('regione@lombardia.test', 'Richiesta di adesione senza decisione').length === 1,
  );
  const escalation = mails('regione@lombardia.test', 'senza decisione')[0]!;
  expect(escalation.text).toContain(`${PUBLIC_URL}/app/requests/${row.id}`);
  expect(escalation.text).toContain('amministri il programma');
  await atRest(env, wf);

  const outcome = await decideRequest({ db, temporal: env.client }, await coordinator(), row.id, {
    decision: 'accept',
    consultantEmail: 'francesca@consulenti.test',
  });
  expect(outcome.status).toBe('accepted');
  const enrollment = await db.enrollment.findUniqueOrThrow({ where: { id: outcome.enrollmentId! } });
  expect(enrollment).toMatchObject({ kind: 'lavoro-flessibile', consultantEmail: 'francesca@consulenti.test' });
  expect(await db.enrollment.count({ where: { idempotencyKey: { contains: `request:${row.id}` } } })).toBe(1);
  await until('invitation', () => mails(declarant, 'Il tuo accesso').length === 1);
  await until('outcome', () => mails(declarant, 'Richiesta accettata').length === 1);
  await until('consultant notice', () => mails('francesca@consulenti.test', 'Nuova impresa da seguire').length === 1);
  expect(await env.client.workflow.getHandle(wf).result()).toEqual(outcome);
  // Nothing twice: one reminder, one escalation, one invitation.
  expect(mails('laura@ats-brianza.test', 'Promemoria')).toHaveLength(1);
  expect(mails('regione@lombardia.test', '')).toHaveLength(1);
  await atRest(env, enrollment.workflowId);
  await env.client.workflow.getHandle(enrollment.workflowId).terminate('test over');
});

it('refuses a decision it cannot apply with the reason, and the request goes on waiting', async () => {
  const { env, db, service } = stack as Required<typeof stack>;
  // Two requests for the same firm and pathway: once one is accepted, the other cannot be.
  const vat = validVat();
  const at = new Date(await env.currentTimeMs());
  const first = await createRequest({ db, programmes: service.programmes }, input('a@firma.test', vat), {
    ip: '127.0.0.1',
    baseUrl: PUBLIC_URL,
    now: at,
  });
  const second = await createRequest({ db, programmes: service.programmes }, input('b@firma.test', vat), {
    ip: '127.0.0.1',
    baseUrl: PUBLIC_URL,
    now: at,
  });
  const temporal = { db, temporal: env.client, taskQueue: 'request-workflow' };
  const a = await confirmRequest(temporal, first.token, at.getTime());
  const b = await confirmRequest(temporal, second.token, at.getTime());
  const c = await coordinator();
  const accepted = await decideRequest({ db, temporal: env.client }, c, a.id, {
    decision: 'accept',
    consultantEmail: 'francesca@consulenti.test',
  });
  await expect(
    decideRequest({ db, temporal: env.client }, c, b.id, {
      decision: 'accept',
      consultantEmail: 'francesca@consulenti.test',
    }),
  ).rejects.toMatchObject({ code: 'already_enrolled' });
  expect((await db.enrollmentRequest.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('awaiting_decision');
  const declined = await decideRequest({ db, temporal: env.client }, c, b.id, {
    decision: 'decline',
    reason: 'La stessa impresa è già iscritta a questo percorso',
  });
  expect(declined.status).toBe('declined');
  const e = await db.enrollment.findUniqueOrThrow({ where: { id: accepted.enrollmentId! } });
  await atRest(env, e.workflowId);
  await env.client.workflow.getHandle(e.workflowId).terminate('test over');
});
