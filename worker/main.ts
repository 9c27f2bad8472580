/**
 * The worker process on its own (for deployments with separate API and worker processes).
 * `npm start` runs the same worker inside the embedded stack.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { assertCatalogueValid } from '../domain/catalogue-validate';
import { createDb, tuneSqlite } from '../infra/db';
import { loadConfig } from '../config';
import { temporalConnectionOptions } from '../client/temporal';
import { createConfiguredWorker } from './create-worker';
import { pinoTemporalLogger } from './temporal-logger';

async function main(): Promise<void> {
  const config = loadConfig();
  // A broken catalogue entry stops the start-up with the entry and field named.
  assertCatalogueValid();
  const logger = pino({ level: config.logLevel, name: 'worker' });
  Runtime.install({ logger: pinoTemporalLogger(logger) });
  if (!config.smtpUrl) throw new Error('SMTP_URL is required for a standalone worker (e.g. smtp://127.0.0.1:1025).');
  const connection = await NativeConnection.connect(
    temporalConnectionOptions(config, config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`),
  );
  const db = createDb(config.databaseUrl);
  await tuneSqlite(db, config.databaseUrl);
  const { transport, run } = await createConfiguredWorker(config, {
    connection,
    db,
    smtpUrl: config.smtpUrl,
    logger,
  });
  logger.info(
    { taskQueue: config.taskQueue, tasks: config.workerTasks },
    'worker running; SIGTERM or Ctrl-C drains and stops it',
  );
  await run();
  transport.close();
  await db.$disconnect();
  await connection.close();
  logger.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
