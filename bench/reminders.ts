/**
 * `npm run bench -- reminders`: 10,000 reminders that come due within the same minute (spread
 * evenly over it), each a durable timer followed by the outbox activity and SMTP (the reminder path
 * of every pathway), on the dev server (or BENCH_TEMPORAL_ADDRESS) with one worker. Measures the lateness from each reminder's
 * due time to SMTP acceptance (p50, p99) and the email throughput, against two baselines measured
 * in the same run on the same servers:
 *  - raw pooled nodemailer sending the same number of messages to the same SMTP sink with the same
 *    pool and rate;
 *  - the Temporal floor: the same workflows and timers with an activity that does nothing, i.e. what
 *    the dev server and one worker on this machine can do before any database or SMTP work.
 * Also reports the worker's memory with the 10,000 workflows open.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { tuneSqlite } from '../activities/db';
import { MailCatcher } from '../activities/mail/mail-catcher';
import { createTransport } from '../activities/transport';
import type { NotifyInput, NotifyResult } from '../activities/types';
import { freePort, startDevServer } from '../scripts/dev-server';
import { ensureTemporalCli } from '../scripts/provision';
import { createTestDb, logger, MAIL_FROM, PREFERENCES_SECRET, PUBLIC_URL } from '../test/support/fixtures';
import { createWorker } from '../worker/create-worker';
import { reminderBenchWorkflow } from '../workflows/bench';
import { percentile, pool, print, progress, round } from './common';

const N = Number(process.env.BENCH_REMINDERS ?? 10_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 60_000);
const POOL = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 5);
const RATE = Number(process.env.BENCH_SMTP_RATE ?? 1000);
/** The worker's sticky cache (WORKER_MAX_CACHED_WORKFLOWS in the service); unset: the SDK's default. */
const CACHE = process.env.BENCH_MAX_CACHED_WORKFLOWS ? Number(process.env.BENCH_MAX_CACHED_WORKFLOWS) : undefined;
const mb = (bytes: number) => round(bytes / 2 ** 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Burst {
  latenessSeconds: { p50: number; p99: number; max: number };
  perSecond: number;
  /** Worker RSS once every workflow is open and waiting. */
  rssOpen: number;
}

/**
 * Starts N reminder workflows due evenly over SPREAD_MS from a moment far enough ahead for all of
 * them to be waiting, then waits until `arrived()` counts N and measures each one's lateness.
 */
async function burst(
  temporal: Client,
  taskQueue: string,
  label: string,
  arrivals: () => Map<number, number>,
): Promise<Burst> {
  const dueStart = Date.now() + Math.max(30_000, N * 8);
  const dueOf = (i: number) => dueStart + Math.floor((i * SPREAD_MS) / N);
  process.stderr.write(
    `[${label}] starting ${N} reminder workflows, due from ${new Date(dueStart).toISOString()} over ${SPREAD_MS / 1000} s...\n`,
  );
  let started = 0;
  await pool(N, 16, async (i) => {
    await temporal.workflow.start(reminderBenchWorkflow, {
      taskQueue,
      workflowId: `${label}-${i}`,
      args: [{ key: `${label}-${i}`, dueAt: dueOf(i), email: `p${i}@bench.test` }],
    });
    progress(`[${label}] started`, ++started, N);
  });
  if (Date.now() > dueStart) process.stderr.write('warning: starting took longer than planned; lateness includes it\n');
  await sleep(Math.max(0, dueStart - Date.now() - 2000));
  global.gc?.();
  const rssOpen = process.memoryUsage().rss;
  process.stderr.write(`[${label}] all waiting; RSS ${mb(rssOpen)} MiB. Waiting for ${N} arrivals...\n`);
  const deadline = Date.now() + 30 * 60_000;
  let lastReport = 0;
  while (arrivals().size < N) {
    if (Date.now() > deadline) throw new Error(`[${label}] only ${arrivals().size}/${N} after 30 minutes`);
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      process.stderr.write(`[${label}] arrived: ${arrivals().size}/${N}\n`);
    }
    await sleep(200);
  }
  const at = arrivals();
  const lateness = [...at].map(([i, t]) => (t - dueOf(i)) / 1000).sort((a, b) => a - b);
  const times = [...at.values()].sort((a, b) => a - b);
  // Over the busy period: with arrivals faster than the service, this is its capacity.
  const busySeconds = Math.max((times.at(-1)! - Math.min(times[0]!, dueStart)) / 1000, 0.001);
  return {
    latenessSeconds: {
      p50: round(percentile(lateness, 0.5), 2),
      p99: round(percentile(lateness, 0.99), 2),
      max: round(lateness.at(-1)!, 2),
    },
    perSecond: round(N / busySeconds),
    rssOpen,
  };
}

const indexOf = (key: string) => Number(/-(\d+)(?::|$)/.exec(key)?.[1] ?? NaN);

export async function benchReminders(): Promise<void> {
  // BENCH_TEMPORAL_ADDRESS: an existing server (e.g. `npm run temporal:pg`, the full server on
  // PostgreSQL) instead of a fresh in-memory dev server.
  const existing = process.env.BENCH_TEMPORAL_ADDRESS;
  const server = existing
    ? { address: existing, stop: async () => undefined }
    : await startDevServer({ cliPath: ensureTemporalCli(), port: await freePort() });
  const { db, url } = createTestDb();
  await tuneSqlite(db, url);
  const catcher = await MailCatcher.start({ port: 0, maxMessages: N * 2 + 10 });
  const smtpUrl = `smtp://127.0.0.1:${catcher.port}`;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  process.stderr.write('bundling workflows...\n');
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });

  // 1. The Temporal floor: same workflows and timers, an activity that only notes the time.
  const floorArrivals = new Map<number, number>();
  const floorWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'bench-floor',
    workflowBundle,
    ...(CACHE !== undefined ? { maxCachedWorkflows: CACHE } : {}),
    activities: {
      async notify(input: NotifyInput): Promise<NotifyResult> {
        floorArrivals.set(indexOf(input.key), Date.now());
        return { sent: 1, alreadySent: 0, failed: [] };
      },
    },
  });
  const floorRunning = floorWorker.run();
  const floor = await burst(temporal, 'bench-floor', 'floor', () => floorArrivals);
  floorWorker.shutdown();
  await floorRunning;

  // 2. The service: the outbox activity, SQLite and SMTP to the sink.
  const transport = createTransport({ url: smtpUrl, maxConnections: POOL, ratePerSecond: RATE });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: 'bench-reminders',
    deps: { db, transport, from: MAIL_FROM, publicUrl: PUBLIC_URL, logger, preferencesSecret: PREFERENCES_SECRET },
    workflowBundle,
    maxCachedWorkflows: CACHE,
  });
  const running = worker.run();
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const serviceArrivals = () =>
    new Map(
      catcher.messages().map((m) => [indexOf(m.headers['x-conciliaflow-key'] ?? ''), m.receivedAt.getTime()] as const),
    );
  const service = await burst(temporal, 'bench-reminders', 'reminder', serviceArrivals);

  // 3. Raw pooled nodemailer: same sink, same pool and rate, same number of messages.
  const sample = (await db.outboxMessage.findFirstOrThrow()) as { subject: string; html: string; text: string };
  catcher.clear();
  const raw = createTransport({ url: smtpUrl, maxConnections: POOL, ratePerSecond: RATE });
  process.stderr.write(`raw nodemailer x${N}...\n`);
  const rawMs = await pool(N, 100, async (i) => {
    await raw.sendMail({
      from: MAIL_FROM,
      to: `raw${i}@bench.test`,
      subject: sample.subject,
      html: sample.html,
      text: sample.text,
    });
  });
  raw.close();
  const rawRate = (N / rawMs) * 1000;

  print({
    benchmark: 'reminder timeliness',
    reminders: N,
    temporal: existing ? `server at ${existing}` : 'dev server (in memory)',
    dueWithinSeconds: SPREAD_MS / 1000,
    smtp: { maxConnections: POOL, ratePerSecond: RATE },
    maxCachedWorkflows: CACHE ?? 'SDK default',
    latenessSeconds: service.latenessSeconds,
    latenessTargetP99Seconds: 5,
    emailsPerSecond: service.perSecond,
    rawNodemailerPerSecond: round(rawRate),
    ratio: round(service.perSecond / rawRate, 2),
    ratioTarget: 0.7,
    temporalFloor: {
      what: 'same workflows and timers, activity does nothing',
      latenessSeconds: floor.latenessSeconds,
      perSecond: floor.perSecond,
      serviceRatioToFloor: round(service.perSecond / floor.perSecond, 2),
    },
    workerMemory: {
      rssBeforeMiB: mb(rssBefore),
      rssWithOpenWorkflowsMiB: mb(service.rssOpen),
      openWorkflows: N,
    },
  });
  worker.shutdown();
  await running;
  transport.close();
  await connection.close();
  await nativeConnection.close();
  await catcher.stop();
  await db.$disconnect();
  await server.stop();
}
