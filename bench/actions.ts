/**
 * `npm run bench -- actions`: how fast a person's action on a pathway is answered through the API,
 * one request at a time (complete, reopen, extend, reassign, withdraw on N enrollments, p50 and
 * p99 each), back to back and one every BENCH_PACE_MS, against the raw Temporal floor measured in
 * the same run on the same dev server and worker process: an Update whose handler runs one
 * activity that does nothing (and one whose handler runs none). The target is a complete at most
 * 1.2x the Update with one activity. Prints JSON with the ratios and the load average; asserts
 * nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { tuneSqlite } from '../infra/db';
import { MailCatcher } from '../mail/mail-catcher';
import { createTransport } from '../mail/transport';
import { createApiToken, createUser } from '../client/auth/users';
import { addWorkingDays, localDateOf, localDateToIso } from '../domain/calendar';
import {
  createTestDb,
  enrollRequest,
  logger,
  MAIL_FROM,
  PREFERENCES_SECRET,
  PUBLIC_URL,
  spawnProgram,
} from '../test/support/fixtures';
import { repoRoot } from '../scripts/paths';
import { createWorker } from '../worker/create-worker';
import { benchActivityUpdate, benchDoneSignal, benchEmptyUpdate, updateBenchWorkflow } from '../workflows/bench';
import { percentile, print, profiled, round } from './common';
import { benchTemporalServer, bundleBenchWorkflows, startBenchApi, closeBenchStack } from './stack';

const N = Number(process.env.BENCH_N ?? 40);
const WARMUP = 5;
/** The paced completes: one every PACE_MS, so the emails of the one before have gone (what one person meets). */
const PACE_MS = Number(process.env.BENCH_PACE_MS ?? 400);

interface Figures {
  p50: number;
  p99: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)) };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function benchActions(): Promise<void> {
  const server = await benchTemporalServer();
  const { db, url } = createTestDb();
  if (!process.env.BENCH_NO_TUNE) await tuneSqlite(db, url);
  const catcher = await MailCatcher.start({ port: 0, maxMessages: N * 20 + 100 });
  const transport = createTransport({
    url: `smtp://127.0.0.1:${catcher.port}`,
    maxConnections: 5,
    ratePerSecond: 1000,
  });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const workflowBundle = await bundleBenchWorkflows();

  // The service's worker, as deployed, and the floor's, in the same process on the same server.
  // BENCH_WORKERS=split: this process's worker takes the workflow tasks only, and worker/main.ts with
  // WORKER_TASKS=activities, in a process of its own, the activities (the emails).
  const split = process.env.BENCH_WORKERS === 'split';
  const taskQueue = 'bench-actions';
  const deps = { db, transport, from: MAIL_FROM, publicUrl: PUBLIC_URL, logger, preferencesSecret: PREFERENCES_SECRET };
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps,
    workflowBundle,
    tasks: split ? 'workflows' : 'all',
  });
  const activityProcess = split
    ? spawnProgram(path.join(repoRoot, 'worker', 'main.ts'), {
        env: {
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
          DATABASE_URL: url,
          SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
          SMTP_MAX_CONNECTIONS: '5',
          SMTP_RATE_PER_SECOND: '1000',
          MAIL_FROM,
          PUBLIC_URL,
          PREFERENCES_SECRET,
          WORKER_TASKS: 'activities',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      })
    : undefined;
  const floorWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'bench-update-floor',
    workflowBundle,
    activities: { benchNoop: async (n: number) => n },
  });
  const running = Promise.all([worker.run(), floorWorker.run()]);

  const { api, base, token } = await startBenchApi({ db, temporal, taskQueue });
  // Steps are completed by the consultant who follows the enrollments (the catalogue's rule).
  const giulia = await createUser(
    db,
    { role: 'consultant', email: 'giulia.bianchi@consulenti.test', name: 'Giulia Bianchi' },
    { id: 'bench', role: 'system' },
  );
  const consultantToken = (await createApiToken(db, giulia.id, 'bench', { id: 'bench', role: 'system' })).token;
  const post = async (path: string, body: unknown, expect: number, as = token) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== expect) throw new Error(`POST ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  // The floor: one long-lived workflow answering Updates, one at a time.
  const floor: WorkflowHandle = await temporal.workflow.start(updateBenchWorkflow, {
    taskQueue: 'bench-update-floor',
    workflowId: `update-floor-${Date.now()}`,
  });
  const rawUpdates = async (when: string) => {
    process.stderr.write(`raw Updates x${N} (one activity, then empty), ${when}...\n`);
    for (let i = 0; i < WARMUP; i++) await floor.executeUpdate(benchActivityUpdate, { args: [i] });
    const withActivity: number[] = [];
    const empty: number[] = [];
    for (let i = 0; i < N; i++)
      withActivity.push(
        await timed(() => floor.executeUpdate(benchActivityUpdate, { args: [i] }).then(() => undefined)),
      );
    for (let i = 0; i < N; i++)
      empty.push(await timed(() => floor.executeUpdate(benchEmptyUpdate, { args: [i] }).then(() => undefined)));
    return { withActivity, empty };
  };

  process.stderr.write(`enrolling ${2 * N + WARMUP} companies...\n`);
  const ids: string[] = [];
  for (let i = 0; i < N + WARMUP; i++) ids.push((await post('/enrollments', enrollRequest(), 201)).id as string);
  const pacedIds: string[] = [];
  for (let i = 0; i < N; i++) pacedIds.push((await post('/enrollments', enrollRequest(), 201)).id as string);
  // Every pathway past its welcome (enrolled milestone and email), so actions meet running pathways at rest.
  const welcomed = (ids.length + pacedIds.length) * 2;
  for (let tries = 0; (await db.outboxMessage.count({ where: { status: 'sent' } })) < welcomed; tries++) {
    if (tries > 600) throw new Error('welcome emails did not all go within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }

  const before = await rawUpdates('before');
  type View = { pathway: { steps: { key: string; dueAt: string | null }[] } | null };
  const views = new Map<string, View>();
  const actions: [string, (id: string) => Promise<void>][] = [
    [
      'complete',
      async (id) => {
        await post(`/enrollments/${id}/steps/intake/complete`, {}, 200, consultantToken);
      },
    ],
    [
      'reopen',
      async (id) => {
        views.set(
          id,
          (await post(`/enrollments/${id}/steps/intake/reopen`, { reason: 'Bench: riaperto' }, 200)) as View,
        );
      },
    ],
    [
      'extend',
      async (id) => {
        const due = views.get(id)!.pathway!.steps[0]!.dueAt!;
        const newDueDate = localDateToIso(addWorkingDays(localDateOf(Date.parse(due)), 5));
        await post(`/enrollments/${id}/steps/intake/extend`, { newDueDate, reason: 'Bench: proroga' }, 200);
      },
    ],
    [
      'reassign',
      async (id) => {
        await post(
          `/enrollments/${id}/consultant`,
          { consultant: { name: 'Paolo Neri', email: 'paolo@bench.test' } },
          200,
        );
      },
    ],
    [
      'withdraw',
      async (id) => {
        await post(`/enrollments/${id}/withdraw`, { reason: 'Bench: ritirata' }, 200);
      },
    ],
  ];
  const results: Record<string, Figures> = {};
  for (const [name, run] of actions) {
    process.stderr.write(`POST ${name} x${N}, one at a time...\n`);
    for (const id of ids.slice(0, WARMUP)) await run(id);
    const samples: number[] = [];
    await profiled(`actions-${name}`, async () => {
      for (const id of ids.slice(WARMUP)) samples.push(await timed(() => run(id)));
    });
    results[name] = figures(samples);
  }
  // Back to back (above), each action meets the previous one's emails (the notify activity, SMTP,
  // the catcher, all in this process) still being sent; paced, one every PACE_MS, a quiet worker.
  for (const [name, run] of actions) {
    process.stderr.write(`POST ${name} x${N}, one every ${PACE_MS} ms...\n`);
    const paced: number[] = [];
    for (const id of pacedIds) {
      paced.push(await timed(() => run(id)));
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    results[`${name}, one every ${PACE_MS} ms`] = figures(paced);
  }
  const after = await rawUpdates('after');

  const withActivity = figures([...before.withActivity, ...after.withActivity]);
  const empty = figures([...before.empty, ...after.empty]);
  print({
    benchmark: 'pathway actions through the API, sequential',
    workers: split ? 'workflows here, activities in their own process' : 'one worker, in this process',
    n: N,
    note: 'shared, loaded machine: compare the ratios, not the milliseconds',
    rawUpdateOneActivityMs: withActivity,
    rawUpdateOneActivityBeforeAfterP50: [figures(before.withActivity).p50, figures(after.withActivity).p50],
    rawUpdateEmptyMs: empty,
    actionsMs: results,
    ratioP50ToRawUpdateWithActivity: Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, round(v.p50 / withActivity.p50, 2)]),
    ),
    ratioP99ToRawUpdateWithActivity: Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, round(v.p99 / withActivity.p99, 2)]),
    ),
    target: { action: 'complete', p50RatioAtMost: 1.2 },
    loadAverage: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  });

  await floor.signal(benchDoneSignal);
  await api.close();
  if (activityProcess) {
    const gone = new Promise((resolve) => activityProcess.once('exit', resolve));
    activityProcess.kill('SIGTERM');
    await gone;
  }
  worker.shutdown();
  floorWorker.shutdown();
  await running;
  await closeBenchStack({ transport, connection, nativeConnection, catcher, db, server });
}
