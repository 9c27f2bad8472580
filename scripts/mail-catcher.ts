/**
 * Standalone mail catcher, for working on mail without the rest of the embedded stack:
 *
 *   tsx scripts/mail-catcher.ts [--port 1025] [--host 127.0.0.1] [--dir var/mail | --no-dir]
 *
 * Point the SMTP settings at the printed address; messages are kept as .eml files under --dir.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { MailCatcher } from '../mail/mail-catcher';
import { varDir } from './paths';

const USAGE = 'usage: tsx scripts/mail-catcher.ts [--port 1025] [--host 127.0.0.1] [--dir var/mail | --no-dir]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '1025' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: path.join(varDir, 'mail') },
      'no-dir': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${values.port}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  const logger = pino(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {});
  const catcher = await MailCatcher.start({
    port,
    host: values.host,
    dir: values['no-dir'] ? undefined : path.resolve(values.dir),
    logger,
  });
  logger.info(
    { smtp: `smtp://${catcher.host}:${catcher.port}`, dir: catcher.dir ?? '(memory only)' },
    `mail catcher ready: SMTP on ${catcher.host}:${catcher.port}, no TLS, any or no credentials`,
  );

  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping mail catcher');
    catcher.stop().then(
      () => logger.flush(() => process.exit(0)),
      (err: unknown) => {
        logger.error({ err }, 'mail catcher did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
