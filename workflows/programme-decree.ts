/**
 * The decree fan-out: a recorded ProgrammeDecree reaches every open pathway of its edition. Pages
 * of open pathways (by enrollment id) are each told by one activity, which sends the pathways the
 * programmeEndChanged Update with bounded concurrency. Durable: a worker killed halfway retries the
 * page it was on, and the pathway ignores a decree it has applied, so nobody is told twice.
 * Pathways not reached are tried again later without holding up the others; the history stays
 * bounded by continuing as new every few pages. Progress: the `progress` Query, and the log.
 */
import { continueAsNew, log, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { DecreeActivities, DecreeDelivery, DecreeTarget } from '../activities/types';
import { decreeProgressQuery, type DecreeFanOutInput, type DecreeProgress } from './messages';

/** A page of 200 at 20 at a time takes seconds; a killed worker is noticed by the missing heartbeat. */
const activitiesFor = (heartbeatTimeoutMs = 30_000) =>
  proxyActivities<DecreeActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

/** Tuning and what a continued run carries; the service starts the fan-out with none of it. */
export interface DecreeFanOutRun extends DecreeFanOutInput {
  pageSize?: number;
  concurrency?: number;
  /** Continue as new after this many pages (default 25: 5,000 pathways a run). */
  pagesPerRun?: number;
  /** Waits before each new try of the pathways not reached (default 1 min, 10 min, 1 h, 6 h, 24 h). */
  retryDelaysMs?: number[];
  /** A worker lost mid-page is noticed after this long (default 30 s); its page is then retried. */
  heartbeatTimeoutMs?: number;
  carried?: { progress: DecreeProgress; cursor: string | null; unreached: DecreeTarget[]; round: number };
}

export interface DecreeFanOutResult extends DecreeProgress {
  /** The pathways never reached, for an operator to look at. */
  unreached: (DecreeTarget & { reason?: string })[];
}

const DEFAULT_RETRY_DELAYS_MS = [60_000, 600_000, 3_600_000, 6 * 3_600_000, 24 * 3_600_000];

export async function programmeDecreeWorkflow(input: DecreeFanOutRun): Promise<DecreeFanOutResult> {
  const acts = activitiesFor(input.heartbeatTimeoutMs);
  const pageSize = input.pageSize ?? 200;
  const pagesPerRun = input.pagesPerRun ?? 25;
  const retryDelays = input.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const delivery: DecreeDelivery = {
    programmeCode: input.programmeCode,
    decreeId: input.decreeId,
    decree: input.decree,
    newEndsOn: input.newEndsOn,
    forced: input.forced,
    ...(input.concurrency ? { concurrency: input.concurrency } : {}),
  };
  const carried = input.carried;
  const progress: DecreeProgress = carried?.progress ?? {
    total: await acts.countOpenPathways({ programmeCode: input.programmeCode }),
    done: 0,
    failed: 0,
    refused: 0,
    phase: 'paging',
  };
  let cursor = carried?.cursor ?? null;
  let unreached: (DecreeTarget & { reason?: string })[] = carried?.unreached ?? [];
  let round = carried?.round ?? 0;
  setHandler(decreeProgressQuery, () => ({ ...progress, failed: unreached.length }));

  const carryOn = async () => {
    await continueAsNew<typeof programmeDecreeWorkflow>({
      ...input,
      carried: { progress: { ...progress, failed: unreached.length }, cursor, unreached, round },
    });
  };

  let pages = 0;
  while (progress.phase === 'paging') {
    const page = await acts.deliverDecreePage({ ...delivery, after: cursor, limit: pageSize });
    cursor = page.cursor;
    progress.done += page.done;
    progress.refused += page.refused;
    unreached = [...unreached, ...page.failed];
    progress.failed = unreached.length;
    // Pathways enrolled since the count are told too.
    progress.total = Math.max(progress.total, progress.done + progress.refused + progress.failed);
    if (page.count < pageSize) progress.phase = 'retrying';
    log.info('decree fan-out', { decree: input.decree, ...progress });
    if (progress.phase === 'paging' && ++pages >= pagesPerRun) await carryOn();
  }

  while (unreached.length > 0 && round < retryDelays.length) {
    await sleep(retryDelays[round]!);
    round++;
    const retry = await acts.deliverDecreeTo({ ...delivery, targets: unreached.map(({ reason: _r, ...t }) => t) });
    progress.done += retry.done;
    progress.refused += retry.refused;
    unreached = retry.failed;
    progress.failed = unreached.length;
    log.info('decree fan-out retried', { decree: input.decree, round, ...progress });
    if (workflowInfo().continueAsNewSuggested) await carryOn();
  }
  progress.phase = 'finished';
  if (unreached.length > 0) {
    log.warn('decree fan-out finished with pathways not reached', {
      decree: input.decree,
      unreached: unreached.length,
    });
  }
  return { ...progress, failed: unreached.length, unreached };
}
