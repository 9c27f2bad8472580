import type { Db } from '../infra/db';
import { dialectOfDb } from '../infra/db';
import type { Dialect } from '../infra/db-url';
import type { Client } from '@temporalio/client';
import { createDecreeActivities } from './decree';
import { createDigestActivities } from './digests';
import { createRequestActivities, type RequestActivities } from './enrollment-request';
import { createMailActivities, type MailDeps } from './outbox';
import { createRecordActivities } from './records';
import { createReportDeliveryActivities } from './report-delivery';
import type { AnonymiseActivities, DecreeActivities, PathwayActivities, ScheduledActivities } from './types';
import { anonymiseAfterDays, anonymiseEndedEditions } from '../client/anonymise';

export type ActivityDeps = MailDeps & {
  db: Db;
  /** SQL dialect of the database, for the report queries; taken from DATABASE_URL when absent. */
  dialect?: Dialect;
  /** A client of the worker's own connection: the decree fan-out sends Updates to pathways with it. */
  temporal?: Client;
  /** Days after an edition's end before its participants are anonymised; ANONYMISE_AFTER_DAYS (365) when absent. */
  anonymiseAfterDays?: number;
};

/** The activity object registered on the worker, with its dependencies injected. */
export function createActivities(
  deps: ActivityDeps,
): PathwayActivities & ScheduledActivities & DecreeActivities & RequestActivities & AnonymiseActivities {
  const mail = createMailActivities(deps);
  return {
    ...createRecordActivities(deps.db),
    ...mail,
    ...createDigestActivities({ db: deps.db, publicUrl: deps.publicUrl, notify: mail.notify }),
    ...createReportDeliveryActivities({
      db: deps.db,
      dialect: deps.dialect ?? dialectOfDb(deps.db),
      notify: mail.notify,
    }),
    ...createDecreeActivities({ db: deps.db, temporal: deps.temporal, logger: deps.logger }),
    ...createRequestActivities({
      db: deps.db,
      temporal: deps.temporal,
      publicUrl: deps.publicUrl,
      logger: deps.logger,
    }),
    anonymiseEndedEditions: async ({ asOf }: { asOf: number }) => {
      const result = await anonymiseEndedEditions(deps.db, {
        afterDays: deps.anonymiseAfterDays ?? anonymiseAfterDays(),
        asOf,
      });
      if (result.participants > 0) deps.logger.info(result, 'participants anonymised after their editions');
      return result;
    },
  };
}

export * from './types';
export { createDb, type Db } from '../infra/db';
