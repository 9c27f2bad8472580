/**
 * `npm start`: the embedded stack in one command. Temporal dev server persisted under var/
 * (with its Web UI), SQLite with migrations applied, a local mail catcher, the worker and the
 * HTTP API. Ctrl-C stops everything; the next start resumes the same pathways.
 */
import path from 'node:path';
import { NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { assertCatalogueValid } from '../domain/catalogue-validate';
import { createDb, tuneSqlite } from '../infra/db';
import { redactUrl } from '../infra/db-url';
import { MailCatcher } from '../mail/mail-catcher';
import { buildApi } from '../client/api/server';
import { connectService } from '../client/connect-service';
import { temporalConnectionOptions } from '../client/temporal';
import { bootstrapAdmin, bootstrapNotice } from '../client/auth/bootstrap';
import { dialectOf } from '../infra/db-url';
import { createReconciler } from '../client/reconciler';
import { ConfigError, loadConfig } from '../config';
import { createConfiguredWorker } from '../worker/create-worker';
import { pinoTemporalLogger } from '../worker/temporal-logger';
import { startDevServer, type DevServer } from './dev-server';
import { migrate } from '../infra/migrate';
import { varDir } from './paths';
import { makePrivate, privateSqliteDatabase, PRIVATE_UMASK } from './private-files';
import { ensureTemporalCli, ProvisionError } from './provision';
import { ensureProgrammeSeeds } from '../client/programmes';
import { buildCli, cliBuildIsCurrent } from './build-cli';

async function main(): Promise<void> {
  // Everything written under var/ from here on (by us or the servers we start) is private to this
  // user; what an earlier version left readable is closed before anything reads it.
  process.umask(PRIVATE_UMASK);
  makePrivate(varDir);
  const config = loadConfig();
  // A broken catalogue entry stops the start-up with the entry and field named.
  assertCatalogueValid();
  const logger = pino({
    level: config.logLevel,
    transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } : undefined,
  });
  // We stop the worker ourselves, in order, after the API.
  Runtime.install({ shutdownSignals: [], logger: pinoTemporalLogger(logger.child({ part: 'temporal' })) });
  // The compiled CLI (`npx conciliaflow`) is rebuilt when a source changed since install; without
  // it the CLI still works, through tsx, only slower to start.
  const cliBuild = cliBuildIsCurrent()
    ? Promise.resolve()
    : buildCli().then(
        ({ ms }) => logger.info(`CLI compiled into dist/cli.js in ${ms} ms`),
        (err) => logger.warn({ err }, 'could not compile the CLI (it runs through tsx meanwhile)'),
      );

  let devServer: DevServer | undefined;
  let temporalAddress = config.temporalAddress;
  if (!temporalAddress) {
    const cli = ensureTemporalCli();
    logger.info('starting the Temporal dev server (persisted to var/temporal.db)...');
    devServer = await startDevServer({
      cliPath: cli,
      dbFile: path.join(varDir, 'temporal.db'),
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      logFile: path.join(varDir, 'temporal.log'),
    });
    temporalAddress = devServer.address;
  }

  logger.info('applying database migrations...');
  privateSqliteDatabase(config.databaseUrl);
  migrate(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await tuneSqlite(db, config.databaseUrl);
  // The public record's editions, inserted when missing; the Region's later changes stand.
  await ensureProgrammeSeeds(db);
  const firstAdmin = await bootstrapAdmin(db, varDir);

  let catcher: MailCatcher | undefined;
  let smtpUrl = config.smtpUrl;
  if (!smtpUrl) {
    catcher = await MailCatcher.start({ port: config.mailCatcherPort, dir: path.join(varDir, 'mail'), logger });
    smtpUrl = `smtp://127.0.0.1:${catcher.port}`;
  }
  const workerConnection = await NativeConnection.connect(temporalConnectionOptions(config, temporalAddress));
  logger.info('bundling workflows and starting the worker...');
  // The embedded stack is one process: its worker takes every task (WORKER_TASKS is for `npm run worker`).
  const { worker, transport, run } = await createConfiguredWorker(
    { ...config, workerTasks: 'all' },
    {
      connection: workerConnection,
      db,
      smtpUrl,
      logger: logger.child({ part: 'worker' }),
    },
  );
  const workerRun = run();

  const { connection, temporal, service } = await connectService(config, db, temporalAddress, logger);
  const links: Record<string, string> = { api: config.publicUrl, health: `${config.publicUrl}/health` };
  if (devServer?.uiUrl) links.temporalUi = devServer.uiUrl;
  const mailPages = catcher && config.mailCatcherPages ? catcher : undefined;
  if (mailPages) links.mail = `${config.publicUrl}/mail`;
  const api = await buildApi({
    service,
    db,
    temporal,
    logger: logger.child({ part: 'api' }),
    mailCatcher: mailPages,
    links,
    preferencesSecret: config.preferencesSecret,
    dialect: dialectOf(config.databaseUrl),
    publicUrl: config.publicUrl,
  });
  await api.listen({ port: config.port, host: config.host });
  const reconciler = createReconciler({
    db,
    service,
    logger: logger.child({ part: 'reconciler' }),
    graceMs: config.reconcileGraceMs,
  }).start(config.reconcileIntervalMs);

  const lines = [
    '',
    'conciliaflow is running:',
    `  API            ${config.publicUrl}   (GET /health, POST /enrollments, GET /catalogue)`,
    `  Temporal       ${temporalAddress}${devServer ? '   (dev server, state in var/temporal.db)' : ''}`,
    ...(devServer?.uiUrl ? [`  Temporal UI    ${devServer.uiUrl}`] : []),
    `  Database       ${redactUrl(config.databaseUrl)}`,
    catcher
      ? `  Mail catcher   smtp://127.0.0.1:${catcher.port}, kept in var/mail${mailPages ? `, read by admins at ${config.publicUrl}/mail` : ' (pages off: HOST is not loopback, MAIL_CATCHER_PAGES=on serves them)'}`
      : `  SMTP relay     ${smtpUrl.replace(/:[^:@/]*@/, ':***@')}`,
    `  Dashboard      ${config.publicUrl}/app   (API reference at ${config.publicUrl}/docs)`,
    ...(firstAdmin ? [bootstrapNotice(firstAdmin, varDir, Boolean(process.stdout.isTTY))] : []),
    `  CLI            npx conciliaflow --help   (uses the token in var/cli-token against this stack)`,
    'Press Ctrl-C to stop.',
    '',
  ];
  await cliBuild;
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: API, then worker (draining), then servers...');
    await api.close();
    // The start marks of the last enrollments, before the database closes (else the reconciler's).
    await service.flushStartMarks();
    await reconciler.stop();
    worker.shutdown();
    await workerRun.catch((err) => logger.error({ err }, 'worker stopped with an error'));
    transport.close();
    await connection.close();
    await workerConnection.close();
    await catcher?.stop();
    await db.$disconnect();
    await devServer?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof ProvisionError;
  process.stderr.write(`\nconciliaflow could not start: ${known ? err.message : (err?.stack ?? String(err))}\n`);
  process.exit(1);
});
