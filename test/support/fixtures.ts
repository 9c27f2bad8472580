/**
 * Real dependencies for tests: a fresh SQLite database with migrations applied, a real SMTP
 * server on loopback (the mail catcher), a worker on the shared workflow bundle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runtime, type NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { createDb, type Db } from '../../activities/db';
import { MailCatcher } from '../../activities/mail/mail-catcher';
import { createTransport } from '../../activities/transport';
import { migrate } from '../../scripts/migrate';
import { createWorker } from '../../worker/create-worker';
import { pinoTemporalLogger } from '../../worker/temporal-logger';
import type { EnrollRequestInput } from '../../client/schemas';

export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
// Once per test file (each runs in its own module registry): SDK logs go to the same quiet logger.
try {
  Runtime.install({ logger: pinoTemporalLogger(logger) });
} catch {
  // Already installed by another fixture import in this file.
}
export const PUBLIC_URL = 'http://conciliaflow.test';
export const MAIL_FROM = 'Conciliazione vita-lavoro <noreply@conciliaflow.test>';

/** A fresh SQLite file per test file; migrations applied like in production. */
export function createTestDb(): { db: Db; url: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-db-'));
  const url = `file:${path.join(dir, 'test.db')}`;
  migrate(url);
  return { db: createDb(url), url, dir };
}

export async function startSmtp(dir?: string): Promise<MailCatcher> {
  return MailCatcher.start({ port: 0, dir });
}

export function transportFor(catcher: MailCatcher) {
  return createTransport({ url: `smtp://127.0.0.1:${catcher.port}`, maxConnections: 2, ratePerSecond: 100 });
}

export function workflowBundle() {
  const codePath = process.env.CF_WORKFLOW_BUNDLE;
  if (!codePath)
    throw new Error('CF_WORKFLOW_BUNDLE is not set: run the tests through jest (globalSetup bundles the workflows).');
  return { codePath };
}

export async function testWorker(opts: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  db: Db;
  catcher: MailCatcher;
}) {
  const transport = transportFor(opts.catcher);
  const worker = await createWorker({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    deps: { db: opts.db, transport, from: MAIL_FROM, publicUrl: PUBLIC_URL, logger },
    logger,
    workflowBundle: workflowBundle(),
  });
  return { worker, transport };
}

let counter = 0;
/** A valid enrollment request; every call gets a different company. */
export function enrollRequest(overrides: Partial<EnrollRequestInput> = {}): EnrollRequestInput {
  counter++;
  const vat = String(10_000_000_000 + process.pid * 1000 + counter).slice(-11);
  return {
    programme: 'demo-2026-2027',
    kind: 'congedo-flessibilita',
    company: {
      name: `Tessitura Brianzola ${counter} S.r.l.`,
      vatNumber: vat,
      province: 'MB',
      city: 'monza',
      sector: 'industria',
      staff: 35,
      turnoverCents: 450_000_000,
    },
    consultant: { name: 'Giulia Bianchi', email: 'giulia.bianchi@consulenti.test' },
    participants: [
      { name: 'Marco Rossi', email: `titolare${counter}@tessitura.test`, role: 'owner', locale: 'it' },
      { name: 'Anna Verdi', email: `hr${counter}@tessitura.test`, role: 'hr', locale: 'en' },
    ],
    ...overrides,
  };
}
