/**
 * The outbox against a real SMTP server on loopback and a real SQLite database: transient
 * refusals retried exactly once, permanent ones recorded and escalated, calendar attachments,
 * opt-out links. The activity is called directly, as a retrying worker would call it.
 */
import { simpleParser } from 'mailparser';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { createMailActivities } from '../../activities/outbox';
import { signPreferenceToken, verifyPreferenceToken } from '../../mail/preferences';
import type { NotifyInput } from '../../activities/types';
import { isWithinSendWindow, romeToEpochMs } from '../../domain/calendar';
import { congedoFlessibilita } from '../../domain/catalogue';
import { notificationPlan } from '../../domain/schedule';
import { PREFERENCES_SECRET, reminderInput, startOutboxBed } from '../support/fixtures';

let db: Db;
let catcher: MailCatcher;
let mail: ReturnType<typeof createMailActivities>;
let enrollmentId: string;

let bed: Awaited<ReturnType<typeof startOutboxBed>> | undefined;

beforeAll(async () => {
  bed = await startOutboxBed({
    company: 'Panificio Sala',
    vatNumber: '09876543210',
    owner: { name: 'Rita Sala', email: 'rita@panificio.test' },
    key: 'notif-test-0001',
  });
  ({ db, catcher, mail, enrollmentId } = bed);
});

afterAll(() => bed?.stop());

const reminder = (key: string, email = 'rita@panificio.test'): NotifyInput<'step-reminder'> =>
  reminderInput({ key, enrollmentId, to: { name: 'Rita Sala', email }, companyName: 'Panificio Sala' });

test('a server that refuses for a while and then accepts gets the message exactly once, with a calendar file', async () => {
  catcher.setFailure({ code: 451, message: 'Temporary local problem, try later' });
  await expect(mail.notify(reminder('tmp-1'))).rejects.toMatchObject({ responseCode: 451 });
  await expect(mail.notify(reminder('tmp-1'))).rejects.toMatchObject({ responseCode: 451 });
  catcher.setFailure(null);
  expect(await mail.notify(reminder('tmp-1'))).toMatchObject({ sent: 1 });
  // The activity retried once more (say the worker died before recording): nothing new goes out.
  expect(await mail.notify(reminder('tmp-1'))).toMatchObject({ sent: 0, alreadySent: 1 });
  const received = catcher.messages().filter((m) => m.headers['x-conciliaflow-key']?.startsWith('tmp-1:'));
  expect(received).toHaveLength(1);
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'tmp-1:rita@panificio.test' } });
  expect(row).toMatchObject({ status: 'sent', attempts: 3 });
  expect(received[0]!.messageId).toBe(row.messageId);
  const parsed = await simpleParser(received[0]!.raw);
  const ics = parsed.attachments.find((a) => a.filename === 'scadenza.ics');
  expect(ics?.contentType).toBe('text/calendar');
  const text = ics!.content.toString('utf8');
  expect(text).toContain('DTEND:20261204T170000Z');
  expect(text).toContain('SUMMARY:Scadenza: Attivazione del servizio – Panificio Sala');
  expect(received[0]!.text).toContain('venerdì 4 dicembre 2026');
});

test('a permanent refusal is recorded, not retried, and the consultant is told', async () => {
  catcher.setFailure({ code: 550, message: 'Mailbox unavailable', only: ['nobody@panificio.test'] });
  const result = await mail.notify(reminder('perm-1', 'nobody@panificio.test'));
  catcher.setFailure(null);
  expect(result.failed).toEqual([{ email: 'nobody@panificio.test', reason: expect.stringContaining('550') }]);
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'perm-1:nobody@panificio.test' } });
  expect(row.status).toBe('failed');
  // Retrying the activity changes nothing: the failure stands and the consultant is told once.
  await mail.notify(reminder('perm-1', 'nobody@panificio.test'));
  const notice = await db.outboxMessage.findFirst({ where: { template: 'delivery-failed' } });
  expect(notice?.lastError ?? null).toBeNull();
  const told = await catcher.waitFor(
    (m) => m.to.includes('giulia@consulenti.test') && m.text.includes('nobody@panificio.test'),
  );
  expect(told.text).toContain('550');
  const notices = await db.outboxMessage.findMany({ where: { template: 'delivery-failed' } });
  expect(notices).toHaveLength(1);
});

test('an opted-out participant still gets deadlines but not non-essential messages', async () => {
  const first = catcher.messages().find((m) => m.to.includes('rita@panificio.test'))!;
  const link = /https?:\/\/\S+\/preferences\/opt-out\?token=([\w.%-]+)/.exec(first.text);
  expect(link).not.toBeNull();
  const token = decodeURIComponent(link![1]!);
  expect(verifyPreferenceToken(token, PREFERENCES_SECRET, Date.now()).email).toBe('rita@panificio.test');
  await db.participant.updateMany({ where: { email: 'rita@panificio.test' }, data: { optedOutAt: new Date() } });

  const welcome: NotifyInput<'enrollment-welcome'> = { ...reminder('opt-1'), template: 'enrollment-welcome' };
  expect(await mail.notify(welcome)).toMatchObject({ sent: 0 });
  expect(
    (await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'opt-1:rita@panificio.test' } })).status,
  ).toBe('suppressed');
  expect(await mail.notify(reminder('opt-2'))).toMatchObject({ sent: 1 });
  // A forged token is refused.
  const forged = signPreferenceToken(
    { email: 'rita@panificio.test', scope: 'non-essential', expiresAt: Date.now() + 1000 },
    'another-secret-that-is-long-enough-000000',
  );
  expect(() => verifyPreferenceToken(forged, PREFERENCES_SECRET, Date.now())).toThrow(
    expect.objectContaining({ code: 'invalid_token' }),
  );
});

test('a reminder that would fall on a Saturday is planned for Monday morning, Rome time', () => {
  // Due Tuesday 1 December 2026: "2 working days before" is Friday 27 November, never the weekend;
  // and with a due date on Monday 30 November, the due-day reminder is that Monday at 09:00.
  const dueMonday = romeToEpochMs(2026, 11, 30, 18, 0);
  const plan = notificationPlan(
    { ...congedoFlessibilita.reminders, beforeDueWorkingDays: [1] },
    dueMonday,
    romeToEpochMs(2026, 11, 20, 9),
  );
  expect(plan.map((p) => [p.type, new Date(p.at).toISOString()])).toEqual([
    ['reminder-before', new Date(romeToEpochMs(2026, 11, 27, 9, 0)).toISOString()],
    ['reminder-due-today', new Date(romeToEpochMs(2026, 11, 30, 9, 0)).toISOString()],
    ['overdue', new Date(romeToEpochMs(2026, 12, 1, 9, 0)).toISOString()],
    ['escalation', new Date(romeToEpochMs(2026, 12, 3, 9, 0)).toISOString()],
  ]);
  expect(plan.every((p) => isWithinSendWindow(p.at, 'milano'))).toBe(true);
});
