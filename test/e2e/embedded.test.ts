/**
 * End to end on real servers: the Temporal dev server (from the Temporal CLI), SQLite through
 * Prisma, an SMTP server on loopback whose messages are parsed, and the HTTP API over a socket.
 */
import { DOCUMENT_EVIDENCE_KINDS } from '../../client/documents/documents';
import { samplePdf } from '../support/sample-documents';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import { buildApi } from '../../client/api/server';
import { createService } from '../../client/service';
import { congedoFlessibilita } from '../../domain/catalogue';
import { isDomainError } from '../../domain/errors';
import { getStateQuery, type CompleteStepRequest } from '../../workflows/messages';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import {
  createTestDb,
  enrollRequest,
  logger,
  PREFERENCES_SECRET,
  reminderInput,
  startSmtp,
  testMailActivities,
  testWorker,
  transportFor,
  userWithToken,
} from '../support/fixtures';

const run = promisify(execFile);
const taskQueue = 'e2e';
let server: DevServer;
let db: Db;
let catcher: MailCatcher;
let nativeConnection: NativeConnection;
let connection: Connection;
let api: Awaited<ReturnType<typeof buildApi>>;
let base: string;
let service: ReturnType<typeof createService>;
let temporal: Client;

beforeAll(async () => {
  server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port: await freePort() });
  ({ db } = createTestDb());
  catcher = await startSmtp();
  nativeConnection = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  temporal = new Client({ connection });
  service = createService({ db, temporal, taskQueue });
  api = await buildApi({ service, db, temporal, logger, preferencesSecret: PREFERENCES_SECRET });
  base = await api.listen({ port: 0, host: '127.0.0.1' });
  ({ token: giuliaToken } = await userWithToken(db, {
    role: 'consultant',
    email: 'giulia.bianchi@consulenti.test',
    name: 'Giulia Bianchi',
  }));
});

/** A token of an sme user of the company with this VAT number. */
async function smeToken(vatNumber: string, email: string): Promise<string> {
  return (await userWithToken(db, { role: 'sme', email, name: 'Titolare', companyVatNumber: vatNumber })).token;
}

afterAll(async () => {
  await api?.close();
  await connection?.close();
  await nativeConnection?.close();
  await catcher?.stop();
  await db?.$disconnect();
  await server?.stop();
});

/** Giulia, the consultant of every test enrollment, signs the requests unless another token is given. */
let giuliaToken: string;

async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  token: string | null = giuliaToken,
) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are asserted field by field
  return { status: res.status, body: (await res.json()) as any };
}

/** A step whose evidence is a document is completed only once one is uploaded on it. */
async function uploadIfNeeded(id: string, step: { key: string; evidence?: { kind: string } | null }) {
  if (!step.evidence || !DOCUMENT_EVIDENCE_KINDS.has(step.evidence.kind)) return;
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(samplePdf(step.key))], { type: 'application/pdf' }), `${step.key}.pdf`);
  const res = await fetch(`${base}/enrollments/${id}/steps/${step.key}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${giuliaToken}` },
    body: form,
  });
  expect(res.status).toBe(201);
}

const consultant = { role: 'consultant' as const, id: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' };

async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
  const { worker, transport } = await testWorker({ connection: nativeConnection, taskQueue, db, catcher });
  try {
    return await worker.runUntil(fn);
  } finally {
    transport.close();
  }
}

test('enroll over HTTP, idempotently; welcome email over SMTP; steps to completion; CLI reads it', async () => {
  await withWorker(async () => {
    expect((await http('GET', '/health')).body).toMatchObject({
      status: 'ok',
      temporal: { ok: true },
      database: { ok: true },
      emails: { lateStaged: 0, oldestLateSeconds: null },
    });
    const req = enrollRequest();
    const first = await http('POST', '/enrollments', req, { 'idempotency-key': 'e2e-request-0001' });
    expect(first.status).toBe(201);
    const id: string = first.body.id;
    const again = await http('POST', '/enrollments', req, { 'idempotency-key': 'e2e-request-0001' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);
    expect(await db.enrollment.count({ where: { companyId: first.body.company.id } })).toBe(1);
    const runs = await connection.workflowService.listWorkflowExecutions({
      namespace: 'default',
      query: `WorkflowId = "${first.body.workflowId}"`,
    });
    expect(runs.executions).toHaveLength(1);

    const owner = req.participants[0]!;
    const welcome = await catcher.waitFor((m) => m.to.includes(owner.email) && /benvenut/i.test(m.subject));
    expect(welcome.subject).toContain('Piani di congedo e flessibilità');
    expect(welcome.text).toContain(`Gentile ${owner.name}`);
    expect(welcome.text).toContain(req.company.name);
    // The owner's personal link (signed over the enrollment and the person).
    expect(welcome.text).toContain(`http://conciliaflow.test/p/${id}.`);
    expect(welcome.html).toContain('Regione Lombardia');
    expect(welcome.messageId).toMatch(/^<[0-9a-f]{32}@conciliaflow\.test>$/);
    const englishWelcome = await catcher.waitFor(
      (m) => m.to.includes(req.participants[1]!.email) && /welcome/i.test(m.subject),
    );
    expect(englishWelcome.text).toContain('Dear Anna Verdi');

    const outOfOrder = await http(
      'POST',
      `/enrollments/${id}/steps/plan-adopted/complete`,
      { actor: consultant },
      { 'accept-language': 'it' },
    );
    expect(outOfOrder.status).toBe(409);
    expect(outOfOrder.body.error.code).toBe('step_out_of_order');
    expect(outOfOrder.body.error.message).toContain('non è ancora aperto');

    for (const step of congedoFlessibilita.steps) {
      await uploadIfNeeded(id, step);
      const r = await http('POST', `/enrollments/${id}/steps/${step.key}/complete`, {
        actor: consultant,
        evidence: step.evidence ? `PROT-${step.key}-2026` : undefined,
      });
      expect(r.status).toBe(200);
    }
    // The last Update returns before the workflow has written its completion: wait for it.
    const result = await temporal.workflow.getHandle(first.body.workflowId).result();
    expect(result.status).toBe('completed');
    const view = await http('GET', `/enrollments/${id}`);
    expect(view.body.status).toBe('completed');
    expect(view.body.milestones.map((m: { type: string }) => m.type)).toEqual([
      'enrolled',
      ...congedoFlessibilita.steps.map(() => 'step_completed'),
      'completed',
    ]);
    const completedMail = await catcher.waitFor(
      (m) => m.to.includes(owner.email) && /completat/i.test(m.subject) && /percorso/i.test(m.subject),
    );
    expect(completedMail.text).toContain(req.company.name);

    const cli = await run(
      process.execPath,
      [path.resolve(__dirname, '../../bin/conciliaflow.js'), '--json', 'show', id],
      {
        env: { ...process.env, CONCILIAFLOW_URL: base, CONCILIAFLOW_TOKEN: giuliaToken },
      },
    );
    expect(JSON.parse(cli.stdout)).toMatchObject({ id, status: 'completed' });
  });
});

test('bad input gets a clear 4xx in the caller language and writes nothing', async () => {
  const before = await db.enrollment.count();
  const companies = await db.company.count();
  const bad = enrollRequest({ kind: 'no-such-pathway' });
  const r1 = await http('POST', '/enrollments', bad, { 'accept-language': 'en' });
  expect(r1.status).toBe(422);
  expect(r1.body.error).toMatchObject({ code: 'unknown_kind' });
  expect(r1.body.error.message).toContain('congedo-flessibilita');
  const r2 = await http('POST', '/enrollments', { ...enrollRequest(), participants: [] }, { 'accept-language': 'it' });
  expect(r2.status).toBe(400);
  expect(r2.body.error.message).toMatch(/^Richiesta non valida: participants/);
  const r3 = await http(
    'POST',
    '/enrollments',
    enrollRequest({ company: { ...enrollRequest().company, province: 'Torino' } }),
  );
  expect(r3.status).toBe(422);
  expect(r3.body.error.code).toBe('territory_not_covered');
  const r4 = await http('POST', '/enrollments', '{"broken json');
  expect(r4.status).toBe(400);
  const r5 = await http('GET', '/enrollments/enr_missing');
  expect(r5.status).toBe(404);
  expect(await db.enrollment.count()).toBe(before);
  expect(await db.company.count()).toBe(companies);
});

test('a worker stopped mid-pathway and started again loses nothing and sends nothing twice', async () => {
  const req = enrollRequest();
  const id = await withWorker(async () => {
    const r = await http('POST', '/enrollments', req);
    expect(r.status).toBe(201);
    await catcher.waitFor((m) => m.to.includes(req.participants[0]!.email) && /benvenut/i.test(m.subject));
    const s = await http('POST', `/enrollments/${r.body.id}/steps/intake/complete`, { actor: consultant });
    expect(s.status).toBe(200);
    return r.body.id as string;
  });
  // No worker now. A second worker (empty cache: it replays the history) takes over.
  await withWorker(async () => {
    for (const step of congedoFlessibilita.steps.slice(1)) {
      await uploadIfNeeded(id, step);
      const r = await http('POST', `/enrollments/${id}/steps/${step.key}/complete`, {
        actor: consultant,
        evidence: `DOC-${step.key}`,
      });
      expect(r.status).toBe(200);
    }
    await temporal.workflow.getHandle(`pathway-${id}`).result();
    const view = await http('GET', `/enrollments/${id}`);
    expect(view.body.status).toBe('completed');
  });
  const mine = catcher.messages().filter((m) => req.participants.some((p) => m.to.includes(p.email)));
  const ids = mine.map((m) => m.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  // welcome + one per completed step + pathway completed, for each of the two participants
  expect(mine).toHaveLength(2 * (1 + congedoFlessibilita.steps.length + 1));
  expect(await db.milestone.count({ where: { enrollmentId: id } })).toBe(congedoFlessibilita.steps.length + 2);
  const outbox = await db.outboxMessage.findMany({ where: { enrollmentId: id } });
  expect(outbox.every((o) => o.status === 'sent' && o.attempts === 1)).toBe(true);
});

// Refusals run on the dev server: the Java time-skipping server does not keep rejected Updates,
// so a client polling for their outcome gets "update not found" there.
test('out-of-order, unknown, evidence-less and wrong-role completions are refused and change nothing', async () => {
  await withWorker(async () => {
    const { enrollment } = await service.enroll(enrollRequest());
    const handle = temporal.workflow.getHandle(enrollment.workflowId);
    const before = await handle.query(getStateQuery);
    const historyBefore = (await handle.fetchHistory()).events?.length ?? 0;

    const refusal = async (body: CompleteStepRequest) => {
      try {
        await service.completeStep(enrollment.id, body);
      } catch (err) {
        if (isDomainError(err)) return err;
        throw err;
      }
      throw new Error('expected a refusal');
    };
    expect((await refusal({ stepKey: 'training', actor: consultant })).code).toBe('step_out_of_order');
    expect((await refusal({ stepKey: 'no-such-step', actor: consultant })).code).toBe('unknown_step');
    expect((await refusal({ stepKey: 'intake', actor: { role: 'sme', id: 'x@y.test' } })).code).toBe(
      'role_not_allowed',
    );
    await service.completeStep(enrollment.id, { stepKey: 'intake', actor: consultant });
    const noEvidence = await refusal({ stepKey: 'needs-analysis', actor: consultant });
    expect(noEvidence.code).toBe('evidence_required');
    expect(noEvidence.messages.it).toContain("Riferimento al rapporto d'analisi");
    expect((await refusal({ stepKey: 'intake', actor: consultant })).code).toBe('step_already_completed');

    const after = await handle.query(getStateQuery);
    expect(after.steps.map((s) => s.status)).toEqual(['done', 'active', 'pending', 'pending', 'pending']);
    expect(after.history.filter((h) => h.type === 'step-completed')).toHaveLength(1);
    expect(before.steps[0]!.status).toBe('active');
    // Rejected updates never reach history: only the one accepted update added events.
    const events = (await handle.fetchHistory()).events ?? [];
    const updateAccepted = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(updateAccepted).toHaveLength(1);
    expect(events.length).toBeGreaterThan(historyBefore);
    const milestones = await db.milestone.count({ where: { enrollmentId: enrollment.id, type: 'step_completed' } });
    expect(milestones).toBe(1);
  });
});

test('reopen, extension, confirmation and withdrawal refusals are clear and change nothing', async () => {
  await withWorker(async () => {
    const req = enrollRequest();
    const created = await http('POST', '/enrollments', req);
    const id: string = created.body.id;
    const sme = await smeToken(req.company.vatNumber!, req.participants[0]!.email);
    const before = await http('GET', `/enrollments/${id}`);

    const reopenNothing = await http('POST', `/enrollments/${id}/steps/intake/reopen`, {
      reason: 'rifare il colloquio',
      actor: consultant,
    });
    expect([reopenNothing.status, reopenNothing.body.error.code]).toEqual([409, 'step_not_reopenable']);
    const pastEnd = await http(
      'POST',
      `/enrollments/${id}/steps/intake/extend`,
      { newDueDate: '2028-03-01', reason: 'ferie estive', actor: consultant },
      { 'accept-language': 'en' },
    );
    expect([pastEnd.status, pastEnd.body.error.code]).toEqual([422, 'past_programme_end']);
    expect(pastEnd.body.error.message).toContain('programme end');
    const noReason = await http('POST', `/enrollments/${id}/withdraw`, { reason: 'no' }, {}, sme);
    expect(noReason.status).toBe(400);
    const wrongRole = await http('POST', `/enrollments/${id}/confirm`, { actor: consultant });
    expect([wrongRole.status, wrongRole.body.error.code]).toEqual([403, 'role_not_allowed']);
    expect((await http('POST', `/enrollments/${id}/confirm`, {}, {}, sme)).status).toBe(200);
    const twice = await http('POST', `/enrollments/${id}/confirm`, {}, {}, sme);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'already_confirmed']);

    const after = await http('GET', `/enrollments/${id}`);
    expect(after.body.pathway.steps).toEqual(before.body.pathway.steps);
    expect(after.body.milestones.map((m: { type: string }) => m.type)).toEqual(['enrolled', 'participation_confirmed']);
    const withdrawn = await http('POST', `/enrollments/${id}/withdraw`, { reason: 'Cessata attività' }, {}, sme);
    expect(withdrawn.status).toBe(200);
    await temporal.workflow.getHandle(`pathway-${id}`).result();
    const late = await http('POST', `/enrollments/${id}/steps/intake/complete`, { actor: consultant });
    expect([late.status, late.body.error.code]).toEqual([409, 'pathway_closed']);
  });
});

test('a business network enrolls as one party and every member firm’s participants are reminded', async () => {
  await withWorker(async () => {
    const base = enrollRequest();
    const network = {
      ...base,
      company: {
        ...base.company,
        name: 'Rete Tessile Brianza',
        members: [
          {
            name: 'Filati Monza S.r.l.',
            vatNumber: '0' + base.company.vatNumber!.slice(1, 10) + '1',
            sector: 'industria',
            staff: 12,
            turnoverCents: 180_000_000,
            balanceSheetCents: 120_000_000,
            participants: [{ name: 'Luca Bassi', email: 'luca@filati.test' }],
          },
          {
            name: 'Tinture Lecco S.n.c.',
            vatNumber: '0' + base.company.vatNumber!.slice(1, 10) + '2',
            sector: 'artigianato',
            staff: 4,
            turnoverCents: 40_000_000,
            balanceSheetCents: 30_000_000,
            participants: [{ name: 'Sara Conti', email: 'sara@tinture.test', locale: 'en' }],
          },
        ],
      },
    };
    const r = await http('POST', '/enrollments', network);
    expect(r.status).toBe(201);
    expect(r.body.company.size).toBe('small');
    for (const email of ['luca@filati.test', 'sara@tinture.test', base.participants[0]!.email]) {
      await catcher.waitFor((m) => m.to.includes(email) && /benvenut|welcome/i.test(m.subject));
    }
    const members = await db.company.findMany({ where: { networkId: r.body.company.id } });
    expect(members.map((m) => m.name).sort()).toEqual(['Filati Monza S.r.l.', 'Tinture Lecco S.n.c.']);
  });
});

test('the opt-out link in an email opens a page; only its button opts out; a forged link is refused', async () => {
  await withWorker(async () => {
    const req = enrollRequest();
    await http('POST', '/enrollments', req);
    const owner = req.participants[0]!.email;
    const welcome = await catcher.waitFor((m) => m.to.includes(owner) && /benvenut/i.test(m.subject));
    const url = new URL(/https?:\/\/\S+\/preferences\/opt-out\?token=[\w.%-]+/.exec(welcome.text)![0]);
    const page = await fetch(`${base}${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(owner);
    expect((await db.participant.findFirstOrThrow({ where: { email: owner } })).optedOutAt).toBeNull();
    const post = await fetch(`${base}/preferences/opt-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: url.searchParams.get('token')! }).toString(),
    });
    expect(post.status).toBe(200);
    expect((await db.participant.findFirstOrThrow({ where: { email: owner } })).optedOutAt).not.toBeNull();
    const forged = await http('GET', `/preferences/opt-out?token=${url.searchParams.get('token')!.slice(0, -3)}abc`);
    expect([forged.status, forged.body.error.code]).toEqual([403, 'invalid_token']);
  });
});

test('/health reports staged emails running late (no dispatcher is sending) and how late, without a 503', async () => {
  const transport = transportFor(catcher);
  try {
    const mail = testMailActivities(db, transport);
    // No worker, hence no dispatcher, runs in this test: a reminder staged for an hour ago waits.
    await mail.notify(
      reminderInput({
        key: 'health-late',
        to: { name: 'Anna Verdi', email: 'anna@health.test' },
        companyName: 'Tessitura',
        sendAt: Date.now() - 3600_000,
      }),
    );
    const late = await http('GET', '/health');
    expect(late.status).toBe(200);
    expect(late.body.emails.lateStaged).toBe(1);
    expect(late.body.emails.oldestLateSeconds).toBeGreaterThanOrEqual(3600);
    await mail.cancelScheduled({ keys: ['health-late'] });
    expect((await http('GET', '/health')).body.emails).toEqual({ lateStaged: 0, oldestLateSeconds: null });
  } finally {
    transport.close();
  }
});
