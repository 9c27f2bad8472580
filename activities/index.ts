import type { Db } from './db';
import { createMailActivities, type MailDeps } from './outbox';
import { createRecordActivities } from './records';
import type { PathwayActivities } from './types';

export type ActivityDeps = MailDeps & { db: Db };

/** The activity object registered on the worker, with its dependencies injected. */
export function createActivities(deps: ActivityDeps): PathwayActivities {
  return { ...createRecordActivities(deps.db), ...createMailActivities(deps) };
}

export * from './types';
export { createDb, type Db } from './db';
