/**
 * `npm run bench -- reminders`: 10,000 open pathways whose reminders come due within the same
 * minute (spread evenly over it), on the dev server (or BENCH_TEMPORAL_ADDRESS) with one worker.
 * The service path is the one pathways take with REMINDER_LEAD_MINUTES (default 15): each run
 * stages its reminder in the outbox ahead of time, stays open, and the dispatcher beside the worker
 * sends it when due. Measures the lateness from each reminder's due time to SMTP acceptance (p50,
 * p99) and the email throughput, against baselines measured in the same run on the same servers:
 *  - raw pooled nodemailer sending the same number of messages to the same SMTP sink with the same
 *    pool and rate;
 *  - the Temporal floor: the same number of runs, each a timer at its due time followed by an
 *    activity that does nothing, i.e. what the unstaged path (REMINDER_LEAD_MINUTES=0) could do at
 *    best on this server and worker before any database or SMTP work.
 * Also reports the worker's memory with the 10,000 runs open, and how fast they were staged.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { tuneSqlite } from '../infra/db';
import { createMailActivities } from '../activities/outbox';
import { DEFAULT_DISPATCH_POLL_MS } from '../activities/dispatcher';
import { ICS_CONTENT_TYPE } from '../mail/ics';
import { MailCatcher } from '../mail/mail-catcher';
import { createTransport } from '../mail/transport';
import type { NotifyInput, NotifyResult, PathwayActivities } from '../activities/types';
import { createTestDb, logger, MAIL_FROM, PREFERENCES_SECRET, PUBLIC_URL } from '../test/support/fixtures';
import { createConfiguredDispatcher, createWorker, runWithDispatcher } from '../worker/create-worker';
import { benchReminderContext, reminderBenchWorkflow } from '../workflows/bench';
import { percentile, pool, print, progress, round } from './common';
import { benchTemporalServer, bundleBenchWorkflows } from './stack';

const N = Number(process.env.BENCH_REMINDERS ?? 10_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 60_000);
const POOL = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 5);
const RATE = Number(process.env.BENCH_SMTP_RATE ?? 1000);
/** The worker's sticky cache (WORKER_MAX_CACHED_WORKFLOWS in the service); unset: the SDK's default. */
const CACHE = process.env.BENCH_MAX_CACHED_WORKFLOWS ? Number(process.env.BENCH_MAX_CACHED_WORKFLOWS) : undefined;
/** The service's staging lead (REMINDER_LEAD_MINUTES' default). */
const LEAD_MS = Number(process.env.BENCH_REMINDER_LEAD_MINUTES ?? 15) * 60_000;
/** Time allowed, per reminder, to start and stage them all before the first is due. */
const SETUP_MS_EACH = Number(process.env.BENCH_SETUP_MS_EACH ?? 40);
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
  staging?: { leadMs: number; staged: () => Promise<number> },
): Promise<Burst & { stagedPerSecond?: number }> {
  const t0 = Date.now();
  const dueStart = t0 + Math.max(30_000, N * (staging ? SETUP_MS_EACH : 8));
  const dueOf = (i: number) => dueStart + Math.floor((i * SPREAD_MS) / N);
  process.stderr.write(
    `[${label}] starting ${N} reminder workflows, due from ${new Date(dueStart).toISOString()} over ${SPREAD_MS / 1000} s...\n`,
  );
  let started = 0;
  await pool(N, 16, async (i) => {
    await temporal.workflow.start(reminderBenchWorkflow, {
      taskQueue,
      workflowId: `${label}-${i}`,
      args: [
        {
          key: `${label}-${i}`,
          dueAt: dueOf(i),
          email: `p${i}@bench.test`,
          ...(staging ? { leadMs: staging.leadMs } : {}),
        },
      ],
    });
    progress(`[${label}] started`, ++started, N);
  });
  let stagedPerSecond: number | undefined;
  if (staging) {
    for (let polls = 0; ; polls++) {
      const staged = await staging.staged();
      if (polls % 10 === 0) process.stderr.write(`[${label}] staged: ${staged}/${N}\n`);
      if (staged >= N || Date.now() >= dueStart) break;
      await sleep(1000);
    }
    const staged = await staging.staged();
    stagedPerSecond = round(staged / ((Date.now() - t0) / 1000));
    process.stderr.write(`[${label}] ${staged}/${N} staged in ${round((Date.now() - t0) / 1000)} s\n`);
  }
  if (Date.now() > dueStart)
    process.stderr.write('warning: setting up took longer than planned; lateness includes it\n');
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
    ...(stagedPerSecond !== undefined ? { stagedPerSecond } : {}),
  };
}

/** Waits until `count()` reaches n, printing progress; fails after 30 minutes. */
async function until(n: number, count: () => number, label: string): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  let lastReport = 0;
  while (count() < n) {
    if (Date.now() > deadline) throw new Error(`[${label}] only ${count()}/${n} after 30 minutes`);
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      process.stderr.write(`[${label}] arrived: ${count()}/${n}\n`);
    }
    await sleep(50);
  }
}

const capacityReminder = (i: number): NotifyInput => ({
  key: `capacity-${i}`,
  template: 'step-reminder',
  to: [{ name: 'Bench Participant', email: `c${i}@bench.test`, locale: 'it' }],
  context: benchReminderContext(Date.now() + 7 * 24 * 3600_000),
});

const indexOf = (key: string) => Number(/-(\d+)(?::|$)/.exec(key)?.[1] ?? NaN);

export async function benchReminders(): Promise<void> {
  // BENCH_TEMPORAL_ADDRESS: an existing server (e.g. `npm run temporal:pg`, the full server on
  // PostgreSQL) instead of a fresh in-memory dev server.
  const existing = process.env.BENCH_TEMPORAL_ADDRESS;
  const server = await benchTemporalServer();
  const { db, url } = createTestDb();
  await tuneSqlite(db, url);
  const catcher = await MailCatcher.start({ port: 0, maxMessages: N * 2 + 10 });
  const smtpUrl = `smtp://127.0.0.1:${catcher.port}`;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const workflowBundle = await bundleBenchWorkflows();

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

  // 2. The service: staged by the outbox activity, sent by the dispatcher (SQLite, SMTP to the sink).
  const transport = createTransport({ url: smtpUrl, maxConnections: POOL, ratePerSecond: RATE });
  const deps = { db, transport, from: MAIL_FROM, publicUrl: PUBLIC_URL, logger, preferencesSecret: PREFERENCES_SECRET };
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: 'bench-reminders',
    deps,
    workflowBundle,
    maxCachedWorkflows: CACHE,
  });
  const running = runWithDispatcher(worker, createConfiguredDispatcher(deps, DEFAULT_DISPATCH_POLL_MS));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const serviceArrivals = () =>
    new Map(
      catcher.messages().map((m) => [indexOf(m.headers['x-conciliaflow-key'] ?? ''), m.receivedAt.getTime()] as const),
    );
  const service = await burst(temporal, 'bench-reminders', 'reminder', serviceArrivals, {
    leadMs: LEAD_MS,
    staged: () => db.outboxMessage.count({ where: { status: { in: ['scheduled', 'sending', 'sent'] } } }),
  });

  worker.shutdown();
  await running;

  // 3. The dispatcher's capacity: N reminders staged by the outbox activity, then all made due at
  // the same instant, so nothing but the dispatcher (claims, SMTP, one update a row) sets the pace.
  catcher.clear();
  // As the workflow calls it: benchReminderContext (workflows/bench.ts) is not typed by template yet.
  const mail: Pick<PathwayActivities, 'notify'> = createMailActivities(deps);
  const farAhead = Date.now() + 24 * 3600_000;
  process.stderr.write(`[capacity] staging ${N} reminders...\n`);
  await pool(N, 8, async (i) => {
    await mail.notify({ ...capacityReminder(i), sendAt: farAhead });
  });
  await db.outboxMessage.updateMany({
    where: { idempotencyKey: { startsWith: 'capacity-' } },
    data: { sendAt: new Date() },
  });
  const capacityStart = Date.now();
  const dispatcher = createConfiguredDispatcher(deps, DEFAULT_DISPATCH_POLL_MS);
  dispatcher.start();
  await until(N, () => catcher.messages().length, 'capacity');
  const capacityRate = (N / (Date.now() - capacityStart)) * 1000;
  await dispatcher.stop();

  // 4. Raw pooled nodemailer: same sink, same pool and rate, same number of messages.
  // The same message as the service's: subject, both bodies and the calendar attachment.
  const sample = await db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: { startsWith: 'capacity-' } } });
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
      ...(sample.ics
        ? { attachments: [{ filename: 'scadenza.ics', content: sample.ics, contentType: ICS_CONTENT_TYPE }] }
        : {}),
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
    path: `staged ${LEAD_MS / 60_000} min ahead, sent by the dispatcher (poll ${DEFAULT_DISPATCH_POLL_MS} ms)`,
    stagedPerSecond: service.stagedPerSecond,
    latenessSeconds: service.latenessSeconds,
    latenessTargetP99Seconds: 5,
    emailsPerSecondDuringBurst: service.perSecond,
    dispatcherEmailsPerSecond: round(capacityRate),
    rawNodemailerPerSecond: round(rawRate),
    ratio: round(capacityRate / rawRate, 2),
    ratioTarget: 0.7,
    temporalFloor: {
      what: 'unstaged: a timer at each due time, then an activity that does nothing',
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
  transport.close();
  await connection.close();
  await nativeConnection.close();
  await catcher.stop();
  await db.$disconnect();
  await server.stop();
}
