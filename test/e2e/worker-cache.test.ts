/**
 * The worker process (`npm run worker`) sizes its workflow cache from the memory it is given and
 * says so at start, in a structured log line; WORKER_MAX_CACHED_WORKFLOWS overrides it. Without
 * WORKFLOW_BUNDLE it bundles the workflows in a child process (worker/bundle.ts) and runs them.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Db } from '../../infra/db';
import type { MailCatcher } from '../../mail/mail-catcher';
import type { DevServer } from '../../scripts/dev-server';
import { BASELINE_MIB, PER_PATHWAY_MIB } from '../../worker/cache-size';
import { emptyWorkflow } from '../../workflows/bench';
import { PREFERENCES_SECRET, spawnProgram, startProcessStack, stopProcessStack } from '../support/fixtures';

jest.setTimeout(120_000);

interface LogLine {
  msg?: string;
  maxCachedWorkflows?: number;
  reason?: string;
  memorySource?: string;
  memoryBudgetMiB?: number;
}

let server: DevServer;
let db: Db;
let url: string;
let catcher: MailCatcher;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ({ server, db, url, catcher } = await startProcessStack());
});

afterAll(() => stopProcessStack(children, { catcher, db, server }));

/** Starts worker/main.ts with `env`; resolves with its log lines once it says it runs. */
async function startWorker(taskQueue: string, env: Record<string, string>): Promise<LogLine[]> {
  const child = spawnProgram(path.resolve(__dirname, '../../worker/main.ts'), {
    env: {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: url,
      SMTP_URL: `smtp://127.0.0.1:${catcher.port}`,
      PREFERENCES_SECRET,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: LogLine[] = [];
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before running: ${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          lines.push(JSON.parse(line) as LogLine);
        } catch {
          continue;
        }
        if (lines.at(-1)!.msg?.startsWith('worker running')) resolve(lines);
      }
    });
  });
}

test('WORKER_MEMORY_MB sizes the cache, logged with its reason; the workflows bundled in a child process run', async () => {
  const lines = await startWorker('cache-memory', { WORKER_MEMORY_MB: '300' });
  const cache = lines.find((l) => l.msg === 'workflow cache size');
  expect(cache).toMatchObject({
    maxCachedWorkflows: Math.floor((300 - BASELINE_MIB) / PER_PATHWAY_MIB),
    memorySource: 'WORKER_MEMORY_MB',
    memoryBudgetMiB: 300,
  });
  expect(cache!.reason).toContain('300 MiB from WORKER_MEMORY_MB');

  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    await client.workflow.execute(emptyWorkflow, { taskQueue: 'cache-memory', workflowId: 'cache-memory-empty' });
  } finally {
    await connection.close();
  }
});

test('WORKER_MAX_CACHED_WORKFLOWS wins over WORKER_MEMORY_MB', async () => {
  const lines = await startWorker('cache-explicit', {
    WORKER_MAX_CACHED_WORKFLOWS: '7',
    WORKER_MEMORY_MB: '4096',
    WORKFLOW_BUNDLE: process.env.CF_WORKFLOW_BUNDLE!,
  });
  expect(lines.find((l) => l.msg === 'workflow cache size')).toMatchObject({
    maxCachedWorkflows: 7,
    reason: 'WORKER_MAX_CACHED_WORKFLOWS',
  });
});
