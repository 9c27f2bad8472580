/**
 * What each dashboard page shows, read from the database and the service and shaped for its
 * view: the routes call one loader and render one view, and hold no query of their own.
 */
import type { Db } from '../../infra/db';
import type { Dialect } from '../../infra/db-url';
import { milestoneReport } from '../../reports/milestones';
import { ATS_NETWORKS } from '../../domain/territory';
import type { Principal } from '../auth/principal';

// The work list, an enrollment's and a firm's pages load in client/web/work-query.ts and workspace-loaders.ts.

/** The network overview of a coordinator (their network, by pathway) or an admin (every network). */
export async function loadNetwork(db: Db, dialect: Dialect, p: Principal, now: number) {
  const report = await milestoneReport(db, dialect, {
    by: p.role === 'coordinator' ? 'kind' : 'network',
    ...(p.role === 'coordinator' ? { atsCode: p.atsCode! } : {}),
    asOf: now,
  });
  const networkName = ATS_NETWORKS.find((a) => a.code === p.atsCode)?.name ?? 'Regione Lombardia';
  return { report, networkName };
}
