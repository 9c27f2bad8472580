import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  logger: Logger;
  /** A prebuilt workflow bundle (tests build it once); otherwise workflows/ is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(setup: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: setup.connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    ...(setup.workflowBundle
      ? { workflowBundle: setup.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(setup.deps),
    // A stopping worker finishes in-flight activities (an email half-sent) before it exits.
    shutdownGraceTime: '20 seconds',
  });
}
