/**
 * `npm run bench -- reminders`: 10,000 reminders that come due at the same instant, each a durable
 * timer followed by the outbox activity and SMTP (the reminder path of every pathway), on the dev
 * server with one worker. Measures the lateness from due time to SMTP acceptance (p50, p99) and
 * the email throughput, against raw pooled nodemailer sending the same number of messages to the
 * same SMTP sink with the same pool and rate in the same run. Also reports the worker's memory
 * with the 10,000 workflows open.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { tuneSqlite } from '../activities/db';
import { MailCatcher } from '../activities/mail/mail-catcher';
import { createTransport } from '../activities/transport';
import { freePort, startDevServer } from '../scripts/dev-server';
import { ensureTemporalCli } from '../scripts/provision';
import { createTestDb, logger, MAIL_FROM, PREFERENCES_SECRET, PUBLIC_URL } from '../test/support/fixtures';
import { createWorker } from '../worker/create-worker';
import { reminderBenchWorkflow } from '../workflows/bench';
import { percentile, pool, print, progress, round } from './common';

const N = Number(process.env.BENCH_REMINDERS ?? 10_000);
const POOL = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 5);
const RATE = Number(process.env.BENCH_SMTP_RATE ?? 1000);
const mb = (bytes: number) => round(bytes / 2 ** 20);

export async function benchReminders(): Promise<void> {
  const server = await startDevServer({ cliPath: ensureTemporalCli(), port: await freePort() });
  const { db, url } = createTestDb();
  await tuneSqlite(db, url);
  const catcher = await MailCatcher.start({ port: 0, maxMessages: N * 2 + 10 });
  const smtpUrl = `smtp://127.0.0.1:${catcher.port}`;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const taskQueue = 'bench-reminders';
  const transport = createTransport({ url: smtpUrl, maxConnections: POOL, ratePerSecond: RATE });
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: { db, transport, from: MAIL_FROM, publicUrl: PUBLIC_URL, logger, preferencesSecret: PREFERENCES_SECRET },
  });
  const running = worker.run();
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;

  // Starting 10,000 workflows takes a while: they all come due together once every one is waiting.
  const startEstimateMs = Math.max(30_000, N * 8);
  const dueAt = Date.now() + startEstimateMs;
  process.stderr.write(`starting ${N} reminder workflows, all due at ${new Date(dueAt).toISOString()}...\n`);
  let started = 0;
  await pool(N, 16, async (i) => {
    await temporal.workflow.start(reminderBenchWorkflow, {
      taskQueue,
      workflowId: `reminder-${i}`,
      args: [{ key: `bench-rem-${i}`, dueAt, email: `p${i}@bench.test` }],
    });
    progress('started', ++started, N);
  });
  if (Date.now() > dueAt) process.stderr.write('warning: starting took longer than planned; lateness includes it\n');
  await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now() - 2000)));
  global.gc?.();
  const rssOpen = process.memoryUsage().rss;
  process.stderr.write(`all waiting; worker RSS ${mb(rssOpen)} MiB. Waiting for ${N} emails...\n`);
  const deadline = Date.now() + 30 * 60_000;
  let lastReport = 0;
  while (catcher.messages().length < N) {
    if (Date.now() > deadline) throw new Error(`only ${catcher.messages().length}/${N} emails after 30 minutes`);
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      process.stderr.write(`emails: ${catcher.messages().length}/${N}\n`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const accepted = catcher
    .messages()
    .map((m) => m.receivedAt.getTime())
    .sort((a, b) => a - b);
  const lateness = accepted.map((t) => (t - dueAt) / 1000);
  const serviceSeconds = (accepted.at(-1)! - accepted[0]!) / 1000;
  const serviceRate = N / Math.max(serviceSeconds, 0.001);

  // Baseline: raw pooled nodemailer, same sink, same pool and rate, same number of messages.
  catcher.clear();
  const raw = createTransport({ url: smtpUrl, maxConnections: POOL, ratePerSecond: RATE });
  const sample = (await db.outboxMessage.findFirstOrThrow()) as { subject: string; html: string; text: string };
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
    smtp: { maxConnections: POOL, ratePerSecond: RATE },
    latenessSeconds: {
      p50: round(percentile(lateness, 0.5), 2),
      p99: round(percentile(lateness, 0.99), 2),
      max: round(lateness.at(-1)!, 2),
    },
    latenessTargetP99Seconds: 5,
    emailsPerSecond: round(serviceRate),
    rawNodemailerPerSecond: round(rawRate),
    ratio: round(serviceRate / rawRate, 2),
    ratioTarget: 0.7,
    workerMemory: { rssBeforeMiB: mb(rssBefore), rssWithOpenWorkflowsMiB: mb(rssOpen), openWorkflows: N },
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
