/**
 * A worker process for the cluster test: worker/main.ts's assembly (configuration from the
 * environment, createConfiguredWorker, a NativeConnection to TEMPORAL_ADDRESS) with the one
 * difference that its SQLite client queues behind the other processes' writes (shared-sqlite.ts).
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { loadConfig } from '../../config';
import { createConfiguredWorker } from '../../worker/create-worker';
import { pinoTemporalLogger } from '../../worker/temporal-logger';
import { sharedSqliteDb } from './shared-sqlite';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, name: 'worker' });
  Runtime.install({ logger: pinoTemporalLogger(logger) });
  if (!config.temporalAddress || !config.smtpUrl) throw new Error('TEMPORAL_ADDRESS and SMTP_URL are required');
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const db = await sharedSqliteDb(config.databaseUrl);
  const { worker, transport, run } = await createConfiguredWorker(config, {
    connection,
    db,
    smtpUrl: config.smtpUrl,
    logger,
  });
  logger.info({ taskQueue: config.taskQueue, identity: worker.options.identity }, 'worker running');
  await run();
  transport.close();
  await db.$disconnect();
  await connection.close();
  logger.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
