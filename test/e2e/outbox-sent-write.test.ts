/**
 * The outbox writes its rows with hand-written SQL (activities/outbox.ts): an INSERT of every column
 * and, once SMTP accepted, an UPDATE. The rows read back through Prisma as they did when Prisma
 * wrote them (status, dates, defaults, the server's reply), on SQLite and PostgreSQL (npm run
 * test:postgres); a retry finds its row and sends nothing twice.
 */
import { reminderInput, startOutboxBed } from '../support/fixtures';

let bed: Awaited<ReturnType<typeof startOutboxBed>> | undefined;

afterAll(() => bed?.stop());

test('an accepted message is stored as sent, with its time, one attempt and the SMTP reply', async () => {
  bed = await startOutboxBed({
    company: 'Forneria Conti',
    vatNumber: '09876500011',
    owner: { name: 'Lia Conti', email: 'lia@forneria.test' },
    key: 'sent-write-0001',
  });
  const { db, catcher, mail, enrollmentId } = bed;
  const input = reminderInput({
    key: 'sent-1',
    enrollmentId,
    to: { name: 'Lia Conti', email: 'lia@forneria.test' },
    companyName: 'Forneria Conti',
  });
  const before = Date.now();
  expect(await mail.notify(input)).toMatchObject({ sent: 1 });
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'sent-1:lia@forneria.test' } });
  expect(row.status).toBe('sent');
  expect(row.attempts).toBe(1);
  expect(row.smtpResponse).toMatch(/^250/);
  expect(row.sentAt).toBeInstanceOf(Date);
  expect(row.sentAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
  expect(row.sentAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  // Found as sent by Prisma's own filters too (the dispatcher and the reports read it so).
  expect(await db.outboxMessage.count({ where: { id: row.id, status: 'sent', sentAt: { gte: row.sentAt! } } })).toBe(1);
  expect(await mail.notify(input)).toMatchObject({ sent: 0, alreadySent: 1 });
  expect(catcher.messages().filter((m) => m.headers['x-conciliaflow-key']?.startsWith('sent-1:'))).toHaveLength(1);
});

test('a staged message is stored scheduled with its due time and failure notice; a retry finds the same row', async () => {
  const { db, mail, enrollmentId } = bed!;
  const sendAt = Date.parse('2027-03-01T08:00:00.000Z');
  const input = {
    ...reminderInput({
      key: 'staged-1',
      enrollmentId,
      to: { name: 'Lia Conti', email: 'lia@forneria.test' },
      companyName: 'Forneria Conti',
    }),
    sendAt,
  };
  expect(await mail.notify(input)).toMatchObject({ scheduled: 1 });
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'staged-1:lia@forneria.test' } });
  expect(row).toMatchObject({
    enrollmentId,
    template: 'step-reminder',
    toAddress: 'lia@forneria.test',
    toName: 'Lia Conti',
    status: 'scheduled',
    attempts: 0,
    smtpResponse: null,
    lastError: null,
    sentAt: null,
    claimToken: null,
    claimedAt: null,
    attachments: null,
  });
  expect(row.sendAt).toEqual(new Date(sendAt));
  expect(row.createdAt).toBeInstanceOf(Date);
  expect(row.subject.length).toBeGreaterThan(0);
  expect(row.html).toContain('Forneria Conti');
  expect(row.ics).toContain('BEGIN:VCALENDAR');
  expect(row.messageId).toMatch(/^<.+@.+>$/);
  expect(JSON.parse(row.failureNotice!)).toMatchObject({ template: 'delivery-failed' });
  // What the dispatcher asks for, through Prisma's own filters.
  expect(
    await db.outboxMessage.count({ where: { id: row.id, status: 'scheduled', sendAt: { lte: new Date(sendAt) } } }),
  ).toBe(1);
  // The activity retried: the same row, nothing new.
  expect(await mail.notify(input)).toMatchObject({ scheduled: 1 });
  expect(await db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'staged-1:' } } })).toBe(1);
});

test('a participant who opted out gets no non-essential message: the row is stored suppressed, nothing sent', async () => {
  const { db, catcher, mail, enrollmentId } = bed!;
  await db.participant.updateMany({ where: { email: 'lia@forneria.test' }, data: { optedOutAt: new Date() } });
  const input = {
    ...reminderInput({
      key: 'optout-1',
      enrollmentId,
      to: { name: 'Lia Conti', email: 'lia@forneria.test' },
      companyName: 'Forneria Conti',
    }),
    template: 'enrollment-welcome' as const,
  };
  expect(await mail.notify(input)).toMatchObject({ sent: 0 });
  const row = await db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: 'optout-1:lia@forneria.test' } });
  expect(row).toMatchObject({ status: 'suppressed', attempts: 0, sendAt: null, failureNotice: null });
  expect(catcher.messages().filter((m) => m.headers['x-conciliaflow-key']?.startsWith('optout-1:'))).toHaveLength(0);
});
