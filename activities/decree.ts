/**
 * The decree fan-out's activities: the open pathways of an edition, page by page, and the
 * programmeEndChanged Update sent to each. A workflow cannot send an Update to another workflow, so
 * these do it through the Temporal client injected in their dependencies. Every Update carries the
 * decree's id as its update id and the pathway ignores a decree it has applied, so a retried page
 * (the worker killed halfway) tells nobody twice; the heartbeat carries the pathways already
 * answered, so the retry does not ask them again either.
 */
import { activityInfo, heartbeat } from '@temporalio/activity';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Logger } from 'pino';
import { programmeEndChangedUpdate } from '../workflows/messages';
import type { Db } from '../infra/db';
import type { DecreeDelivery, DecreeDeliveryResult, DecreeTarget } from './types';

export interface DecreeDeps {
  db: Db;
  /** Absent where activities run without a worker connection; the fan-out then fails, saying so. */
  temporal?: Client;
  logger: Logger;
  /** How long one pathway may take to answer before it counts as not reached (default 30 s). */
  updateTimeoutMs?: number;
}

const DEFAULT_CONCURRENCY = 20;

export function createDecreeActivities(deps: DecreeDeps) {
  const client = (): Client => {
    if (!deps.temporal) {
      throw ApplicationFailure.nonRetryable('the worker has no Temporal client for the decree fan-out', 'no_client');
    }
    return deps.temporal;
  };

  /** One pathway told: done (applied now or before), refused (closed meanwhile, first engine), or failed (not reached). */
  async function tell(target: DecreeTarget, delivery: DecreeDelivery): Promise<'done' | 'refused' | string> {
    const temporal = client();
    const handle = temporal.workflow.getHandle(target.workflowId);
    try {
      await temporal.withDeadline(Date.now() + (deps.updateTimeoutMs ?? 30_000), () =>
        handle.executeUpdate(programmeEndChangedUpdate, {
          args: [{ newEndsOn: delivery.newEndsOn, decree: delivery.decree, forced: delivery.forced }],
          updateId: `decree-${delivery.decreeId}`,
        }),
      );
      return 'done';
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return 'refused';
      if (err instanceof WorkflowNotFoundError) {
        // Closed already (its projection lagging): nothing to tell. Never started: the reconciler
        // will start it, so it is tried again later.
        const status = await handle
          .describe()
          .then((d) => d.status.name)
          .catch(() => null);
        if (status && status !== 'RUNNING') return 'refused';
      }
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Tells `targets`, `concurrency` at a time, skipping those a previous attempt heartbeated as answered. */
  async function deliver(
    targets: DecreeTarget[],
    delivery: DecreeDelivery,
    cursor: string | null,
  ): Promise<DecreeDeliveryResult> {
    const previous = activityInfo().heartbeatDetails as { answered?: Record<string, 'done' | 'refused'> } | undefined;
    const answered: Record<string, 'done' | 'refused'> = { ...(previous?.answered ?? {}) };
    const failed: (DecreeTarget & { reason: string })[] = [];
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const target = targets[next++]!;
        if (answered[target.enrollmentId]) continue;
        const outcome = await tell(target, delivery);
        if (outcome === 'done' || outcome === 'refused') answered[target.enrollmentId] = outcome;
        else failed.push({ ...target, reason: outcome });
        heartbeat({ answered });
      }
    };
    const concurrency = Math.max(1, delivery.concurrency ?? DEFAULT_CONCURRENCY);
    await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
    const ids = new Set(targets.map((t) => t.enrollmentId));
    const outcomes = Object.entries(answered).filter(([id]) => ids.has(id));
    const result: DecreeDeliveryResult = {
      cursor,
      count: targets.length,
      done: outcomes.filter(([, o]) => o === 'done').length,
      refused: outcomes.filter(([, o]) => o === 'refused').length,
      failed,
    };
    deps.logger.info(
      { decree: delivery.decree, programmeCode: delivery.programmeCode, ...result, failed: failed.length },
      'decree delivered to a page of pathways',
    );
    return result;
  }

  return {
    async countOpenPathways(input: { programmeCode: string }): Promise<number> {
      return deps.db.enrollment.count({ where: { programmeCode: input.programmeCode, status: 'active' } });
    },

    /** The next page of open pathways of the edition after `after` (by id), each told the decree. */
    async deliverDecreePage(
      input: DecreeDelivery & { after: string | null; limit: number },
    ): Promise<DecreeDeliveryResult> {
      const rows = await deps.db.enrollment.findMany({
        where: {
          programmeCode: input.programmeCode,
          status: 'active',
          ...(input.after ? { id: { gt: input.after } } : {}),
        },
        orderBy: { id: 'asc' },
        take: input.limit,
        select: { id: true, workflowId: true },
      });
      const targets = rows.map((r) => ({ enrollmentId: r.id, workflowId: r.workflowId }));
      return deliver(targets, input, rows.length > 0 ? rows[rows.length - 1]!.id : input.after);
    },

    /** The pathways a page did not reach, tried again. */
    async deliverDecreeTo(input: DecreeDelivery & { targets: DecreeTarget[] }): Promise<DecreeDeliveryResult> {
      return deliver(input.targets, input, null);
    },
  };
}
