/**
 * `npm run api`: the HTTP API on its own (deployments with separate API and worker processes,
 * `npm run worker`). Needs TEMPORAL_ADDRESS; creates the schedules like `npm start` unless
 * SCHEDULES=off.
 */
import pino from 'pino';
import { createDb, tuneSqlite } from '../../infra/db';
import { dialectOf, redactUrl } from '../../infra/db-url';
import { ConfigError, loadConfig } from '../../config';
import { assertCatalogueValid } from '../../domain/catalogue-validate';
import { migrate } from '../../infra/migrate';
import { createReconciler } from '../reconciler';
import { connectService } from '../connect-service';
import { buildApi } from './server';
import { ensureProgrammeSeeds } from '../programmes';

async function main(): Promise<void> {
  const config = loadConfig();
  assertCatalogueValid();
  if (!config.temporalAddress)
    throw new ConfigError(
      'TEMPORAL_ADDRESS is required for a standalone API (e.g. 127.0.0.1:7233); `npm start` runs everything locally.',
    );
  const logger = pino({ level: config.logLevel, name: 'api' });
  migrate(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await tuneSqlite(db, config.databaseUrl);
  // The public record's editions, inserted when missing; the Region's later changes stand.
  await ensureProgrammeSeeds(db);
  const { connection, temporal, service } = await connectService(config, db, config.temporalAddress, logger);
  const api = await buildApi({
    service,
    db,
    temporal,
    logger,
    preferencesSecret: config.preferencesSecret,
    dialect: dialectOf(config.databaseUrl),
    publicUrl: config.publicUrl,
  });
  await api.listen({ port: config.port, host: config.host });
  logger.info({ url: config.publicUrl, database: redactUrl(config.databaseUrl) }, 'API listening');
  // Here, beside the Temporal client: enrollments a crash left without their pathway are started.
  const reconciler = createReconciler({ db, service, logger, graceMs: config.reconcileGraceMs }).start(
    config.reconcileIntervalMs,
  );
  const stop = async () => {
    await api.close();
    // The start marks of the last enrollments, before the database closes (else the reconciler's).
    await service.flushStartMarks();
    await reconciler.stop();
    await connection.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  process.stderr.write(`api failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
