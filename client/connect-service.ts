/**
 * The service as the API processes build it (`npm run api`, `npm start`): a Temporal client on the
 * configured connection, the schedules unless SCHEDULES=off, and the service over the database.
 */
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../infra/db';
import { ensureSchedules } from './schedules';
import { createService } from './service';
import { temporalConnectionOptions } from './temporal';

export async function connectService(config: Config, db: Db, temporalAddress: string, logger: Logger) {
  const connection = await Connection.connect(temporalConnectionOptions(config, temporalAddress));
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  if (config.schedules) await ensureSchedules(temporal, config.taskQueue, logger);
  const service = createService({
    db,
    temporal,
    taskQueue: config.taskQueue,
    reminderLeadMs: config.reminderLeadMs,
    recipientQuotas: config.recipientQuotas,
  });
  return { connection, temporal, service };
}
