/**
 * The single read a pathway action makes before its Update (client/action-access.ts): the same row
 * Prisma's four queries gave (findForView), on SQLite and on PostgreSQL (npm run test:postgres), and
 * through the API the same refusals as before: another tenant's enrollment, a closed (withdrawn)
 * pathway, a role the step does not allow. Every refusal changes nothing.
 */
import type { Db } from '../../infra/db';
import { readActionRow } from '../../client/action-access';
import { createService } from '../../client/service';
import { createTestDb, enrollRequest, startDevStack, stopDevStack, until, userWithToken } from '../support/fixtures';

describe('readActionRow', () => {
  let db: Db;
  beforeAll(() => {
    ({ db } = createTestDb());
  });
  afterAll(() => db.$disconnect());

  it('reads the enrollment, its company, participants and milestones exactly as Prisma does', async () => {
    const network = await db.company.create({
      data: {
        name: 'Rete Brianza',
        vatNumber: '90000000001',
        province: 'MB',
        atsCode: 'ats-brianza',
        sector: 'industria',
        staff: 0,
        size: 'network',
        isNetwork: true,
      },
    });
    const company = await db.company.create({
      data: {
        name: 'Tessitura "Lariana" S.r.l.',
        vatNumber: '90000000002',
        province: 'CO',
        atsCode: 'ats-insubria',
        city: 'como',
        sector: 'industria',
        staff: 12.5,
        size: 'small',
        turnoverCents: 123_456_789,
        craftRegistered: false,
        isCareCompany: true,
        declaredAt: new Date('2026-11-02T09:30:00.123Z'),
        networkId: network.id,
      },
    });
    const a = await db.participant.create({
      data: {
        companyId: company.id,
        name: 'Marco Rossi',
        email: 'marco@lariana.test',
        role: 'owner',
        createdAt: new Date('2026-11-02T10:00:00.000Z'),
      },
    });
    await db.participant.create({
      data: {
        companyId: company.id,
        name: 'Anna Verdi',
        email: 'anna@lariana.test',
        role: 'hr',
        locale: 'en',
        createdAt: new Date('2026-11-02T10:00:01.000Z'),
        removedAt: new Date('2026-11-20T08:00:00.000Z'),
        removedById: a.id,
      },
    });
    const e = await db.enrollment.create({
      data: {
        idempotencyKey: 'action-access-1',
        requestHash: 'h',
        programmeCode: 'demo-2026-2027',
        kind: 'congedo-flessibilita',
        catalogueVersion: 2,
        companyId: company.id,
        consultantEmail: 'giulia@consulenti.test',
        consultantName: 'Giulia Bianchi',
        workflowId: 'pathway-action-access-1',
        workflowStartedAt: new Date('2026-11-02T10:00:02.000Z'),
        currentStep: 'intake',
        currentDueAt: new Date('2026-11-16T16:00:00.000Z'),
      },
    });
    await db.milestone.create({
      data: {
        enrollmentId: e.id,
        eventKey: 'b',
        seq: 2,
        type: 'step-completed',
        stepKey: 'intake',
        actor: 'consultant:giulia',
        occurredAt: new Date('2026-11-10T11:00:00.000Z'),
        dueAt: new Date('2026-11-16T16:00:00.000Z'),
        onTime: true,
        evidence: '{"kind":"note","text":"fatto"}',
      },
    });
    await db.milestone.create({
      data: {
        enrollmentId: e.id,
        eventKey: 'a',
        seq: 1,
        type: 'enrolled',
        actor: 'system',
        occurredAt: new Date('2026-11-02T10:00:03.000Z'),
        onTime: false,
      },
    });
    const service = createService({ db, temporal: undefined as never, taskQueue: 'unused' });
    const prisma = await service.findForView(e.id);
    const direct = await readActionRow(db, e.id);
    expect(direct).toEqual(prisma);
    expect(direct!.company.participants.map((p) => p.email)).toEqual(['marco@lariana.test', 'anna@lariana.test']);
    expect(direct!.milestones.map((m) => m.seq)).toEqual([1, 2]);
    expect(direct!.company.staff).toBe(12.5);
    expect(direct!.company.isCareCompany).toBe(true);
    expect(direct!.milestones[0]!.onTime).toBe(false);
  });

  it('reads an enrollment with no milestones as Prisma does, and a missing one as null', async () => {
    const company = await db.company.create({
      data: {
        name: 'Bottega',
        vatNumber: '90000000003',
        province: 'MI',
        atsCode: 'ats-milano',
        sector: 'artigianato',
        staff: 3,
        size: 'micro',
      },
    });
    const e = await db.enrollment.create({
      data: {
        idempotencyKey: 'action-access-2',
        requestHash: 'h',
        programmeCode: 'demo-2026-2027',
        kind: 'time-saving',
        catalogueVersion: 1,
        companyId: company.id,
        consultantEmail: 'paolo@consulenti.test',
        consultantName: 'Paolo Neri',
        workflowId: 'pathway-action-access-2',
      },
    });
    const service = createService({ db, temporal: undefined as never, taskQueue: 'unused' });
    expect(await readActionRow(db, e.id)).toEqual(await service.findForView(e.id));
    expect(await readActionRow(db, 'no-such-enrollment')).toBeNull();
    expect(await readActionRow(db, "' OR 1=1 --")).toBeNull();
  });
});

describe('pathway actions through the API, on the one-statement read', () => {
  let stack: Partial<Awaited<ReturnType<typeof startDevStack>>> = {};
  let db: Db;
  let base: string;
  let mine: string; // Monza (ATS Brianza), consultant Giulia
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const started = await startDevStack('action-access-e2e');
    stack = started;
    ({ db, base } = started);
    const req = enrollRequest();
    mine = (await started.service.enroll(req)).enrollment.id;
    // The start mark follows the answer: written now, so that the snapshots below see the row at rest.
    await started.service.flushStartMarks();
    // And the pathway's first milestone (its projection with it), written by the workflow meanwhile.
    await until(
      'the enrolled milestone',
      async () => (await db.milestone.count({ where: { enrollmentId: mine } })) > 0,
    );
    const users: [string, Parameters<typeof userWithToken>[1]][] = [
      ['admin', { role: 'admin', email: 'regione@regione.test', name: 'Regione' }],
      ['giulia', { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' }],
      ['paolo', { role: 'consultant', email: 'paolo@consulenti.test', name: 'Paolo Neri' }],
      ['coordMilano', { role: 'coordinator', atsCode: 'ats-milano', email: 'marco@ats-milano.test', name: 'Marco' }],
      ['coordBrianza', { role: 'coordinator', atsCode: 'ats-brianza', email: 'elena@ats-brianza.test', name: 'Elena' }],
      [
        'smeMine',
        { role: 'sme', email: 'titolare@mine.test', name: 'Titolare', companyVatNumber: req.company.vatNumber },
      ],
    ];
    for (const [who, input] of users) tokens[who] = (await userWithToken(db, input)).token;
  }, 60_000);
  afterAll(() => stopDevStack(stack));

  const post = async (who: string, url: string, body: unknown, lang = 'en') => {
    const res = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json', 'accept-language': lang },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };
  const unchanged = async () => ({
    milestones: await db.milestone.count({ where: { enrollmentId: mine } }),
    row: await db.enrollment.findUniqueOrThrow({ where: { id: mine } }),
    audit: await db.auditLog.count({ where: { entityId: mine } }),
  });

  it('refuses another tenant with not_found, exactly as for an enrollment that does not exist', async () => {
    const before = await unchanged();
    for (const who of ['paolo', 'coordMilano']) {
      const r = await post(who, `/enrollments/${mine}/steps/intake/complete`, {});
      expect(r.status).toBe(404);
      expect(r.body.error?.code).toBe('not_found');
    }
    const missing = await post('giulia', '/enrollments/no-such-id/steps/intake/complete', {});
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
    expect(await unchanged()).toEqual(before);
  });

  it("refuses a role the action does not allow with 403, in the caller's language", async () => {
    const before = await unchanged();
    const r = await post(
      'smeMine',
      `/enrollments/${mine}/steps/intake/extend`,
      { newDueDate: '2027-01-29', reason: 'Serve più tempo per i documenti' },
      'it',
    );
    expect(r.status).toBe(403);
    expect(r.body.error?.message).toMatch(/prorogare/);
    expect(await unchanged()).toEqual(before);
  });

  it("lets the network's coordinator and the assigned consultant act, and refuses a withdrawn pathway", async () => {
    const done = await post('giulia', `/enrollments/${mine}/steps/intake/complete`, {});
    expect(done.status).toBe(200);
    const withdrawn = await post('coordBrianza', `/enrollments/${mine}/withdraw`, { reason: 'Prova' });
    // Withdrawing is not the coordinator's to do; the firm's own user may.
    expect(withdrawn.status).toBe(403);
    expect((await post('smeMine', `/enrollments/${mine}/withdraw`, { reason: 'Chiudiamo' })).status).toBe(200);
    const before = await unchanged();
    expect(before.row.status).toBe('withdrawn');
    const late = await post('giulia', `/enrollments/${mine}/steps/intake/reopen`, { reason: 'Di nuovo' });
    expect(late.status).toBe(409);
    expect(await unchanged()).toEqual(before);
  });
});
