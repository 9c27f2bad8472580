/**
 * Digests, scheduled reports and send windows against a real SMTP server on loopback and a real
 * SQLite database. The activities are called directly, as the scheduled workflows call them.
 */
import { simpleParser } from 'mailparser';
import { dialectOfDb, type Db } from '../../infra/db';
import { createDigestActivities, weekStartIso } from '../../activities/digests';
import type { MailCatcher } from '../../mail/mail-catcher';
import { createMailActivities, sendWindowDelay } from '../../activities/outbox';
import { createReportDeliveryActivities } from '../../activities/report-delivery';
import { milestoneReport } from '../../reports/milestones';
import { romeToEpochMs } from '../../domain/calendar';
import { createTestDb, PUBLIC_URL, startSmtp, testMailActivities, transportFor } from '../support/fixtures';

const MONDAY = romeToEpochMs(2026, 11, 23, 8, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let db: Db;
let catcher: MailCatcher;
let transport: ReturnType<typeof transportFor>;
let mail: ReturnType<typeof createMailActivities>;
let digests: ReturnType<typeof createDigestActivities>;
let reports: ReturnType<typeof createReportDeliveryActivities>;
let seq = 0;

async function company(name: string, province: string, atsCode: string) {
  return db.company.create({
    data: {
      name,
      vatNumber: String(20_000_000_000 + seq++),
      province,
      atsCode,
      sector: 'servizi',
      size: 'small',
      staff: 12,
    },
  });
}

type Place = { name: string; province: string; atsCode: string };

async function enrollment(opts: {
  at: Place;
  consultant: string;
  dueAt: number | null;
  status?: string;
  kind?: string;
  step?: string;
}) {
  const c = await company(opts.at.name, opts.at.province, opts.at.atsCode);
  return db.enrollment.create({
    data: {
      idempotencyKey: `dg-${seq++}`,
      requestHash: 'x',
      programmeCode: 'demo-2026-2027',
      kind: opts.kind ?? 'congedo-flessibilita',
      catalogueVersion: 1,
      companyId: c.id,
      consultantEmail: opts.consultant,
      consultantName: opts.consultant.split('@')[0]!,
      workflowId: `wf-dg-${seq++}`,
      status: opts.status ?? 'active',
      currentStep: opts.step ?? 'needs-analysis',
      currentDueAt: opts.dueAt === null ? null : new Date(opts.dueAt),
    },
  });
}

beforeAll(async () => {
  ({ db } = createTestDb());
  catcher = await startSmtp();
  transport = transportFor(catcher);
  mail = testMailActivities(db, transport, { digestThreshold: 3, now: () => MONDAY });
  digests = createDigestActivities({ db, publicUrl: PUBLIC_URL, notify: mail.notify });
  reports = createReportDeliveryActivities({ db, dialect: dialectOfDb(db), notify: mail.notify });

  const milano: Place = { name: 'Tessitura Milanese', province: 'MI', atsCode: 'ats-milano' };
  const bergamo: Place = { name: 'Caseificio Orobico', province: 'BG', atsCode: 'ats-bergamo' };
  // Giulia: two overdue, one due today, one due in three working days, one far away, one closed.
  await enrollment({ at: milano, consultant: 'giulia@studio.test', dueAt: MONDAY - 3 * DAY });
  await enrollment({ at: bergamo, consultant: 'giulia@studio.test', dueAt: MONDAY - 1 * HOUR });
  await enrollment({
    at: milano,
    consultant: 'giulia@studio.test',
    dueAt: MONDAY + 10 * HOUR,
    kind: 'lavoro-flessibile',
    step: 'intake',
  });
  await enrollment({ at: bergamo, consultant: 'giulia@studio.test', dueAt: MONDAY + 3 * DAY + 10 * HOUR });
  await enrollment({ at: milano, consultant: 'giulia@studio.test', dueAt: MONDAY + 30 * DAY });
  await enrollment({
    at: milano,
    consultant: 'giulia@studio.test',
    dueAt: MONDAY - 9 * DAY,
    status: 'completed',
  });
  // Paolo: one overdue (English-speaking user), Marta: nothing due soon, so no digest.
  await enrollment({ at: milano, consultant: 'paolo@studio.test', dueAt: MONDAY - 2 * DAY });
  await enrollment({ at: bergamo, consultant: 'marta@studio.test', dueAt: MONDAY + 40 * DAY });
  await db.user.createMany({
    data: [
      { email: 'paolo@studio.test', name: 'Paolo Rossi', role: 'consultant', locale: 'en' },
      { email: 'elena@ats-milano.test', name: 'Elena Sala', role: 'coordinator', atsCode: 'ats-milano' },
      { email: 'john@ats-milano.test', name: 'John Smith', role: 'coordinator', atsCode: 'ats-milano', locale: 'en' },
      { email: 'bruno@ats-bergamo.test', name: 'Bruno Gatti', role: 'coordinator', atsCode: 'ats-bergamo' },
      {
        email: 'old@ats-milano.test',
        name: 'Ex Coordinatore',
        role: 'coordinator',
        atsCode: 'ats-milano',
        disabledAt: new Date(),
      },
      { email: 'regione@regione.test', name: 'Anna Regione', role: 'admin' },
    ],
  });
});

afterAll(async () => {
  transport?.close();
  await catcher?.stop();
  await db?.$disconnect();
});

beforeEach(() => catcher.clear());

describe('daily consultant digest', () => {
  it('sends one email per consultant with something due, grouped overdue / today / soon, and nothing twice', async () => {
    const first = await digests.sendConsultantDigests({ asOf: MONDAY });
    expect(first).toMatchObject({ recipients: 2, sent: 2, alreadySent: 0 });
    const messages = catcher.messages();
    expect(messages.map((m) => m.to[0]).sort()).toEqual(['giulia@studio.test', 'paolo@studio.test']);

    const giulia = messages.find((m) => m.to[0] === 'giulia@studio.test')!;
    expect(giulia.text).toContain('IN RITARDO (2)');
    expect(giulia.text).toContain('IN SCADENZA OGGI (1)');
    expect(giulia.text).toContain('IN SCADENZA NEI PROSSIMI GIORNI (1)');
    expect(giulia.text).toContain('Caseificio Orobico');
    expect(giulia.text).toContain('lunedì 23 novembre 2026');
    // The pathway due in 30 days and the completed one are not listed: four items in all.
    expect(giulia.text.match(/http:\/\/conciliaflow\.test\/enrollments\//g)).toHaveLength(4);

    const paolo = messages.find((m) => m.to[0] === 'paolo@studio.test')!;
    expect(paolo.text).toMatch(/overdue/i);
    expect(paolo.text).not.toContain('IN RITARDO');

    const again = await digests.sendConsultantDigests({ asOf: MONDAY + HOUR });
    expect(again).toMatchObject({ sent: 0, alreadySent: 2 });
    expect(catcher.messages()).toHaveLength(2);
  });

  it('does not run on a Saturday nor on a public holiday', async () => {
    expect(await digests.sendConsultantDigests({ asOf: romeToEpochMs(2026, 11, 28, 8) })).toMatchObject({
      skipped: 'not a working day',
      sent: 0,
    });
    expect(await digests.sendConsultantDigests({ asOf: romeToEpochMs(2026, 12, 8, 8) })).toMatchObject({
      skipped: 'not a working day',
    });
    expect(catcher.messages()).toHaveLength(0);
  });

  it('folds single escalations into the digest once a consultant has three overdue pathways', async () => {
    const escalate = (key: string, consultant: string) =>
      mail.notify({
        key,
        template: 'escalation-consultant',
        to: [{ name: consultant, email: consultant, locale: 'it' }],
        context: {
          companyName: 'Tessitura Milanese',
          pathwayName: { it: 'Congedi', en: 'Leave' },
          stepName: { it: 'Analisi', en: 'Analysis' },
          consultantName: consultant,
          consultantEmail: consultant,
          dueAt: MONDAY - 3 * DAY,
          daysOverdue: 3,
        },
      });
    // Giulia has 2 overdue pathways: escalations still go one by one.
    expect(await escalate('esc-g-1', 'giulia@studio.test')).toMatchObject({ sent: 1 });
    const third: Place = { name: 'Mobilificio Brianza', province: 'MB', atsCode: 'ats-brianza' };
    await enrollment({ at: third, consultant: 'giulia@studio.test', dueAt: MONDAY - 5 * DAY });
    // Now 3: the escalation is recorded as digested and not sent, also when retried.
    expect(await escalate('esc-g-2', 'giulia@studio.test')).toMatchObject({ sent: 0, digested: 1 });
    expect(await escalate('esc-g-2', 'giulia@studio.test')).toMatchObject({ sent: 0, digested: 1 });
    expect(catcher.messages()).toHaveLength(1);
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'esc-g-2:giulia@studio.test' } });
    expect(row.status).toBe('digested');
  });
});

describe('weekly coordinator digest', () => {
  it("lists each network's overdue pathways to its active coordinators, in their language", async () => {
    const result = await digests.sendCoordinatorDigests({ asOf: MONDAY });
    expect(result).toMatchObject({ recipients: 3, sent: 3 });
    const byTo = new Map(catcher.messages().map((m) => [m.to[0], m]));
    expect([...byTo.keys()].sort()).toEqual([
      'bruno@ats-bergamo.test',
      'elena@ats-milano.test',
      'john@ats-milano.test',
    ]);
    const elena = byTo.get('elena@ats-milano.test')!;
    // Milano: Giulia's 3-day overdue and Paolo's 2-day overdue pathways; not Bergamo's.
    expect(elena.text).toContain(
      '2 percorsi della rete ATS della Città Metropolitana di Milano hanno attività in ritardo',
    );
    expect(elena.text).toContain('Ritardo: 3 giorni');
    expect(elena.text).not.toContain('Caseificio Orobico');
    expect(byTo.get('john@ats-milano.test')!.text).toMatch(/week of/i);
    expect(byTo.get('bruno@ats-bergamo.test')!.text).toContain('Caseificio Orobico');

    expect(await digests.sendCoordinatorDigests({ asOf: MONDAY + 2 * DAY })).toMatchObject({ sent: 0, alreadySent: 3 });
  });

  it('keys the week by its Monday in Rome', () => {
    expect(weekStartIso(romeToEpochMs(2026, 11, 29, 23, 30))).toBe('2026-11-23');
    expect(weekStartIso(romeToEpochMs(2026, 11, 30, 0, 30))).toBe('2026-11-30');
  });
});

describe('scheduled milestone reports', () => {
  it('emails the network report to its coordinators with the CSV attached and a summary in the body', async () => {
    const result = await reports.sendMilestoneReport({
      target: { scope: 'network', atsCode: 'ats-milano' },
      asOf: MONDAY,
    });
    const expected = await milestoneReport(db, dialectOfDb(db), { by: 'kind', atsCode: 'ats-milano', asOf: MONDAY });
    expect(result).toMatchObject({ recipients: 2, sent: 2, enrollments: expected.total.enrollments });
    const elena = catcher.messages().find((m) => m.to[0] === 'elena@ats-milano.test')!;
    expect(elena.subject).toContain('Avanzamento settimanale dei percorsi');
    expect(elena.text).toContain(`${expected.total.enrollments} adesioni: ${expected.total.active} in corso`);
    expect(elena.attachments).toEqual([
      expect.objectContaining({ filename: 'traguardi-ats-milano-2026-11-23.csv', contentType: 'text/csv' }),
    ]);
    const parsed = await simpleParser(elena.raw);
    const csv = parsed.attachments[0]!.content.toString('utf8').trim().split('\r\n');
    expect(csv[0]!.startsWith('group,label,enrollments')).toBe(true);
    expect(csv.at(-1)!.split(',')[2]).toBe(String(expected.total.enrollments));

    const retry = await reports.sendMilestoneReport({
      target: { scope: 'network', atsCode: 'ats-milano' },
      asOf: MONDAY,
    });
    expect(retry).toMatchObject({ sent: 0, alreadySent: 2 });
  });

  it('emails the regional report to the admins, by network', async () => {
    const result = await reports.sendMilestoneReport({ target: { scope: 'region' }, asOf: MONDAY });
    expect(result).toMatchObject({ recipients: 1, sent: 1 });
    const [message] = catcher.messages();
    expect(message!.to).toEqual(['regione@regione.test']);
    const parsed = await simpleParser(message!.raw);
    const csv = parsed.attachments[0]!.content.toString('utf8');
    expect(csv).toContain('ats-milano,ATS della Città Metropolitana di Milano');
    expect(csv).toContain('ats-bergamo,ATS di Bergamo');
  });

  it('sends nothing and says why when a network has no coordinator', async () => {
    const result = await reports.sendMilestoneReport({
      target: { scope: 'network', atsCode: 'ats-pavia' },
      asOf: MONDAY,
    });
    expect(result).toMatchObject({ recipients: 0, sent: 0, skipped: 'no coordinator users to send to' });
  });
});

describe('send window at send time', () => {
  const friday1750 = romeToEpochMs(2026, 11, 27, 17, 50);
  it('a reminder that runs late on Saturday waits until Monday 09:00', () => {
    const saturday = romeToEpochMs(2026, 11, 28, 10, 0);
    expect(saturday + sendWindowDelay('step-reminder', friday1750, saturday)).toBe(romeToEpochMs(2026, 11, 30, 9, 0));
  });
  it('a reminder a few minutes late, or late but inside office hours, goes now', () => {
    expect(sendWindowDelay('step-reminder', friday1750, friday1750 + 5 * 60_000)).toBe(0);
    expect(sendWindowDelay('step-reminder', friday1750, romeToEpochMs(2026, 11, 30, 11, 0))).toBe(0);
  });
  it('messages caused by a person (a completed step) are not held back', () => {
    expect(sendWindowDelay('step-completed', friday1750, romeToEpochMs(2026, 11, 28, 10, 0))).toBe(0);
  });
  it('after 18:00 a late reminder waits for the next working morning, skipping a holiday', () => {
    // Monday 7 December 2026 at 19:00; 8 December is a national holiday.
    const late = romeToEpochMs(2026, 12, 7, 19, 0);
    expect(late + sendWindowDelay('step-overdue', late - HOUR, late)).toBe(romeToEpochMs(2026, 12, 9, 9, 0));
  });
});
