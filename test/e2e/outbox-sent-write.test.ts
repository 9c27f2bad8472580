/**
 * The outbox records an accepted message with a hand-written UPDATE (activities/outbox.ts): the row
 * reads back through Prisma as it did when Prisma wrote it (status, time sent, attempts, the
 * server's reply), on SQLite and PostgreSQL (npm run test:postgres), and a retry sends nothing twice.
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
