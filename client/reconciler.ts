/**
 * Repairs a crash between an enrollment's row and its workflow start. The service writes the row
 * with `workflowStartedAt` null, starts the pathway with the row's stable workflow id, then sets it;
 * a process killed in between leaves a row that nothing would ever carry (no welcome email, no
 * reminders). The reconciler finds such rows, older than a grace period so that it never races a
 * request still in flight, and starts each pathway with the same id and the input a request would
 * have built from the same rows.
 *
 * Safe with any number of API processes running it at once: Temporal accepts one start per
 * workflow id (REJECT_DUPLICATE, even after the run closed), and "already started" is success.
 * The welcome email, keyed by enrollment and recipient in the outbox, then goes once.
 */
import type { Logger } from 'pino';
import type { Db } from '../infra/db';
import { unmarkedEnrollments } from './enrollment-writes';
import type { Service } from './service';

export interface ReconcilerDeps {
  db: Db;
  service: Pick<Service, 'ensurePathwayStarted'>;
  logger: Logger;
  /** Rows younger than this are left to the request that wrote them. */
  graceMs: number;
  now?: () => Date;
  /** Rows read per query. */
  pageSize?: number;
}

export interface ReconcileOutcome {
  /** Pathways this pass started (the crash had left them without one). */
  started: string[];
  /** Pathways that existed already (the mark alone was missing): marked, nothing started. */
  running: string[];
  /** Rows whose pathway had ended: marked, nothing started. */
  closed: string[];
  failed: { id: string; error: string }[];
}

/** Starts in flight at once: enough to clear a crash's backlog quickly without flooding the server. */
const CONCURRENCY = 8;

export function createReconciler(deps: ReconcilerDeps) {
  const { db, service, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const pageSize = deps.pageSize ?? 200;

  /** One pass over every unmarked row older than the grace period. */
  async function reconcileOnce(): Promise<ReconcileOutcome> {
    const outcome: ReconcileOutcome = { started: [], running: [], closed: [], failed: [] };
    const before = new Date(now().getTime() - deps.graceMs);
    // Paged by id, so a row that keeps failing is not read again in the same pass and cannot hold up the rest.
    let cursor: string | undefined;
    for (;;) {
      const rows = await unmarkedEnrollments(db, { before, after: cursor, limit: pageSize });
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, rows.length) }, async () => {
          while (next < rows.length) {
            const row = rows[next++]!;
            try {
              const result = await service.ensurePathwayStarted(row.id);
              outcome[result].push(row.id);
              if (result === 'started')
                logger.warn(
                  { enrollmentId: row.id, workflowId: row.workflowId },
                  'reconciler: started the pathway of an enrollment left without one',
                );
            } catch (err) {
              outcome.failed.push({ id: row.id, error: err instanceof Error ? err.message : String(err) });
              logger.error(
                { enrollmentId: row.id, workflowId: row.workflowId, err },
                'reconciler: could not start the pathway',
              );
            }
          }
        }),
      );
      if (rows.length < pageSize) break;
      cursor = rows[rows.length - 1]!.id;
    }
    const repaired = outcome.started.length + outcome.running.length + outcome.closed.length;
    if (repaired > 0 || outcome.failed.length > 0)
      logger.info(
        {
          started: outcome.started.length,
          running: outcome.running.length,
          closed: outcome.closed.length,
          failed: outcome.failed.length,
        },
        'reconciler: enrollments repaired',
      );
    return outcome;
  }

  /**
   * A pass now and then one every `intervalMs` (the next waits for the previous to finish); `stop`
   * waits for a pass in progress.
   */
  function start(intervalMs: number): { stop(): Promise<void> } {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let running: Promise<unknown> = Promise.resolve();
    const pass = () => {
      running = reconcileOnce()
        .catch((err: unknown) => logger.error({ err }, 'reconciler: pass failed'))
        .finally(() => {
          // Unref'd: the reconciler alone never keeps a process alive.
          if (!stopped) timer = setTimeout(pass, intervalMs).unref();
        });
    };
    pass();
    return {
      async stop() {
        stopped = true;
        clearTimeout(timer);
        await running;
      },
    };
  }

  return { reconcileOnce, start };
}
