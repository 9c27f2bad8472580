/**
 * `npm run bench -- decree`: a decree reaching BENCH_DECREE_N open pathways (default 2,000) of one
 * edition, on the dev server (or BENCH_TEMPORAL_ADDRESS) with one worker, SQLite and an SMTP sink.
 * The pathways are real pathway runs, waiting on their agenda; the fan-out is the service's own
 * (pages of 200, 20 Updates in flight). Measures the fan-out's wall time and pathways per second
 * against a baseline measured in the same run: starting the same pathways (one workflow start
 * each, with the worker recording their enrollment and welcome email).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { tuneSqlite } from '../infra/db';
import { MailCatcher } from '../mail/mail-catcher';
import { createTransport } from '../mail/transport';
import { congedoFlessibilita } from '../domain/catalogue';
import { findProgramme } from '../domain/programmes';
import { createTestDb, logger, MAIL_FROM, PREFERENCES_SECRET, PUBLIC_URL } from '../test/support/fixtures';
import { createWorker } from '../worker/create-worker';
import { decreeProgressQuery, type PathwayInput } from '../workflows/messages';
import type { programmeDecreeWorkflow } from '../workflows/programme-decree';
import { pool, print, progress, round } from './common';
import { benchTemporalServer, bundleBenchWorkflows, closeBenchStack } from './stack';

const N = Number(process.env.BENCH_DECREE_N ?? 2_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchDecree(): Promise<void> {
  const server = await benchTemporalServer();
  const { db, url } = createTestDb();
  await tuneSqlite(db, url);
  const catcher = await MailCatcher.start({ port: 0, maxMessages: 10 });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const workflowBundle = await bundleBenchWorkflows();
  const transport = createTransport({
    url: `smtp://127.0.0.1:${catcher.port}`,
    maxConnections: 5,
    ratePerSecond: 1000,
  });
  const taskQueue = 'bench-decree';
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: { db, transport, from: MAIL_FROM, publicUrl: PUBLIC_URL, logger, preferencesSecret: PREFERENCES_SECRET },
    workflowBundle,
  });
  const running = worker.run();

  // N enrollments of one edition, each with its company (one pathway kind per company and edition).
  const programme = findProgramme('demo-2026-2027')!;
  const ids = Array.from({ length: N }, (_, i) => `bench${String(i).padStart(6, '0')}`);
  for (let i = 0; i < N; i += 500) {
    const slice = ids.slice(i, i + 500);
    await db.company.createMany({
      data: slice.map((id, j) => ({
        id: `co-${id}`,
        name: `Impresa Bench ${id} S.r.l.`,
        vatNumber: String(20_000_000_000 + i + j),
        province: 'MI',
        atsCode: 'ats-milano',
        sector: 'industria',
        staff: 20,
        size: 'small',
      })),
    });
    await db.enrollment.createMany({
      data: slice.map((id) => ({
        id,
        idempotencyKey: id,
        requestHash: 'bench',
        programmeCode: programme.code,
        kind: congedoFlessibilita.kind,
        catalogueVersion: congedoFlessibilita.version,
        companyId: `co-${id}`,
        consultantEmail: 'giulia@bench.test',
        consultantName: 'Giulia Bench',
        workflowId: `pathway-${id}`,
        workflowStartedAt: new Date(),
      })),
    });
  }
  const input = (id: string): PathwayInput => ({
    enrollmentId: id,
    definition: congedoFlessibilita,
    programme: { code: programme.code, endsOn: programme.endsOn, name: programme.name },
    company: { name: `Impresa Bench ${id} S.r.l.`, city: 'milano' },
    consultant: { name: 'Giulia Bench', email: 'giulia@bench.test' },
    participants: [{ name: 'Titolare', email: `${id}@bench.test`, locale: 'it' }],
  });

  // Baseline: the pathways started, and each one's enrollment recorded by the worker.
  const startT0 = performance.now();
  let started = 0;
  await pool(N, 50, async (i) => {
    await temporal.workflow.start('pathwayWorkflow', {
      taskQueue,
      workflowId: `pathway-${ids[i]}`,
      args: [input(ids[i]!)],
    });
    progress('started', ++started, N);
  });
  while ((await db.milestone.count({ where: { type: 'enrolled' } })) < N) await sleep(200);
  const startMs = performance.now() - startT0;
  // Let the welcome emails drain so the fan-out is measured on its own.
  while ((await db.outboxMessage.count({ where: { status: 'sent' } })) < N) await sleep(200);

  const fanT0 = performance.now();
  const handle = await temporal.workflow.start<typeof programmeDecreeWorkflow>('programmeDecreeWorkflow', {
    taskQueue,
    workflowId: 'decree-bench',
    args: [
      {
        taskQueue,
        programmeCode: programme.code,
        decreeId: 'bench',
        decree: 'DGR XI/1017 del 17/12/2018',
        previousEndsOn: programme.endsOn,
        newEndsOn: '2028-03-31',
        forced: false,
      },
    ],
  });
  for (;;) {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') break;
    const p = await handle.query(decreeProgressQuery).catch(() => null);
    if (p) progress('told', p.done, N);
    await sleep(1000);
  }
  const result = await handle.result();
  const fanMs = performance.now() - fanT0;
  while ((await db.outboxMessage.count({ where: { template: 'programme-end-changed', status: 'sent' } })) < N * 2) {
    await sleep(200);
  }
  const withEmailsMs = performance.now() - fanT0;

  print({
    benchmark: 'decree',
    pathways: N,
    fanOut: {
      seconds: round(fanMs / 1000, 2),
      pathwaysPerSecond: round(N / (fanMs / 1000)),
      done: result.done,
      failed: result.failed,
      refused: result.refused,
      secondsUntilEveryEmailSent: round(withEmailsMs / 1000, 2),
    },
    baseline: {
      what: 'starting the same pathways (workflow start + enrollment recorded by the worker)',
      seconds: round(startMs / 1000, 2),
      pathwaysPerSecond: round(N / (startMs / 1000)),
    },
    ratio: round(fanMs / startMs, 2),
  });

  worker.shutdown();
  await running;
  await closeBenchStack({ transport, connection, nativeConnection, catcher, db, server });
}
