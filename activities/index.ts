import type { Db } from './db';
import { dialectOfDb } from './db';
import type { Dialect } from './db-url';
import { createDigestActivities } from './digests';
import { createMailActivities, type MailDeps } from './outbox';
import { createRecordActivities } from './records';
import { createReportDeliveryActivities } from './reports/deliver';
import type { PathwayActivities, ScheduledActivities } from './types';

export type ActivityDeps = MailDeps & {
  db: Db;
  /** SQL dialect of the database, for the report queries; taken from DATABASE_URL when absent. */
  dialect?: Dialect;
};

/** The activity object registered on the worker, with its dependencies injected. */
export function createActivities(deps: ActivityDeps): PathwayActivities & ScheduledActivities {
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
  };
}

export * from './types';
export { createDb, type Db } from './db';
