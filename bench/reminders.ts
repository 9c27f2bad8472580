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
 * Also reports the worker's memory with the 10,000 runs open (at the cache size the service would
 * choose on this machine, or BENCH_MAX_CACHED_WORKFLOWS: a number, or `sdk` for the SDK's default),
 * how fast they were staged, and what an evicted pathway costs at its next timer: the workflow task
 * after a timer for runs with a pathway's history length, cached against replayed, and the replay
 * of recorded pathway histories (test/replay/histories) with the real pathway code.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { tuneSqlite } from '../infra/db';
import { createMailActivities } from '../activities/outbox';
import { DEFAULT_DISPATCH_POLL_MS } from '../activities/dispatcher';
import { ICS_CONTENT_TYPE } from '../mail/ics';
import { MailCatcher } from '../mail/mail-catcher';
import { createTransport } from '../mail/transport';
import type { NotifyInput, NotifyResult, PathwayActivities } from '../activities/types';
import { createTestDb, logger, MAIL_FROM, PREFERENCES_SECRET, PUBLIC_URL } from '../test/support/fixtures';
import { chooseCacheSize } from '../worker/cache-size';
import { createConfiguredDispatcher } from '../worker/create-worker';
import {
  benchReminderContext,
  evictionBenchWorkflow,
  evictionDueSignal,
  reminderBenchWorkflow,
} from '../workflows/bench';
import { percentile, pool, print, progress, round } from './common';
import { benchTemporalServer, bundleBenchWorkflows } from './stack';

const N = Number(process.env.BENCH_REMINDERS ?? 10_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 60_000);
const POOL = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 5);
const RATE = Number(process.env.BENCH_SMTP_RATE ?? 1000);
/** What the SDK picks when given no cache size (its formula, with reuseV8Context, the default). */
const SDK_DEFAULT_CACHE = Math.max(
  Math.floor((Math.max(v8.getHeapStatistics().heap_size_limit / 2 ** 20 - 200, 0) * 600) / 1024),
  10,
);
/**
 * The worker's sticky cache: unset, the size the service chooses on this machine (from
 * BENCH_WORKER_MEMORY_MB as WORKER_MEMORY_MB, else the cgroup limit or the machine's memory); a
 * number, as WORKER_MAX_CACHED_WORKFLOWS; `sdk`, the SDK's default (the service's before).
 */
const CACHE_CHOICE =
  process.env.BENCH_MAX_CACHED_WORKFLOWS === 'sdk'
    ? undefined
    : chooseCacheSize(
        process.env.BENCH_MAX_CACHED_WORKFLOWS ? Number(process.env.BENCH_MAX_CACHED_WORKFLOWS) : undefined,
        { memoryMb: process.env.BENCH_WORKER_MEMORY_MB ? Number(process.env.BENCH_WORKER_MEMORY_MB) : undefined },
      );
const CACHE = CACHE_CHOICE?.maxCachedWorkflows;
/** The eviction phase: this many runs, each with this many activities before its timer. */
const EVICTION_RUNS = Number(process.env.BENCH_EVICTION_RUNS ?? 40);
/** Between two runs' timers: longer than one replay takes, so each is measured on its own. */
const EVICTION_SPACING_MS = Number(process.env.BENCH_EVICTION_SPACING_MS ?? 500);
const EVICTION_STEPS = Number(process.env.BENCH_EVICTION_STEPS ?? 18);
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
  rss: () => number = () => process.memoryUsage().rss,
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
  const rssOpen = rss();
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

interface TimerTask {
  /** Events in the history when the timer fired: what an evicted run replays. */
  eventsAtTimer: number;
  /** The workflow task after the timer: started to completed on the worker (its replay included). */
  taskMs: number;
  /** Timer fired to the activity it triggers scheduled (queueing, history fetch, replay, reply). */
  timerToActivityMs: number;
}

type Bundle = Awaited<ReturnType<typeof bundleWorkflowCode>>;
type HistoryEvent = NonNullable<
  Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']
>[number];

/** The workflow task that followed the run's last timer, from its history (server timestamps). */
function timerTask(events: HistoryEvent[]): TimerTask {
  let fired = events.length - 1;
  while (fired >= 0 && !events[fired]!.timerFiredEventAttributes) fired--;
  const after = events.slice(fired);
  const started = after.find((e) => !!e.workflowTaskStartedEventAttributes);
  const completed = after.find((e) => !!e.workflowTaskCompletedEventAttributes);
  const scheduled = after.find((e) => !!e.activityTaskScheduledEventAttributes);
  if (fired < 0 || !started || !completed || !scheduled) throw new Error('eviction bench: no task after the timer');
  return {
    eventsAtTimer: fired + 1,
    taskMs: tsToMs(completed.eventTime) - tsToMs(started.eventTime),
    timerToActivityMs: tsToMs(scheduled.eventTime) - tsToMs(events[fired]!.eventTime),
  };
}

/**
 * EVICTION_RUNS runs of evictionBenchWorkflow on a worker of `maxCachedWorkflows` (enough for all
 * of them: each is still cached at its timer; 0: each replays its history at every task, as a
 * pathway evicted from a cache smaller than the open pathways does at its next timer).
 */
async function timerTasks(
  nativeConnection: NativeConnection,
  temporal: Client,
  workflowBundle: Bundle,
  label: string,
  maxCachedWorkflows: number,
) {
  const taskQueue = `bench-${label}`;
  let steps = 0;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle,
    maxCachedWorkflows,
    activities: {
      async notify(input: NotifyInput): Promise<NotifyResult> {
        if (!input.key.endsWith(':due')) steps++;
        return { sent: 1, alreadySent: 0, failed: [] };
      },
    },
  });
  const running = worker.run();
  process.stderr.write(`[${label}] ${EVICTION_RUNS} runs of ${EVICTION_STEPS} activities, then a timer...\n`);
  const ids = Array.from({ length: EVICTION_RUNS }, (_, i) => `${label}-${i}`);
  const handles = await Promise.all(
    ids.map((workflowId) =>
      temporal.workflow.start(evictionBenchWorkflow, {
        taskQueue,
        workflowId,
        args: [{ key: workflowId, steps: EVICTION_STEPS }],
      }),
    ),
  );
  await until(EVICTION_RUNS * EVICTION_STEPS, () => steps, label);
  // Once every run is idle: one timer at a time, so that each task is measured, not a queue of them.
  const first = Date.now() + 3000 + EVICTION_RUNS * 100;
  await Promise.all(handles.map((h, i) => h.signal(evictionDueSignal, first + i * EVICTION_SPACING_MS)));
  await Promise.all(handles.map((h) => h.result()));
  worker.shutdown();
  await running;
  const tasks: TimerTask[] = [];
  for (const id of ids) tasks.push(timerTask((await temporal.workflow.getHandle(id).fetchHistory()).events ?? []));
  const sorted = (f: (t: TimerTask) => number) => tasks.map(f).sort((a, b) => a - b);
  const task = sorted((t) => t.taskMs);
  const toActivity = sorted((t) => t.timerToActivityMs);
  return {
    eventsAtTimer: tasks[0]!.eventsAtTimer,
    taskMs: { p50: round(percentile(task, 0.5), 1), p99: round(percentile(task, 0.99), 1) },
    timerToActivityMs: { p50: round(percentile(toActivity, 0.5), 1), p99: round(percentile(toActivity, 0.99), 1) },
  };
}

/**
 * Replays recorded pathway histories (the real pathway code, through one replay worker) and
 * returns the median milliseconds of one replay of each, the first (the worker's start) left out.
 */
async function pathwayReplays(workflowBundle: Bundle) {
  const dir = path.resolve(__dirname, '..', 'test', 'replay', 'histories');
  const out: Record<string, { events: number; replayMs: number }> = {};
  for (const file of [
    'congedo-flessibilita.v2.staged-reminders.expired.json',
    'congedo-flessibilita.v2.completed.json',
  ]) {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    const copies = 21;
    const gaps: number[] = [];
    let last = performance.now();
    const replays = Worker.runReplayHistories(
      { workflowBundle, replayName: `bench-${file}` },
      Array.from({ length: copies }, (_, i) => ({ workflowId: `replay-${i}`, history })),
    );
    for await (const result of replays) {
      if (result.error) throw result.error;
      gaps.push(performance.now() - last);
      last = performance.now();
    }
    const timed = gaps.slice(1).sort((a, b) => a - b);
    out[file.replace(/\.json$/, '')] = {
      events: history.events?.length ?? 0,
      replayMs: round(percentile(timed, 0.5), 1),
    };
  }
  return out;
}

/** `field` of /proc/<pid>/status in bytes (VmRSS: now, VmHWM: the peak). */
function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * Starts worker/main.ts in its own process with the service's configuration from `env`; resolves
 * once it logs that it runs, with what it logged of its cache size.
 */
async function startWorkerProcess(env: Record<string, string>) {
  const inherited = { ...process.env };
  delete inherited.WORKER_MAX_CACHED_WORKFLOWS;
  delete inherited.WORKER_MEMORY_MB;
  const child = fork(require.resolve('../worker/main'), [], {
    env: { ...inherited, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let cacheLog = '';
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`worker process exited (${code}) before it ran`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; maxCachedWorkflows?: number; reason?: string };
          if (entry.msg?.startsWith('workflow cache')) cacheLog = `cache ${entry.maxCachedWorkflows}: ${entry.reason}`;
          if (entry.msg?.startsWith('worker running')) resolve();
        } catch {
          // Not one of pino's lines (the Temporal runtime's own): not ours to read.
        }
      }
    });
  });
  child.removeAllListeners('exit');
  const pid = child.pid!;
  return {
    pid,
    cacheLog,
    rss: () => procMemory(pid, 'VmRSS'),
    peakRss: () => procMemory(pid, 'VmHWM'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

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

  // 2. The service: the worker as deployed (`npm run worker`, its own process, its cache sized as
  // the service sizes it, the dispatcher beside it), staging by the outbox activity, SQLite, SMTP.
  const transport = createTransport({ url: smtpUrl, maxConnections: POOL, ratePerSecond: RATE });
  const deps = { db, transport, from: MAIL_FROM, publicUrl: PUBLIC_URL, logger, preferencesSecret: PREFERENCES_SECRET };
  const worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'bench-reminders',
    DATABASE_URL: url,
    SMTP_URL: smtpUrl,
    SMTP_MAX_CONNECTIONS: String(POOL),
    SMTP_RATE_PER_SECOND: String(RATE),
    MAIL_FROM,
    PUBLIC_URL,
    PREFERENCES_SECRET,
    DISPATCH_POLL_MS: String(DEFAULT_DISPATCH_POLL_MS),
    // Unset: the worker chooses, as in the service (and logs why).
    ...(process.env.BENCH_MAX_CACHED_WORKFLOWS
      ? { WORKER_MAX_CACHED_WORKFLOWS: String(CACHE ?? SDK_DEFAULT_CACHE) }
      : {}),
    ...(process.env.BENCH_WORKER_MEMORY_MB ? { WORKER_MEMORY_MB: process.env.BENCH_WORKER_MEMORY_MB } : {}),
  });
  const rssBefore = worker.rss();
  process.stderr.write(`[reminder] worker process ${worker.pid}: RSS ${mb(rssBefore)} MiB, ${worker.cacheLog}\n`);
  const serviceArrivals = () =>
    new Map(
      catcher.messages().map((m) => [indexOf(m.headers['x-conciliaflow-key'] ?? ''), m.receivedAt.getTime()] as const),
    );
  const service = await burst(
    temporal,
    'bench-reminders',
    'reminder',
    serviceArrivals,
    {
      leadMs: LEAD_MS,
      staged: () => db.outboxMessage.count({ where: { status: { in: ['scheduled', 'sending', 'sent'] } } }),
    },
    worker.rss,
  );
  const rssPeak = worker.peakRss();
  await worker.stop();

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

  // 5. What an evicted pathway costs at its next timer, against one still cached.
  const cached = await timerTasks(nativeConnection, temporal, workflowBundle, 'evict-cached', EVICTION_RUNS * 2);
  const evicted = await timerTasks(nativeConnection, temporal, workflowBundle, 'evict-replayed', 0);
  process.stderr.write('replaying recorded pathway histories...\n');
  const replays = await pathwayReplays(workflowBundle);

  print({
    benchmark: 'reminder timeliness',
    reminders: N,
    temporal: existing ? `server at ${existing}` : 'dev server (in memory)',
    dueWithinSeconds: SPREAD_MS / 1000,
    smtp: { maxConnections: POOL, ratePerSecond: RATE },
    maxCachedWorkflows: CACHE ?? `SDK default (${SDK_DEFAULT_CACHE})`,
    ...(CACHE_CHOICE ? { cacheSizeReason: CACHE_CHOICE.reason } : {}),
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
      maxCachedWorkflows: CACHE ?? SDK_DEFAULT_CACHE,
      what: 'the worker process (npm run worker) as deployed: RSS from /proc',
      workerLog: worker.cacheLog,
      rssBeforeMiB: mb(rssBefore),
      rssWithOpenWorkflowsMiB: mb(service.rssOpen),
      peakRssMiB: mb(rssPeak),
      floorBenchProcessRssMiB: mb(floor.rssOpen),
      openWorkflows: N,
      targetMiB: 400,
      baseline:
        'SDK default cache (about 2,300): 1,258 MiB on 1 December; BENCH_MAX_CACHED_WORKFLOWS=sdk measures it here',
    },
    evictedPathway: {
      what: `the workflow task after a timer, ${EVICTION_RUNS} runs with ${cached.eventsAtTimer} events of history at it (a pathway where nobody acts: 115 after 18 months)`,
      cached,
      evicted,
      taskRatio: round(evicted.taskMs.p50 / Math.max(cached.taskMs.p50, 0.1), 1),
      timerToActivityRatio: round(evicted.timerToActivityMs.p50 / Math.max(cached.timerToActivityMs.p50, 0.1), 1),
      recordedPathwayReplays: replays,
    },
  });
  transport.close();
  await connection.close();
  await nativeConnection.close();
  await catcher.stop();
  await db.$disconnect();
  await server.stop();
}
