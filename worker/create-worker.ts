import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps, type Db } from '../activities';
import { createDispatcher, type Dispatcher } from '../activities/dispatcher';
import { createMailActivities } from '../activities/outbox';
import { createTransport } from '../mail/transport';
import type { Config, WorkerTasks } from '../config';
import { dialectOf } from '../infra/db-url';
import { bundleInChildProcess } from './bundle';
import { chooseCacheSize } from './cache-size';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt workflow bundle (tests build it once); otherwise workflows/ is bundled at start, in a child process. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Temporal's sticky cache size; undefined: the SDK's default (from the heap size). The service
   * passes the size chosen from its memory (cache-size.ts); tests keep the SDK's.
   */
  maxCachedWorkflows?: number;
  /**
   * `all` (the default); `workflows`: workflow tasks and their local activities only (the worker
   * does not poll for activity tasks); `activities`: activity tasks only (no workflow code loaded).
   */
  tasks?: WorkerTasks;
}

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  const tasks = setup.tasks ?? 'all';
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    // Bundled in a child process, so that webpack's memory does not stay in the worker's.
    ...(tasks === 'activities'
      ? {}
      : { workflowBundle: setup.workflowBundle ?? { code: await bundleInChildProcess() } }),
    // Local activities (the milestone written inside an Update) still run here: they are part of
    // the workflow task.
    ...(tasks === 'workflows' ? { enableNonLocalActivities: false } : {}),
    // The decree fan-out's activities reach the pathways through a client of this same connection.
    activities: createActivities({
      ...setup.deps,
      temporal: setup.deps.temporal ?? new Client({ connection: setup.connection, namespace: setup.namespace }),
    }),
    ...(setup.maxCachedWorkflows !== undefined && tasks !== 'activities'
      ? { maxCachedWorkflows: setup.maxCachedWorkflows }
      : {}),
    // A stopping worker finishes in-flight activities (an email half-sent) before it exits.
    shutdownGraceTime: '20 seconds',
  });
}

/** The worker of a running service, with its SMTP transport, from the validated configuration. */
export async function createConfiguredWorker(
  config: Config,
  opts: { connection: NativeConnection; db: Db; smtpUrl: string; logger: Logger },
) {
  const transport = createTransport({
    url: opts.smtpUrl,
    maxConnections: config.smtpMaxConnections,
    ratePerSecond: config.smtpRatePerSecond,
  });
  const deps: ActivityDeps = {
    db: opts.db,
    transport,
    from: config.mailFrom,
    publicUrl: config.publicUrl,
    preferencesSecret: config.preferencesSecret,
    logger: opts.logger,
    digestThreshold: config.consultantDigestThreshold,
    dialect: dialectOf(config.databaseUrl),
  };
  const tasks = config.workerTasks;
  const cache = chooseCacheSize(config.workerMaxCachedWorkflows, { memoryMb: config.workerMemoryMb });
  const { belowMinimum, ...cacheLog } = cache;
  if (tasks === 'activities') opts.logger.info({ tasks }, 'activity tasks only: no workflow cache');
  else if (belowMinimum)
    opts.logger.warn(cacheLog, 'workflow cache: the memory given holds fewer pathways than the minimum; using it');
  else opts.logger.info({ ...cacheLog, tasks }, 'workflow cache size');
  const worker = await createWorker({
    connection: opts.connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps,
    ...(config.workflowBundle ? { workflowBundle: { codePath: config.workflowBundle } } : {}),
    maxCachedWorkflows: cache.maxCachedWorkflows,
    tasks,
  });
  // Staged emails are sent where the other emails are: not by a workflows-only worker.
  if (tasks === 'workflows') return { worker, transport, dispatcher: undefined, run: () => worker.run() };
  const dispatcher = createConfiguredDispatcher(deps, config.dispatchPollMs, config.dispatchLeaseMs);
  return { worker, transport, dispatcher, run: () => runWithDispatcher(worker, dispatcher) };
}

/** The dispatcher of staged emails (reminders) for a worker's activity dependencies. */
export function createConfiguredDispatcher(deps: ActivityDeps, pollMs?: number, leaseMs?: number): Dispatcher {
  return createDispatcher({
    db: deps.db,
    transport: deps.transport,
    from: deps.from,
    logger: deps.logger.child({ part: 'dispatcher' }),
    notify: createMailActivities(deps).notify,
    now: deps.now,
    pollMs,
    leaseMs,
  });
}

/**
 * Runs a worker with its dispatcher beside it: the dispatcher starts with the worker and stops
 * once the worker has drained (worker.shutdown(), SIGTERM or SIGINT).
 */
export async function runWithDispatcher(worker: Worker, dispatcher: Dispatcher): Promise<void> {
  dispatcher.start();
  try {
    await worker.run();
  } finally {
    await dispatcher.stop();
  }
}
