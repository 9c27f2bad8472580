/**
 * The writes between a pathway action's Update and its answer, in hand-written SQL
 * (activities/records.ts, client/audit.ts auditDirect): what they store reads back through Prisma
 * as Prisma's own writes did, a retried milestone writes nothing twice, and a milestone and its
 * projection land together or not at all.
 */
import { createRecordActivities } from '../../activities/records';
import { audit, auditDirect } from '../../client/audit';
import type { Db } from '../../infra/db';
import { createTestDb, seedEnrollment } from '../support/fixtures';

let db: Db;
let enrollmentId: string;
beforeAll(async () => {
  db = createTestDb().db;
  enrollmentId = await seedEnrollment(db, {
    company: 'Officina Rossi',
    vatNumber: '01234567890',
    owner: { name: 'Anna Rossi', email: 'anna@rossi.test' },
    key: 'projection-1',
  });
});
afterAll(() => db.$disconnect());

const occurredAt = Date.parse('2026-12-01T10:15:00.123Z');
const dueAt = Date.parse('2026-12-04T17:00:00.000Z');

describe('recordMilestone', () => {
  it('stores the milestone and the projection with their types, once however often it is retried', async () => {
    const { recordMilestone } = createRecordActivities(db);
    const input = {
      enrollmentId,
      eventKey: 'step_completed:intake:1',
      seq: 2,
      type: 'step_completed' as const,
      stepKey: 'intake',
      actor: 'user:giulia',
      occurredAt,
      dueAt,
      onTime: true,
      evidence: 'verbale.pdf',
      enrollment: {
        status: 'active',
        currentStep: 'plan',
        currentDueAt: dueAt,
        consultant: { name: 'Paolo Neri', email: 'paolo@consulenti.test' },
      },
    };
    await recordMilestone(input);
    await recordMilestone(input);
    const rows = await db.milestone.findMany({ where: { enrollmentId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      eventKey: 'step_completed:intake:1',
      seq: 2,
      type: 'step_completed',
      stepKey: 'intake',
      actor: 'user:giulia',
      occurredAt: new Date(occurredAt),
      dueAt: new Date(dueAt),
      onTime: true,
      evidence: 'verbale.pdf',
      note: null,
    });
    const e = await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
    expect(e).toMatchObject({
      status: 'active',
      currentStep: 'plan',
      currentDueAt: new Date(dueAt),
      consultantName: 'Paolo Neri',
      consultantEmail: 'paolo@consulenti.test',
      completedAt: null,
    });
  });

  it('closes the projection on a terminal milestone and leaves the optional columns null', async () => {
    const { recordMilestone } = createRecordActivities(db);
    await recordMilestone({
      enrollmentId,
      eventKey: 'withdrawn:1',
      seq: 3,
      type: 'withdrawn',
      actor: 'user:admin',
      occurredAt: occurredAt + 1000,
      enrollment: { status: 'withdrawn', currentStep: 'plan', currentDueAt: null },
    });
    const m = await db.milestone.findFirstOrThrow({ where: { enrollmentId, eventKey: 'withdrawn:1' } });
    expect(m).toMatchObject({ stepKey: null, dueAt: null, onTime: null, evidence: null });
    const e = await db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId } });
    expect(e).toMatchObject({
      status: 'withdrawn',
      currentDueAt: null,
      completedAt: new Date(occurredAt + 1000),
      // No consultant in the milestone: the stored one stays.
      consultantName: 'Paolo Neri',
    });
  });

  it('writes neither row when the projection cannot be written (an unknown enrollment)', async () => {
    const { recordMilestone } = createRecordActivities(db);
    await expect(
      recordMilestone({
        enrollmentId: 'enr_missing',
        eventKey: 'enrolled',
        seq: 1,
        type: 'enrolled',
        actor: 'system',
        occurredAt,
        enrollment: { status: 'active', currentStep: 'intake' },
      }),
    ).rejects.toThrow();
    expect(await db.milestone.count({ where: { enrollmentId: 'enr_missing' } })).toBe(0);
  });
});

describe('auditDirect', () => {
  it('stores the entry as audit does', async () => {
    const entry = {
      actor: { id: 'usr_1', role: 'consultant' },
      action: 'step.complete',
      entity: 'enrollment',
      entityId: enrollmentId,
      before: { status: 'active', stepKey: 'intake' },
      after: { status: 'active', request: { evidence: 'x' } },
    };
    await audit(db, { ...entry, action: 'step.complete.prisma' });
    await auditDirect(db, entry);
    const [viaPrisma, direct] = await Promise.all(
      ['step.complete.prisma', 'step.complete'].map((action) =>
        db.auditLog.findFirstOrThrow({ where: { action, entityId: enrollmentId } }),
      ),
    );
    const { id: _a, at: atPrisma, action: _x, ...restPrisma } = viaPrisma!;
    const { id: _b, at: atDirect, action: _y, ...restDirect } = direct!;
    expect(restDirect).toEqual(restPrisma);
    expect(atDirect).toBeInstanceOf(Date);
    expect(Math.abs(atDirect.getTime() - Date.now())).toBeLessThan(60_000);
    expect(atDirect.getTime()).toBeGreaterThanOrEqual(atPrisma.getTime() - 1000);
  });
});
