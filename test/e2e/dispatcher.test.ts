/**
 * Staged messages and their dispatcher, against a real SMTP server on loopback and the test
 * database (SQLite, or PostgreSQL in `npm run test:postgres`). Staging is the outbox activity
 * with `sendAt`; the dispatcher's clock is moved by the test.
 */
import { simpleParser } from 'mailparser';
import type { Db } from '../../infra/db';
import { createDispatcher, dispatchRetryDelay } from '../../activities/dispatcher';
import type { MailCatcher } from '../../mail/mail-catcher';
import { createMailActivities } from '../../activities/outbox';
import type { NotifyInput } from '../../activities/types';
import { romeToEpochMs } from '../../domain/calendar';
import { logger, MAIL_FROM, reminderInput, startOutboxBed, transportFor, until } from '../support/fixtures';

let db: Db;
let catcher: MailCatcher;
let transport: ReturnType<typeof transportFor>;
let mail: ReturnType<typeof createMailActivities>;
let enrollmentId: string;
let clock = 0;

const dispatcher = (opts: { batchSize?: number; pollMs?: number; leaseMs?: number; now?: () => number } = {}) =>
  createDispatcher({
    db,
    transport,
    from: MAIL_FROM,
    logger,
    notify: mail.notify,
    now: opts.now ?? (() => clock),
    ...opts,
  });

let bed: Awaited<ReturnType<typeof startOutboxBed>> | undefined;

beforeAll(async () => {
  bed = await startOutboxBed({
    company: 'Sartoria Bassi',
    vatNumber: '01928374650',
    owner: { name: 'Lia Bassi', email: 'lia@sartoria.test' },
    key: 'dispatch-test-0001',
  });
  ({ db, catcher, transport, mail, enrollmentId } = bed);
});

afterAll(() => bed?.stop());

beforeEach(() => {
  catcher.setFailure(null);
});

// Tuesday 1 December 2026, 09:00 in Rome: a working day, in office hours.
const NINE = romeToEpochMs(2026, 12, 1, 9, 0);

const reminder = (key: string, sendAt: number, email = 'lia@sartoria.test'): NotifyInput<'step-reminder'> =>
  reminderInput({ key, enrollmentId, to: { name: 'Lia Bassi', email }, companyName: 'Sartoria Bassi', sendAt });

const messagesWithKey = (key: string) => catcher.messages().filter((m) => m.headers['x-conciliaflow-key'] === key);

test('a staged reminder waits for its time, then goes exactly once, as rendered when it was staged', async () => {
  const staged = await mail.notify(reminder('stage-1', NINE));
  expect(staged).toMatchObject({ sent: 0, scheduled: 1 });
  // The staging activity retried: the same row, nothing new.
  expect(await mail.notify(reminder('stage-1', NINE))).toMatchObject({ sent: 0, scheduled: 1 });
  expect(await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'stage-1:' } } })).toBe(1);

  clock = NINE - 1000;
  expect(await dispatcher().tick()).toMatchObject({ claimed: 0, sent: 0 });
  expect(messagesWithKey('stage-1:lia@sartoria.test')).toHaveLength(0);

  clock = NINE;
  expect(await dispatcher().tick()).toMatchObject({ claimed: 1, sent: 1 });
  expect(await dispatcher().tick()).toMatchObject({ claimed: 0, sent: 0 });
  const [msg] = messagesWithKey('stage-1:lia@sartoria.test');
  expect(messagesWithKey('stage-1:lia@sartoria.test')).toHaveLength(1);
  const parsed = await simpleParser(msg!.raw);
  expect(parsed.subject).toMatch(/promemoria/i);
  expect(parsed.to).toMatchObject({ value: [{ name: 'Lia Bassi', address: 'lia@sartoria.test' }] });
  expect(parsed.attachments.map((a) => a.contentType)).toContain('text/calendar');
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'stage-1:lia@sartoria.test' } });
  expect(row).toMatchObject({ status: 'sent', attempts: 1, claimToken: null, messageId: parsed.messageId });
  expect(row.smtpResponse).toMatch(/^250/);
  // Staged again after it went (a retried activity): reported as sent, not sent twice.
  expect(await mail.notify(reminder('stage-1', NINE))).toMatchObject({ alreadySent: 1, scheduled: 0 });
});

test('two dispatchers polling the same rows send each message once', async () => {
  const at = NINE + 3600_000;
  for (let i = 0; i < 40; i++) await mail.notify(reminder(`race-${i}`, at, `p${i}@sartoria.test`));
  clock = at;
  const [a, b] = await Promise.all([dispatcher({ batchSize: 25 }).tick(), dispatcher({ batchSize: 25 }).tick()]);
  const [c, d] = await Promise.all([dispatcher({ batchSize: 25 }).tick(), dispatcher({ batchSize: 25 }).tick()]);
  expect(a.sent + b.sent + c.sent + d.sent).toBe(40);
  for (let i = 0; i < 40; i++) expect(messagesWithKey(`race-${i}:p${i}@sartoria.test`)).toHaveLength(1);
  // Recorded in groups, each row with its own server reply.
  const replies = await db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: 'race-' } } });
  expect(replies.every((r) => r.smtpResponse?.startsWith('250') && r.sentAt !== null && r.attempts === 1)).toBe(true);
  expect(await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'race-' }, status: 'sent' } })).toBe(40);
});

test('a cancelled message is never sent; one already sent is left as it is', async () => {
  const at = NINE + 2 * 3600_000;
  await mail.notify(reminder('cancel-1', at));
  await mail.notify(reminder('cancel-2', at - 60_000));
  clock = at - 60_000;
  expect(await dispatcher().tick()).toMatchObject({ sent: 1 });
  expect(await mail.cancelScheduled({ keys: ['cancel-1', 'cancel-2'] })).toEqual({ cancelled: 1 });
  clock = at + 60_000;
  expect(await dispatcher().tick()).toMatchObject({ claimed: 0 });
  expect(messagesWithKey('cancel-1:lia@sartoria.test')).toHaveLength(0);
  expect(messagesWithKey('cancel-2:lia@sartoria.test')).toHaveLength(1);
  const rows = await db.outboxMessage.findMany({
    where: { idempotencyKey: { startsWith: 'cancel-' } },
    orderBy: { idempotencyKey: 'asc' },
  });
  expect(rows.map((r) => r.status)).toEqual(['cancelled', 'sent']);
});

test('SMTP refusing for a while: the message waits with backoff, then goes exactly once', async () => {
  const at = NINE + 3 * 3600_000;
  await mail.notify(reminder('smtp-down', at));
  catcher.setFailure({ code: 451, message: 'Temporary local problem, try later' });
  clock = at;
  expect(await dispatcher().tick()).toMatchObject({ claimed: 1, sent: 0, deferred: 1 });
  const waiting = await db.outboxMessage.findUniqueOrThrow({
    where: { idempotencyKey: 'smtp-down:lia@sartoria.test' },
  });
  expect(waiting).toMatchObject({ status: 'scheduled', attempts: 1 });
  expect(waiting.lastError).toMatch(/451/);
  expect(waiting.sendAt!.getTime()).toBe(at + dispatchRetryDelay(1));
  catcher.setFailure(null);
  clock = at + dispatchRetryDelay(1) - 1;
  expect(await dispatcher().tick()).toMatchObject({ claimed: 0 });
  clock = at + dispatchRetryDelay(1);
  expect(await dispatcher().tick()).toMatchObject({ claimed: 1, sent: 1 });
  expect(messagesWithKey('smtp-down:lia@sartoria.test')).toHaveLength(1);
});

test('an address refused for good is recorded as failed and the consultant is told once', async () => {
  const at = NINE + 4 * 3600_000;
  await mail.notify(reminder('gone', at, 'nobody@sartoria.test'));
  catcher.setFailure({ code: 550, message: 'No such user', only: ['nobody@sartoria.test'] });
  clock = at;
  expect(await dispatcher().tick()).toMatchObject({ claimed: 1, failed: 1 });
  // The notice is staged for now and goes at the next poll, with the dispatcher's retries.
  expect(await dispatcher().tick()).toMatchObject({ claimed: 1, sent: 1 });
  expect(await dispatcher().tick()).toMatchObject({ claimed: 0 });
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'gone:nobody@sartoria.test' } });
  expect(row.status).toBe('failed');
  expect(messagesWithKey('gone:nobody@sartoria.test')).toHaveLength(0);
  const notices = catcher.messages().filter((m) => m.to.includes('giulia@consulenti.test'));
  const notice = notices.find((m) => m.text.includes('nobody@sartoria.test'));
  expect(notice).toBeDefined();
  expect(notice!.text).toMatch(/550/);
  expect(notices.filter((m) => m.text.includes('nobody@sartoria.test'))).toHaveLength(1);
});

test('opting out after staging: deadlines still go, a non-essential staged message does not', async () => {
  const at = NINE + 5 * 3600_000;
  const company = await db.company.findFirstOrThrow({ where: { vatNumber: '01928374650' } });
  await db.participant.create({
    data: { companyId: company.id, name: 'Ugo Bassi', email: 'ugo@sartoria.test', role: 'hr' },
  });
  await mail.notify(reminder('optout-deadline', at, 'ugo@sartoria.test'));
  const news = reminder('optout-news', at, 'ugo@sartoria.test');
  const completed = { completedBy: 'Giulia Bianchi', completedAt: at, nextStepName: '', nextStepDueAt: '' };
  await mail.notify({ ...news, template: 'step-completed', context: { ...news.context, ...completed } });
  await db.participant.updateMany({ where: { email: 'ugo@sartoria.test' }, data: { optedOutAt: new Date() } });
  clock = at;
  expect(await dispatcher().tick()).toMatchObject({ claimed: 2, suppressed: 1, sent: 1 });
  expect(messagesWithKey('optout-deadline:ugo@sartoria.test')).toHaveLength(1);
  expect(messagesWithKey('optout-news:ugo@sartoria.test')).toHaveLength(0);
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'optout-news:ugo@sartoria.test' } });
  expect(row.status).toBe('suppressed');
});

test('a reminder held up past its time by an outage, now on a Saturday, waits for Monday 09:00', async () => {
  const friday1750 = romeToEpochMs(2026, 12, 4, 17, 50);
  await mail.notify(reminder('weekend', friday1750));
  clock = romeToEpochMs(2026, 12, 5, 10, 0);
  expect(await dispatcher().tick()).toMatchObject({ claimed: 1, deferred: 1, sent: 0 });
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'weekend:lia@sartoria.test' } });
  expect(row.status).toBe('scheduled');
  expect(row.sendAt!.getTime()).toBe(romeToEpochMs(2026, 12, 7, 9, 0));
});

test('a claim left by a dispatcher that died is taken back after the lease and sent once', async () => {
  const at = NINE + 6 * 3600_000;
  await mail.notify(reminder('orphan', at));
  // A dispatcher claimed it and died before sending.
  await db.outboxMessage.updateMany({
    where: { idempotencyKey: 'orphan:lia@sartoria.test' },
    data: { status: 'sending', claimToken: 'dead', claimedAt: new Date(at) },
  });
  clock = at + 60_000;
  expect(await dispatcher({ leaseMs: 5 * 60_000 }).tick()).toMatchObject({ claimed: 0 });
  clock = at + 5 * 60_000 + 1;
  expect(await dispatcher({ leaseMs: 5 * 60_000 }).tick()).toMatchObject({ claimed: 1, sent: 1 });
  expect(messagesWithKey('orphan:lia@sartoria.test')).toHaveLength(1);
});

test('running on the real clock, the dispatcher sends a message staged for now and stops cleanly', async () => {
  const running = dispatcher({ now: () => Date.now(), pollMs: 50 });
  running.start();
  try {
    await mail.notify(reminder('live', Date.now() + 200));
    await until('the staged message to arrive', () => messagesWithKey('live:lia@sartoria.test').length === 1, 10_000);
  } finally {
    await running.stop();
  }
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'live:lia@sartoria.test' } });
  expect(row.status).toBe('sent');
  expect(row.sentAt!.getTime()).toBeGreaterThanOrEqual(row.sendAt!.getTime());
});

test('a slow relay: claims being sent are renewed, so a second dispatcher does not take them back', async () => {
  const leaseMs = 600;
  catcher.setRcptDelay(250);
  const first = dispatcher({ now: () => Date.now(), pollMs: 50, leaseMs });
  const second = dispatcher({ now: () => Date.now(), pollMs: 50, leaseMs });
  try {
    const at = Date.now();
    for (let i = 0; i < 10; i++) await mail.notify(reminder(`slow-${i}`, at, `s${i}@sartoria.test`));
    first.start();
    // The first claims all ten; with two connections at 250 ms each they take over a second.
    await until('the first claim', async () => (await db.outboxMessage.count({ where: { status: 'sending' } })) > 0);
    second.start();
    await until(
      'all ten sent',
      async () =>
        (await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'slow-' }, status: 'sent' } })) === 10,
      15_000,
    );
  } finally {
    await first.stop();
    await second.stop();
    catcher.setRcptDelay(0);
  }
  for (let i = 0; i < 10; i++) expect(messagesWithKey(`slow-${i}:s${i}@sartoria.test`)).toHaveLength(1);
});
